"""GET /dev/gmail-preview: the cards drawn as Gmail draws them, with working buttons, in demo mode only."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from addin_server import create_app
from addin_server.services import accounts, enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.demo import DEMO_API_KEY
from tests.browser import browser_page, live_server, screenshot


@pytest.mark.parametrize(("method", "path"), [
    pytest.param("get", "/dev/gmail-preview", id="the preview page does not exist outside demo mode"),
    pytest.param("post", "/dev/gmail-preview", id="the preview's buttons do not exist outside demo mode"),
])
def test_the_preview_exists_only_in_demo_mode(client: Any, world: Any, method: str, path: str) -> None:
    assert getattr(client, method)(path, data={"rep": "rita@acme.test"}).status_code == 404


@pytest.fixture
def demo_app(settings: Any, services: ServiceContext, world: Any) -> Any:
    """Demo mode with the world as the seeded demo account (the preview acts as its reps only)."""
    accounts.install_api_key(services, world.account_id, DEMO_API_KEY, name="demo")
    demo = settings.with_overrides(demo_mode=True)
    services.settings = demo
    application = create_app(demo, services=services)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def demo_client(demo_app: Any) -> Iterator[Any]:
    yield demo_app.test_client()


CONTEXT = {"rep": "rita@acme.test", "view": "compose", "to": "jane.doe@globex-acme.test, raj@globex-acme.test",
           "cc": "stranger@elsewhere.example", "bcc": "", "sender": "", "time_zone": "Europe/Paris"}


def _forms(page: str) -> list[dict[str, str]]:
    """The hidden fields of each action button on the page (function and parameters)."""
    found = []
    for form in re.findall(r'<form method="post".*?</form>', page, flags=re.S):
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
        label = re.search(r'data-action="(\w*)">([^<]*)</button>', form)
        fields["label"] = label.group(2) if label else ""
        found.append({k: _unescape(v) for k, v in fields.items()})
    return found


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def test_the_preview_draws_the_compose_card(demo_client: Any, enrolled: dict[str, Any]) -> None:
    response = demo_client.get("/dev/gmail-preview", query_string=CONTEXT)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Recipients in sequences" in page and "Jane Doe" in page and "Intro outreach" in page
    assert "Not in a sequence" in page and "Not a contact in Sequence Sidebar" in page
    assert [f["label"] for f in _forms(page)] == ["Unenroll from sequence", "Refresh"]


def test_the_preview_buttons_confirm_then_unenroll_from_the_gmail_addon(
        demo_client: Any, services: Any, world: Any, enrolled: dict[str, Any]) -> None:
    page = demo_client.get("/dev/gmail-preview", query_string=CONTEXT).get_data(as_text=True)
    [unenroll, _] = _forms(page)

    confirm = demo_client.post("/dev/gmail-preview", data=unenroll).get_data(as_text=True)
    assert "Unenroll from sequence?" in confirm
    confirm_button = next(f for f in _forms(confirm) if f["label"] == "Unenroll")
    assert json.loads(confirm_button["parameters"])["enrollment_id"] == enrolled["id"]

    done = demo_client.post("/dev/gmail-preview", data=confirm_button).get_data(as_text=True)
    assert "Unenrolled Jane Doe from Intro outreach" in done
    assert "Enrolled in" not in done
    ended = enrollments.get_enrollment(services, world.admin, enrolled["id"])
    assert (ended["status"], ended["end_surface"], ended["end_actor"]) == (
        "unenrolled", "gmail_addon", "user:rita@acme.test")


def test_cancel_in_the_preview_goes_back_to_the_recipients(demo_client: Any, enrolled: dict[str, Any]) -> None:
    page = demo_client.get("/dev/gmail-preview", query_string=CONTEXT).get_data(as_text=True)
    confirm = demo_client.post("/dev/gmail-preview", data=_forms(page)[0]).get_data(as_text=True)
    cancel = next(f for f in _forms(confirm) if f["label"] == "Cancel")
    back = demo_client.post("/dev/gmail-preview", data=cancel).get_data(as_text=True)
    assert "Recipients in sequences" in back and "Enrolled in" in back


@pytest.mark.parametrize(("view", "expected"), [
    pytest.param("message", "People on this message", id="the preview shows the opened-message card"),
    pytest.param("homepage", "Recent automatic unenrollments", id="the preview shows the homepage card"),
])
def test_the_preview_shows_every_view(demo_client: Any, enrolled: dict[str, Any], view: str, expected: str) -> None:
    context = {**CONTEXT, "view": view, "sender": "Jane Doe <jane.doe@globex-acme.test>"}
    page = demo_client.get("/dev/gmail-preview", query_string=context).get_data(as_text=True)
    assert expected in page


def test_an_unknown_rep_in_the_preview_sees_the_not_connected_card(demo_client: Any, world: Any) -> None:
    page = demo_client.get("/dev/gmail-preview", query_string={**CONTEXT, "rep": "nobody@x.example"})
    assert "Not connected to Sequence Sidebar" in page.get_data(as_text=True)


def test_another_accounts_invitation_of_the_same_address_does_not_lock_the_rep_out_of_the_preview(
        demo_client: Any, services: Any, world: Any) -> None:
    """The preview follows sign-in: an unbound address invited in two accounts is the one with a
    proven member on its company domain, not nobody."""
    from addin_server.services import accounts, directory
    from addin_server.services.context import Principal

    clean = accounts.create_account(services, name="Clean", plan="enterprise", admin_email="boss@clean.example")
    for account_id, name in ((world.account_id, "Real Sales1"), (clean.account_id, "Shadow")):
        directory.create_user(services, Principal.for_api_key(account_id, "k", "admin"),
                              email="sales1@acme.test", name=name, role="user", mailbox_provider="gmail",
                              mailbox_address=None)
    page = demo_client.get("/dev/gmail-preview", query_string={**CONTEXT, "rep": "sales1@acme.test",
                                                                "view": "homepage"}).get_data(as_text=True)
    assert "Not connected to Sequence Sidebar" not in page and "Sequence Sidebar" in page


def test_the_preview_refuses_a_rep_whose_domain_another_accounts_workspace_holds_as_gmail_does(
        demo_client: Any, services: Any, world: Any) -> None:
    """A consumer Google sign-in (the emulator's, no hd) at a domain linked to another account is
    nobody, in the preview as in the add-on."""
    from addin_server.db import tables as t
    from addin_server.services import accounts

    other = accounts.create_account(services, name="Other", plan="enterprise", admin_email="boss@other.example")
    with services.session() as s:  # as an operator's link would leave it (the command now refuses this one)
        s.add(t.AccountTenant(account_id=other.account_id, tenant_id="acme.test", provider="google",
                              linked_by="accounts_link_tenant", linked_at=services.now()))
    page = demo_client.get("/dev/gmail-preview", query_string={**CONTEXT, "view": "homepage"})
    assert "Not connected to Sequence Sidebar" in page.get_data(as_text=True)


def test_the_preview_acts_only_as_reps_of_the_seeded_demo_account(demo_client: Any, services: Any,
                                                                  world: Any) -> None:
    """Accounts made with `accounts create` in a demo instance are real: the preview is none of their people."""
    other = accounts.create_account(services, name="Shadow", plan="enterprise", admin_email="boss@shadow.example")
    assert other.account_id != world.account_id
    page = demo_client.get("/dev/gmail-preview", query_string={**CONTEXT, "rep": "boss@shadow.example",
                                                                "view": "homepage"}).get_data(as_text=True)
    assert "Not connected to Sequence Sidebar" in page and "(boss@shadow.example)</option>" not in page


def test_hostile_names_in_the_preview_are_text(demo_client: Any, services: Any, world: Any) -> None:
    from addin_server.services import directory

    directory.create_contact(services, world.admin, email="evil@hostile.example",
                             first_name="<script>alert(1)</script><b>", last_name="<img src=x onerror=alert(2)>")
    page = demo_client.get("/dev/gmail-preview", query_string={**CONTEXT, "to": "evil@hostile.example"})
    text = page.get_data(as_text=True)
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.browser
def test_the_preview_in_a_browser_unenrolls_with_two_clicks(demo_app: Any, services: Any, world: Any,
                                                            enrolled: dict[str, Any]) -> None:
    from urllib.parse import urlencode

    from playwright.sync_api import expect

    with live_server(demo_app) as base, browser_page({"width": 1280, "height": 860}) as page:
        page.goto(f"{base}/dev/gmail-preview?{urlencode(CONTEXT)}")
        panel = page.locator("aside.panel")
        assert "Enrolled in" in panel.inner_text()
        screenshot(page, "gmail-preview-compose")
        # Each button posts a form: wait for the next page's words, not the panel that is going away.
        panel.get_by_role("button", name="Unenroll from sequence").click()
        expect(panel).to_contain_text("Unenroll from sequence?", timeout=30_000)
        screenshot(page, "gmail-preview-confirm")
        panel.get_by_role("button", name="Unenroll", exact=True).click()
        expect(page.locator(".toast")).to_contain_text("Unenrolled Jane Doe from Intro outreach", timeout=30_000)
        screenshot(page, "gmail-preview-unenrolled")
    assert enrollments.get_enrollment(services, world.admin, enrolled["id"])["end_surface"] == "gmail_addon"
