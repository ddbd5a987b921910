"""The classifier on hand-written fixtures: one case per product sentence."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MAIL = FIXTURES / "mail"
GRAPH = FIXTURES / "graph_messages"

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY
HARD = InboundKind.BOUNCE_HARD
SOFT = InboundKind.BOUNCE_SOFT
OTHER = InboundKind.AUTO_OTHER


def load(name: str) -> InboundMessage:
    if name.endswith(".json"):
        return InboundMessage.from_graph(json.loads((GRAPH / name).read_text(encoding="utf-8")))
    return InboundMessage.from_bytes((MAIL / name).read_bytes())


KIND_CASES = [
    ("gmail vacation responder arriving in an outlook inbox is out of office", "ooo_gmail_vacation_responder.eml", OOO),
    ("outlook automatic reply with inbox-rules loop is out of office", "ooo_outlook_automatic_reply.eml", OOO),
    ("exchange reply with only a localised subject is out of office", "ooo_exchange_german_subject_only.eml", OOO),
    ("lotus notes AUTO: subject without auto headers is out of office", "ooo_lotus_notes_auto.eml", OOO),
    ("apple icloud X-Apple-Action VACATION is out of office", "ooo_apple_icloud_vacation.eml", OOO),
    ("sieve vacation with auto-replied (vacation) is out of office", "ooo_sieve_vacation_french.eml", OOO),
    ("exim cpanel autoresponder with Precedence auto_reply is out of office", "ooo_exim_cpanel_spanish.eml", OOO),
    ("mail.ru X-AutoReply is out of office", "ooo_mailru_russian.eml", OOO),
    ("qq mail chinese auto-reply is out of office", "ooo_qq_chinese_body.eml", OOO),
    ("no longer with the company auto-reply is out of office", "ooo_left_company.eml", OOO),
    (
        "exchange online oof message class with thin headers is out of office",
        "oof_message_class_thin_headers.json",
        OOO,
    ),
    (
        "graph message with a localised subject and no class is out of office",
        "oof_localised_subject_no_class.json",
        OOO,
    ),
    ("a mailing-list post with list-id from a person is a human reply", "human_reply_mailing_list.eml", HUMAN),
    ("x-auto-response-suppress alone on ordinary outlook mail is a human reply", "human_reply_outlook_xars.eml", HUMAN),
    ("x-ms-exchange-inbox-rules-loop alone is a human reply", "human_reply_rules_loop_only.eml", HUMAN),
    ("graph reply carrying x-auto-response-suppress is a human reply", "human_reply_with_headers.json", HUMAN),
    (
        "auto-submitted alone on a mailer-daemon report is a bounce, not out of office",
        "bounce_gmail_dsn_user_unknown.eml",
        HARD,
    ),
    ("exchange undeliverable report for an unknown recipient is a hard bounce", "bounce_exchange_ndr_text.eml", HARD),
    ("graph NDR message class is a hard bounce when the recipient is not found", "ndr_message_class.json", HARD),
    (
        "exim textual bounce quoting an out-of-office sentence is still a bounce",
        "bounce_exim_textual_user_unknown.eml",
        HARD,
    ),
    ("a full mailbox is a soft bounce", "bounce_postfix_mailbox_full.eml", SOFT),
    ("qmail over quota is a soft bounce even when it says permanent", "bounce_qmail_over_quota.eml", SOFT),
    ("a delayed delivery notice (Action: delayed) is not a bounce: it counts nothing", "bounce_delayed_dsn.eml", OTHER),
    ("a spam-filter rejection is a soft bounce", "bounce_sendmail_spam_block.eml", SOFT),
    ("an abuse feedback report is other automatic mail", "auto_arf_feedback_report.eml", OTHER),
    ("a read receipt is other automatic mail", "auto_read_receipt.eml", OTHER),
    ("a one-click-unsubscribe newsletter is other automatic mail", "auto_newsletter_bulk.eml", OTHER),
    ("a challenge-response request is other automatic mail", "auto_challenge_response.eml", OTHER),
    (
        "a help-desk acknowledgement with auto-replied is other automatic mail, not out of office",
        "auto_helpdesk_acknowledgement.eml",
        OTHER,
    ),
    ("a person's subject starting 'Auto:' is a human reply, not lotus notes", "human_subject_auto_prefix.eml", HUMAN),
    (
        "a person who writes about a holiday and an automatic reply is a human reply",
        "human_reply_mentions_holiday.eml",
        HUMAN,
    ),
    ("a vacation responder that only says 'when I'm back' is out of office", "ooo_gmail_when_back.eml", OOO),
    ("a bounce saying the person is no longer with the company is a hard bounce", "bounce_left_company_ndr.eml", HARD),
    ("a no-reply notification is other automatic mail", "auto_noreply_notification.eml", OTHER),
    (
        "exchange RecipNotFound is a hard bounce: a pasted Received line saying TLS is not a policy block",
        "bounce_exchange_recip_not_found.eml",
        HARD,
    ),
    (
        "a full mailbox quoted inside a relay's 'unknown address' wrapper is a soft bounce",
        "bounce_relay_wrapped_mailbox_full.eml",
        SOFT,
    ),
    (
        "a refusal after MAIL FROM is about the sender, so a soft bounce",
        "bounce_refused_at_mail_from.eml",
        SOFT,
    ),
    ("'host not found, try again' is a temporary DNS failure, so a soft bounce", "bounce_dns_try_again.eml", SOFT),
    (
        "a 5.7.x status with no readable reason is a soft bounce even when called permanent",
        "bounce_policy_status_no_reason.eml",
        SOFT,
    ),
    ("a 521 reply (host accepts no mail) is a hard bounce", "bounce_host_accepts_no_mail.eml", HARD),
    (
        "a bounce that only says the address may not exist (french) is a soft bounce",
        "bounce_group_may_not_exist_fr.eml",
        SOFT,
    ),
    (
        "'recipient name is not recognized' is a hard bounce: the rep's subject recalled in the report is not a reason",
        "bounce_exchange_classic_name_not_recognized.eml",
        HARD,
    ),
    (
        "a bounce whose inner boundary was lost is still read: no such user is a hard bounce",
        "bounce_lost_inner_boundary.eml",
        HARD,
    ),
    (
        "a permanent failure (5.0.0, Action: failed) that states no reason is a hard bounce",
        "bounce_permanent_no_reason_dsn.eml",
        HARD,
    ),
    (
        "a report that gives neither a reason nor a permanent status is a soft bounce",
        "bounce_no_reason_text.eml",
        SOFT,
    ),
    ("a delay warning written only in words is not a bounce: it counts nothing", "bounce_delay_warning_text.eml", OTHER),
    (
        "the server's own 'user unknown' in a transcript beats the report's 'may not exist' boilerplate: hard",
        "bounce_transcript_reply_over_hedge.eml",
        HARD,
    ),
    (
        "a refusal after EHLO is about the sending host, so a soft bounce even when called permanent",
        "bounce_refused_at_ehlo.eml",
        SOFT,
    ),
    (
        "a 550 protocol violation with status 5.0.0 is about the message, so a soft bounce",
        "bounce_protocol_error_no_address_reason.eml",
        SOFT,
    ),
    (
        "a sieve rejection (automatic MDN 'deleted') for a full mailbox is a soft bounce, not a read receipt",
        "bounce_sieve_reject_mdn.eml",
        SOFT,
    ),
    ("an Amazon SES bounce notification for an unknown user is a hard bounce", "bounce_ses_notification.eml", HARD),
    (
        "a mailbox provider's complaint (only the reported message attached) is other automatic mail",
        "auto_provider_complaint_jmrp.eml",
        OTHER,
    ),
    (
        "a person whose subject says 'complaint about message from' is a human reply",
        "human_subject_complaint_about_message.eml",
        HUMAN,
    ),
    (
        "an Amazon SES complaint notification is other automatic mail, not a bounce",
        "auto_ses_complaint_notification.eml",
        OTHER,
    ),
]


@pytest.mark.parametrize(("name", "expected"), [c[1:] for c in KIND_CASES], ids=[c[0] for c in KIND_CASES])
def test_kind(name: str, expected: InboundKind) -> None:
    result = classify(load(name))
    assert result.kind == expected, result.evidence
    assert result.evidence


LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "sv", "no", "da", "fi", "pl", "ru", "ja", "zh", "ko"]


@pytest.mark.parametrize(
    "lang",
    LANGUAGES,
    ids=[f"localised automatic-reply subject in {lang} is out of office with its return date" for lang in LANGUAGES],
)
def test_localised_subjects(lang: str) -> None:
    result = classify(load(f"ooo_subject_{lang}.eml"))
    assert result.kind == OOO
    assert result.return_date == date(2024, 3, 11)


RETURN_DATE_CASES = [
    ("gmail vacation: 'away until 12 March 2024'", "ooo_gmail_vacation_responder.eml", date(2024, 3, 12)),
    (
        "outlook: 'until Friday, 15 March' takes the year from the message date",
        "ooo_outlook_automatic_reply.eml",
        date(2024, 3, 15),
    ),
    ("german 'bis 12.03.2024'", "ooo_exchange_german_subject_only.eml", date(2024, 3, 12)),
    ("lotus notes 'returning 18/03/2024' is read day first", "ooo_lotus_notes_auto.eml", date(2024, 3, 18)),
    ("apple 'back on 20 March'", "ooo_apple_icloud_vacation.eml", date(2024, 3, 20)),
    ('french "jusqu\'au 22 mars 2024"', "ooo_sieve_vacation_french.eml", date(2024, 3, 22)),
    ("spanish 'hasta el 25 de marzo'", "ooo_exim_cpanel_spanish.eml", date(2024, 3, 25)),
    ("russian 'до 27 марта'", "ooo_mailru_russian.eml", date(2024, 3, 27)),
    ("chinese '3月29日回来'", "ooo_qq_chinese_body.eml", date(2024, 3, 29)),
    ("graph html body 'return on 14 March 2024'", "oof_message_class_thin_headers.json", date(2024, 3, 14)),
    ("graph body preview 'weer aanwezig op 18-03-2024'", "oof_localised_subject_no_class.json", date(2024, 3, 18)),
]


@pytest.mark.parametrize(
    ("name", "expected"), [c[1:] for c in RETURN_DATE_CASES], ids=[c[0] for c in RETURN_DATE_CASES]
)
def test_return_date(name: str, expected: date) -> None:
    assert classify(load(name)).return_date == expected


LEFT_CASES = [
    ("'no longer with the company' sets left_company", "ooo_left_company.eml", True),
    ("a bounce for someone who left the company sets left_company", "bounce_left_company_ndr.eml", True),
    ("an ordinary vacation reply does not set left_company", "ooo_gmail_vacation_responder.eml", False),
]


@pytest.mark.parametrize(("name", "expected"), [c[1:] for c in LEFT_CASES], ids=[c[0] for c in LEFT_CASES])
def test_left_company(name: str, expected: bool) -> None:
    assert classify(load(name)).left_company is expected


EVIDENCE_CASES = [
    (
        "outlook evidence names the automatic-reply subject",
        "ooo_outlook_automatic_reply.eml",
        "subject starts with 'Automatic reply'",
    ),
    (
        "gmail evidence names the Auto-Submitted header",
        "ooo_gmail_vacation_responder.eml",
        "header Auto-Submitted: auto-replied",
    ),
    (
        "exchange online evidence names the message class",
        "oof_message_class_thin_headers.json",
        "Exchange out-of-office message class IPM.Note.Rules.OofTemplate.Microsoft",
    ),
    (
        "a permanent failure without a reason says so",
        "bounce_permanent_no_reason_dsn.eml",
        "hard: status 5.0.0 is a permanent failure and the report gives no other reason",
    ),
    (
        "a report without reason or permanence says so",
        "bounce_no_reason_text.eml",
        "soft: the report neither gives a reason nor calls the failure permanent",
    ),
]


@pytest.mark.parametrize(("name", "expected"), [c[1:] for c in EVIDENCE_CASES], ids=[c[0] for c in EVIDENCE_CASES])
def test_evidence_is_readable(name: str, expected: str) -> None:
    assert expected in classify(load(name)).evidence


def test_unparseable_input_is_other_automatic() -> None:
    result = classify(InboundMessage.from_bytes(b"\x00\x01\x02 not a message"))
    assert result.kind == OTHER
    assert result.evidence == ("unparseable",)


def test_received_at_anchors_a_relative_return_date() -> None:
    from datetime import UTC, datetime

    message = load("ooo_outlook_automatic_reply.eml")
    later = classify(message, received_at=datetime(2025, 3, 10, tzinfo=UTC))
    assert later.return_date == date(2025, 3, 15)


# Outside attack a14, finding 7: Exchange's translated "Automatic reply:" is seen whether the subject is
# RFC 2047-encoded or raw UTF-8, so Gmail, Outlook and the dry run read the same notice.
@pytest.mark.parametrize(
    "name",
    ["a14_f07_s01_es_subj_raw8bit.eml", "a14_f07_s02_es_subj_encoded.eml", "a14_f07_s03_ja_subj_raw8bit.eml"],
)
def test_an_exchange_translated_prefix_is_out_of_office_raw_or_encoded(name: str) -> None:
    raw = (Path(__file__).resolve().parents[2] / "fixtures" / "mail_handwritten" / name).read_bytes()
    result = classify(InboundMessage.from_bytes(raw))
    assert result.kind == InboundKind.OUT_OF_OFFICE, result.evidence
    assert any(e.startswith("subject starts with") for e in result.evidence)
