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
    ("german 'bis ... wenn ich am Dienstag, dem 8. Dezember, zurück bin' is the 8th",
     "Bis dahin lese ich keine Mails, erst wenn ich am Dienstag, dem 8. Dezember, zurück bin.", date(2026, 12, 8)),
    ("english 'through Monday 7 December. Back Monday' is the Monday after",
     "I'm on leave through Monday 7 December. Back Monday.", date(2026, 12, 14)),
]

# A phrase's date is read in its own sentence: "wieder am Platz. Der Termin am 16.12." names no day back,
# "tot mijn terugkeer. Op 14 december" no end.
SENTENCE_CASES = [
    ("german 'wieder am Platz' followed by another sentence's date keeps the range's end",
     "Vom 14. bis 18. Dezember bin ich auf einer Messe. Danach bin ich wieder am Platz. Der Termin am 16.12. entfällt.",
     date(2026, 12, 21)),
    ("a weekday abbreviation's full stop ends no sentence: 'Returning Thurs. December 17'",
     "Returning Thurs. December 17.", date(2026, 12, 17)),
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


# A return phrase written after an end or a range gives the day back: "hasta el viernes ... a partir del
# lunes", "qu'à compter du", "a partire da", "Выйду на работу", "Retour au bureau le".
RETURN_AFTER_END_CASES = [
    ("spanish 'hasta el jueves 10 ... contestaré a partir del lunes 14' is the 14th",
     "Estoy de viaje hasta el jueves 10 de diciembre y contestaré los correos a partir del lunes 14 de diciembre.",
     date(2026, 12, 14)),
    ("portuguese 'até 9/12 ... a partir de 11/12' is the 11th",
     "Estarei fora até 9/12. Retomo os contatos a partir de 11/12.", date(2026, 12, 11)),
    ("french 'qu'à compter du mardi 15 décembre' is the 15th",
     "Absente, je ne traiterai votre demande qu'à compter du mardi 15 décembre.", date(2026, 12, 15)),
    ("italian 'a partire da giovedì 10 dicembre' after closed days is the 10th",
     "Lo studio resta chiuso martedì 8 dicembre; le pratiche saranno riprese a partire da giovedì 10 dicembre.",
     date(2026, 12, 10)),
    ("russian 'по 8 января ... Выйду на работу 12 января' is the 12th",
     "Я в отпуске по 8 января. Выйду на работу 12 января.", date(2027, 1, 12)),
    ("french 'Retour au bureau le 15/12' is the 15th", "En formation cette semaine. Retour au bureau le 15/12.",
     date(2026, 12, 15)),
    ("italian 'rientrerò in ufficio martedì 15 dicembre' after 'fino all'11' is the 15th",
     "Sono in trasferta fino all'11 dicembre. Rientrerò in ufficio martedì 15 dicembre.", date(2026, 12, 15)),
    ("german 'bis einschließlich Donnerstag ... ab Montag wieder da' is the Monday",
     "Ich bin bis einschließlich Donnerstag krank und ab Montag wieder da.", date(2026, 12, 7)),
    ("german 'ab morgen im Urlaub bis 18.12.': where the absence starts is no return",
     "Ich bin ab morgen im Urlaub bis 18.12. und lese keine Mails.", date(2026, 12, 18)),
    ("italian 'tornerò in sede il 16 dicembre' after 'fino al 14' is the 16th",
     "Sono in missione fino al 14 dicembre, tornerò in sede il 16 dicembre.", date(2026, 12, 16)),
    ("italian 'di nuovo reperibile dal 9 dicembre' is the 9th", "Sarò di nuovo reperibile dal 9 dicembre.",
     date(2026, 12, 9)),
    ("russian 'буду в офисе с 10 декабря' after 'до 8 декабря' is the 10th",
     "Я на конференции до 8 декабря, буду в офисе с 10 декабря.", date(2026, 12, 10)),
    ("belgian 'Retour au bureau mardi 15/12' without 'le' is the 15th",
     "Je suis en mission jusqu'au 11/12. Retour au bureau mardi 15/12.", date(2026, 12, 15)),
    ("french 'je reprends le travail le 4/1' is 4 January", "En congé jusqu'au 31/12, je reprends le travail le 4/1.",
     date(2027, 1, 4)),
    ("russian 'на связи с 14 декабря' after 'до 11 декабря' is the 14th",
     "Я в командировке до 11 декабря. Буду на связи с 14 декабря.", date(2026, 12, 14)),
    ("russian 'до 11 декабря включительно' (a Friday) is back Monday 14", "Я в отпуске до 11 декабря включительно.",
     date(2026, 12, 14)),
    ("portuguese 'a partir de 14/12 até 18/12' opens a range, no return: back Monday 21",
     "Estarei de férias a partir de 14/12 até 18/12.", date(2026, 12, 21)),
]

# A Russian range ends on a day away, its years written with "г.": back the next working day.
# An ordinal sign after a day number ("1° aprile", "1º de março") is the day, not a lost digit.
WRITTEN_FORM_CASES = [
    ("russian 'с 21 декабря 2026 г. по 8 января 2027 г.' (a Friday) is back Monday 11",
     "С 21 декабря 2026 г. по 8 января 2027 г. я нахожусь в отпуске.", date(2027, 1, 11)),
    ("italian 'rientro il 1° marzo 2027' is the 1st of March, not the 20th",
     "Sono in aspettativa, rientro il 1° marzo 2027.", date(2027, 3, 1)),
    ("portuguese 'regresso no dia 1º de fevereiro' is the 1st", "Estou de licença; regresso no dia 1º de fevereiro.",
     date(2027, 2, 1)),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in RETURN_AFTER_END_CASES])
def test_a_return_phrase_after_an_end_gives_the_day_back(text: str, expected: date) -> None:
    assert find_return_date(text, RECEIVED) == expected


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in WRITTEN_FORM_CASES])
def test_dates_in_their_written_forms(text: str, expected: date) -> None:
    assert find_return_date(text, RECEIVED) == expected
