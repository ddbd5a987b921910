"""Delivery reports on hand-written fixtures: who bounced, which email, and which recipients are hard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MAIL = FIXTURES / "mail"
GRAPH = FIXTURES / "graph_messages"

HARD = InboundKind.BOUNCE_HARD
SOFT = InboundKind.BOUNCE_SOFT


def load(name: str) -> InboundMessage:
    if name.endswith(".json"):
        return InboundMessage.from_graph(json.loads((GRAPH / name).read_text(encoding="utf-8")))
    return InboundMessage.from_bytes((MAIL / name).read_bytes())


BOUNCE_DETAIL_CASES = [
    (
        "gmail DSN names the failed recipient and the sequence email's Message-ID",
        "bounce_gmail_dsn_user_unknown.eml",
        ("old.contact@buyer.example",),
        "seq-step1-0009@seller.example",
        "5.1.1",
    ),
    (
        "exchange NDR text gives the recipient and the original Message-ID from its header dump",
        "bounce_exchange_ndr_text.eml",
        ("gone.person@buyer.example",),
        "seq-step1-0010@seller.example",
        "5.1.10",
    ),
    (
        "postfix DSN with text/rfc822-headers gives the original Message-ID",
        "bounce_postfix_mailbox_full.eml",
        ("full.box@buyer.example",),
        "seq-step2-0011@seller.example",
        "5.2.2",
    ),
    (
        "exim X-Failed-Recipients and the pasted original give recipient and Message-ID",
        "bounce_exim_textual_user_unknown.eml",
        ("nobody.here@buyer.example",),
        "seq-step1-0012@seller.example",
        "5.1.1",
    ),
    (
        "qmail textual report gives recipient and the pasted Message-ID",
        "bounce_qmail_over_quota.eml",
        ("busy.person@buyer.example",),
        "seq-step3-0013@seller.example",
        "5.2.2",
    ),
    (
        "a sieve rejection names the refused recipient and the rep's Message-ID from the MDN",
        "bounce_sieve_reject_mdn.eml",
        ("full.contact@buyer.example",),
        "seq-step1-0042@seller.example",
        "",
    ),
    (
        "an Amazon SES bounce notification names the recipient and its status",
        "bounce_ses_notification.eml",
        ("gone.contact@buyer.example",),
        None,
        "5.1.1",
    ),
    (
        "graph NDR without MIME still names the recipient from the body",
        "ndr_message_class.json",
        ("missing.person@buyer.example",),
        None,
        "5.1.10",
    ),
]


@pytest.mark.parametrize(
    ("name", "recipients", "original", "status"),
    [c[1:] for c in BOUNCE_DETAIL_CASES],
    ids=[c[0] for c in BOUNCE_DETAIL_CASES],
)
def test_bounce_details(name: str, recipients: tuple[str, ...], original: str | None, status: str) -> None:
    result = classify(load(name))
    assert result.kind.is_bounce
    assert result.bounced_recipients == recipients
    assert result.original_message_id == original
    assert not status or status in result.status_codes


GONE, BUSY = "gone.person@buyer.example", "busy.buyer@buyer.example"

HARD_RECIPIENT_CASES = [
    pytest.param("bounce_dsn_unknown_user_and_full_mailbox.eml", HARD, (GONE,),
                 id="a DSN about one unknown user and one full mailbox calls only the unknown user hard"),
    pytest.param("bounce_postfix_text_unknown_user_and_full_mailbox.eml", SOFT, (GONE,),
                 id="a postfix text report reads each recipient's own 'said:' reply"),
    pytest.param("bounce_exim_text_full_mailbox_and_unknown_user.eml", SOFT, (GONE,),
                 id="an exim text report reads the lines under each failed address"),
    pytest.param("bounce_dsn_two_unknown_users.eml", HARD, (GONE, "former.buyer@buyer.example"),
                 id="a DSN about two unknown users calls both hard"),
    pytest.param("bounce_dsn_one_block_without_detail.eml", HARD, (),
                 id="a DSN block without its own status or diagnostic leaves the report's kind for everyone"),
    pytest.param("bounce_postfix_mailbox_full.eml", SOFT, (),
                 id="a soft bounce about one recipient names no hard recipient"),
    pytest.param("bounce_gmail_dsn_user_unknown.eml", HARD, ("old.contact@buyer.example",),
                 id="a hard DSN about one recipient names it hard"),
]


@pytest.mark.parametrize(("name", "kind", "hard"), HARD_RECIPIENT_CASES)
def test_hard_recipients_are_read_from_each_recipients_own_report(
    name: str, kind: InboundKind, hard: tuple[str, ...]
) -> None:
    result = classify(load(name))
    assert result.kind == kind
    assert result.hard_recipients == hard
    assert set(hard) <= set(result.bounced_recipients)


def test_a_mixed_report_says_in_its_evidence_which_recipient_was_hard_and_which_soft() -> None:
    evidence = classify(load("bounce_dsn_unknown_user_and_full_mailbox.eml")).evidence
    line = next(e for e in evidence if e.startswith("per recipient:"))
    assert f"{GONE} hard: the mailbox does not exist" in line
    assert f"{BUSY} soft: the mailbox is full" in line


def test_messages_that_are_not_bounces_name_no_hard_recipient() -> None:
    for name in ("human_reply_outlook_xars.eml", "ooo_gmail_vacation_responder.eml", "ooo_left_company.eml"):
        assert classify(load(name)).hard_recipients == ()


def test_a_chinese_plain_text_bounce_from_the_system_administrator_is_a_hard_bounce() -> None:
    raw = (
        "From: =?utf-8?b?57O757uf566h55CG5ZGY?= <admin@cliente.example>\r\nTo: ava.reed@northwind.example\r\n"
        "Subject: Quick question\r\nDate: Sun, 06 Dec 2026 15:30:00 +0000\r\nMessage-ID: <zh-bounce-1@cliente.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "很抱歉，您发送的邮件被退回了。\r\n收件人：zhang.wei@cliente.example\r\n退回原因：收件人邮箱地址不存在\r\n550 Mailbox not found\r\n"
    ).encode()
    result = classify(InboundMessage.from_bytes(raw))
    assert result.kind is InboundKind.BOUNCE_HARD, result.evidence
    assert result.bounced_recipients == ("zhang.wei@cliente.example",)


def test_a_server_that_cannot_take_a_utf8_address_is_a_soft_bounce_not_an_address_gone() -> None:
    # "did not offer SMTPUTF8" (RFC 6531) is about how the message was sent, not about the address.
    result = classify(load("bounce_smtputf8_not_offered.eml"))
    assert result.kind is SOFT, result.evidence
    assert "soft: the sender or the message was refused" in result.evidence


def test_a_mailing_list_server_that_refuses_a_non_member_is_a_soft_bounce_for_the_list_address() -> None:
    result = classify(load("bounce_list_not_a_member.eml"))
    assert result.kind is SOFT, result.evidence
    # The list's command address named in the notice is no recipient.
    assert result.bounced_recipients == ("partners@lists.buyer.example",)


def test_a_person_who_writes_that_someone_is_not_a_list_member_stays_a_reply() -> None:
    # Without the list server's own header, the words are a person's.
    assert classify(load("human_list_post_not_a_member.eml")).kind is InboundKind.HUMAN_REPLY


def _carrier_report(text: str) -> InboundMessage:
    raw = (
        "From: MAILER-DAEMON@docomo.ne.jp\r\nTo: ava.reed@northwind.example\r\n"
        "Subject: Returned mail: see transcript for details\r\nDate: Sun, 06 Dec 2026 15:30:00 +0000\r\n"
        "Message-ID: <jp-bounce-1@docomo.ne.jp>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{text}\r\n\r\n----- Original message -----\r\nMessage-ID: <seq-1@northwind.example>\r\n"
        "To: kim@cliente.example\r\n"
    )
    return InboundMessage.from_bytes(raw.encode())


# Japanese carriers' (docomo, au, SoftBank) and servers' own words for "the address does not exist".
JAPANESE_CARRIER_CASES = [
    pytest.param("お客様が送信されたメールは、宛先のメールアドレスが存在しないため配信できませんでした。\n宛先: kim@cliente.example",
                 HARD, id="an address that does not exist in the plain form is a hard bounce"),
    pytest.param("ご指定のアドレス kim@cliente.example は現在使われておりません。", HARD,
                 id="an address no longer in use (polite form) is a hard bounce"),
    pytest.param("kim@cliente.example は存在しないアドレスです。", HARD, id="a non-existent address is a hard bounce"),
    pytest.param("kim@cliente.example 宛先不明です。", HARD, id="an unknown addressee is a hard bounce"),
    pytest.param("受信者が見つかりません: kim@cliente.example", HARD, id="a recipient not found is a hard bounce"),
    pytest.param("指定されたメールアドレスは現在使用されていません: kim@cliente.example", HARD,
                 id="an address not in use (plain form) is a hard bounce"),
    pytest.param("宛先のメールアドレスは存在しません: kim@cliente.example", HARD,
                 id="the address does not exist (polite form) stays a hard bounce"),
    pytest.param("宛先のメールアドレス kim@cliente.example は存在しない可能性があります。", SOFT,
                 id="an address that may not exist is not a hard bounce"),
    pytest.param("kim@cliente.example のメールボックスが満杯のため配信できませんでした。", SOFT,
                 id="a full mailbox in Japanese stays a soft bounce"),
]


@pytest.mark.parametrize(("text", "kind"), JAPANESE_CARRIER_CASES)
def test_japanese_carrier_reports(text: str, kind: InboundKind) -> None:
    result = classify(_carrier_report(text))
    assert result.kind is kind, result.evidence
