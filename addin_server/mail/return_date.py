"""The date an out-of-office text says its author is back.

The rule: find a phrase that introduces a return or an end of absence ("back on", "until", "bis",
"jusqu'au", "hasta", "まで"...), read the first date written next to it, and return it as written:
"until 4 March" gives 4 March (the last day away), "back on 5 March" gives 5 March. An end that
includes its day ("through", "until and including", "bis einschließlich", "tot en met", "till och
med", "18 décembre inclus", "11 grudnia włącznie") gives the next working day after it, and so does
an explicit range, a span of days away ("from 21 December to 1 January", "del 21 de diciembre al 1 de
enero", "vom 21.12. bis 01.01.", "12月21日から1月1日まで", "July 10-31": mail/date_ranges.py says when a
first day opens it), while an end phrase alone ("until 1 January", "bis 01.01.") keeps the day written.
A return phrase ("back on", "de retour le") wins over an end phrase ("until") and over a range when
both carry a date; a weekday named alone after a later end ("Away until 18 December. Back Monday.") is
that weekday after the last day away, but an end and a return naming the same day ("until I return on
Monday, December 14") give that day. A phrase reads its date within its own sentence. "Back tomorrow",
"morgen wieder erreichbar" give the next working day after the message (mail/relative_days.py), and days
away listed ("nos dias 1 e 8 de dezembro") the first working day after it that is none of them
(mail/day_lists.py). Week numbers ("back in week 2", "KW 51/52 im Urlaub", "第52週")
are ISO weeks read by mail/week_numbers.py: back in week N is its Monday, away in weeks N to M is back
the Monday after the last.
"Until the end of February" and "back on the 4th" are read by mail/month_ends.py, "2月14日正常上班" and
"14日に出社" by mail/cjk_days.py.
Without any such phrase, the latest date in the text that falls after the message was received is taken;
when that is the day the message was sent ("encerrados no dia 8 de dezembro" sent on the 8th), the day is
one away and the next working day is the day back.

Numeric dates: a dot means day first (12.05.2024, "bis 12.05."); ISO dates are year first (also
2026/12/14 and 2026.12.14); with a slash, a part above 12 decides the order, then the writer's locale
when the text tells it (day first in most of Europe, Turkish, Hebrew, Arabic, Greek, Hindi; month first
in Japanese, Korean, Chinese: mail/date_words.py), and otherwise the reading nearest after the receipt
date wins (03/04 read in March means 3 April or 4 March, whichever comes first from then). Dates without
a year take the next occurrence from the receipt date. Month and weekday names of Turkish, Hebrew,
Hindi, Danish, Greek, Czech and Arabic (and the Nordic, Polish, Portuguese and Spanish ones) are read
from date_words' tables, as is a weekday named alone next to a phrase (the next such day); other
named dates go through dateparser on the few words after the phrase only (it is slow and loose on
whole texts).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from addin_server.mail import cjk_days, date_ranges, date_words, day_lists, month_ends, relative_days, week_numbers

_MAX_AHEAD = timedelta(days=400)
_MAX_BEHIND = timedelta(days=7)
_NO_CUE_AHEAD = timedelta(days=183)

# Phrases after which the return day is written.
_RETURN_CUES = re.compile(
    "|".join(
        [
            r"\b(?:back|return(?:ing)?|returns|in\s+the\s+office|available|reachable)\b(?:\s+(?:to|in)\s+(?:the\s+)?office)?"
            r"(?:\s+(?:again|on|by|from|at|as\s+of|starting|beginning|in))*",
            r"\b(?:will\s+|i'?ll\s+)(?:reply|respond|answer|get\s+back\s+to\s+you)\s+(?:on|from)\b|\breopens?(?:\s+on)?\b",
            r"\bwieder\s+(?:im\s+büro|erreichbar|da|zurück|im\s+haus|verfügbar)?(?:\s+(?:ab|am))?",
            r"\bzurück\s+(?:am|ab)?",
            r"\bab\s+(?:dem|dem\s+kommenden)?",
            r"\bde\s+retour\s+(?:le|au\s+bureau\s+le|à\s+partir\s+du|dès\s+le|lundi|mardi|mercredi|jeudi|vendredi)?",
            r"\bà\s+partir\s+du",
            r"\bà\s+compter\s+du",  # "je ne lirai votre message qu'à compter du lundi 7"
            r"\bretour\s+(?:au\s+(?:bureau|travail)\s+)?(?:prévu\s+)?(?:le\b)?",
            r"\breprend(?:s|rai|re)\s+(?:le\s+travail\s+|mes\s+fonctions\s+)?(?:le|dès\s+le)?",
            r"\ba\s+partir\s+del?",  # "responderé a partir del lunes 7", "a partir de 7/12"
            r"\ba\s+partire\s+da(?:l|lla)?",  # "saranno evase a partire da mercoledì 9"
            r"\b(?:regreso|regresaré|regresare|vuelvo|volveré|volvere|de\s+vuelta|reincorporo)\s*(?:el|a\s+partir\s+del)?",
            r"\b(?:rientro|rientrerò|rientrero|di\s+ritorno|torno|tornerò|tornero|di\s+nuovo)\s*"
            r"(?:(?:in\s+(?:ufficio|sede)|disponibile|reperibile)\s+)?(?:il|dal)?",
            r"\b(?:terug|weer\s+aanwezig|weer\s+op\s+kantoor|vanaf)\s*(?:op|vanaf)?",
            r"\b(?:retorno|volto|regresso|de\s+volta)\s*(?:em|no\s+dia|a\s+partir\s+de|dia)?",
            r"\b(?:tillbaka|åter|tilbake|tilbage|tillgänglig\s+igen)\s*(?:den|på|igen|från|fra)?",
            r"\b(?:takaisin|palaan|tavoitettavissa)\b",
            r"\b(?:wracam|powrót|powrocie|będę\s+dostępn[ya])\s*(?:w\s+dniu|dnia)?",
            r"\b(?:вернусь|выйду(?:\s+на\s+работу)?|приступлю\s+к\s+работе|(?:на\s+работе\s+буду|буду\s+(?:на\s+месте|в\s+офисе|"
            r"на\s+работе|на\s+связи|доступ(?:ен|на)))(?:\s+с)?)(?![^\W\d_])",
            *date_words.RETURN_CUES,
        ]
    ),
    re.IGNORECASE,
)

# Phrases after which the last day away is written.
_UNTIL_CUES = re.compile(
    "|".join(
        [
            r"\b(?:till\s+och\s+med|til\s+og\s+med)(?:\s+den)?",
            r"\b(?:until|till|til|through|thru)\b(?:\s+and\s+including)?",
            r"(?<=\.)\s*[-–—]\s*(?=\d)",
            r"(?<=\d)\s+[-–—]\s+",
            r"\bto\s+(?=\d|(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
            r"\bbis\s+(?:einschließlich|einschliesslich|zum|am)?",
            r"\bjusqu['’]\s*(?:au|à|a)?",
            r"\bhasta\s+(?:el)?",
            r"\b(?:du|del|dal)\s+\d{1,2}\s+(?:au|al)\s+(?=\d)",  # "du 7 au 18 décembre", "del 7 al 18 de diciembre"
            # "du 21 décembre au 3 janvier", "del 21 de diciembre al 3 de enero"
            r"\b(?:du|del|dal)\s+\d{1,2}(?:er)?\s+(?:de\s+)?[^\W\d_]{3,12}\.?(?:\s+\d{4})?\s+(?:au|al)\s+(?=\d)",
            # Portuguese "de 21 de dezembro a 1 de janeiro", "de 7 a 18 de dezembro"
            r"\b(?:de|desde)\s+\d{1,2}º?(?:\s+de\s+[^\W\d_]{3,12})?(?:\s+de\s+\d{4})?\s+(?:a|ao|à)\s+(?=\d)",
            r"(?<=[^\W\d_])\s+[-–—]\s+(?=\d)",  # "21 December - 1 January"
            r"\b(?:au|al)\s+(?=\d{1,2}[./]\d{1,2})",  # "du 21/12 au 01/01"
            r"\bfino\s+(?:al|a)?",
            r"\btot\s+(?:en\s+met)?|\bt/m\b",  # "t/m" is "tot en met" written short
            r"\baté\s+(?:o\s+dia|dia)?",
            r"\b(?:till\s+och\s+med|t\.o\.m\.?|tom)",
            r"\b(?:til\s+og\s+med|t\.o\.m\.?)",
            r"\bdo\s+(?:dnia)?",
            r"\bпо\b",
            r"\bдо\b",
            *date_words.UNTIL_CUES,
        ]
    ),
    re.IGNORECASE,
)

# An end phrase that includes its day ("through", "tot en met", "bis einschließlich"), or a word after
# the date that does ("18 décembre inclus", "11 grudnia włącznie"): the day written is the last one
# away, so the return is the next working day after it.
_INCLUSIVE_CUE = re.compile(
    r"through|thru|and\s+including|och\s+med|og\s+med|t\.o\.m|t/m|en\s+met|einschlie", re.IGNORECASE
)
_INCLUSIVE_AFTER = re.compile(
    r"[^\n]{0,45}?\b(?:inclusive|inclus|incluse|incluso|incluido|inclusief|einschlie(?:ß|ss)lich|"
    r"włącznie|compreso|compresi|включительно)\b",
    re.IGNORECASE,
)

# East Asian languages put the phrase after the date: 5月6日まで, 5월 6일까지. A return ("1月4日より出社")
# wins over an end ("1月1日まで"), as in the Latin languages.
_SUFFIX_RETURN_CUES = re.compile(
    "|".join([r"に戻|より出社|から出社|より(?:順次)?対応|에\s*복귀|복귀|前回来|回来|返回|回到",
              *date_words.SUFFIX_RETURN_CUES,
              *cjk_days.SUFFIX_RETURN_CUES]),
    re.IGNORECASE,
)
_SUFFIX_UNTIL_CUES = re.compile("|".join([r"まで|迄|까지|之前", *date_words.SUFFIX_UNTIL_CUES]), re.IGNORECASE)
# "ab 07.12.", "à partir du 07/12": where the absence starts, or the return ("ab Montag wieder da").
# Read only when no stronger return phrase carries a date.
_WEAK_RETURN = re.compile(r"^\s*(?:ab|à\s+partir|à\s+compter|vanaf|a\s+partire?)\b", re.IGNORECASE)
# German writes the day before the return: "Ich bin am 27. Juli wieder im Büro", "am 3.1. wieder erreichbar".
_DATE_THEN_BACK = re.compile(
    r"\bam\s+((?:[^\W\d_]{2,12},?\s+(?:de[mn]\s+)?)?\d{1,2}\.\s?(?:\d{1,2}\.(?:\s?\d{2,4})?|[^\W\d_]{3,12}\.?(?:\s+\d{4})?))"
    r",?\s+(?:wieder\s+(?:im\s+büro|erreichbar|da\b|zurück|im\s+haus|verfügbar)|zurück\b)",
    re.IGNORECASE,
)

# German and Dutch put the day first in the sentence: "Donderdag ben ik weer bereikbaar", "Ab Montag,
# 14.12., bin ich wieder am Lehrstuhl".
_DAY_THEN_BACK = re.compile(
    r"(?:^|(?<=[.!?\n]))\s*(?:(?:ab|vanaf|op|am)\s+)?([^.!?\n]{3,30}?)[,\s]+(?:bin\s+ich|ben\s+ik)\s+(?:wieder|weer)\b",
    re.IGNORECASE,
)

_MONTHS_EN = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}

_ISO = re.compile(r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{4}|\d{2})(?![\d.]))?")
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?(?![\d/])")
_CJK = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일号號]?")
_WORDY = re.compile(
    r"(?:\b\w{3,12}[.,]?\s+)?(?:\d{1,2}(?:st|nd|rd|th|er|e|º|\.)?\s+(?:de\s+|of\s+)?[^\W\d_]{3,12}\.?"
    r"(?:,?\s+(?:de\s+)?\d{4})?|[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|[^\W\d_]{4,13})",
    re.UNICODE,
)

_WINDOW = 60
_SPENT = object()  # no dateparser reading left
# dateparser costs about a tenth of a second per candidate when it has to guess the language; a hostile
# text with thousands of "until"s must not hold the worker for minutes. So one text gets at most this
# many dateparser readings (repeated candidates are read once).
MAX_DATEPARSER_READINGS = 10


class _Budget:
    """The dateparser readings one text may still spend, with the ones already made, and how the
    text's writer orders numeric dates (date_words.numeric_order)."""

    def __init__(self, readings: int = MAX_DATEPARSER_READINGS, order: str | None = None) -> None:
        self.left = readings
        self.seen: dict[str, object] = {}
        self.order = order


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _with_year(month: int, day: int, anchor: date | None) -> date | None:
    if anchor is None:
        return None
    for year in (anchor.year, anchor.year + 1):
        found = _valid(year, month, day)
        if found and found >= anchor - _MAX_BEHIND:
            return found
    return None


def _full_year(text: str | None) -> int | None:
    if not text:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _plausible(found: date | None, anchor: date | None) -> bool:
    if found is None:
        return False
    if anchor is None:
        return True
    return anchor - _MAX_BEHIND <= found <= anchor + _MAX_AHEAD


# "14.12" without the closing dot, read only where the writer's locale puts the day first.
_DOTTED_BARE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?![\d.:]|\s*(?:h\b|uhr|am\b|pm\b|%))")


def _numeric(window: str, anchor: date | None, order: str | None = None) -> tuple[int, date] | None:
    """The first numeric date in a window, with its position. `order` is the writer's ("dmy", "ymd")
    when known: an ambiguous 03/04 then follows it instead of the nearest reading ahead."""
    found: list[tuple[int, date]] = []
    for match in _ISO.finditer(window):
        d = _valid(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        if d:
            found.append((match.start(), d))
    for match in _CJK.finditer(window):
        year = _full_year(match.group(1))
        month, day = int(match.group(2)), int(match.group(3))
        d = _valid(year, month, day) if year else _with_year(month, day, anchor)
        if d:
            found.append((match.start(), d))
    for match in _DOTTED.finditer(window):
        day, month = int(match.group(1)), int(match.group(2))
        year = _full_year(match.group(3))
        d = _valid(year, month, day) if year else _with_year(month, day, anchor)
        if d:
            found.append((match.start(), d))
    if order == "dmy":
        for match in _DOTTED_BARE.finditer(window):
            d = _with_year(int(match.group(2)), int(match.group(1)), anchor)
            if d:
                found.append((match.start(), d))
    for match in _SLASHED.finditer(window):
        a, b = int(match.group(1)), int(match.group(2))
        year = _full_year(match.group(3))
        readings = []
        # Day first unless the writer's locale is year first (12/14 in Japanese is 14 December).
        pairs = {"dmy": ((b, a),), "ymd": ((a, b),)}.get(order or "", ((b, a), (a, b)))
        for month, day in pairs:  # day-first reading listed first: it wins ties
            d = _valid(year, month, day) if year else _with_year(month, day, anchor)
            if d:
                readings.append(d)
        if not readings:
            continue
        if anchor is not None and len(readings) == 2:
            ahead = [d for d in readings if d >= anchor - _MAX_BEHIND]
            readings = sorted(ahead, key=lambda d: d - anchor) or readings
        found.append((match.start(), readings[0]))
    found = [(pos, d) for pos, d in found if _plausible(d, anchor)]
    return min(found, key=lambda item: item[0]) if found else None


def _wordy(
    window: str, anchor: datetime | None, languages: list[str] | None, budget: _Budget | None = None
) -> tuple[int, date] | None:
    """The first date written with a month or weekday name, read by dateparser."""
    try:
        import dateparser
    except ImportError:  # pragma: no cover - dateparser is a declared dependency
        return None
    settings: dict[str, object] = {
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": [],
        "STRICT_PARSING": False,
    }
    if anchor is not None:
        settings["RELATIVE_BASE"] = anchor.replace(tzinfo=None)
    budget = budget if budget is not None else _Budget()
    def read(candidate: str) -> object:
        if candidate not in budget.seen:
            if budget.left <= 0:
                return _SPENT
            budget.left -= 1
            try:
                budget.seen[candidate] = dateparser.parse(candidate, languages=languages, settings=settings)
            except Exception:  # noqa: BLE001 - dateparser raises on odd input; one candidate less
                budget.seen[candidate] = None
        return budget.seen[candidate]

    position = 0
    while match := _WORDY.search(window, position):
        position = match.end()
        candidate = match.group(0).strip(" ,.")
        if not re.search(r"[^\W\d_]", candidate):
            continue
        parsed = read(candidate)
        shorter = candidate.rsplit(None, 1)[0].strip(" ,.")
        if parsed is None and re.search(r"\d\.\s+\S+$", candidate) and re.search(r"[^\W\d_]", shorter):
            # "June 1. For urgent ...": the day ended the sentence, the next word is no month.
            candidate, parsed = shorter, read(shorter)
        if parsed is _SPENT:
            return None
        weekday = candidate.split()[0].lower()
        if parsed is None and " " in candidate and weekday.startswith(tuple(n for ns in _WEEKDAYS for n in ns)):
            # "Freitag abwesend": a weekday named alone, and the word after it.
            candidate, parsed = weekday, read(weekday)
            if parsed is _SPENT:
                return None
        if parsed is None and (first := re.match(r"\S+\s+(?=\S*\d|\S+\s+\d)", match.group(0))):
            # "ufficio lunedì 14 dicembre": the word taken before the date is none of it; read on after it.
            position = match.start() + first.end()
        if not isinstance(parsed, datetime):
            continue
        if parsed is None or not _names_a_day(candidate):
            continue
        if anchor is not None and _month_alone(candidate, parsed.date(), anchor.date()):
            continue
        d = _written_year_or_nearest(candidate, _pinned_by_weekday(candidate, parsed.date(), anchor), anchor)
        if _plausible(d, anchor.date() if anchor else None):
            return match.start(), d
    return None


def _month_alone(candidate: str, parsed: date, anchor: date) -> bool:
    """A month name alone ("december") is no day: dateparser keeps the anchor's day of the month
    and a year ahead. A weekday or "tomorrow" lands within the next week."""
    if re.search(r"\d", candidate):
        return False
    return parsed.day == anchor.day and not 0 <= (parsed - anchor).days <= 7


def _written_year_or_nearest(candidate: str, parsed: date, anchor: datetime | None) -> date:
    """Without a written year, a date a few days past ("until 1 December" read on 6 December) is that
    day, as for numeric dates, never the same day next year."""
    if anchor is None or re.search(r"\d{4}", candidate):
        return parsed
    try:
        earlier = parsed.replace(year=parsed.year - 1)
    except ValueError:  # 29 February
        return parsed
    return earlier if earlier >= anchor.date() - _MAX_BEHIND else parsed


# Weekday names (prefixes) in the languages read here, Monday first.
_WEEKDAYS = [
    ("mon", "montag", "lundi", "lunes", "lunedì", "maandag", "segunda"),
    ("tue", "dienstag", "mardi", "martes", "martedì", "dinsdag", "terça"),
    ("wed", "mittwoch", "mercredi", "miércoles", "mercoledì", "woensdag", "quarta"),
    ("thu", "donnerstag", "jeudi", "jueves", "giovedì", "donderdag", "quinta"),
    ("fri", "freitag", "vendredi", "viernes", "venerdì", "vrijdag", "sexta"),
    ("sat", "samstag", "samedi", "sábado", "sabato", "zaterdag"),
    ("sun", "sonntag", "dimanche", "domingo", "domenica", "zondag"),
]


def _pinned_by_weekday(candidate: str, parsed: date, anchor: datetime | None) -> date:
    """A stated weekday pins the year of a yearless date: "Monday 15th September" read on 16 Sep
    2014 is 15 Sep 2014 (a Monday), not the next 15 September (a Tuesday)."""
    if anchor is None or re.search(r"\d{4}", candidate):
        return parsed
    first = candidate.split()[0].lower().strip(".,") if candidate.split() else ""
    if re.fullmatch(r"\d.*", first):
        return parsed
    weekday = next((i for i, names in enumerate(_WEEKDAYS) if first.startswith(names)), None)
    if weekday is None or parsed.weekday() == weekday:
        return parsed
    for year in (anchor.year, anchor.year + 1, anchor.year - 1):
        option = _valid(year, parsed.month, parsed.day)
        if option and option.weekday() == weekday and _plausible(option, anchor.date()):
            return option
    return parsed


_TIME_WORDS = re.compile(r"^\d{1,2}(?::\d{2})?\s*(?:am|pm|h|uhr)?$", re.IGNORECASE)


def _names_a_day(candidate: str) -> bool:
    """dateparser reads "now", "today" or a bare time as dates; a return date names a day."""
    lowered = candidate.lower()
    if _TIME_WORDS.match(lowered):
        return False
    relative = (
        "now",
        "today",
        "jetzt",
        "heute",
        "maintenant",
        "ahora",
        "hoy",
        "ora",
        "oggi",
        "nu",
        "idag",
        "agora",
        "hoje",
        "tänään",
        "nyt",
        "teraz",
        "dziś",
        "сейчас",
        "сегодня",
        "ago",
        "hour",
        "minute",
    )
    return not any(word in lowered.split() for word in relative)


_LATIN_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "sv", "nb", "da", "fi", "pl")


def _language_hint(text: str) -> list[str] | None:
    # The script decides for non-Latin texts; Latin texts are read in the product's Latin languages.
    if re.search(r"[\u3040-\u30ff]", text):
        return ["ja"]
    if re.search(r"[\uac00-\ud7af]", text):
        return ["ko"]
    if re.search(r"[\u4e00-\u9fff]", text):
        return ["zh"]
    if re.search(r"[\u0400-\u04ff]", text):
        return ["ru"]
    # Letting dateparser guess among all its locales costs about a second per candidate.
    return list(_LATIN_LANGUAGES)


def _date_in(window: str, anchor: datetime | None, languages: list[str] | None, budget: _Budget) -> date | None:
    return _date_and_how(window, anchor, languages, budget)[0]


def _date_and_how(
    window: str, anchor: datetime | None, languages: list[str] | None, budget: _Budget
) -> tuple[date | None, bool, int]:
    """The first date in a window, whether it is a weekday named alone ("back Monday"), and where it starts."""
    anchor_day = anchor.date() if anchor else None
    numeric = _numeric(window, anchor_day, budget.order)
    named = _named(window, anchor_day)
    # dateparser only when no month name of date_words' languages starts the window first.
    wordy = None if named and (not numeric or named[0] <= numeric[0]) else _wordy(window, anchor, languages, budget)
    options = [item for item in (numeric, named, wordy) if item]
    alone = date_words.weekday_alone(window, anchor_day)
    if not options:
        return alone, True, 0
    options.sort(key=lambda item: item[0])
    start, found = options[0]
    # "Monday, December 14" names its day: only a weekday without a day number is one alone.
    named_day = _DAY_AFTER_WEEKDAY.match(window, start)
    if named_day and len(options) > 1 and options[1][0] < named_day.end():
        start, found = options[1]  # "Dienstag, 15.12.": the day number, not the weekday read alone
    return found, found == alone and not named_day, start


# A weekday followed by its day number, maybe after a month name ("Monday 14", "Monday, December 14").
_DAY_AFTER_WEEKDAY = re.compile(r"[^\W\d_]{2,12}\.?,?\s+(?:(?:the|den|le|el|il|de)\s+|[^\W\d_]{3,12}\.?\s+)?\d")
# Where a sentence ends: a full stop after a word (not after a day number, "11. Dezember") and a capital.
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{4})[.!?]\s+(?=[^\W\d_])(?=[^a-zà-ÿа-я])|。")


# Abbreviations a full stop follows inside a sentence ("Thurs. December 17").
_ABBREVIATIONS = ("tues", "thur", "thurs", "sept", "prof", "approx")


def _in_sentence(window: str) -> str:
    """The window up to the end of its sentence: "wieder am Lehrstuhl. Sprechstunde am 9.12." names no day back."""
    for end in _SENTENCE_END.finditer(window):
        if not window[: end.start()].lower().endswith(_ABBREVIATIONS):
            return window[: end.start()]
    return window


def _next_working_day(last_day: date) -> date:
    day = last_day + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


# End phrases that carry the range's first day themselves ("du 7 au", "del 21 de diciembre al").
_RANGE_CUE = re.compile(r"^\s*(?:du|del|dal|de)\s", re.IGNORECASE)
# The dash after a word ("21 December - 1 January"): an end phrase only when it closes a range.
_DASH = re.compile(r"\s*[-–—]\s*")


def _until_end(
    text: str, anchor: datetime | None, languages: list[str] | None, budget: _Budget
) -> tuple[date, bool] | None:
    """The date the first end phrase carries, and whether it is a day away: an end that includes its
    day ("through", "inclusive") or closes a range ("from 21 December to 1 January", mail/date_ranges.py)."""
    for match in _UNTIL_CUES.finditer(text):
        window = _in_sentence(text[match.end() : match.end() + _WINDOW])
        # "bis KW 2" is the Monday of week 2, as "bis 11.01." is that day; "through week 2" includes the week.
        week = week_numbers.week_until_cue(window, anchor.date() if anchor else None)
        if week:
            # "von KW 51 bis KW 2", "week 51 to week 2": weeks away, back the Monday after the last.
            span = _INCLUSIVE_CUE.search(match.group(0)) or week_numbers.ends_with_week(text[: match.start()])
            return (week[1], True) if span else (week[0], False)
        opens_range = date_ranges.starts_range(text[: match.start()], match.group(0).strip())
        after_a_word = match.start() > 0 and text[match.start() - 1].isalpha()
        if after_a_word and _DASH.fullmatch(match.group(0)) and not opens_range:
            continue  # "Office closed - 24.12. to 26.12.": a dash after a word is a range's or nothing
        found, _, start = _date_and_how(window, anchor, languages, budget)
        if found:
            away = bool(
                _INCLUSIVE_CUE.search(match.group(0))
                or _INCLUSIVE_AFTER.match(text, match.end() + start)
                or _RANGE_CUE.match(match.group(0))
                or opens_range
            )
            return found, away
    return None


def _until_date(text: str, anchor: datetime | None, languages: list[str] | None, budget: _Budget) -> date | None:
    """The day back an end phrase gives: the day written, or the next working day when it is a day away."""
    end = _until_end(text, anchor, languages, budget)
    if end is None:
        return None
    return _next_working_day(end[0]) if end[1] else end[0]


def _named(window: str, anchor: date | None, last: bool = False) -> tuple[int, date] | None:
    """The first (or last) date written with a month name of date_words' tables, with its position."""
    found = [(n.start, d) for n in date_words.named_dates(window) if _plausible(d := n.resolve(anchor), anchor) and d]
    return (found[-1] if last else found[0]) if found else None


# "il 1° aprile", "1º de janeiro": the ordinal sign (or a degree sign typed for it) after a day number,
# which dateparser does not read; a space keeps every position.
_ORDINAL_SIGN = re.compile(r"(?<=\d)[º°ª](?=\s)")


# "ab Montag wieder da": a start word with "again" in its sentence gives the day back.
_AGAIN = re.compile(
    r"\b(?:wieder|weer|again|de\s+nouveau|di\s+nuovo|de\s+nuevo|novamente|igen|taas|znowu|снова)\b", re.IGNORECASE
)


def _after_end(found: date, last_away: tuple[date, bool] | None) -> date:
    """A weekday named alone after a later end: that weekday after the last day away. "Until" a day keeps
    that day as the day back, unless it includes the day ("through")."""
    while last_away and (found < last_away[0] or (last_away[1] and found == last_away[0])):
        found += timedelta(days=7)
    return found


def find_return_date(text: str, anchor: datetime | None) -> date | None:
    """The return (or last-absent) date an out-of-office text states, or None."""
    text = date_words.without_weekday_article(_ORDINAL_SIGN.sub(" ", date_words.western_digits(text[:4000])))
    languages = _language_hint(text)
    budget = _Budget(order=date_words.numeric_order(text))
    # "back tomorrow", "morgen wieder erreichbar": the next working day after the message.
    tomorrow = relative_days.tomorrow_back(text, anchor.date()) if anchor else None
    if tomorrow:
        return tomorrow
    weak: date | None = None
    anchor_day = anchor.date() if anchor else None
    for match in _RETURN_CUES.finditer(text):
        is_weak = bool(_WEAK_RETURN.match(match.group(0)))
        if is_weak and weak:
            continue
        window = _in_sentence(text[match.end() : match.end() + _WINDOW])
        # "back in week 2": the Monday of that week (mail/week_numbers.py); "ab KW 51" may start an absence.
        week = None if is_weak else week_numbers.week_after_cue(window, anchor.date() if anchor else None)
        if week:
            return week
        found, alone, _ = _date_and_how(window, anchor, languages, budget)
        # "back on the 4th": the next such day of the month (mail/month_ends.py), never one past.
        found, alone = (day, False) if (day := month_ends.day_of_month_alone(window, anchor_day)) else (found, alone)
        if found and is_weak and not _AGAIN.search(window):
            weak = found
        elif found:
            # "Away until 18 December. Back Monday.": the Monday after the last day away, not the next one.
            return _after_end(found, _until_end(text, anchor, languages, budget) if alone else None)
    for pattern in (_DATE_THEN_BACK, _DAY_THEN_BACK):
        for match in pattern.finditer(text):
            found = _date_in(match.group(1), anchor, languages, budget)
            if found:
                return found
    end = _until_end(text, anchor, languages, budget) or month_ends.until_month_end(text, anchor_day)
    # "ab 21.12. bis 01.01.", "ab morgen im Urlaub bis 18.12.": where the absence starts, before its end,
    # is no return; a later "ab dem 05.01. wieder im Büro" is the day back.
    if weak and not (end and weak <= end[0]):
        return weak
    if end:
        return _next_working_day(end[0]) if end[1] else end[0]
    for cues in (_SUFFIX_RETURN_CUES, _SUFFIX_UNTIL_CUES):
        for match in cues.finditer(text):
            start = match.start()
            nearest = _nearest_cjk_date(text[max(0, start - 25) : start], anchor, budget.order)
            anchor_day = anchor.date() if anchor else None
            named = _named(text[max(0, start - 40) : start], anchor_day, last=True)
            # A month name is the more explicit reading ("7-14 Aralık" is no numeric 7-14).
            if named or nearest:
                found = named[1] if named else nearest
                window = text[max(0, start - 40) : start]
                # "12月21日から1月1日まで", "7 से 14 दिसंबर तक": the last day of a range is a day away.
                if found and cues is _SUFFIX_UNTIL_CUES and date_ranges.joined_end(window):
                    return _next_working_day(found)
                return found
            weekday = date_words.weekday_alone(text[max(0, start - 25) : start], anchor_day, before_cue=True)
            if weekday:
                return weekday
    week = week_numbers.week_return(text, anchor.date() if anchor else None)
    if week:
        return week
    ranged = _range_end(text, anchor, languages, budget)
    if ranged:
        return _next_working_day(ranged)
    # "nos dias 1 e 8 de dezembro": days away, not a span (mail/day_lists.py).
    listed = day_lists.listed_days(text)
    last = _date_in(listed[1], anchor, languages, budget) if listed and anchor else None
    if listed and last and anchor and (free := day_lists.first_day_free(listed[0], last, anchor.date())):
        return free
    latest = _latest_date(text, anchor, budget.order)
    # "encerrados no dia 8 de dezembro" sent on the 8th: the only day written is a day away.
    return _next_working_day(latest) if latest and anchor and latest == anchor.date() else latest


def _nearest_cjk_date(window: str, anchor: datetime | None, order: str | None = None) -> date | None:
    """The date written last before a suffix cue: "12月21日から1月1日まで" ends on 1月1日, "12/21至12/25休假，
    12/28恢復上班" on 12/28; a day written alone after it ("…まで。14日（月）に出社") is read in its month
    (mail/cjk_days.py)."""
    anchor_day = anchor.date() if anchor else None
    last: date | None = None
    last_end = 0
    numeric = sorted((m for p in (_ISO, _DOTTED, _SLASHED) for m in p.finditer(window)), key=lambda m: m.start())
    for matches, how in ((list(_CJK.finditer(window)), None), (numeric, order)):
        for match in matches if last is None else ():
            if found := _numeric(match.group(0), anchor_day, how):
                last, last_end = found[1], match.end()
    return cjk_days.bare_day_after(window[last_end:], last, anchor_day) or last


_RANGE_MONTH_FIRST = re.compile(r"([^\W\d_]{3,12})\.?\s+\d{1,2}(?:st|nd|rd|th)?\s*[-–—]\s*(\d{1,2})(?:st|nd|rd|th)?\b")
_RANGE_DAY_FIRST = re.compile(r"\b\d{1,2}\.?\s*[-–—]\s*(\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,12})")


def _range_end(text: str, anchor: datetime | None, languages: list[str] | None, budget: _Budget) -> date | None:
    """The last day of a written range: "July 10-31", "10.-14. März", "3-7 de mayo" (a day away)."""
    for match in _RANGE_MONTH_FIRST.finditer(text):
        found = _wordy(f"{match.group(1)} {match.group(2)}", anchor, languages, budget)
        if found:
            return found[1]
    for match in _RANGE_DAY_FIRST.finditer(text):
        found = _wordy(match.group(1), anchor, languages, budget)
        if found:
            return found[1]
    return None


def _latest_date(text: str, anchor: datetime | None, order: str | None = None) -> date | None:
    """Without a cue: the latest numeric date, or date with a month name of date_words' languages,
    ahead of the receipt date (absences end last)."""
    if anchor is None:
        return None
    anchor_day = anchor.date()
    dates: list[date] = []
    for pattern in (_ISO, _DOTTED, _CJK):
        for match in pattern.finditer(text[:1500]):
            found = _numeric(match.group(0), anchor_day, order)
            if found and found[1] >= anchor_day:
                # "12月21日至1月1日": the last day of a range is a day away.
                ranged = date_ranges.joined_before(text[: match.start()])
                dates.append(_next_working_day(found[1]) if ranged else found[1])
    for named in date_words.named_dates(text[:1500]):
        day = named.resolve(anchor_day)
        # Without a cue a yearless day far ahead is more likely a past day ("started on 27 November").
        if day and anchor_day <= day <= anchor_day + _NO_CUE_AHEAD:
            dates.append(_next_working_day(day) if named.ranged else day)
    return max(dates) if dates else None
