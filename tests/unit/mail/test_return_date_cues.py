"""Which phrase gives the day back when a notice writes several: a return phrase over an earlier end,
a weekday named with its day, a phrase read within its own sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from addin_server.mail.return_date import find_return_date

RECEIVED = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)  # a Sunday

# "until I return on Tuesday, December 8": the end and the return name the same day, which stays the
# day back; only an end that includes its day pushes a weekday named alone to the week after.
SAME_DAY_CASES = [
    ("english 'until I am back on Tuesday, December 8' is the 8th, not a week later",
     "Training all week; I can't reply until I am back on Tuesday, December 8.", date(2026, 12, 8)),
    ("german 'bis Dienstag, 8. Dezember ... zurück am Dienstag' is the 8th",
     "Bis Dienstag, 8. Dezember bin ich unterwegs, zurück am Dienstag.", date(2026, 12, 8)),
    ("english 'through Monday 7 December. Back Monday' is the Monday after",
     "I'm on leave through Monday 7 December. Back Monday.", date(2026, 12, 14)),
]

# A phrase's date is read in its own sentence: "wieder am Platz. Der Termin am 16.12." names no day back,
# "tot mijn terugkeer. Op 14 december" no end.
SENTENCE_CASES = [
    ("german 'wieder am Platz' followed by another sentence's date keeps the range's end",
     "Vom 14. bis 18. Dezember bin ich auf einer Messe. Danach bin ich wieder am Platz. Der Termin am 16.12. entfällt.",
     date(2026, 12, 21)),
    ("english 'until further notice' reads no later sentence's date",
     "I am out of the office until further notice. December 3 was my last day in the office.", None),
    ("dutch 'tot mijn terugkeer. Op 14 december ben ik weer op kantoor' is the 14th",
     "Ik lees geen mail tot mijn terugkeer. Op 14 december ben ik weer op kantoor.", date(2026, 12, 14)),
]

# German and Dutch write the day first: "Woensdag ben ik weer bereikbaar", "Am Donnerstag bin ich wieder da".
DAY_FIRST_CASES = [
    ("dutch 'Woensdag ben ik weer bereikbaar' is the next Wednesday",
     "Maandag en dinsdag zit ik op een congres. Woensdag ben ik weer bereikbaar.", date(2026, 12, 9)),
    ("german 'Am Donnerstag bin ich wieder da' is the next Thursday",
     "Ich bin auf Fortbildung. Am Donnerstag bin ich wieder da.", date(2026, 12, 10)),
    ("german 'Ab Dienstag, 15.12., bin ich wieder' wins over the range before it",
     "Vom 7. bis 11. Dezember bin ich verreist. Ab Dienstag, 15.12., bin ich wieder im Institut.",
     date(2026, 12, 15)),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in SAME_DAY_CASES])
def test_an_end_and_a_return_on_the_same_day_give_that_day(text: str, expected: date) -> None:
    assert find_return_date(text, RECEIVED) == expected


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in SENTENCE_CASES])
def test_a_phrase_reads_its_date_in_its_own_sentence(text: str, expected: date | None) -> None:
    assert find_return_date(text, RECEIVED) == expected


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in DAY_FIRST_CASES])
def test_a_day_written_before_the_return_words(text: str, expected: date) -> None:
    assert find_return_date(text, RECEIVED) == expected
