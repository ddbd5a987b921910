"""Return dates in the forms out-of-office texts use, anchored on the day the reply arrived."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from addin_server.mail.return_date import find_return_date

RECEIVED = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)  # a Monday

CASES = [
    ("english 'back on 4 April'", "I'm away and back on 4 April.", date(2024, 4, 4)),
    ("english month first 'returning March 18th'", "Returning March 18th, 2024.", date(2024, 3, 18)),
    ("english weekday 'back Monday' is the next Monday", "Out today, back Monday.", date(2024, 3, 11)),
    ("day-first slash when the day is above 12", "Returning 25/03/2024.", date(2024, 3, 25)),
    ("month-first slash when the second part is above 12", "Returning 03/25/2024.", date(2024, 3, 25)),
    ("ambiguous slash takes the nearest reading ahead", "Back 05/03/2024.", date(2024, 3, 5)),
    ("iso date", "Out of office until 2024-03-15.", date(2024, 3, 15)),
    ("german 'bis 12.03.' without a year", "Ich bin bis 12.03. nicht im Büro.", date(2024, 3, 12)),
    ("german 'ab dem 18. März wieder'", "Ab dem 18. März bin ich wieder erreichbar.", date(2024, 3, 18)),
    ("german day before the return 'am 27. März wieder im Büro'", "Ich bin am 27. März wieder im Büro.",
     date(2024, 3, 27)),
    ("german numeric day before the return 'am 8.3. wieder erreichbar'", "Ich bin am 8.3. wieder erreichbar.",
     date(2024, 3, 8)),
    ("french 'de retour le 5 mars'", "Je serai de retour le 5 mars.", date(2024, 3, 5)),
    ("spanish 'hasta el 20 de marzo'", "Estaré fuera hasta el 20 de marzo.", date(2024, 3, 20)),
    ("italian 'rientro il 19 marzo'", "Sono in ferie, rientro il 19 marzo.", date(2024, 3, 19)),
    ("dutch 'terug op 14 maart'", "Ik ben afwezig en terug op 14 maart.", date(2024, 3, 14)),
    ("portuguese 'até 22/03/2024'", "Estou ausente até 22/03/2024.", date(2024, 3, 22)),
    ("swedish 'tillbaka den 13 mars'", "Jag är ledig och tillbaka den 13 mars.", date(2024, 3, 13)),
    ("finnish 'palaan 11.3.'", "Olen lomalla, palaan 11.3.", date(2024, 3, 11)),
    ("polish 'do 15 marca'", "Jestem na urlopie do 15 marca.", date(2024, 3, 15)),
    ("russian 'до 20 марта'", "Я в отпуске до 20 марта.", date(2024, 3, 20)),
    ("japanese '3月21日まで'", "3月21日まで休暇をいただいております。", date(2024, 3, 21)),
    ("chinese '2024年3月22日回来'", "我在休假，2024年3月22日回来。", date(2024, 3, 22)),
    ("korean '3월 23일까지'", "3월 23일까지 휴가입니다.", date(2024, 3, 23)),
    ("a range 'July 10-31' gives its last day", "I will be traveling July 10-31.", date(2024, 7, 31)),
    ("a return phrase wins over an until phrase", "Away until 8 March, back on 11 March.", date(2024, 3, 11)),
    ("no date at all gives none", "I am out of the office with limited access to email.", None),
    ("a date in the past is not a return date", "Back on 2 January 2020.", None),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_find_return_date(text: str, expected: date | None) -> None:
    assert find_return_date(text, RECEIVED) == expected


def test_without_an_anchor_a_yearless_date_is_not_guessed() -> None:
    assert find_return_date("Ich bin bis 12.03. nicht im Büro.", None) is None
