"""Signs of a person that need no vocabulary of absence: the reply greets the rep by name.

An absence notice is written once, before anyone writes to its owner: Outlook rules, Lotus Notes,
Gmail's vacation responder and help-desk templates answer every sender with the same text, so none of
them can name the person they answer. A reply that opens with "Hi Ava", "Hallo Herr Shah", "Dear
Omar", "Reed様" or a bare "Ava," was written by someone who read who wrote to them.

The rep's names come from the message itself (pure): the local part of each To address
(ava.reed@ → Ava, Reed; a role mailbox such as sales@ names nobody) and the To display names the
message keeps ("Ava Reed", "Reed, Ava"). A name the sender shares is dropped, so a notice that opens
with its owner's own name ("Ava Kim is away") is never taken for a greeting of a rep called Ava.

Only the opening of the sender's own words is read: a greeting comes first. After the name, the
greeting must end (a comma, a stop, a dash, the end of the line), so "Hi, will be back Monday" does
not greet a rep called Will.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Mailboxes of a role, not a person: their local part names nobody.
_ROLE_WORDS = frozenset(
    """info sales contact contacts team hello hi admin office support mail email noreply reply service services
    marketing help desk helpdesk billing accounts account finance hr jobs careers news newsletter enquiries
    inquiries orders order shop store webmaster postmaster press media partners partner bizdev biz growth
    outreach rep reps crm ops operations it dev legal procurement purchasing purchase einkauf vertrieb
    ventas ventes vendas vendite verkoop kontakt contacto contato contatto the and von van der den de da di
    le la del dos das mr mrs ms dr""".split()
)

# Greetings that open a person's mail, in the languages of the packs, and thanks said to someone by name.
_GREETING = (
    r"hi|hiya|hey|hello|hallo|dear|good\s+(?:morning|afternoon|evening|day)|morning|thanks?|thank\s+you|cheers|"
    r"liebe[rs]?|sehr\s+geehrte[rs]?|guten\s+(?:morgen|tag|abend)|moin|servus|grüß\s+gott|grüezi|danke|"
    r"bonjour|bonsoir|salut|coucou|cher|chère|merci|"
    r"hola|estimad[oa]s?|querid[oa]s?|buen[oa]s\s+(?:días|dias|tardes|noches)|gracias|"
    r"ciao|salve|gentil(?:e|issim[oa])|car[oa]|buongiorno|buonasera|egregi[oa]|grazie|"
    r"hoi|beste|geachte|goedemorgen|goedemiddag|dag|bedankt|dank\s+je|"
    r"olá|ola|oi|prezad[oa]s?|bom\s+dia|boa\s+(?:tarde|noite)|obrigad[oa]|"
    r"hej|hejsan|hallå|god\s+morgon|bästa|kära|kære|kjære|hei|moi|terve|tack|takk|tak|kiitos|"
    r"cześć|dzień\s+dobry|witam|szanown[ay]|dziękuję|ahoj|dobrý\s+den|vážen[ýá]|děkuji|"
    r"привет|здравствуйте|добрый\s+день|уважаем(?:ый|ая)|спасибо|merhaba|sayın|selam|iyi\s+günler|teşekkürler|"
    r"안녕하세요|γεια\s+σας|αγαπητ[έή]"
)
# Titles between a greeting and a name ("Hallo Herr Shah", "Estimada Sra. López", "Dear Dr. Reed").
_TITLE = (
    r"mr|mrs|ms|miss|mx|dr|prof|herr|frau|monsieur|madame|mademoiselle|m|mme|mlle|señor|señora|sr|sra|srta|"
    r"don|doña|signor|signora|sig|sig\.ra|dott|dott\.ssa|ing|meneer|mevrouw|mevr|dhr|mw|senhor|senhora|pan|pani|"
    r"panie|pane|paní|herra|rouva|bay|bayan|господин|госпожа"
)
# Honorifics written after a name in Japanese, Chinese and Korean ("Reed様", "Ava さん", "Ava你好", "Ava님").
_AFTER_NAME = r"様|さま|さん|殿|先生|님|씨|你好|您好"
# After the name (and maybe a second name), the greeting ends.
_GREETING_END = r"(?:\s*(?:[,!:;.\n—–-]|$))"


def rep_names(addresses: Iterable[str], display_names: Iterable[str] = (), *, sender: str = "") -> frozenset[str]:
    """The names a person would greet the recipients by, lowercased, from To's addresses and display names."""
    names: set[str] = set()
    for address in addresses:
        local = address.split("@", 1)[0]
        names.update(w for w in re.split(r"[._+\-\d]+", local) if len(w) >= 2 and w.isalpha())
    for display in display_names:
        # "Reed, Ava (Sales)" → Reed, Ava; a display name that is an address adds its local part's words.
        display = re.sub(r"\([^)]*\)", " ", display.split("@", 1)[0])
        names.update(w for w in re.findall(r"[^\W\d_]{2,}", display))
    own = {w.lower() for w in re.findall(r"[^\W\d_]{2,}", sender.split("@", 1)[0].replace(".", " "))}
    return frozenset(n.lower() for n in names if n.lower() not in _ROLE_WORDS and n.lower() not in own)


def greets_by_name(own_text: str, names: frozenset[str]) -> str | None:
    """The greeting that opens the sender's own words and names a recipient, or None."""
    if not names:
        return None
    opening = own_text.lstrip()[:160]
    name = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    titled = rf"(?:(?:{_TITLE})\.?\s+){{0,2}}(?:{name})\b(?:\s+(?:{name})\b)?"
    for pattern in (
        # "Hi Ava,", "Hallo Herr Shah", "Dear Dr. Reed —", "Thanks Omar!"
        rf"^\W{{0,3}}(?:{_GREETING})[\s,]+{titled}{_GREETING_END}",
        # "Ava,", "Herr Shah -": the name alone, as the first words
        rf"^\W{{0,3}}{titled}\s*[,!:—–-]",
        # "Reed様", "Ava さん", "Ava，你好", "Ava님" in the first line
        rf"^[^\n]{{0,30}}(?:{name})\s*[,，、]?\s*(?:{_AFTER_NAME})",
        # "你好，Ava", "Здравствуйте, Ava" are covered above; "亲爱的Ava"
        rf"^\W{{0,3}}(?:亲爱的|親愛的|拝啓)\s*(?:{name})\b",
    ):
        found = re.search(pattern, opening, re.IGNORECASE)
        if found:
            return " ".join(found.group(0).split()).rstrip(",!:;.—–- ")[:40]
    return None
