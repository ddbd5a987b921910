"""A place or a company closing for stated days, nothing asked: a notice; a person's news of a closure with a
question or an answer stays a person's reply (mail/absence_shape.py). One case per product sentence, fresh wording."""

from __future__ import annotations

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from tests.unit.mail.test_absence import reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY

CLOSURE_CASES = [
    pytest.param("Warm wishes for the season. Our offices close on 22 December and reopen on Monday 4 January 2027. "
                 "Messages sent in between will be answered after that.", OOO,
                 id="en: the offices closing on a day and reopening on another is out of office"),
    pytest.param("Kindly note that our showroom closes at 1pm on Thursday 24 December and reopens on Monday 4 "
                 "January. Enquiries received meanwhile will be handled on our return.", OOO,
                 id="en: the showroom closing at a clock time, reopening later, is out of office"),
    pytest.param("Unser Büro ist vom 23.12. bis 1.1. geschlossen. Ab dem 4.1. sind wir wieder für Sie da.", OOO,
                 id="de: the office closed between dotted dates, there again later, is out of office"),
    pytest.param("Unsere Kanzlei bleibt von 24. Dezember bis einschließlich 6. Jänner geschlossen. Ab 7. Jänner "
                 "sind wir gerne wieder für Sie da.", OOO,
                 id="de-AT: the practice closed between named days, there again later, is out of office"),
    pytest.param("Wegen unseres Büroumzugs sind wir vom 17. bis 18. Dezember nur eingeschränkt erreichbar. Ab "
                 "Montag, dem 21.12., erreichen Sie uns wie gewohnt.", OOO,
                 id="de: an office move with limited reach for stated days is out of office"),
    pytest.param("Nos bureaux ferment du 23 décembre au 3 janvier. Réouverture le lundi 4 janvier.", OOO,
                 id="fr: the offices closing for a span and reopening is out of office"),
    pytest.param("Estimados clientes: la oficina cierra del 24 de diciembre al 6 de enero. Retomamos la actividad "
                 "el 7 de enero.", OOO, id="es: the office closing for a span, to no one in particular, is out of office"),
    pytest.param("Ons kantoor sluit van 24 december tot en met 1 januari. Vanaf maandag 4 januari zijn we weer "
                 "bereikbaar.", OOO, id="nl: the office closing for a span and reachable again is out of office"),
    # people's news of a closure, with a question or an answer
    pytest.param("Our offices close from 23 December, so could we talk before then? Is Friday free?", HUMAN,
                 id="en: a closure told with a question is a person's reply"),
    pytest.param("Unser Büro ist vom 24.12. bis 3.1. geschlossen, aber ja, ein Termin am 5.1. passt mir gut.", HUMAN,
                 id="de: a closure told with a yes to a meeting is a person's reply"),
    pytest.param("Nuestra oficina cierra del 24 al 6, pero sí, me interesa la propuesta: mándemela.", HUMAN,
                 id="es: a closure told with interest in the offer is a person's reply"),
]


@pytest.mark.parametrize(("body", "kind"), CLOSURE_CASES)
def test_a_place_closing_for_stated_days(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind
