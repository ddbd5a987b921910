"""Sending, fetching, classifying, MIME, batching and delta through the provider, on the emulator."""

from __future__ import annotations

import email
from email import policy

import pytest
import requests

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage, normalize_message_id
from addin_server.providers.graph import (
    IN_REPLY_TO_PROPERTY,
    LIST_UNSUBSCRIBE_PROPERTY,
    REFERENCES_PROPERTY,
    DeltaExpired,
    GraphError,
    GraphMailbox,
    GraphTokens,
    draft_json,
)
from tests.integration.emulator_microsoft.support import MicrosoftSetup
from tests.integration.providers_graph.support import SHARED_GRAPH_FIXTURES, inbound

MESSAGE_CLASS_OOF = "IPM.Note.Rules.OofTemplate.Microsoft"


def _send_step(mailbox: GraphMailbox, number: int = 1, to: str = "pat@customer.example") -> tuple[str, str]:
    sent = mailbox.send(subject="Quick question", body=f"Hi Pat, step {number}.", to=to,
                        message_id=f"<step{number}-enr42@sequences.example>")
    return sent.id, sent.internet_message_id


def test_a_sequence_email_leaves_from_the_reps_sent_items_with_its_ids_recorded(
    setup: MicrosoftSetup, mailbox: GraphMailbox
) -> None:
    sent = mailbox.send(subject="Quick question", body="Hi Pat, do you have 10 minutes?", to="pat@customer.example",
                        message_id="<step1-enr42@sequences.example>", extra_headers={"X-Sequence-Step": "1"})
    in_sent_items = setup.control.messages(setup.address, folder="sentitems")
    assert [(m["immutable_id"], m["internet_message_id"], m["conversation_id"], m["is_draft"])
            for m in in_sent_items] == [(sent.id, sent.internet_message_id, sent.conversation_id, False)]
    assert setup.control.messages(setup.address, folder="drafts") == []
    # The recorded id reads the sent copy back (immutable ids survive the move out of Drafts).
    assert mailbox.fetch(sent.id)["internetMessageId"] == sent.internet_message_id
    assert b"X-Sequence-Step: 1" in mailbox.fetch_mime(sent.id)


def test_a_reply_to_a_sequence_email_refers_to_the_recorded_message_id(
    setup: MicrosoftSetup, mailbox: GraphMailbox
) -> None:
    _, sent_id = _send_step(mailbox)
    delivered = setup.control.deliver(setup.address, inbound("reply.eml", rep=setup.address, n="1", sent_id=sent_id),
                                      kind="note")
    message = InboundMessage.from_graph(mailbox.fetch(delivered["id"]))
    assert normalize_message_id(sent_id) in message.in_reply_to
    assert message.message_id == "reply-1@customer.example"


@pytest.mark.parametrize(
    ("fixture", "kind", "expected", "message_class"),
    [
        pytest.param("reply.eml", "note", InboundKind.HUMAN_REPLY, "IPM.Note",
                     id="a contact's reply fetched from Graph is a human reply"),
        pytest.param("out-of-office.eml", "oof", InboundKind.OUT_OF_OFFICE, MESSAGE_CLASS_OOF,
                     id="an Exchange automatic reply fetched from Graph is out of office"),
        pytest.param("ndr", "auto", None, "REPORT.IPM.Note.NDR",
                     id="a non-delivery report fetched from Graph is a bounce"),
    ],
)
def test_fetched_messages_classify_with_their_headers_and_message_class(
    setup: MicrosoftSetup, mailbox: GraphMailbox, fixture: str, kind: str, expected: InboundKind | None,
    message_class: str,
) -> None:
    _, sent_id = _send_step(mailbox)
    if fixture == "ndr":
        raw = (SHARED_GRAPH_FIXTURES / "inbound-ndr.eml").read_bytes()
    else:
        raw = inbound(fixture, rep=setup.address, n="2", sent_id=sent_id)
    delivered = setup.control.deliver(setup.address, raw, kind=kind)
    fetched = mailbox.fetch(delivered["id"])
    assert {h["name"].lower() for h in fetched["internetMessageHeaders"]} >= {"from", "subject", "message-id"}
    assert [p["value"] for p in fetched["singleValueExtendedProperties"]] == [message_class]
    for field in ("from", "toRecipients", "subject", "body", "internetMessageId", "conversationId",
                  "receivedDateTime", "parentFolderId"):
        assert field in fetched, field
    assert fetched["body"]["contentType"] == "text"
    result = classify(InboundMessage.from_graph(fetched))
    if expected is None:
        assert result.kind.is_bounce, result
        assert result.bounced_recipients == ("gone@customer.example",)
    else:
        assert result.kind == expected, result


def test_a_non_delivery_report_read_as_mime_shows_the_permanent_failure(
    setup: MicrosoftSetup, mailbox: GraphMailbox
) -> None:
    # Graph's JSON body leaves out the delivery-status part (Status: 5.1.1); $value keeps it.
    raw = (SHARED_GRAPH_FIXTURES / "inbound-ndr.eml").read_bytes()
    delivered = setup.control.deliver(setup.address, raw, kind="auto")
    mime = mailbox.fetch_mime(delivered["id"])
    assert email.message_from_bytes(mime, policy=policy.default).get_content_type() == "multipart/report"
    assert classify(InboundMessage.from_bytes(mime)).kind == InboundKind.BOUNCE_HARD


def test_several_messages_are_fetched_in_batches_of_twenty_each_with_its_own_outcome(
    setup: MicrosoftSetup, mailbox: GraphMailbox
) -> None:
    ids = [setup.control.deliver(setup.address, inbound("reply.eml", rep=setup.address, n=f"b{i}",
                                                        sent_id=f"<s{i}@sequences.example>"), kind="note")["id"]
           for i in range(23)]
    ids.insert(5, "AAMkAG-no-such-message")
    results = list(mailbox.fetch_many(ids))
    assert len(results) == 24
    missing = results.pop(5)
    assert isinstance(missing, GraphError) and missing.status == 404
    assert [r["internetMessageId"] for r in results if isinstance(r, dict)] == [
        f"<reply-b{i}@customer.example>" for i in range(23)]


def test_a_throttled_part_of_a_batch_is_fetched_again(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    ids = [setup.control.deliver(setup.address, inbound("reply.eml", rep=setup.address, n=f"t{i}",
                                                        sent_id="<s@sequences.example>"), kind="note")["id"]
           for i in range(3)]
    setup.control.inject_fault("/graph/v1.0/users/*/messages/*", 429, count=2, retry_after=0, method="GET")
    results = list(mailbox.fetch_many(ids))
    assert [r["internetMessageId"] for r in results if isinstance(r, dict)] == [
        f"<reply-t{i}@customer.example>" for i in range(3)]


def test_delta_follows_next_links_to_the_delta_link_and_then_reports_only_changes(
    setup: MicrosoftSetup, mailbox: GraphMailbox, tokens: GraphTokens
) -> None:
    first = [setup.control.deliver(setup.address, inbound("reply.eml", rep=setup.address, n=f"d{i}",
                                                          sent_id="<s@sequences.example>"), kind="note")
             for i in range(5)]
    page = mailbox.inbox_delta(None, page_size=2)  # three pages: 2 + 2 + 1
    assert page.complete
    assert page.message_ids == tuple(m["immutable_id"] for m in first)
    assert "$deltatoken=" in page.delta_link
    assert mailbox.inbox_delta(page.delta_link).message_ids == ()

    later = setup.control.deliver(setup.address, inbound("reply.eml", rep=setup.address, n="d9",
                                                         sent_id="<s@sequences.example>"), kind="note")
    requests.delete(f"{setup.user_url}/messages/{first[0]['id']}", timeout=10,
                    headers={"Authorization": f"Bearer {tokens.app_token()}"}).raise_for_status()
    changes = mailbox.inbox_delta(page.delta_link, page_size=2)
    assert changes.message_ids == (later["immutable_id"],)
    assert len(changes.removed) == 1


def test_delta_from_now_skips_the_mail_already_there(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    setup.control.deliver(setup.address, inbound("reply.eml", rep=setup.address, n="old",
                                                 sent_id="<s@sequences.example>"), kind="note")
    start = mailbox.inbox_delta(None, from_now=True)
    assert start.message_ids == ()
    new = setup.control.deliver(setup.address, inbound("reply.eml", rep=setup.address, n="new",
                                                       sent_id="<s@sequences.example>"), kind="note")
    assert mailbox.inbox_delta(start.delta_link).message_ids == (new["immutable_id"],)


def test_an_expired_delta_link_asks_for_a_fresh_sync(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    link = mailbox.inbox_delta(None, from_now=True).delta_link
    setup.control.inject_fault("/graph/v1.0/users/*/mailFolders*/messages/delta", 410, count=1, method="GET")
    with pytest.raises(DeltaExpired):
        mailbox.inbox_delta(link)


@pytest.mark.parametrize(
    ("headers", "in_reply_to", "expected_properties", "expected_custom"),
    [
        pytest.param({}, None, {}, None, id="a first step carries only our Message-ID"),
        pytest.param({}, "<step1@sequences.example>",
                     {IN_REPLY_TO_PROPERTY: "<step1@sequences.example>",
                      REFERENCES_PROPERTY: "<step1@sequences.example>"}, None,
                     id="a threaded step refers to the previous step through the MAPI properties"),
        pytest.param({"List-Unsubscribe": "<https://sequences.example/u/t>", "X-Sequence-Step": "2"}, None,
                     {LIST_UNSUBSCRIBE_PROPERTY: "<https://sequences.example/u/t>"},
                     [{"name": "X-Sequence-Step", "value": "2"}],
                     id="x- headers travel as internet headers and List-Unsubscribe as its property"),
    ],
)
def test_the_draft_carries_our_message_id_and_threading_headers(
    headers: dict[str, str], in_reply_to: str | None, expected_properties: dict[str, str],
    expected_custom: list[dict[str, str]] | None,
) -> None:
    data = draft_json(subject="Quick question", body="Hi", to="pat@customer.example",
                      message_id="step2@sequences.example", in_reply_to=in_reply_to, references=(),
                      extra_headers=headers)
    assert data["internetMessageId"] == "<step2@sequences.example>"
    assert {p["id"]: p["value"] for p in data.get("singleValueExtendedProperties", [])} == expected_properties
    assert data.get("internetMessageHeaders") == expected_custom


def test_a_header_graph_cannot_carry_is_refused_rather_than_dropped() -> None:
    with pytest.raises(ValueError, match="Precedence"):
        draft_json(subject="s", body="b", to="pat@customer.example", message_id="<m@x>", in_reply_to=None,
                   references=(), extra_headers={"Precedence": "bulk"})
