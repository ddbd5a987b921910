"""Days away written as a list: "encerrados nos dias 1 e 8 de dezembro", "em treinamento nos dias 3 e
4/12", "chiusi lunedì 7 e martedì 8 dicembre", "out on 24 and 31 December".

The rule (mail/return_date.py applies it when no phrase gives the day back): the listed days are days
away, not a span, so the day back of a message sent within the list is the first working day after it
that is not one of them (closed on the 1st and the 8th, written on the 1st: back the 2nd). A message sent
before the list's first day is read as any other. The month, and the year, are
those of the last day of the list. "Between 7 and 11 December" is a span, not a list.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_ORDINAL = r"(?:º|ª|\.|st|nd|rd|th|er)?"
_DAY = rf"(\d{{1,2}}){_ORDINAL}"
_WEEKDAY_WORD = r"(?:[^\W\d_]{3,12}(?:-feira)?,?\s+)?"
_AND = r"(?:e|ed|and|und|et|y|en|og|och|i|и)"
# One or more days, "and", the last day with its month (a word or a number): the last day's date is
# read by return_date's own readers.
_LIST = re.compile(
    rf"(?<![\d/.])(?P<days>(?:{_WEEKDAY_WORD}\d{{1,2}}{_ORDINAL}\s*,\s*)*{_WEEKDAY_WORD}\d{{1,2}}{_ORDINAL})"
    rf"\s+{_AND}\s+(?P<last>{_WEEKDAY_WORD}{_DAY}\s*(?:(?:de\s+)?[^\W\d_]{{3,12}}|[/.]\d{{1,2}}))",
    re.IGNORECASE,
)
# Words that make the two days the ends of a span.
_SPAN_BEFORE = re.compile(r"(?:between|entre|zwischen|tra|fra|mellan|tussen|między|между)\s+$", re.IGNORECASE)


def listed_days(text: str) -> tuple[list[int], str] | None:
    """The day numbers of the first list of days in a text and the words of its last day, or None."""
    for match in _LIST.finditer(text):
        # The weekday word a list may open with may be "between" itself.
        first = match.start() + len(re.split(r"\d", match.group(0), maxsplit=1)[0])
        if _SPAN_BEFORE.search(text[max(0, first - 15) : first]):
            continue
        days = [int(d) for d in re.findall(r"\d{1,2}", match.group("days"))]
        last = match.group("last")
        last_day = re.search(r"\d{1,2}", last)
        if last_day is None:
            continue
        return [*days, int(last_day.group(0))], last
    return None


def first_day_free(days: list[int], last: date, sent: date) -> date | None:
    """The first working day after `sent` that is none of the listed days (of the last day's month), or
    None when the message was not sent within the list (before its first day or after its last)."""
    away = {d for day in days if (d := _in_month(last, day))}
    if not away or not min(away) <= sent <= last:
        return None
    day = sent + timedelta(days=1)
    while day.weekday() >= 5 or day in away:
        day += timedelta(days=1)
    return day


def _in_month(last: date, day: int) -> date | None:
    try:
        return last.replace(day=day)
    except ValueError:
        return None
