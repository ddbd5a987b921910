"""Whether the date an end phrase carries closes an explicit range of days away ("from 21 December to
1 January", "del 21 de diciembre al 1 de enero", "vom 21.12. bis 01.01.", "12月21日から1月1日まで").

mail/return_date.py's rule: a range is a span of days away, so its last day is a day away and the
return is the next working day after it; an end phrase alone ("until 1 January", "bis 01.01.") keeps
its meaning, the day written. What makes a range is a first day written right before the end phrase:
with a word that starts it ("from", "vom", "ab", "du", "del", "van", "od", "fra", "från", "с", "από",
"من", Hebrew "מ-") or without one ("21 December to 1 January", "21.12.-01.01."); a day number alone is a
first day ("from 7 to 14 December", "14 - 18 December"), and a month word must name a month. A capitalised end
phrase after a date ("Nachricht vom 03.12. Bis 04.01. bin ich ...") starts a new sentence: no range.
"""

from __future__ import annotations

import re
import unicodedata

from addin_server.mail import date_words

# Words that start a range, in the languages the return-date reader knows.
_START_WORDS = (
    r"from|starting|beginning|between|vom|von|ab|fra|från|fr\.o\.m\.?|od|ode|de|desde|van|vanaf|dal|da|du|"
    r"del|dès|dès\s+le|entre|mezi|с|со|от|z|ze|από|απο|من|tra|między|od\s+dnia|từ|từ\s+ngày"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|er|e|º|ª|\.)?"
# A whole first date: numeric, East Asian, or a day with a month word (either order), maybe a year.
_WHOLE_DATE = (
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[./]\s?\d{1,2}(?:[./]\s?(?:\d{4}|\d{2}))?\.?"
    r"|(?:\d{4}\s*[年년]\s*)?\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일号號]?(?:\s*[（(][^)）]{1,4}[)）])?"
    # a year may carry Russian "г." ("с 28 декабря 2026 г. по 10 января 2027 г.")
    rf"|{_DAY}\s+(?:de\s+|of\s+)?(?P<month_after>[^\W\d_]{{3,12}})\.?(?:,?\s+(?:de\s+)?\d{{4}}(?:\s*г\.?)?)?"
    r"|(?P<month_before>[^\W\d_]{3,12})\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"
)
_BEFORE_END = re.compile(
    rf"(?:(?P<start>(?<![^\W\d_])(?:{_START_WORDS})\s+(?:(?:the|le|la|el|il|dem|den)\s+)?|מ-?)"
    r"(?:[^\W\d_]{2,12}\.?,?\s+)?)?"  # a weekday before the first day ("from Monday 21 December")
    rf"(?P<first>{_WHOLE_DATE}|(?P<bare>{_DAY}))[\s,]*$",
    re.IGNORECASE,
)

_BARE_END = re.compile(rf"(?<![\w.,/]){_DAY}[\s,]*$")

# Month words of the languages read by dateparser here, by their first letters; date_words' tables
# give the others.
_MONTH_STEMS = (
    "jan", "feb", "fév", "fev", "mar", "mär", "maa", "apr", "avr", "abr", "may", "mai", "mei", "maj", "magg",
    "jun", "juin", "giu", "jul", "juil", "lug", "aug", "aoû", "aou", "agos", "sep", "sete", "sett", "oct", "okt",
    "ott", "outu", "nov", "dec", "dez", "déc", "dic", "genn", "ener", "янв", "фев", "мар", "апр", "мая", "май",
    "июн", "июл", "авг", "сен", "окт", "ноя", "дек", "styc", "lute", "kwie", "czerw", "lipc", "sierp", "wrze",
    "paźd", "listo", "grud",
)
# English words that begin like a month.
_NOT_MONTHS = frozenset({"mail", "mails", "main", "maybe", "mayor", "marks", "market", "decision", "second"})


def is_month_word(word: str) -> bool:
    """Whether a word names a month (a loose test, enough next to a day number)."""
    lowered = word.casefold().strip(".")
    plain = "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")
    if lowered in date_words.MONTHS or plain in date_words.MONTHS:
        return True
    # Hebrew "בדצמבר" carries a prefix letter.
    if lowered[1:] in date_words.MONTHS:
        return True
    return lowered not in _NOT_MONTHS and lowered.startswith(_MONTH_STEMS)


def starts_range(before: str, cue: str) -> bool:
    """Whether `before`, the text right before an end phrase `cue`, ends with the first day of a range."""
    line = before.rsplit("\n", 1)[-1][-60:]
    found = _BEFORE_END.search(line)
    if not found:
        return False
    if cue[:1].isupper() and found.group("first").endswith("."):
        return False  # "... vom 03.12. Bis 01.01. bin ich ...": the end starts a new sentence
    if found.group("start") or found.group("bare"):
        return True  # "from 7 to 14 December", "14 - 18 December"
    month = found.group("month_after") or found.group("month_before")
    if month is None or is_month_word(month):
        return True
    # "away 14 - 18 December": the word before the day is no month, the day alone opens the range.
    return bool(found.group("month_before") and _BARE_END.search(line))


# East Asian and other languages whose end phrase follows the date ("12月21日から1月1日まで",
# "21일부터 ... 까지", "7 से 14 दिसंबर तक", "7-14 Aralık kadar", "12月21日至1月1日"): the text before the
# last date holds a first day and a word or sign that joins the two.
_JOINED_END = re.compile(
    r"(?<![-/.\d])\d{1,2}(?:[./]\d{1,2})?\s*(?:[日일号號]\s*)?(?:[（(][^)）]{1,4}[)）]\s*)?\.?\s*"
    r"(?:[^\s\d]{2,14}\s*)?"  # a month word after the first day ("21 दिसंबर से", "21 Aralık -")
    r"(?:から|より|〜|～|~|[-–—]|至|到|부터|에서|से|['’]?(?:d|t)[ae]n|-?t[óő]l)\s*"
    r"(?:[^\s\d]{2,14}\s+)?"  # a month word before the last day (Hungarian "január 1-ig")
    r"(?:(?:\d{4}\s*[年년]\s*)?\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일号號]?|\d{1,2}[./]\d{1,2}\.?|\d{1,2}\.?)-?"
    # the month word, a weekday in brackets, Turkish "tarihleri" may follow the last day
    r"(?:\s*[（(][^)）]{1,4}[)）])?(?:\s+[^\s\d]{2,14}){0,2}\s*$",
    re.IGNORECASE,
)
# ... and the same join right before a date found without any phrase ("12月21日至", "21.12. - ").
_JOIN_BEFORE = re.compile(r"\d\s*(?:[日일号號]\s*)?\.?\s*(?:から|〜|～|~|[-–—]|至|到|부터)\s*$")


def joined_end(window: str) -> bool:
    """Whether the window before a suffix end phrase ends with a range: a first day, a join, the last day."""
    return bool(_JOINED_END.search(window))


def joined_before(before: str) -> bool:
    """Whether the text right before a date ends with a first day and a join ("12月21日至")."""
    return bool(_JOIN_BEFORE.search(before[-20:]))
