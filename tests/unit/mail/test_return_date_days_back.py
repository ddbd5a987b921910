"""Days back the readers missed: an inclusive end written short ("t/m"), a week after "vanaf ... weer", a weekday
with an article before its day ("Montag, dem 14."), the return as a noun or a team's plural ("a mi vuelta, prevista
para", "Retornaremos"), the answer given from a day ("rispondo da lunedì 14"), going to work again in Chinese and
Japanese ("正常上班", "14日に出社"), the end of a month, reading the mail tomorrow, and a day of the month alone
("back on the 4th"). One case per product sentence, fresh wording, several languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from addin_server.mail.return_date import find_return_date

RECEIVED = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)  # a Sunday
TUESDAY = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
DEC_18 = datetime(2026, 12, 18, 15, 0, tzinfo=UTC)  # a Friday

CASES = [
    # "t/m" is "tot en met": the day written is the last one away.
    pytest.param("Ik ben er niet t/m woensdag 16 december; daarna lees ik mijn mail weer.", RECEIVED, date(2026, 12, 17),
                 id="nl: away 't/m' a day is back the next working day"),
    pytest.param("Onze winkel is dicht van 24 december t/m 3 januari.", RECEIVED, date(2027, 1, 4),
                 id="nl: closed from a day 't/m' a day is back the working day after the last"),
    # back in week N after a start word and "again": the Monday of week N, as "back in week 2" is.
    pytest.param("Ik ben op vakantie, vanaf week 2 ben ik weer op kantoor.", RECEIVED, date(2027, 1, 11),
                 id="nl: 'vanaf week 2 weer' is the Monday of week 2"),
    pytest.param("Jag har ledigt och är från vecka 2 igen på plats.", RECEIVED, date(2027, 1, 11),
                 id="sv: 'från vecka 2 igen' is the Monday of week 2"),
    # an article between a weekday and its day number
    pytest.param("Ich bin auf Dienstreise. Ab Dienstag, dem 15. Dezember, bin ich wieder erreichbar.", RECEIVED,
                 date(2026, 12, 15), id="de: 'Ab Dienstag, dem 15. Dezember, wieder' is the 15th, not the next Tuesday"),
    pytest.param("Travelling this week, back in the office on Tuesday the 15th of December.", RECEIVED,
                 date(2026, 12, 15), id="en: 'Tuesday the 15th of December' is the 15th"),
    # the return as a noun with its forecast, a team's return in the plural, the answer given from a day
    pytest.param("Estoy de viaje; te escribo a mi vuelta, prevista para el 17/12.", RECEIVED, date(2026, 12, 17),
                 id="es: 'a mi vuelta, prevista para el 17/12' is the 17th"),
    pytest.param("Sono in congedo; il mio rientro è previsto per il 12 gennaio.", RECEIVED, date(2027, 1, 12),
                 id="it: 'il mio rientro è previsto per' a day is that day"),
    pytest.param("Estamos em férias coletivas. Retornaremos às atividades em 05/01/2027.", RECEIVED, date(2027, 1, 5),
                 id="pt: 'Retornaremos às atividades em' a day is that day"),
    pytest.param("Cerramos por inventario; volveremos el jueves 10 de diciembre.", RECEIVED, date(2026, 12, 10),
                 id="es: 'volveremos el' a day is that day"),
    pytest.param("Sono a un convegno fino a venerdì 11, rispondo da lunedì 14.", RECEIVED, date(2026, 12, 14),
                 id="it: 'rispondo da lunedì 14' after an earlier end is the 14th"),
    pytest.param("tô num treinamento, respondo quinta", TUESDAY, date(2026, 12, 10),
                 id="pt: 'respondo quinta' without '-feira' is the next Thursday"),
    # going to work again on a day (zh, ja), and a day written alone after a full date
    pytest.param("本人12月23日至1月3日休年假，1月4日正常上班。", RECEIVED, date(2027, 1, 4),
                 id="zh: '正常上班' on a day after a span is that day, not the day after"),
    pytest.param("本人於12/22至12/24請假，12/25恢復上班。", RECEIVED, date(2026, 12, 25),
                 id="zh-TW: '恢復上班' after a numeric span is the last numeric date"),
    pytest.param("出張のため12月9日（水）まで不在です。10日（木）に出社いたします。", RECEIVED, date(2026, 12, 10),
                 id="ja: '10日に出社' after '12月9日まで' is the 10th of that month"),
    # the end of a month: the first working day of the next month
    pytest.param("Je suis en congé parental jusqu'à fin mars.", RECEIVED, date(2027, 4, 1),
                 id="fr: 'jusqu'à fin mars' is back the first working day of April"),
    pytest.param("I'm on sabbatical until the end of January.", RECEIVED, date(2027, 2, 1),
                 id="en: 'until the end of January' is back 1 February"),
    pytest.param("Ich bin bis Ende Januar in Elternzeit.", RECEIVED, date(2027, 2, 1),
                 id="de: 'bis Ende Januar' is back 1 February"),
    pytest.param("Estoy de baja hasta finales de enero.", RECEIVED, date(2027, 2, 1),
                 id="es: 'hasta finales de enero' is back 1 February"),
    pytest.param("Sono in aspettativa fino a fine gennaio.", RECEIVED, date(2027, 2, 1),
                 id="it: 'fino a fine gennaio' is back 1 February"),
    pytest.param("Ik ben met verlof tot eind januari.", RECEIVED, date(2027, 2, 1),
                 id="nl: 'tot eind januari' is back 1 February"),
    pytest.param("Estou afastada até o final de janeiro.", RECEIVED, date(2027, 2, 1),
                 id="pt: 'até o final de janeiro' is back 1 February"),
    # reading the mail tomorrow is the next working day
    pytest.param("Stamattina sono dal cliente e non leggo la posta; leggerò la sua mail domani.", RECEIVED,
                 date(2026, 12, 7), id="it: 'leggerò la sua mail domani' is the next working day"),
    pytest.param("Vandaag ben ik vrij. Ik lees je bericht morgen.", RECEIVED, date(2026, 12, 7),
                 id="nl: 'ik lees je bericht morgen' is the next working day"),
    pytest.param("Heute bin ich in einer Schulung, ich lese Ihre Nachricht morgen.", RECEIVED, date(2026, 12, 7),
                 id="de: 'ich lese Ihre Nachricht morgen' is the next working day"),
    # a day of the month alone after a return phrase: the next such day, never one past
    pytest.param("out until after the holidays, back on the 5th (Jan)", DEC_18, date(2027, 1, 5),
                 id="en: 'back on the 5th (Jan)' is 5 January"),
    pytest.param("I'm off this week, back on the 21st.", DEC_18, date(2026, 12, 21),
                 id="en: 'back on the 21st' is the next 21st"),
    pytest.param("Bin im Urlaub, ab dem 5. wieder im Büro.", DEC_18, date(2027, 1, 5),
                 id="de: 'ab dem 5. wieder' written on the 18th is the 5th of the next month"),
    pytest.param("Je suis absente, de retour le 4.", DEC_18, date(2027, 1, 4),
                 id="fr: 'de retour le 4' written on the 18th is 4 January"),
    # numbers that are no day
    pytest.param("I'm available from 9 to 5 this week.", RECEIVED, None,
                 id="en: clock hours after 'available from' are no day back"),
]


@pytest.mark.parametrize(("text", "received", "back"), CASES)
def test_the_day_back(text: str, received: datetime, back: date | None) -> None:
    assert find_return_date(text, received) == back


def test_until_a_day_keeps_the_day_written() -> None:
    # The documented "until" rule: a bare end phrase gives the day written; only an inclusive word moves it.
    assert find_return_date("Ich bin bis zum 06.01.2027 nicht im Büro.", RECEIVED) == date(2027, 1, 6)
    assert find_return_date("Ich bin bis einschließlich 06.01.2027 nicht im Büro.", RECEIVED) == date(2027, 1, 7)
