"""A reply that greets the rep by name is a person's (issue 14): no out-of-office template can name whom it
answers. The rep's names come from the To field of the message itself. One case per product sentence."""

from __future__ import annotations

from email.header import Header

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage
from addin_server.mail.recipient import greets_by_name, rep_names

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY
AVA = frozenset({"ava", "reed"})


def to_rep(
    body: str, *, to: str = "Ava Reed <ava.reed@seller.example>", sender: str = "Kim Lee <kim.lee@buyer.example>",
    subject: str = "Re: Onboarding for Q1",
) -> InboundMessage:
    """A reply to Ava's sequence email without any automatic header."""
    encoded = Header(subject, "utf-8").encode() if not subject.isascii() else subject
    raw = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {encoded}\r\n"
        "Date: Mon, 07 Dec 2026 09:12:00 +0000\r\nMessage-ID: <r-1@buyer.example>\r\n"
        "In-Reply-To: <seq-step1-0001@seller.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n\r\n> Hi Kim, would you have 20 minutes next week?\r\n"
    )
    return InboundMessage.from_bytes(raw.encode("utf-8"))


NAME_CASES = [
    pytest.param(["ava.reed@seller.example"], [], "", {"ava", "reed"}, id="the local part ava.reed names Ava and Reed"),
    pytest.param(["ava_reed2@seller.example"], [], "", {"ava", "reed"}, id="underscores and digits split the local part"),
    pytest.param(["sales@seller.example"], [], "", set(), id="a role mailbox names nobody"),
    pytest.param(["areed@seller.example"], ["Reed, Ava (Sales)"], "", {"areed", "reed", "ava"},
                 id="the To display name adds the names, a bracketed team is not a name"),
    pytest.param(["ava.kim@seller.example"], [], "Ava Lee ava.lee@buyer.example", {"kim"},
                 id="a name the sender shares is dropped"),
]


@pytest.mark.parametrize(("addresses", "names", "sender", "expected"), NAME_CASES)
def test_the_reps_names_come_from_the_to_field(
    addresses: list[str], names: list[str], sender: str, expected: set[str]
) -> None:
    assert rep_names(addresses, names, sender=sender) == frozenset(expected)


GREETING_CASES = [
    pytest.param("Hi Ava, I'm out until Monday.", "Hi Ava", id="en: hi and the first name greets the rep"),
    pytest.param("Dear Ms. Reed\nThank you.", "Dear Ms. Reed", id="en: dear, a title and the surname greet the rep"),
    pytest.param("Thanks Ava! I'm away this week.", "Thanks Ava", id="en: thanks said to the rep by name greets her"),
    pytest.param("Ava,\nI'm on leave.", "Ava", id="en: the bare name opening the text greets the rep"),
    pytest.param("Hallo Herr Reed,\nich bin im Urlaub.", "Hallo Herr Reed", id="de: hallo, herr and the surname"),
    pytest.param("Bonjour Ava,\nje suis en congés.", "Bonjour Ava", id="fr: bonjour and the first name"),
    pytest.param("Hola Ava: estoy de viaje.", "Hola Ava", id="es: hola and the first name"),
    pytest.param("Estimada Sra. Reed:\nestoy fuera.", "Estimada Sra. Reed", id="es: estimada, a title and the surname"),
    pytest.param("Ciao Ava, sono in ferie.", "Ciao Ava", id="it: ciao and the first name"),
    pytest.param("Beste Ava, ik ben op vakantie.", "Beste Ava", id="nl: beste and the first name"),
    pytest.param("Olá Ava, estou de férias.", "Olá Ava", id="pt: olá and the first name"),
    pytest.param("Hej Ava! Jag är ledig.", "Hej Ava", id="sv: hej and the first name"),
    pytest.param("Dzień dobry Pani Reed, jestem na urlopie.", "Dzień dobry Pani Reed", id="pl: dzień dobry, pani, surname"),
    pytest.param("Reed様\nいつもお世話になっております。", "Reed様", id="ja: the surname with 様 greets the rep"),
    pytest.param("Ava，你好！我在休假。", "Ava，你好", id="zh: the name and 你好 greets the rep"),
    pytest.param("Ava님, 안녕하세요.", "Ava님", id="ko: the name with 님 greets the rep"),
]


@pytest.mark.parametrize(("text", "greeting"), GREETING_CASES)
def test_a_greeting_that_names_the_rep_is_found(text: str, greeting: str) -> None:
    assert greets_by_name(text, AVA) == greeting


NOT_GREETING_CASES = [
    pytest.param("Hello, I am out of the office until Monday.", id="a greeting without a name"),
    pytest.param("Hi, will be back Monday.", id="a word that is also a name, with no end of greeting after it"),
    pytest.param("Dear customer, we are closed.", id="a greeting of nobody in particular"),
    pytest.param("I am out of the office. Hi Ava, is mentioned later", id="a name later in the text is no opening"),
]


@pytest.mark.parametrize("text", NOT_GREETING_CASES)
def test_what_is_not_a_greeting_of_the_rep(text: str) -> None:
    names = AVA | {"will"}
    assert greets_by_name(text, names) is None


CLASSIFY_CASES = [
    pytest.param("Hi Ava, I'm on leave until 14 December but the figures look right to me.\nKim", HUMAN,
                 id="en: a person greets the rep and mentions a leave: human"),
    pytest.param("Hallo Frau Reed,\nbin bis Freitag im Urlaub, danach gerne mehr.\nKim", HUMAN,
                 id="de: a person greets the rep and mentions a holiday: human"),
    pytest.param("Bonjour Ava,\nje suis en déplacement jusqu'au 14 décembre, on voit ça ensuite.", HUMAN,
                 id="fr: a person greets the rep and mentions a trip: human"),
    pytest.param("Reed様\n12月14日まで出張しております。戻りましたら拝見します。", HUMAN,
                 id="ja: a person greets the rep by surname and mentions a trip: human"),
    pytest.param("Ava, estoy de vacaciones hasta el 14 de diciembre. Lo veo a la vuelta.", HUMAN,
                 id="es: the bare name opens a person's note about a holiday: human"),
    pytest.param("Hi Ava - auto text below, I'm away:\nI am out of the office until 14 December with limited access "
                 "to email. For urgent matters please contact Bob at bob@buyer.example. I will reply when I return.",
                 OOO, id="a full notice pasted under a greeting is still a notice (the greeting weighs like any sign)"),
]


@pytest.mark.parametrize(("body", "expected"), CLASSIFY_CASES)
def test_a_reply_that_greets_the_rep_by_name_is_a_person(body: str, expected: InboundKind) -> None:
    result = classify(to_rep(body))
    assert result.kind == expected, result.evidence


def test_a_notice_that_opens_with_its_owners_name_never_greets_a_rep_of_the_same_first_name() -> None:
    message = to_rep(
        "Ava Kim, Procurement - out of the office until 14 December. For urgent matters contact bob@buyer.example.",
        to="Ava Stone <ava.stone@seller.example>", sender="Ava Kim <ava.kim@buyer.example>",
    )
    result = classify(message)
    assert result.kind == OOO, result.evidence


def test_the_evidence_says_the_rep_was_greeted_by_name() -> None:
    result = classify(to_rep("Hi Ava, I'm on holiday until Monday 14 December, then let's see."))
    assert any("greets the rep by name 'Hi Ava'" in e for e in result.evidence), result.evidence


def test_to_display_names_are_kept_from_mime_and_graph() -> None:
    message = to_rep("x", to='"Reed, Ava" <ava.reed@seller.example>, Omar Shah <omar@seller.example>')
    assert message.to_names == ("Reed, Ava", "Omar Shah")
    graph = InboundMessage.from_graph(
        {"toRecipients": [{"emailAddress": {"address": "ava.reed@seller.example", "name": "Ava Reed"}}],
         "body": {"contentType": "text", "content": "x"}}
    )
    assert graph.to_names == ("Ava Reed",)
