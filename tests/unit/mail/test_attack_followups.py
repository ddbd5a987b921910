"""Edges found after the outside attack on issue 14: each case a product sentence, written fresh (not the
attack's own messages, which tests/unit/mail/test_handwritten_attack.py reads)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import DELIVERY_DELAYED, classify
from addin_server.mail.message import InboundMessage
from addin_server.mail.return_date import find_return_date
from tests.unit.mail.test_absence import AUTO, reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY


LEAVING_CASES = [
    pytest.param("Heute bin ich nicht mehr im Haus. Ab morgen früh bin ich wieder für Sie da.", False,
                 id="gone for the day in German is an absence, not leaving"),
    pytest.param("本日は退社いたしました。明日ご連絡いたします。", False,
                 id="taisha for the day in Japanese is an absence, not leaving"),
    pytest.param("3月31日をもって退社いたしました。今後は info@buyer.example までご連絡ください。", True,
                 id="taisha dated as the last day in Japanese is leaving for good"),
    pytest.param("This address is no longer in use; please write to dana@buyer-group.example. I'm still at Buyer.", False,
                 id="an address change by someone still at the company is not leaving"),
    pytest.param("Inbox not monitored at weekends and no longer monitored after 6pm. I'll reply on Monday.", False,
                 id="a mailbox unread after hours is not leaving"),
    pytest.param("I have left Buyer Corp. This mailbox will remain active until 31 January. Please write to "
                 "sales@buyer.example.", True, id="a closing mailbox's last day is not a return"),
    pytest.param("I have retired from Buyer Corp as of 30 November. Please contact my successor, jo@buyer.example.",
                 True, id="retiring as of a date is leaving for good"),
    pytest.param("Ich habe das Unternehmen verlassen. Bitte wenden Sie sich an info@buyer.example.", True,
                 id="having left the company in German is leaving for good"),
    pytest.param("Ya no trabajo en Buyer. Por favor, escriba a info@buyer.example.", True,
                 id="no longer working there in Spanish is leaving for good"),
    pytest.param("Ich bin bis 4. Januar nicht mehr für die Buyer GmbH tätig, da ich im Urlaub bin.", False,
                 id="not working there until a date is an absence"),
]


@pytest.mark.parametrize(("body", "left"), LEAVING_CASES)
def test_leaving_for_good_is_read_only_where_it_is_meant(body: str, left: bool) -> None:
    got = classify(reply(body, subject="Automatic reply: Quick question", headers=AUTO))
    assert got.kind is OOO and got.left_company is left, got.evidence


NO_HEADER_CASES = [
    pytest.param("I'm travelling this week - yes, let's talk Thursday.", HUMAN,
                 id="a traveller who agrees to talk stays a reply"),
    pytest.param("I'm out of the office today. No thanks, we already have a provider.", HUMAN,
                 id="a person who declines while away stays a reply"),
    pytest.param("Estoy de viaje hasta el viernes, pero sí me interesa. Escríbame después.", HUMAN,
                 id="a Spanish traveller who is interested stays a reply"),
    pytest.param("Thanks for your email.\n\nDana Fischer\nVP Sales | Out of office Fridays | For urgent matters call "
                 "+1 555 0100\n\nSure, send over the pricing.", HUMAN,
                 id="an absence in a signature line is not the message's statement"),
    pytest.param("I have left the building for the day.", OOO, id="left for the day alone is an absence notice"),
    pytest.param("Ik ben vandaag niet meer op kantoor en morgen weer bereikbaar.", OOO,
                 id="a Dutch gone-for-the-day notice is out of office"),
    pytest.param("Je suis actuellement en déplacement avec un accès restreint à mes e-mails. Je vous répondrai dès "
                 "que possible.", OOO, id="a French travel notice is out of office"),
]


@pytest.mark.parametrize(("body", "kind"), NO_HEADER_CASES)
def test_without_headers_a_notice_is_told_from_a_person(body: str, kind: InboundKind) -> None:
    got = classify(reply(body))
    assert got.kind is kind, got.evidence


def test_lotus_french_subject_with_the_parenthesised_ending_is_out_of_office() -> None:
    got = classify(reply("Je serai absent(e) du bureau à partir du 07/12/2026 et ne serai pas de retour avant le "
                         "14/12/2026.", subject="Dana Fischer est absent(e)."))
    assert got.kind is OOO and got.return_date == date(2026, 12, 14), got.evidence


ANCHOR = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "back"), [
    pytest.param("12月21日から1月1日まで休暇をいただいております。1月4日（月）より出社いたします。", date(2027, 1, 4),
                 id="the Japanese day back beats the span's start and end"),
    pytest.param("我于12月21日至1月1日休假，将于1月4日返回办公室。", date(2027, 1, 4),
                 id="the Chinese day back beats the span"),
    pytest.param("Ich werde ab 07.12.2026 nicht im Büro sein. Ich kehre zurück am 14.12.2026.", date(2026, 12, 14),
                 id="zurück am beats the ab of the absence's start"),
    pytest.param("Ab Montag, 14. Dezember bin ich wieder erreichbar; bis dahin bin ich nicht im Büro.", date(2026, 12, 14),
                 id="ab with wieder erreichbar is still the day back"),
    pytest.param("I'm away between 8 and 11 December and will reply on Monday 14 December.", date(2026, 12, 14),
                 id="the day a notice will reply on is the day back"),
])
def test_the_return_date_is_the_day_back(text: str, back: date) -> None:
    assert find_return_date(text, ANCHOR) == back


def _raw(subject: str, body: str, sender: str = "Mail Delivery System <MAILER-DAEMON@mx.buyer.example>") -> bytes:
    return (f"From: {sender}\r\nTo: ava@seller.example\r\nSubject: {subject}\r\nDate: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
            f"Message-ID: <d1@mx.buyer.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


def test_an_exim_delay_warning_is_not_a_bounce_whatever_the_bounce_library_says() -> None:
    got = classify(InboundMessage.from_bytes(_raw(
        "Warning: message 1kXyZa-0001Ab-Cd delayed 24 hours",
        "This message was created automatically by mail delivery software.\r\nA message that you sent has not yet "
        "been delivered to one or more of its recipients after more than 24 hours on the queue.\r\n\r\n"
        "  dana@buyer.example\r\n    451 4.7.1 Greylisted, please try again later\r\n\r\n"
        "No action is required on your part. Delivery attempts will continue for some time.")))
    assert got.kind is InboundKind.AUTO_OTHER and got.evidence[0].startswith(f"{DELIVERY_DELAYED}: "), got.evidence


def test_a_textual_failure_without_a_delay_subject_is_still_a_bounce() -> None:
    got = classify(InboundMessage.from_bytes(_raw(
        "Mail delivery failed: returning message to sender",
        "This message was created automatically by mail delivery software.\r\nA message that you sent could not be "
        "delivered to one or more of its recipients. This is a permanent error.\r\n\r\n  dana@buyer.example\r\n"
        "    550 5.1.1 User unknown")))
    assert got.kind is InboundKind.BOUNCE_HARD, got.evidence


def test_a_date_header_whose_year_is_misread_is_no_date() -> None:
    raw = _raw("Re: Quick question", "I'm out of the office until Monday 14 December.", sender="dana@buyer.example")
    message = InboundMessage.from_bytes(raw.replace(b"Mon, 07 Dec 2026", b"Mon, 01 Jan 0001"))
    assert message.date is None
