"""The web app's contact list, its errors inside the app's frame, the way in from `/`, and the
stale-page answers of its unenroll forms (through Flask's test client)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from addin_server.cli import _demo_banner
from addin_server.services import directory, enrollments
from addin_server.services.app_pages import clean_search, contact_list
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.demo import seed_demo
from tests.builders import make_world
from tests.web.app.conftest import AppWorld, sign_in


def _text(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def _rows(html: str) -> list[str]:
    """The contact names of the contact list's rows, in order."""
    body = html.split('<table class="grid stack" id="contacts">', 1)[-1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="Contact"><a href="/app/contacts/\d+">([^<]+)</a>', body)


def _rita(client: Any, aw: AppWorld) -> Any:
    return sign_in(client, aw.world.rep["id"], aw.world.account_id)


# --- the contact list ---------------------------------------------------------------------------

SEARCHES = [
    ("an empty search lists every contact by last name", "", ["Jane Doe", "Raj"]),
    ("a first name finds the contact", "jane", ["Jane Doe"]),
    ("a full name finds the contact", "Jane Doe", ["Jane Doe"]),
    ("a last name in capitals finds the contact", "DOE", ["Jane Doe"]),
    ("a secondary address finds the contact", "jane.doe.home@gmail", ["Jane Doe"]),
    ("a primary address finds the contact", "raj@globex", ["Raj"]),
    ("a company name finds everyone at the company", "globex", ["Jane Doe", "Raj"]),
    ("every word must match somewhere", "globex raj", ["Raj"]),
    ("a percent sign is a character, not a wildcard", "%", []),
    ("an underscore is a character, not a wildcard", "_", []),
    ("a name nobody has finds nobody", "zebediah", []),
]


@pytest.mark.parametrize(("query", "expected"), [s[1:] for s in SEARCHES], ids=[s[0] for s in SEARCHES])
def test_contact_list_searches_name_address_and_company(https_client: Any, app_world: AppWorld, query: str,
                                                        expected: list[str]) -> None:
    _rita(https_client, app_world)
    response = https_client.get("/app/contacts", query_string={"q": query})
    assert response.status_code == 200
    assert _rows(_text(response)) == expected


def test_each_row_shows_the_contacts_current_enrollment(https_client: Any, services: ServiceContext,
                                                        app_world: AppWorld) -> None:
    enrollments.unenroll(services, app_world.world.admin, app_world.raj_enrollment)
    _rita(https_client, app_world)
    html = _text(https_client.get("/app/contacts"))
    jane, raj = html.split('data-label="Contact"')[1:3]
    assert "Intro outreach" in jane and "Active" in jane and "step 1 of 3" in jane
    assert "Not enrolled" in raj and "Intro outreach" not in raj


def test_the_contact_list_is_in_the_apps_navigation(https_client: Any, app_world: AppWorld) -> None:
    _rita(https_client, app_world)
    html = _text(https_client.get("/app/sequences"))
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/app/contacts"' in nav


def test_another_accounts_contacts_are_never_listed(https_client: Any, services: ServiceContext,
                                                   app_world: AppWorld) -> None:
    other = make_world(services, name="Initrode", domain="initrode.test")
    directory.create_contact(services, other.admin, email="zed@initrode.test", first_name="Zed", last_name="Jane")
    _rita(https_client, app_world)
    assert _rows(_text(https_client.get("/app/contacts", query_string={"q": "jane"}))) == ["Jane Doe"]
    assert "Zed" not in _text(https_client.get("/app/contacts"))


def test_the_contact_list_pages_through_many_contacts(https_client: Any, services: ServiceContext,
                                                      app_world: AppWorld) -> None:
    w = app_world.world
    for i in range(30):
        directory.create_contact(services, w.admin, email=f"p{i:02d}@many.test", first_name="Pat",
                                 last_name=f"Many{i:02d}")
    _rita(https_client, app_world)
    first = _text(https_client.get("/app/contacts", query_string={"q": "many"}))
    second = _text(https_client.get("/app/contacts", query_string={"q": "many", "page": "2"}))
    assert len(_rows(first)) == 25 and len(_rows(second)) == 5
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert "26–30 of 30 contacts" in second and "Page 2 of 2" in second
    assert 'href="/app/contacts?q=many&amp;page=2"' in https_client.get(
        "/app/contacts", query_string={"q": "many"}).get_data(as_text=True)
    # A page past the last one shows the last one.
    assert _rows(_text(https_client.get("/app/contacts", query_string={"q": "many", "page": "9"}))) == _rows(second)


BAD_PAGES = [("a word", "two"), ("zero", "0"), ("a negative number", "-1"), ("an Arabic-Indic digit", "٢"),
             ("a number too long for any page", "9" * 40)]


@pytest.mark.parametrize("page", [p[1] for p in BAD_PAGES], ids=[p[0] for p in BAD_PAGES])
def test_a_bad_page_number_is_a_clear_4xx_in_the_apps_frame(https_client: Any, app_world: AppWorld,
                                                            page: str) -> None:
    _rita(https_client, app_world)
    response = https_client.get("/app/contacts", query_string={"page": page})
    assert response.status_code == 422
    assert 'class="topbar"' in _text(response) and "page number" in _text(response)


HOSTILE_QUERIES = [("only control characters", "\x01\x1b\x7f"),
                   ("a right-to-left override", "\u202ejane"), ("a very long text", "jane" * 5000),
                   ("SQL", "' OR 1=1 --"), ("a backslash", "\\")]


@pytest.mark.parametrize("query", [q[1] for q in HOSTILE_QUERIES], ids=[q[0] for q in HOSTILE_QUERIES])
def test_any_search_text_answers_a_page_never_an_error(https_client: Any, app_world: AppWorld, query: str) -> None:
    _rita(https_client, app_world)
    response = https_client.get("/app/contacts", query_string={"q": query})
    assert response.status_code == 200
    assert "\x00" not in response.get_data(as_text=True)


def test_a_contact_matching_by_several_addresses_and_its_company_is_listed_once(
        https_client: Any, app_world: AppWorld) -> None:
    _rita(https_client, app_world)
    html = _text(https_client.get("/app/contacts", query_string={"q": "jane.doe"}))
    assert _rows(html) == ["Jane Doe"] and "1–1 of 1 contact matching" in html


def test_search_text_is_cleaned_before_it_is_searched() -> None:
    assert clean_search("  jane\x00  doe\u202e ") == "jane doe"
    assert len(clean_search("x" * 1000)) == 200


def test_contact_list_service_reads_only_the_callers_account(services: ServiceContext, app_world: AppWorld) -> None:
    other = make_world(services, name="Initrode", domain="initrode.test")
    seen = contact_list(services, other.admin, query="jane")
    assert [c["email"] for c in seen["contacts"]] == ["jane.doe@globex-initrode.test"]


# --- errors inside the app's frame --------------------------------------------------------------

UNKNOWN = [
    ("an unknown tab of a sequence", "/app/sequences/{seq}/bogus"),
    ("an unknown page under /app", "/app/nowhere/at/all"),
    ("a sequence id that is no number", "/app/sequences/abc/enrollments"),
    ("a contact that does not exist", "/app/contacts/999999"),
    ("a contact id with a NUL", "/app/contacts/1%00"),
    ("a contact id in Arabic-Indic digits", "/app/contacts/%D9%A1"),
    ("a contact id with an escape character", "/app/contacts/1%1B%5B31m"),
]


@pytest.mark.parametrize("path", [u[1] for u in UNKNOWN], ids=[u[0] for u in UNKNOWN])
def test_an_unknown_app_address_is_a_styled_404_inside_the_frame(https_client: Any, app_world: AppWorld,
                                                                 path: str) -> None:
    _rita(https_client, app_world)
    response = https_client.get(path.format(seq=app_world.sequence_id))
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'class="topbar"' in html and "Rita Rep" in html and 'class="card error-page"' in html
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]", html)
    assert "\\x00" not in html and "\\x1b" not in html


def test_a_signed_out_visitor_at_an_unknown_address_signs_in_first(https_client: Any, app_world: AppWorld) -> None:
    response = https_client.get("/app/nowhere")
    assert response.status_code == 302 and "/app/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "redirect"),
    ("*/*", "json"), ("application/json", "json"), (None, "json")],
    ids=["a browser is sent to the app", "curl gets JSON", "an API client asking for JSON gets JSON",
         "no Accept header gets JSON"])
def test_the_root_leads_a_person_to_the_app_and_a_client_to_the_api(client: Any, accept: str | None,
                                                                    expected: str) -> None:
    response = client.get("/", headers={"Accept": accept} if accept else {})
    if expected == "redirect":
        assert response.status_code == 302 and response.headers["Location"].endswith("/app/")
    else:
        assert response.status_code == 200 and response.get_json()["app"].endswith("/app/")
        assert response.get_json()["api"].endswith("/api/v1/openapi.json")


def test_a_favicon_is_served(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")


# --- unenrolling from a stale page --------------------------------------------------------------


def _unenroll_form(page: Any, aw: AppWorld, ids: list[str], surface: str) -> str:
    response = page.post_from(f"/app/sequences/{aw.sequence_id}/enrollments",
                              f"/app/sequences/{aw.sequence_id}/unenroll",
                              {"enrollment_id": ids, "surface": surface, "tab": "enrollments"})
    assert response.status_code == 302
    return _text(page.client.get(response.headers["Location"]))


def test_a_stale_bulk_unenroll_says_nothing_was_changed(https_client: Any, services: ServiceContext,
                                                        app_world: AppWorld) -> None:
    page = _rita(https_client, app_world)
    enrollments.unenroll(services, app_world.world.admin, app_world.jane_enrollment)
    html = _unenroll_form(page, app_world, [app_world.jane_enrollment], "bulk")
    assert 'class="flash flash-warning"' in html and 'flash-success' not in html
    assert "1 contact had already left this sequence; nothing was changed." in html


def test_a_partly_stale_bulk_unenroll_says_which_part_was_changed(https_client: Any, services: ServiceContext,
                                                                  app_world: AppWorld) -> None:
    page = _rita(https_client, app_world)
    enrollments.unenroll(services, app_world.world.admin, app_world.jane_enrollment)
    html = _unenroll_form(page, app_world, [app_world.jane_enrollment, app_world.raj_enrollment], "bulk")
    assert "Unenrolled 1 contact; 1 contact had already left and was not changed." in html
    assert enrollments.get_enrollment(services, app_world.world.admin, app_world.raj_enrollment)["status"] == \
        "unenrolled"


@pytest.mark.parametrize("surface", ["sequence_summary", "scheduled_tab"])
def test_a_stale_row_unenroll_names_the_contact_and_changes_nothing(https_client: Any, services: ServiceContext,
                                                                    app_world: AppWorld, surface: str) -> None:
    page = _rita(https_client, app_world)
    before = enrollments.unenroll(services, app_world.world.admin, app_world.jane_enrollment)
    html = _unenroll_form(page, app_world, [app_world.jane_enrollment], surface)
    assert "Jane Doe had already left this sequence; nothing was changed." in html
    after = enrollments.get_enrollment(services, app_world.world.admin, app_world.jane_enrollment)
    assert (after["end_surface"], after["ended_at"]) == (before["end_surface"], before["ended_at"])


# --- names a screen reader can tell apart ---------------------------------------------------------


def test_every_row_button_is_named_after_its_contact_and_no_header_is_empty(
        https_client: Any, app_world: AppWorld) -> None:
    _rita(https_client, app_world)
    for tab in ("enrollments", "scheduled"):
        html = https_client.get(f"/app/sequences/{app_world.sequence_id}/{tab}").get_data(as_text=True)
        names = re.findall(r'>Unenroll<span class="visually-hidden"> ([^<]+)</span></button>', html)
        assert sorted(names) == ["Jane Doe", "Raj"], tab
        headers = re.findall(r"<th[^>]*>(.*?)</th>", html, flags=re.S)
        assert all(re.sub(r"<[^>]+>", "", h).strip() for h in headers), (tab, headers)


# --- the demo -----------------------------------------------------------------------------------


def test_the_demos_out_of_office_pause_is_still_paused_when_the_demo_starts(services: ServiceContext) -> None:
    demo = seed_demo(services)
    assert enrollments.resume_due_pauses(services) == 0
    alice = enrollments.get_enrollment(services, _demo_admin(services, demo.account_id), demo.enrollments["alice"])
    assert alice["status"] == "paused"
    figures = enrollments.performance(services, _demo_admin(services, demo.account_id), demo.sequences["follow"])
    assert figures["paused"] == 1


def _demo_admin(services: ServiceContext, account_id: int) -> Principal:
    return Principal(account_id=account_id, label="test", role="admin", kind="api_key")


def test_the_demo_banner_names_the_real_instance_path(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "demo.db"
    banner = _demo_banner("http://127.0.0.1:8160", "ssk_demo_x", "http://127.0.0.1:8260", db)
    assert f"SQLite at {db}" in banner and "./instance/demo.db" not in banner


@pytest.mark.parametrize(("field", "value"), [("page", "1\x00"), ("q", "jane\x00"), ("q", "\x00\x01\x1b")],
                         ids=["a NUL in the page number", "a NUL in the search", "a NUL among control characters"])
def test_a_nul_anywhere_is_refused_inside_the_apps_frame(https_client: Any, app_world: AppWorld, field: str,
                                                         value: str) -> None:
    """Text holding NUL is refused at the door on every surface (PostgreSQL cannot compare it); in the
    web app the refusal is a page of the app, never an echo of what was sent."""
    _rita(https_client, app_world)
    response = https_client.get("/app/contacts", query_string={field: value})
    assert response.status_code == 400
    assert 'class="topbar"' in _text(response) and "\x00" not in response.get_data(as_text=True)
