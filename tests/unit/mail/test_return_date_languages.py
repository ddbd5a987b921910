"""Return dates in the languages read through mail/date_words.py, and a check of the others the
product keeps notices in: one case per sentence a notice writes, per language. Read on Sunday
6 December 2026; the rules are those of mail/return_date.py (the day back wins over the last day
away, a range is days away and the day back is the next working day after it, a month name alone
is no day, a stated weekday pins the year, numeric dates follow the writer's order)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from addin_server.mail import date_words
from addin_server.mail.return_date import find_return_date

SUNDAY_6_DECEMBER = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
D14 = date(2026, 12, 14)  # a Monday
D15 = date(2026, 12, 15)

CASES = [
    # Turkish: the cue follows the date.
    ("tr until 'tarihine kadar'", "14 Aralık tarihine kadar izindeyim.", D14),
    ("tr until with an apostrophe 'Aralık'a kadar'", "14 Aralık'a kadar ofis dışındayım.", D14),
    ("tr back on 'tarihinde döneceğim'", "15 Aralık tarihinde ofise döneceğim.", D15),
    ("tr back on with the weekday after the date", "15 Aralık Salı günü işbaşı yapacağım.", D15),
    ("tr range 'tarihleri arasında' is days away: back the day after", "7-14 Aralık tarihleri arasında izindeyim.", D15),
    ("tr numeric day first 'tarihine kadar'", "05.01.2027 tarihine kadar izindeyim.", date(2027, 1, 5)),
    ("tr the day back wins over the last day away", "14 Aralık'a kadar izindeyim, 15 Aralık'ta döneceğim.", D15),
    # Hebrew
    ("he until 'עד ה-14 בדצמבר'", "אני מחוץ למשרד עד ה-14 בדצמבר.", D14),
    ("he until a day-first numeric date 'עד 14.12'", "אני בחופשה עד 14.12 ואין לי גישה לדואר.", D14),
    ("he back on 'אחזור ב-15 בדצמבר'", "אני בחופשה. אחזור ב-15 בדצמבר.", D15),
    ("he slash date day first 'עד 05/01'", "אני בחופשה עד 05/01.", date(2027, 1, 5)),
    # Hindi: the cue follows the date.
    ("hi until 'दिसंबर तक'", "मैं 14 दिसंबर तक कार्यालय से बाहर हूँ।", D14),
    ("hi back on 'को वापस'", "मैं छुट्टी पर हूँ और 15 दिसंबर को वापस आऊँगा।", D15),
    ("hi range 'से ... तक' is days away: back the day after", "मैं 7 से 14 दिसंबर तक छुट्टी पर हूँ।", D15),
    ("hi Devanagari digits", "मैं १४ दिसंबर तक कार्यालय से बाहर हूँ।", D14),
    # Danish
    ("da until 'indtil mandag den 14. december'", "Jeg er på ferie indtil mandag den 14. december.", D14),
    ("da back on 'tilbage tirsdag den 15. december'", "Jeg er tilbage tirsdag den 15. december.", D15),
    ("da from ... to 'fra 7. til 14. december' is back the day after", "Jeg holder ferie fra 7. til 14. december.", D15),
    ("da numeric day first 'indtil 05/01'", "Jeg er på ferie indtil 05/01 og har begrænset adgang.", date(2027, 1, 5)),
    # Greek
    ("el until 'έως τις 14 Δεκεμβρίου'", "Βρίσκομαι εκτός γραφείου έως τις 14 Δεκεμβρίου.", D14),
    ("el until in capitals without accents", "ΕΚΤΟΣ ΓΡΑΦΕΙΟΥ ΕΩΣ 14 ΔΕΚΕΜΒΡΙΟΥ.", D14),
    ("el back on 'επιστρέφω την Τρίτη 15 Δεκεμβρίου'", "Επιστρέφω την Τρίτη 15 Δεκεμβρίου.", D15),
    ("el from ... to 'από 7 έως 14 Δεκεμβρίου' is back the day after", "Θα λείπω από 7 έως 14 Δεκεμβρίου.", D15),
    # Czech
    ("cs until 'do 14. prosince'", "Do 14. prosince jsem mimo kancelář.", D14),
    ("cs back on 'zpět v kanceláři od 15. prosince'", "Jsem na dovolené, zpět v kanceláři od 15. prosince.", D15),
    ("cs from ... to 'od 7. do 14. prosince' is back the day after", "Od 7. do 14. prosince jsem na dovolené.", D15),
    ("cs numeric day first 'do 5. 1. 2027'", "Jsem na dovolené do 5. 1. 2027.", date(2027, 1, 5)),
    # Arabic
    ("ar until 'حتى يوم 14 ديسمبر'", "أنا خارج المكتب حتى يوم 14 ديسمبر.", D14),
    ("ar back on 'سأعود يوم 15 ديسمبر'", "أنا في إجازة وسأعود يوم 15 ديسمبر.", D15),
    ("ar from ... to 'من 7 إلى 14 ديسمبر' is back the day after", "أنا في إجازة من 7 إلى 14 ديسمبر.", D15),
    ("ar Levantine month 'كانون الأول'", "أنا خارج المكتب حتى 14 كانون الأول.", D14),
    ("ar Arabic-Indic digits", "أنا خارج المكتب حتى ١٤ ديسمبر.", D14),
    # Norwegian, Swedish, Polish
    ("no until and including 'til og med 14. desember' is back the 15th", "Jeg er på ferie til og med 14. desember.", D15),
    ("sv until and including 'till och med den 14 december' is back the 15th",
     "Jag är på semester till och med den 14 december.", D15),
    ("sv back on 'tillbaka tisdag den 15 december'", "Jag är tillbaka tisdag den 15 december.", D15),
    ("pl until 'do 14 grudnia'", "Jestem na urlopie do 14 grudnia.", D14),
    ("pl back on 'wracam 15 grudnia'", "Jestem na urlopie, wracam 15 grudnia.", D15),
    ("pl numeric day first 'do 05.01.2027'", "Jestem na urlopie do 05.01.2027.", date(2027, 1, 5)),
    # Portuguese (Brazil), Spanish
    ("pt-BR until 'até 14/12'", "Estou de férias até 14/12, com acesso limitado ao e-mail.", D14),
    ("pt-BR numeric day first 'até 12/01' is 12 January", "Estou de férias até 12/01, com acesso limitado ao e-mail.",
     date(2027, 1, 12)),
    ("pt-BR back on 'retorno em 15 de dezembro'", "Estou ausente e retorno em 15 de dezembro.", D15),
    ("es until 'hasta el lunes 14 de diciembre'", "Estoy fuera de la oficina hasta el lunes 14 de diciembre.", D14),
    ("es back on 'regreso el 15 de diciembre'", "Estoy de vacaciones, regreso el 15 de diciembre.", D15),
    ("es numeric day first 'hasta el 12/01'", "Estoy de vacaciones hasta el 12/01 con acceso limitado.", date(2027, 1, 12)),
    # Japanese, Korean
    ("ja until '12月14日（月）まで'", "12月14日（月）まで休暇をいただいております。", D14),
    ("ja numeric year first '2026/12/14まで'", "2026/12/14まで不在にしております。", D14),
    ("ja two-part numeric is month first '12/14まで'", "12/14まで不在にしております。", D14),
    ("ja back on '12月15日より出社'", "12月15日より出社いたします。", D15),
    ("ko until '12월 14일까지'", "12월 14일까지 휴가입니다.", D14),
    ("ko back on '12월 15일에 복귀'", "휴가 중이며 12월 15일에 복귀합니다.", D15),
    # A weekday alone next to a cue is the next such day (read on Sunday 6 December).
    ("tr weekday alone 'Cuma'ya kadar'", "Cuma'ya kadar izindeyim.", date(2026, 12, 11)),
    ("tr weekday alone 'Pazartesi günü döneceğim'", "Pazartesi günü döneceğim.", date(2026, 12, 7)),
    ("he weekday alone 'עד יום רביעי'", "אני בחופשה עד יום רביעי.", date(2026, 12, 9)),
    ("hi weekday alone 'शुक्रवार तक'", "मैं शुक्रवार तक छुट्टी पर हूँ।", date(2026, 12, 11)),
    ("da weekday alone 'indtil mandag'", "Jeg er på ferie indtil mandag.", date(2026, 12, 7)),
    ("da weekday alone 'tilbage tirsdag'", "Jeg er tilbage tirsdag.", date(2026, 12, 8)),
    ("el weekday alone 'έως την Παρασκευή'", "Είμαι εκτός γραφείου έως την Παρασκευή.", date(2026, 12, 11)),
    ("cs weekday alone in the genitive 'do pátku'", "Jsem na dovolené do pátku.", date(2026, 12, 11)),
    ("cs weekday alone 'vrátím se v úterý'", "Jsem na dovolené, vrátím se v úterý.", date(2026, 12, 8)),
    ("ar weekday alone 'حتى يوم الخميس'", "أنا خارج المكتب حتى يوم الخميس.", date(2026, 12, 10)),
    ("pl weekday alone in the genitive 'do piątku'", "Jestem na urlopie do piątku.", date(2026, 12, 11)),
    ("pl weekday alone 'wracam w poniedziałek'", "Jestem na urlopie, wracam w poniedziałek.", date(2026, 12, 7)),
    ("pt-BR weekday alone 'até sexta-feira'", "Estou de férias até sexta-feira.", date(2026, 12, 11)),
    ("es weekday alone 'hasta el viernes'", "Estoy de vacaciones hasta el viernes.", date(2026, 12, 11)),
    # The rules, in these languages
    ("a month name alone is no day (tr)", "Aralık ayı boyunca izindeyim.", None),
    ("a month name alone is no day (da)", "Jeg er på ferie i december.", None),
    ("a stated weekday pins the year: da 'fredag den 27. november' read on 7 December is past",
     "Jeg var på ferie fredag den 27. november.", None),
    ("without a cue a written range is days away too (tr)", "7-14 Aralık izindeyim.", D15),
    # Outside attack r14, finding 5: Hungarian (month first, the case ending after a hyphen), Romanian, Vietnamese.
    ("hu back on 'december 14-én térek vissza'", "Irodán kívül vagyok, december 14-én térek vissza. Sürgős esetben "
     "írjon a titkarsag@kunde.example címre.", D14),
    ("hu until 'december 14-ig'", "Házon kívül vagyok december 14-ig.", D14),
    ("hu back on 'visszatérek január 4-én'", "Szabadságon vagyok, visszatérek január 4-én.", date(2027, 1, 4)),
    ("hu an English 'December 14' without the hyphen is no Hungarian date", "Back December 14.", D14),
    ("ro back on 'mă întorc pe 14 decembrie'", "Bună ziua, sunt în afara biroului și mă întorc pe 14 decembrie. "
     "Pentru urgențe contactați office@kunde.example.", D14),
    ("ro until 'până pe 14 decembrie'", "Sunt plecată din birou până pe 14 decembrie.", D14),
    ("ro back on 'revin la birou pe 5 ianuarie'", "Sunt în concediu și revin la birou pe 5 ianuarie.", date(2027, 1, 5)),
    ("vi back on 'quay lại vào ngày 14/12'", "Tôi hiện không có mặt tại văn phòng và sẽ quay lại vào ngày 14/12. Việc gấp "
     "xin liên hệ vanphong@kunde.example.", D14),
    ("vi until 'đến hết ngày 14/12/2026'", "Tôi đang nghỉ phép đến hết ngày 14/12/2026.", D14),
    ("vi numeric day first 'đến ngày 05/01'", "Tôi đang nghỉ phép đến ngày 05/01.", date(2027, 1, 5)),
    ("vi month by number 'trở lại vào ngày 14 tháng 12'", "Tôi nghỉ phép và sẽ trở lại vào ngày 14 tháng 12.", D14),
    # ... and "next Monday" (read on a Sunday: the Monday after) in Polish and Korean, as in Turkish.
    ("pl next monday 'wracam w przyszły poniedziałek'", "Jestem na urlopie, wracam w przyszły poniedziałek.",
     date(2026, 12, 7)),
    ("ko next monday '다음 주 월요일에 복귀'", "휴가 중입니다. 다음 주 월요일에 복귀합니다.", date(2026, 12, 7)),
    ("tr next monday 'gelecek pazartesi ofiste olacağım'", "İzindeyim, gelecek pazartesi ofiste olacağım.",
     date(2026, 12, 7)),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, d, id=n) for n, t, d in CASES])
def test_return_dates_in_each_language(text: str, expected: date | None) -> None:
    assert find_return_date(text, SUNDAY_6_DECEMBER) == expected


def test_no_month_or_weekday_name_stands_for_two_days() -> None:
    # One table for every language: a word two languages use for different months would read wrongly.
    for table, names in ((date_words.MONTHS, date_words._MONTH_NAMES), (date_words.WEEKDAYS, date_words._WEEKDAY_NAMES)):
        for index, words in enumerate(names):
            for word in words:
                assert table[word.casefold()] == index, word
