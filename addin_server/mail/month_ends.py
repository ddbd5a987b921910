"""An absence that lasts until the end of a month: "jusqu'à fin février", "until the end of February", "bis Ende
Februar", "hasta finales de febrero", "fino a fine febbraio", "tot eind februari", "até o final de fevereiro",
"until the end of the month".

The rule (mail/return_date.py applies it where no end phrase carries a day): the month's last day is the last day
away, so the day back is the first working day of the next month. The month is its next end not past from the
message ("end of February" written in December is February of the next year); "the end of the month" is the
message's own month.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

# The end phrase, then "the end of" in the language, then a month name or "the month".
_UNTIL_END_OF = re.compile(
    r"(?<![^\W\d_])(?:until|till|through|thru|to|bis|jusqu['’]\s*(?:à|a|au)|hasta|fino\s+a(?:lla)?|tot(?:\s+en\s+met)?|"
    r"t/m|até|ao|do|till)\s+"
    r"(?:(?:the\s+)?end\s+of(?:\s+the)?|(?:zum\s+)?ende|(?:la\s+)?fin(?:\s+de|\s+du)?|(?:el\s+|a\s+)?(?:finales|fines|final|"
    r"fin)\s+de(?:l)?|(?:la\s+)?fine(?:\s+di)?|(?:het\s+)?eind(?:e)?|(?:o\s+)?(?:final|fim)\s+d[eo])\s+"
    r"(?P<month>[^\W\d_]{3,12})",
    re.IGNORECASE,
)
# Month names by their first letters in the Latin languages the readers know; "the month" is the message's month.
_MONTH_STEMS = (
    ("jan", "ene", "gen"), ("feb", "fév", "fev"), ("mar", "mär", "maa"), ("apr", "avr", "abr"),
    ("may", "mai", "mei", "mag"), ("jun", "juin", "giu"), ("jul", "juil", "lug"), ("aug", "aoû", "aou", "ago"),
    ("sep", "set"), ("oct", "okt", "ott", "out"), ("nov",), ("dec", "déc", "dez", "dic"),
)
_THIS_MONTH = ("month", "monats", "mois", "mes", "mese", "maand", "mês")


def _month(word: str, anchor: date) -> int | None:
    word = word.lower()
    if word in _THIS_MONTH:
        return anchor.month
    # "juil" before "jui": July is named by its fourth letter in French.
    for number in sorted(range(12), key=lambda n: -max(len(s) for s in _MONTH_STEMS[n])):
        if word.startswith(_MONTH_STEMS[number]):
            return number + 1
    return None


def _last_day(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def until_month_end(text: str, anchor: date | None) -> tuple[date, bool] | None:
    """The last day of the month an end phrase names by its end, as a day away, or None."""
    if anchor is None:
        return None
    for match in _UNTIL_END_OF.finditer(text):
        month = _month(match.group("month"), anchor)
        if month is None:
            continue
        last = _last_day(anchor.year, month)
        return (last if last >= anchor else _last_day(anchor.year + 1, month)), True
    return None


# A day of the month written alone right after a return phrase: "back on the 4th", "ab dem 4. wieder da", "de retour
# le 14", "vuelvo el 14", "rientro il 14", "volto dia 14"; an article or an ordinal mark makes the number a day,
# and a month in brackets may follow ("back on the 4th (Jan)").
_DAY_ALONE = re.compile(
    r"^\s*(?:on\s+|am\s+|ab\s+)?(?:(?P<article>the|dem|den|le|el|il|dia|o\s+dia)\s+)?(?P<day>\d{1,2})"
    r"(?P<mark>st|nd|rd|th|er|e|º|\.)?(?![\d.,/:-]*\d)(?:\s*\((?P<month>[^\W\d_]{3,9})\.?\))?(?:\W+(?P<next>[^\W\d_]+))?",
    re.IGNORECASE,
)


def day_of_month_alone(window: str, anchor: date | None) -> date | None:
    """The next day after the message that has the day of the month written alone after a return phrase, or None
    when a month name follows the number (the date readers take it whole) or nothing marks the number a day."""
    match = _DAY_ALONE.match(window)
    if anchor is None or match is None or not (match.group("article") or match.group("mark")):
        return None
    if match.group("next") and _month(match.group("next"), anchor) and match.group("next").lower() not in _THIS_MONTH:
        return None
    day, named = int(match.group("day")), _month(match.group("month") or "", anchor)
    for ahead in range(13):
        year, month = divmod(anchor.month - 1 + ahead, 12)
        try:
            found = date(anchor.year + year, month + 1, day)
        except ValueError:
            continue
        if found > anchor and (named is None or found.month == named):
            return found
    return None
