"""What an outside attack on the web app found, each answer a named case (through Flask's test client,
on SQLite and on PostgreSQL): searches in every alphabet, plain ids only, errors inside the app's
frame and in words, names isolated from the text around them, the demo's own reps only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from addin_server import create_app
from addin_server.db import tables as t
from addin_server.db.text import simple_lower
from addin_server.services import accounts, directory, enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.demo import DEMO_API_KEY
from tests.builders import make_world
from tests.web.app.conftest import CSRF, AppWorld, Browserless, plain, sign_in


def _rita(client: Any, aw: AppWorld) -> Browserless:
    return sign_in(client, aw.world.rep["id"], aw.world.account_id)


def _status(services: ServiceContext, aw: AppWorld, enrollment_id: str) -> str:
    return str(enrollments.get_enrollment(services, aw.world.admin, enrollment_id)["status"])


def _names(html: str) -> list[str]:
    body = html.split('<table class="grid stack" id="contacts">', 1)[-1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="Contact"><a href="/app/contacts/\d+">([^<]+)</a>', body)


# --- searches in every alphabet -------------------------------------------------------------------

PEOPLE = [("Иван", "Петров", "ivan@petrov.example"), ("Émilie", "Ölund", "emilie@olund.example"),
          ("Łukasz", "Świątek", "lukasz@swiatek.example"), ("Zoë", "Ångström", "zoe@angstrom.example"),
          ("İsmail", "Çelik", "ismail@celik.example")]

SEARCHES = [
    ("a Cyrillic name typed as written finds the contact", "Иван", ["Иван Петров"]),
    ("a Cyrillic name in lower case finds the contact", "иван", ["Иван Петров"]),
    ("a Cyrillic name in capitals finds the contact", "ПЕТРОВ", ["Иван Петров"]),
    ("an accented capital typed as written finds the contact", "Émilie", ["Émilie Ölund"]),
    ("an accented capital typed in lower case finds the contact", "émilie", ["Émilie Ölund"]),
    ("an umlaut capital finds the contact", "Ölund", ["Émilie Ölund"]),
    ("a Polish capital finds the contact", "Łukasz", ["Łukasz Świątek"]),
    ("a Polish name in capitals finds the contact", "ŚWIĄTEK", ["Łukasz Świątek"]),
    ("a full name with accents finds the contact", "Zoë Ångström", ["Zoë Ångström"]),
    ("a company with an accented capital finds everyone there", "Électricité", ["Émilie Ölund"]),
    ("a company typed in lower case finds everyone there", "électricité", ["Émilie Ölund"]),
    ("a Turkish dotted capital I typed as written finds the contact", "İsmail", ["İsmail Çelik"]),
    ("a Turkish name typed without the dot finds the contact", "ismail çelik", ["İsmail Çelik"]),
]


@pytest.fixture
def alphabets(services: ServiceContext, app_world: AppWorld) -> None:
    w = app_world.world
    company = directory.create_company(services, w.admin, name="Électricité de France", domains=["edf.example"])
    for first, last, email in PEOPLE:
        directory.create_contact(services, w.admin, email=email, first_name=first, last_name=last,
                                 company_id=company["id"] if first == "Émilie" else None)


@pytest.mark.parametrize(("query", "expected"), [s[1:] for s in SEARCHES], ids=[s[0] for s in SEARCHES])
def test_contact_search_ignores_case_in_every_alphabet(https_client: Any, app_world: AppWorld, alphabets: None,
                                                       query: str, expected: list[str]) -> None:
    _rita(https_client, app_world)
    response = https_client.get("/app/contacts", query_string={"q": query})
    assert response.status_code == 200
    assert _names(plain(response.get_data(as_text=True))) == expected


def test_sqlite_folds_case_letter_for_letter_like_postgresql() -> None:
    assert simple_lower("İsmail ÇELİK") == "ismail çelik"
    assert simple_lower("ÉMILIE Ölund ИВАН") == "émilie ölund иван"
    assert simple_lower(None) is None


# --- plain ids only ---------------------------------------------------------------------------------

NOT_PLAIN = [("Arabic-Indic digits", "\u0663\u0667"), ("fullwidth digits", "\uff13\uff18"),
             ("mathematical bold digits", "\U0001d7d1\U0001d7d6"), ("an underscore between digits", "3_7"),
             ("a plus sign", "+37"), ("a leading space", " 37"), ("a trailing newline", "37\n"),
             ("a single Arabic-Indic one", "\u0661")]


@pytest.mark.parametrize("raw", [n[1] for n in NOT_PLAIN], ids=[n[0] for n in NOT_PLAIN])
def test_the_bulk_unenroll_form_refuses_ids_that_are_not_plain_digits(
        https_client: Any, services: ServiceContext, app_world: AppWorld, raw: str) -> None:
    page = f"/app/sequences/{app_world.sequence_id}/enrollments"
    target = app_world.jane_enrollment
    ids = raw.replace("37", target) if "37" in raw else raw
    browser = _rita(https_client, app_world)
    response = browser.post_from(page, f"/app/sequences/{app_world.sequence_id}/unenroll",
                                 {"surface": "bulk", "enrollment_id": ids})
    html = plain(response.get_data(as_text=True))
    assert response.status_code == 422
    assert 'class="topbar"' in html and "Nothing was changed" in html
    message = re.search(r"<h1>Check the form</h1>\s*<p>(.*?)</p>", html, flags=re.S)
    assert message is not None and ids.strip() not in message.group(1)  # the error does not echo what was sent
    assert _status(services, app_world, target) == "active"


def test_a_row_unenroll_with_a_fullwidth_id_changes_nothing(https_client: Any, services: ServiceContext,
                                                           app_world: AppWorld) -> None:
    browser = _rita(https_client, app_world)
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in app_world.jane_enrollment)
    contact = app_world.world.contact["id"]
    response = browser.post_from(f"/app/contacts/{contact}", f"/app/contacts/{contact}/unenroll",
                                 {"enrollment_id": fullwidth})
    assert response.status_code == 422
    assert _status(services, app_world, app_world.jane_enrollment) == "active"


def test_the_settings_form_refuses_a_sequence_id_that_is_not_plain_digits(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    admin = sign_in(https_client, _super_admin(services, app_world), app_world.world.account_id)
    seq = app_world.sequence_id
    response = admin.post_from("/app/settings", "/app/settings", {
        "soft_bounce_threshold": "3", "sequence_listed": f"\u0660{seq}", "pause_on_out_of_office": f"\u0660{seq}"})
    assert response.status_code == 422


def _super_admin(services: ServiceContext, aw: AppWorld) -> int:
    with services.session() as s:
        found = s.scalar(select(t.User.id).where(t.User.account_id == aw.world.account_id,
                                                 t.User.role == "super_admin"))
    assert found is not None
    return found


# --- errors inside the app's frame ----------------------------------------------------------------

WRONG_METHODS = [
    ("posting to the contact list", "POST", "/app/contacts"),
    ("putting to a sequence's tab", "PUT", "/app/sequences/{seq}/enrollments"),
    ("posting to the scheduled tab", "POST", "/app/sequences/{seq}/scheduled"),
    ("patching the app's home", "PATCH", "/app/"),
]


@pytest.mark.parametrize(("method", "path"), [m[1:] for m in WRONG_METHODS], ids=[m[0] for m in WRONG_METHODS])
def test_a_wrong_method_on_an_app_page_is_a_405_inside_the_frame(https_client: Any, app_world: AppWorld,
                                                                 method: str, path: str) -> None:
    _rita(https_client, app_world)
    response = https_client.open(path.format(seq=app_world.sequence_id), method=method)
    html = response.get_data(as_text=True)
    assert response.status_code == 405
    assert response.mimetype == "text/html" and 'class="topbar"' in html and "Sign out" in html
    assert "GET" in response.headers["Allow"]
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_any_method_on_an_unknown_app_address_is_the_in_app_404(https_client: Any, app_world: AppWorld,
                                                                method: str) -> None:
    _rita(https_client, app_world)
    response = https_client.open("/app/bogus", method=method)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'class="topbar"' in html and "There is no page at this address" in html


def test_after_sign_in_a_next_that_climbs_out_of_the_app_lands_on_sequences(
        https_client: Any, app_world: AppWorld) -> None:
    redirect = https_client.get("/app/..%2f..%2fetc/passwd")
    assert redirect.status_code == 302
    _rita(https_client, app_world)
    response = https_client.get("/app/sign-in", query_string={"next": "/app/../../etc/passwd"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/app/sequences"
    kept = https_client.get("/app/sign-in", query_string={"next": "/app/contacts/../contacts?q=jane"})
    assert kept.headers["Location"] == "/app/contacts?q=jane"


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_the_root_says_its_answer_depends_on_accept(client: Any, accept: str) -> None:
    response = client.get("/", headers={"Accept": accept})
    assert "Accept" in response.headers.get("Vary", "")


# --- errors in words --------------------------------------------------------------------------------

WORDING = [
    ("a contact that does not exist", "/app/contacts/999999", "There is no contact at this address",
     "Back to contacts"),
    ("a sequence that does not exist", "/app/sequences/999999/enrollments", "There is no sequence at this address",
     "Back to sequences"),
    ("a page number that is not one", "/app/contacts?page=x", "The page number must be a whole number from 1.",
     "Back to contacts"),
]


@pytest.mark.parametrize(("path", "sentence", "back"), [w[1:] for w in WORDING], ids=[w[0] for w in WORDING])
def test_app_errors_are_sentences_with_the_way_back(https_client: Any, app_world: AppWorld, path: str,
                                                    sentence: str, back: str) -> None:
    _rita(https_client, app_world)
    html = plain(https_client.get(path).get_data(as_text=True))
    assert sentence in html and back in html
    assert "not found" not in html


def test_an_enrollment_of_no_sequence_is_refused_in_words(https_client: Any, services: ServiceContext,
                                                          app_world: AppWorld) -> None:
    browser = _rita(https_client, app_world)
    response = browser.post_from(f"/app/sequences/{app_world.sequence_id}/enrollments",
                                 f"/app/sequences/{app_world.sequence_id}/unenroll",
                                 {"surface": "bulk", "enrollment_id": [app_world.jane_enrollment, "999999"]})
    html = plain(response.get_data(as_text=True))
    assert response.status_code == 404
    assert "Some of the selected contacts are not enrolled in this sequence" in html and "999999" not in html
    assert _status(services, app_world, app_world.jane_enrollment) == "active"


@pytest.mark.parametrize("tab", ["enrollments", "scheduled"])
def test_a_bad_page_number_is_refused_on_the_tabs_as_on_the_contact_list(https_client: Any, app_world: AppWorld,
                                                                         tab: str) -> None:
    _rita(https_client, app_world)
    assert https_client.get(f"/app/sequences/{app_world.sequence_id}/{tab}?page=x").status_code == 422
    assert https_client.get("/app/contacts?page=x").status_code == 422


# --- what rows show ---------------------------------------------------------------------------------


def test_a_contact_without_a_company_shows_no_company_never_none(https_client: Any, services: ServiceContext,
                                                                 app_world: AppWorld) -> None:
    w = app_world.world
    solo = directory.create_contact(services, w.admin, email="solo@freelance.example", first_name="Sol",
                                    last_name="Solo")
    _rita(https_client, app_world)
    listing = plain(https_client.get("/app/contacts", query_string={"q": "Solo"}).get_data(as_text=True))
    record = plain(https_client.get(f"/app/contacts/{solo['id']}").get_data(as_text=True))
    for html in (listing, record):
        assert "No company" in html
        assert ">None<" not in html


def test_a_paused_row_on_the_scheduled_tab_can_be_unenrolled(https_client: Any, services: ServiceContext,
                                                             app_world: AppWorld) -> None:
    w = app_world.world
    enrollments.pause(services, w.admin, app_world.jane_enrollment, until=None)
    browser = _rita(https_client, app_world)
    page = f"/app/sequences/{app_world.sequence_id}/scheduled"
    html = plain(https_client.get(page).get_data(as_text=True))
    assert "Unenroll Jane Doe" in re.sub(r'<span class="visually-hidden">\s*', "", html).replace("</span>", "")
    response = browser.post_from(page, f"/app/sequences/{app_world.sequence_id}/unenroll",
                                 {"surface": "scheduled_tab", "tab": "scheduled",
                                  "enrollment_id": app_world.jane_enrollment})
    assert response.status_code == 302
    assert _status(services, app_world, app_world.jane_enrollment) == "unenrolled"


def test_a_right_to_left_override_in_a_name_cannot_reorder_the_page(https_client: Any, services: ServiceContext,
                                                                    app_world: AppWorld) -> None:
    w = app_world.world
    evil = directory.create_contact(services, w.admin, email="evil@rtl.example", first_name="evil", last_name="RTL")
    with services.session() as s:  # a row written before names were checked: the API now refuses it
        s.get_one(t.Contact, int(evil["id"])).first_name = "\u202eevil"
    enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=evil["id"],
                       sender_user_id=w.rep["id"], enrolled_by_user_id=w.rep["id"])
    _rita(https_client, app_world)
    html = https_client.get(f"/app/sequences/{app_world.sequence_id}/enrollments").get_data(as_text=True)
    assert "<bdi>\u202eevil RTL</bdi>" in html
    # The dialog's sentence is plain text: the name is isolated there with FSI ... PDI.
    assert 'data-confirm="Unenroll \u2068\u202eevil RTL\u2069 from \u2068Intro outreach\u2069?"' in html
    record = https_client.get(f"/app/contacts/{evil['id']}").get_data(as_text=True)
    assert "<h1><bdi>\u202eevil RTL</bdi></h1>" in record


# --- the demo's own reps only -----------------------------------------------------------------------


def test_the_demo_sign_in_offers_and_accepts_only_the_demo_accounts_reps(
        settings: Any, services: ServiceContext, app_world: AppWorld) -> None:
    other = make_world(services, name="Initech", domain="initech.test")
    accounts.install_api_key(services, app_world.world.account_id, DEMO_API_KEY, name="demo")
    client = create_app(settings.with_overrides(demo_mode=True, public_url="http://127.0.0.1"),
                        services=services).test_client()
    page = client.get("/app/sign-in").get_data(as_text=True)
    assert "rita@acme.test" in page and "rita@initech.test" not in page
    token = CSRF.search(page)
    assert token is not None
    refused = client.post("/app/sign-in/demo", data={"csrf_token": token.group(1), "email": "rita@initech.test",
                                                     "password": "demo"})
    assert refused.status_code == 401
    assert client.get("/app/sequences").status_code == 302  # still signed out
    assert other.account_id != app_world.world.account_id


# --- the answers above, attacked again --------------------------------------------------------------


def test_the_same_enrollment_twice_in_one_form_is_unenrolled_once(https_client: Any, services: ServiceContext,
                                                                 app_world: AppWorld) -> None:
    browser = _rita(https_client, app_world)
    page = f"/app/sequences/{app_world.sequence_id}/enrollments"
    response = browser.post_from(page, f"/app/sequences/{app_world.sequence_id}/unenroll",
                                 {"surface": "bulk", "enrollment_id": [app_world.jane_enrollment] * 2})
    assert response.status_code == 302
    assert "Unenrolled 1 contact." in plain(https_client.get(page).get_data(as_text=True))
    assert _status(services, app_world, app_world.raj_enrollment) == "active"


def test_another_accounts_sequence_is_not_found_and_changes_nothing(https_client: Any, services: ServiceContext,
                                                                    app_world: AppWorld) -> None:
    other = make_world(services, name="Initech", domain="initech.test")
    theirs = enrollments.enroll(services, other.admin, sequence_id=other.sequence["id"],
                                contact_id=other.contact["id"], sender_user_id=other.rep["id"],
                                enrolled_by_user_id=other.rep["id"])
    browser = _rita(https_client, app_world)
    response = browser.post_from("/app/sequences", f"/app/sequences/{other.sequence['id']}/unenroll",
                                 {"surface": "bulk", "enrollment_id": str(theirs["id"])})
    assert response.status_code == 404
    assert "There is no sequence at this address" in plain(response.get_data(as_text=True))
    assert enrollments.get_enrollment(services, other.admin, str(theirs["id"]))["status"] == "active"


def test_the_apps_address_without_its_slash_still_redirects(https_client: Any, app_world: AppWorld) -> None:
    _rita(https_client, app_world)
    assert https_client.get("/app").status_code in (301, 308)


def test_signed_out_a_post_to_a_page_asks_to_sign_in_inside_the_frame(https_client: Any, app_world: AppWorld) -> None:
    response = https_client.post(f"/app/sequences/{app_world.sequence_id}/unenroll",
                                 data={"enrollment_id": app_world.jane_enrollment})
    assert response.status_code in (400, 401)  # the CSRF check comes first for a form without a session
    assert 'class="topbar"' in response.get_data(as_text=True)
