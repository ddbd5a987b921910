"""Days away written as a list: the day back is the first working day after the message that is not
one of them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from addin_server.mail.day_lists import listed_days
from addin_server.mail.return_date import find_return_date


def _sent(day: int) -> datetime:
    return datetime(2026, 12, day, 9, 0, tzinfo=UTC)


CASES = [
    ("portuguese 'fechada nos dias 7 e 8 de dezembro' written on the 7th is back the 9th",
     "A loja estará fechada nos dias 7 e 8 de dezembro.", _sent(7), date(2026, 12, 9)),
    ("italian 'chiusi lunedì 7 e martedì 8 dicembre' written on the 7th is back the 9th",
     "Gli sportelli resteranno chiusi lunedì 7 e martedì 8 dicembre.", _sent(7), date(2026, 12, 9)),
    ("english 'out on 10 and 11 December' written on Thursday 10 is back Monday 14",
     "I'm out on 10 and 11 December.", _sent(10), date(2026, 12, 14)),
    ("spanish 'los días 9, 10 y 11 de diciembre' written on the 9th is back Monday 14",
     "Estaré fuera los días 9, 10 y 11 de diciembre.", _sent(9), date(2026, 12, 14)),
    ("brazilian 'nos dias 10 e 11/12' written on the 10th is back Monday 14",
     "Estarei em viagem nos dias 10 e 11/12.", _sent(10), date(2026, 12, 14)),
    ("a day between the listed ones is back: 'closed on 7 and 9 December' written on the 7th is the 8th",
     "The branch is closed on 7 and 9 December.", _sent(7), date(2026, 12, 8)),
    ("english 'off on 24th and 31st December' written on the 24th is back the 25th",
     "I'm off on 24th and 31st December.", _sent(24), date(2026, 12, 25)),
    ("a list written before its first day is read as any other text: no first free day",
     "Das Büro ist am 24. und 31. Dezember geschlossen.", _sent(8), None),
    ("a single day written without any phrase, the message's own day, is a day away: back the next",
     "Os balcões estão encerrados no dia 8 de dezembro, feriado nacional.", _sent(8), date(2026, 12, 9)),
    ("german 'am 11.12. geschlossen' sent on Friday 11 is back Monday 14", "Die Praxis ist am 11.12. geschlossen.",
     _sent(11), date(2026, 12, 14)),
    ("counts that name no month are no list", "We offer 2 and 3 bedroom flats.", _sent(7), None),
]


@pytest.mark.parametrize(("text", "sent", "expected"), [pytest.param(t, s, d, id=n) for n, t, s, d in CASES])
def test_listed_days_away_give_the_first_free_working_day(text: str, sent: datetime, expected: date | None) -> None:
    assert find_return_date(text, sent) == expected


@pytest.mark.parametrize("text", ["entre 7 e 11 de dezembro", "between 7 and 11 December", "zwischen 7 und 11. Dezember"])
def test_two_days_after_between_are_a_span_not_a_list(text: str) -> None:
    assert listed_days(text) is None
