"""GET/POST /u/<token>: the confirmation page, the button, RFC 8058 one-click, and bad links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from addin_server.auth.signed_links import make_meeting_token
from addin_server.config import Settings
from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.web.links.conftest import enroll_over_api, last_sent, unsubscribe_path


def _enrollment(client: Any, w: World, enrollment_id: str) -> dict[str, Any]:
    got: dict[str, Any] = client.get(f"/api/v1/enrollments/{enrollment_id}", headers=w.headers).get_json()
    return got


def test_the_confirmation_page_changes_nothing(client: Any, services: ServiceContext, world: World) -> None:
    e = enroll_over_api(client, world)
    path = unsubscribe_path(last_sent(services))
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Unsubscribe from these emails?" in html and "jane.doe@globex-acme.test" in html and "Rita Rep" in html
    assert f'<form method="post" action="{path}">' in html
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert _enrollment(client, world, e["id"])["status"] == "active"


@pytest.mark.parametrize("how, request_kwargs", [
    pytest.param("page", {"data": {"confirm": "yes"}}, id="the page's button unsubscribes"),
    pytest.param("one_click", {"data": "List-Unsubscribe=One-Click",
                               "content_type": "application/x-www-form-urlencoded"},
                 id="an RFC 8058 one-click POST unsubscribes"),
    pytest.param("one_click", {"data": {"List-Unsubscribe": "One-Click"}, "content_type": "multipart/form-data"},
                 id="a one-click POST sent as multipart/form-data unsubscribes"),
])
def test_unsubscribing_over_http(client: Any, services: ServiceContext, world: World, how: str,
                                 request_kwargs: dict[str, Any]) -> None:
    e = enroll_over_api(client, world)
    answer = client.post(unsubscribe_path(last_sent(services)), **request_kwargs)
    assert answer.status_code == 200 and "You are unsubscribed" in answer.get_data(as_text=True)
    got = _enrollment(client, world, e["id"])
    assert (got["status"], got["end_reason"], got["end_actor"], got["evidence"]["how"]) == (
        "unenrolled", "unsubscribed", "contact", how)
    contact = client.get(f"/api/v1/contacts/{world.contact['id']}", headers=world.headers).get_json()
    assert contact["unsubscribed"] is True


def test_a_second_post_is_harmless(client: Any, services: ServiceContext, world: World) -> None:
    enroll_over_api(client, world)
    path = unsubscribe_path(last_sent(services))
    client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    again = client.post(path, data={"confirm": "yes"})
    assert again.status_code == 200 and "Already unsubscribed" in again.get_data(as_text=True)
    assert "Already unsubscribed" in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize("make_path", [
    pytest.param(lambda p, s: p[:-4] + ("AAAA" if not p.endswith("AAAA") else "BBBB"), id="a tampered token"),
    pytest.param(lambda p, s: "/u/" + make_meeting_token("1", "1", s), id="a token made for a meeting link"),
    pytest.param(lambda p, s: "/u/%3Cscript%3E", id="a malformed token"),
    pytest.param(lambda p, s: p + "/extra", id="a token with a path after it"),
])
def test_bad_links_get_a_clear_page_and_change_nothing(client: Any, services: ServiceContext, world: World,
                                                       make_path: Callable[[str, Settings], str]) -> None:
    e = enroll_over_api(client, world)
    path = make_path(unsubscribe_path(last_sent(services)), services.settings)
    for answer in (client.get(path), client.post(path, data="List-Unsubscribe=One-Click",
                                                 content_type="application/x-www-form-urlencoded")):
        html = answer.get_data(as_text=True)
        assert answer.status_code == 400 and answer.mimetype == "text/html"
        assert "This link is not valid" in html and "Nothing was changed" in html
        assert "<script>" not in html
    assert _enrollment(client, world, e["id"])["status"] == "active"


def test_the_pages_need_no_sign_in_and_the_api_still_does(client: Any, services: ServiceContext,
                                                          world: World) -> None:
    enroll_over_api(client, world)
    assert client.get(unsubscribe_path(last_sent(services))).status_code == 200
    assert client.get("/api/v1/enrollments").status_code == 401
