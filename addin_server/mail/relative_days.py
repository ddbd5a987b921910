"""A day back written relative to the message: "back tomorrow", "morgen wieder erreichbar", "de retour
demain", "ご返信は明日以降となります".

The rule (mail/return_date.py applies it): a sentence that names tomorrow next to a return or reply
word ("back", "wieder", "de retour", "responderé", "明日以降") and writes no date of its own gives the next
working day after the day the message was sent, so "back tomorrow" sent on a Friday is Monday.
"Until tomorrow" ("bis morgen") is the same day back. Tomorrow listed among the days away ("today and
tomorrow", "vandaag en morgen") is no day back, nor is a morning ("Guten Morgen", "por la mañana"), nor
where an absence starts ("from tomorrow I am on leave"), unless the writer is back again from then ("ab
morgen wieder erreichbar").
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from addin_server.mail import date_ranges

_TOMORROW = re.compile(
    r"(?<![^\W\d_])(?:tomorrow|morgen|demain|mañana|domani|amanhã|i\s+morgon|i\s+morgen|jutro|завтра|yarın|huomenna)"
    r"(?![^\W\d_])|明日|あす|明天|내일",
    re.IGNORECASE,
)
# A word right before tomorrow that makes it a morning or one of a list of days away.
_NOT_A_DAY_BACK = re.compile(
    r"(?:\b(?:today|heute|aujourd'hui|hoy|oggi|vandaag|hoje|idag|i\s+dag|dziś|dzisiaj|сегодня|bugün)[\s,]*"
    r"(?:and|und|et|y|e|en|och|og|i|и|&)|\b(?:guten|am|jeden|la|esta)|(?:本日|今日)と|今天和|오늘과|오늘하고)\s*$",
    re.IGNORECASE,
)
# Return and reply words, in the languages the return-date reader knows.
_BACK = re.compile(
    r"(?<![^\W\d_])(?:back|return(?:ing)?|reply|respond|answer|available|reachable|in\s+the\s+office|zurück|wieder|"
    r"erreichbar|antworten?|beantworte|retour|répondrai|disponible|joignable|vuelta|regreso|vuelvo|responderé|"
    r"contestaré|rientro|torno|risponderò|disponibile|reperibile|di\s+nuovo|in\s+ufficio|terug|weer|bereikbaar|beantwoord|volta|regresso|"
    r"volto|responderei|retorno|tillbaka|tilbage|tilbake|wracam|odpowiem|вернусь|выйду|отвечу|на\s+месте|на\s+работе|doneceğim|döneceğim|"
    # reading the mail then: "Leggerò la sua mail domani mattina", "Ik lees je mail morgen"
    r"read|lese|lees|lirai|leeré|leerá|leggerò|leggo|lerei|läser|læser|leser|réponds|"
    r"dönüyorum|respondo|rispondo|pick\s+up|catch\s+up|be\s+in|at\s+my\s+desk|de\s+nuevo|en\s+la\s+oficina|no\s+escritório|w\s+biurze|im\s+büro|op\s+kantoor|au\s+bureau)"
    r"(?![^\W\d_])"
    # Japanese, Chinese and Korean write the return after tomorrow: 明日以降, 明日は出社, 明天回来, 내일 복귀.
    r"|(?:明日|あす)[^。\n]{0,12}?(?:以降|から|より|出社|出勤|戻|対応|返信|ご連絡|回答)"
    r"|明天[^。\n]{0,8}?(?:上班|回|返|答复|到岗)|내일[^.\n]{0,10}?(?:복귀|회신|답변|출근|연락|부터)",
    re.IGNORECASE,
)
# "until tomorrow", "bis morgen": the end is the day back, as "until" a day is that day.
_UNTIL_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:until|till|bis|jusqu['’]\s*à|hasta|fino\s+a|tot|até|до)\s+$", re.IGNORECASE
)
# "from tomorrow", "ab morgen", "a partir de mañana": where an absence starts, unless the writer is
# back again from then ("ab morgen wieder erreichbar").
_FROM_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:from|starting|ab|à\s+partir\s+de|dès|desde|a\s+partir\s+de|da|vanaf|od|с|från|fra)\s+$",
    re.IGNORECASE,
)
_AGAIN = re.compile(
    r"(?<![^\W\d_])(?:back|again|wieder|weer|retour|di\s+nuovo|de\s+nuevo|de\s+vuelta|de\s+volta|novamente|igen|"
    r"tillbaka|tilbage|tilbake|снова|на\s+месте)(?![^\W\d_])",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?。！？\n]+")
_NEAR = 40


def next_working_day(day: date) -> date:
    """The first Monday-to-Friday day after `day`."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _writes_a_date(sentence: str) -> bool:
    """Whether a sentence writes a numeric date or a day with a month word ("14.12", "14 December",
    "December 14"); a time ("ab 8:00 Uhr") is none."""
    if re.search(r"(?<![\d:])\d{1,2}[./-]\d|\d{1,2}\s*[月월]", sentence):
        return True
    day_then_word = re.finditer(r"(?<![\d:])\d{1,2}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?([^\W\d_]{3,})", sentence)
    word_then_day = re.finditer(r"([^\W\d_]{3,})\.?\s+\d{1,2}(?![\d:])", sentence)
    return any(date_ranges.is_month_word(m.group(1)) for m in (*day_then_word, *word_then_day))


def tomorrow_back(text: str, sent: date) -> date | None:
    """The next working day after `sent` when a sentence says the writer is back tomorrow, else None."""
    for sentence in _SENTENCE.finditer(text):
        words = sentence.group(0)
        if _writes_a_date(words):
            continue  # the day back is read from the date itself
        for tomorrow in _TOMORROW.finditer(words):
            before = words[: tomorrow.start()]
            if _NOT_A_DAY_BACK.search(before):
                continue
            near = words[max(0, tomorrow.start() - _NEAR) : tomorrow.end() + _NEAR]
            if _FROM_BEFORE.search(before):
                if _AGAIN.search(words, tomorrow.end(), tomorrow.end() + 25):
                    return next_working_day(sent)
                continue
            if _UNTIL_BEFORE.search(before) or _BACK.search(near):
                return next_working_day(sent)
    return None
