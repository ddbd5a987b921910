"""A sign-in page without any sign-in button says what is actually missing, by its setting's name."""

from __future__ import annotations

from typing import Any

import pytest

from addin_server import create_app
from addin_server.config import Settings
from addin_server.services.startup import open_services


@pytest.mark.parametrize(("overrides", "said", "not_said"), [
    pytest.param({"google_oauth_client_id": "", "ms_client_id": ""}, ["GOOGLE_OAUTH_CLIENT_ID is not set", "MS_CLIENT_ID is not set"], [],
                 id="a server without client ids names both settings"),
    pytest.param({"google_oauth_client_id": "cid.apps.googleusercontent.com",
                  "google_auth_uri": "http://127.0.0.1:9/o/oauth2/v2/auth", "ms_client_id": ""},
                 ["GOOGLE_AUTH_URI points elsewhere than Google"], ["GOOGLE_OAUTH_CLIENT_ID is not set"],
                 id="a google client id with GOOGLE_AUTH_URI pointed elsewhere names GOOGLE_AUTH_URI"),
    pytest.param({"ms_client_id": "00000000-0000-0000-0000-000000000001",
                  "ms_authority": "http://127.0.0.1:9/common", "google_oauth_client_id": ""},
                 ["MS_AUTHORITY does not point at https://login.microsoftonline.com/"], ["MS_CLIENT_ID is not set"],
                 id="a microsoft client id with MS_AUTHORITY pointed elsewhere names MS_AUTHORITY"),
])
def test_the_sign_in_page_without_buttons_names_what_is_missing(
        settings: Settings, clock: Any, overrides: dict[str, str], said: list[str], not_said: list[str]) -> None:
    configured = settings.with_overrides(**overrides)
    ctx = open_services(configured, clock=clock)
    try:
        page = create_app(configured, services=ctx).test_client().get("/app/sign-in").get_data(as_text=True)
    finally:
        ctx.engine.dispose()
    text = " ".join(page.split())
    assert "No sign-in method is available on this server" in text, text[text.find("<main"):][:600]
    assert all(x in text for x in said), text
    assert not any(x in text for x in not_said)
