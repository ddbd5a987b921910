"""Signs that a person answers, read from the shape of a sentence (mail/person_signs.py): a turn to the email's
matter after "but", and a clock time proposed. A notice's own turns and clock times are not signs."""

from __future__ import annotations

import pytest

from addin_server.mail.absence import _is_notice_part
from addin_server.mail.person_signs import (
    already_passed_on,
    proposes_a_time,
    refers_to_what_the_rep_said,
    speaks_of_the_matter,
    turns_to_the_matter,
)

TURNS = [
    pytest.param("On leave until the 14th, but I've forwarded this to Sam who owns the budget.", True,
                 id="en: a turn to who owns the budget is a person's"),
    pytest.param("Sono in trasferta, comunque confermo l'ordine.", True, id="it: comunque and a decision is a person's"),
    pytest.param("Jag är på mässa hela veckan, men vi tar det på måndag.", True, id="sv: men after a comma turns"),
    pytest.param("I'm away, but will check email occasionally.", False, id="en: a turn to limited access is the notice's"),
    pytest.param("I'm travelling, but my colleague Jane can help.", False, id="en: a turn to a colleague is the notice's"),
    pytest.param("Ich bin im Urlaub, aber ab Montag wieder erreichbar.", False, id="de: a turn to the return is the notice's"),
    pytest.param("Je suis absente, mais je vous répondrai à mon retour.", False, id="fr: a turn to the reply is the notice's"),
    pytest.param("Estoy fuera, pero puede escribir a ventas@buyer.example.", False, id="es: a turn to an address is the notice's"),
    pytest.param("Não trabalho mais às sextas-feiras.", False, id="pt: mais (more) without a comma does not turn"),
    pytest.param("出張中ですが、戻り次第ご連絡いたします。", False, id="ja: a turn to the reply on return is the notice's"),
]


@pytest.mark.parametrize(("text", "turns"), TURNS)
def test_a_turn_to_the_matter_is_a_persons_and_a_turn_to_a_notice_part_is_not(text: str, turns: bool) -> None:
    assert (turns_to_the_matter(text, _is_notice_part) is not None) == turns


TIMES = [
    pytest.param("Happy to talk Friday at 9.", True, id="en: friday at 9 is proposed"),
    pytest.param("d'accord pour un appel le 6 à 10h", True, id="fr: le 6 à 10h is proposed"),
    pytest.param("Passt Ihnen Dienstag um 14 Uhr", True, id="de: dienstag um 14 uhr is proposed"),
    pytest.param("下周二下午三点可以通话", True, id="zh: tuesday at three in the afternoon is proposed"),
    pytest.param("来週火曜の15時でしたら大丈夫です", True, id="ja: tuesday at 15:00 is proposed"),
    pytest.param("I'm in a workshop until 3pm.", False, id="en: a time that ends the absence is the notice's"),
    pytest.param("Office hours: 9:00-17:00.", False, id="en: opening hours are the notice's"),
    pytest.param("Ab 14 Uhr bin ich wieder erreichbar.", False, id="de: ab 14 uhr is a return"),
    pytest.param("Sent on 12 Dec 2015 17:02:47.", False, id="a timestamp with seconds is not a proposal"),
    pytest.param("Ich bin am 14.12. nicht im Büro.", False, id="de: a date with dots is not a clock time"),
]


@pytest.mark.parametrize(("text", "proposed"), TIMES)
def test_a_clock_time_is_proposed_unless_it_ends_an_absence_or_opens_an_office(text: str, proposed: bool) -> None:
    assert (proposes_a_time(text) is not None) == proposed


MATTER = [
    pytest.param("Il budget è approvato, procediamo pure.", True, id="it: a decision about the budget is a person's"),
    pytest.param("Akceptujemy ofertę, proszę przygotować umowę.", True, id="pl: accepting the offer is a person's"),
    pytest.param("方案我们同意，合同请先发过来。", True, id="zh: agreeing to the plan is a person's"),
    pytest.param("For quotes, please contact sales@buyer.example.", False, id="en: routing quotes to an address is the notice's"),
    pytest.param("Orders placed after 18 December will ship on 4 January.", False, id="en: orders with dates are the notice's"),
    pytest.param("Angebote bitte an einkauf@buyer.example senden.", False, id="de: offers sent to an address are the notice's"),
    pytest.param("I will answer questions about your proposal when I am back.", False,
                 id="en: the proposal in a reply put off is the notice's"),
]


@pytest.mark.parametrize(("text", "found"), MATTER)
def test_a_sentence_about_the_emails_matter_is_a_persons_unless_it_routes_or_puts_off(text: str, found: bool) -> None:
    assert (speaks_of_the_matter(text, _is_notice_part) is not None) == found


def test_a_decision_in_its_own_clause_is_a_persons_even_in_a_sentence_about_the_absence() -> None:
    text = "Pazartesiye kadar izindeyim ama yönetim onay verdi, ocakta başlayabiliriz."
    assert speaks_of_the_matter(text, _is_notice_part) == "yönetim onay verdi"


PASSED_ON = [
    pytest.param("I've forwarded this to Sam who owns the budget.", True, id="en: i've forwarded this is a person's"),
    pytest.param("Já repassei seu contato para o nosso diretor.", True, id="pt: já repassei is a person's"),
    pytest.param("Ich habe es an Herrn Braun weitergeleitet.", True, id="de: habe weitergeleitet is a person's"),
    pytest.param("Your email will be forwarded to my colleague.", False, id="en: a promise to forward is the notice's"),
    pytest.param("Ihre E-Mail wird nicht weitergeleitet.", False, id="de: mail not forwarded is the notice's"),
    pytest.param("Sua mensagem não será encaminhada.", False, id="pt: mail not forwarded is the notice's"),
]


@pytest.mark.parametrize(("text", "found"), PASSED_ON)
def test_a_report_of_having_passed_the_email_on_is_a_persons(text: str, found: bool) -> None:
    assert (already_passed_on(text) is not None) == found


WHAT_YOU_SAID = [
    pytest.param("The numbers you sent look sensible.", True, id="en: the numbers you sent is a reader's"),
    pytest.param("你们上次提到的折扣还有效", True, id="zh: the discount you mentioned is a reader's"),
    pytest.param("The email you sent will not be forwarded.", False, id="en: what happens to the mail is the notice's"),
]


@pytest.mark.parametrize(("text", "found"), WHAT_YOU_SAID)
def test_what_the_reps_email_said_referred_to_is_a_readers(text: str, found: bool) -> None:
    assert (refers_to_what_the_rep_said(text) is not None) == found
