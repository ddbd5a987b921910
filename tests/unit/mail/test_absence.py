"""Absence notices without automatic headers, "left the company" only where it is meant, delays,
address-gone reports and return dates: one case per product sentence (issue 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.header import Header

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import DELIVERY_DELAYED, classify
from addin_server.mail.message import InboundMessage
from addin_server.mail.return_date import find_return_date

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY
HARD = InboundKind.BOUNCE_HARD
SOFT = InboundKind.BOUNCE_SOFT
OTHER = InboundKind.AUTO_OTHER


def reply(
    body: str,
    *,
    subject: str = "Re: Quick question about your Q3 pipeline",
    sender: str = "Dana Fischer <dana.fischer@buyer.example>",
    headers: str = "",
    date_header: str = "Mon, 07 Dec 2026 09:12:00 +0000",
) -> InboundMessage:
    """A reply to the rep's sequence email, as the contact's server delivers it (no auto headers by default)."""
    # Non-ASCII subjects travel RFC 2047-encoded, as mail servers send them.
    encoded = Header(subject, "utf-8").encode() if not subject.isascii() else subject
    raw = (
        f"From: {sender}\r\nTo: Ava Rep <ava@seller.example>\r\nSubject: {encoded}\r\nDate: {date_header}\r\n"
        "Message-ID: <reply-1@buyer.example>\r\nIn-Reply-To: <seq-step1-0001@seller.example>\r\n"
        "References: <seq-step1-0001@seller.example>\r\n"
        f"{headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n\r\n> Hi Dana, would you have 20 minutes next week?\r\n"
    )
    return InboundMessage.from_bytes(raw.encode("utf-8"))


AUTO = "Auto-Submitted: auto-replied\r\n"

# Item 5: absence notices with no automatic header, in each language, and people who mention an absence.
NO_HEADER_CASES = [
    pytest.param(
        "Thank you for your email. I'm out of the office until Monday 14 December with limited access to email. "
        "For urgent matters please contact jo@buyer.example.",
        "Re: Quick question", OOO, id="english notice with a Re: subject and no auto header is out of office",
    ),
    pytest.param(
        "Vielen Dank für Ihre Nachricht. Ich bin bis zum 14.12. nicht im Büro und habe nur eingeschränkten Zugriff auf "
        "meine E-Mails. In dringenden Fällen wenden Sie sich bitte an jo@buyer.example.",
        "AW: Kurze Frage", OOO, id="german notice without auto header is out of office",
    ),
    pytest.param(
        "Merci pour votre message. Je suis absente jusqu'au 14 décembre. En cas d'urgence, vous pouvez contacter "
        "jo@buyer.example. Je vous répondrai dès mon retour.",
        "RE: Question rapide", OOO, id="french notice without auto header is out of office",
    ),
    pytest.param(
        "Gracias por su mensaje. Estoy fuera de la oficina hasta el 14 de diciembre. Para asuntos urgentes, "
        "contacte con jo@buyer.example.",
        "RE: Pregunta", OOO, id="spanish notice without auto header is out of office",
    ),
    pytest.param(
        "Bedankt voor uw e-mail. Ik ben afwezig tot en met 14 december. Voor dringende zaken kunt u contact opnemen "
        "met jo@buyer.example.",
        "RE: Vraag", OOO, id="dutch notice without auto header is out of office",
    ),
    pytest.param(
        "Grazie per la sua e-mail. Sono fuori ufficio fino al 14 dicembre. Per questioni urgenti contattare "
        "jo@buyer.example. Risponderò al mio rientro.",
        "R: Domanda", OOO, id="italian notice without auto header is out of office",
    ),
    pytest.param(
        "Obrigado pelo seu e-mail. Estou ausente até 14/12 com acesso limitado ao e-mail. Em caso de urgência, "
        "contacte jo@buyer.example.",
        "RE: Pergunta", OOO, id="portuguese notice without auto header is out of office",
    ),
    pytest.param(
        "メールありがとうございます。12月14日まで休暇のため不在にしております。戻り次第ご連絡いたします。"
        "お急ぎの場合は jo@buyer.example までご連絡ください。",
        "RE: ご質問", OOO, id="japanese notice without auto header is out of office",
    ),
    pytest.param(
        "感谢您的来信。我正在休假，12月14日回来。如有急事请联系 jo@buyer.example。",
        "回复: 问题", OOO, id="chinese notice without auto header is out of office",
    ),
    pytest.param(
        "I am out of the office and will reply to your message when I return on 14 December.",
        "Re: Quick question", OOO, id="'will reply when I return' with a date is out of office",
    ),
    pytest.param(
        "I was on holiday last week; yes, let's talk Thursday.",
        "Re: Quick question", HUMAN, id="a person who mentions a past holiday and answers stays a human reply",
    ),
    pytest.param(
        "Sorry for the slow reply, I was out of the office until today. Happy to talk - does Thursday work?",
        "Re: Quick question", HUMAN, id="a person back from an absence who proposes a call stays a human reply",
    ),
    pytest.param(
        "I'm on vacation until 14 December, but sure, let's set up a call after that. Which day suits you?",
        "Re: Quick question", HUMAN, id="a person on holiday who still answers the question stays a human reply",
    ),
    pytest.param(
        "Ich war letzte Woche im Urlaub. Gerne können wir am Donnerstag telefonieren.",
        "AW: Kurze Frage", HUMAN, id="a german person back from holiday who answers stays a human reply",
    ),
    pytest.param(
        "I'm out of the office.",
        "Re: Quick question", HUMAN,
        id="an absence sentence alone without any other part of a notice stays a human reply",
    ),
    pytest.param(
        "Ich bin bis Freitag im Urlaub, danach gerne ein Termin.",
        "AW: Kurze Frage", HUMAN, id="a german person away until friday who agrees to a meeting stays a human reply",
    ),
    pytest.param(
        "I'm out of the office until Monday 14 December. Could we move our call to Tuesday?",
        "Re: Quick question", HUMAN, id="a person away who asks the rep a question stays a human reply",
    ),
    pytest.param(
        "Thank you for your email. I am out of the office until 14 December. Need urgent help? Please contact "
        "jo@buyer.example.",
        "Re: Quick question", OOO, id="a notice's routing question ('Need urgent help? Please contact') is not a question to the rep",
    ),
    pytest.param(
        "Vielen Dank für Ihre Nachricht. Ich bin bis zum 14.12. im Urlaub. Gerne können Sie sich an meine Kollegin "
        "jo@buyer.example wenden.",
        "AW: Kurze Frage", OOO, id="a german notice opening 'Gerne können Sie sich an meine Kollegin wenden' is out of office",
    ),
]


@pytest.mark.parametrize(("body", "subject", "expected"), NO_HEADER_CASES)
def test_absence_notice_without_headers(body: str, subject: str, expected: InboundKind) -> None:
    result = classify(reply(body, subject=subject))
    assert result.kind == expected, result.evidence
    if expected == OOO:
        assert any(e.startswith("no automatic-reply header; text reads as an absence notice") for e in result.evidence)
        assert result.left_company is False


def test_a_notice_without_headers_explains_its_score_part_by_part() -> None:
    result = classify(
        reply(
            "Thank you for your email. I'm out of the office until Monday 14 December with limited access to email. "
            "For urgent matters please contact jo@buyer.example."
        )
    )
    line = next(e for e in result.evidence if e.startswith("no automatic-reply header"))
    for part in ("absence ", "return date 2026-12-14 +2", "limited access", "urgent matters go", "template opening"):
        assert part in line
    assert result.return_date == date(2026, 12, 14)


SUBJECT_CASES = [
    pytest.param("Dana Fischer is out of the office.", id="lotus notes '<Name> is out of the office.' subject"),
    pytest.param("AUTO: Dana Fischer is out of the office (returning 14/12/2026)", id="lotus notes AUTO: with return"),
    pytest.param("Odpowiedź automatyczna: Quick question", id="exchange polish 'Odpowiedź automatyczna:'"),
    pytest.param("自动答复: Quick question", id="exchange simplified chinese '自动答复:'"),
    pytest.param("自動回覆: Quick question", id="exchange traditional chinese '自動回覆:'"),
    pytest.param("Automatická odpověď: Quick question", id="exchange czech 'Automatická odpověď:'"),
    pytest.param("Αυτόματη απάντηση: Quick question", id="exchange greek 'Αυτόματη απάντηση:'"),
    pytest.param("Răspuns automat: Quick question", id="exchange romanian 'Răspuns automat:'"),
    pytest.param("Automatická odpoveď: Quick question", id="exchange slovak 'Automatická odpoveď:'"),
    pytest.param("Samodejni odgovor: Quick question", id="exchange slovenian 'Samodejni odgovor:'"),
    pytest.param("Automatski odgovor: Quick question", id="exchange croatian 'Automatski odgovor:'"),
    pytest.param("Автоматична відповідь: Quick question", id="exchange ukrainian 'Автоматична відповідь:'"),
    pytest.param("Otomatik yanıt: Quick question", id="exchange turkish 'Otomatik yanıt:'"),
    pytest.param("Automatikus válasz: Quick question", id="exchange hungarian 'Automatikus válasz:'"),
    pytest.param("Trả lời tự động: Quick question", id="exchange vietnamese 'Trả lời tự động:'"),
    pytest.param("תשובה אוטומטית: Quick question", id="exchange hebrew 'תשובה אוטומטית:'"),
    pytest.param("رد تلقائي: Quick question", id="exchange arabic 'رد تلقائي:'"),
    pytest.param("ตอบกลับอัตโนมัติ: Quick question", id="exchange thai 'ตอบกลับอัตโนมัติ:'"),
    pytest.param("Balasan otomatis: Quick question", id="exchange indonesian 'Balasan otomatis:'"),
    pytest.param("Аутоматски одговор: Quick question", id="exchange serbian cyrillic 'Аутоматски одговор:'"),
    pytest.param("Automaatvastus: Quick question", id="exchange estonian 'Automaatvastus:'"),
    pytest.param("[Automatyczna odpowiedź] Quick question", id="a prefix written in brackets ('[Automatyczna odpowiedź]')"),
    pytest.param("Dana Fischer is out of the office", id="lotus notes subject without a stop"),
]


@pytest.mark.parametrize("subject", SUBJECT_CASES)
def test_exchange_and_lotus_subjects_are_out_of_office(subject: str) -> None:
    result = classify(reply("Back on 14 December.", subject=subject))
    assert result.kind == OOO, result.evidence


def test_a_person_quoting_a_lotus_subject_in_a_reply_stays_human() -> None:
    result = classify(reply("Thanks, got it - see you Thursday.", subject="Re: Dana Fischer is out of the office"))
    assert result.kind == HUMAN


# Item 1: an absence is never "left the company"; leaving for good is.
LEFT_CASES = [
    pytest.param(
        "Out of Office", "I have left the office for the holidays and will be back on Monday 4 January.",
        False, id="'left the office for the holidays' is an absence, not leaving",
    ),
    pytest.param(
        "Out of Office", "I have left the building for the day. I will answer tomorrow.",
        False, id="'left the building for the day' is an absence, not leaving",
    ),
    pytest.param(
        "Automatic reply: Quick question",
        "This mailbox is no longer in use until 14 December while I'm travelling.",
        False, id="'no longer in use until 14 December' is an absence, not leaving",
    ),
    pytest.param(
        "Automatic reply: Quick question",
        "I'm out of the office until 14 December. Please note that Bob Miller no longer works at Acme; for his "
        "accounts write to sales@buyer.example.",
        False, id="an out-of-office that says a colleague no longer works there is not the sender leaving",
    ),
    pytest.param(
        "Automatic reply: Quick question",
        "Please note that Bob Miller no longer works at Acme. For his accounts write to sales@buyer.example.",
        False, id="a notice about a named colleague leaving is not the sender leaving",
    ),
    pytest.param(
        "Automatic reply: Quick question",
        "Dana Fischer is no longer with Acme. Please contact sales@buyer.example.",
        True, id="'<sender> is no longer with Acme' with no return is leaving",
    ),
    pytest.param(
        "Automatic reply: Quick question", "I have left Acme. Please write to sales@buyer.example.",
        True, id="'I have left Acme' is leaving",
    ),
    pytest.param(
        "Automatic reply: Quick question",
        "I have left Acme. Until 31 December my mail is read by sales@buyer.example.",
        False, id="a leaving notice that also names a date is not read as leaving: irreversible needs no doubt",
    ),
    pytest.param(
        "Automatische Antwort: Kurze Frage",
        "Frau Fischer ist nicht mehr für die Acme GmbH tätig. Bitte wenden Sie sich an vertrieb@buyer.example.",
        True, id="german 'ist nicht mehr für die Acme GmbH tätig' is leaving",
    ),
    pytest.param(
        "Automatische Antwort: Kurze Frage",
        "Leider bin ich nicht mehr für die Acme GmbH tätig. Bitte schreiben Sie an vertrieb@buyer.example.",
        True, id="german first person 'Leider bin ich nicht mehr für die Acme GmbH tätig' is leaving",
    ),
    pytest.param(
        "Automatic reply: Quick question",
        "Bob Miller and I no longer work at Acme. Please write to sales@buyer.example.",
        True, id="a first-person leaving sentence that also names a colleague is the sender leaving",
    ),
    pytest.param(
        "Réponse automatique : Question", "Dana Fischer ne travaille plus chez Acme. Merci d'écrire à ventes@buyer.example.",
        True, id="french 'ne travaille plus chez Acme' is leaving",
    ),
    pytest.param(
        "Respuesta automática: Pregunta", "Dana Fischer ya no trabaja en Acme. Escriba a ventas@buyer.example.",
        True, id="spanish 'ya no trabaja en Acme' is leaving",
    ),
    pytest.param(
        "Risposta automatica: Domanda", "Dana Fischer non lavora più presso Acme. Scrivere a vendite@buyer.example.",
        True, id="italian 'non lavora più presso Acme' is leaving",
    ),
    pytest.param(
        "Automatisch antwoord: Vraag", "Dana Fischer is niet meer bij Acme werkzaam. Mail naar verkoop@buyer.example.",
        True, id="dutch 'is niet meer bij Acme werkzaam' is leaving",
    ),
    pytest.param(
        "Resposta automática: Pergunta", "Dana Fischer não trabalha mais na Acme. Escreva para vendas@buyer.example.",
        True, id="portuguese 'não trabalha mais na Acme' is leaving",
    ),
    pytest.param(
        "自動応答: ご質問", "フィッシャーは退職いたしました。今後は sales@buyer.example までご連絡ください。",
        True, id="japanese '退職いたしました' is leaving",
    ),
    pytest.param(
        "自动答复: 问题", "Dana Fischer 已离职。请联系 sales@buyer.example。",
        True, id="chinese '已离职' is leaving",
    ),
    # Outside attack a14, finding 5: one's own leaving in the languages in scope.
    pytest.param("Automatic reply: Pilot", "My last day at Acme was Friday 4 December. Please contact priya@example.org "
                 "going forward.", True, id="en: 'my last day at Acme was' a past day is leaving"),
    pytest.param("Automatic reply: Pilot", "I'm on maternity leave and will not be returning to Acme.", True,
                 id="en: 'will not be returning to Acme' is leaving"),
    pytest.param("Automatic reply: Pilot", "I have retired. Please write to info@example.org.", True,
                 id="en: 'I have retired' is leaving"),
    pytest.param("Resposta automática: Pilot", "Já não trabalho na Acme. Contacte info@example.org.", True,
                 id="pt: 'já não trabalho na' is leaving"),
    pytest.param("自动答复: Pilot", "我已于11月30日离开公司，请联系 info@example.org。", True,
                 id="zh: a dated '已于…离开公司' is leaving"),
    pytest.param("Respuesta automática: Pilot", "Me he jubilado. Para cualquier asunto escriba a info@example.org.", True,
                 id="es: 'me he jubilado' is leaving"),
    pytest.param("Automatisch antwoord: Pilot", "Ik ben met pensioen. Mail naar info@example.org.", True,
                 id="nl: 'ik ben met pensioen' is leaving"),
    pytest.param("Risposta automatica: Pilot", "Sono andato in pensione. Scrivere a info@example.org.", True,
                 id="it: 'sono andato in pensione' is leaving"),
    pytest.param("Réponse automatique : Pilot", "Je suis parti à la retraite. Écrivez à info@example.org.", True,
                 id="fr: 'je suis parti à la retraite' is leaving"),
    pytest.param("Automatische Antwort: Pilot", "Ich bin in den Ruhestand gegangen. Bitte an info@example.org.", True,
                 id="de: 'in den Ruhestand gegangen' is leaving"),
    pytest.param("Automatic reply: Pilot", "I won't be returning to the office until 4 January.", False,
                 id="en: 'not returning to the office until' is an absence, not leaving"),
    pytest.param("Automatic reply: Pilot", "My last day at the office this year was Friday; back on 4 January.", False,
                 id="en: a last day before the holidays with a return is not leaving"),
]


@pytest.mark.parametrize(("subject", "body", "left"), LEFT_CASES)
def test_left_company_only_for_leaving_for_good(subject: str, body: str, left: bool) -> None:
    result = classify(reply(body, subject=subject, headers=AUTO))
    assert result.kind == OOO, result.evidence
    assert result.left_company is left, result.evidence


def test_a_holiday_notice_that_says_left_keeps_its_return_date() -> None:
    result = classify(
        reply(
            "I have left the office for the holidays and will be back on Monday 4 January.",
            subject="Out of Office",
            headers=AUTO,
            date_header="Wed, 23 Dec 2026 17:00:00 +0000",
        )
    )
    assert (result.kind, result.left_company, result.return_date) == (OOO, False, date(2027, 1, 4))


def _dsn(action: str, status: str, diagnostic: str, *, extra: str = "", subject: str = "Delivery Status Notification") -> InboundMessage:
    raw = (
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\nTo: ava@seller.example\r\n"
        f"Subject: {subject}\r\nDate: Mon, 07 Dec 2026 09:12:00 +0000\r\nAuto-Submitted: auto-replied\r\n"
        "Message-ID: <dsn-1@mx.google.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDelivery report for dana@buyer.example\r\n\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.google.example\r\n\r\n"
        f"Final-Recipient: rfc822; dana@buyer.example\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {diagnostic}\r\n{extra}\r\n"
        "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <seq-step1-0001@seller.example>\r\n"
        "From: ava@seller.example\r\nTo: dana@buyer.example\r\nSubject: Quick question\r\n\r\n--b1--\r\n"
    )
    return InboundMessage.from_bytes(raw.encode("utf-8"))


# Item 2 (classification) and item 9: delays count nothing; a gone address is hard whatever the class digit.
DELIVERY_CASES = [
    pytest.param(
        _dsn("delayed", "4.4.1", "The recipient server did not accept our requests to connect.",
             extra="Will-Retry-Until: Wed, 09 Dec 2026 09:12:00 +0000\r\n",
             subject="Delivery Status Notification (Delay)"),
        OTHER, id="gmail 'Delivery Status Notification (Delay)' with Action: delayed is not a bounce",
    ),
    pytest.param(
        _dsn("delayed", "4.2.2", "452 4.2.2 Mailbox full, will retry"),
        OTHER, id="a delayed report about a full mailbox is not a bounce either",
    ),
    pytest.param(
        _dsn("failed", "5.7.1", "550 5.7.1 No mailbox found"),
        HARD, id="550 5.7.1 'No mailbox found' is a hard bounce",
    ),
    pytest.param(
        _dsn("failed", "4.0.0", "450 4.0.0 <dana@buyer.example>: Recipient address rejected: User unknown"),
        HARD, id="'user unknown' is hard even under a 4.x.x status",
    ),
    pytest.param(
        _dsn("failed", "4.4.7", "Message expired, the server did not answer"),
        SOFT, id="a delivery that expired in the queue after retries is still a soft bounce",
    ),
]


@pytest.mark.parametrize(("message", "expected"), DELIVERY_CASES)
def test_delivery_reports(message: InboundMessage, expected: InboundKind) -> None:
    result = classify(message)
    assert result.kind == expected, result.evidence
    if expected == OTHER:
        assert result.evidence[0].startswith(DELIVERY_DELAYED)
        assert result.bounced_recipients == ()
        assert result.original_message_id == "seq-step1-0001@seller.example"


RETURN_CASES = [
    pytest.param(
        "I am away May 25 through May 29 and back in the office on June 1.", datetime(2026, 5, 20, tzinfo=UTC),
        date(2026, 6, 1), id="'back in the office on June 1' after 'away May 25 through May 29' is June 1",
    ),
    pytest.param(
        "Away May 25 - May 29, back in the office on June 1.", datetime(2026, 5, 20, tzinfo=UTC),
        date(2026, 6, 1), id="a range then 'back in the office on' gives the day back",
    ),
    pytest.param(
        "I am out of the office, returning on Monday 15th September.", datetime(2014, 9, 16, 8, tzinfo=UTC),
        date(2014, 9, 15), id="'returning on Monday 15th September' received 16 Sep 2014 is 2014: the weekday pins the year",
    ),
    pytest.param(
        "Back on Friday 4 March.", datetime(2027, 2, 20, tzinfo=UTC),
        date(2027, 3, 4), id="a weekday that matches the coming date keeps the coming year",
    ),
]


@pytest.mark.parametrize(("text", "received", "expected"), RETURN_CASES)
def test_return_dates(text: str, received: datetime, expected: date) -> None:
    assert find_return_date(text, received) == expected


def test_a_huge_reply_is_judged_quickly_and_stays_human() -> None:
    import time

    started = time.perf_counter()
    result = classify(reply("out of office until " * 5000 + "?"))
    assert time.perf_counter() - started < 2.0
    assert result.kind in (HUMAN, OOO)
    assert result.left_company is False


def test_a_left_company_statement_in_a_reply_without_any_automatic_sign_is_not_an_auto_reply() -> None:
    # A person telling the rep about a colleague is a reply; left_company is only read on automatic mail.
    result = classify(reply("Thanks - note that Bob Miller no longer works at Acme, so please talk to me. Thursday works."))
    assert (result.kind, result.left_company) == (HUMAN, False)


def test_a_lotus_notes_subject_with_an_empty_body_is_out_of_office() -> None:
    result = classify(reply("", subject="Dana Fischer is out of the office."))
    assert result.kind == OOO, result.evidence
    assert "Lotus Notes' out-of-office subject" in " ".join(result.evidence)
