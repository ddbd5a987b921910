"""Left the company, said where the reply has no automatic header: a Japanese or Chinese notice of the address's
owner with nobody speaking as "I", and a German first-person leaving with its date; the look-alikes stay what they
are. One case per product sentence, in several languages, fresh wording."""

from __future__ import annotations

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from tests.unit.mail.test_absence import reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY
SENDER = "Lou Brenner <lou.brenner@buyer.example>"

LEAVING_CASES = [
    pytest.param("山口は12月1日付で退職いたしました。今後は購買部 buy@buyer.example へご連絡ください。", HUMAN, True,
                 id="ja: a named person's leaving with no one speaking as 'I' is the address's owner leaving"),
    pytest.param("该同事已于上周离职，此邮箱将不再查看。", HUMAN, False,
                 id="zh: a leaving said of a 'colleague' word is a colleague's, not the address's"),
    pytest.param("陈经理已于11月底离职，请勿再向此地址发送邮件。", HUMAN, True,
                 id="zh: a named manager's leaving with nobody speaking is the address's owner leaving"),
    pytest.param("王芳已经离职了，这块业务现在我负责，您可以把资料发给我。", HUMAN, False,
                 id="zh: a colleague left and the sender took over is a person's reply, the address stays"),
    pytest.param("鈴木は退職しましたので、今後は私が担当いたします。", HUMAN, False,
                 id="ja: the sender speaking as 'I' after a colleague's leaving keeps the address"),
    pytest.param("Ich habe die Firma zum 31.10. verlassen. Bitte schreiben Sie an zentrale@buyer.example.", HUMAN,
                 True, id="de: 'Ich habe die Firma zum … verlassen' is the sender's own leaving"),
    pytest.param("Ich bin zum 30.11. aus dem Unternehmen ausgeschieden; dieses Postfach wird nicht mehr gelesen.",
                 HUMAN, True, id="de: 'Ich bin zum … ausgeschieden' is the sender's own leaving"),
    pytest.param("Ich habe das Büro für heute verlassen und bin morgen ab 8 Uhr wieder erreichbar.", OOO, False,
                 id="de: leaving the office for the day stays an absence"),
]


@pytest.mark.parametrize(("body", "kind", "left"), LEAVING_CASES)
def test_leaving_said_in_a_reply_without_headers(body: str, kind: InboundKind, left: bool) -> None:
    result = classify(reply(body, sender=SENDER))
    assert (result.kind, result.left_company) == (kind, left), result.evidence
