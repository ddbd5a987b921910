"""The structural judgement of absence notices (issue 14): a notice is read from its parts in the words of
a language pack (absence, period, redirection, limited access, answer put off), so a new sentence built
from known parts is caught; a person who mentions an absence and answers or asks stays human. One case
per product sentence; none of these sentences is in the held-out fixtures (tests/fixtures/mail_handwritten/h14_*)."""

from __future__ import annotations

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.absence import judge_absence_notice
from addin_server.mail.absence_lexicon import PACKS, PARTS, find_part
from addin_server.mail.classify import classify
from tests.unit.mail.test_absence import reply

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY

STRUCTURE_CASES = [
    pytest.param("Estoy de permiso por mudanza hasta el jueves. Para temas urgentes, mi compañero Luis.", OOO,
                 id="es: a leave with an end and a colleague is out of office"),
    pytest.param("Estou de licença até 20 de janeiro, sem acesso ao e-mail. Fale com a Rita.", OOO,
                 id="pt: a licence with an end, no access and a redirection is out of office"),
    pytest.param("本日より研修のため不在です。12月10日まで確認が遅れます。", OOO,
                 id="ja: a training absence with a period and slow checking is out of office"),
    pytest.param("我正在休病假，12月9日返回，如有急事请联系王五。", OOO,
                 id="zh: sick leave with a return and an urgent contact is out of office"),
    pytest.param("Jestem na urlopie do poniedziałku. W pilnych sprawach proszę pisać do biura.", OOO,
                 id="pl: a holiday until a weekday with urgent matters elsewhere is out of office"),
    pytest.param("Jag är sjukskriven till och med fredag. Kontakta gärna min kollega Anna.", OOO,
                 id="sv: sick leave until friday and a colleague is out of office"),
    pytest.param("Ich bin krankgeschrieben bis Mittwoch. Bitte wenden Sie sich an meine Kollegin.", OOO,
                 id="de: sick leave until wednesday and a colleague is out of office"),
    pytest.param("En congé parental jusqu'au 3 mars. Pour toute urgence, contacter l'accueil.", OOO,
                 id="fr: parental leave until a date with an urgent contact is out of office"),
    pytest.param("Sono in malattia fino a venerdì. Per urgenze scrivere a info@buyer.example.", OOO,
                 id="it: sickness until friday with an urgent address is out of office"),
    pytest.param("Ik ben ziek tot en met woensdag. Voor dringende vragen kunt u terecht bij mijn collega.", OOO,
                 id="nl: sick until wednesday with a colleague for urgent questions is out of office"),
    pytest.param("Until 15 December: not checking email. Anything time-critical goes to ops@buyer.example. "
                 "I'll get back to you after that.", OOO,
                 id="en: no absence word but a period, limited access, a redirection and a reply put off is out of office"),
    pytest.param("Bin ab 14.12. zurück im Büro, vorher lese ich nichts.", OOO,
                 id="de: being back on a stated day is an absence statement of its own"),
    pytest.param("I'm on sabbatical until March, so my colleague runs this now - we'll talk in spring.", HUMAN,
                 id="en: away but settling what happens next ('we'll talk') stays human"),
    pytest.param("Estoy de vacaciones hasta el lunes, pero ¿me puede enviar la propuesta?", HUMAN,
                 id="es: away until monday but asking for the proposal stays human"),
    pytest.param("Estou de férias até o dia 20, mas pode me enviar a apresentação.", HUMAN,
                 id="pt: on holiday but asking for the deck stays human"),
    pytest.param("Jestem na urlopie do piątku, ale chętnie porozmawiam w przyszłym tygodniu.", HUMAN,
                 id="pl: on holiday but happy to talk next week stays human"),
    pytest.param("Jag är på semester till måndag, men vi kan ta ett samtal sedan.", HUMAN,
                 id="sv: on holiday until monday but proposing a call stays human"),
    pytest.param("来週は出張で不在ですが、木曜日の午後はいかがでしょうか。", HUMAN,
                 id="ja: away on a trip next week but proposing thursday stays human"),
    pytest.param("I was on leave until Monday, sorry for the delay. Could you resend the deck?", HUMAN,
                 id="en: an absence that is over, with a request, stays human"),
]


@pytest.mark.parametrize(("body", "expected"), STRUCTURE_CASES)
def test_absence_notices_are_read_from_their_structure(body: str, expected: InboundKind) -> None:
    result = classify(reply(body))
    assert result.kind == expected, result.evidence
    assert result.left_company is False


def test_the_evidence_names_each_part_and_its_language() -> None:
    judgement = judge_absence_notice(
        "Re: Propuesta", "Estoy de permiso por mudanza hasta el jueves. Para temas urgentes, mi compañero Luis.", None
    )
    assert judgement.is_notice
    text = judgement.evidence()
    assert "(es)" in text and "urgent matters go elsewhere" in text and "answers nothing that was asked +1" in text


def test_a_greeting_question_is_not_a_question_to_the_rep() -> None:
    result = classify(reply("Oi, tudo bem? Estou de férias até 20 de janeiro, sem acesso ao e-mail."))
    assert result.kind == OOO, result.evidence


def test_a_thanks_opening_is_a_template_but_what_follows_it_still_answers() -> None:
    notice = classify(reply("Thanks for reaching out! I'm on a business trip until Friday and not checking email."))
    assert notice.kind == OOO, notice.evidence
    answer = classify(reply("Thanks for reaching out! Not interested, I'm on a business trip until Friday anyway."))
    assert answer.kind == HUMAN, answer.evidence


def test_without_an_absence_word_two_parts_are_not_enough() -> None:
    result = classify(reply("Until Friday my colleague handles the renewals."))
    assert result.kind == HUMAN, result.evidence


def test_every_language_pack_names_an_absence_and_every_part_is_known() -> None:
    assert all(pack.absence for pack in PACKS)
    assert {part for pack in PACKS for part in PARTS if getattr(pack, part)} == set(PARTS)
    assert find_part("absence", "nothing here") is None


# Outside attack a14, findings 1 and 12: a person who says yes, asks for something, or answers the email's
# question with a time, while mentioning an absence, stays a human reply in every language.
ANSWERS_WHILE_AWAY = [
    pytest.param("Jag är ledig resten av veckan men absolut, vi kör ett pilotprojekt i januari. Skicka ett förslag!",
                 id="sv: away the rest of the week but yes, send a proposal stays human"),
    pytest.param("אני בחופשה עד יום שני, אבל כן, מעוניינים. תשלח לי הצעת מחיר בבקשה.",
                 id="he: on holiday until monday but yes, send me a quote stays human"),
    pytest.param("I'm away until 14 December, but the week of 11 January is good.",
                 id="en: away until a date but accepting the week of 11 january stays human"),
    pytest.param("Estoy de viaje hasta el 14. La semana del 11 de enero.",
                 id="es: travelling until the 14th, then a bare week proposed stays human"),
    pytest.param("14日まで出張中です。1月11日の週でお願いします。",
                 id="ja: on a trip until the 14th, asking for the week of 11 january stays human"),
    pytest.param("Je suis en vacances jusqu'au 14. La semaine du 11 janvier me va.",
                 id="fr: on holiday until the 14th, the week of 11 january suits stays human"),
    pytest.param("我出差到14号。1月11日那周可以。",
                 id="zh: on a trip until the 14th, the week of 11 january is fine stays human"),
    pytest.param("Estou viajando até o dia 14. A semana de 11 de janeiro está ótima.",
                 id="pt: travelling until the 14th, the week of 11 january is great stays human"),
    pytest.param("12월 14일까지 출장 중입니다. 1월 11일 주가 좋습니다.",
                 id="ko: on a trip until 14 december, the week of 11 january is good stays human"),
    pytest.param("Ich bin bis zum 14. im Urlaub, aber ja: die Woche vom 11. Januar passt mir.",
                 id="de: on holiday until the 14th, but yes, the week of 11 january suits stays human"),
]


@pytest.mark.parametrize("body", ANSWERS_WHILE_AWAY)
def test_a_person_who_answers_while_away_stays_a_human_reply(body: str) -> None:
    result = classify(reply(body))
    assert result.kind == HUMAN, result.evidence
    assert result.return_date is None


def test_a_human_reply_that_mentions_an_absence_says_what_kept_it_human() -> None:
    result = classify(reply("I'm away until 14 December, but the week of 11 January is good."))
    assert result.kind == HUMAN
    said = " ".join(result.evidence)
    assert "not an absence notice" in said and "answers the rep 'the week of' (en) -3" in said


# Outside attack a14, finding 9: questions an absence template asks to send the reader elsewhere are part of
# the notice; a person's own question, even followed by "if not, call me", still asks the rep something.
ROUTING_QUESTIONS = [
    pytest.param("Thank you for your email. I am out of the office until Monday 14 December.\n\n"
                 "Need help sooner? Have a question about your order? Visit https://support.example.org or call "
                 "+1 555 0100.", OOO,
                 id="en: a run of routing questions ending in 'visit ... or call' is part of the notice"),
    pytest.param("I'm out until Monday. Can it wait? If not, reach Priya at priya@example.org.", OOO,
                 id="en: 'can it wait? if not, reach a colleague' is part of the notice"),
    pytest.param("I'm out until Monday. Can you send the contract today? If not, call me on Monday.", HUMAN,
                 id="en: a person's question followed by 'if not, call me' still asks the rep"),
]


@pytest.mark.parametrize(("body", "expected"), ROUTING_QUESTIONS)
def test_questions_that_route_the_reader_elsewhere_are_part_of_the_notice(body: str, expected: InboundKind) -> None:
    result = classify(reply(body))
    assert result.kind == expected, result.evidence


# Outside attack a14, finding 6: notices without headers built from known parts in words no pack knew.
NOTICES_IN_NEW_WORDS = [
    pytest.param("أنا في رحلة عمل حتى يوم الخميس ١٧ ديسمبر، وسأرد على رسالتك عند عودتي.",
                 id="ar: a business trip until thursday with a reply on return is out of office"),
    pytest.param("Gone fishing 🎣 — back Monday 14 December.",
                 id="en: gone fishing, back on a stated day is out of office"),
    pytest.param("I'm at Web Summit this week, responses will be delayed. For urgent matters, contact "
                 "priya@example.org.",
                 id="en: at a named conference this week, replies delayed, urgent matters elsewhere is out of office"),
]


@pytest.mark.parametrize("body", NOTICES_IN_NEW_WORDS)
def test_an_absence_notice_without_headers_is_out_of_office_in_new_words(body: str) -> None:
    result = classify(reply(body))
    assert result.kind == OOO, result.evidence
    assert result.left_company is False


def test_a_person_who_mentions_a_conference_and_answers_stays_human() -> None:
    result = classify(reply("I'm at Web Summit this week, but yes, send me the proposal."))
    assert result.kind == HUMAN, result.evidence


def test_a_week_the_person_proposes_is_never_read_as_a_return() -> None:
    judgement = judge_absence_notice("Re: Pilot", "Estoy de viaje hasta el 14. La semana del 11 de enero.", None)
    assert judgement.return_date is None or judgement.return_date.month == 12, judgement.evidence()
    assert not judgement.is_notice
