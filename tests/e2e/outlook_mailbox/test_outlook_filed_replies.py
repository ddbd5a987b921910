"""A reply is read wherever the mailbox files it (issue 17): an inbox rule that moves it into
"Clients/Acme", Exchange's junk filter. Found by Graph's notification (the subscription follows every
folder), by the worker's catch-up and by the pre-send guard with notifications held back; a reply the
rep deleted before we read it too. What the rep wrote (Drafts, Sent Items, their deleted copies) is
never read as mail in.

Real msal and requests against the emulator's Graph (folders, messageRules, per-folder ids); no mocks.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services.grants import graph_for
from addin_server.services.graph.mailbox import read_filed
from addin_server.services.graph.subscriptions import (
    GRAPH_LIFECYCLE_WEBHOOK,
    GRAPH_WEBHOOK,
    renew_graph_subscriptions,
)
from addin_server.services.inbox import record_notification
from addin_server.services.inbox_worker import process_due_notifications, read_mailbox_now
from addin_server.worker.loop import run_due_steps
from tests.e2e.outlook_mailbox.test_outlook_end_to_end import reply, sent_id, state
from tests.e2e.outlook_mailbox.test_outlook_presend_guard import at, first_email, quick, sent_count, view
from tests.integration.emulator_microsoft.support import MicrosoftSetup

__all__ = ["quick"]  # the presend guard's fixture: two contacts, step 2 due 43 s after step 1


@pytest.fixture(autouse=True)
def _ca_bundle_from_settings_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test calls Graph as the app with msal, whose CA bundle requests would let these override."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def file_into_clients_acme(setup: MicrosoftSetup, sender_contains: str) -> str:
    """The rep's folders Clients/Acme and an inbox rule moving the contacts' mail there; returns Acme's id."""
    graph = setup.session()
    clients = graph.post(f"{setup.user_url}/mailFolders", json={"displayName": "Clients"}, timeout=10)
    assert clients.status_code == 201, clients.text
    acme = graph.post(f"{setup.user_url}/mailFolders/{clients.json()['id']}/childFolders",
                      json={"displayName": "Acme"}, timeout=10)
    assert acme.status_code == 201, acme.text
    rule = graph.post(f"{setup.user_url}/mailFolders/inbox/messageRules", timeout=10, json={
        "displayName": "Acme mail to Clients/Acme", "sequence": 1, "isEnabled": True,
        "conditions": {"senderContains": [sender_contains]},
        "actions": {"moveToFolder": acme.json()["id"], "stopProcessingRules": True}})
    assert rule.status_code == 201, rule.text
    return str(acme.json()["id"])


def folder_of(setup: MicrosoftSetup, delivered: dict[str, Any]) -> str:
    return next(m["folder"] for m in setup.control.messages(setup.address) if m["immutable_id"] == delivered["immutable_id"])


def catch_up(w: dict[str, Any], setup: MicrosoftSetup, key: str) -> dict[str, int]:
    """The worker's sweep of one mailbox: a graph_delta notification, handled now."""
    record_notification(w["ctx"], provider="graph_delta", dedupe_key=key, mailbox_address=setup.address,
                        account_id=None, payload={"sweep": True})
    return process_due_notifications(w["ctx"], "worker-1")


def test_a_reply_a_rule_moves_into_clients_acme_is_notified_and_ends_the_enrollment_as_replied(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    acme = file_into_clients_acme(setup, "fabrikam.test")
    delivered = setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    assert folder_of(setup, delivered) == acme  # never in the inbox

    setup.control.flush_notifications()
    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}

    got = state(outlook)
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert got["evidence"]["matched_by"] == "In-Reply-To"


def test_a_reply_a_rule_filed_whose_notification_was_lost_is_read_by_the_workers_catch_up(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    file_into_clients_acme(setup, "fabrikam.test")
    setup.control.notification_fault("drop", count=1)
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    setup.control.flush_notifications()  # dropped: nothing reaches us

    assert catch_up(outlook, setup, "sweep:filed") == {"done": 1}
    assert state(outlook)["end_reason"] == "replied"


def test_with_notifications_held_back_the_guard_finds_a_reply_a_rule_filed_before_step_two(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    file_into_clients_acme(setup, "northwind.test")
    before = sent_count(setup)
    setup.control.deliver(setup.address, reply("human_reply.eml", quick, first_email(quick)))
    at(quick["ctx"], 44)

    stats = run_due_steps(quick["ctx"])

    assert stats.notifications == 0  # nothing was notified: the guard read the mailbox itself
    got = view(quick, "replier")
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert [ev["step"] for ev in got["events"] if ev["type"] == "email_sent"] == [1]
    assert view(quick, "quiet")["status"] == "finished"
    assert sent_count(setup) == before + 1  # only the contact who did not answer got step 2


def test_the_guard_costs_two_graph_requests_per_mailbox_when_nothing_new_arrived(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    # The ids of the folders never read (drafts, sent items...) are asked once per mailbox and
    # process, with one $batch: an earlier read paid for them.
    assert read_mailbox_now(quick["ctx"], setup.address, "outlook")
    counted = setup.control.inject_fault("/graph/v1.0/*", None, count=10_000, delay_seconds=0.001)
    at(quick["ctx"], 44)
    before = sent_count(setup)

    stats = run_due_steps(quick["ctx"])

    assert stats.steps_run == 2 and sent_count(setup) == before + 2
    hits = next(f["hits"] for f in setup.control.faults() if f["id"] == counted["id"])
    # The inbox delta and the listing of every folder, then each send (a draft made, then sent).
    assert hits == 2 + 2 * 2


def test_a_reply_the_junk_filter_moved_ends_the_enrollment_as_replied(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    delivered = setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)),
                                      folder="junkemail")
    assert folder_of(setup, delivered) == "junkemail"
    setup.control.flush_notifications()
    assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}
    assert state(outlook)["end_reason"] == "replied"


@pytest.mark.parametrize("path", [
    pytest.param("notification", id="notified"),
    pytest.param("catch-up", id="read by the catch-up"),
])
def test_a_reply_a_rule_deletes_still_ends_the_enrollment_as_replied(
        setup: MicrosoftSetup, outlook: dict[str, Any], path: str) -> None:
    """The contact did answer: where the rep's rule throws the answer changes nothing."""
    graph = setup.session()
    made = graph.post(f"{setup.user_url}/mailFolders/inbox/messageRules", timeout=10, json={
        "displayName": "Delete fabrikam", "sequence": 1, "conditions": {"senderContains": ["fabrikam.test"]},
        "actions": {"delete": True}})
    assert made.status_code == 201, made.text
    delivered = setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    assert folder_of(setup, delivered) == "deleteditems"
    if path == "notification":
        setup.control.flush_notifications()
        assert process_due_notifications(outlook["ctx"], "worker-1") == {"done": 1}
    else:
        assert catch_up(outlook, setup, "sweep:deleted") == {"done": 1}
    assert state(outlook)["end_reason"] == "replied"


def delete_by_hand(setup: MicrosoftSetup, delivered: dict[str, Any], how: str) -> None:
    """The rep deletes a message after it landed: DELETE (Exchange moves it to Deleted Items) or a move."""
    graph = setup.session()
    url = f"{setup.user_url}/messages/{delivered['immutable_id']}"
    if how == "delete":
        answer = graph.delete(url, timeout=10)
        assert answer.status_code == 204, answer.text
    else:
        answer = graph.post(f"{url}/move", json={"destinationId": "deleteditems"}, timeout=10)
        assert answer.status_code == 201, answer.text
        assert answer.json()["parentFolderId"] == setup.session().get(
            f"{setup.user_url}/mailFolders/deleteditems", timeout=10).json()["id"]
    assert folder_of(setup, delivered) == "deleteditems"


@pytest.mark.parametrize("how", ["delete", "move"])
def test_with_notifications_held_back_a_reply_the_rep_deleted_before_step_two_still_stops_it(
        setup: MicrosoftSetup, quick: dict[str, Any], how: str) -> None:
    before = sent_count(setup)
    delivered = setup.control.deliver(setup.address, reply("human_reply.eml", quick, first_email(quick)))
    time.sleep(0.3)
    delete_by_hand(setup, delivered, how)
    at(quick["ctx"], 44)

    run_due_steps(quick["ctx"])

    got = view(quick, "replier")
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert [ev["step"] for ev in got["events"] if ev["type"] == "email_sent"] == [1]
    assert sent_count(setup) == before + 1  # only the contact who did not answer got step 2


def test_with_notifications_working_a_reply_deleted_before_it_was_fetched_still_stops_step_two(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    before = sent_count(setup)
    delivered = setup.control.deliver(setup.address, reply("human_reply.eml", quick, first_email(quick)))
    time.sleep(0.3)
    delete_by_hand(setup, delivered, "delete")
    setup.control.flush_notifications()  # the arrival's, then the deletion's
    process_due_notifications(quick["ctx"], "worker-1")
    at(quick["ctx"], 44)

    run_due_steps(quick["ctx"])

    got = view(quick, "replier")
    assert (got["status"], got["end_reason"]) == ("unenrolled", "replied")
    assert sent_count(setup) == before + 1


def test_our_own_sent_step_the_rep_deleted_is_not_read_as_a_reply(
        setup: MicrosoftSetup, quick: dict[str, Any]) -> None:
    for sent in setup.control.messages(setup.address, folder="sentitems"):
        delete_by_hand(setup, sent, "move")
    at(quick["ctx"], 44)
    before = sent_count(setup)

    run_due_steps(quick["ctx"])

    assert view(quick, "replier")["status"] == "finished" and view(quick, "quiet")["status"] == "finished"
    assert sent_count(setup) == before + 2


def test_a_subscription_made_on_the_inbox_only_is_replaced_at_renewal_and_what_a_rule_filed_is_read(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    ctx = outlook["ctx"]
    inbox_only = f"users/{setup.user_id}/mailFolders('inbox')/messages"
    with ctx.session() as s:
        user = s.get_one(t.User, int(outlook["rep"]["id"]))
        graph = graph_for(ctx.settings, user)
        watch = s.scalars(select(t.MailboxWatch)).one()
        # As subscriptions were made before the whole mailbox was followed.
        made = graph._create_subscription(
            ctx.settings.public_endpoint(GRAPH_WEBHOOK), ctx.settings.public_endpoint(GRAPH_LIFECYCLE_WEBHOOK),
            "earlier-client-state", 60, inbox_only, "created")
        graph.delete(str(watch.subscription_id))
        graph.close()
        watch.subscription_id, watch.subscription_expires_at = made.id, ctx.now()
    file_into_clients_acme(setup, "fabrikam.test")
    setup.control.deliver(setup.address, reply("human_reply.eml", outlook, sent_id(outlook)))
    setup.control.flush_notifications()  # the inbox-only subscription is not told of Clients/Acme

    assert renew_graph_subscriptions(ctx) == 1
    followed = [s["resource"].strip("/") for s in setup.control.subscriptions()
                if s["mailbox"] == setup.address.lower() and "/events" not in s["resource"]]
    assert followed == [f"users/{setup.user_id}/messages"]  # the inbox-only one is deleted
    assert process_due_notifications(ctx, "worker-1") == {"done": 1}  # the catch-up after the replacement
    assert state(outlook)["end_reason"] == "replied"


def test_more_filed_mail_than_one_read_takes_is_read_to_the_end_by_the_catch_up_it_queues(
        setup: MicrosoftSetup, outlook: dict[str, Any]) -> None:
    ctx = outlook["ctx"]
    file_into_clients_acme(setup, "fabrikam.test")
    for _ in range(3):
        setup.control.deliver(setup.address, reply("gmail_vacation.eml", outlook, sent_id(outlook)))
    with ctx.session() as s:
        graph = graph_for(ctx.settings, s.get_one(t.User, int(outlook["rep"]["id"])))
    try:
        assert read_filed(ctx, graph, setup.address, None, limit=2) == (2, False)
    finally:
        graph.close()
    with ctx.session() as s:
        assert len(s.scalars(select(t.ProcessedMessage)).all()) == 2
        queued = s.scalars(select(t.InboundNotification.provider).where(
            t.InboundNotification.status == "pending")).all()
    assert queued == ["graph_delta"]
    assert process_due_notifications(ctx, "worker-1") == {"done": 1}
    with ctx.session() as s:
        assert len(s.scalars(select(t.ProcessedMessage)).all()) == 3
