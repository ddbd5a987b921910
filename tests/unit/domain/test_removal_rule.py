"""Whom a person or key may remove (domain/permissions.removal_refusal): one case per sentence of the rule."""

from __future__ import annotations

import pytest

from addin_server.domain.permissions import API_KEY_ROLE_RANK, ROLE_RANK, RemovalRefusal, removal_refusal

SUPER, ADMIN, REP = ROLE_RANK["super_admin"], ROLE_RANK["admin"], ROLE_RANK["user"]
KEY_ADMIN = API_KEY_ROLE_RANK["admin"]

CASES = [
    pytest.param(ADMIN, REP, False, 1, None, id="an admin removes a rep"),
    pytest.param(ADMIN, ADMIN, False, 1, None, id="an admin removes another admin (not above their own role)"),
    pytest.param(ADMIN, SUPER, False, 1, RemovalRefusal.ROLE_ABOVE_OWN,
                 id="nobody removes someone above their own role: an admin cannot remove a super admin"),
    pytest.param(KEY_ADMIN, SUPER, False, 1, RemovalRefusal.ROLE_ABOVE_OWN,
                 id="no key is a super admin: an admin key cannot remove a super admin"),
    pytest.param(KEY_ADMIN, REP, False, 1, None, id="an admin key offboards a rep"),
    pytest.param(-1, REP, False, 1, RemovalRefusal.ROLE_ABOVE_OWN, id="whoever grants nothing removes nobody"),
    pytest.param(ADMIN, ADMIN, True, 1, RemovalRefusal.SELF, id="nobody removes themselves: another admin does it"),
    pytest.param(SUPER, SUPER, False, 0, RemovalRefusal.LAST_SUPER_ADMIN,
                 id="the last super admin who signed in cannot be removed"),
    pytest.param(SUPER, SUPER, False, 1, None, id="a super admin is removed while another signed-in one remains"),
]


@pytest.mark.parametrize(("own", "target", "is_self", "others", "refused"), CASES)
def test_removal_rule(own: int, target: int, is_self: bool, others: int, refused: RemovalRefusal | None) -> None:
    assert removal_refusal(own_rank=own, target_rank=target, is_self=is_self, others_super_admins=others) is refused
