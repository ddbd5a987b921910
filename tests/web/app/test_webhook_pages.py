"""Settings → Webhooks for admins: add, see the secret once, rotate, delete, deliveries, retry; reps are refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.auth.secrets_box import generate_encryption_key, secrets_box
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from addin_server.services.leases import claim_leased
from tests.builders import make_world
from tests.conftest import FakeClock
from tests.keyserver import KeyServer
from tests.web.app.conftest import AppWorld, Browserless, sign_in, super_admin_id

PAGE = "/app/settings/webhooks"
HOOK = "https://hooks.example.com/sidebar"


@pytest.fixture
def settings(database_url: str, key_servers: dict[str, KeyServer]) -> Settings:
    return Settings.from_env({}, database_url=database_url, public_url="https://sidebar.test",
                             secret_key="test-secret", demo_mode=False, mail_transport="local",
                             encryption_key=generate_encryption_key())


def _admin(client: Any, services: ServiceContext, aw: AppWorld) -> Browserless:
    return sign_in(client, super_admin_id(services, aw.world.account_id), aw.world.account_id)


def _endpoints(services: ServiceContext) -> int:
    with services.sessions() as s:
        return s.scalar(select(func.count()).select_from(t.WebhookEndpoint)) or 0


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(https_client: Any, services: ServiceContext,
                                                            app_world: AppWorld) -> None:
    browser = _admin(https_client, services, app_world)
    assert 'id="manage-webhooks"' in https_client.get("/app/settings").get_data(as_text=True)
    added = browser.post_from(PAGE, PAGE, {"url": HOOK, "events": ["enrollment.unenrolled", "enrollment.paused"],
                                           "description": "CRM"})
    assert added.status_code == 303 and added.headers["Location"] == PAGE + "?new_secret=1"  # no token in a URL
    shown = https_client.get(added.headers["Location"])
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="new-secret-value">whsec_' in html
    assert shown.headers["Cache-Control"] == "no-store"
    secret = html.split('id="new-secret-value">', 1)[1].split("<", 1)[0]
    again = https_client.get(PAGE).get_data(as_text=True)
    assert HOOK in again and secret not in again and "enrollment.unenrolled, enrollment.paused" in again
    with https_client.session_transaction() as session:
        assert secret not in repr(dict(session))


def test_an_admin_rotates_deletes_and_retries_from_the_pages(https_client: Any, services: ServiceContext,
                                                             app_world: AppWorld) -> None:
    browser = _admin(https_client, services, app_world)
    made = outgoing_webhooks.create_endpoint(services, app_world.world.admin, url=HOOK,
                                             events=["enrollment.unenrolled"])
    answer = browser.post_from(PAGE, f"{PAGE}/{made['id']}/rotate", {})
    assert answer.status_code == 303
    rotated = https_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "whsec_" in rotated and made["secret"] not in rotated and "previous secret also signs" in rotated

    enrollments.unenroll(services, app_world.world.admin, app_world.jane_enrollment)
    outgoing_webhooks.deliver_due_webhooks(services, "w")  # hooks.example.com is unreachable from the tests
    log_page = f"{PAGE}/{made['id']}/deliveries"
    html = https_client.get(log_page).get_data(as_text=True)
    assert "enrollment.unenrolled" in html and "Pending" in html and "refused:" in html
    [delivery] = outgoing_webhooks.list_deliveries(services, app_world.world.admin, made["id"])["deliveries"]
    retried = browser.post_from(log_page, f"{log_page}/{delivery['id']}/retry", {})
    assert retried.status_code == 302

    deleted = browser.post_from(PAGE, f"{PAGE}/{made['id']}/delete", {})
    assert deleted.status_code == 302 and _endpoints(services) == 0


def test_a_delivery_being_sent_shows_sending_now_and_offers_no_retry(https_client: Any, services: ServiceContext,
                                                                   app_world: AppWorld) -> None:
    browser = _admin(https_client, services, app_world)
    made = outgoing_webhooks.create_endpoint(services, app_world.world.admin, url=HOOK,
                                             events=["enrollment.unenrolled"])
    enrollments.unenroll(services, app_world.world.admin, app_world.jane_enrollment)
    outgoing_webhooks.publish_pending_events(services)
    [delivery] = outgoing_webhooks.list_deliveries(services, app_world.world.admin, made["id"])["deliveries"]
    with services.session() as s:  # a worker takes it, as a lane does before posting
        claim_leased(s, t.WebhookDelivery, "worker-1", services.now(), limit=1, lease_seconds=60)
    log_page = f"{PAGE}/{made['id']}/deliveries"
    html = https_client.get(log_page).get_data(as_text=True)
    assert "Sending now" in html and "Retry now" not in html
    retried = browser.post_from(log_page, f"{log_page}/{delivery['id']}/retry", {})  # a page open from before
    assert retried.status_code == 302
    assert "being sent now" in https_client.get(retried.headers["Location"]).get_data(as_text=True)


def test_a_refused_url_is_explained_and_nothing_is_added(https_client: Any, services: ServiceContext,
                                                         app_world: AppWorld) -> None:
    browser = _admin(https_client, services, app_world)
    answer = browser.post_from(PAGE, PAGE, {"url": "https://169.254.169.254/", "events": ["enrollment.unenrolled"]})
    assert answer.status_code == 302 and _endpoints(services) == 0
    assert "link-local" in https_client.get(PAGE).get_data(as_text=True)


def test_a_disabled_endpoint_is_announced_on_settings(https_client: Any, services: ServiceContext,
                                                      app_world: AppWorld) -> None:
    _admin(https_client, services, app_world)
    made = outgoing_webhooks.create_endpoint(services, app_world.world.admin, url=HOOK,
                                             events=["enrollment.unenrolled"])
    with services.session() as s:
        ep = s.get_one(t.WebhookEndpoint, int(made["id"]))
        ep.status, ep.disabled_reason = "disabled", "every delivery failed for a day"
    html = https_client.get("/app/settings").get_data(as_text=True)
    assert f"Webhook endpoint {HOOK} is disabled: every delivery failed for a day" in html


def test_a_rep_who_is_not_an_admin_can_neither_see_nor_change_webhooks(https_client: Any, services: ServiceContext,
                                                                       app_world: AppWorld) -> None:
    made = outgoing_webhooks.create_endpoint(services, app_world.world.admin, url=HOOK,
                                             events=["enrollment.unenrolled"])
    browser = sign_in(https_client, app_world.world.rep["id"], app_world.world.account_id)
    assert 'id="manage-webhooks"' not in https_client.get("/app/settings").get_data(as_text=True)
    assert https_client.get(PAGE).status_code == 403
    assert https_client.get(f"{PAGE}/{made['id']}/deliveries").status_code == 403
    token = browser.token("/app/settings")
    for action in (PAGE, f"{PAGE}/{made['id']}/rotate", f"{PAGE}/{made['id']}/delete",
                   f"{PAGE}/{made['id']}/enable"):
        answer = https_client.post(action, data={"csrf_token": token, "url": HOOK, "events": ["enrollment.paused"]})
        assert answer.status_code == 403
    assert _endpoints(services) == 1
    assert outgoing_webhooks.get_endpoint(services, app_world.world.admin, made["id"])["url"] == HOOK


def test_a_form_without_its_csrf_token_adds_nothing(https_client: Any, services: ServiceContext,
                                                    app_world: AppWorld) -> None:
    _admin(https_client, services, app_world)
    assert https_client.post(PAGE, data={"url": HOOK, "events": ["enrollment.paused"]}).status_code == 400
    assert _endpoints(services) == 0


def _secret_in(html: str) -> str | None:
    return html.split('id="new-secret-value">', 1)[1].split("<", 1)[0] if 'id="new-secret-value">' in html else None


def test_reloading_after_adding_an_endpoint_adds_no_second_one_and_shows_the_secret_no_more(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    browser = _admin(https_client, services, app_world)
    added = browser.post_from(PAGE, PAGE, {"url": HOOK, "events": ["enrollment.unenrolled"]})
    first = https_client.get(added.headers["Location"])
    secret = _secret_in(first.get_data(as_text=True))
    assert secret and secret.startswith("whsec_")
    reload = https_client.get(added.headers["Location"])  # the browser's reload is a GET after the redirect
    assert reload.status_code == 302 and _endpoints(services) == 1
    page = https_client.get(PAGE).get_data(as_text=True)
    assert secret not in page and "already shown once" in page


def test_the_same_form_sent_twice_makes_one_endpoint(https_client: Any, services: ServiceContext,
                                                     app_world: AppWorld) -> None:
    browser = _admin(https_client, services, app_world)
    form = {"url": HOOK, "events": ["enrollment.unenrolled"]}
    browser.post_from(PAGE, PAGE, form)
    second = browser.post_from(PAGE, PAGE, form)  # a double click, or Back and send again
    assert second.status_code == 302 and _endpoints(services) == 1
    assert "added moments ago" in https_client.get(PAGE).get_data(as_text=True)


def test_a_reveal_link_works_for_no_other_account_and_not_after_it_expires(
        https_client: Any, services: ServiceContext, app_world: AppWorld, clock: FakeClock) -> None:
    made = outgoing_webhooks.create_endpoint(services, app_world.world.admin, url=HOOK,
                                             events=["enrollment.unenrolled"], reveal=True)
    other = make_world(services, name="Initech", domain="initech.test")
    assert outgoing_webhooks.reveal_secret(services, other.admin, made["reveal"]) is None
    clock.advance(minutes=11)
    assert outgoing_webhooks.reveal_secret(services, app_world.world.admin, made["reveal"]) is None
    assert outgoing_webhooks.reveal_secret(services, app_world.world.admin, "x" * 5000) is None


def test_reloading_after_a_rotation_does_not_rotate_again(https_client: Any, services: ServiceContext,
                                                          app_world: AppWorld) -> None:
    browser = _admin(https_client, services, app_world)
    made = outgoing_webhooks.create_endpoint(services, app_world.world.admin, url=HOOK,
                                             events=["enrollment.unenrolled"])
    answer = browser.post_from(PAGE, f"{PAGE}/{made['id']}/rotate", {})
    new_secret = _secret_in(https_client.get(answer.headers["Location"]).get_data(as_text=True))
    again = browser.post_from(PAGE, f"{PAGE}/{made['id']}/rotate", {})  # sent again within the grace
    assert again.status_code == 302
    assert "rotated recently" in https_client.get(PAGE).get_data(as_text=True)
    with services.sessions() as s:
        ep = s.get_one(t.WebhookEndpoint, int(made["id"]))
        assert secrets_box(services.settings).decrypt(ep.secret_encrypted) == new_secret


def test_the_new_secret_is_shown_to_the_session_that_made_it_not_to_another_admin_first(
        app: Any, https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    """Another admin opening the address the maker is redirected to, before the maker does, sees no
    secret and does not use the reveal up (nor can the access log hold it); the maker sees it once."""
    maker = _admin(https_client, services, app_world)
    added = maker.post_from(PAGE, PAGE, {"url": HOOK, "events": ["enrollment.unenrolled"]})
    other_client = app.test_client()
    _admin(other_client, services, app_world)
    elsewhere = other_client.get(added.headers["Location"])  # the address the maker is sent to
    assert "whsec_" not in elsewhere.get_data(as_text=True)
    assert "whsec_" not in other_client.get(PAGE).get_data(as_text=True)
    shown = https_client.get(added.headers["Location"]).get_data(as_text=True)
    assert 'id="new-secret-value">whsec_' in shown
    assert "whsec_" not in https_client.get(PAGE).get_data(as_text=True)


def test_a_reveal_token_in_a_url_shows_no_secret_to_anyone_and_does_not_use_it_up(
        https_client: Any, services: ServiceContext, app_world: AppWorld) -> None:
    made = outgoing_webhooks.create_endpoint(services, app_world.world.admin, url=HOOK,
                                             events=["enrollment.unenrolled"], reveal=True)
    sign_in(https_client, app_world.world.rep["id"], app_world.world.account_id)
    answer = https_client.get(f"{PAGE}?reveal={made['reveal']}")
    assert answer.status_code == 403 and made["secret"] not in answer.get_data(as_text=True)
    _admin(https_client, services, app_world)
    assert made["secret"] not in https_client.get(f"{PAGE}?reveal={made['reveal']}").get_data(as_text=True)
    assert outgoing_webhooks.reveal_secret(services, app_world.world.admin, made["reveal"]) is not None


def test_an_odd_reveal_parameter_shows_no_secret_and_no_error(https_client: Any, services: ServiceContext,
                                                              app_world: AppWorld) -> None:
    outgoing_webhooks.create_endpoint(services, app_world.world.admin, url=HOOK, events=["enrollment.unenrolled"],
                                      reveal=True)
    _admin(https_client, services, app_world)
    for odd in ("x" * 5000, "%FF%FE", "' OR 1=1 --", "é"):
        for name in ("reveal", "new_secret"):
            answer = https_client.get(PAGE, query_string={name: odd})
            assert answer.status_code in (200, 302) and "whsec_" not in answer.get_data(as_text=True)
        assert "whsec_" not in https_client.get(PAGE).get_data(as_text=True)
