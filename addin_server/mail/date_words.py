"""Dates written with month names in the languages dateparser is not asked to read here, and the
words around them (mail/return_date.py applies its rules with these).

Languages: Turkish, Hebrew, Hindi, Danish, Greek, Czech, Arabic (Gregorian and Levantine month names),
Romanian, Hungarian (month first: "december 14-én"), Vietnamese (the month by number: "14 tháng 12"),
with Norwegian, Swedish, Polish, Portuguese and Spanish month names so a day-first date in those reads
the same way. A date is a day number then a month name ("14 Aralık", "14. prosince", "ה-14 בדצמבר",
"14 Δεκεμβρίου", "14 ديسمبر", "14 दिसंबर"), optionally with a weekday before or after it and a year;
"7-14 Aralık" is a range and reads as its last day. A month name alone is never a day.

Turkish and Hindi write the cue after the date ("14 Aralık'a kadar", "14 दिसंबर तक"), as Japanese does;
the other languages before it ("indtil", "do", "έως", "حتى", "עד").
Numeric dates follow the writer's locale: day first in these languages and most of Europe, year first
in Japanese, Korean and Chinese, and unknown in English (then the nearest reading ahead decides).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Month names, January first; inflected forms included (Czech and Greek genitive, Polish genitive).
_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("ocak", "ledna", "leden", "ιανουαρίου", "ιανουάριος", "يناير", "كانون الثاني", "जनवरी", "januar", "januari",
     "stycznia", "janeiro", "enero", "ינואר", "ianuarie", "január"),
    ("şubat", "subat", "února", "únor", "φεβρουαρίου", "φεβρουάριος", "فبراير", "شباط", "फ़रवरी", "फरवरी",
     "februar", "februari", "lutego", "fevereiro", "febrero", "פברואר", "februarie", "február"),
    ("mart", "března", "březen", "μαρτίου", "μάρτιος", "مارس", "آذار", "मार्च", "marts", "mars", "marca",
     "março", "marzo", "מרץ", "מרס", "martie", "március"),
    ("nisan", "dubna", "duben", "απριλίου", "απρίλιος", "أبريل", "ابريل", "نيسان", "अप्रैल", "april", "kwietnia",
     "abril", "אפריל", "aprilie", "április"),
    ("mayıs", "mayis", "května", "květen", "μαΐου", "μαίου", "μάιος", "مايو", "أيار", "ايار", "मई", "maj", "mai",
     "maja", "maio", "mayo", "מאי", "május"),
    ("haziran", "června", "červen", "ιουνίου", "ιούνιος", "يونيو", "يونيه", "حزيران", "जून", "juni", "czerwca",
     "junho", "junio", "יוני", "iunie", "június"),
    ("temmuz", "července", "červenec", "ιουλίου", "ιούλιος", "يوليو", "يوليه", "تموز", "जुलाई", "juli", "lipca",
     "julho", "julio", "יולי", "iulie", "július"),
    ("ağustos", "agustos", "srpna", "srpen", "αυγούστου", "αύγουστος", "أغسطس", "اغسطس", "آب", "अगस्त", "august",
     "augusti", "sierpnia", "agosto", "אוגוסט", "augusztus"),
    ("eylül", "eylul", "září", "σεπτεμβρίου", "σεπτέμβριος", "سبتمبر", "أيلول", "ايلول", "सितंबर", "सितम्बर",
     "september", "września", "setembro", "septiembre", "setiembre", "ספטמבר", "septembrie",
     "szeptember"),
    ("ekim", "října", "říjen", "οκτωβρίου", "οκτώβριος", "أكتوبر", "اكتوبر", "تشرين الأول", "अक्टूबर", "अक्तूबर",
     "oktober", "października", "outubro", "octubre", "אוקטובר", "octombrie", "október"),
    ("kasım", "kasim", "listopadu", "listopad", "νοεμβρίου", "νοέμβριος", "نوفمبر", "تشرين الثاني", "नवंबर",
     "नवम्बर", "november", "listopada", "novembro", "noviembre", "נובמבר", "noiembrie"),
    ("aralık", "aralik", "prosince", "prosinec", "δεκεμβρίου", "δεκέμβριος", "ديسمبر", "كانون الأول", "दिसंबर",
     "दिसम्बर", "december", "desember", "grudnia", "dezembro", "diciembre", "דצמבר", "decembrie"),
)

# Weekday names, Monday first (a stated weekday pins the year of a yearless date). Portuguese often drops "-feira"
# ("respondo segunda").
_WEEKDAY_NAMES: tuple[tuple[str, ...], ...] = (
    ("pazartesi", "pondělí", "poniedziałku", "δευτέρα", "الاثنين", "الإثنين", "सोमवार", "mandag", "måndag",
     "poniedziałek", "segunda-feira", "segunda", "lunes", "שני", "monday", "월요일"),
    ("salı", "sali", "úterý", "wtorku", "τρίτη", "الثلاثاء", "मंगलवार", "tirsdag", "tisdag", "wtorek",
     "terça-feira", "terça", "martes", "שלישי", "tuesday", "화요일"),
    ("çarşamba", "carsamba", "středa", "středy", "středu", "środy", "środę", "τετάρτη", "الأربعاء", "الاربعاء",
     "बुधवार", "onsdag", "środa", "quarta-feira", "quarta", "miércoles", "רביעי", "wednesday", "수요일"),
    ("perşembe", "persembe", "čtvrtek", "čtvrtka", "czwartku", "πέμπτη", "الخميس", "गुरुवार", "torsdag",
     "czwartek", "quinta-feira", "quinta", "jueves", "חמישי", "thursday", "목요일"),
    ("cuma", "pátek", "pátku", "piątku", "παρασκευή", "الجمعة", "शुक्रवार", "fredag", "piątek", "sexta-feira", "sexta",
     "viernes", "שישי", "friday", "금요일"),
    ("cumartesi", "sobota", "soboty", "sobotu", "sobotę", "σάββατο", "السبت", "शनिवार", "lørdag", "lördag",
     "sábado", "שבת", "saturday", "토요일"),
    ("pazar", "neděle", "neděli", "niedzieli", "niedzielę", "κυριακή", "الأحد", "الاحد", "रविवार", "søndag",
     "söndag", "niedziela", "domingo", "ראשון", "sunday", "일요일"),
)


def _without_accents(word: str) -> str:
    # Greek capitals drop their accents ("ΔΕΚΕΜΒΡΙΟΥ"); Latin texts sometimes do too ("brezna").
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def _table(names: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for index, words in enumerate(names):
        for word in words:
            for form in (word, unicodedata.normalize("NFC", _without_accents(word))):
                out.setdefault(form.casefold(), index)
    return out


MONTHS = _table(_MONTH_NAMES)
WEEKDAYS = _table(_WEEKDAY_NAMES)


def _alternation(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH = _alternation(MONTHS)
_WEEKDAY = _alternation(WEEKDAYS)
# A Hebrew date carries a prefix letter ("ה-14", "ב-15", "בדצמבר"); Arabic may say "يوم" (day) before it.
_HEBREW_PREFIX = r"(?:[\u05d0-\u05ea]-?)?"
_NAMED = re.compile(
    rf"(?:(?<![^\W\d_])({_WEEKDAY})[,\s]+(?:den\s+|dne\s+|יום\s+|يوم\s+)?)?"
    rf"(?<![\d.]){_HEBREW_PREFIX}(\d{{1,2}})\.?(?:\s*[-–]\s*{_HEBREW_PREFIX}(\d{{1,2}})\.?)?"
    rf"\s*(?:de\s+|of\s+)?{_HEBREW_PREFIX}({_MONTH})(?![^\W\d_'’])"
    # Turkish suffixes after an apostrophe ("Aralık'a", "Aralık'ta") and Turkish/Greek/Czech weekday after the date.
    rf"(?:['’][^\W\d_]{{1,4}})?(?:,?\s*(?:de\s+)?(\d{{4}}))?(?:[,\s]+({_WEEKDAY})(?![^\W\d_]))?",
    re.IGNORECASE,
)
# Hungarian writes the month first and glues the case ending to the day after a hyphen ("december 14-én",
# "december 14-ig"): the hyphen is required, so an English "December 14" is left to dateparser.
_MONTH_FIRST = re.compile(
    rf"(?<![^\W\d_])(?:(\d{{4}})\.?\s+)?({_MONTH})\s+(\d{{1,2}})\.?-(?!\s*\d)", re.IGNORECASE
)
# Vietnamese names the month by its number: "14 tháng 12", "ngày 14 tháng 12 năm 2026".
_MONTH_NUMBER = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})(?!\d)(?:\s+năm\s+(\d{4}))?", re.IGNORECASE)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


class NamedDate:
    """A date written with a month name: where it starts, its day and month, and what pins its year."""

    def __init__(
        self, start: int, day: int, month: int, year: int | None, weekday: int | None, ranged: bool = False
    ) -> None:
        self.start, self.day, self.month, self.year, self.weekday = start, day, month, year, weekday
        self.ranged = ranged  # the last day of a written range ("7-14 Aralık"): a day away

    def resolve(self, anchor: date | None, max_behind: int = 7) -> date | None:
        """The written year, else the next such day from the anchor (a few days past included), else
        the year in which it falls on the stated weekday."""
        if self.year:
            return _valid(self.year, self.month, self.day)
        if anchor is None:
            return None
        options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _valid(y, self.month, self.day))]
        ahead = [d for d in options if (d - anchor).days >= -max_behind]
        if self.weekday is not None:
            # "Friday 27 November" read on 7 December is past: no later year makes it a Friday soon.
            pinned = [d for d in options if d.weekday() == self.weekday and -max_behind <= (d - anchor).days <= 400]
            return pinned[0] if pinned else None
        return ahead[0] if ahead else None


def named_dates(text: str) -> list[NamedDate]:
    """Every day-and-month-name date in a text, in order; a range ("7-14") gives its last day."""
    found = [
        NamedDate(m.start(), int(m.group(3)), MONTHS[unicodedata.normalize("NFC", m.group(2)).casefold()] + 1,
                  int(m.group(1)) if m.group(1) else None, None)
        for m in _MONTH_FIRST.finditer(text)
    ]
    found += [
        NamedDate(m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None, None)
        for m in _MONTH_NUMBER.finditer(text)
        if 1 <= int(m.group(2)) <= 12
    ]
    for match in _NAMED.finditer(text):
        first, last = int(match.group(2)), match.group(3)
        weekday_word = match.group(1) or match.group(6)
        found.append(
            NamedDate(
                match.start(),
                int(last) if last else first,
                MONTHS[unicodedata.normalize("NFC", match.group(4)).casefold()] + 1,
                int(match.group(5)) if match.group(5) else None,
                WEEKDAYS.get(weekday_word.casefold()) if weekday_word else None,
                ranged=bool(last),
            )
        )
    return sorted(found, key=lambda named: named.start)


# A weekday alone right after a cue ("indtil mandag", "do pátku", "έως την Παρασκευή", "حتى يوم الخميس")
# or right before a suffix cue ("Cuma'ya kadar", "शुक्रवार तक"): the next such day after the message.
_BARE_AFTER = re.compile(
    rf"^\s*(?:(?:den|dne|på|v|ve|w|we|do|την|τη|το|يوم|ביום|יום|el|na|o|a)\s+)?"
    # Polish "w przyszły poniedziałek" (next Monday) is the next such day too.
    rf"(?:(?:przyszły|przyszłą|najbliższy|najbliższą|następny|następną)\s+)?({_WEEKDAY})(?![^\W\d_])",
    re.IGNORECASE,
)
# Korean adds its particle "에" ("월요일에 복귀").
_BARE_BEFORE = re.compile(
    rf"(?<![^\W\d_])({_WEEKDAY})(?:['’][^\W\d_]{{1,4}})?\s*(?:günü\s*)?(?:에\s*)?$", re.IGNORECASE
)


def weekday_alone(window: str, anchor: date | None, *, before_cue: bool = False) -> date | None:
    """The next day after the anchor that falls on a weekday named alone next to a cue, or None."""
    match = (_BARE_BEFORE.search(window) if before_cue else _BARE_AFTER.match(window)) if anchor else None
    if not match or anchor is None:
        return None
    weekday = WEEKDAYS[unicodedata.normalize("NFC", match.group(1)).casefold()]
    return date.fromordinal(anchor.toordinal() + ((weekday - anchor.weekday()) % 7 or 7))


# Cues before the date: the day back ...
RETURN_CUES = (
    r"\b(?:tilbage|igen)\s+(?:på\s+kontoret\s+)?(?:den|på|fra)?",
    r"\b(?:zpět|zpátky|vrátím\s+se|opět\s+(?:v\s+kanceláři|k\s+dispozici)|k\s+dispozici)\s*(?:v\s+kanceláři\s+)?(?:od|dne|v)?",
    r"\b(?:επιστρέφω|θα\s+επιστρέψω|επιστροφή|πίσω\s+στο\s+γραφείο|θα\s+είμαι\s+(?:ξανά\s+)?στο\s+γραφείο)\s*(?:μου\s+)?"
    r"(?:στις|την|τη|από)?",
    r"\b(?:سأعود|ساعود|العودة|سأكون\s+(?:متواجدا?|موجودا?)?\s*(?:في\s+المكتب)?)\s*(?:إلى\s+المكتب|الى\s+المكتب)?\s*"
    r"(?:يوم|في|بتاريخ|ابتداء\s+من|اعتبارا\s+من)?",
    r"\b(?:אחזור|אשוב|חוזר(?:ת)?|אהיה\s+זמינ(?:ה)?|אהיה\s+במשרד|אשוב\s+למשרד)\s*(?:למשרד|לעבודה)?\s*(?:ביום|החל\s+מ)?",
    r"\b(?:wracam|powrót|powrocie|będę\s+(?:dostępn[ya]|w\s+biurze))\s*(?:w\s+dniu|dnia|od)?",
    r"\b(?:retorno|volto|regresso|de\s+volta|regreso|vuelvo|de\s+vuelta|volveré|me\s+reincorporo)\s*(?:ao\s+escritório\s+)?"
    r"(?:em|no\s+dia|na|el|a\s+partir\s+del?)?",
    # Romanian "mă întorc pe", "revin la birou în"; Hungarian "visszatérek"; Vietnamese "quay lại vào ngày".
    r"\b(?:mă\s+(?:re)?întorc|revin|voi\s+fi\s+(?:din\s+nou\s+)?(?:la\s+birou|disponibil[ăa]?))\s*(?:la\s+birou\s+)?"
    r"(?:pe|în|la|din|de\s+la)?(?:\s+data\s+de)?",
    r"\bvisszatérek\b|\bismét\s+(?:elérhető|az\s+irodában)\s+(?:leszek)?",
    r"\b(?:quay\s+lại|trở\s+lại|quay\s+về|trở\s+về|đi\s+làm\s+lại)\s*(?:văn\s+phòng\s+|làm\s+việc\s+)?(?:vào|từ)?\s*(?:ngày)?",
    # The return as a noun with its forecast: "a mi vuelta, prevista para el 15/12", "il mio rientro è previsto per".
    r"\b(?:mi|mio|meu|mon)\s+(?:vuelta|regreso|retorno|rientro|regresso|retour)(?:,?\s+(?:(?:è|est[áa]?|[ée])\s+)?"
    r"(?:previst[oa]|pr[ée]vue?)\s+(?:para|per|pour|pra)?)?\s*(?:el|il|le|o|dia)?",
    # A team's return in the plural: "Retornaremos às atividades normais em 04/01", "volveremos el lunes 4".
    r"\b(?:retornaremos|voltaremos|retomaremos|volveremos|regresaremos|torneremo|rientreremo)\b"
    r"(?:\s+(?:às|as|a\s+las|a\s+nuestras|alle)\s+(?:nossas\s+|nuestras\s+|nostre\s+)?(?:atividades|actividades|attività)"
    r"(?:\s+normais|\s+normales|\s+normali|\s+habituales)?)?\s*(?:em|no\s+dia|na|el|il|a\s+partir\s+d[eo]l?)?",
    # The answer given from a day: "rispondo da lunedì 14", "respondo segunda", "responderé a partir del lunes".
    r"\b(?:rispondo|risponderò|respondo|responderé|responderei|contestaré|contesto)\b"
    r"(?:\s+(?:da|dal|dalla|a\s+partire\s+da|a\s+partir\s+d[eo]l?|el|na|no|em))?",
)
# ... and the last day away.
UNTIL_CUES = (
    r"\bindtil\b(?:\s+og\s+med)?",
    r"\b(?:až\s+)?do\b",
    r"\b(?:έως|εως|μέχρι|μεχρι|ως)\b(?:\s+(?:και|τις|την|τη))*",
    r"\b(?:حتى|لغاية|إلى\s+غاية|إلى|الى)\b(?:\s+(?:تاريخ|يوم))?",
    r"\bעד\b(?:\s+(?:ליום|יום))?",
    r"\bpână\b(?:\s+(?:pe|la|în))?(?:\s+data\s+de)?",
    r"\b(?:cho\s+)?đến\b(?:\s+hết)?(?:\s+ngày)?",
)
# Cues written after the date (Turkish, Hindi): the day back, then the last day away.
SUFFIX_RETURN_CUES = (
    # Started only after a word or a run's first blank, one blank run read once: spaces alone cost no backtracking.
    r"(?:tarihinde|tarihi(?:nde)?|günü|(?<!\s))\s*+(?:(?:ofise|işe|iş\s+başı|işbaşı)\s*+)?(?:döneceğim|dönüyorum|dönerim|"
    r"ofiste\s+olacağım|yapacağım)|['’]?(?:t[ae]n|d[ae]n)\s+itibaren",
    r"को\s+(?:कार्यालय\s+)?(?:वापस|लौट)|से\s+(?:कार्यालय\s+में\s+)?(?:उपलब्ध|वापस)",
    # Hungarian: "december 14-én térek vissza", "... leszek újra az irodában"
    r"\btérek\s+vissza\b|\b(?:leszek|vagyok)\s+(?:újra|ismét)\s+(?:elérhető|az\s+irodában|bent)",
)
SUFFIX_UNTIL_CUES = (
    r"(?:tarihine|tarihleri\s+arasında|['’][ay]|['’]y[ae])?\s*kadar|arasında",
    r"\bतक|तक",
    # Hungarian "december 14-ig": the window before the cue keeps the hyphen the month-first date needs.
    r"(?<=\d-)(?:ig|éig|áig|jéig|jáig)\b",
)

# Other digits written in notices: Arabic-Indic, Persian and Devanagari.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९", "0123456789" * 3)


# "Ab Montag, dem 14. Dezember", "Monday the 14th", "lunedì il 14": an article between a weekday and its day number,
# which would leave the weekday read alone (the next Monday) instead of the day written.
_ARTICLE_AFTER_WEEKDAY = re.compile(
    r"(?<![^\W\d_])(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonntag|lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo|luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]|"
    r"venerd[iì]|sabato|domenica)\.?,?\s+(the|de[mn]|el|il)\s+(?=\d)",
    re.IGNORECASE,
)


def without_weekday_article(text: str) -> str:
    """The text with the article after a weekday blanked ("Montag, dem 14." reads "Montag,     14."), positions kept."""
    return _ARTICLE_AFTER_WEEKDAY.sub(
        lambda m: m.group(0)[: m.start(1) - m.start()] + " " * len(m.group(1)) + m.group(0)[m.end(1) - m.start() :],
        text,
    )


def western_digits(text: str) -> str:
    """The text with every digit in ASCII (one character for one, so positions hold)."""
    return text.translate(_DIGITS)


# Words that mark a Latin-script language that writes the day first (dd/mm, dd.mm).
_DAY_FIRST_WORDS = re.compile(
    r"\b(?:indtil|tilbage|ferie|kontoret|jeg|og|til|izindeyim|kadar|tarihine|tarihleri|arasında|ve|ofis\w*|jsem|kanceláři|"
    r"dovolen\w*|je|na|estou|até|férias|escritório|estoy|hasta|oficina|vacaciones|jestem|urlop\w*|"
    r"biura|jag|är|semester|och|bin|bis|ich|urlaub|je|suis|jusqu|congés|sono|fino|ufficio|ben|tot|kantoor|"
    r"ik|vakantie|el|del|la|de|com|ao|em|por|para|que|con|den|er|på|se|mit|und|le|les|il|van|het|"
    r"până|sunt|și|în|biroului|concediu)\b",
    re.IGNORECASE,
)
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|i|am|until|back|office|will|with|my|for|on|of|out)\b", re.IGNORECASE)


def numeric_order(text: str) -> str | None:
    """How the writer orders a numeric date: "dmy", "ymd", or None when it cannot be told (English)."""
    if re.search(r"[\u3040-\u30ff\uac00-\ud7af\u4e00-\u9fff]", text):
        return "ymd"
    if re.search(r"[\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0370-\u03ff\u0400-\u04ff]", text):
        return "dmy"
    # Vietnamese (its stacked tone marks and đ, ư, ơ) writes the day first.
    if re.search(r"[đơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text, re.IGNORECASE):
        return "dmy"
    sample = text[:1500]
    day_first = len(_DAY_FIRST_WORDS.findall(sample))
    english = len(_ENGLISH_WORDS.findall(sample))
    return "dmy" if day_first >= 2 and day_first > english else None
