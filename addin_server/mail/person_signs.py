"""Signs that a person answers, read from the shape of a sentence rather than from a list of answers.

Each round of fresh test messages found people who mention an absence and answer in words no list held
("mais d'accord pour un appel le 6 à 10h", "comunque confermo l'ordine", "下周二下午三点可以通话"). Two
shapes catch them without knowing the words of the answer:

- **A turn to something else.** After "but / aber / mais / pero / ma / men / 但是 / ですが ...", a notice
  goes on with another of its own parts: limited access, a stand-in, a reply put off, a date, a contact
  ("I'm away, but will check email occasionally"). A person turns to the matter of the email. So a clause
  after a turn word that holds no part of a notice (no absence, period, return, redirection, limited
  access, reply put off, address, phone, and no talk of mail, replies or contact) is a person's.
- **A clock time proposed.** "Friday at 9", "le 6 à 10h", "måndag kl 10", "15時", "三点", "10시": a notice
  gives clock times only for an end ("until 3pm", "back at 2pm") or opening hours ("9:00-17:00"). A clock
  time whose sentence has none of those is a time the person proposes.

- **The matter of the email.** A notice is written before the rep's email arrives: it can route offers or
  orders elsewhere ("for quotes, contact sales@..."), but it cannot decide about them. A sentence that
  names the things a sales conversation is about (an offer, a proposal, a contract, an order, a budget, a
  pilot, a demo: "Il budget è approvato", "Akceptujemy ofertę", "方案我们同意"), or decides about it
  ("Chefen har godkänt", "the CFO signed off", "내부 승인이 났으니"), and holds no part of a notice (no routing,
  no contact, no date, no talk of mail or replies) is a person's.

- **Something already done with the rep's email.** A template is written before the email arrives, so it
  can promise ("your email will be forwarded") but cannot report that its owner passed this email on: "I've
  forwarded this to Sam", "Já repassei seu contato para o nosso diretor", "Ich habe es weitergeleitet".

- **What the rep's email said, referred to.** "The numbers you sent look sensible", "你们上次提到的折扣": only
  a reader can speak of what the email sent or mentioned (the sentence may not talk of mail or replies).

All are signs of a person weighed like the others in mail/absence.py (-3 each).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Words that turn a sentence; the short ones that are also other words ("ma", "men", "ale", "mas", and "mais",
# which is Portuguese for "more") only after a comma.
_TURN = re.compile(
    r"(?:^|(?<=[\s,;:—–(-]))(?:but|however|aber|jedoch|trotzdem|dennoch|cependant|toutefois|pero|però|comunque|"
    r"tuttavia|maar|porém|contudo|dock|ändå|alligevel|likevel|mutta|kuitenkin|jednak|však|přesto|но|однако|fakat|ancak)"
    r"\b[,:]?\s+|[,;]\s*(?:ma|men|mas|mais|ale|ama|toch|still|anyway|though|sin\s+embargo|no\s+entanto|mimo\s+to|yine\s+de)"
    r"\b[,:]?\s+|(?:但是|但|不过|不過|可是|ですが、?|けれど(?:も)?、?|けど、?|が、|하지만|그래도|그러나)\s*",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.!?。！？\n]")
# A clause that speaks of mail, replies or contact is still the notice's (in the languages of the packs).
_NOTICE_TOPIC = re.compile(
    r"\b(?:e-?mails?|\bmails?\b|messages?|repl(?:y|ies)|respon[sd]|answer|contact|reach|available|back\b|return|"
    r"nachricht|antwort|erreichbar|kontakt|zurück|courriel|répon|joignable|retour|correo|mensaje|respuest|respond|"
    r"contact|regres|vuelt|posta|messaggi|rispo|contatt|rientr|bericht|antwoord|reageer|bereikbaar|terug|mensage|"
    r"respost|retorn|mejl|e-?post|svar|tillbaka|tilbage|tilbake|sähköpost|viest|vastaa|palaa|wiadomo|odpowi|poczt|"
    r"zpráv|odpov|почт|сообщени|ответ|связ|вернусь|e-?posta|mesaj|yanıt|cevap|dönüş|will\s+be\s+forwarded|"
    r"weitergeleitet|transféré|reenviad|inoltrat|doorgestuurd|encaminhad|vidarebefordra|videresend|przekazywan|"
    r"přeposlán|переслан|iletil|"
    # courtesy that closes a notice: thanks for the understanding, sorry for the trouble, season's greetings
    r"understanding|apologi|inconvenience|verständnis|entschuldig|compréhension|excuse|désagrément|comprensi[oó]n|"
    r"disculp|molestias|scus|disagio|begrip|ongemak|compreens|desculp|incômodo|förståelse|ursäkt|forståelse|ymmärry|"
    r"zrozumieni|przeprasz|pochopení|omlouv|понимани|извин|anlayış|özür|happy|merry|season|frohe|joyeuse|bonnes\s+fêtes|"
    r"feli[zc]|buon[ae]?\s+(?:feste|natale|anno)|prettige|fijne|boas\s+festas|god\s+jul|gott\s+nytt|glædelig|hyvää|"
    r"wesołych|veselé|с\s+новым|mutlu)|メール|返信|連絡|戻|邮件|郵件|回复|回覆|联系|聯繫|返回|메일|회신|연락|복귀|転送|转发|"
    r"轉發|전달|よろしくお願い|ご了承|ご迷惑|ご不便|ご理解|谅解|諒解|见谅|見諒|感谢|感謝|양해|감사|新年|良いお年|새해",
    re.IGNORECASE,
)
_CONTACT_DETAILS = re.compile(r"\S@\S|https?://|\bwww\.|\+\d|\d(?:[\s()./-]?\d){6,}")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def _size(text: str) -> int:
    """Words in a text: runs of letters, and two characters of a script written without spaces as one."""
    return len(re.findall(r"[^\W\d_]{2,}", _CJK.sub(" ", text))) + len(_CJK.findall(text)) // 2

# A clock time: "9:30", "3pm", "at 9", "um 10 Uhr", "à 10h", "a las 9", "às 10h", "alle 10", "om 10 uur",
# "kl 10", "o godz. 10", "в 10", "saat 10", "15時", "三点", "10시".
_CLOCK = re.compile(
    r"(?<![:\d])\d{1,2}:\d{2}(?![:\d])|\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\bat\s+\d{1,2}\b(?!\s*(?:%|st|nd|rd|th|\w))|"
    r"\bum\s+\d{1,2}(?:[.:]\d{2})?(?:\s*uhr)?\b|\b\d{1,2}(?:[.:]\d{2})?\s*uhr\b|\b(?:à|a|vers)\s+\d{1,2}\s*h(?:\d{2})?\b|"
    r"\b\d{1,2}h\d{2}\b|\ba\s+las\s+\d{1,2}\b|\bàs\s+\d{1,2}\b|\balle\s+(?:ore\s+)?\d{1,2}\b|\bom\s+\d{1,2}(?:\s*uur)?\b|"
    r"\bkl\.?\s*\d{1,2}\b|\bo\s+(?:godz(?:inie|\.)?\s*)?\d{1,2}\b|\bв\s+\d{1,2}(?::\d{2})?\b(?!\s*[а-я])|"
    r"\bsaat\s+\d{1,2}\b|\d{1,2}時(?!間)|(?:上午|下午|晚上|早上|中午)\s*[\d一二三四五六七八九十两兩]+[点點]|\d{1,2}[点點](?:半|钟|鐘)?|"
    r"\d{1,2}\s*시(?!간)",
    re.IGNORECASE,
)
# A clock time that ends an absence, opens an office or is part of a range is the notice's, not a proposal.
_NOT_PROPOSED = re.compile(
    r"\b(?:until|till|from|back|between|after|before|bis|ab|von|zwischen|jusqu|entre|hasta|desde|fino|dalle|tot|vanaf|"
    r"até|från|do|od|до|с|по|kadar|itibaren)\b|"
    r"\b(?:return|open|hours|zurück|wieder|geöffnet|partir|retour|ouvert|horaire|regres|vuelt|abiert|rientr|apert|orari|"
    r"terug|geopend|volt|retorn|abert|tillbaka|öppet|tilbage|tilbake|åben|åpen|powr|после|dön)\w*|"
    # a place closing at a time ("our offices close at 1pm on the 24th", "reopen", "schließen um 12 Uhr")
    r"\b(?:clos(?:e|es|ing)\b|re-?open|schlie(?:ß|ss)en|ferm|cierr|chiud|sluit|fech|encerr)\w*|"
    r"まで|から|以降|戻|到|至|前|后|後|返回|回来|까지|부터|복귀|\d\s*[-–~〜～]\s*\d",
    re.IGNORECASE,
)


# The things a sales conversation is about, in the languages of the packs (stems where words inflect).
_MATTER = re.compile(
    r"\b(?:offer|proposal|quote|quotation|pricing|contract|agreement|order\s+form|purchase\s+order|invoice|budget|pilot|"
    r"trial|demo|licen[cs]e|renewal|deck|annual\s+plan|angebot|vorschlag|vertrag|auftrag|bestellung|rechnung|"
    r"kostenvoranschlag|lizenz|konditionen|offre|proposition|devis|contrat|bon\s+de\s+commande|facture|pilote|démo|"
    r"oferta|propuesta|presupuesto|contrato|pedido|factura|piloto|licencia|offerta|proposta|preventivo|contratto|ordine|"
    r"fattura|pilota|licenza|offerte|voorstel|bestelling|factuur|licentie|or[çc]amento|nota\s+fiscal|fatura|licen[çc]a|"
    r"offert|förslag\w*|avtal\w*|kontrakt\w*|beställning|faktur\w*|licens|tilbud\w*|forslag\w*|aftale\w*|avtale\w*|"
    r"ordre|bestilling|budsjett|tarjou\w*|ehdotu\w*|sopimu\w*|tilau\w*|lasku\w*|budjet\w*|ofert\w*|propozycj\w*|"
    r"wycen\w*|umow\w*|zamówieni\w*|budżet\w*|nabídk\w*|smlouv\w*|objednáv\w*|rozpoč\w*|предложени\w*|договор\w*|"
    r"заказ\w*|сч[её]т\w*|бюджет\w*|пилот\w*|контракт\w*|teklif\w*|sözleşme\w*|sipariş\w*|fatura\w*|bütçe\w*)\b|"
    r"提案|見積|契約|発注|注文|請求書|予算|トライアル|方案|报价|報價|合同|合約|订单|訂單|发票|發票|预算|預算|试用|試用|"
    r"제안|견적|계약|발주|청구서|예산|"
    # deciding about it: approved, signed off, decided, go ahead, we start
    r"\b(?:approv\w*|signed\s+off|go\s+ahead\s+with|greenlit|decided\s+to|genehmigt|freigegeben|entschieden|approuvé\w*|"
    r"décidé|allez-y|aprobad\w*|aprobamos|nos\s+quedamos\s+con|adelante\s+con|approvat\w*|deciso|procediamo|"
    r"goedgekeurd|besloten|aprovad\w*|aprovamos|pode\s+(?:seguir|prosseguir)|godkän\w*|godkend\w*|godkjen\w*|"
    r"beslutat|besluttet|hyväksy\w*|päätimme|zatwierdzi\w*|zdecydowali\w*|schválil\w*|schváleno|rozhodli|одобр\w*|"
    r"утвердил\w*|решили|дало\s+добро|onay\s+verdi|onaylandı|karar\s+verdik|"
    # agreeing to it
    r"we\s+agree|einverstanden|d['’]accord|de\s+acuerdo|d['’]accordo|akkoord|de\s+acordo|överens|enige|zgadzam\w*|"
    r"souhlasím\w*|согласн\w*|katılıyoruz)\b|"
    r"稟議|決裁|承認され|決めました|批准|批了|决定了|決定了|同意します|賛成|승인|결재|동의합니다",
    re.IGNORECASE,
)


# Clauses of a sentence: split at its commas and at any word that turns it ("..., ama ...", "...입니다만 ...").
_CLAUSE_SPLIT = re.compile(
    r"[,;:，、；：—–]|\s-\s|\s(?:but|aber|mais|pero|ma|maar|mas|men|ale|ama|но|mutta|však|fakat)\s|(?<=입니다만)\s|"
    r"(?<=지만)\s|"
    r"(?<=ですが)|(?<=けど)|(?<=不过)|(?<=但是)",
    re.IGNORECASE,
)


def speaks_of_the_matter(text: str, is_notice_part: Callable[[str], bool]) -> str | None:
    """A clause about the email's matter (an offer, a contract, a budget, a decision) that is no part of a notice."""
    for sentence in re.split(r"(?<=[.!?。！？])\s*|\n", text[:4000]):
        if not _MATTER.search(sentence) or _size(sentence) < 3:
            continue
        for clause in _CLAUSE_SPLIT.split(sentence):
            if not _MATTER.search(clause):
                continue
            if _NOTICE_TOPIC.search(clause) or _CONTACT_DETAILS.search(clause) or is_notice_part(clause):
                continue
            # The rest of the sentence may not route the matter elsewhere ("for quotes, contact sales@...").
            if _NOTICE_TOPIC.search(sentence) or _CONTACT_DETAILS.search(sentence):
                continue
            return " ".join(clause.split())[:50]
    return None


# The sender, in the first person and a past tense, passed the email (or the rep's contact) on.
_ALREADY_PASSED_ON = re.compile(
    r"\bi\s*(?:'ve|’ve|\s+have)?\s+(?:already\s+|just\s+)?(?:forwarded|passed(?:\s+on)?|shared|sent|showed|shown)\s+"
    r"(?:this|it|your|\w+\s+(?:this|it|your))\b|"
    r"\b(?:ich\s+)?habe\s+(?:ihm\s+|ihr\s+|ihnen\s+)?(?:ihre\s+\w+\s+|es\s+|das\s+|dies\s+|sie\s+)?(?:bereits\s+|schon\s+)?(?:an\s+(?:\S+\s+){1,3})?"
    r"(?:weitergeleitet|weitergegeben|gezeigt)\b|\bj['’]ai\s+(?:déjà\s+)?(?:transféré|transmis|fait\s+suivre)\b|"
    r"\b(?:ya\s+)?(?:he\s+(?:reenviado|pasado|compartido)|reenvié|pasé\s+(?:su|tu)|compartí)\b|"
    r"\bho\s+(?:già\s+)?(?:girato|inoltrato|passato)\b|\b(?:já\s+)?(?:repassei|encaminhei|compartilhei)\b|"
    r"\bik\s+heb\s+(?:het|dit|je|uw)\s+(?:\w+\s+)?(?:al\s+)?doorgestuurd\b|\bjag\s+har\s+(?:redan\s+)?"
    r"(?:vidarebefordrat|skickat\s+vidare)\b|\bjeg\s+har\s+(?:allerede\s+)?(?:videresendt|sendt\s+(?:det\s+)?videre)\b|"
    r"\b(?:już\s+)?przekazał(?:em|am)\b|\bjsem\s+(?:už\s+)?přeposlal\w*|\bя\s+(?:уже\s+)?переслал\w*|"
    r"転送しました|転送いたしました|共有しました|我已(?:经|經)?(?:把[^，。]{1,8})?(?:转发|轉發|转给|轉給)|전달했습니다|전달드렸습니다",
    re.IGNORECASE,
)


# What the rep's email said, referred to by the reader: "the numbers you sent", "as you mentioned", "你们上次提到的".
_WHAT_YOU_SAID = re.compile(
    r"\b(?:you|u)\s+(?:sent|mentioned|proposed|suggested|offered|quoted|described|shared|attached|outlined)\b|"
    r"\bsie\s+(?:erwähnt|vorgeschlagen|geschickt|angeboten|beschrieben)\w*|\bvous\s+(?:avez|m['’]avez)\s+"
    r"(?:envoyé|mentionné|proposé|suggéré|décrit)\w*|\b(?:me\s+)?(?:enviaste|mencionaste|propusiste|mencionó|propuso|"
    r"envió)\b|\b(?:mi\s+)?(?:hai|ha)\s+(?:mandato|inviato|proposto|menzionato)\b|\bje\s+(?:stuurde|noemde)\b|"
    r"\bu\s+(?:stuurde|noemde)\b|\b(?:você|vocês)\s+(?:mencionou|enviou|propôs|mandou)\b|\bdu\s+(?:skickade|nämnde)\b|"
    r"你们(?:上次)?(?:提到|发来|发的|說的|说的)|您(?:上次)?(?:提到|发来|说的)|ご提示いただいた|お送りいただいた|"
    r"말씀하신|보내주신",
    re.IGNORECASE,
)


def refers_to_what_the_rep_said(text: str) -> str | None:
    """The reader refers to what the rep's email said or sent: only someone who read it can."""
    for sentence in re.split(r"(?<=[.!?。！？])\s*|\n", text[:4000]):
        found = _WHAT_YOU_SAID.search(sentence)
        if found and not _NOTICE_TOPIC.search(sentence) and not _CONTACT_DETAILS.search(sentence):
            return " ".join(sentence.split())[:50]
    return None


def already_passed_on(text: str) -> str | None:
    """The sender reports having passed the email or the rep's contact on: a template cannot know that."""
    found = _ALREADY_PASSED_ON.search(text[:4000])
    return " ".join(found.group(0).split())[:50] if found else None


def turns_to_the_matter(text: str, is_notice_part: Callable[[str], bool]) -> str | None:
    """A clause after a turn word that holds no part of a notice: the person turns to the email's matter."""
    for turn in _TURN.finditer(text[:4000]):
        rest = text[turn.end() :]
        end = _CLAUSE_END.search(rest)
        clause = rest[: end.start() if end else 300][:300].strip()
        if _size(clause) < 2:
            continue
        if _NOTICE_TOPIC.search(clause) or _CONTACT_DETAILS.search(clause) or is_notice_part(clause):
            continue
        return " ".join(f"{turn.group(0).strip()} {clause}".split())[:50]
    return None


def proposes_a_time(text: str) -> str | None:
    """A clock time in a sentence that does not end an absence, open an office or span a range."""
    for sentence in re.split(r"(?<=[.!?。！？])\s*|\n", text[:4000]):
        clock = _CLOCK.search(sentence)
        if clock and not _NOT_PROPOSED.search(sentence) and not _CONTACT_DETAILS.search(sentence):
            return " ".join(sentence.split())[:50]
    return None
