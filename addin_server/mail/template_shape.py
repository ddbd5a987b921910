"""The shape of a template, read without any word of absence.

A notice is written once for every sender, so it is built in ways a person answering does not write:

- it speaks of its owner in the third person ("Kim Lee is in Tokyo until 14 December", "Frau Weber ist ...",
  "田中は..."): the sender's own name as the subject of a sentence;
- it hands over another person's address ("questions to bob.stone@buyer.example"): an address in the
  sender's words that is neither the sender's nor a recipient's;
- it states a span of dates ("12.12.–20.12.", "du 7/12 au 14/12", "Dec 12-20", "12月12日～20日"), in any language;
- it says the same thing twice, in two languages (a bilingual notice): two paragraphs whose words differ
  but whose numbers and addresses are the same.

mail/absence.py adds each of these to the structural judgement where the language packs found nothing for
the same part; it never makes a notice of a text that asks, answers or greets the rep by name, whose signs
of a person weigh as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TITLE = r"(?:(?:mr|mrs|ms|dr|herr|frau|m|mme|sr|sra|sig|sig\.ra|dhr|mevr|pan|pani)\.?\s+)?"
# "is / ist / est / está / è / is / är / er / on / jest / je / находится / будет" after the sender's name.
# Matched case-sensitively, with a space before a Latin or Cyrillic verb: "On" opening a quoted "On ... wrote"
# line is no verb.
_THIRD_PERSON_VERB = (
    r"(?:\s(?:is|will\s+be|ist|wird|befindet\s+sich|est|sera|se\s+trouve|está|estará|se\s+encuentra|è|sarà|si\s+trova|"
    r"zal|se\s+encontra|är|kommer\s+att|er|vil|on|jest|będzie|je|bude|находится|будет)\s|"
    r"さん?は|様は|は|将|目前|正在|님은|은\s|는\s)"
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_RANGE = re.compile(
    r"\b\d{1,2}[./]\d{1,2}\.?(?:\d{2,4})?\s*(?:[-–—~～〜]|\s[^\W\d_]{1,5}\s)\s*\d{1,2}[./]\d{1,2}\b|"
    r"\b\d{4}-\d{2}-\d{2}\s*(?:[-–—~]|to|bis|au|al|a|tot|till|до)\s*\d{4}-\d{2}-\d{2}\b|"
    r"\b\d{1,2}\.?\s*[-–—]\s*\d{1,2}\.?\s+[^\W\d_]{3,}|"
    r"\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?\s*[-–—]\s*\d{1,2}(?:st|nd|rd|th)?\b(?!\s*[:/.]\d)|"
    r"\d{1,2}月\d{1,2}日(?:[(（].[)）])?\s*[-–~～〜至到]\s*(?:\d{1,2}月)?\d{1,2}日|"
    r"\d{1,2}월\s*\d{1,2}일\s*[-–~～〜]\s*(?:\d{1,2}월\s*)?\d{1,2}일",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[a-zà-ÿ]{3,}", re.IGNORECASE)


def _names(sender_name: str, sender_address: str) -> list[str]:
    words = re.findall(r"[^\W\d_]{2,}", sender_name)
    local = sender_address.split("@", 1)[0]
    words += [w for w in re.split(r"[._+\-\d]+", local) if len(w) >= 2 and w.isalpha()]
    return sorted({w.lower() for w in words}, key=len, reverse=True)


def third_person(text: str, sender_name: str, sender_address: str) -> str | None:
    """A sentence whose subject is the sender's own name: the notice speaks of its owner."""
    names = _names(sender_name, sender_address)
    if not names:
        return None
    name = "|".join(re.escape(n) for n in names)
    pattern = re.compile(
        rf"(?:^|(?<=[.!?。！？\n]))[ \t]*{_TITLE}(?:{name})(?:[ \t]+(?:{name}))?[ \t]*"
        rf"(?:\([^)]{{0,40}}\)[ \t]*)?(?:,[ \t]*)?"
        rf"(?-i:{_THIRD_PERSON_VERB})",
        re.IGNORECASE,
    )
    found = pattern.search(text[:3000])
    return " ".join(found.group(0).split())[:50] if found else None


def stand_in_address(text: str, sender_address: str, recipients: Iterable[str]) -> str | None:
    """An address in the sender's words that is neither the sender's nor a recipient's: someone to turn to."""
    own = {a.lower() for a in (sender_address, *recipients) if a}
    for found in _ADDRESS.finditer(text[:6000]):
        address = found.group(0).rstrip(".").lower()
        if address not in own:
            return address
    return None


def date_range(text: str) -> str | None:
    """A span of dates written in numbers, in any language."""
    found = _RANGE.search(text[:6000])
    return " ".join(found.group(0).split()) if found else None


def bilingual(text: str) -> str | None:
    """Two paragraphs in different words that carry the same numbers and addresses: one notice in two languages."""
    paragraphs = [p for p in re.split(r"\n\s*\n|\n-{2,}\n|\n\*{2,}\n", text[:6000]) if p.strip()]
    if len(paragraphs) < 2:
        return None

    def facts(paragraph: str) -> frozenset[str]:
        return frozenset(re.findall(r"\d+", paragraph)) | frozenset(_ADDRESS.findall(paragraph))

    def words(paragraph: str) -> frozenset[str]:
        paragraph = _ADDRESS.sub(" ", paragraph)
        return frozenset(w.lower() for w in _LATIN_WORD.findall(paragraph)) | frozenset(
            re.findall(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af\u0400-\u04ff]", paragraph)
        )

    for i, first in enumerate(paragraphs):
        for second in paragraphs[i + 1 :]:
            shared = facts(first) & facts(second)
            if len(shared) < 2 or facts(first) != facts(second):
                continue
            a, b = words(first), words(second)
            if a and b and len(a & b) / min(len(a), len(b)) < 0.3:
                return ", ".join(sorted(shared))[:40]
    return None
