"""East Asian days back written before their cue, beyond a full month-and-day date.

- The return said as going to work on a day: "2月14日正常上班", "12/28（一）恢復上班", "14日（月）に出社いたします".
  mail/return_date.py adds these cues to its suffix return cues; a return cue wins over an end ("まで").
- A day of the month written alone after a full date ("12月11日（金）まで不在です。14日（月）に出社"): the day of the
  month of the date before it, or of the next month when that day is already past ("12月28日まで…4日に出社" is
  4 January). Alone in the text, it is the next such day of the month from the message.
"""

from __future__ import annotations

import re
from datetime import date

SUFFIX_RETURN_CUES = (
    r"(?:正常|恢复|恢復|开始|開始|返回|回来)上班|返岗|返崗|到岗|到崗|に出社|出社(?:いたします|します|予定)|출근(?:합니다|예정)",
)

# "14日", not a part of "12月14日" (the month glued before it) nor of "1/14日".
_BARE_DAY = re.compile(r"(?<![\d/.月월])(\d{1,2})\s*[日일](?![本曜])")


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def bare_day_after(rest: str, before: date | None, anchor: date | None) -> date | None:
    """The last day of the month written alone in `rest` (the text after the full date `before`, up to the cue)."""
    days = _BARE_DAY.findall(rest)
    base = before or anchor
    if not days or base is None:
        return None
    day = int(days[-1])
    # The day in the base's month when it comes after the base, or else in the next month.
    start = base if before else date.fromordinal(base.toordinal() - 1)
    for month_ahead in (0, 1, 2):
        year, month = divmod(start.month - 1 + month_ahead, 12)
        found = _valid(start.year + year, month + 1, day)
        if found and found > start:
            return found
    return None
