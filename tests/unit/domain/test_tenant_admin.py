"""Which `wids` prove a person may link their whole Microsoft 365 organisation: one case per sentence."""

from __future__ import annotations

import pytest

from addin_server.domain.tenant_admin import tenant_admin_role

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
PRIVILEGED_ROLE_ADMINISTRATOR = "e8611ab8-c189-46e8-94e1-60213ab1f814"
APPLICATION_ADMINISTRATOR = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
CLOUD_APPLICATION_ADMINISTRATOR = "158c047a-c907-4556-b7ef-446551a6b5f7"
DEFAULT_USER_ROLE = "b79fbf4d-3ef9-4689-8143-76b194e85509"


@pytest.mark.parametrize(("wids", "role"), [
    pytest.param([GLOBAL_ADMINISTRATOR], "Global Administrator", id="a Global Administrator links the tenant"),
    pytest.param([PRIVILEGED_ROLE_ADMINISTRATOR], "Privileged Role Administrator",
                 id="a Privileged Role Administrator (who can grant Graph application consent) links it"),
    pytest.param([APPLICATION_ADMINISTRATOR], None,
                 id="an Application Administrator cannot grant Graph application permissions: no proof"),
    pytest.param([CLOUD_APPLICATION_ADMINISTRATOR], None, id="a Cloud Application Administrator: no proof"),
    pytest.param([DEFAULT_USER_ROLE], None, id="an ordinary member: no proof"),
    pytest.param([DEFAULT_USER_ROLE, GLOBAL_ADMINISTRATOR], "Global Administrator",
                 id="the admin role counts among other roles"),
    pytest.param([GLOBAL_ADMINISTRATOR.upper()], "Global Administrator", id="role ids are compared ignoring case"),
    pytest.param(None, None, id="a token without wids proves nothing"),
    pytest.param([], None, id="an empty wids proves nothing"),
    pytest.param(GLOBAL_ADMINISTRATOR, None, id="wids that is no list (a forged shape) proves nothing"),
    pytest.param([{"id": GLOBAL_ADMINISTRATOR}, 7], None, id="entries that are no strings prove nothing"),
])
def test_tenant_admin_role(wids: object, role: str | None) -> None:
    assert tenant_admin_role(wids) == role
