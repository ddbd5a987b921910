"""The shape of a template read without any word of absence (mail/template_shape.py): the sender spoken of in
the third person, another person's address, a span of dates, one notice in two languages. The shape counts only
where nothing in the text is a person's; one case per product sentence."""

from __future__ import annotations

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.template_shape import bilingual, date_range, stand_in_address, third_person
from tests.unit.mail.test_recipient import to_rep

OOO = InboundKind.OUT_OF_OFFICE
HUMAN = InboundKind.HUMAN_REPLY
KIM = "Kim Lee <kim.lee@buyer.example>"

THIRD_PERSON = [
    pytest.param("Kim Lee is in Tokyo this week.", True, id="en: the sender's full name as the subject"),
    pytest.param("Hello. Frau Lee ist diese Woche in Tokio.", True, id="de: a title and the surname as the subject"),
    pytest.param("Kim est à Tokyo cette semaine.", True, id="fr: the first name as the subject"),
    pytest.param("I'm in Tokyo this week.\nKim Lee", False, id="the name signing the text is no subject"),
    pytest.param("Robert\nOn Monday, Kim wrote:", False, id="a quoted 'On ... wrote' line is no verb"),
]


@pytest.mark.parametrize(("text", "found"), THIRD_PERSON)
def test_a_notice_speaks_of_its_owner_in_the_third_person(text: str, found: bool) -> None:
    assert (third_person(text, "Kim Lee", "kim.lee@buyer.example") is not None) == found


def test_another_persons_address_is_neither_the_senders_nor_a_recipients() -> None:
    text = "Write to kim.lee@buyer.example or ava.reed@seller.example, or bob.stone@buyer.example."
    assert stand_in_address(text, "kim.lee@buyer.example", ("ava.reed@seller.example",)) == "bob.stone@buyer.example"
    assert stand_in_address("Write to kim.lee@buyer.example.", "kim.lee@buyer.example", ()) is None


SPANS = [
    pytest.param("Away 07.12.–14.12.", "07.12.–14.12", id="day.month to day.month"),
    pytest.param("Absent du 7/12 au 14/12.", "7/12 au 14/12", id="two numeric dates around a short word"),
    pytest.param("In Tokyo Dec 7-14.", "Dec 7-14", id="a month and two days"),
    pytest.param("12月7日～14日は不在", "12月7日～14日", id="ja: a month, a day and a day"),
    pytest.param("Call me at 10-12 or later", None, id="a span without a month is no span of dates"),
]


@pytest.mark.parametrize(("text", "span"), SPANS)
def test_a_span_of_dates_is_read_in_any_language(text: str, span: str | None) -> None:
    assert date_range(text) == span


def test_one_notice_in_two_languages_carries_the_same_numbers_in_different_words() -> None:
    text = ("Ich bin bis 14.12. in Tokio. Anfragen an bob.stone@buyer.example.\n\n"
            "I am in Tokyo until 14.12. Requests to bob.stone@buyer.example.")
    assert bilingual(text) is not None
    assert bilingual("We met on 14.12. in Tokyo.\n\nWe meet again on 14.12. in Tokyo, as agreed.") is None


CLASSIFY = [
    pytest.param("Kim Lee is in Tokyo until Monday 14 December. Questions about orders: bob.stone@buyer.example", OOO,
                 id="en: the sender in the third person with a return and a stand-in's address is a notice"),
    pytest.param("Kim Lee est à Tokyo du 7/12 au 14/12. Merci d'écrire à bob.stone@buyer.example.", OOO,
                 id="fr: the sender in the third person, a span of dates and an address is a notice"),
    pytest.param("Ich bin in Tokio, 07.12.–14.12. Anfragen an bob.stone@buyer.example.\n\n"
                 "I am in Tokyo, 07.12.–14.12. Requests to bob.stone@buyer.example.", OOO,
                 id="de+en: the same words in two languages with a span of dates is a notice"),
    pytest.param("Kim here - I'm in Tokyo Dec 7-14, but the proposal looks fine to us.", HUMAN,
                 id="en: a span of dates in a person's answer stays human"),
    pytest.param("I'm in Tokyo until 14 December; loop in bob.stone@buyer.example on the contract.", HUMAN,
                 id="en: another person's address in a person's request stays human"),
    pytest.param("Tokyo trip Dec 7-14. Bob (bob.stone@buyer.example) owns the budget, talk to him first?", HUMAN,
                 id="en: a question with a span of dates and an address stays human"),
    pytest.param("Kim Lee is interested. Send the details to bob.stone@buyer.example please.", HUMAN,
                 id="en: a person speaking of themselves in the third person and answering stays human"),
]


@pytest.mark.parametrize(("body", "expected"), CLASSIFY)
def test_the_shape_of_a_template_makes_a_notice_only_where_nothing_is_a_persons(body: str, expected: InboundKind) -> None:
    result = classify(to_rep(body, sender=KIM))
    assert result.kind == expected, result.evidence
