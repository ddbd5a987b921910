"""Shapes of absence notices no single word gives away (mail/absence_shape.py), and people who mention an
absence that stay people: one case per product sentence, in several languages, fresh wording."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.absence_shape import asks_to_be_sent, back_on_a_working_day, denied
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
    pytest.param("Rosa, who looks after logistics, is on leave until 11 January. I have forwarded your note to her.",
                 HUMAN, id="en: a named person on leave and the sender forwarding is a person's reply"),
    pytest.param("Jonas Brandt ist bis zum 11. Januar im Urlaub. Ich habe Ihre Nachricht an ihn weitergegeben.", HUMAN,
                 id="de: a named person on holiday and the sender passing it on is a person's reply"),
    pytest.param("Hélène est en congé jusqu'au 11 janvier, je lui ai fait suivre votre message.", HUMAN,
                 id="fr: a named person on leave, the sender forwarding in the same sentence, is a person's reply"),
    pytest.param("A minha colega Inês está de férias até 11 de janeiro; reencaminhei o seu e-mail.", HUMAN,
                 id="pt: a colleague on holiday and the sender forwarding is a person's reply"),
    pytest.param("Il signor Bassi è in ferie fino all'11 gennaio, gli ho inoltrato la sua mail.", HUMAN,
                 id="it: a titled person on holiday, the sender forwarding without a pronoun, is a person's reply"),
    pytest.param("山本課長は出張中のため、私から代わりにご返信いたします。", HUMAN,
                 id="ja: a manager on a trip and the sender answering instead is a person's reply"),
    pytest.param("李经理本周休假，我已把您的邮件转给她。", HUMAN,
                 id="zh: a manager on holiday and the sender forwarding is a person's reply"),
    pytest.param("박 과장님은 휴가 중이라 제가 대신 답장드립니다.", HUMAN,
                 id="ko: a manager on holiday and the sender answering instead is a person's reply"),
    pytest.param("Herr Brandt ist bis zum 11. Januar nicht im Haus und liest keine E-Mails.", OOO,
                 id="de: a titled person away with no 'I' anywhere is a shared mailbox's notice"),
    pytest.param("Rosa Lind is out of the office until Monday 11 January and will reply on her return.", OOO,
                 id="en: a person named with no 'I' anywhere is a shared mailbox's notice"),
    pytest.param("I am on annual leave until 11 January. My colleague Priya is also away until then.", OOO,
                 id="en: the sender away and a colleague away too is still a notice"),
    pytest.param("My colleague Tom and I are at a trade fair until Friday 11 December with limited access to email.",
                 OOO, id="en: a colleague and I away together is the sender's absence"),
    pytest.param("Thank you for your email. My colleague Rui Alves (rui.alves@buyer.example) will handle your request "
                 "during my absence until 11 January.", OOO,
                 id="en: a colleague standing in during my absence is the sender's notice"),
    pytest.param("Vielen Dank für Ihre Nachricht. Meine Kollegin Frau Arndt vertritt mich während meiner Abwesenheit bis "
                 "zum 11. Januar.", OOO, id="de: a colleague standing in during my absence is the sender's notice"),
    pytest.param("Gracias por su correo. Mi compañero Raúl le atenderá durante mi ausencia hasta el 11 de enero.", OOO,
                 id="es: a colleague attending during my absence is the sender's notice"),
    pytest.param("Dank voor uw bericht. Mijn collega Bram neemt het over tijdens mijn afwezigheid tot 11 januari.", OOO,
                 id="nl: a colleague taking over during my absence is the sender's notice"),
    pytest.param("During my absence last week Rui handled it; yes, let's go ahead with the pilot.", HUMAN,
                 id="en: my absence that is over, with a yes, is a person's reply"),
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


WITHOUT_A_WORD_CASES = [
    pytest.param("Please be aware that our premises are closed from Wednesday 23 December and open again on "
                 "Tuesday 5 January.", OOO, id="en: the office closed with a date it opens again is out of office"),
    pytest.param("Unsere Praxis bleibt vom 23.12. bis einschließlich 3.1. geschlossen. Ab Montag, 4. Januar, sind "
                 "wir wieder da.", OOO, id="de: the practice closed for a period is out of office"),
    pytest.param("Notre agence sera fermée du 24 décembre au 3 janvier inclus. Réouverture le lundi 4 janvier.", OOO,
                 id="fr: the agency closed for a period is out of office"),
    pytest.param("Estimado cliente: la tienda permanecerá cerrada hasta el lunes 4 de enero por inventario.", OOO,
                 id="es: the shop closed until a date, to no one in particular, is out of office"),
    pytest.param("Il negozio resterà chiuso fino a lunedì 4 gennaio. Riapriremo martedì 5 gennaio.", OOO,
                 id="it: the shop closed until a date and opening again is out of office"),
    pytest.param("Beste klant, onze winkel is gesloten tot en met zondag 3 januari.", OOO,
                 id="nl: the shop closed up to a date, to no one in particular, is out of office"),
    pytest.param("Caros clientes, a loja estará fechada até segunda-feira, 4 de janeiro.", OOO,
                 id="pt: the shop closed until a date is out of office"),
    pytest.param("This inbox won't be monitored until Monday 4 January. I will answer after that.", OOO,
                 id="en: a mailbox not monitored until a date is out of office"),
    pytest.param("Dieses Postfach wird bis zum 4. Januar nicht gelesen.", OOO,
                 id="de: a mailbox not read until a date is out of office"),
    pytest.param("このメールアドレスは1月4日まで確認ができません。", OOO,
                 id="ja: a mail address not checked until a date is out of office"),
    pytest.param("I work Tuesday to Thursday, so this arrived on a day I'm not in. I will reply on my next working day.",
                 OOO, id="en: a part-time week and an answer on the next working day is out of office"),
    pytest.param("Ich arbeite montags bis mittwochs. Ihre Nachricht lese ich an meinem nächsten Arbeitstag.", OOO,
                 id="de: a part-time week and the next working day is out of office"),
    pytest.param("Je travaille à temps partiel : je traiterai votre message le prochain jour ouvré.", OOO,
                 id="fr: part-time work and the next working day is out of office"),
    pytest.param("Estoy de baja médica. Su correo no será reenviado; para compras escriba a compras@buyer.example.",
                 OOO, id="es: sick leave, mail not forwarded and an address to write to is out of office"),
    pytest.param("Sou em licença até março. As mensagens devem ser enviadas para suporte@buyer.example.", OOO,
                 id="pt: a leave with another address to write to is out of office"),
    pytest.param("I'm on research leave this year and checking email only occasionally; replies will be much delayed.",
                 OOO, id="en: research leave with slow replies, adverb between, is out of office"),
    # people, who mention a closure, a part-time week or an address while answering
    pytest.param("Our office was closed last week, sorry for the slow reply. Yes, Thursday works for us.", HUMAN,
                 id="en: a closure that is over and a yes is a person's reply"),
    pytest.param("I work Monday to Wednesday, so could we do Tuesday at ten?", HUMAN,
                 id="en: a part-time week with a proposal asked is a person's reply"),
    pytest.param("Ich arbeite in Teilzeit, aber ja, schicken Sie mir gern das Angebot.", HUMAN,
                 id="de: part-time but asking for the offer is a person's reply"),
    pytest.param("I'm off until Monday 11 January - please send the quote to legal@buyer.example and we'll sign.",
                 HUMAN, id="en: away but asking for the quote at another address is a person's reply"),
    pytest.param("Unser Büro ist zwischen den Jahren geschlossen, wie wäre es mit dem 12. Januar?", HUMAN,
                 id="de: a closure with a date proposed as a question is a person's reply"),
    pytest.param("Our warehouse is closed for stocktaking on 14 December, which is why your tool caught my eye. "
                 "Send me a demo link.", HUMAN,
                 id="en: a closure told as news, with nothing else of a notice, is a person's reply"),
    pytest.param("I'm attending the logistics congress from 7 to 9 December; your note came at a good time.", HUMAN,
                 id="en: taking part in something told as news is a person's reply"),
]


@pytest.mark.parametrize(("body", "kind"), WITHOUT_A_WORD_CASES)
def test_an_absence_no_word_states(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind


LEAVE_GRAMMAR_CASES = [
    pytest.param("I am on long-service leave until 1 February and not reading email.", OOO,
                 id="en: 'on <any> leave' with an end is out of office"),
    pytest.param("Ik ben met ouderschapsverlof tot 1 februari. Uw bericht wordt niet doorgestuurd.", OOO,
                 id="nl: any '-verlof' with an end is out of office"),
    pytest.param("Ich bin im Forschungsurlaub bis zum 1. Februar und lese E-Mails nur selten.", OOO,
                 id="de: any '-urlaub' with an end is out of office"),
    pytest.param("Je suis en congé sabbatique jusqu'au 1er février.", OOO,
                 id="fr: 'en congé' with an end is out of office"),
    pytest.param("Sono in congedo straordinario fino al 1° febbraio.", OOO,
                 id="it: 'in congedo' with an end is out of office"),
    pytest.param("I was on study leave until last week; yes, let's talk on Thursday.", HUMAN,
                 id="en: a leave that is over, with a yes, is a person's reply"),
    pytest.param("Ich war im Sonderurlaub, deshalb erst jetzt: gern, schicken Sie mir das Angebot.", HUMAN,
                 id="de: a leave that is over with a request is a person's reply"),
]


@pytest.mark.parametrize(("body", "kind"), LEAVE_GRAMMAR_CASES)
def test_a_leave_named_by_its_grammar(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind


OWN_LEAVING_CASES = [
    pytest.param("Hello, today is my last day at Corvid Labs, so please write to nina.berg@buyer.example from now on.",
                 HUMAN, True, id="en: 'today is my last day at <employer>' is the sender's leaving"),
    pytest.param("Bonjour, j'ai quitté Verdal Conseil fin octobre. Voyez avec Claire Morel pour la suite.", HUMAN, True,
                 id="fr: 'j'ai quitté <employer>' is the sender's leaving"),
    pytest.param("Hola, ya no trabajo en Textiles Soria desde octubre; escribe a compras@buyer.example.", HUMAN, True,
                 id="es: 'ya no trabajo en', without a pronoun, is the sender's leaving"),
    pytest.param("Oi, saí da Metalúrgica Prado em outubro. Fale com a Ana Lima, por favor.", HUMAN, True,
                 id="pt: 'saí da <employer>' is the sender's leaving"),
    pytest.param("Buongiorno, ho lasciato l'azienda a ottobre. Per gli acquisti scriva a ufficio@buyer.example.", HUMAN, True,
                 id="it: 'ho lasciato l'azienda' is the sender's leaving"),
    pytest.param("I left Initech in May and joined Corvid Labs, so yes, this is worth a look.", HUMAN, False,
                 id="en: leaving an earlier employer and joining the current one is no leaving"),
    pytest.param("Yesterday was my last day at Corvid Labs before parental leave; I am back on 1 June.", OOO, False,
                 id="en: a last day before a leave with a return is no leaving"),
    pytest.param("Bob Miller no longer works at Corvid Labs, I have taken over his accounts. Happy to talk.", HUMAN, False,
                 id="en: a colleague's leaving is not the sender's"),
]


@pytest.mark.parametrize(("body", "kind", "left"), OWN_LEAVING_CASES)
def test_a_person_s_own_leaving(body: str, kind: InboundKind, left: bool) -> None:
    result = classify(reply(body))
    assert (result.kind, result.left_company) == (kind, left)


PARTS_IN_ANY_WORDING_CASES = [
    pytest.param("Le showroom sera fermé lundi 7 et mardi 8 décembre. Les demandes reçues seront traitées dès "
                 "mercredi.", OOO, id="fr: a closure on named days and requests handled later is out of office"),
    pytest.param("La oficina estará cerrada el 7 y el 8 de diciembre; los pedidos recibidos serán atendidos a partir "
                 "del miércoles.", OOO, id="es: a closure on named days and orders dealt with later is out of office"),
    pytest.param("Ik werk op maandag, woensdag en vrijdag. Uw bericht beantwoord ik op mijn volgende werkdag.", OOO,
                 id="nl: the days one works are the period of a part-time notice"),
    pytest.param("Sono in trasferta questa settimana, accesso molto limitato alla posta. Rientro il 14/12.", OOO,
                 id="it: limited access said in other words and a return with a day is out of office"),
    pytest.param("Vom 7. bis 9. Dezember nehme ich an einem Workshop in Graz teil und lese E-Mails nur sporadisch.",
                 OOO, id="de: taking part in something on stated days with sporadic mail is out of office"),
    pytest.param("I'm attending a supplier summit from 7 to 9 December and replies to emails will be delayed.", OOO,
                 id="en: attending an event on stated days with delayed replies is out of office"),
    pytest.param("This week I'm at the Expo in Lyon (7-9 December), back in the office on Thursday 10 December. "
                 "Coming too? You'll find us in hall 2, stand B14.", OOO,
                 id="en: a template's invitation to its stand asks nothing"),
    pytest.param("Sorry for the delayed reply to your email, I was travelling. Yes, let's meet on Thursday.", HUMAN,
                 id="en: apologising for a slow reply and saying yes is a person's reply"),
    pytest.param("I'm attending the expo from 7 to 9 December, shall we meet at your stand?", HUMAN,
                 id="en: attending an event and proposing to meet there is a person's reply"),
    pytest.param("Wir sind vom 7. bis 9. Dezember auf der Messe. Kommen Sie auch? Dann zeige ich Ihnen die Demo.", HUMAN,
                 id="de: a fair and a question that is no routing is a person's reply"),
]


@pytest.mark.parametrize(("body", "kind"), PARTS_IN_ANY_WORDING_CASES)
def test_a_notice_s_parts_in_any_wording(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind


PART_TIME_RETURN_CASES = [
    pytest.param("I work Tuesday to Thursday, so this arrived on a day I'm not in. I will reply on my next working day.",
                 "Mon, 07 Dec 2026 09:00:00 +0000", date(2026, 12, 8),
                 id="en: the next day of a weekday range worked is the day back"),
    pytest.param("Ik werk op maandag, woensdag en vrijdag. Uw bericht beantwoord ik op mijn volgende werkdag.",
                 "Mon, 07 Dec 2026 09:00:00 +0000", date(2026, 12, 9),
                 id="nl: the next day of a list of weekdays worked is the day back"),
    pytest.param("Ich arbeite montags bis mittwochs. Ihre Nachricht lese ich an meinem nächsten Arbeitstag.",
                 "Thu, 10 Dec 2026 09:00:00 +0100", date(2026, 12, 14),
                 id="de: sent after the last day worked, the day back is next week's first"),
    pytest.param("I work Monday to Wednesday. I am on annual leave until Monday 4 January and will reply then.",
                 "Thu, 10 Dec 2026 09:00:00 +0000", date(2027, 1, 4),
                 id="en: a stated return after the working days wins"),
]


@pytest.mark.parametrize(("body", "sent", "back"), PART_TIME_RETURN_CASES)
def test_a_part_time_notice_s_day_back(body: str, sent: str, back: date) -> None:
    result = classify(reply(body, date_header=sent))
    assert (result.kind, result.return_date) == (OOO, back)


def test_days_not_worked_are_no_working_week() -> None:
    assert back_on_a_working_day("Ich bin montags und freitags nicht im Büro.", datetime(2026, 12, 7, 9)) is None


ADDRESS_AND_REQUEST_CASES = [
    pytest.param("Ich bin im Sonderurlaub bis 4. Januar. Bitte senden Sie mir die Unterlagen an privat@mail.example.",
                 HUMAN, id="de: away but asking to be sent the documents at another address is a person's reply"),
    pytest.param("On parental leave until February, but send me the deck at jo.private@mail.example.", HUMAN,
                 id="en: away but 'send me' with a private address is a person's reply"),
    pytest.param("Estoy de baja hasta el lunes 14; envíame el dossier a pedro@mail.example.", HUMAN,
                 id="es: away but 'envíame' is a person's reply"),
    pytest.param("Sono in congedo fino a febbraio e non leggo la posta. Per gli acquisti: acquisti@buyer.example.", OOO,
                 id="it: an address beside mail not read is a notice's redirection"),
]


@pytest.mark.parametrize(("body", "kind"), ADDRESS_AND_REQUEST_CASES)
def test_addresses_and_requests(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind


def test_asking_for_the_mail_again_is_no_request_for_something() -> None:
    assert asks_to_be_sent("Envoyez-moi votre demande à nouveau après le 4 janvier.") is None
    assert asks_to_be_sent("Schicken Sie mir die Unterlagen bitte nach dem 4. Januar.") is not None


def test_a_notice_that_names_its_sender_with_a_title_is_the_sender_s() -> None:
    text = "Frau Berger ist bis zum 11. Januar nicht im Büro und liest keine E-Mails. Ich leite dringende Fragen weiter."
    assert classify(reply(text, sender="Lena Berger <lena.berger@buyer.example>")).kind == OOO
    assert classify(reply(text, sender="Tom Weiss <tom.weiss@buyer.example>")).kind == HUMAN


def test_a_signed_notice_s_armour_line_is_not_a_quoted_original() -> None:
    body = ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nI am on annual leave until Monday 11 January with no "
            "access to email.\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----")
    assert classify(reply(body)).kind == OOO


TEAM_AND_STAND_CASES = [
    pytest.param("Our whole team is away for the winter shutdown. We'll reply to every message from Monday 4 January.",
                 OOO, id="en: the team saying it is away, with a reply put off, is out of office"),
    pytest.param("Unser Team ist vom 21. bis 23. Dezember auf Betriebsausflug. Ab Donnerstag, 24. Dezember, sind wir "
                 "wieder für Sie da.", OOO, id="de: the team somewhere on stated days and back for you is out of office"),
    pytest.param("Ons team is van 21 t/m 23 december op een congres. Vanaf donderdag 24 december reageren wij weer.", OOO,
                 id="nl: the team at a congress on stated days, answering after, is out of office"),
    pytest.param("Meet us at stand C7, hall 2, at AgriExpo from 7 to 10 December! I read email only in the evening "
                 "during the show.", OOO, id="en: a stand on stated days and mail read only in the evening is out of office"),
    pytest.param("Venite a trovarci allo stand 12, padiglione 5, dal 7 al 10 dicembre! In fiera leggo la posta solo la "
                 "sera.", OOO, id="it: a stand on stated days and mail read only in the evening is out of office"),
    pytest.param("Please note this inbox is not read on Mondays. Your message will be read on Tuesday.", OOO,
                 id="en: a mailbox not read on a weekday and mail read later is out of office"),
    pytest.param("Our team is in Lisbon from 7 to 11 December, would be great to meet you there.", HUMAN,
                 id="en: the team somewhere on stated days, proposing to meet, is a person's reply"),
    pytest.param("The department is reorganising on Monday; we will answer your proposal after that.", HUMAN,
                 id="en: a team busy with something is no team away"),
    pytest.param("Our team is growing fast and we'll reply to vendors in January.", HUMAN,
                 id="en: a team's news without days away is a person's reply"),
    pytest.param("I only read emails in the evening these days, but yes, send me the pricing.", HUMAN,
                 id="en: reading mail in the evening, with a yes, is a person's reply"),
]


@pytest.mark.parametrize(("body", "kind"), TEAM_AND_STAND_CASES)
def test_a_team_away_or_at_a_stand(body: str, kind: InboundKind) -> None:
    assert classify(reply(body)).kind == kind


def test_a_shared_mailbox_notice_about_its_owner_in_the_third_person_is_a_notice() -> None:
    body = "Kim Lee is out of the office until Monday 11 January. He will reply to your message on his return."
    assert classify(reply(body, sender="Sales desk <sales@buyer.example>")).kind == OOO


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("This is not an automatic reply.", id="en: 'not an automatic reply' denies it"),
        pytest.param("Dies ist keine automatische Antwort.", id="de: 'keine automatische Antwort' denies it"),
        pytest.param("Ceci n'est pas une réponse automatique.", id="fr: 'pas une réponse automatique' denies it"),
        pytest.param("Esta no es una respuesta automática.", id="es: 'no es una respuesta automática' denies it"),
        pytest.param("本メールは自動返信ではありません。", id="ja: '自動返信ではありません' denies it"),
        pytest.param("본 메일은 자동 회신이 아닙니다.", id="ko: '자동 회신이 아닙니다' denies it"),
    ],
)
def test_words_that_deny_being_an_automatic_reply(text: str) -> None:
    found = re.search(r"automatic reply|automatische Antwort|réponse automatique|respuesta automática|自動返信|자동 회신",
                      text)
    assert found is not None and denied(text, found)


def test_a_person_who_says_it_is_no_automatic_reply_is_not_read_by_those_words() -> None:
    body = "본 메일은 자동 회신이 아닙니다. 김 과장님은 휴가 중이라 제가 대신 답장드립니다."
    assert classify(reply(body)).kind == HUMAN


MAILBOX_CASES = [
    pytest.param("Questo indirizzo non sarà controllato dal 23 dicembre al 5 gennaio. Le richieste saranno gestite dal "
                 "7 gennaio.", id="it: an address not checked for a period, requests handled later"),
    pytest.param("Esta conta de e-mail não será consultada entre 23 de dezembro e 5 de janeiro. Responderemos a partir "
                 "de 7 de janeiro.", id="pt: a mail account not read for a period, an answer later"),
    pytest.param("Dit adres wordt op vrijdag niet gelezen. Ik antwoord op mijn volgende werkdag.",
                 id="nl: an address not read on a weekday, an answer on the next working day"),
    pytest.param("Ta skrzynka nie będzie sprawdzana od 23 grudnia do 5 stycznia. Odpowiemy po 6 stycznia.",
                 id="pl: a mailbox not checked for a period, an answer later"),
    pytest.param("Denna adress läses inte mellan 23 december och 5 januari.", id="sv: an address not read for a period"),
    pytest.param("L'atelier est fermé le samedi. Nous traiterons votre demande lundi.",
                 id="fr: a workshop closed on a weekday with the request handled later"),
]


@pytest.mark.parametrize("body", MAILBOX_CASES)
def test_a_mailbox_not_read_or_a_place_closed_in_other_languages(body: str) -> None:
    assert classify(reply(body)).kind == OOO
