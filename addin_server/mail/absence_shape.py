"""Shapes of absence notices that no single word gives away (read by mail/absence.py).

- Whose absence: "my colleague Mr Berger is on holiday, I forwarded your mail", "担当の佐藤は産休中のため、
  代わりに私が…": the absence is a third party's and the sender is present and answering. A sentence whose
  subject is a colleague (a colleague word or a title before a name, with no first person before it) does not
  state the sender's absence. Lotus Notes' "Kim Lee is out of the office" names the sender and is no colleague.
"""

from __future__ import annotations

import re

# A colleague as a sentence's subject: a possessive or article before a colleague word, or a title before a
# name; Japanese "担当の佐藤は", Chinese "我的同事". Up to three words may come first ("Leider ist ...",
# "Unfortunately ...", "al momento il ...").
_COLLEAGUE = (
    r"colleague|co-?worker|associate|manager|boss|team\s*mate|kolleg(?:e|in|en)|mitarbeiter(?:in)?|vorgesetzte[rn]?|"
    r"coll[èe]gue|responsable|sup[ée]rieur|compa[ñn]er[oa]|colega|jef[ea]|collega|responsabile|"
    r"collega'?s?|leidinggevende|chef"
)
_TITLE = (
    r"mr|mrs|ms|miss|dr|herr|herrn|frau|m|mme|mlle|monsieur|madame|sr|sra|se[ñn]or(?:a)?|sig|sig\.ra|signor(?:a)?|"
    r"dhr|mevr|meneer|mevrouw"
)
_COLLEAGUE_SUBJECT = re.compile(
    r"^\W*(?:[^\W\d_]+\W+){0,3}?"
    r"(?:(?:my|our|the|your|mein(?:e|en)?|unser(?:e|en)?|der|die|ma|mon|notre|la|le|l['’]|mi|nuestr[oa]|el|"
    r"(?:il|la)\s+mi[oa]|mi[oa]|(?:il|la)\s+nostr[oa]|il|mijn|onze|de|(?:a|o)\s+minha|(?:a|o)\s+meu|minha|meu|"
    r"nosso|nossa|a|o)\s+"
    rf"(?:[^\W\d_]+\s+)?(?:{_COLLEAGUE})\b|(?:{_TITLE})\.?\s+(?-i:[A-ZÀ-Ý])[^\W\d_]+)",
    re.IGNORECASE,
)
_CJK_COLLEAGUE_SUBJECT = re.compile(
    r"^\W*(?:担当|同僚|上司|弊社)の?[^\s、。はが]{1,6}(?:さん|様)?[はが]|^\W*(?:我的)?同事"
)
_FIRST_PERSON = re.compile(
    r"\b(?:i|i['’]m|ich|je|j['’]|yo|io|ik|eu|jag|jeg|me|we|wir|nous|my|mein|meine|mijn|ma|mon)\b|私|我(?![的们們]?同事)",
    re.IGNORECASE,
)
_WITH_ME = re.compile(
    r"\b(?:and|und|et|y|e|en|och|og|i)\s+(?:i|ich|je|moi|yo|io|ik|eu|jag|jeg|ja)\b|と私|和我", re.IGNORECASE
)
# A stop ends a sentence unless a word follows it at once ("acme.example") or it closes an ordinal ("12. Januar").
_SENTENCE_SPANS = re.compile(r"(?:[^.!?。！？\n]|[.!?](?=\S)|(?<=\d)\.(?=\s+\w))+")


def colleague_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences whose subject is a colleague of the sender's and that speak of no first person
    before it: what they say of an absence is a third party's."""
    spans = []
    for sentence in _SENTENCE_SPANS.finditer(text):
        words = sentence.group(0)
        subject = _COLLEAGUE_SUBJECT.match(words) or _CJK_COLLEAGUE_SUBJECT.match(words)
        if _WITH_ME.search(words):
            continue  # "my colleague and I are at the fair": the sender is away too
        if subject and not _FIRST_PERSON.search(words[: subject.start(0) + _lead(subject)]):
            spans.append(sentence.span())
    return spans


def _lead(subject: re.Match[str]) -> int:
    """How far the words before the colleague run (the possessive itself, "my", is the colleague's)."""
    text = subject.group(0)
    found = re.search(
        r"(?:my|our|mein\w*|unser\w*|ma|mon|notre|mi|nuestr[oa]|mi[oa]|nostr[oa]|mijn|onze|minha|meu|nosso|nossa)\s",
        text,
        re.IGNORECASE,
    )
    return found.start() if found else len(text)


def without_colleague_absence(text: str) -> tuple[str, str | None]:
    """The text with the sentences about a colleague blanked (same length, so positions hold), and the first of
    them for the evidence."""
    spans = colleague_sentences(text)
    if not spans:
        return text, None
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    first = " ".join(text[spans[0][0] : spans[0][1]].split())[:60]
    return "".join(chars), first
