"""Shapes of absence notices that no single word gives away (read by mail/absence.py).

- An absence without a word of absence: a place or a team that closes ("our offices will be closed", "ons kantoor
  is gesloten"), a mailbox not read ("this address is not checked from 24 December"), a part-time week ("I work
  Monday to Wednesday", "non-working day"), a leave named by its grammar ("on research leave", "-verlof").
- Parts a notice is built from in any wording: the answer put off to the next working day, the mail that will not
  be forwarded, another address to write to.

- Whose absence: "my colleague Mr Berger is on holiday, I forwarded your mail", "担当の佐藤は産休中のため、
  代わりに私が…": the absence is a third party's and the sender is present and answering. A sentence whose
  subject is a colleague (a colleague word or a title before a name, with no first person before it; or a bare
  name where the sender speaks as "I" elsewhere) does not state the sender's absence. Lotus Notes' "Kim Lee is out
  of the office" names the sender and is no colleague; nor is any subject that is the sender's own name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

# A colleague as a sentence's subject: a possessive or article before a colleague word, or a title before a
# name; Japanese "担当の佐藤は", Chinese "我的同事". Up to three words may come first ("Leider ist ...",
# "Unfortunately ...", "al momento il ...").
_COLLEAGUE = (
    r"colleague|co-?worker|associate|manager|boss|team\s*mate|kolleg(?:e|in|en)|mitarbeiter(?:in)?|vorgesetzte[rn]?|"
    r"coll[èe]gue|responsable|sup[ée]rieur|compa[ñn]er[oa]|colega|jef[ea]|collega|responsabile|"
    r"collega'?s?|leidinggevende|chef|"
    # a job that is a person's: "our buyer", "unsere Einkäuferin", "notre acheteuse", "la nostra referente"
    r"buyer|purchaser|director|head\s+of\s+\w+|einkäufer(?:in)?|leiter(?:in)?|ansprechpartner(?:in)?|"
    r"acheteu(?:r|se)|directeur|directrice|comprador(?:a)?|director(?:a)|encargad[oa]|direttore|direttrice|referente|"
    r"inkoper|directeur|contactpersoon|diretor(?:a)?|gerente|respons[áa]vel"
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
    rf"(?:[^\W\d_]+\s+)?(?:{_COLLEAGUE})\b)",
    re.IGNORECASE,
)
_CJK_COLLEAGUE_SUBJECT = re.compile(
    r"^\W*(?:担当|同僚|上司|弊社)の?[^\s、。はが]{1,6}(?:さん|様)?[はが]|"
    # "负责这块的同事出差了", after a greeting: the colleague who handles it
    r"^\W*(?:(?:您好|你好)[，,]\s*)?(?:我的|[^，。\s]{1,8}的)?同事|"
    r"^\W*(?:我们|我們|我的|公司|本公司)?的?(?:负责人|負責人|采购|採購|主管|老板|老闆)"
)
# A title before a name, or a name with its title or job ("Herr Berger ist", "田中部長は", "王经理", "김 과장님은"): a
# colleague where the sender speaks as "I" elsewhere, like a bare name (below).
_TITLED_SUBJECT = re.compile(
    rf"^\W*(?:[^\W\d_]+\W+){{0,3}}?(?:(?:[^\W\d_]+\s+)?(?:{_TITLE})\.?\s+(?-i:[A-ZÀ-Ý])[^\W\d_]+)|"
    r"^\W*[^\s、。，,はが]{1,4}(?:さん|様|部長|課長|係長|社長)[はが]|"
    r"^\W*[\u4e00-\u9fff]{1,3}(?:经理|經理|总|總|先生|女士|小姐|老师|老師|主管|部长|部長)|"
    r"^\W*[가-힣]{1,4}\s*(?:과장|부장|대리|팀장|차장|실장|이사|매니저|님)님?\s*[은는이가]",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(
    r"\b(?:i|i['’]m|ich|je|j['’]|yo|io|ik|eu|jag|jeg|me|we|wir|nous|my|mein|meine|mijn|ma|mon)\b|私|我(?![的们們]?同事)|제가|저는",
    re.IGNORECASE,
)
_WITH_ME = re.compile(
    r"\b(?:and|und|et|y|e|en|och|og|i)\s+(?:i|ich|je|moi|yo|io|ik|eu|jag|jeg|ja)\b|と私|和我", re.IGNORECASE
)
# A stop ends a sentence unless a word follows it at once ("acme.example") or it closes an ordinal ("12. Januar").
# The sender's absence named as a noun: "during my absence", "während meiner Abwesenheit", "pendant mon absence".
_MY_ABSENCE = re.compile(
    r"\b(?:my|meiner?|mon|mi|mia|la\s+mia|mijn|minha|min|mit|mojej|moja)\s+(?:absence|abwesenheit|ausencia|assenza|"
    r"afwezigheid|aus[êe]ncia|fr[åa]nvaro|frav[æa]r|nieobecno[śs]ci?)\b|私の不在|我不在",
    re.IGNORECASE,
)
_SENTENCE_SPANS = re.compile(r"(?:[^.!?。！？\n]|[.!?](?=\S)|(?<=\d)\.(?=\s+\w))+")


# A person named as a sentence's subject ("Jane, who handles purchasing, is on leave", "Anna Keller ist im Urlaub",
# "Pierre est en congé"): a colleague only where the sender speaks as "I" elsewhere ("I've forwarded your note"),
# so a shared mailbox's "Kim Lee is out of the office" stays Kim Lee's notice.
_NAMED_SUBJECT = re.compile(
    r"^\W*((?-i:[A-Z])[^\W\d_]+)(?:\s+(?-i:[A-Z])[^\W\d_]+)?(?:,[^,.!?\n]{1,60},)?\s+"
    r"(?:is|ist|est|est[áa]|[èe]|är|er|jest|fica|se\s+encuentra)\b",
)
_NOT_A_NAME = frozenset(
    """this that the it our your my there here today tomorrow christmas everything nothing everyone dies das der die
    es heute morgen unser unsere mein meine ce cet cette il elle le la les notre mon ma aujourd esto este esta el
    nuestro nuestra hoy questo questa oggi nostro nostra het dit dat deze onze mijn vandaag isto esta hoje nosso
    nossa det detta idag""".split()
)
# "I" said, or a first-person auxiliary where the pronoun is dropped ("le ho inoltrato", "le he reenviado").
_I_ELSEWHERE = re.compile(
    r"\b(?:i|i['’](?:ve|ll|m|d)|ich|je|j['’]|yo|io|ik|eu|jag|jeg|ho|l['’]ho|he\s+\w+(?:ado|ido)|estoy|soy|tenho|"
    r"estou|sou)\b|"
    r"私|我|제가|저는",
    re.IGNORECASE,
)


# Where the absence's clause ends and the sender's may begin: a comma, or a Korean ending that joins a cause to
# what follows ("휴가 중이라 제가 대신 답장드립니다": on holiday, so I answer instead).
_CLAUSE_BREAK = re.compile(r"[,;:—–、，]|(?<=[가-힣](?:이라|라서|어서|아서|해서|므로|니까))\s")


def colleague_sentences(
    text: str, sender: frozenset[str] = frozenset(), states_absence: Callable[[str], bool] = lambda _: True
) -> list[tuple[int, int]]:
    """Spans of the sentences whose subject is a colleague of the sender's and that speak of no first person
    before it: what they say of an absence is a third party's. `sender`: the sender's own names (lower case); a
    subject that is the sender ("Herr Dr. Berger ist nicht im Büro" from Berger's mailbox) is no colleague.
    `states_absence`: whether a clause states an absence (a pronoun's clause must: "sie wird bearbeitet" may be the
    mail)."""
    spans = []
    for sentence in _SENTENCE_SPANS.finditer(text):
        words = sentence.group(0)
        subject = _COLLEAGUE_SUBJECT.match(words) or _CJK_COLLEAGUE_SUBJECT.match(words)
        named = None if subject else _TITLED_SUBJECT.match(words) or _NAMED_SUBJECT.match(words)
        if named and (named.lastindex is None or named.group(1).lower() not in _NOT_A_NAME):
            # elsewhere: another sentence, or the clause after the absence's ("..., je lui ai transmis votre message")
            clause = _CLAUSE_BREAK.split(words[named.end() :], maxsplit=1)
            after = clause[1] if len(clause) > 1 else ""
            rest = f"{text[: sentence.start()]} {text[sentence.end() :]} {after}"
            subject = named if _I_ELSEWHERE.search(rest) else None
        if subject and _is_the_sender(subject.group(0), sender):
            continue
        if _WITH_ME.search(words) or _MY_ABSENCE.search(words):
            continue  # "my colleague and I are at the fair", "my colleague stands in during my absence": the sender's
        if subject and not _FIRST_PERSON.search(words[: subject.start(0) + _lead(subject)]):
            spans.append(sentence.span())
        elif not subject and _spoken_of(text, sentence, sender, states_absence):
            spans.append(sentence.span())
    return spans


# A third person's pronoun as a clause's subject: "but she's away until", "Sie ist bis zum 8. Januar im Urlaub",
# "Il est absent", "她休假到". ("Il est possible de ..." is no person; "Sie sind" is the reader.)
_PRONOUN_SUBJECT = re.compile(
    r"(?:^|(?<=[\s,;:(—–-]))(?:she|he)(?:['’](?:s|ll)|\s+(?:is|was|will|has|remains|returns))\b|"
    r"\b(?:sie|er)\s+(?:ist|wird|befindet\s+sich|kommt)\b|"
    r"\b(?:il|elle)\s+(?:est|sera|rentre|revient|reviendra)\b"
    r"(?!\s+(?:possible|pr[ée]f[ée]rable|n[ée]cessaire|important|recommand|conseill|inutile|\d))|"
    r"\b(?:ella|él)\s+(?:est[áa]|estar[áa]|vuelve|volver[áa])\b|\b(?:lei|lui)\s+(?:[èe]|sar[àa]|torna|torner[àa])\b|"
    r"\b(?:zij|hij)\s+(?:is|zal|komt)\b|\b(?:ela|ele)\s+(?:est[áa]|estar[áa]|volta|voltar[áa])\b|"
    r"(?:^|(?<=[，,。\s]))[他她](?![们們])",
    re.IGNORECASE,
)
# Nothing before the pronoun but a greeting: the person it means was named in the rep's email, not in this text.
_ONLY_A_GREETING = re.compile(
    r"\W*(?:(?:hi|hello|hey|dear|thanks|thank\s+you|hallo|guten\s+tag|moin|bonjour|salut|merci|hola|buenas|"
    r"buongiorno|ciao|grazie|hoi|beste|olá|oi|obrigad[oa]|您好|你好|谢谢)\b[^\n.!?。！]{0,30}[,.!。！]?)?\W*",
    re.IGNORECASE,
)


def _spoken_of(
    text: str, sentence: re.Match[str], sender: frozenset[str], states_absence: Callable[[str], bool]
) -> bool:
    """The sentence speaks of a third person by pronoun ("Dana owns invoicing but she's away until the 4th", "Il est
    absent jusqu'au 8 janvier"), not of the sender: no first person before the pronoun, the sender not named before
    it, and either the sender speaks as "I" elsewhere ("I'll forward this to her", "ich leite Ihre Mail weiter") or
    the text names no one the pronoun could mean. A template about the sender ("Kim Lee is out of the office. She
    will return on ...") names the sender first and says no "I"."""
    words = sentence.group(0)
    pronoun = _PRONOUN_SUBJECT.search(words)
    if pronoun is None or _FIRST_PERSON.search(words[: pronoun.start()]):
        return False
    before = text[: sentence.start() + pronoun.start()]
    if any(w.lower() in sender for w in re.findall(r"[^\W\d_]{2,}", before)) or any(
        len(n) >= 2 and not n.isascii() and n in before for n in sender
    ):
        return False
    clause = _CLAUSE_BREAK.split(words[pronoun.end() :], maxsplit=1)
    after = clause[1] if len(clause) > 1 else ""
    own = words[pronoun.start() : pronoun.end() + len(clause[0])]
    if not states_absence(own) or _FIRST_PERSON.search(own[len(pronoun.group(0)) :]):
        return False  # "elle sera traitée dès mon retour de congé": the mail, and the sender's own absence
    rest = f"{text[: sentence.start()]} {text[sentence.end() :]} {after}"
    return bool(_I_ELSEWHERE.search(rest)) or bool(_ONLY_A_GREETING.fullmatch(before))


def _is_the_sender(subject: str, sender: frozenset[str]) -> bool:
    """The subject names the sender: one of its words is the sender's name, or, in a script without spaces, it
    holds the sender's name ("山田部長は" from 山田 太郎)."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]{2,}", subject)}
    return bool(words & sender) or any(len(n) >= 2 and not n.isascii() and n in subject for n in sender)


def _lead(subject: re.Match[str]) -> int:
    """How far the words before the colleague run (the possessive itself, "my", is the colleague's)."""
    text = subject.group(0)
    found = re.search(
        r"(?:my|our|mein\w*|unser\w*|ma|mon|notre|mi|nuestr[oa]|mi[oa]|nostr[oa]|mijn|onze|minha|meu|nosso|nossa)\s|"
        r"我们的|我們的|我的",
        text,
        re.IGNORECASE,
    )
    return found.start() if found else len(text)


def without_colleague_absence(
    text: str, sender: frozenset[str] = frozenset(), states_absence: Callable[[str], bool] = lambda _: True
) -> tuple[str, str | None]:
    """The text with the sentences about a colleague blanked (same length, so positions hold), and the first of
    them for the evidence."""
    spans = colleague_sentences(text, sender, states_absence)
    if not spans:
        return text, None
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    first = " ".join(text[spans[0][0] : spans[0][1]].split())[:60]
    return "".join(chars), first


# --- The organisation, the mailbox or the working week is away, not a person's word of absence. ----------------

# A place or a team that closes: "our offices will be closed", "ons kantoor is gesloten", "gli uffici resteranno
# chiusi", "nuestras oficinas permanecerán cerradas", "os nossos serviços estarão encerrados".
_PLACE = (
    r"offices?|business|company|premises|shop|store|firm|practice|studio|department|service|warehouse|factory|"
    r"plant|showroom|branch|helpdesk|support\s+desk|b[üu]ros?|gesch[äa]ft|firma|betrieb|unternehmen|praxis|kanzlei|"
    r"lager|werk|bureaux?|soci[ée]t[ée]|entreprise|cabinet|agence|magasin|boutique|usine|services?|oficinas?|"
    r"empresa|tienda|despacho|almac[ée]n|f[áa]brica|servicios|uffic[io]|sede|azienda|negozio|magazzino|"
    r"stabilimento|kantoor|bedrijf|winkel|praktijk|vestiging|escrit[óo]rio|loja|servi[çc]os|atendimento|"
    r"kontor(?:et)?|butik(?:en)?|biuro|sklep|workshop|werkstatt|atelier|taller|officina|werkplaats|oficina|"
    r"library|bibliothek|biblioth[èe]que|biblioteca|bibliotheek|reception|empfang|accueil|recepci[óo]n"
)
_CLOSED = (
    r"closed|shut(?:\s+down)?|geschlossen|betriebsferien|betriebsurlaub|betriebsruhe|ferm[ée]e?s?|fermeture|"
    r"cerrad[oa]s?|cierre|chius[oaie]|chiusura|gesloten|sluiting|fechad[oa]s?|encerrad[oa]s?|encerramento|"
    r"st[äa]ngd?t?|lukket|stengt|zamkni[ęe]t[eyai]|nieczynn[eya]"
)
# Between the place and its closing, a sentence may name the days with dots ("Unser Büro ist vom 24.12. bis 3.1.
# geschlossen", "von 24. Dezember bis 6. Jänner"): a dot next to a digit ends no sentence.
_IN_SENTENCE = r"(?:[^.!?\n]|(?<=\d)\.)"
# The place closing as an event with its time: "our offices close from 23 December", "close at 1pm on Thursday",
# "nos bureaux ferment du 23 au 3", "unser Büro schließt am 23.12.", "la oficina cierra del 24 al 6".
_CLOSES = (
    r"clos(?:e|es|ing)\s+(?:from|on|at|between|for|over|early|down)|ferm(?:e|ent|era|eront)\s+(?:du|le|à|a|dès|entre)|"
    r"schlie(?:ß|ss)(?:t|en)\s+(?:am|ab|vom|von|über|zwischen|um)|cierra(?:n|rá|rán)?\s+(?:del?|el|entre|a\s+partir)|"
    r"chiud(?:e|ono|erà|eranno)\s+(?:dal|il|da|tra|alle)|sluit(?:en)?\s+(?:van|op|om|vanaf|tussen)|"
    r"fecha(?:m|rá|rão)?\s+(?:de|do|no|entre|a\s+partir)"
)
_CLOSURE = re.compile(
    rf"\b(?:{_PLACE})\b{_IN_SENTENCE}{{0,60}}?\b(?:{_CLOSED}|{_CLOSES})\b|\b(?:{_CLOSED})\b[^.!?\n]{{0,30}}?\b(?:{_PLACE})\b|"
    r"\b(?:betriebsferien|betriebsurlaub|betriebsruhe)\b|休業(?:日|期間|いたします|します|中)|放假|休息日|휴무",
    re.IGNORECASE,
)
# A team away as a whole: "our team is away at our annual retreat", "Unser Team ist vom 7. bis 11. Dezember auf
# Klausurtagung" (the days are required where no word says away: see dated()).
_TEAM = r"team|staff|department|crew|[ée]quipe|equipo|squadra|afdeling|abteilung|belegschaft"
_TEAM_AWAY = re.compile(
    rf"\b(?:our|the|my|unser(?:e)?|notre|nuestro|il\s+nostro|la\s+nostra|ons|onze|o\s+nosso|a\s+nossa)\s+(?:whole\s+)?"
    rf"(?:{_TEAM})\s+(?:is|are|will\s+be|ist|sind|est|sera|est[áa]|estar[áa]|[èe]|sar[àa]|zijn|is)\s+"
    # away, or somewhere: "at the retreat", "vom 7. bis 11. Dezember auf Klausurtagung", "op de vakbeurs"
    r"(?:(?:away|out|off|unavailable)\b|(?:[^\s!?]+\s+){0,6}?(?:at|in|auf|im|en|au|[àa]|op|al|alla|na|em|no)\s)",
    re.IGNORECASE,
)
_TEAM_SAYS_AWAY = re.compile(r"\b(?:away|out|off|unavailable)$", re.IGNORECASE)
# At a fair's stand: "Come and see us at stand B21, hall 4", "Retrouvez-nous ... stand C112", "padiglione 3".
_AT_A_STAND = re.compile(
    r"\b(?:stand|booth|hall|halle|hal|pavillon|padiglione|pabell[óo]n|pavilh[ãa]o)\s+#?[A-Z]?\d|"
    r"\b(?:visit|see|meet|find)\s+us\s+at\b|\bretrouvez-nous\b|\bbesuchen\s+sie\s+uns\b|\bvieni\s+a\s+trovarci\b|"
    r"\bvenite\s+a\s+trovarci\b|\bbezoek\s+ons\b|\bvis[ií]tanos\b|\bvisite-nos\b",
    re.IGNORECASE,
)
# The mailbox itself is not read for a while: "this mailbox will not be monitored", "本メールアドレスは…確認が
# できません", "메일 확인이 어렵습니다".
_MAILBOX_UNREAD = re.compile(
    r"\b(?:this|my|the)\s+(?:mailbox|inbox|e-?mail\s+address|address|account)\s+(?:\w+\s+){0,2}?"
    r"(?:is\s+not|isn'?t|will\s+not\s+be|won'?t\s+be)\s+(?:\w+\s+)?(?:monitored|checked|read|attended)\b|"
    r"\b(?:dieses|mein)\s+postfach\s+wird\b[^.!?\n]{0,60}?\bnicht\s+(?:gelesen|abgerufen|betreut|bearbeitet)|"
    r"\b(?:cette|ma)\s+(?:bo[îi]te|adresse)\b[^.!?\n]{0,60}?\b(?:pas|plus)\s+(?:consult[ée]e|relev[ée]e|lue)|"
    r"\b(?:este|mi)\s+(?:buz[óo]n|correo|cuenta)\s+no\s+(?:ser[áa]|est[áa]|se)\s+(?:\w+\s+)?(?:revisad|atendid|consultad)|"
    r"\b(?:deze|dit|mijn)\s+(?:mailbox|adres|e-?mail(?:adres)?)\s+wordt\b[^.!?\n]{0,40}?\bniet\s+(?:gelezen|bekeken)|"
    r"\b(?:questa|questo|la\s+mia)\s+(?:casella|indirizzo|e-?mail|account)\b[^.!?\n]{0,30}?\bnon\s+(?:sar[àa]|verr[àa]|viene|[èe])\s+"
    r"(?:\w+\s+)?(?:controllat|lett|consultat|monitorat)|"
    r"\b(?:esta|este|a\s+minha|o\s+meu)\s+(?:caixa|conta|endere[çc]o|e-?mail)\b[^.!?\n]{0,30}?\bn[ãa]o\s+(?:ser[áa]|[ée]|est[áa])\s+"
    r"(?:\w+\s+)?(?:consultad|lid|verificad|monitorad|acompanhad)|"
    r"\b(?:(?:ten|m[óo]j)\s+(?:adres|e-?mail)|(?:ta|moja)\s+skrzynka)\b[^.!?\n]{0,30}?\bnie\s+(?:b[ęe]dzie|jest)\s+"
    r"(?:sprawdzan|czytan|monitorowan)|"
    r"\b(?:denna|min)\s+(?:adress|brevl[åa]da|inkorg)\s+(?:l[äa]ses|bevakas|kontrolleras)\s+inte|"
    r"メール(?:アドレス|ボックス)?(?:は|を)[^。\n]{0,50}?確認(?:が|は)?(?:できません|出来ません|いたしかねます)|"
    r"(?:邮箱|郵箱|邮件|郵件)[^。\n]{0,30}?(?:无法|無法|不能)(?:查看|查收|回复|回覆)|메일\s*확인이?\s*(?:어렵|불가)",
    re.IGNORECASE,
)
_WEEKDAYS = (
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?|(?:montag|dienstag|mittwoch|donnerstag|freitag)s?|"
    r"lundis?|mardis?|mercredis?|jeudis?|vendredis?|lunes|martes|mi[ée]rcoles|jueves|viernes|"
    r"luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]|venerd[iì]|(?:maan|dins|woens|donder|vrij)dag(?:en)?|"
    r"segundas?(?:-feiras?)?|ter[çc]as?(?:-feiras?)?|quartas?(?:-feiras?)?|quintas?(?:-feiras?)?|sextas?(?:-feiras?)?|"
    r"(?:sams|sonn)tags?|samedis?|dimanches?|s[áa]bados?|domingos?|sabat[oi]|domeni(?:ca|che)|(?:zater|zon)dag(?:en)?"
)
# Weekdays written short, only as a span of two joined by a dash: "Mon-Wed", "(Mo–Mi)", "lun-mer", "ma-wo".
_SHORT_DAY = r"mon|tue|tues|wed|thu|thur|thurs|fri|mo|di|mi|do|fr|lun|mar|mer|jeu|ven|ma|wo|vr|seg|ter|qua|qui|sex"
_SHORT_INDEX = {
    **dict.fromkeys(("mon", "mo", "lun", "ma", "seg"), 0), **dict.fromkeys(("tue", "tues", "di", "mar", "ter"), 1),
    **dict.fromkeys(("wed", "mi", "mer", "wo", "qua"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "do", "jeu", "qui"), 3),
    **dict.fromkeys(("fri", "fr", "ven", "vr", "sex"), 4),
}
_SHORT_SPAN = rf"\b(?:{_SHORT_DAY})\.?\s*[-–]\s*(?:{_SHORT_DAY})\b\.?"
# A part-time week: "I work Monday to Wednesday", "ich arbeite in Teilzeit", "Ik ben aanwezig op maandag, dinsdag
# en donderdag", "your email has arrived on a non-working day".
_WORKING_WEEK = re.compile(
    r"\bnon-?working\s+days?\b|\bnot\s+(?:a|one\s+of)\s+my\s+working\s+days?\b|\bpart[-\s]?time\b|\bteilzeit\b|"
    r"\bdeeltijd\b|\btemps\s+partiel\b|\bjornada\s+(?:reducida|parcial)\b|\bmedia\s+jornada\b|\bpart[-\s]time\b|"
    r"\btempo\s+parziale\b|\bmeio\s+(?:per[íi]odo|expediente)\b|\bdeltid\b|"
    r"\b(?:i\s+(?:only\s+)?(?:work|am\s+(?:in|available|in\s+the\s+office))|ich\s+(?:arbeite|bin)|ik\s+(?:werk|ben)|"
    r"je\s+(?:travaille|suis)|trabajo|lavoro|trabalho|jobbar|arbejder)\b[^.!?\n]{0,40}?"
    rf"(?:\b(?:{_WEEKDAYS})\b[^.!?\n]{{0,25}}?\b(?:{_WEEKDAYS})\b"
    rf"(?:\s*(?:,|and|und|et|y|e|en|och|og)\s*(?:{_WEEKDAYS})\b)*|{_SHORT_SPAN})",
    re.IGNORECASE,
)
# An answer put off to the next working day: "on my next working day", "an meinem nächsten Arbeitstag".
_NEXT_WORKING_DAY = re.compile(
    r"\b(?:next|following)\s+working\s+day|\bn[äa]chsten\s+arbeitstag|\bprochain\s+jour\s+(?:ouvr[ée]|travaill[ée]|"
    r"de\s+travail)|\bpr[óo]ximo\s+d[ií]a\s+(?:laborable|h[áa]bil|[úu]til)|\bprossimo\s+giorno\s+lavorativo|"
    r"\b(?:eerst)?volgende\s+werkdag|\bn[äa]sta\s+arbetsdag|\bn[æa]ste\s+arbejdsdag|\bnext\s+in\s+the\s+office|"
    r"次(?:の|回)(?:出勤日|出社日|営業日)|下一个工作日|다음\s*근무일",
    re.IGNORECASE,
)
# "Your email will not be forwarded", "responses will be significantly delayed": only a notice says what becomes
# of the mail while nobody reads it.
_NOT_FORWARDED = re.compile(
    r"\b(?:will\s+not|won'?t)\s+be\s+forwarded|\bwird\s+nicht\s+weitergeleitet|\bne\s+sera\s+pas\s+(?:transf[ée]r[ée]|"
    r"transmis|r[ée]achemin[ée])|\bno\s+(?:ser[áa]|se)\s+(?:reenviad|redirigid)|\bnon\s+(?:sar[àa]|verr[àa])\s+inoltrat|"
    r"\bwordt\s+niet\s+doorgestuurd|\bn[ãa]o\s+ser[áa]\s+(?:re)?encaminhad|\bvidarebefordras\s+inte|"
    r"\bbliver\s+ikke\s+videresendt|\bblir\s+ikke\s+videresendt|\bnie\s+b[ęe]dzie\s+przekazywan|転送されません|不会(?:被)?转发|"
    # "Responses will be significantly delayed": the adverb between is any
    r"\b(?:responses?|replies)\s+(?:will|may|might)\s+be\s+\w+\s+(?:delayed|slower)\b",
    re.IGNORECASE,
)
# A leave of any kind, by the grammar that makes it one ("on research leave", "zwangerschapsverlof",
# "Forschungsurlaub", "en congé sabbatique", "in congedo straordinario", "de licencia por estudios").
_ANY_LEAVE = re.compile(
    r"\bon\s+(?:[\w-]+\s+){0,2}leave\b|\bleave\s+of\s+absence\b|\b\w+verlof\b|\b\w{3,}urlaub\b|"
    r"\ben\s+cong[ée]s?\b|\bde\s+licencia\b|\blicencia\s+(?:por|de)\b|\bde\s+licen[çc]a\b|\blicen[çc]a[\s-]\w+|"
    r"\bin\s+congedo\b|\b\w+orlov\b|\b\w+ledighet\b",
    re.IGNORECASE,
)
# Taking part in something over stated days: "vom 7. bis 11. Dezember nehme ich an einer Tagung teil", "I'm
# attending a workshop from 7 to 9 December" (the days are required: see dated()).
_ATTENDING = re.compile(
    r"\b(?:i\s*(?:'m|\s+am|\s+will\s+be)\s+(?:attending|taking\s+part|participating|exhibiting|speaking)|"
    r"nehme\s+ich\s+an\b|ich\s+nehme\b[^.!?\n]{0,40}\bteil\b|je\s+(?:participe|serai\s+pr[ée]sente?)\s+[àa]u?|"
    r"particip(?:o|ar[ée])\s+en|partecipo\s+a|parteciper[òo]\s+a|neem\s+ik\s+deel|ik\s+neem\b[^.!?\n]{0,40}\bdeel\b|"
    r"participo\s+d[eo]|vou\s+participar)",
    re.IGNORECASE,
)
# Limited access said by its two halves in any order: the mail, and a word for slow or limited ("je n'ai qu'un accès
# très limité à mes mails", "consulterai mes e-mails de manière différée", "E-Mails nur sporadisch").
_MAIL = r"e-?mails?|mails?|courriels?|correos?|posta|berichten|nachrichten|messages|mensajes|messaggi|mensagens|inbox"
_SLOW = (
    r"limit\w*|eingeschr[äa]nkt\w*|beperkt\w*|diff[ée]r[ée]e?|delay\w*|verz[öo]gert|sporadi\w*|occasional\w*|"
    r"gelegentlich|ponctuel\w*|irr[ée]guli\w*|unregelm[äa](?:ß|ss)ig|espor[áa]dic\w*|saltuari\w*|retrasad\w*|"
    r"ritardo|vertraagd|atrasad\w*|intermitt\w*"
)
_SLOW += (
    r"|(?:only|nur|solo|seulement|alleen|apenas|s[óo]lo|solamente)\s+(?:\w+\s+){0,2}?(?:evenings?|mornings?|abends|morgens|"
    r"sera|mattina|soir|matin|avond|ochtend|noite|manh[ãa]|noche|ma[ñn]ana|once|twice|einmal|une\s+fois|una\s+vez|"
    r"una\s+volta|[ée][ée]n\s+keer|uma\s+vez)\b"
)
_LIMITED_PAIR = re.compile(
    rf"\b(?:{_MAIL})\b[^.!?\n]{{0,40}}?\b(?:{_SLOW})|\b(?:{_SLOW})[^.!?\n]{{0,40}}?\b(?:{_MAIL})\b|"
    r"\b(?:acc[èe]s|access|zugriff|acceso|accesso|toegang|acesso)\s+(?:\w+\s+){0,2}?(?:limit|restrein|r[ée]duit|beperkt|"
    r"eingeschr[äa]nkt|limitad|ridott)",
    re.IGNORECASE,
)
_APOLOGY = re.compile(r"\b(?:sorry|apolog|d[ée]sol[ée]|entschuldig|perd[óo]n|scusa|excuse|desculp)", re.IGNORECASE)
# The mail dealt with later, said of the mail: "requests received will be processed from Wednesday", "Emails
# received while we are closed will be dealt with once we reopen", "le richieste saranno evase a partire da".
_HANDLED_LATER = re.compile(
    r"\b(?:e-?mails?|messages?|requests?|enquiries|inquiries|queries|orders)\s+(?:\w+\s+){0,5}?will\s+be\s+"
    r"(?:\w+\s+)?(?:dealt\s+with|processed|handled|answered|actioned|picked\s+up|read|looked\s+at|reviewed)\b|"
    r"\b(?:richieste|messaggi|e-?mail|ordini)\s+(?:\w+\s+){0,3}?(?:saranno|verranno)\s+(?:\w+\s+)?(?:evas[ei]|gestit[ei]|"
    r"elaborat[ei]|processat[ei])|"
    r"\b(?:solicitudes|mensajes|correos|pedidos)\s+(?:\w+\s+){0,3}?ser[áa]n\s+(?:\w+\s+)?(?:atendid|procesad|gestionad|respondid)|"
    r"\b(?:demandes|messages|courriels|commandes)\s+(?:\w+\s+){0,3}?seront\s+(?:\w+\s+)?(?:trait[ée]|honor[ée]|g[ée]r[ée])|"
    r"\b(?:anfragen|nachrichten|e-?mails|bestellungen)\s+(?:\w+\s+){0,3}?werden\b[^.!?\n]{0,40}?\bbearbeitet|"
    r"\b(?:aanvragen|berichten|e-?mails|bestellingen)\s+(?:\w+\s+){0,3}?worden\b[^.!?\n]{0,40}?\bbehandeld|"
    r"\b(?:pedidos|mensagens|solicita[çc][õo]es)\s+(?:\w+\s+){0,3}?ser[ãa]o\s+(?:\w+\s+)?(?:atendid|processad|respondid)|"
    # a team's answer put off, in the first person plural: "we'll reply to all messages from Monday"
    r"\b(?:we'?ll|we\s+will)\s+(?:\w+\s+)?(?:reply|respond|answer|get\s+back)\b|\bwir\s+(?:werden|melden\s+uns|antworten)\b|"
    r"\bnous\s+(?:vous\s+)?(?:r[ée]pondrons|reviendrons|traiterons)\b|\bje\s+traiterai\b|\bodpowiemy\b|\b(?:le\s+)?responderemos\b|\b(?:le\s+|vi\s+)?risponderemo\b|"
    r"\b(?:reageren|antwoorden)\s+wij\b|\bwij\s+(?:reageren|antwoorden)\b|\bresponderemos\b",
    re.IGNORECASE,
)
_MONTH = (
    r"jan|ene|gen|feb|f[ée]v|mar|m[äa]r|maa|apr|avr|abr|may|mai|mei|mag|jun|jui|giu|jul|lug|aug|ao[ûu]|ago|sep|set|"
    r"oct|okt|ott|out|nov|dec|d[ée]c|dez|dic"
)
_NAMED_DATE = re.compile(
    rf"(?<!\d)\d{{1,2}}(?:er|st|nd|rd|th|º|°|\.)?\s+(?:de\s+|of\s+)?(?:{_MONTH})[^\W\d_]*|"
    rf"\b(?:{_MONTH})[^\W\d_]*\.?\s+\d{{1,2}}(?!\d)",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d.])\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?(?![\d])|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}월\s*\d{1,2}일"
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# A salutation to no one in particular ("Dear customer", "Sehr geehrte Damen und Herren", "Beste klant", "Estimado
# cliente", "Exmos. Senhores"): a template written for whoever writes; a person answering the rep names the rep.
_ANYONE = re.compile(
    r"^\W*(?:dear|hello|hi|to)\s+(?:valued\s+)?(?:customers?|clients?|sender|sir\s+or\s+madam|sir/madam|all|colleagues|"
    r"partners|students|visitors?|users?|suppliers?)\b|^\W*(?:sehr\s+geehrte\s+damen\s+und\s+herren|"
    r"liebe\s+(?:kundinnen|kunden|gesch[äa]ftspartner|studierende))|^\W*(?:madame,?\s+monsieur|mesdames,?\s+messieurs|"
    r"ch[èe]re?s?\s+(?:clients?|client[e]?s?|partenaires|coll[èe]gues))|^\W*(?:estimad[oa]s?(?:/a)?\s+(?:clientes?|"
    r"remitente|se[ñn]or(?:es|a)?|usuari[oa]s?|proveedores?))|^\W*(?:gentil[ei]\s+(?:utente|client[ei]|fornitor[ei]|"
    r"signor[ei]|studenti)|spettabile)|^\W*(?:geachte\s+(?:heer/mevrouw|heer\s+of\s+mevrouw|relatie|klant)|"
    r"beste\s+(?:klant|relatie|leverancier|afzender))|^\W*(?:exm[oa]s?\.?\s+senhor|prezad[oa]s?(?:\(a\))?\b(?!\s+\w+\s*,)|"
    r"car[oa]s?\s+clientes)",
    re.IGNORECASE,
)


# The place opening again ("we will resume normal business", "réouverture le lundi", "le attività riprenderanno",
# "ab dem 7.1. sind wir wieder für Sie da"): a closure notice's end, said of the place.
_REOPENING = re.compile(
    r"\bre-?open(?:s|ing)?\b|\bopen(?:s)?\s+again\b|\bresum(?:e|es|ing)\s+(?:normal\s+|our\s+)?(?:business|service|"
    r"operations|work|activit)|\br[ée]ouverture\b|\brouvr(?:e|ira|irons)\b|\breprise\s+(?:des|de\s+l)|\breanud|"
    r"\bretom(?:aremos|amos|a)\b|\breabr(?:e|iremos|imos)\b|\briapr(?:e|ir[àa]|iremo)\b|\bripren(?:deranno|diamo|de)\b|"
    r"\bwieder\s+(?:\w+\s+){0,3}?(?:f[üu]r\s+sie\s+da|da|ge[öo]ffnet|erreichbar)\b|\bheropen|\bweer\s+(?:\w+\s+){0,2}?"
    r"(?:open|geopend|voor\s+u\s+klaar|bereikbaar)\b|\b(?:[åa]bner|[öo]ppnar)\s+igen\b",
    re.IGNORECASE,
)


def reopening(text: str) -> re.Match[str] | None:
    return _REOPENING.search(text)


# "Send me the documents", "Bitte senden Sie mir die Unterlagen an privat@...", "envoyez-moi", "mándame": the
# reader asked to send the sender something is a person's request, whatever address comes with it. Not "send me
# your request again after the 4th", which a notice says.
_SEND_ME = re.compile(
    r"\b(?:send|e-?mail|forward|mail)\s+(?:it\s+|them\s+|this\s+)?(?:over\s+)?(?:to\s+)?me\b|"
    r"\b(?:senden|schicken|mailen)\s+sie\s+(?:es\s+|das\s+|die\s+\w+\s+)?mir\b|\b(?:schick|sende)\s+mir\b|"
    r"\benvoye[zr]?-moi\b|\bm['’]envoyer\b|\b(?:m[áa]nd|env[íi])ame\b|\bm[áa]ndeme\b|\benv[íi]eme\b|"
    r"\b(?:mandami|inviami|mandatemi|inviatemi)\b|\bmi\s+(?:mandi|invii|mandate|inviate)\b|\bstuur\s+(?:het\s+)?(?:mij|me)\b|"
    r"\b(?:mande|envie)-me\b|\bme\s+(?:mande|envie)\b|\bskicka\s+(?:det\s+)?till\s+mig\b|\bsend\s+(?:det\s+)?til\s+mig\b|"
    # "send it anyway", said by someone away who will read it: "manda sim", "schicken Sie es ruhig", "mándalo igual"
    r"\b(?:manda|envia|pode\s+(?:mandar|enviar))\s+(?:sim|a[íi]|mesmo|assim\s+mesmo)\b|\bgo\s+ahead\s+and\s+send\b|"
    r"\bsend\s+it\s+(?:anyway|over\s+anyway)\b|\bschick(?:en\s+sie)?\s+(?:es\s+)?(?:ruhig|trotzdem)\b|"
    r"\benvoye[zr]?(?:-le)?\s+quand\s+m[êe]me\b|\bm[áa]nd(?:a|e)lo\s+igual\b|\bmanda(?:lo|mi)?\s+pure\b|\bstuur\s+maar\b",
    re.IGNORECASE,
)
_AGAIN = re.compile(
    r"\b(?:again|erneut|nochmals|noch\s+einmal|[àa]\s+nouveau|de\s+nuevo|di\s+nuovo|opnieuw|novamente|igen)\b|"
    r"\bre-?send|\brenvoy|\breenv[íi]",
    re.IGNORECASE,
)


def asks_to_be_sent(sentence: str) -> re.Match[str] | None:
    """A request that the reader send the sender something, unless it asks for the mail again later."""
    found = _SEND_ME.search(sentence)
    return None if found is None or _AGAIN.search(sentence) else found


def addresses_anyone(text: str) -> re.Match[str] | None:
    """The salutation of a template written for whoever writes, in the text's first line."""
    return _ANYONE.match(text.strip())


# Shapes that also occur in a person's news ("our warehouse is closed on the 14th", "I'm attending the congress"):
# the judgement asks more of a notice built on them.
WEAK_SHAPES = frozenset({"the office is closed", "taking part in something", "the team is away", "at a fair's stand"})
_NEEDS_DAYS = (_ATTENDING, _TEAM_AWAY, _AT_A_STAND)


def away_without_a_word(text: str) -> tuple[str, re.Match[str]] | None:
    """What says the sender cannot be reached though no word of absence does: a place that closes, a mailbox not
    read, a part-time week, a leave named by its grammar."""
    for name, pattern in (
        ("the office is closed", _CLOSURE),
        ("the mailbox is not read", _MAILBOX_UNREAD),
        ("a part-time week", _WORKING_WEEK),
        ("a leave of some kind", _ANY_LEAVE),
        ("the sender's absence named", _MY_ABSENCE),
        ("taking part in something", _ATTENDING),
        ("the team is away", _TEAM_AWAY),
        ("at a fair's stand", _AT_A_STAND),
    ):
        for found in pattern.finditer(text):
            if pattern is _TEAM_AWAY and _TEAM_SAYS_AWAY.search(found.group(0)):
                return "the team says it is away", found
            if pattern not in _NEEDS_DAYS or dated(text, found):
                return name, found
    return None


def dated(text: str, found: re.Match[str]) -> bool:
    """The sentence of `found` names a day ("resteranno chiusi lunedì 7 e martedì 8 dicembre", "du 1er au 4
    décembre", "12/14", "12月9日"): the period of the absence it states."""
    sentence = _sentence_of(text, found)
    return bool(
        _NUMERIC_DATE.search(sentence) or _NAMED_DATE.search(sentence) or _WEEKDAY_NAME.search(sentence)
        or re.search(_SHORT_SPAN, sentence, re.IGNORECASE)  # "Ich arbeite in Teilzeit (Mo–Mi)"
    )


def _sentence_of(text: str, found: re.Match[str]) -> str:
    return next((m.group(0) for m in _SENTENCE_SPANS.finditer(text) if m.start() <= found.start() < m.end()), "")


def without_working_week(text: str) -> str:
    """The text without its part-time week, whose weekdays are days worked, not a return."""
    return _WORKING_WEEK.sub(" ", text)


def limited_access(text: str) -> re.Match[str] | None:
    """Limited access to mail in any wording, unless it apologises for a slow answer already given."""
    for found in _LIMITED_PAIR.finditer(text):
        start = max(text.rfind(stop, 0, found.start()) for stop in (". ", "! ", "? ", "。", "\n"))
        if not _APOLOGY.search(text[start + 1 : found.end()]):
            return found
    return None


def handled_later(text: str) -> re.Match[str] | None:
    return _HANDLED_LATER.search(text)


def next_working_day(text: str) -> re.Match[str] | None:
    return _NEXT_WORKING_DAY.search(text)


def not_forwarded(text: str) -> re.Match[str] | None:
    return _NOT_FORWARDED.search(text)


def another_address(text: str, sender_address: str) -> re.Match[str] | None:
    """An address other than the sender's, where a notice sends the reader instead."""
    own = sender_address.lower()
    return next((a for a in _ADDRESS.finditer(text) if a.group(0).lower() != own), None)


_WEEKDAY_INDEX = (
    ("mon", "montag", "lundi", "lunes", "luned", "maandag", "segunda"),
    ("tue", "dienstag", "mardi", "martes", "marted", "dinsdag", "ter"),
    ("wed", "mittwoch", "mercredi", "mi", "mercoled", "woensdag", "quarta"),
    ("thu", "donnerstag", "jeudi", "jueves", "gioved", "donderdag", "quinta"),
    ("fri", "freitag", "vendredi", "viernes", "venerd", "vrijdag", "sexta"),
)
_WEEKDAY_NAME = re.compile(rf"\b(?:{_WEEKDAYS})\b", re.IGNORECASE)
_SPAN_WORD = re.compile(r"^\W*(?:to|through|till|until|bis|tot(?:\s+en\s+met)?|t/m|[àa]|au|al|a)?\W*$", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|n'?t|nicht|niet|pas|no|non|não|inte|ikke)\b", re.IGNORECASE)


def _weekday(word: str) -> int | None:
    word = word.lower()
    for index, prefixes in enumerate(_WEEKDAY_INDEX):
        if any(word.startswith(p) for p in prefixes):
            return index
    return None


def back_on_a_working_day(text: str, anchor: datetime | None) -> date | None:
    """The next of the days a part-time notice says the sender works ("I work Monday to Wednesday", "Ik ben aanwezig
    op maandag, dinsdag en donderdag"), after the day it was sent. None when the days are those not worked."""
    found = _WORKING_WEEK.search(text)
    if anchor is None or found is None:
        return None
    clause = found.group(0) + re.split(r"[,;.!?\n]", text[found.end() : found.end() + 40], maxsplit=1)[0]
    if _NEGATION.search(clause):
        return None  # "montags und freitags nicht im Büro": the days named are those not worked
    short = re.search(rf"\b({_SHORT_DAY})\.?\s*[-–]\s*({_SHORT_DAY})\b", found.group(0), re.IGNORECASE)
    names = list(_WEEKDAY_NAME.finditer(found.group(0)))
    days = [d for d in (_weekday(n.group(0)) for n in names) if d is not None]
    if short:  # "Mon-Wed", "Mo–Mi": the span written short
        working = set(range(_SHORT_INDEX[short.group(1).lower()], _SHORT_INDEX[short.group(2).lower()] + 1))
    elif len(days) != len(names) or len(days) < 2:
        return None
    else:
        between = found.group(0)[names[0].end() : names[1].start()]
        working = set(range(days[0], days[1] + 1)) if len(days) == 2 and _SPAN_WORD.match(between) else set(days)
    day = anchor.date()
    for _ in range(7):
        day += timedelta(days=1)
        if day.weekday() in working:
            return day
    return None


def sender_names(display_name: str, address: str) -> frozenset[str]:
    """The sender's own names, lower case: the words of the display name and of the address's local part."""
    local = address.split("@", 1)[0]
    words = re.findall(r"[^\W\d_]{2,}", display_name) + re.split(r"[._+-]", local)
    return frozenset(w.lower() for w in words if len(w) >= 2)


# "This is not an automatic reply", "本メールは自動返信ではありません", "본 메일은 자동 회신이 아닙니다": the words
# deny what they name.
_DENIED_BEFORE = re.compile(
    r"(?:\bnot\s+(?:an?\s+)?|\bno\s+(?:es\s+)?(?:una?\s+)?|\bkeine?\s+|\bpas\s+(?:une?\s+)?|\bnon\s+(?:[èe]\s+)?(?:una?\s+)?|"
    r"\bgeen\s+|\bn[ãa]o\s+(?:[ée]\s+)?(?:uma?\s+)?|\binte\s+(?:ett\s+)?|\bikke\s+(?:et\s+)?|\bnie\s+(?:jest\s+)?|不是)$",
    re.IGNORECASE,
)
_DENIED_AFTER = re.compile(r"^\s*(?:では(?:あり|ござい)ません|ではない|(?:이|가)?\s*아닙니다|(?:이|가)?\s*아님)")


def denied(text: str, found: re.Match[str]) -> bool:
    """The words found are said not to apply ("this is not an automatic reply")."""
    return bool(_DENIED_BEFORE.search(text[max(0, found.start() - 20) : found.start()])
                or _DENIED_AFTER.match(text[found.end() : found.end() + 12]))
