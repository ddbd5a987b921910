"""Shapes of absence notices no single word gives away (mail/absence_shape.py), and people who mention an
absence that stay people: one case per product sentence, in several languages, fresh wording."""

from __future__ import annotations

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from tests.unit.mail.test_absence import reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY

COLLEAGUE_CASES = [
    pytest.param("Hello, my colleague Priya runs this account and she is on annual leave until 11 January. "
                 "I have passed your note on to her.", HUMAN,
                 id="en: a person relaying that a colleague is on leave is a person's reply"),
    pytest.param("Guten Tag, meine Kollegin Frau Lenz ist bis zum 12. Januar im Urlaub. Ich gebe Ihre Nachricht "
                 "an sie weiter.", HUMAN,
                 id="de: a colleague on holiday, the sender passing the message on, is a person's reply"),
    pytest.param("Bonjour, notre responsable achats est en congé jusqu'au 6 janvier. Je lui transmets votre "
                 "message pour son retour.", HUMAN,
                 id="fr: the buyer on leave and the sender forwarding is a person's reply"),
    pytest.param("Buenas, mi compañera Elena está de vacaciones hasta el 8 de enero; te contestará a su vuelta.",
                 HUMAN, id="es: a colleague on holiday is a third party's absence"),
    pytest.param("Il collega che segue gli acquisti è in ferie fino al 7 gennaio, gli ho girato la mail.", HUMAN,
                 id="it: a colleague on holiday, mail passed on, is a person's reply"),
    pytest.param("Mijn collega Sanne is afwezig tot 5 januari. Ik heb je bericht aan haar doorgestuurd.", HUMAN,
                 id="nl: a colleague away until a date is a third party's absence"),
    pytest.param("担当の山本は出張中のため、代わりに私からご連絡いたします。", HUMAN,
                 id="ja: the person in charge on a trip and the sender answering instead is a person's reply"),
    pytest.param("我的同事李明在休假，1月4日回来，我已经把邮件转给他了。", HUMAN,
                 id="zh: a colleague on holiday, mail forwarded by the sender, is a person's reply"),
    pytest.param("I am on annual leave until 11 January. My colleague Priya is also away until then.", OOO,
                 id="en: the sender away and a colleague away too is still a notice"),
    pytest.param("My colleague Tom and I are at a trade fair until Friday 11 December with limited access to email.",
                 OOO, id="en: a colleague and I away together is the sender's absence"),
]


@pytest.mark.parametrize(("body", "kind"), COLLEAGUE_CASES)
def test_whose_absence_it_is(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind


def test_lotus_naming_the_sender_is_a_notice() -> None:
    message = reply("Kim Lee is out of the office until Monday 14 December and will reply on return.",
                    subject="Kim Lee is out of the office.", sender="Kim Lee <kim.lee@buyer.example>")
    assert classify(message).kind == OOO


def test_the_evidence_says_the_absence_is_a_colleague_s() -> None:
    result = classify(reply("Mijn collega Sanne is afwezig tot 5 januari. Ik heb je bericht aan haar doorgestuurd."))
    assert any("colleague's is not the sender's" in e for e in result.evidence)


GREETING_QUESTION_CASES = [
    pytest.param("Hola, ¿qué tal? Estoy de vacaciones hasta el lunes 11 de enero, sin acceso al correo. "
                 "Para urgencias escribe a ventas@buyer.example.", OOO,
                 id="es: a greeting question opening a notice asks nothing"),
    pytest.param("Bonjour, ça va ? Je suis en congé jusqu'au lundi 11 janvier, sans accès à mes e-mails.", OOO,
                 id="fr: 'ça va ?' opening a notice asks nothing"),
    pytest.param("Hi there, how have you been? I'm on annual leave until Monday 11 January with no access to email.",
                 OOO, id="en: 'how have you been?' opening a notice asks nothing"),
    pytest.param("Hallo, wie geht es Ihnen? Ich bin bis Montag, 11. Januar, im Urlaub und lese keine E-Mails.", OOO,
                 id="de: 'wie geht es Ihnen?' opening a notice asks nothing"),
    pytest.param("Olá, como vai? Estou de férias até segunda, 11 de janeiro, sem acesso ao e-mail.", OOO,
                 id="pt: 'como vai?' opening a notice asks nothing"),
    pytest.param("I'm on holiday until Monday 11 January. How are you fixed for a call the week after?", HUMAN,
                 id="en: a question that only starts like a greeting still asks"),
    pytest.param("Estoy de vacaciones hasta el lunes 11. ¿Cómo está el tema del presupuesto por vuestra parte?", HUMAN,
                 id="es: a question about the deal that starts like a greeting still asks"),
]


@pytest.mark.parametrize(("body", "kind"), GREETING_QUESTION_CASES)
def test_a_greeting_question_asks_nothing(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind


QUOTED_ORIGINAL_CASES = [
    pytest.param("-----Ursprüngliche Nachricht-----", id="de: a dash-framed original marker"),
    pytest.param("-----Wiadomość oryginalna-----", id="pl: a dash-framed original marker"),
    pytest.param("-----原始邮件-----", id="zh: a dash-framed original marker"),
    pytest.param("Von: Ava Rep <ava@seller.example>", id="de: the original's translated From line"),
    pytest.param("差出人: Ava Rep <ava@seller.example>", id="ja: the original's translated From line"),
]


@pytest.mark.parametrize("marker", QUOTED_ORIGINAL_CASES)
def test_the_quoted_original_in_another_language_is_not_the_sender_s(marker: str) -> None:
    body = (f"Jestem w delegacji do piątku 11 grudnia z ograniczonym dostępem do poczty.\n\n{marker}\n"
            "Hi Dana, would a two-page summary help? Could we talk on Thursday?")
    assert classify(reply(body)).kind == OOO
