"""Notices a person's signs hid: a help desk's thanks after its reply marker and "Hi there", a client's attribution
line in the reader's language taken for a proposed time, an Italian notice's "scrivete a", a French office left for
the holidays. And the people beside them stay people. One case per product sentence, fresh wording."""

from __future__ import annotations

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from tests.unit.mail.test_absence import reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY

CASES = [
    pytest.param("##- Please type your reply above this line -##\n\nHi there,\n\nThanks for contacting Birchwood! Our "
                 "whole team is away for the holidays from 24 to 28 December. We'll be back on Tuesday 29 December and "
                 "will work through messages in order.", OOO,
                 id="en: a help desk's thanks after its reply marker and a greeting is a template's opening"),
    pytest.param("Hi there,\n\nThanks for reaching out! Yes, we would like a demo - does Thursday at 10 work?", HUMAN,
                 id="en: a thanks opening followed by a yes and a question is a person's reply"),
    pytest.param("Hola, estoy de vacaciones, vuelvo el lunes 11/01. Para temas urgentes escribile a Sofi "
                 "(sofia@buyer.example).\n\nEl lun, 7 dic 2026 a las 9:15, Ava Rep (<ava@seller.example>) escribió:\n"
                 "Hi Dana, a quick question about your pipeline?", OOO,
                 id="es: Gmail's Spanish attribution line is the quoted original, not a time proposed"),
    pytest.param("Ich bin bis 8.1. im Urlaub und lese keine Mails.\n\nAm Mo., 7. Dez. 2026 um 09:15 Uhr schrieb Ava Rep "
                 "<ava@seller.example>:\nHi Dana, a quick question?", OOO,
                 id="de: Gmail's German attribution line is the quoted original"),
    pytest.param("Ik zit vandaag op een training en lees beperkt mail. Woensdag ben ik weer bereikbaar.\n\nOp ma 7 dec "
                 "2026 om 09:15 schreef Ava Rep <ava@seller.example>:\nHi Dana, a quick question?", OOO,
                 id="nl: Gmail's Dutch attribution line, writer after the verb, is the quoted original"),
    pytest.param("お世話になっております。本日は出張のため、ご返信は明日以降となります。\n\n2026年12月7日(月) 9:15 Ava Rep "
                 "<ava@seller.example>:\nHi Dana, could we talk at 10:00?", OOO,
                 id="ja: Gmail's Japanese attribution line, a date and an address, is the quoted original"),
    pytest.param("我这周在外地出差，下周一回来后回复您。\n\n在 2026年12月7日周一 09:15，Ava Rep <ava@seller.example> 写道：\n"
                 "Hi Dana, could we talk at 10:00?", OOO,
                 id="zh: Gmail's Chinese attribution line with 写道 is the quoted original"),
    pytest.param("Sono in malattia. Per qualsiasi necessità scrivete a acquisti@buyer.example\nGrazie", OOO,
                 id="it: ill, 'per qualsiasi necessità scrivete a' an address is out of office"),
    pytest.param("Bonsoir, j'ai quitté le bureau pour les congés de fin d'année. Retour le mardi 5 janvier.", OOO,
                 id="fr: the office left for the holidays with a day back is out of office"),
    pytest.param("J'ai quitté le bureau pour les fêtes, mais oui, envoyez-moi votre offre.", HUMAN,
                 id="fr: the office left for the holidays with a yes and a request is a person's reply"),
]


@pytest.mark.parametrize(("body", "kind"), CASES)
def test_a_notice_behind_a_person_s_sign(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind
