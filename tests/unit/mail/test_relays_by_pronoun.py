"""A person relaying that someone else is away, with the absent one a pronoun or a job rather than "my colleague"
or a name, is a person's reply; a template speaking of the sender in the third person stays a notice. One case per
product sentence, in several languages, fresh wording."""

from __future__ import annotations

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from tests.unit.mail.test_absence import reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY
SENDER = "Lou Brenner <lou.brenner@buyer.example>"

RELAY_CASES = [
    pytest.param("Marta handles our logistics contracts, but she's on leave until 11 January. I'll make sure she "
                 "sees this.", HUMAN, id="en: a named owner and 'she' away, the sender passing it on, is a person's reply"),
    pytest.param("Our purchasing director is travelling until 12 January; he will get back to you then.", HUMAN,
                 id="en: a job as the absent one's subject is a third party's absence"),
    pytest.param("Er ist bis zum 15. Januar auf Dienstreise, ich gebe Ihre Anfrage an ihn weiter.", HUMAN,
                 id="de: 'er' away and the sender passing the request on is a person's reply"),
    pytest.param("Elle est en congé jusqu'au 11 janvier, elle reviendra vers vous à son retour.", HUMAN,
                 id="fr: a pronoun naming no one in the text is someone the rep asked about"),
    pytest.param("Ella está de vacaciones hasta el 10 de enero; yo le reenvío tu correo.", HUMAN,
                 id="es: 'ella' on holiday and the sender forwarding is a person's reply"),
    pytest.param("Hij is tot 8 januari met vakantie, ik stuur je mail naar hem door.", HUMAN,
                 id="nl: 'hij' on holiday and the sender forwarding is a person's reply"),
    pytest.param("我们的负责人出差到1月12日，回来后会联系您。", HUMAN,
                 id="zh: the person in charge away on business is a third party's absence"),
    pytest.param("Kim Lee is out of the office until Monday 14 December. She will respond to your message when she "
                 "returns.", OOO, id="en: a template about the sender in the third person stays a notice"),
    pytest.param("Ich bin bis zum 8. Januar im Urlaub. Ihre Nachricht wird nicht weitergeleitet.", OOO,
                 id="de: the sender's own absence in the first person stays a notice"),
    pytest.param("Je suis absent jusqu'au 8 janvier. En cas d'urgence, contactez Mme Roux : elle est joignable au "
                 "01 23 45 67 89.", OOO, id="fr: a stand-in spoken of as 'elle' in the sender's notice stays a notice"),
    pytest.param("Merci pour votre demande, elle sera traitée dès mon retour de congé le 11 janvier, je n'ai pas accès "
                 "à mes e-mails.", OOO, id="fr: 'elle' that is the request, beside the sender's own leave, stays a notice"),
]


@pytest.mark.parametrize(("body", "kind"), RELAY_CASES)
def test_whose_absence_a_pronoun_or_a_job_names(body: str, kind: InboundKind) -> None:
    sender = "Kim Lee <kim.lee@buyer.example>" if body.startswith("Kim Lee") else SENDER
    assert classify(reply(body, sender=sender)).kind == kind


AWAY_BUT_ANSWERING_CASES = [
    pytest.param("Estou de férias, mas pode mandar sim, vejo quando voltar.", HUMAN,
                 id="pt: away but telling the rep to send it anyway is a person's reply"),
    pytest.param("I'm off until the 12th but go ahead and send the deck, I'll read it when I'm back.", HUMAN,
                 id="en: away but 'go ahead and send' is a person's reply"),
    pytest.param("Bin bis Montag im Urlaub, schicken Sie es ruhig, ich schaue danach rein.", HUMAN,
                 id="de: away but 'schicken Sie es ruhig' is a person's reply"),
    pytest.param("Estoy de vacaciones hasta el 8, pero mándalo igual y lo reviso a la vuelta.", HUMAN,
                 id="es: away but 'mándalo igual' is a person's reply"),
    pytest.param("你好，管采购的同事休假了，月底回来，我已经把你的邮件转给她了。", HUMAN,
                 id="zh: the colleague who handles it away, the mail already passed on, is a person's reply"),
    pytest.param("Estou de férias até 8 de janeiro, sem acesso ao e-mail. Responderei quando voltar.", OOO,
                 id="pt: away with no access and a reply on return stays a notice"),
]


@pytest.mark.parametrize(("body", "kind"), AWAY_BUT_ANSWERING_CASES)
def test_away_but_answering(body: str, kind: InboundKind) -> None:
    assert classify(reply(body, sender=SENDER)).kind == kind
