"""Week numbers in absence notices: "back in week 2", "I'm on holiday in week 52", "KW 51/52 im Urlaub",
"uge 15", "vecka 2", "semaine 52", "semana 52", "week 52 en 53 afwezig", "第52週は休暇です".

Weeks are ISO weeks (Monday to Sunday) of the year of the message's receipt date, or of the next year
when that week is over: the next occurrence that is not past. Back in week N is the Monday of week N.
Away in week N, or in weeks N to M ("51/52", "52 en 53", "KW 51-52"), is a span of days away: the day
back is the Monday after the last week. After an end phrase the week follows the rule of a day: "until
week 2", "bis KW 2" is the Monday of week 2 (the day written), "through week 2", "bis einschließlich KW 2"
the Monday after it. A week is read as the day back when a return phrase comes
before it (mail/return_date.py passes the words after its cue) or a return word right after it
("ab KW 2 wieder im Büro", "第2週に戻ります"); as a span away when the same sentence says the writer is
away (an absence statement of mail/phrases.py or of a language pack of mail/absence_lexicon.py); a
week number with neither ("can we meet in week 2?") is no date. "Woche 3 Tage" is three days, not a week.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from addin_server.mail import absence_lexicon, phrases

_WEEK_WORD = (
    r"weeks?|wk\.?|kw\.?|kalenderwochen?|wochen?|uge[rn]?|uke[rn]?|vecka|veckorna|veckor|v\.|viikolla|viikko|"
    r"viikoilla|semaines?|semanas?|settiman[ae]|tydzień|tygodniu|tygodniach|týdnu|týden|týdnech|недел[еяию]"
)
# "Woche 3 Tage", "week 2 days": a count of days or hours follows, not a week number.
_NOT_A_WEEK = (
    r"(?!\s*(?:tage?n?|days?|dagen|dage|dagar|jours?|d[ií]as|giorni|dni|dní|hours?|stunden|uur|h\b|x\b|mal\b|times))"
)
_SECOND = (
    r"(?:\s*(?:/|-|–|—|\+|&|and|to|through|bis|und|en|t/m|tot|et|à|au|y|a|al|e|og|och|ja|till|til|do|até|и|по|から|～|〜)"
    rf"\s*(?:(?:{_WEEK_WORD})\s*)?(?:第\s*)?(?P<last>\d{{1,2}})(?!\d){_NOT_A_WEEK}\s*[週周]?)?"
)
WEEK_REFERENCE = re.compile(
    rf"(?:(?<![^\W\d_])(?:{_WEEK_WORD})\s*(?:nr\.?|no\.?|n[º°]|#)?\s*(?P<n1>\d{{1,2}})(?!\d|[.,:]\d){_NOT_A_WEEK}"
    r"|(?<![\d.])(?P<n2>\d{1,2})\.\s*(?:kw|kalenderwoche)\b"
    r"|第\s*(?P<n3>\d{1,2})\s*[週周]|(?<!\d)(?P<n4>\d{1,2})\s*주차)"
    rf"{_SECOND}",
    re.IGNORECASE,
)
# A return word right after the week: "ab KW 2 wieder im Büro", "vecka 2 är jag tillbaka", "第2週に戻ります".
_BACK_AFTER = re.compile(
    r"[^.!?\n。\d]{0,12}?(?:\bwieder\b|\bweer\b|\bagain\b|\bigen\b|\bdi\s+nuovo\b|\bde\s+nuevo\b|\bzurück\b|\bback\b|\breturn|\bterug\b|\btilbage\b|\btillbaka\b|\btilbake\b|"
    r"\bde\s+retour\b|\bde\s+vuelta\b|\bregres|\bvuelvo\b|\brientr|\bvolto\b|\bretorno\b|に戻|より出社|から出社|"
    r"복귀|回来|返回|回到)",
    re.IGNORECASE,
)
# Words that may stand between a return phrase and the week: "back in week 2", "tillbaka vecka 2".
_LEAD = re.compile(
    r"^\s*(?:(?:in|on|during|im|in\s+der|ab|ab\s+der|from|en|la|le|i|på|na|nella|em|w|v|во?|from)\s+)*",
    re.IGNORECASE,
)


def _monday(year: int, week: int) -> date | None:
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:  # week 53 of a year that has 52
        return None


def _weeks(first: int, last: int | None, anchor: date) -> tuple[date, date] | None:
    """The Monday of the first week and of the last one, at their next occurrence not past."""
    year = anchor.isocalendar().year
    for start_year in (year, year + 1):
        monday = _monday(start_year, first)
        if monday is None or monday + timedelta(days=6) < anchor:
            continue
        if last is None or last == first:
            return monday, monday
        end = _monday(start_year if last > first else start_year + 1, last)
        return (monday, end) if end and end >= monday else None
    return None


def _read(match: re.Match[str], anchor: date) -> tuple[date, date] | None:
    first = int(next(g for g in (match.group("n1"), match.group("n2"), match.group("n3"), match.group("n4")) if g))
    last = int(match.group("last")) if match.group("last") else None
    if not 1 <= first <= 53 or (last is not None and not 1 <= last <= 53):
        return None
    return _weeks(first, last, anchor)


def week_after_cue(window: str, anchor: date | None) -> date | None:
    """The Monday of the week written right after a return phrase ("back in week 2"), or None."""
    if anchor is None:
        return None
    match = WEEK_REFERENCE.match(window, _LEAD.match(window).end())  # type: ignore[union-attr]
    found = _read(match, anchor) if match else None
    return found[0] if found else None


def week_until_cue(window: str, anchor: date | None) -> tuple[date, date] | None:
    """The Monday of the first week and the Sunday of the last one written right after an end phrase
    ("bis KW 2", "through week 2"), or None."""
    if anchor is None:
        return None
    match = WEEK_REFERENCE.match(window, _LEAD.match(window).end())  # type: ignore[union-attr]
    found = _read(match, anchor) if match else None
    return (found[0], found[1] + timedelta(days=6)) if found else None


_WEEK_BEFORE = re.compile(
    rf"(?:(?<![^\W\d_])(?:{_WEEK_WORD})\s*\d{{1,2}}|\d{{1,2}}\.\s*(?:kw|kalenderwoche)|第\s*\d{{1,2}}\s*[週周])\s*$",
    re.IGNORECASE,
)


def ends_with_week(before: str) -> bool:
    """Whether the text right before an end phrase ends with a week ("von KW 51 bis KW 2"): a range of weeks."""
    return bool(_WEEK_BEFORE.search(before[-30:]))


def _sentence(text: str, start: int, end: int) -> str:
    before = re.split(r"[.!?\n。！？]", text[max(0, start - 80) : start])[-1]
    after = re.split(r"[.!?\n。！？]", text[end : end + 80])[0]
    return f"{before} {text[start:end]} {after}"


def week_return(text: str, anchor: date | None) -> date | None:
    """The day back a week number gives: the Monday of a week the writer is back in, or the Monday
    after the weeks the writer is away; None without a return word or an absence in its sentence."""
    if anchor is None:
        return None
    weeks = [(match, found) for match in WEEK_REFERENCE.finditer(text[:4000]) if (found := _read(match, anchor))]
    # A week the writer is back in wins over the weeks away ("KW 51/52 im Urlaub, ab KW 1 wieder da").
    for match, found in weeks:
        if _BACK_AFTER.match(text, match.end()):
            return found[0]
    for match, found in weeks:
        sentence = _sentence(text, match.start(), match.end())
        if phrases.OUT_OF_OFFICE_TEXT.search(sentence) or absence_lexicon.find_part("absence", sentence):
            return found[1] + timedelta(days=7)
    return None
