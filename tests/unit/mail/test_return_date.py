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
    ("a range 'July 10-31' is days away: back the next working day", "I will be traveling July 10-31.",
     date(2024, 8, 1)),
    ("a return phrase wins over an until phrase", "Away until 8 March, back on 11 March.", date(2024, 3, 11)),
    ("no date at all gives none", "I am out of the office with limited access to email.", None),
    ("a date in the past is not a return date", "Back on 2 January 2020.", None),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_find_return_date(text: str, expected: date | None) -> None:
    assert find_return_date(text, RECEIVED) == expected


def test_without_an_anchor_a_yearless_date_is_not_guessed() -> None:
    assert find_return_date("Ich bin bis 12.03. nicht im Büro.", None) is None


RECEIVED_6_DECEMBER = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)  # a Sunday

# A month name is no day, a date a few days past is that day, and "du 7 au 18" ends on the 18th.
DECEMBER_CASES = [
    ("swedish 'till och med den 14 december' is back the 15th, never a year ahead",
     "Jag är på semester till och med den 14 december och har begränsad tillgång till e-post.", date(2026, 12, 15)),
    ("portuguese 'até dia 14 de dezembro' after 'do escritório' is the 14th",
     "Encontro-me ausente do escritório até dia 14 de dezembro, com acesso limitado.", date(2026, 12, 14)),
    ("'until 1 December' read on 6 December is the 1st (back already), like 'until 12/01'",
     "I am out of the office until 1 December with limited access to email.", date(2026, 12, 1)),
    ("french 'du 7 au 18 décembre' is days away: back Monday 21 after Friday 18",
     "Je suis absente du 7 au 18 décembre.", date(2026, 12, 21)),
    ("french 'du 7 au 18 décembre inclus' (a Friday) is back the Monday after",
     "Je suis absente du 7 au 18 décembre inclus.", date(2026, 12, 21)),
    ("spanish 'del 7 al 18 de diciembre' is days away: back Monday 21",
     "Estoy fuera de la oficina del 7 al 18 de diciembre.", date(2026, 12, 21)),
    ("the day back wins over the last day away", "I am away May 25 through May 29 and back in the office on June 1.",
     date(2027, 6, 1)),
    ("a day that ends its sentence ('June 1. For urgent matters') is that day",
     "Back in the office on June 1. For urgent matters contact help@example.com.", date(2027, 6, 1)),
    ("a weekday still reads as the next one", "I am on holiday, back on Monday.", date(2026, 12, 7)),
]


# "Until X inclusive" names the last day away: the return is the next working day after it. A weekday
# named alone after a later end date is that weekday after the end.
INCLUSIVE_AND_LATER_CASES = [
    ("german 'bis einschließlich 18.12.' (a Friday) is back Monday 21",
     "Ich bin bis einschließlich 18.12. nicht im Büro.", date(2026, 12, 21)),
    ("dutch 'tot en met vrijdag 18 december' is back Monday 21",
     "Ik ben afwezig tot en met vrijdag 18 december.", date(2026, 12, 21)),
    ("polish 'do 11 grudnia włącznie' (a Friday) is back Monday 14",
     "Dzień dobry, jestem na urlopie do 11 grudnia włącznie.", date(2026, 12, 14)),
    ("spanish 'hasta el 15 de diciembre inclusive' is back the 16th",
     "Estoy fuera de la oficina hasta el 15 de diciembre inclusive.", date(2026, 12, 16)),
    ("french 'jusqu'au 15 décembre inclus' is back the 16th",
     "Je suis absent jusqu'au 15 décembre inclus.", date(2026, 12, 16)),
    ("portuguese 'até dia 4 de janeiro, inclusive' is back the 5th",
     "Estou ausente do escritório até dia 4 de janeiro, inclusive.", date(2027, 1, 5)),
    ("portuguese 'inclusive' after a date far into the sentence is back the 5th",
     "Encontro-me ausente do escritório, em gozo de férias, até dia 4 de janeiro, inclusive.", date(2027, 1, 5)),
    ("english 'until and including 15 December' is back the 16th",
     "I am out of the office until and including 15 December.", date(2026, 12, 16)),
    ("english 'through Friday 18 December' is back Monday 21",
     "I am on leave through Friday 18 December.", date(2026, 12, 21)),
    ("english 'until 15 December inclusive' is back the 16th",
     "I am away until 15 December inclusive.", date(2026, 12, 16)),
    ("english 'until 15 December' without inclusive stays the 15th",
     "I am away until 15 December.", date(2026, 12, 15)),
    ("french range 'du 21 décembre au 3 janvier inclus' is back 4 January",
     "Je suis absent du 21 décembre au 3 janvier inclus. Je traiterai votre message à mon retour.", date(2027, 1, 4)),
    ("french range with month names 'du 21 décembre au 3 janvier' (a Sunday) is back Monday 4",
     "Je suis absent du 21 décembre au 3 janvier.", date(2027, 1, 4)),
    ("'back Monday' after a later end date is the Monday after that end",
     "Away until 18 December (last day out). Back Monday.", date(2026, 12, 21)),
    ("'back Monday' with an end date already past is the next Monday",
     "I was away until 4 December. Back Monday.", date(2026, 12, 7)),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in INCLUSIVE_AND_LATER_CASES])
def test_inclusive_ends_and_weekdays_after_an_end(text: str, expected: date) -> None:
    assert find_return_date(text, RECEIVED_6_DECEMBER) == expected


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in DECEMBER_CASES])
def test_return_dates_read_in_december(text: str, expected: date) -> None:
    assert find_return_date(text, RECEIVED_6_DECEMBER) == expected


# A range is a span of days away: its last day is a day away, so the day back is the next working day
# after it (Friday 1 January 2027: Monday 4 January). An end phrase alone keeps the day written, and a
# return phrase wins over a range. Read on Sunday 6 December 2026.
BACK_MONDAY_4_JANUARY = date(2027, 1, 4)
NEW_YEAR = date(2027, 1, 1)
RANGE_CASES = [
    ("en 'from 21 December to 1 January'", "I'm away from 21 December to 1 January.", BACK_MONDAY_4_JANUARY),
    ("en '21 December - 1 January'", "Out of office 21 December - 1 January.", BACK_MONDAY_4_JANUARY),
    ("en month first 'December 21 to January 1'", "I'm out December 21 to January 1.", BACK_MONDAY_4_JANUARY),
    ("en numeric '21/12 - 01/01'", "Away 21/12 - 01/01.", BACK_MONDAY_4_JANUARY),
    ("en 'from 21 December until 1 January'", "I'm on leave from 21 December until 1 January.",
     BACK_MONDAY_4_JANUARY),
    ("en 'until 1 January' alone is the day written", "I'm on leave until 1 January.", NEW_YEAR),
    ("en a day number alone opens a range '14 - 18 December'", "I'm away 14 - 18 December.", date(2026, 12, 21)),
    ("en a dash after a word is no end: 'Office closed - 24.12. to 26.12.' (a Saturday)",
     "Office closed - 24.12. to 26.12.", date(2026, 12, 28)),
    ("en a return phrase wins over a range", "I'm away from 21 December to 1 January and back on Tuesday 5 January.",
     date(2027, 1, 5)),
    ("en 'Back Monday' after a range is the Monday after its last day", "Away 14 to 18 December. Back Monday.",
     date(2026, 12, 21)),
    ("es 'del 21 de diciembre al 1 de enero'", "Estoy de vacaciones del 21 de diciembre al 1 de enero.",
     BACK_MONDAY_4_JANUARY),
    ("es 'desde el 21 de diciembre hasta el 1 de enero'",
     "Estoy de vacaciones desde el 21 de diciembre hasta el 1 de enero.", BACK_MONDAY_4_JANUARY),
    ("es 'hasta el 1 de enero' alone is the day written", "Estoy de vacaciones hasta el 1 de enero.", NEW_YEAR),
    ("fr 'du 21 décembre au 1er janvier'", "Je suis absent du 21 décembre au 1er janvier.", BACK_MONDAY_4_JANUARY),
    ("fr numeric 'du 21/12 au 01/01'", "Je suis absent du 21/12 au 01/01.", BACK_MONDAY_4_JANUARY),
    ("fr 'jusqu'au 1er janvier' alone is the day written", "Je suis absent jusqu'au 1er janvier.", NEW_YEAR),
    ("de 'vom 21.12. bis 01.01.'", "Ich bin vom 21.12. bis 01.01. im Urlaub.", BACK_MONDAY_4_JANUARY),
    ("de 'vom 21. Dezember bis 1. Januar'", "Ich bin vom 21. Dezember bis 1. Januar im Urlaub.",
     BACK_MONDAY_4_JANUARY),
    ("de 'ab 21.12. bis 01.01.': 'ab' opens the range", "Ab 21.12. bis 01.01. bin ich im Urlaub.",
     BACK_MONDAY_4_JANUARY),
    ("de 'bis 01.01.' alone is the day written", "Ich bin bis 01.01. im Urlaub.", NEW_YEAR),
    ("de 'bis' after a date in another sentence opens no range",
     "Danke für Ihre Nachricht vom 03.12. Bis 01.01. bin ich nicht im Büro.", NEW_YEAR),
    ("de a return phrase wins over a range 'ab dem 05.01. wieder im Büro'",
     "Ich bin vom 21.12. bis 01.01. im Urlaub, ab dem 05.01. wieder im Büro.", date(2027, 1, 5)),
    ("it 'dal 21 dicembre al 1 gennaio'", "Sono in ferie dal 21 dicembre al 1 gennaio.", BACK_MONDAY_4_JANUARY),
    ("it 'fino al 1 gennaio' alone is the day written", "Sono in ferie fino al 1 gennaio.", NEW_YEAR),
    ("nl 'van 21 december tot 1 januari'", "Ik ben van 21 december tot 1 januari afwezig.", BACK_MONDAY_4_JANUARY),
    ("nl 'tot 1 januari' alone is the day written", "Ik ben tot 1 januari afwezig.", NEW_YEAR),
    ("pt 'de 21 de dezembro a 1 de janeiro'", "Estou de férias de 21 de dezembro a 1 de janeiro.",
     BACK_MONDAY_4_JANUARY),
    ("pt numeric 'de 21/12 até 01/01'", "Estou de férias de 21/12 até 01/01.", BACK_MONDAY_4_JANUARY),
    ("pt 'até 1 de janeiro' alone is the day written", "Estou de férias até 1 de janeiro.", NEW_YEAR),
    ("sv 'från 21 december till 1 januari'", "Jag är ledig från 21 december till 1 januari.", BACK_MONDAY_4_JANUARY),
    ("da 'fra 21. december til 1. januar'", "Jeg holder ferie fra 21. december til 1. januar.", BACK_MONDAY_4_JANUARY),
    ("no 'fra 21. desember til 1. januar'", "Jeg har ferie fra 21. desember til 1. januar.", BACK_MONDAY_4_JANUARY),
    ("fi numeric '21.12.–1.1.'", "Olen lomalla 21.12.–1.1.", BACK_MONDAY_4_JANUARY),
    ("pl 'od 21 grudnia do 1 stycznia'", "Jestem na urlopie od 21 grudnia do 1 stycznia.", BACK_MONDAY_4_JANUARY),
    ("cs 'od 21. prosince do 1. ledna'", "Jsem na dovolené od 21. prosince do 1. ledna.", BACK_MONDAY_4_JANUARY),
    ("ru 'с 21 декабря по 1 января'", "Я в отпуске с 21 декабря по 1 января.", BACK_MONDAY_4_JANUARY),
    ("el 'από 21 Δεκεμβρίου έως 1 Ιανουαρίου'", "Θα λείπω από 21 Δεκεμβρίου έως 1 Ιανουαρίου.",
     BACK_MONDAY_4_JANUARY),
    ("ar 'من 21 ديسمبر إلى 1 يناير'", "أنا في إجازة من 21 ديسمبر إلى 1 يناير.", BACK_MONDAY_4_JANUARY),
    ("he 'מ-21 בדצמבר עד 1 בינואר'", "אני בחופשה מ-21 בדצמבר עד 1 בינואר.", BACK_MONDAY_4_JANUARY),
    ("tr '21 Aralık - 1 Ocak tarihleri arasında'", "21 Aralık - 1 Ocak tarihleri arasında izindeyim.",
     BACK_MONDAY_4_JANUARY),
    ("hi '21 दिसंबर से 1 जनवरी तक'", "मैं 21 दिसंबर से 1 जनवरी तक छुट्टी पर हूँ।", BACK_MONDAY_4_JANUARY),
    ("ja '12月21日から1月1日まで'", "12月21日から1月1日まで休暇をいただいております。", BACK_MONDAY_4_JANUARY),
    ("zh '12月21日至1月1日'", "我12月21日至1月1日休假。", BACK_MONDAY_4_JANUARY),
    ("ko '12월 21일부터 1월 1일까지'", "12월 21일부터 1월 1일까지 휴가입니다.", BACK_MONDAY_4_JANUARY),
    ("ro 'de la 21 decembrie până la 1 ianuarie'", "Sunt în concediu de la 21 decembrie până la 1 ianuarie.",
     BACK_MONDAY_4_JANUARY),
    ("hu 'december 21-től január 1-ig'", "Szabadságon vagyok december 21-től január 1-ig.", BACK_MONDAY_4_JANUARY),
    ("vi 'từ 21/12 đến 1/1'", "Tôi nghỉ phép từ 21/12 đến 1/1.", BACK_MONDAY_4_JANUARY),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in RANGE_CASES])
def test_a_range_is_days_away_and_the_day_back_follows_it(text: str, expected: date) -> None:
    assert find_return_date(text, RECEIVED_6_DECEMBER) == expected


# Week numbers are ISO weeks of the receipt date's year, or of the next year when the week is over (2026
# has 53 weeks: week 52 is 21-27 December, week 53 ends on 3 January 2027, week 2 of 2027 starts on the
# 11th). Back in week N is its Monday; away in week N, or weeks N to M, is back the Monday after the last.
MONDAY_28_DECEMBER = date(2026, 12, 28)
MONDAY_11_JANUARY = date(2027, 1, 11)
WEEK_CASES = [
    ("en away 'on holiday in week 52' is back the Monday after", "I'm on holiday in week 52.", MONDAY_28_DECEMBER),
    ("en back 'back in week 2' is the Monday of week 2", "I'm out of the office, back in week 2.", MONDAY_11_JANUARY),
    ("en away in two weeks across the year 'weeks 52 and 1'", "I'm on holiday in weeks 52 and 1.", MONDAY_11_JANUARY),
    ("en a week already over is next year's", "I'm on holiday in week 48.", date(2027, 12, 6)),
    ("en 'until week 2' is the Monday of week 2, as 'until' a day is that day", "I'm out until week 2.",
     MONDAY_11_JANUARY),
    ("en 'through week 2' includes the week", "I'm out through week 2.", date(2027, 1, 18)),
    ("en a week number without an absence or a return is no date", "Can we meet in week 2?", None),
    ("de away 'KW 51/52 im Urlaub'", "KW 51/52 im Urlaub.", MONDAY_28_DECEMBER),
    ("de away 'in der 52. KW'", "Ich bin in der 52. KW im Urlaub.", MONDAY_28_DECEMBER),
    ("de back 'ab KW 2 wieder im Büro'", "Ab KW 2 bin ich wieder im Büro.", MONDAY_11_JANUARY),
    ("de the week back wins over the weeks away", "Ich bin in KW 51/52 im Urlaub, ab KW 1 wieder da.",
     date(2027, 1, 4)),
    ("de 'bis einschließlich KW 2' is back the Monday after", "Ich bin bis einschließlich KW 2 nicht im Büro.",
     date(2027, 1, 18)),
    ("de 'diese Woche 3 Tage' is three days, no week number", "Ich bin diese Woche 3 Tage im Urlaub.", None),
    ("de a range of weeks 'von KW 51 bis KW 2' is back the Monday after the last", "Ich bin von KW 51 bis KW 2 im Urlaub.",
     date(2027, 1, 18)),
    ("en a count after the week is no second week 'week 52, 2 colleagues'",
     "I'm away in week 52, 2 colleagues cover for me.", MONDAY_28_DECEMBER),
    ("da away 'ferie uge 15'", "Jeg holder ferie uge 15.", date(2027, 4, 19)),
    ("sv away 'ledig vecka 2'", "Jag är ledig vecka 2.", date(2027, 1, 18)),
    ("sv back 'vecka 2 är jag tillbaka'", "Vecka 2 är jag tillbaka.", MONDAY_11_JANUARY),
    ("fr away 'en congés semaine 52'", "Je suis en congés semaine 52.", MONDAY_28_DECEMBER),
    ("fr back 'de retour en semaine 2'", "Je suis en congés, de retour en semaine 2.", MONDAY_11_JANUARY),
    ("es away 'de vacaciones la semana 52'", "Estoy de vacaciones la semana 52.", MONDAY_28_DECEMBER),
    ("es back 'regreso la semana 2'", "Estoy de vacaciones, regreso la semana 2.", MONDAY_11_JANUARY),
    ("nl away 'week 52 en 53 afwezig'", "Ik ben week 52 en 53 afwezig.", date(2027, 1, 4)),
    ("nl back 'terug in week 2'", "Ik ben met vakantie en terug in week 2.", MONDAY_11_JANUARY),
    ("it away 'in ferie la settimana 52'", "Sono in ferie la settimana 52.", MONDAY_28_DECEMBER),
    ("pt away 'de férias na semana 52'", "Estou de férias na semana 52.", MONDAY_28_DECEMBER),
    ("ja away '第52週は休暇'", "第52週は休暇です。", MONDAY_28_DECEMBER),
    ("ja back '第2週に戻ります'", "休暇中です。第2週に戻ります。", MONDAY_11_JANUARY),
    ("zh away '第52周休假'", "第52周休假。", MONDAY_28_DECEMBER),
    ("ko away '52주차 휴가'", "52주차 휴가입니다.", MONDAY_28_DECEMBER),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in WEEK_CASES])
def test_week_numbers_give_the_monday_back(text: str, expected: date | None) -> None:
    assert find_return_date(text, RECEIVED_6_DECEMBER) == expected
