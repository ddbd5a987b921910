"""Absence notices read from their structure, and "left the company" read only where it is meant.

Many out-of-office replies carry no automatic header at all (Outlook rules that reply with a
template, Lotus Notes, help-desk plugins, mail forwarded by a gateway that strips headers) and
arrive as "Re: <the rep's subject>". Reading them as human replies ends the enrollment, which the
product promises an out-of-office never does. Reading a person's answer as an out-of-office is the
opposite harm: the sequence keeps emailing someone who answered. So the judgement is a score made of
the parts absence notices are built from, each part named in the evidence:

- an absence statement ("I am out of the office", "ich bin nicht im Büro", "不在にしております"), required;
- a return day or an end of absence ("back on 4 March", "until Monday", "bis 12.03.");
- limited access to email; "for urgent matters please contact ..."; "I will reply when I return";
- a template opening ("Thank you for your email");
- no answer to anything asked: no question, no "yes, let's talk", no past absence ("I was on
  holiday last week"), nothing long. Each of those is a sign of a person and takes points away.

Each part is found either by a sentence pattern (mail/phrases.py) or, where none matched, by the small
word lists of a language pack (mail/absence_lexicon.py: a state of absence, a period, a redirection,
limited access, an answer put off, and a person's answer), so a new sentence built from known parts is
read without a rule of its own; the evidence names each part, its words and its language.

Shapes no word list gives (mail/absence_shape.py) add to both: whose absence it is (a colleague's sentence is a
third party's: the sender is there, answering), an absence no word states (a place closed, a mailbox not read, a
part-time week, a leave by its grammar, taking part in something on stated days), the parts in any wording (next
working day, mail not forwarded, handled later, another address beside a template's part), and the salutation to no
one in particular. An absence read only from a shape that also occurs in a person's news (a closure, an event)
needs a second part of a notice.

A text is an absence notice when the absence statement comes with at least one of the structural
parts and the score reaches NOTICE_THRESHOLD. Without any absence word, only the whole shape makes a
notice: three structural parts and nothing asked or answered.

"Left the company" is irreversible downstream (the address is marked bounced), so it needs a
statement about the sender's own leaving, with nothing temporary about it: "I have left the office
for the holidays", "left the building for the day", "no longer in use until 14 December", and a
notice that says a *colleague* no longer works there are not leaving. A left-company sentence
counts only when it names no return, no "until", no "for the holidays/day", is not about leaving a
place (office, building, desk), and is not about a named person other than the sender.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from addin_server.mail import absence_lexicon, absence_shape, person_signs, phrases, recipient, template_shape
from addin_server.mail.return_date import find_return_date

NOTICE_THRESHOLD = 5
# How much of the sender's own text the judgement reads: twice what makes a text "longer than an absence notice".
JUDGED_CHARACTERS = 3000


@dataclass(frozen=True)
class AbsenceJudgement:
    score: int
    is_notice: bool
    parts: tuple[str, ...]
    return_date: date | None = None
    # The text speaks of a colleague's absence, not the sender's (its evidence says so).
    about_a_colleague: bool = False

    def evidence(self) -> str:
        verdict = "an absence notice" if self.is_notice else "not an absence notice"
        return f"text reads as {verdict} (score {self.score}, needs {NOTICE_THRESHOLD}): " + "; ".join(self.parts)


def _quote(found: re.Match[str]) -> str:
    return repr(" ".join(found.group(0).split())[:50])


def judge_absence_notice(
    subject: str, own_text: str, anchor: datetime | None, *, rep_names: frozenset[str] = frozenset(),
    sender_name: str = "", sender_address: str = "", recipients: tuple[str, ...] = (),
) -> AbsenceJudgement:
    """Score how far the sender's own words are built like an absence notice.

    `rep_names`: the names of the message's recipients (mail/recipient.py); a text that greets one of them
    by name was written by a person who read who wrote. The sender's name and address and the recipients'
    addresses let the template's shape be read (mail/template_shape.py); the sender's address is not
    another address to write to, and with the sender's name tells who is not a colleague."""
    # Signature lines ("Head of Procurement | Out of office Fridays | For urgent matters call ...") are
    # the sender's standing details, not this message's statement: they are not scored.
    own_text = "\n".join(line for line in own_text.splitlines() if not _SIGNATURE_LINE.search(line))
    # A notice says what it has to in a few hundred characters. A longer text is read only this far: it is
    # already longer than a notice (a sign of a person), and a hostile text's cost stays bounded.
    own_text = own_text[:JUDGED_CHARACTERS]
    # What a sentence about a colleague says ("my colleague Mr Berger is on holiday until 8 January") is a third
    # party's absence and return: the sender is there and answering. Blanked before the absence is looked for.
    mine, colleague = absence_shape.without_colleague_absence(
        own_text, absence_shape.sender_names(sender_name, sender_address), _states_absence
    )
    text = f"{subject}\n{mine}"
    absence = next(
        (
            a
            for a in phrases.OUT_OF_OFFICE_TEXT.finditer(text)
            if not phrases.RECURRING_ABSENCE.match(text[a.end() : a.end() + 60])
        ),
        None,
    )
    parts: list[str] = []
    score = 0
    stated: re.Match[str] | None = absence
    away = None
    if absence:
        score += 2
        parts.append(f"absence {_quote(absence)} +2")
    elif state := _absence_state(text):
        score += 2
        parts.append(f"absence {_quote(state[1])} ({state[0]}) +2")
        stated = state[1]
        # A pack's word for what a shape also reads in a person's news ("attending the congress from 7 to 9
        # December") is as weak as the shape: it asks the same second part of a notice.
        shape = absence_shape.away_without_a_word(text)
        if shape and shape[0] == "taking part in something" and _overlap(shape[1], state[1]):
            away = shape
    elif (away := absence_shape.away_without_a_word(text)) and not _spoken_of_as_over(text, away[1]):
        score += 2
        parts.append(f"absence {_quote(away[1])} ({away[0]}) +2")
        stated = away[1]
    structural = 0
    # A time the sender proposes ("la semana del 11 de enero", "1月11日の週") is an answer, never a return.
    return_date = find_return_date(_PROPOSED_TIME.sub(" ", text), anchor)
    if not parts and return_date and (back := absence_lexicon.find_part("back", mine)):
        # Saying when one is back is saying one is away: the return with its date is the absence statement.
        score += 2
        parts.append(f"absence {_quote(back[1])}, back on a stated day ({back[0]}) +2")
    if return_date:
        score += 2
        structural += 1
        parts.append(f"return date {return_date.isoformat()} +2")
    elif end := phrases.ABSENCE_END.search(mine) or phrases.DAY_END.search(mine):
        score += 1
        structural += 1
        parts.append(f"end of absence {_quote(end)} +1")
    elif period := absence_lexicon.find_part("period", text):
        score += 1
        structural += 1
        parts.append(f"period {_quote(period[1])} ({period[0]}) +1")
    elif stated and (absence_shape.dated(text, stated) or (away and away[0] == "a part-time week")):
        # The absence's own sentence names its days ("closed Monday 7 and Tuesday 8 December"), or the days
        # the sender works: the period of the absence.
        score += 1
        structural += 1
        parts.append("period: the absence's days are named +1")
    elif stated and (back := absence_lexicon.find_part("back", text)) and absence_shape.dated(text, back[1]):
        # "Retour au bureau le 14/12": the return's sentence names a day the return-date reader did not resolve.
        score += 1
        structural += 1
        parts.append(f"end of absence {_quote(back[1])} with a day +1")
    on_return = phrases.REPLY_ON_RETURN.search(own_text)
    for pattern, points, name in (
        (phrases.LIMITED_ACCESS, 1, "limited access"),
        (phrases.URGENT_CONTACT, 2, "urgent matters go elsewhere"),
        (phrases.REPLY_ON_RETURN, 2, "will reply on return"),
        (None if on_return else phrases.REPLY_LATER, 1, "puts the answer off"),
    ):
        if pattern is None:
            continue
        found = pattern.search(own_text)
        if found:
            score += points
            structural += 1
            parts.append(f"{name} {_quote(found)} +{points}")
    # The same parts in the words of the language packs, where no sentence pattern above said them.
    said = " ".join(parts)
    for part, points, name, covered in (
        ("limited", 1, "limited access", "limited access"),
        ("redirect", 2, "urgent matters go elsewhere", "urgent matters"),
        ("later", 1, "puts the answer off", "reply on return"),
    ):
        if covered in said or (part == "later" and "puts the answer off" in said):
            continue
        hit = absence_lexicon.find_part(part, own_text)
        if hit:
            score += points
            structural += 1
            parts.append(f"{name} {_quote(hit[1])} ({hit[0]}) +{points}")
    # The same parts in the shapes no language pack lists: the answer put off to the next working day, the mail
    # that will not be forwarded, another address to write to.
    said = " ".join(parts)
    for points, name, covered, found in (
        (1, "puts the answer off", "puts the answer off", absence_shape.next_working_day(own_text)),
        (1, "puts the answer off", "puts the answer off", absence_shape.handled_later(own_text)),
        (1, "limited access", "limited access", absence_shape.not_forwarded(own_text)),
        (1, "limited access", "limited access", absence_shape.limited_access(own_text)),
    ):
        said = " ".join(parts)
        if found and covered not in said and not (covered == "puts the answer off" and "reply on return" in said):
            score += points
            structural += 1
            parts.append(f"{name} {_quote(found)} +{points}")
    opening = phrases.TEMPLATE_OPENING.search(own_text[:300]) or _THANKS_OPENING.match(own_text.strip())
    if opening:
        score += 1
        parts.append(f"template opening {_quote(opening)} +1")
    if away and away[0] == "the office is closed" and (again := absence_shape.reopening(mine)):
        score += 1
        structural += 1
        parts.append(f"the place opens again {_quote(again)} +1")
    anyone = absence_shape.addresses_anyone(own_text)
    if anyone and not opening:
        score += 1
        parts.append(f"template salutation {_quote(anyone)} +1")
    automatic = phrases.AUTOMATIC_REPLY_WORDS.search(own_text)
    if automatic and absence_shape.denied(own_text, automatic):
        automatic = None
    if automatic:
        score += 2
        parts.append(f"calls itself automatic {_quote(automatic)} +2")
    # Another address to write to, where nothing else said where to go. A person names addresses too ("my colleague
    # Kees, kees@..., looks at it"): it counts beside a part only a template has (mail not read or not forwarded, the
    # answer put off, a template's opening or salutation).
    said = " ".join(parts)
    template_part = any(p in said for p in ("limited access", "puts the answer off", "reply on return", "template ",
                                             "calls itself automatic"))
    if template_part and "urgent matters" not in said and (address := _redirect_address(own_text, sender_address)):
        score += 2
        structural += 1
        parts.append(f"urgent matters go elsewhere {_quote(address)} +2")
    human = _human_signs(own_text, rep_names)
    if human:
        score -= 3 * len(human)
        parts.extend(f"{sign} -3" for sign in human)
    else:
        # The shape of a template, in no language's words, where no words above said the same part; only in a text
        # with no sign of a person ("send the proposal to tom@..." names an address too).
        said = " ".join(parts)
        if not any(p.startswith(("return date", "end of absence", "period")) for p in parts) and (
            span := template_shape.date_range(own_text)
        ):
            score += 1
            structural += 1
            parts.append(f"a span of dates {span!r} +1")
        # Another person's address only adds to a notice some words already built: addresses fill people's posts too.
        other = structural and template_shape.stand_in_address(own_text, sender_address, recipients)
        if other and "urgent matters" not in said:
            score += 1
            structural += 1
            parts.append(f"another person's address {other!r} +1")
        if third := template_shape.third_person(own_text, sender_name, sender_address):
            score += 2
            if parts and parts[0].startswith("absence "):
                parts.append(f"speaks of the sender in the third person {third!r} +2")
            else:
                parts.insert(0, f"absence {third!r}: the sender spoken of in the third person +2")
        if twice := template_shape.bilingual(own_text):
            score += 2
            structural += 1
            parts.append(f"says the same in two languages ({twice}) +2")
        score += 1
        parts.append("answers nothing that was asked +1")
        if len(own_text.strip()) <= 160:
            score += 1
            parts.append("says nothing but the notice +1")
    about_a_colleague = bool(colleague and (
        phrases.OUT_OF_OFFICE_TEXT.search(colleague) or absence_lexicon.find_part("absence", colleague)))
    if about_a_colleague:
        parts.append(f"an absence of a colleague's is not the sender's {colleague!r}")
    if not parts or not parts[0].startswith("absence "):
        # No absence word any pack knows: only the whole shape (a period, a redirection, limited access,
        # a reply put off, nothing asked) can make it a notice.
        if structural < 3:
            return AbsenceJudgement(score, False, ("no absence statement", *parts), return_date, about_a_colleague)
        parts.insert(0, "no absence word, but built like a notice")
    # An absence read from a shape rather than said (a place closed, taking part in something) is weaker: it needs
    # two of a notice's other parts, or one and a template's opening or salutation, so "the warehouse is closed on
    # the 14th, send me a demo" stays a person's.
    weak = away and parts[0].startswith("absence ") and away[0] in absence_shape.WEAK_SHAPES
    template = bool(opening or anyone or automatic)
    is_notice = structural + (1 if weak and template else 0) >= (2 if weak else 1) and score >= NOTICE_THRESHOLD
    return AbsenceJudgement(score, is_notice, tuple(parts), return_date, about_a_colleague)


def _states_absence(clause: str) -> bool:
    return bool(phrases.OUT_OF_OFFICE_TEXT.search(clause) or absence_lexicon.find_part("absence", clause))


def _overlap(one: re.Match[str], other: re.Match[str]) -> bool:
    return one.start() < other.end() and other.start() < one.end()


def _redirect_address(own_text: str, sender_address: str) -> re.Match[str] | None:
    """Another address to write to, unless its sentence asks for the offer there ("send the proposal to tom@..."):
    that is a person's answer, weighed as such."""
    found = absence_shape.another_address(own_text, sender_address)
    if found is None:
        return None
    sentence = _sentence_around(own_text, found)
    return None if absence_lexicon.SEND.search(sentence) and absence_lexicon.OFFER.search(sentence) else found


def _absence_state(text: str) -> tuple[str, re.Match[str]] | None:
    """A state of absence in a language pack's words, unless its sentence speaks of it as over."""
    hit = absence_lexicon.find_part("absence", text)
    if hit is None:
        return None
    return None if _spoken_of_as_over(text, hit[1]) else hit


def _spoken_of_as_over(text: str, found: re.Match[str]) -> bool:
    start = max(text.rfind(stop, 0, found.start()) for stop in (".", "!", "?", "。", "\n"))
    return bool(phrases.PAST_ABSENCE.search(text[start + 1 : found.end() + 80]))


def _sentence_before(text: str, end: int) -> str:
    """The words of the sentence that `end` falls in, up to `end`."""
    start = max(end - 300, *(text.rfind(stop, 0, end) for stop in (". ", "! ", "? ", "。", "\n")))
    return text[start + 1 : end]


def _sentence_around(text: str, found: re.Match[str]) -> str:
    ends = [i for i in (text.find(stop, found.end()) for stop in (". ", "! ", "? ", "。", "\n")) if i >= 0]
    return _sentence_before(text, found.start()) + text[found.start() : min(ends, default=len(text))][:300]


def _asks_for_the_offer(sentence: str) -> bool:
    return bool(
        absence_lexicon.SEND.search(sentence)
        and absence_lexicon.OFFER.search(sentence)
        and not _ANOTHER_ADDRESS.search(sentence)
    )


def _human_signs(own_text: str, rep_names: frozenset[str] = frozenset()) -> list[str]:
    signs = []
    body = own_text.strip()
    # No template can name whom it answers: a greeting of the rep by name is a person's. Weighed like the other
    # signs, so a full notice pasted under "Hi Ava" (absence, return, stand-in, reply put off) still reads as one.
    greeting = recipient.greets_by_name(body, rep_names)
    if greeting:
        signs.append(f"greets the rep by name {greeting!r}")
    # A question mark inside a URL is not a question; nor is a template's routing question ("Need urgent
    # help? Please contact ...", "Questions about an order? Call ..."), which sends the reader elsewhere.
    without_links = re.sub(r"\S*https?://\S+", "", body)
    for question in (*_QUESTION.finditer(without_links), *_CJK_QUESTION.finditer(without_links)):
        after = without_links[question.end() : question.end() + 120]
        asked = question.group(0)
        routing = _URGENCY.search(asked) or _RHETORICAL.search(asked)
        routing = routing or _ROUTES_ELSEWHERE.match(after) or _FIND_US.match(after)
        if not (routing or _GREETING.search(asked)):
            signs.append("asks a question")
            break
    # "Thanks for reaching out!" opening a text is a template's greeting, not an answer; what follows may be.
    opening = _THANKS_OPENING.match(body)
    conversation = next(
        (c for c in phrases.CONVERSATION_TEXT.finditer(body) if not (opening and c.end() <= opening.end())), None
    )
    before = _sentence_before(body, conversation.start()) if conversation else ""
    if conversation and not (_STAND_IN.search(before) and not _FIRST_PERSON_SUBJECT.search(before)):
        signs.append(f"answers the rep {_quote(conversation)}")
    answer = absence_lexicon.find_part("answer", body)
    if answer:
        signs.append(f"answers the rep {_quote(answer[1])} ({answer[0]})")
    elif across := next(
        (a for a in absence_lexicon.ANSWER_ACROSS.finditer(body) if not _PHONE.search(_sentence_around(body, a))), None
    ):
        signs.append(f"answers the rep {_quote(across)}")
    elif ask := next((s for s in _STOPS.split(body) if _asks_for_the_offer(s)), None):
        signs.append(f"asks the rep for the offer {' '.join(ask.split())[:50]!r}")
    elif send_me := next((f for s in _STOPS.split(body) if (f := absence_shape.asks_to_be_sent(s))), None):
        signs.append(f"asks the rep to send something {_quote(send_me)}")
    if not any(sign.startswith("answers the rep") or sign.startswith("asks") for sign in signs):
        # Shapes of an answer in words no list holds: a turn to the email's matter, a clock time proposed.
        if turn := person_signs.turns_to_the_matter(body, _is_notice_part):
            signs.append(f"turns to the matter {turn!r}")
        elif matter := person_signs.speaks_of_the_matter(body, _is_notice_part):
            signs.append(f"speaks of the email's matter {matter!r}")
        elif time := person_signs.proposes_a_time(body):
            signs.append(f"proposes a time {time!r}")
        elif passed := person_signs.already_passed_on(body):
            signs.append(f"has already passed the email on {passed!r}")
        elif said := person_signs.refers_to_what_the_rep_said(body):
            signs.append(f"refers to what the rep's email said {said!r}")
    past = phrases.PAST_ABSENCE.search(body)
    if past:
        signs.append(f"speaks of an absence that is over {_quote(past)}")
    if len(body) > 1500:
        signs.append("is longer than an absence notice")
    return signs


_NOTICE_PATTERNS = (
    phrases.OUT_OF_OFFICE_TEXT, phrases.ABSENCE_END, phrases.DAY_END, phrases.LIMITED_ACCESS, phrases.URGENT_CONTACT,
    phrases.REPLY_ON_RETURN, phrases.REPLY_LATER, phrases.AUTOMATIC_REPLY_WORDS, phrases.TEMPLATE_OPENING,
)


def _is_notice_part(clause: str) -> bool:
    """Whether a clause says one of a notice's own parts (absence, period, return, redirection, access, later)."""
    if any(pattern.search(clause) for pattern in _NOTICE_PATTERNS):
        return True
    if any(absence_lexicon.find_part(part, clause) for part in absence_lexicon.PARTS if part != "answer"):
        return True
    return find_return_date(clause, None) is not None


# A sentence ends at a stop followed by a space or the end, not at the dots of an address or a domain.
# Anchored at a sentence start so a long text without stops is scanned once, not once per character.
# Every script's question mark: ? ？ ؟, and Greek's ";" after a Greek word. The dots of a domain
# ("help.acme.example?") do not end the sentence.
_QUESTION = re.compile(
    r"(?:^|(?<=[.!?؟।]\s)|(?<=[。！？\n]))(?:[^.!?。！？؟।\n]|[.!?](?=[^\s.!?]))*(?:[?？؟]|(?<=[\u0370-\u03ff\u1f00-\u1fff]);)(?=\s|$)"
)
# Chinese and Japanese ask with a particle, often without a question mark: "还有效吗", "いかがですか".
_CJK_QUESTION = re.compile(r"[^。！？\n]{2,}?(?:吗|嗎|ですか|ますか|でしょうか)(?=[。！\s]|$)")
_URGENCY = re.compile(
    r"urgent|dringend|urgence|urgente|urgenza|spoed|緊急|急ぎ|急事|紧急|brådsk|haster|hastende|kiire|pilne|pilnej|"
    r"\bacil\b|naléhav|urgentní|επείγ|급한|긴급|जरूरी|ज़रूरी|तत्काल|अत्यावश्यक",
    re.IGNORECASE,
)
# A template's rhetorical question ("Did you know you can find answers in our help center?") asks nothing.
_RHETORICAL = re.compile(
    r"\b(?:did\s+you\s+know|wussten\s+sie|saviez-vous|sab[ií]as?\s+que|lo\s+sapevi|sapevate|wist\s+u|"
    r"voc[êe]\s+sabia|visste\s+du|czy\s+wiesz|biliyor\s+muydunuz|vidste\s+du|tiesitkö|věděli\s+jste|γνωρίζατε)\b|"
    r"ご存知|알고\s*계셨|知道吗|क्या\s+आप\s+जानते",
    re.IGNORECASE,
)
# "Jordan is covering my accounts and will be happy to help": a stand-in offers the help, not the sender.
_STAND_IN = re.compile(r"\b(?:will|would|['’]ll)\s+be\s*$|\b(?:who|he|she|they)\s+(?:is|are)\s*$", re.IGNORECASE)
_FIRST_PERSON_SUBJECT = re.compile(r"\b(?:i|we)(?:['’](?:m|ll|d|re|ve))?\b", re.IGNORECASE)
# "Call me on my mobile, +44 7700 900123": a notice giving its way to reach the sender, not an answer.
_PHONE = re.compile(
    r"\+\d|\d(?:[\s()-]?\d){8,}|\b(?:mobile|cell|handy|portable|m[óo]vil|cellulare|mobil)", re.IGNORECASE
)
_STOPS = re.compile(r"[.!?。！？؟।\n](?=\s|$)")
# Another address in a request's sentence sends it to someone else ("send offers to purchasing@...").
_ANOTHER_ADDRESS = re.compile(r"\S@\S|https?://|\bwww\.")
# The sentence after a template's question (or after a run of them: "Need help sooner? Have a question about
# your order? Visit ..."), tells the reader where to go instead, maybe on a condition ("Can it wait? If not,
# reach ...").
_ROUTES_ELSEWHERE = re.compile(
    # Each question read whole, without giving back (atomic): a long run of spaces or of questions
    # would otherwise be split every possible way before the match fails.
    r"(?:\s*+[^.!?。！？\n]{1,80}+[?？]|\s++(?<=[^\S\n])[?？])*"
    r"\s*+(?:if\s+not|otherwise|if\s+so|if\s+it\s+can'?t|falls\s+nicht|sonst|si\s+no|sinon|altrimenti|anders)?,?"
    r"\s*+(?:please\s+|bitte\s+|veuillez\s+|por\s+favor,?\s+|per\s+favore,?\s+|graag\s+)?"
    r"(?:contact|call|e-?mail|write\s+to|reach|visit\b|go\s+to\b|head\s+to\b|text\b|ring\b|dial\b|"
    r"kontaktieren|wenden\s+sie|rufen\s+sie|contactez|appelez|contacte|llame|escriba|contatti|chiami|scriva|"
    r"neem\s+contact|bel\b|mail\s+naar|ligue|escreva)"
    r"(?!\s+(?:me|us|mich|uns|moi|nous)\b)",  # "If not, call me": the person asks, and stays the one to reach
    re.IGNORECASE,
)
# "Coming too? You'll find us in hall 7, stand D040": a template's invitation to its stand, not a question to answer.
_FIND_US = re.compile(
    r"\s*(?:you(?:'ll|\s+will|\s+can)?\s+find\s+us|vous\s+nous\s+trouverez|retrouvez-nous|(?:sie\s+)?finden\s+sie\s+uns|"
    r"(?:je|u)\s+vindt\s+ons|ci\s+trovate|nos\s+encontrar[áa]s?|nos\s+encontra|visit\s+us|besuchen\s+sie\s+uns|"
    r"rendez-nous\s+visite|bezoek\s+ons|vis[ií]tanos|venite\s+a\s+trovarci)\b",
    re.IGNORECASE,
)
# A greeting asked in passing ("Oi, tudo bem?", "How are you?", "Hola, ¿cómo estás?", "Ça va ?") asks the reader
# nothing, whatever greets it first ("Hi there, ...").
_GREETING = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:tudo\s+(?:bem|bom)|how\s+are\s+(?:you|things)|how'?s\s+it\s+going|how\s+have\s+you\s+been|"
    r"are\s+you\s+well|wie\s+geht(?:'?s|\s+es\s+(?:dir|ihnen|euch))|alles\s+gut|ça\s+va|comment\s+(?:vas-tu|allez-vous)|"
    r"qu[ée]\s+tal|c[óo]mo\s+(?:est[áa]s?|va|andas|vai)|como\s+(?:vai|est[áa]s?)|come\s+(?:va|stai|sta)|tutto\s+bene|"
    r"hoe\s+(?:gaat\s+het|is\s+het)|alles\s+goed|jak\s+się\s+(?:masz|macie)|co\s+słychać|hur\s+(?:mår\s+du|är\s+läget)|"
    r"hvordan\s+går\s+det|mitä\s+kuuluu|как\s+дела|nas[ıi]ls[ıi]n(?:[ıi]z)?|お元気ですか|元気ですか|你好吗|最近好吗|잘\s*지내)\W*$",
    re.IGNORECASE,
)
# A time proposed by its week, to the end of its sentence: cut before the return date is read.
_PROPOSED_TIME = re.compile(
    r"(?:\b(?:the\s+week\s+of|la\s+semana\s+del?|a\s+semana\s+d[eo]|la\s+semaine\s+du|die\s+woche\s+vom|"
    r"la\s+settimana\s+del|de\s+week\s+van|tydzień\s+od|veckan\s+(?:den|från))\b|(?:\d+月)?\d+[日号號]?\s*(?:の週|那周|那一周)|(?:\d+월\s*)?\d+일\s*주)"
    r"[^.!?。！？\n]*",
    re.IGNORECASE,
)
_SIGNATURE_LINE = re.compile(r"\s[|｜]\s")
# A template's thanks opening a notice ("Thanks for reaching out!"), up to its first stop.
# A help desk's reply marker may come first ("##- Please type your reply above this line -##"), and a greeting to
# anyone ("Hi there,").
_THANKS_OPENING = re.compile(
    r"(?:\W*+please\s+(?:type\s+your\s+)?reply\s+above\s+this\s+line\W*+)?"
    r"\W*+(?:(?:hi|hello|hey)(?:\s+there|\s+all)?\W*+)?thanks?\s+(?:you\s+)?for\s+(?:reaching\s+out|getting\s+in\s+touch|your\s+\w+)\b[^.!?\n]{0,30}[.!]",
    re.IGNORECASE,
)
# Japanese and Chinese glue the pronoun to its particle ("私は", "我已"): no word of its own to match.
_CJK_FIRST_PERSON = re.compile(r"私|わたくし|我(?![们們])|本人")
# A leaving said in a first-person verb or possessive, where the language drops the pronoun ("ya no trabajo en",
# "Saí da", "J'ai quitté", "my last day at").
_FIRST_PERSON_FORM = re.compile(
    r"\b(?:trabajo|formo|pertenezco|he\s+dejado|dej[ée]|trabalho|colaboro|fa[çc]o|estou|sa[íi]|deixei|"
    r"lavoro|faccio|ho\s+lasciato|sono|j['’]ai|suis|bin|ben|pracuj[ęe]|my|mi|mon|mein|meu|i|ich|je)\b",
    re.IGNORECASE,
)
_JOINED = re.compile(
    r"\b(?:joined|moved\s+to|switched\s+to|now\s+(?:work|am)\s+(?:at|for|with)|rejoint|gewechselt|angefangen|"
    r"me\s+(?:un[íi]|incorpor[ée])|entrei|sono\s+passat[oa]|ben\s+overgestapt)\b",
    re.IGNORECASE,
)
# A date's full stop before a word in lower case ("zum 30.11. verlassen") ends no sentence.
_SENTENCE = re.compile(r"(?:[^.!?。！？\n]|[.!?](?=\S)|(?<=\d)\.(?=\s+[a-zäöüß]))+(?:[.!?。！？]+|$)")
# Words that start a sentence or address the reader; not a person's name.
_NOT_NAMES = frozenset(
    """please note that kindly unfortunately thank thanks you hello hi dear mr mrs ms dr herr frau
    monsieur madame señor señora signor signora meneer mevrouw senhor senhora this the he she they we
    our my your his her i ich je yo io ik eu bitte beachten sie dass hinweis veuillez noter que
    tenga en cuenta si prega di notare houd er rekening mee note que att attention info information
    please, note, hinweis: wichtig important update""".split()
)


def left_company_statement(
    text: str, *, sender_name: str = "", sender_address: str = "", about_sender_only: bool = False
) -> str | None:
    """The sentence that says the sender (or the address) has left for good, or None.

    Skipped: sentences with a return or an end ("until", "back on", "for the holidays/day"),
    leaving a place ("left the office/building"), and statements about a named colleague.
    `about_sender_only` (a person's own reply, not a notice): only a sentence in the first person or
    naming the sender counts; "Bob no longer works at Globex, I've taken over" is about Bob."""
    own_names = {w.lower() for w in re.findall(r"[^\W\d_]{2,}", sender_name)}
    local = sender_address.split("@", 1)[0].lower()
    own_names.update(w for w in re.split(r"[._+-]", local) if len(w) >= 2)
    for sentence in _SENTENCE.findall(text[:8000]):
        found = phrases.LEFT_COMPANY_TEXT.search(sentence)
        if not found:
            continue
        # The statement's own words ("Today is my last day at Halberd") are not a temporary leaving.
        rest = sentence[: found.start()] + " " + sentence[found.end() :]
        if phrases.TEMPORARY_LEAVING.search(rest) or phrases.LEFT_A_PLACE.search(sentence):
            continue
        before = sentence[: found.start()]
        # The sentence's first word is capitalised whatever it is ("Leider bin ich ..."), and German
        # capitalises every noun: only words after the first one can be a name, and a sentence in the
        # first person is about the sender whatever names it mentions.
        words = re.findall(r"\b[^\W\d_]+", before)
        names = [
            w
            for w in words[1:]
            if w[0].isupper() and w.lower() not in _NOT_NAMES and not phrases.FIRST_PERSON.fullmatch(w)
        ]
        first_person = (
            any(phrases.FIRST_PERSON.fullmatch(w) for w in words)
            or bool(_CJK_FIRST_PERSON.search(before))
            or bool(_FIRST_PERSON_FORM.search(found.group(0)))
        )
        if names and own_names and not first_person and not any(n.lower() in own_names for n in names):
            continue  # about a colleague ("Bob Miller no longer works at Acme"), not about the sender
        if about_sender_only and not first_person and not any(w.lower() in own_names for w in words):
            if not _notice_of_the_address(text, sentence):
                continue
        if first_person and _JOINED.search(sentence):
            continue  # "I left Initech last year and joined Globex": an earlier job, the sender writes from the new one
        return " ".join(sentence.split())[:120]
    return None


def _notice_of_the_address(text: str, sentence: str) -> bool:
    """A Japanese or Chinese leaving said of someone by name or role where nobody in the text speaks as "I"
    ("田中は11月末をもちまして退職いたしました", "该员工已离职，此邮箱不再使用"): the notice of the address's
    owner, sent from that address. "同事小王已离职，你找我就行" is a colleague's news: the sender speaks."""
    if not _CJK.search(sentence) or _CJK_COLLEAGUE.search(sentence):
        return False
    speaks = any(phrases.FIRST_PERSON.fullmatch(w) for w in re.findall(r"\w+", text))
    return not (speaks or _CJK_FIRST_PERSON.search(text))


_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_CJK_COLLEAGUE = re.compile(r"同事|同僚|前任|担当の|上司")


@dataclass(frozen=True)
class Leaving:
    """What a notice says about leaving: the statement, and why it is not read as leaving for good."""

    statement: str | None
    not_for_good: str | None = None

    @property
    def for_good(self) -> bool:
        return self.statement is not None and self.not_for_good is None


def leaving_for_good(
    text: str, anchor: datetime | None, *, sender_name: str = "", sender_address: str = "",
    about_sender_only: bool = False,
) -> Leaving:
    """Read a left-company statement and, in the rest of the notice, anything that says it is not for good.

    A return ("back on Monday", "Morgen bin ich wieder für Sie da", "I'll reply on Monday"), an end, or
    "I'm still at Globex" anywhere in the notice undoes the leaving. The statement's own sentence ("as of
    30 November", "my last day was ...") and a closing mailbox's last day ("monitored until 31 December")
    are not returns."""
    statement = left_company_statement(
        text, sender_name=sender_name, sender_address=sender_address, about_sender_only=about_sender_only
    )
    if statement is None:
        return Leaving(None)
    still = phrases.STILL_EMPLOYED.search(text)
    if still:
        return Leaving(statement, f"the notice says {_quote(still)}")
    rest = [
        s
        for s in _SENTENCE.findall(text[:8000])
        if not phrases.MAILBOX_WIND_DOWN.search(s)
        and not (" ".join(s.split())[:120] == statement and phrases.LEAVING_DAY.search(s))
    ]
    remainder = " ".join(rest)
    back = find_return_date(remainder, anchor)
    if back:
        return Leaving(statement, f"the notice states a return on {back.isoformat()}")
    for pattern in (phrases.ABSENCE_END, phrases.REPLY_ON_RETURN, phrases.BACK_LATER):
        found = pattern.search(remainder)
        if found:
            return Leaving(statement, f"the notice says {_quote(found)}")
    return Leaving(statement)
