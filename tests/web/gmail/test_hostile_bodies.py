"""Bodies no client should send get a clear 4xx, never a 500, and change nothing (findings 15-4, 15-8).

The add-on verifies Google's token before it reads the body, so an unauthenticated caller's body is
never parsed; a verified caller's unreadable body is a 400.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from addin_server.services import enrollments
from tests.web.gmail.helpers import card_text, only_card, sections_by_email

# ~200 kB of [[[...]]]: under MAX_REQUEST_BYTES, far deeper than Python's parser can recurse.
DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
GMAIL_PATHS = ["/gmail/homepage", "/gmail/compose", "/gmail/message", "/gmail/actions/refresh",
               "/gmail/actions/unenroll", "/gmail/actions/page"]


@pytest.mark.parametrize("path", GMAIL_PATHS)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["deep array", "deep object"])
def test_deeply_nested_json_without_credentials_is_refused_with_401_before_it_is_read(
        client: Any, path: str, body: bytes) -> None:
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "missing_token"


@pytest.mark.parametrize("path", GMAIL_PATHS)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, b"{not json", b"[]", b'"an event"', b""],
                         ids=["deep array", "deep object", "invalid json", "a list", "a string", "no body"])
def test_an_unreadable_event_from_a_verified_caller_is_a_400(
        addon: Any, services: Any, world: Any, enrolled: dict[str, Any], path: str, body: bytes) -> None:
    response = addon.client.post(path, data=body, content_type="application/json",
                                 headers={"Authorization": f"Bearer {addon.system_token(path)}"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "active"


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["deep array", "deep object"])
@pytest.mark.parametrize("path", ["/webhooks/graph", "/api/v1/recipients/status"])
def test_deeply_nested_json_elsewhere_is_never_a_500(client: Any, path: str, body: bytes) -> None:
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code in (400, 401)
    assert response.get_json()["error"]["code"] in ("bad_request", "unauthorized")


@pytest.mark.parametrize("field", ["toRecipients", "ccRecipients", "bccRecipients"])
def test_a_nul_in_a_compose_events_address_is_a_clear_400_on_every_database(
        addon: Any, services: Any, world: Any, enrolled: dict[str, Any], field: str) -> None:
    event = addon.event("compose-event.json", **{field: ["jane.doe@globex-acme.test\u0000x"]})
    response = addon.client.post("/gmail/compose", data=json.dumps(event), content_type="application/json",
                                 headers={"Authorization": f"Bearer {addon.system_token('/gmail/compose')}"})
    assert response.status_code == 400
    assert "NUL" in response.get_json()["error"]["message"]
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["status"] == "active"


def test_a_carried_recipient_with_a_nul_is_dropped_and_the_others_shown(
        addon: Any, enrolled: dict[str, Any]) -> None:
    """Carried recipients arrive base64-encoded, past the door's NUL check: the add-on drops such addresses."""
    packed = json.dumps({"to": ["jane.doe@globex-acme.test\u0000x", "jane.doe@globex-acme.test"],
                         "cc": ["raj@globex-acme.test\r\nBcc: x@evil.example"], "bcc": []}).encode()
    event = addon.event("action-event.json", parameters={"view": "compose",
                                                         "recipients": base64.urlsafe_b64encode(packed).decode()})
    del event["gmail"]
    response = addon.post("/gmail/actions/refresh", event)
    assert response.status_code == 200
    card = only_card(response.get_json())
    assert list(sections_by_email(card)) == ["jane.doe@globex-acme.test"]
    assert "\u0000" not in json.dumps(card) and "Something went wrong" not in card_text(card)
