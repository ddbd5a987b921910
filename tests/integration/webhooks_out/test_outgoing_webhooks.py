"""Outgoing webhooks end to end: enrollment changes reach an integrator's receiver, which verifies
every delivery with the `standardwebhooks` library; retries, outages, rotation, SSRF refusals."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from addin_emulator.tls import make_tls_files
from addin_server.db import tables as t
from addin_server.domain.model import EndOfEnrollment, Surface, UnenrollReason
from addin_server.mail.message import InboundMessage
from addin_server.providers.webhook_http import WebhookPoster
from addin_server.services import enrollments, outgoing_webhooks, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Forbidden, Invalid
from addin_server.services.inbound import apply_inbound_message
from addin_server.services.sequences import StepInput
from addin_server.worker.loop import start_in_thread
from tests.builders import World, make_world
from tests.conftest import FakeClock
from tests.integration.webhooks_out.support import (
    ALL_EVENTS,
    deliver,
    deliveries,
    enroll,
    stored_earlier,
    subscribe,
)
from tests.webhook_receiver import WebhookReceiver

INBOUND = Path(__file__).resolve().parents[2] / "fixtures" / "inbound"


def reply_to(services: ServiceContext, w: World, enrollment_id: str) -> None:
    """The contact answers the sequence email: the inbound pipeline ends the enrollment (replied)."""
    with services.session() as s:
        message_id = s.scalars(select(t.SequenceEmail.rfc_message_id).where(
            t.SequenceEmail.enrollment_id == int(enrollment_id))).first()
    text = (INBOUND / "human_reply.eml").read_text()
    for key, value in {"sender": w.contact["email"], "mailbox": w.rep["mailbox_address"],
                       "in_reply_to": str(message_id), "n": "1", "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        text = text.replace("{" + key + "}", value)
    apply_inbound_message(services, provider="gmail", mailbox_address=w.rep["mailbox_address"],
                          provider_message_id=f"reply-{enrollment_id}",
                          message=InboundMessage.from_bytes(text.replace("\n", "\r\n").encode()))


def test_every_announced_change_reaches_the_receiver_verified(services: ServiceContext, world: World,
                                                              receiver: WebhookReceiver, clock: FakeClock) -> None:
    subscribe(services, world, receiver)
    e = enroll(services, world)
    reply_to(services, world, e["id"])
    again = enrollments.undo_unenrollment(services, world.admin, e["id"], why="it was an auto-reply")
    enrollments.pause(services, world.admin, again["id"], until=None)
    enrollments.resume(services, world.admin, again["id"])
    enrollments.unenroll(services, world.admin, again["id"], surface="api")
    short = sequences.create_sequence(services, world.admin, name="One step", owner_user_id=world.rep["id"],
                                      steps=[StepInput("task", 0, "Call", "")])
    enrollments.enroll(services, world.admin, sequence_id=short["id"], contact_id=world.colleague["id"],
                       sender_user_id=world.rep["id"])

    assert deliver(services) == {"delivered": 6}

    assert receiver.rejected == []
    assert [r.payload["type"] for r in receiver.received] == [
        "enrollment.unenrolled", "enrollment.undone", "enrollment.paused", "enrollment.resumed",
        "enrollment.unenrolled", "enrollment.finished"]
    replied = receiver.received[0].payload
    assert set(replied) == {"type", "timestamp", "data"}
    assert replied["data"]["enrollment_id"] == e["id"] and replied["data"]["reason"] == "replied"
    assert replied["data"]["surface"] == "automatic" and replied["data"]["actor"] == "system"
    assert replied["data"]["evidence"]["matched_by"] == "In-Reply-To"
    assert replied["data"]["evidence"]["matched_by_code"] == "in_reply_to"
    assert replied["data"]["contact_email"] == world.contact["email"]
    manual = receiver.received[4].payload["data"]
    assert (manual["reason"], manual["surface"], manual["actor"]) == ("manual", "api", world.admin.actor)
    undone = receiver.received[1].payload["data"]
    assert undone["continued_as"] == again["id"] and undone["why"] == "it was an auto-reply"
    assert receiver.received[5].payload["data"]["reason"] == "completed"
    assert all(r.headers["webhook-id"].startswith("msg_") for r in receiver.received)
    assert len(set(receiver.ids())) == 6
    assert deliver(services) == {}  # nothing is sent twice


def test_events_of_an_unsubscribed_type_are_not_sent(services: ServiceContext, world: World,
                                                     receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver, events=["enrollment.unenrolled"])
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    enrollments.unenroll(services, world.admin, e["id"])
    deliver(services)
    assert [r.payload["type"] for r in receiver.received] == ["enrollment.unenrolled"]


def test_a_rolled_back_change_announces_nothing(services: ServiceContext, world: World,
                                                receiver: WebhookReceiver, clock: FakeClock) -> None:
    subscribe(services, world, receiver)
    e = enroll(services, world)
    with pytest.raises(RuntimeError), services.session() as s:
        enrollments.end_enrollment(s, int(e["id"]), EndOfEnrollment(UnenrollReason.MANUAL, Surface.API, "x"),
                                   clock())
        raise RuntimeError("the rest of the use case failed")
    deliver(services)
    assert receiver.received == [] and deliveries(services) == []
    assert enrollments.get_enrollment(services, world.admin, e["id"])["status"] == "active"


def test_a_committed_change_is_announced_even_when_the_worker_runs_much_later(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    subscribe(services, world, receiver)
    e = enroll(services, world)
    enrollments.unenroll(services, world.admin, e["id"])
    clock.advance(days=3)  # the worker was down for three days
    assert deliver(services) == {"delivered": 1}


def test_a_receiver_down_for_an_hour_gets_every_event_afterwards_once_per_id(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    subscribe(services, world, receiver)
    receiver.stop()
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    enrollments.resume(services, world.admin, e["id"])
    enrollments.unenroll(services, world.admin, e["id"])
    for _ in range(60):  # an hour of worker passes, one a minute, against a closed port
        deliver(services)
        clock.advance(minutes=1)
    down = deliveries(services)
    assert len(down) == 3 and all(d.status == "pending" and d.attempts >= 3 for d in down)
    ids_while_down = [d.message_id for d in down]

    receiver.start()
    for _ in range(12 * 5):  # five hours of passes, one every five minutes: longer than any backoff
        deliver(services)
        clock.advance(minutes=5)

    assert sorted(receiver.ids()) == sorted(ids_while_down)
    assert Counter(receiver.ids()).most_common(1)[0][1] == 1
    assert receiver.rejected == []
    assert {d.status for d in deliveries(services)} == {"delivered"}


def test_a_delivery_that_fails_is_retried_with_the_same_id_and_body(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    subscribe(services, world, receiver)
    receiver.mode = "error"
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services) == {"retrying": 1}
    first = deliveries(services)[0]
    assert (first.attempts, first.last_status_code, first.last_error) == (1, 500, "answered 500")
    assert deliver(services) == {}  # not due yet: backoff
    receiver.mode = "up"
    clock.advance(seconds=30)
    assert deliver(services) == {"delivered": 1}
    assert receiver.ids() == [first.message_id]
    assert receiver.received[0].payload == json.loads(first.body)


def test_a_failing_receiver_does_not_hold_up_its_other_deliveries_past_one_attempt(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    receiver.mode = "error"
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    enrollments.resume(services, world.admin, e["id"])
    assert deliver(services) == {"retrying": 1, "postponed": 1}
    assert receiver.requests == 1


def test_an_endpoint_failing_for_a_day_is_disabled_and_the_admins_see_it(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    made = subscribe(services, world, receiver)
    receiver.mode = "error"
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    for _ in range(26 * 4):
        deliver(services)
        clock.advance(minutes=15)
    got = outgoing_webhooks.get_endpoint(services, world.admin, made["id"])
    assert got["status"] == "disabled" and "failed for a day" in got["disabled_reason"]
    assert [ep["id"] for ep in outgoing_webhooks.disabled_endpoints(services, world.admin)] == [made["id"]]
    assert deliveries(services)[0].status == "failed"

    # Disabled: new events wait instead of being attempted.
    e2 = enroll(services, world, world.colleague)
    enrollments.unenroll(services, world.admin, e2["id"])
    requests_before = receiver.requests
    deliver(services)
    assert receiver.requests == requests_before

    receiver.mode = "up"
    assert outgoing_webhooks.enable_endpoint(services, world.admin, made["id"])["status"] == "active"
    # What waited is sent: the new event, and the one that ran out of retries and disabled it.
    assert deliver(services) == {"delivered": 2}
    assert outgoing_webhooks.disabled_endpoints(services, world.admin) == []


def test_a_rotated_secret_keeps_verifying_for_the_grace_period_beside_the_new_one(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    made = subscribe(services, world, receiver)
    old_secret = made["secret"]
    rotated = outgoing_webhooks.rotate_secret(services, world.admin, made["id"])
    assert rotated["secret"] != old_secret and rotated["secret"].startswith("whsec_")
    assert rotated["previous_secret_expires_at"] is not None

    receiver.secrets = [old_secret]  # a receiver that has not switched yet
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    deliver(services)
    assert len(receiver.received) == 1
    assert len(receiver.received[0].headers["webhook-signature"].split(" ")) == 2

    receiver.secrets = [rotated["secret"]]  # the switched receiver verifies the same kind of message
    enrollments.resume(services, world.admin, e["id"])
    deliver(services)
    assert len(receiver.received) == 2

    clock.advance(hours=25)  # grace over: only the new secret signs
    receiver.secrets = [old_secret]
    enrollments.unenroll(services, world.admin, e["id"])
    deliver(services)
    assert len(receiver.received) == 2 and len(receiver.rejected) == 1
    assert outgoing_webhooks.get_endpoint(services, world.admin, made["id"])["previous_secret_expires_at"] is None


def test_a_redirect_is_not_followed(services: ServiceContext, world: World, receiver: WebhookReceiver,
                                    clock: FakeClock) -> None:
    subscribe(services, world, receiver)
    with WebhookReceiver() as elsewhere:
        receiver.mode, receiver.redirect_to = "redirect", elsewhere.url
        enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
        assert deliver(services) == {"retrying": 1}
        assert elsewhere.requests == 0
    d = deliveries(services)[0]
    assert d.last_status_code == 302 and "redirects are not followed" in (d.last_error or "")


def test_the_secret_is_stored_encrypted(services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    made = subscribe(services, world, receiver)
    with services.sessions() as s:
        stored = s.scalar(select(t.WebhookEndpoint.secret_encrypted))
    assert stored and made["secret"] not in stored and made["secret"].removeprefix("whsec_") not in stored
    assert "secret" not in outgoing_webhooks.get_endpoint(services, world.admin, made["id"])


def test_only_admins_and_api_keys_manage_endpoints(services: ServiceContext, world: World,
                                                   receiver: WebhookReceiver) -> None:
    made = subscribe(services, world, receiver)
    rep = Principal(account_id=world.account_id, label="user:rita", user_id=int(world.rep["id"]), role="user")
    calls = [
        lambda: outgoing_webhooks.create_endpoint(services, rep, url=receiver.url, events=ALL_EVENTS),
        lambda: outgoing_webhooks.list_endpoints(services, rep),
        lambda: outgoing_webhooks.get_endpoint(services, rep, made["id"]),
        lambda: outgoing_webhooks.rotate_secret(services, rep, made["id"]),
        lambda: outgoing_webhooks.enable_endpoint(services, rep, made["id"]),
        lambda: outgoing_webhooks.list_deliveries(services, rep, made["id"]),
        lambda: outgoing_webhooks.delete_endpoint(services, rep, made["id"]),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call()
    assert outgoing_webhooks.disabled_endpoints(services, rep) == []
    assert len(outgoing_webhooks.list_endpoints(services, world.admin)) == 1


def test_another_accounts_events_never_reach_an_endpoint(services: ServiceContext, world: World,
                                                         receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    other = make_world(services, name="Initech", domain="initech.test")
    enrollments.unenroll(services, other.admin, enroll(services, other)["id"])
    deliver(services)
    assert receiver.received == [] and deliveries(services) == []


def test_an_event_published_twice_makes_one_delivery_per_endpoint(services: ServiceContext, world: World,
                                                                   receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert outgoing_webhooks.publish_pending_events(services) == 1
    with services.session() as s:  # as when two workers read the same pending event on SQLite
        s.execute(update(t.EnrollmentEvent).values(webhook_pending=True))
    outgoing_webhooks.publish_pending_events(services)
    assert len(deliveries(services)) == 1
    deliver(services)
    assert len(receiver.received) == 1


def test_the_receivers_answer_is_kept_in_the_delivery_log(services: ServiceContext, world: World,
                                                          receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    receiver.mode, receiver.error_body = "error", b"<h1>Internal\n error</h1> " + b"x" * 5000
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    deliver(services)
    error = deliveries(services)[0].last_error or ""
    assert error.startswith("answered 500: <h1>Internal error</h1>") and len(error) < 400


def test_a_receiver_that_trickles_its_answer_is_cut_off(services: ServiceContext, world: World,
                                                        receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    receiver.mode, receiver.slow_seconds = "slow", 0.3
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    poster = WebhookPoster(allow_private=True, connect_seconds=0.5, read_seconds=0.5)
    started = time.monotonic()
    assert deliver(services, poster=poster) == {"retrying": 1}
    assert time.monotonic() - started < 3
    assert deliveries(services)[0].last_status_code is None


def test_an_endpoint_deleted_while_its_delivery_is_claimed_is_passed_over(services: ServiceContext, world: World,
                                                                          receiver: WebhookReceiver) -> None:
    made = subscribe(services, world, receiver)
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])

    class DeletingPoster(WebhookPoster):
        def post(self, url: str, body: bytes, headers: dict[str, str]) -> Any:
            outgoing_webhooks.delete_endpoint(services, world.admin, made["id"])
            return super().post(url, body, headers)

    assert deliver(services, poster=DeletingPoster(allow_private=True)) == {"gone": 1}
    assert deliveries(services) == []


def test_a_host_that_cannot_be_encoded_is_a_failed_attempt_not_a_crash(services: ServiceContext, world: World) -> None:
    with pytest.raises(Invalid):  # refused when added, now
        outgoing_webhooks.create_endpoint(services, world.admin, url="https://exa\u2028mple..com/in",
                                          events=ALL_EVENTS)
    stored_earlier(services, world, "https://exa\u2028mple..com/in")
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services) == {"retrying": 1}
    assert deliveries(services)[0].last_error


def test_an_ending_wakes_a_worker_of_the_same_process_at_once(services: ServiceContext, world: World,
                                                              receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    e = enroll(services, world)
    stop = start_in_thread(services, poll_seconds=60)
    try:
        time.sleep(0.5)  # the worker's first pass is over; it now idles for a minute
        enrollments.unenroll(services, world.admin, e["id"])
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
    assert [r.payload["type"] for r in receiver.received] == ["enrollment.unenrolled"]


# --- SSRF: outside demo mode ------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9000/hook", "https://127.0.0.1/hook", "https://localhost/hook", "https://10.0.0.8/hook",
    "https://192.168.1.1/hook", "https://172.16.0.1/hook", "https://169.254.169.254/latest/meta-data",
    "https://[::1]/hook", "https://[fe80::1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://0.0.0.0/hook",
    "http://hooks.example.com/plain-http", "https://user:pw@hooks.example.com/", "ftp://hooks.example.com/",
    "https://printer.local/hook",
], ids=lambda u: u)
def test_a_private_loopback_or_link_local_target_is_refused_when_added(production: ServiceContext, world: World,
                                                                       url: str) -> None:
    with pytest.raises(Invalid) as refused:
        outgoing_webhooks.create_endpoint(production, world.admin, url=url, events=ALL_EVENTS)
    assert refused.value.code in ("url_refused", "invalid")
    assert outgoing_webhooks.list_endpoints(production, world.admin) == []


def _resolving(table: dict[str, list[str]]) -> Any:
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        answer = table[host]
        return answer if isinstance(answer, list) else answer(len(calls))  # type: ignore[operator]
    return resolver


@pytest.mark.parametrize("addresses", [["10.1.2.3"], ["127.0.0.1"], ["169.254.169.254"], ["93.184.216.34", "::1"],
                                       ["fd00::5"]], ids=str)
def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(
        production: ServiceContext, world: World, addresses: list[str]) -> None:
    made = outgoing_webhooks.create_endpoint(production, world.admin, url="https://hooks.example.com/in",
                                             events=ALL_EVENTS)
    enrollments.unenroll(production, world.admin, enroll(production, world)["id"])
    poster = WebhookPoster(allow_private=False, resolver=_resolving({"hooks.example.com": addresses}))
    assert deliver(production, poster=poster) == {"retrying": 1}
    d = deliveries(production)[0]
    assert d.last_status_code is None and (d.last_error or "").startswith("refused: the host hooks.example.com")
    assert made["status"] == "active"


@pytest.mark.parametrize(("certified", "delivered"), [
    pytest.param("hooks.example.test", True, id="a certificate for the endpoint's name: delivered"),
    pytest.param("elsewhere.example.test", False, id="a certificate for another name: refused by TLS"),
])
def test_over_https_the_connection_goes_to_the_checked_address_and_tls_checks_the_name(
        services: ServiceContext, world: World, tmp_path: Path, certified: str, delivered: bool) -> None:
    """The pinned HTTPS connection: the socket opens to the resolved address, the handshake verifies the
    certificate (made by the emulator's own CA) against the endpoint's host name, not the address."""
    files = make_tls_files(tmp_path, hosts=(certified,))
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    with WebhookReceiver(tls=files.server_context()) as receiver:
        made = outgoing_webhooks.create_endpoint(services, world.admin, events=ALL_EVENTS,
                                                 url=f"https://hooks.example.test:{receiver.port}/in")
        receiver.secrets = [made["secret"]]
        enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
        poster = WebhookPoster(allow_private=True, resolver=resolver, ca_bundle=str(files.ca_bundle))
        outcome = deliver(services, poster=poster)
    assert lookups == ["hooks.example.test"]
    if delivered:
        assert outcome == {"delivered": 1}
        got = receiver.received[0]  # verified by the receiver with the standardwebhooks library
        assert got.payload["type"] == "enrollment.unenrolled"
        assert got.headers["Host"] == f"hooks.example.test:{receiver.port}"
    else:
        assert outcome == {"retrying": 1} and receiver.received == []
        assert "certificate" in (deliveries(services)[0].last_error or "").lower()


def test_the_connection_goes_to_the_address_that_was_checked_not_a_second_lookup(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    """A name is resolved once per attempt and the socket is opened to that very address, so DNS
    cannot answer a public address to the check and a private one to the connection (rebinding)."""
    made = outgoing_webhooks.create_endpoint(services, world.admin, url=f"http://receiver.invalid:{receiver.port}/in",
                                             events=ALL_EVENTS)
    receiver.secrets = [made["secret"]]
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services, poster=WebhookPoster(allow_private=True, resolver=resolver)) == {"delivered": 1}
    assert lookups == ["receiver.invalid"]  # the system resolver (which would fail here) was never asked
    assert receiver.received[0].headers["Host"] == f"receiver.invalid:{receiver.port}"


def test_the_delivery_is_refused_for_loopback_outside_demo_mode_even_ifstored_earlier(
        services: ServiceContext, production: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)  # added while in demo mode
    enrollments.unenroll(production, world.admin, enroll(production, world)["id"])
    deliver(production)
    assert receiver.requests == 0
    assert "loopback" in (deliveries(production)[0].last_error or "")


def test_an_account_never_has_more_than_twenty_endpoints_however_many_are_added_at_once(
        services: ServiceContext, world: World) -> None:
    """The cap holds under a burst of parallel adds (on PostgreSQL, where they really run at once)."""
    for n in range(6):
        outgoing_webhooks.create_endpoint(services, world.admin, url=f"http://127.0.0.1:9/before{n}",
                                          events=["enrollment.finished"])

    def add(n: int) -> str:
        try:
            outgoing_webhooks.create_endpoint(services, world.admin, url=f"http://127.0.0.1:9/burst{n}",
                                              events=["enrollment.finished"])
        except Conflict as exc:
            return exc.code
        return "made"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = Counter(pool.map(add, range(25)))
    assert outcomes == {"made": 14, "too_many_endpoints": 11}
    assert len(outgoing_webhooks.list_endpoints(services, world.admin)) == outgoing_webhooks.MAX_ENDPOINTS_PER_ACCOUNT


def test_a_delivery_waiting_for_its_retry_does_not_hold_back_a_later_event_and_timestamps_order_them(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    """As documented: one delivery at a time, oldest due first; a delivery waiting for its retry does
    not block newer events (a payload refused for a day must not stop the rest), so receivers order
    by `timestamp`."""
    subscribe(services, world, receiver)
    first, second = enroll(services, world), enroll(services, world, world.colleague)
    receiver.mode = "error"
    enrollments.unenroll(services, world.admin, first["id"])
    assert deliver(services) == {"retrying": 1}
    receiver.mode = "up"
    clock.advance(seconds=1)
    enrollments.unenroll(services, world.admin, second["id"])
    assert deliver(services) == {"delivered": 1}  # the later event, while the first waits for its retry
    clock.advance(hours=1)
    assert deliver(services) == {"delivered": 1}
    got = [r.payload for r in receiver.received]
    assert [p["data"]["enrollment_id"] for p in got] == [second["id"], first["id"]]
    assert sorted(got, key=lambda p: p["timestamp"])[0]["data"]["enrollment_id"] == first["id"]


# --- slow receivers: one of them holds up nothing else --------------------------------------


def test_a_receiver_that_sends_its_head_then_trickles_the_promised_body_is_cut_at_the_total_deadline(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    """200 and Content-Length: 1000 at once, then a byte now and then: every read succeeds within
    its timeout, and still the whole exchange ends at the total deadline."""
    subscribe(services, world, receiver)
    receiver.mode, receiver.slow_seconds = "trickle", 0.2
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    poster = WebhookPoster(allow_private=True, connect_seconds=3, read_seconds=5, total_seconds=1.0)
    started = time.monotonic()
    assert deliver(services, poster=poster) == {"retrying": 1}
    assert time.monotonic() - started < 2.5
    d = deliveries(services)[0]
    assert d.last_status_code is None and "no complete answer within 1 s" in (d.last_error or "")


def test_a_receiver_that_trickles_an_answer_it_will_close_after_is_cut_at_the_total_deadline_too(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    """An HTTP/1.0 answer (as Python's http.server sends): the connection is handed to the response
    as soon as the head is read, and still the whole exchange ends at the total deadline."""
    subscribe(services, world, receiver)
    receiver.mode, receiver.slow_seconds = "trickle_closing", 0.2
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    poster = WebhookPoster(allow_private=True, connect_seconds=3, read_seconds=5, total_seconds=1.0)
    started = time.monotonic()
    assert deliver(services, poster=poster) == {"retrying": 1}
    assert time.monotonic() - started < 2.5
    d = deliveries(services)[0]
    assert d.last_status_code is None and "no complete answer within 1 s" in (d.last_error or "")


@pytest.mark.parametrize("mode", ["trickle", "trickle_closing"])
def test_over_https_a_trickling_receiver_is_cut_at_the_total_deadline(
        services: ServiceContext, world: World, tmp_path: Path, mode: str) -> None:
    files = make_tls_files(tmp_path, hosts=("hooks.example.test",))
    with WebhookReceiver(tls=files.server_context(), mode=mode, slow_seconds=0.2) as receiver:
        outgoing_webhooks.create_endpoint(services, world.admin, events=ALL_EVENTS,
                                          url=f"https://hooks.example.test:{receiver.port}/in")
        enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
        poster = WebhookPoster(allow_private=True, resolver=lambda host, port: ["127.0.0.1"],
                               ca_bundle=str(files.ca_bundle), total_seconds=1.0)
        started = time.monotonic()
        assert deliver(services, poster=poster) == {"retrying": 1}
        assert time.monotonic() - started < 2.5
    assert "no complete answer within 1 s" in (deliveries(services)[0].last_error or "")


def test_a_trickling_endpoint_holds_up_neither_another_accounts_endpoint_nor_its_own_other_deliveries(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    receiver.mode, receiver.slow_seconds = "trickle", 0.2
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    enrollments.resume(services, world.admin, e["id"])
    enrollments.unenroll(services, world.admin, e["id"])
    other = make_world(services, name="Initech", domain="initech.test")
    with WebhookReceiver() as theirs:
        subscribe(services, other, theirs)
        enrollments.unenroll(services, other.admin, enroll(services, other)["id"])
        poster = WebhookPoster(allow_private=True, total_seconds=1.5)
        started = time.perf_counter()
        counts = deliver(services, poster=poster)
        took = time.perf_counter() - started
    assert counts == {"delivered": 1, "retrying": 1, "postponed": 2}
    assert [r.payload["type"] for r in theirs.received] == ["enrollment.unenrolled"]
    assert theirs.received[0].at - started < 1.0  # side by side, not after the trickle
    assert receiver.requests == 1  # one in flight at the slow receiver, its others wait
    assert took < 3


def test_endpoints_that_keep_failing_never_take_every_lane_so_a_healthy_endpoint_hears_at_once(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    """"A slow receiver delays only its own events": however many of an account's endpoints keep
    failing (trickling until the cut), they share at most half of the running worker's lanes, and a
    healthy endpoint's event goes out at once, even though theirs are older."""
    with ExitStack() as stack:
        slow = [stack.enter_context(WebhookReceiver(mode="trickle", slow_seconds=0.2)) for _ in range(3)]
        for each in slow:
            subscribe(services, world, each)
        subscribe(services, world, receiver)  # added last: its deliveries come after theirs
        with services.session() as s:  # the slow ones have failed before, the healthy one has answered
            s.execute(update(t.WebhookEndpoint).where(t.WebhookEndpoint.url != receiver.url)
                      .values(failing_since=services.now()))
            s.execute(update(t.WebhookEndpoint).where(t.WebhookEndpoint.url == receiver.url)
                      .values(last_success_at=services.now()))
        enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
        lanes = outgoing_webhooks.DeliveryLanes(services, "test-worker", size=2,
                                                poster=WebhookPoster(allow_private=True, total_seconds=3.0))
        try:
            started = time.perf_counter()
            lanes.start_due()
            while not receiver.received and time.perf_counter() - started < 5:
                time.sleep(0.02)
            heard = time.perf_counter() - started
            while not sum(each.requests for each in slow) and time.perf_counter() - started < 5:
                time.sleep(0.02)  # the failing ones' lane is under way too (closing cancels unstarted lanes)
        finally:
            lanes.close()
            while lanes.busy and time.perf_counter() - started < 10:
                time.sleep(0.05)
    assert [r.payload["type"] for r in receiver.received] == ["enrollment.unenrolled"]
    assert heard < 1.0
    assert sum(each.requests for each in slow) == 1  # one lane for the failing ones, one left free


def test_a_lane_that_used_up_its_time_hands_the_rest_back_untried_and_due(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services, budget_seconds=0) == {"deferred": 1}
    d = deliveries(services)[0]
    assert (d.status, d.attempts, d.lease_owner, receiver.requests) == ("pending", 0, None, 0)
    assert deliver(services) == {"delivered": 1}


def test_an_endpoint_with_a_delivery_in_flight_at_another_worker_gets_no_second_one(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    subscribe(services, world, receiver)
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    enrollments.resume(services, world.admin, e["id"])
    outgoing_webhooks.publish_pending_events(services)
    with services.session() as s:  # another worker is posting the first one right now
        first = s.scalars(select(t.WebhookDelivery).order_by(t.WebhookDelivery.id)).first()
        assert first is not None
        first.lease_owner, first.lease_until = "other-worker", services.now() + timedelta(seconds=60)
    assert deliver(services) == {}
    assert receiver.requests == 0


def test_while_a_receiver_trickles_the_worker_runs_due_steps_and_another_account_hears_at_once(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    """The running worker: a trickling receiver occupies its own lane only; a due step runs and an
    ending in another account reaches its receiver within a second, mid-trickle."""
    subscribe(services, world, receiver)
    receiver.mode, receiver.slow_seconds = "trickle", 0.2
    e = enroll(services, world)
    for _ in range(3):
        enrollments.pause(services, world.admin, e["id"], until=None)
        enrollments.resume(services, world.admin, e["id"])
    other = make_world(services, name="Initech", domain="initech.test")
    waiting = enroll(services, other)
    with WebhookReceiver() as theirs:
        subscribe(services, other, theirs)
        stop = start_in_thread(services, poll_seconds=0.2,
                               poster=WebhookPoster(allow_private=True, total_seconds=4.0))
        try:
            deadline = time.monotonic() + 5
            while receiver.requests == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert receiver.requests == 1  # the trickle is under way
            clock.advance(days=2, minutes=1)  # the call step of `waiting` falls due
            started = time.perf_counter()
            enrollments.unenroll(services, other.admin, enroll(services, other, other.colleague)["id"])
            while not theirs.received and time.perf_counter() - started < 3:
                time.sleep(0.02)
            heard = time.perf_counter() - started
            while (enrollments.get_enrollment(services, other.admin, waiting["id"])["current_step"] < 2
                   and time.perf_counter() - started < 3):
                time.sleep(0.02)
            stepped = time.perf_counter() - started
        finally:
            stop.set()
            time.sleep(4.5)  # the trickle's lane ends by its deadline before the database goes
    assert [r.payload["type"] for r in theirs.received] == ["enrollment.unenrolled"]
    assert heard < 1.0
    assert stepped < 1.0
    assert receiver.requests == 1


# --- rotation: every secret handed out signs ----------------------------------------------


def test_a_second_rotation_during_the_grace_is_refused_and_the_first_secret_keeps_its_day(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    made = subscribe(services, world, receiver)
    first = outgoing_webhooks.rotate_secret(services, world.admin, made["id"])
    clock.advance(hours=1)
    with pytest.raises(Conflict) as refused:
        outgoing_webhooks.rotate_secret(services, world.admin, made["id"])
    assert refused.value.code == "rotation_in_grace" and first["previous_secret_expires_at"] in refused.value.message
    receiver.secrets = [made["secret"]]  # a receiver still on the original secret
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    deliver(services)
    assert len(receiver.received) == 1 and receiver.rejected == []

    clock.advance(hours=24)  # the grace is over: rotating is allowed again
    second = outgoing_webhooks.rotate_secret(services, world.admin, made["id"])
    assert second["secret"] not in (made["secret"], first["secret"])


def test_concurrent_rotations_hand_out_only_secrets_that_sign(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    made = subscribe(services, world, receiver)
    barrier = threading.Barrier(4)

    def rotate() -> str:
        barrier.wait()
        try:
            return str(outgoing_webhooks.rotate_secret(services, world.admin, made["id"])["secret"])
        except Conflict:
            return ""

    with ThreadPoolExecutor(4) as pool:
        handed_out = [secret for secret in pool.map(lambda _: rotate(), range(4)) if secret]
    assert len(handed_out) == 1
    e = enroll(services, world)
    for secret in [*handed_out, made["secret"]]:  # the new one, and the replaced one in its grace
        receiver.secrets = [secret]
        enrollments.pause(services, world.admin, e["id"], until=None)
        enrollments.resume(services, world.admin, e["id"])
        deliver(services)
    assert len(receiver.received) == 4 and receiver.rejected == []


# --- hosts and paths written in unusual forms ---------------------------------------------


@pytest.mark.parametrize("url", ["https://2130706433/", "https://0x7f000001/", "https://017700000001/",
                                 "https://0177.0.0.1/", "https://127.1/", "https://0x7f.1/", "https://0/",
                                 "https://2852039166/", "https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/",
                                 "https://127\u30020\u30020\u30021/", "https://\u2460\u2461\u2466.0.0.1/",
                                 "https://localhost.localdomain/", "https://metadata.google.internal/",
                                 "https://metadata/", "https://[2002:7f00:1::]/"], ids=ascii)
def test_a_loopback_or_private_host_in_an_unusual_form_is_refused_when_added(
        production: ServiceContext, world: World, url: str) -> None:
    with pytest.raises(Invalid) as refused:
        outgoing_webhooks.create_endpoint(production, world.admin, url=url, events=ALL_EVENTS)
    assert refused.value.code == "url_refused"
    assert outgoing_webhooks.list_endpoints(production, world.admin) == []


def test_a_name_that_resolves_inside_is_refused_when_added(production: ServiceContext, world: World,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    dns = {"127.0.0.1.nip.io": "127.0.0.1", "intranet.example.com": "10.0.0.7", "hooks.example.com": "93.184.216.34"}

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in dns:
            raise OSError(f"unknown name {host}")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (dns[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for inside in ("https://127.0.0.1.nip.io/in", "https://intranet.example.com/in"):
        with pytest.raises(Invalid) as refused:
            outgoing_webhooks.create_endpoint(production, world.admin, url=inside, events=ALL_EVENTS)
        assert "resolves to" in refused.value.message
    made = outgoing_webhooks.create_endpoint(production, world.admin, url="https://hooks.example.com/in",
                                             events=ALL_EVENTS)
    assert made["url"] == "https://hooks.example.com/in"
    # A name that does not resolve yet is accepted: every delivery resolves and checks it again.
    assert outgoing_webhooks.create_endpoint(production, world.admin, url="https://not-yet.example.com/in",
                                             events=ALL_EVENTS)["status"] == "active"


def test_a_6to4_address_of_loopback_stored_earlier_is_refused_at_delivery_without_a_connection(
        production: ServiceContext, world: World) -> None:
    stored_earlier(production, world, "https://[2002:7f00:1::]:9/in")
    enrollments.unenroll(production, world.admin, enroll(production, world)["id"])
    assert deliver(production) == {"retrying": 1}
    d = deliveries(production)[0]
    assert d.last_status_code is None and "refused:" in (d.last_error or "") and "loopback" in (d.last_error or "")


def test_a_url_with_a_non_ascii_path_is_stored_percent_encoded_and_delivered(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    made = outgoing_webhooks.create_endpoint(services, world.admin, url=receiver.url + "/r\u00e9ception?\u00e9=1",
                                             events=ALL_EVENTS)
    receiver.secrets = [made["secret"]]
    assert made["url"] == receiver.url + "/r%C3%A9ception?%C3%A9=1"
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services) == {"delivered": 1}


def test_a_non_ascii_path_stored_earlier_is_delivered_percent_encoded(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    made = stored_earlier(services, world, receiver.url + "/r\u00e9ception")
    receiver.secrets = [made["secret"]]
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services) == {"delivered": 1}


def test_enabling_an_endpoint_sends_what_ran_out_of_retries_while_it_failed_once_per_id(
        services: ServiceContext, world: World, receiver: WebhookReceiver, clock: FakeClock) -> None:
    made = subscribe(services, world, receiver)
    e = enroll(services, world)
    enrollments.pause(services, world.admin, e["id"], until=None)
    deliver(services)  # received while the receiver worked
    clock.advance(minutes=1)
    receiver.mode = "error"
    enrollments.resume(services, world.admin, e["id"])
    enrollments.unenroll(services, world.admin, e["id"])
    for _ in range(26 * 4):  # a day and more of failures: one runs out of retries, the endpoint is disabled
        deliver(services)
        clock.advance(minutes=15)
    assert "failed" in {d.status for d in deliveries(services)}  # out of retries (the other waits, disabled)
    assert outgoing_webhooks.get_endpoint(services, world.admin, made["id"])["status"] == "disabled"

    receiver.mode = "up"
    outgoing_webhooks.enable_endpoint(services, world.admin, made["id"])
    deliver(services)
    assert [r.payload["type"] for r in receiver.received] == [
        "enrollment.paused", "enrollment.resumed", "enrollment.unenrolled"]
    assert len(set(receiver.ids())) == 3 and {d.status for d in deliveries(services)} == {"delivered"}
