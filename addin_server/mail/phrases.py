"""Words and phrases that mark automatic mail, by language, as compiled patterns.

Kept apart from the decision logic so a new language or MTA format is one line here. Every pattern
is matched case-insensitively on text already decoded to Unicode.
"""

from __future__ import annotations

import re


def _any(*phrases: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in phrases), re.IGNORECASE)


# Prefixes a mail client puts before the original subject of an automatic reply. Exchange and
# Outlook localise "Automatic reply:"; Lotus Notes writes "AUTO:"; others write "Autoreply:".
AUTO_REPLY_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:"
    + "|".join(
        [
            r"auto(?:matic|mated)?[\s_-]?(?:reply|response|respons|answer)",
            r"auto\s*:",
            r"autoreply",
            r"autorespond(?:er)?",
            r"out\s+of\s+(?:the\s+)?office",
            r"o\.?o\.?o\b",
            r"automatische\s+(?:antwort|rückantwort|rueckantwort)",
            r"abwesenheits?(?:notiz|nachricht|meldung)?",
            r"réponse\s+automatique",
            r"reponse\s+automatique",
            r"absence\s+du\s+bureau",
            r"absent(?:e)?\s+du\s+bureau",
            r"message\s+d'absence",
            r"respuesta\s+autom[aá]tica",
            r"fuera\s+de\s+(?:la\s+)?oficina",
            r"risposta\s+automatica",
            r"fuori\s+(?:ufficio|sede)",
            r"automatisch\s+antwoord",
            r"afwezig(?:heid)?",
            r"resposta\s+autom[aá]tica",
            r"fora\s+do\s+escrit[oó]rio",
            r"automatiskt\s+svar",
            r"automatisk\s+svar",
            r"autosvar",
            r"fr[åa]nvaro(?:meddelande)?",
            r"fravær(?:smelding|smeddelelse)?",
            r"automaattinen\s+vastaus",
            r"poissa(?:olo)?",
            r"automatyczna\s+odpowied[źz]",
            r"nieobecno[śs][ćc]",
            r"автоматический\s+ответ",
            r"автоответ",
            r"отсутств",
            r"自動応答",
            r"自動返信",
            r"不在通知",
            r"自动回复",
            r"自動回覆",
            r"自動回復",
            r"자동\s*회신",
            r"자동\s*응답",
            r"부재\s*중",
            r"automatick[aá]\s+odpov[eě]ď",
            r"otomatik\s+(?:yan[ıi]t|cevap)",
            r"automatikus\s+v[aá]lasz",
            r"vacation\s*(?:reply|:)",
            r"on\s+(?:vacation|holiday|leave)",
            r"away\s+(?:from|until|till)",
        ]
    )
    + r")",
    re.IGNORECASE,
)

# A reply or forward written by a person keeps one of these in front of the subject.
REPLY_PREFIX = re.compile(
    r"^\s*(?:re|fw|fwd|aw|wg|tr|rv|sv|vs|vl|odp|pd|r|enc|res|antw|doorst|ynt|ответ|回复|答复|転送|返信)\s*(?:\[\d+\])?\s*[:：]",
    re.IGNORECASE,
)

# Sentences of an out-of-office text, in the languages the product must read.
OUT_OF_OFFICE_TEXT = _any(
    # English
    r"\bout\s+of\s+(?:the\s+)?office\b",
    r"\bi\s*(?:'m|’m|\s+am|\s+will\s+be)\s+(?:currently\s+)?(?:away|out|on\s+(?:vacation|holiday|leave|annual\s+leave|"
    r"parental\s+leave|maternity\s+leave|paternity\s+leave|sick\s+leave|a\s+business\s+trip|pto|travel))",
    r"\b(?:annual|parental|maternity|paternity|sick)\s+leave\b",
    r"\blimited\s+(?:access\s+to\s+(?:e-?mail|my\s+e-?mail)|e-?mail\s+access)\b",
    r"\bwill\s+(?:be\s+)?(?:back|return(?:ing)?)\s+(?:in\s+the\s+office\s+)?(?:on|at|from|by)\b",
    r"\bback\s+in\s+the\s+office\b",
    r"\baway\s+from\s+(?:the\s+)?(?:office|my\s+desk|e-?mail)\b",
    r"\bon\s+vacation\b",
    r"\bvacation\s+(?:auto-?)?(?:reply|responder|message)\b",
    r"\bis\s+out\s+of\s+(?:the\s+)?office\b",
    r"\b(?:when|once)\s+i\s*(?:'m|’m|\s+am|\s+get)\s+back\b",
    r"\b(?:upon|on|after)\s+my\s+return\b",
    r"\bi\s+(?:am|'m|’m|will\s+be)\s+(?:currently\s+)?unavailable\b",
    r"\b(?:public|bank)\s+holiday\b",
    r"\boffice\s+(?:is\s+|will\s+be\s+)?closed\b",
    r"\b(?:on|taking)\s+(?:a\s+)?(?:leave|time\s+off|sabbatical)\b",
    # German
    r"\babwesen(?:d|heit)",
    r"\bnicht\s+im\s+(?:büro|buero|haus|office)\b",
    r"\bau(?:ß|ss)er\s+haus(?:e)?\b",
    r"\b(?:im|in)\s+urlaub\b",
    r"\burlaubsbedingt\b",
    r"\bnicht\s+erreichbar\b",
    r"\bbin\s+(?:ich\s+)?(?:ab\s+dem\s+[\d.]+\s+)?wieder\s+(?:im\s+büro|erreichbar|da)",
    # French
    r"\bje\s+suis\s+(?:actuellement\s+)?(?:absente?|en\s+(?:congés?|vacances|déplacement))",
    r"\babsente?\s+(?:du\s+bureau|jusqu)",
    r"\ben\s+(?:congés?|vacances)\b",
    r"\bde\s+retour\s+(?:le|au\s+bureau|à\s+partir)",
    # Spanish
    r"\bfuera\s+de\s+(?:la\s+)?oficina\b",
    r"\b(?:estoy|estar[ée])\s+(?:ausente|de\s+vacaciones|fuera)",
    r"\bde\s+vacaciones\b",
    # Italian
    r"\bfuori\s+(?:ufficio|sede)\b",
    r"\bsono\s+(?:assente|in\s+ferie|fuori)",
    r"\bin\s+ferie\b",
    # Dutch
    r"\b(?:ik\s+ben\s+)?(?:afwezig|niet\s+aanwezig|met\s+vakantie|op\s+vakantie)\b",
    r"\bbuiten\s+kantoor\b",
    # Portuguese
    r"\b(?:estou|estarei)\s+(?:ausente|de\s+f[ée]rias|fora)",
    r"\bfora\s+do\s+escrit[oó]rio\b",
    r"\bde\s+f[ée]rias\b",
    # Swedish / Norwegian / Danish
    r"\bjag\s+är\s+(?:ledig|borta|på\s+semester|tjänstledig|föräldraledig)",
    r"\bfr[åa]nvarande\b",
    r"\bpå\s+(?:semester|ferie)\b",
    r"\bjeg\s+er\s+(?:på\s+ferie|borte|fraværende|ikke\s+på\s+kontoret|ikke\s+tilstede)",
    r"\bfravær(?:ende)?\b",
    r"\bikke\s+på\s+kontoret\b",
    # Finnish
    r"\bolen\s+(?:lomalla|poissa|matkoilla)",
    r"\blomalla\b",
    r"\bpoissa\s+toimistolta\b",
    # Polish
    r"\bjestem\s+(?:na\s+urlopie|nieobecn[ya]|poza\s+biurem)",
    r"\bpoza\s+biurem\b",
    r"\bna\s+urlopie\b",
    r"\bnieobecn(?:y|a|o[śs][ćc])\b",
    # Russian
    r"\bв\s+отпуске\b",
    r"\bотсутству(?:ю|ет)\b",
    r"\bнет\s+на\s+месте\b",
    r"\bвне\s+офиса\b",
    r"\bв\s+командировке\b",
    # Japanese, Chinese, Korean (no word boundaries in these scripts)
    r"不在にして",
    r"休暇",
    r"出張中",
    r"外出中",
    r"不在",
    r"休假",
    r"请假",
    r"不在办公室",
    r"不在辦公室",
    r"假期",
    r"부재\s*중",
    r"휴가",
    r"출장\s*중",
)

# "This is an automatic reply" said in the body as a sentence about the message itself: a person
# does not write that about their own mail. Enough, with an absence sentence, to call it an auto-reply.
AUTOMATIC_REPLY_STATEMENT = _any(
    r"\bthis\s+is\s+an?\s+(?:automatic|automated|auto-?generated|auto)[\s-]*(?:reply|response|message|"
    r"e-?mail|notification)",
    r"\bthis\s+(?:message|e-?mail)\s+(?:is|was)\s+(?:sent\s+)?(?:automatically|auto-?generated)",
    r"\bdies\s+ist\s+eine\s+automatische\s+(?:antwort|nachricht|e-?mail|benachrichtigung)",
    r"\bdiese\s+(?:nachricht|e-?mail)\s+wurde\s+automatisch",
    r"\bceci\s+est\s+une?\s+(?:réponse|message)\s+automatique",
    r"\besta\s+es\s+una\s+respuesta\s+autom[aá]tica",
    r"\bquesta\s+è\s+una\s+risposta\s+automatica",
    r"\bdit\s+is\s+een\s+automatisch",
    r"\besta\s+é\s+uma\s+resposta\s+autom[aá]tica",
    r"\bdetta\s+är\s+ett\s+automatiskt\s+svar",
    r"\bdette\s+er\s+et\s+automatisk\s+svar",
    r"\btämä\s+on\s+automaattinen\s+vastaus",
    r"\bto\s+jest\s+automatyczna\s+odpowied[źz]",
    r"\bэто\s+автоматическ(?:ий|ое)\s+(?:ответ|сообщение)",
    r"自動応答",
    r"自動返信",
    r"自动回复",
    r"自動回覆",
    r"自動回復",
    r"자동\s*(?:회신|응답)",
)

# The same idea in looser words; counted only next to a header or subject signal.
AUTOMATIC_REPLY_WORDS = _any(
    r"\b(?:automatic|automated)\s+(?:reply|response)\b",
    r"\bautoreply\b",
    r"\bautomatische\s+(?:antwort|abwesenheitsnotiz)",
    r"\bréponse\s+automatique\b",
    r"\brespuesta\s+autom[aá]tica\b",
    r"\brisposta\s+automatica\b",
    r"\bautomatisch\s+antwoord\b",
    r"\bresposta\s+autom[aá]tica\b",
    r"\bautomatiskt\s+svar\b",
    r"\bautomatisk\s+svar\b",
    r"\bautomaattinen\s+vastaus\b",
    r"\bautomatyczna\s+odpowied[źz]\b",
    r"\bавтоматическ(?:ий|ое)\s+(?:ответ|сообщение)",
)

# An automatic acknowledgement from a help desk or shop is automatic mail, not an absence.
ACKNOWLEDGEMENT_TEXT = _any(
    r"\b(?:we|we've|we\s+have)\s+(?:have\s+)?received\s+your\s+(?:request|message|e-?mail|enquiry|inquiry|ticket)",
    r"\bthank\s+you\s+for\s+(?:contacting\s+(?:us|our)|your\s+(?:request|enquiry|inquiry|order))",
    r"\b(?:ticket|case|request)\s*(?:number|no\.?|id|#)\s*[:#]?\s*[A-Z]*[-#]?\d{3,}",
    r"\bwir\s+haben\s+ihre\s+(?:anfrage|nachricht|e-?mail)\s+erhalten",
    r"\bnous\s+avons\s+(?:bien\s+)?reçu\s+votre\s+(?:demande|message)",
    r"\bgracias\s+por\s+(?:contactar|escribir|su\s+(?:mensaje|consulta)|tu\s+(?:mensaje|consulta))",
    r"\bestamos\s+procesando",
    r"\bhemos\s+recibido\s+su\s+(?:mensaje|solicitud|consulta)",
    r"\babbiamo\s+ricevuto\s+la\s+(?:sua|tua)\s+(?:richiesta|e-?mail)",
    r"\bwe\s+will\s+(?:get\s+back|respond|reply)\s+to\s+you\s+(?:as\s+soon|shortly|within)",
)

# "No longer with the company" and its siblings: the contact has left, the address will not come back.
LEFT_COMPANY_TEXT = _any(
    r"\bno\s+longer\s+(?:with|at|employed|working|part\s+of|a\s+member|an?\s+employee|in\s+the\s+employ|"
    r"in\s+use|active|monitored|valid|in\s+service|associated)",
    r"\b(?:has|have)\s+(?:now\s+)?left\s+(?:the\s+(?:company|organi[sz]ation|firm|business|group|team)|"
    r"[A-Z][\w&.-]*)",
    r"\bleft\s+the\s+(?:company|organi[sz]ation|firm)\b",
    r"\bno\s+longer\s+works?\s+(?:for|at|with|here)",
    r"\bnicht\s+mehr\s+(?:im\s+unternehmen|bei\s+uns|für\s+uns|bei\s+der|in\s+unserem|tätig|beschäftigt|erreichbar\s+unter"
    r"|aktiv|verfügbar)",
    r"\bhat\s+(?:das\s+unternehmen|die\s+firma|unser\s+unternehmen)\s+verlassen",
    r"\bist\s+(?:aus\s+dem\s+unternehmen\s+)?ausgeschieden",
    r"\bne\s+fait\s+plus\s+partie",
    r"\ba\s+quitté\s+(?:la\s+société|l'entreprise|l’entreprise|le\s+groupe|notre)",
    r"\bn['’]est\s+plus\s+(?:en\s+poste|chez|dans|au\s+sein|active|utilisée|valide)",
    r"\bya\s+no\s+(?:trabaja|forma\s+parte|está\s+en|pertenece|está\s+activ)",
    r"\bha\s+dejado\s+la\s+empresa",
    r"\bnon\s+(?:fa|lavora)\s+più",
    r"\bha\s+lasciato\s+(?:l'azienda|la\s+società)",
    r"\bniet\s+(?:meer|langer)\s+(?:werkzaam|in\s+dienst|actief|in\s+gebruik)",
    r"\bis\s+uit\s+dienst\b",
    r"\bnão\s+(?:faz\s+mais\s+parte|trabalha\s+mais|está\s+mais)",
    r"\b(?:har\s+)?slutat\s+(?:på|hos|sin\s+anställning)",
    r"\binte\s+längre\s+(?:anställd|verksam|i\s+bruk)",
    r"\b(?:har\s+)?sluttet\s+(?:i|hos|ved)",
    r"\bikke\s+(?:lenger|længere)\s+(?:ansatt|ansat|i\s+bruk|i\s+brug|aktiv)",
    r"\bei\s+(?:enää|ole\s+enää)\s+(?:työskentele|töissä|käytössä)",
    r"\bnie\s+(?:pracuje\s+już|jest\s+już\s+pracownikiem)",
    r"\bjuż\s+nie\s+pracuje",
    r"\bбольше\s+не\s+(?:работает|сотрудник|используется)",
    r"\bуволил(?:ся|ась)",
    r"退職",
    r"离职",
    r"離職",
    r"퇴사",
)

# Headers of a delivery report written as text by an MTA; a person does not type these.
BOUNCE_SUBJECT = _any(
    r"^\s*(?:\*+\s*)?undeliverable",
    r"^\s*undelivered\s+mail",
    r"^\s*(?:mail\s+)?delivery\s+(?:status\s+notification|notification|failure|failed|report|problem|error|delayed)",
    r"^\s*returned\s+mail",
    r"^\s*mail\s+delivery\s+(?:failed|failure|system|subsystem|error|problem|warning)",
    r"^\s*(?:メールエラー|エラーメール|配信エラー)",
    r"^\s*failure\s+notice",
    r"^\s*(?:message\s+)?(?:non-?delivery|nondeliverable|non\s+deliverable)",
    r"^\s*(?:message|mail)\s+(?:not\s+delivered|could\s+not\s+be\s+delivered|delivery\s+has\s+failed|undeliverable)",
    r"^\s*(?:warning:\s*)?could\s+not\s+send\s+message",
    r"^\s*(?:delayed\s+mail|delivery\s+delayed|mail\s+delayed)",
    r"^\s*mail\s+(?:system\s+)?error",
    r"^\s*(?:your\s+)?(?:e-?mail|message)\s+(?:was\s+)?(?:returned|rejected|bounced|blocked|undeliverable)",
    r"^\s*delivery\s+to\s+.{1,80}\s+failed",
    r"^\s*(?:failed|undeliverable)\s+(?:mail|message|delivery)",
    r"^\s*bounced?\s+mail",
    r"^\s*returned\s+to\s+sender",
    r"^\s*unzustellbar",
    r"^\s*nicht\s+zustellbar",
    r"^\s*non\s+remis",
    r"^\s*non\s+distribuable",
    r"^\s*no\s+se\s+puede\s+entregar",
    r"^\s*no\s+entregado",
    r"^\s*non\s+recapitabile",
    r"^\s*onbestelbaar",
    r"^\s*n[ãa]o\s+(?:é\s+possível\s+)?entreg",
    r"^\s*kan\s+inte\s+levereras",
    r"^\s*ej\s+levererat",
    r"^\s*kan\s+ikke\s+leveres",
    r"^\s*kunne\s+ikke\s+leveres",
    r"^\s*ei\s+voitu\s+toimittaa",
    r"^\s*nie\s+można\s+dostarczyć",
    r"^\s*niedostarczon",
    r"^\s*недоставл",
    r"^\s*не\s+доставлено",
    r"^\s*невозможно\s+доставить",
    r"^\s*配信不能",
    r"^\s*配信できません",
    r"^\s*(?:无法|無法)(?:投递|傳遞|送达|递送)",
    r"^\s*退信",
    r"^\s*배달\s*못\s*함",
    r"^\s*전달되지\s*않음",
    r"^\s*nedoručiteln",
)

# Boilerplate of delivery reports from MTAs and mail services.
BOUNCE_FORMAT_TEXT = _any(
    r"this\s+is\s+the\s+mail\s+(?:system|delivery\s+agent)\s+at\s+host",
    r"i'?m\s+sorry\s+to\s+have\s+to\s+inform\s+you\s+that\s+your\s+message\s+could\s+not",
    r"this\s+is\s+the\s+qmail-send\s+program",
    r"this\s+message\s+was\s+created\s+automatically\s+by\s+mail\s+delivery\s+software",
    r"delivery\s+to\s+the\s+following\s+recipients?\s+(?:failed|has\s+been\s+delayed|was\s+aborted)",
    r"the\s+following\s+addresses?\s+had\s+(?:permanent\s+fatal|transient\s+non-fatal)\s+errors",
    r"your\s+message\s+did\s+not\s+reach\s+some\s+or\s+all\s+of\s+the\s+intended\s+recipients",
    r"delivery\s+has\s+failed\s+to\s+these\s+recipients",
    r"could\s+not\s+be\s+delivered\s+to\s+(?:one\s+or\s+more|the\s+following)\s+recipients?",
    r"could\s+not\s+be\s+delivered\s+to\s*:",
    r"delivery\s+of\s+(?:e-?mail|your\s+message)\s+to\s+.{0,120}?has\s+been\s+(?:postponed|delayed)",
    r"送信できませんでした",
    r"your\s+message\s+(?:wasn'?t|was\s+not|could\s+not\s+be|cannot\s+be|couldn'?t\s+be)\s+delivered",
    r"(?:message|mail)\s+(?:could\s+not|can'?t|cannot)\s+be\s+delivered",
    r"(?:was|were)\s+(?:unable|not\s+able)\s+to\s+deliver\s+(?:your|the)\s+(?:message|mail)",
    r"unable\s+to\s+deliver\s+(?:your|the|this)\s+(?:message|mail)",
    r"a\s+message\s+(?:that\s+)?you\s+sent\s+(?:could\s+not|has\s+not|was\s+not)",
    r"the\s+original\s+message\s+was\s+received\s+at",
    r"the\s+mail\s+server\s+could\s+not\s+deliver",
    r"your\s+mail\s+to\s+the\s+following\s+recipients\s+could\s+not",
    r"message\s+not\s+delivered",
    r"delivery\s+(?:to\s+the\s+following\s+recipients?\s+)?failed\s+permanently",
    r"has\s+been\s+returned\s+(?:to\s+(?:the\s+)?sender|because)",
    r"(?:undeliverable|undelivered)\s+(?:mail|message)",
    r"(?:permanent|fatal)\s+(?:error|failure)s?\s+(?:while|occurred|during|in\s+delivery)",
    r"delivery\s+(?:status\s+notification|failure)",
    r"message\s+delivery\s+(?:has\s+)?failed",
    r"recipient\s+address\s+rejected",
    r"the\s+group\s+you\s+tried\s+to\s+contact",
    r"could\s+not\s+deliver\s+(?:the\s+)?(?:message|mail)",
    r"sorry,?\s+(?:we|i)\s+(?:were|was|couldn'?t|could\s+not)\s+(?:unable\s+to\s+)?deliver",
    r"an\s+error\s+occurred\s+while\s+trying\s+to\s+deliver",
    r"(?:die|ihre)\s+nachricht\s+(?:konnte|kann)\s+nicht\s+zugestellt\s+werden",
    r"konnte\s+nicht\s+zugestellt\s+werden",
    r"n'a\s+pas\s+pu\s+être\s+(?:remis|distribué)",
    r"no\s+se\s+(?:pudo|ha\s+podido)\s+entregar",
    r"non\s+è\s+(?:stato\s+possibile\s+recapitare|stato\s+recapitato)",
    r"kon\s+niet\s+worden\s+(?:bezorgd|afgeleverd)",
    r"não\s+(?:pôde|foi\s+possível)\s+(?:ser\s+)?entreg",
    r"kunde\s+inte\s+levereras",
    r"kunne\s+ikke\s+leveres",
    r"ei\s+voitu\s+toimittaa",
    r"nie\s+(?:mógł|może|można)\s+(?:zostać\s+)?dostarcz",
    r"не\s+(?:может\s+быть|удалось|было)\s+доставл",
    r"配信できませんでした",
    r"(?:无法|無法)(?:送达|投递|傳遞|递送)",
    r"전달할\s*수\s*없습니다",
)

# Sender mailboxes that only ever send delivery reports.
DAEMON_LOCAL_PARTS = frozenset(
    {
        "mailer-daemon",
        "post_master",
        "post-master",
        "mailer_daemon",
        "mailerdaemon",
        "mail-daemon",
        "maildaemon",
        "postmaster",
        "mdaemon",
        "mail-delivery",
        "maildelivery",
        "bounce",
        "bounces",
        "nobody-bounce",
        "ndr",
    }
)
DAEMON_DISPLAY_NAME = _any(
    r"mail\s+delivery\s+(?:subsystem|system|service)",
    r"mailer[-\s]?daemon",
    r"postmaster",
    r"mail\s+administrator",
    r"microsoft\s+outlook(?:\s+on\s+behalf)?",  # Exchange Online NDRs come "From: Microsoft Outlook"
    r"delivery\s+(?:status\s+)?notification",
)

# Local parts of system accounts that send notifications, never a person's reply.
SYSTEM_LOCAL_PART = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|notifications?|notify|alerts?|jenkins|hudson|"
    r"buildbot|builds?|ci|git|gerrit|jira|bugzilla|github|gitlab|automailer|auto[-_.]?mailer|robot|bot|daemon|"
    r"nobody|newsletters?|mailings?|campaigns?|bulk|unsubscribe)(?:[-_.+].*)?$",
    re.IGNORECASE,
)

# Challenge-response anti-spam systems ask the sender to prove they are a person.
CHALLENGE_TEXT = _any(
    r"\bplease\s+(?:confirm|verify)\s+(?:that\s+)?(?:you\s+are\s+(?:a\s+)?(?:human|real|person)|your\s+(?:message|e-?mail))",
    r"\bi\s+(?:am|'m)\s+protecting\s+myself\s+from\s+(?:receiving\s+)?(?:junk|spam)",
    r"\bspam\s*arrest\b",
    r"\bboxbe\b",
    r"\bmailbox\s+verification\b",
    r"\bsender\s+verification\b",
    r"\bverify\s+(?:yourself|your\s+e-?mail\s+address)\s+(?:to|so\s+that)\s+(?:deliver|your\s+message)",
    r"\bawaiting\s+(?:your\s+)?(?:verification|confirmation)\b",
)

SUBJECT_AUTOMATED = _any(
    r"^\s*\[?auto(?:matically)?[\s-]?generated\b",
    r"^\s*read\s*:",
    r"^\s*(?:gelesen|lu|leído|letto|gelezen|lido|läst|lest|læst|luettu|przeczytano|прочитано|开封|既読)\s*:",
    r"^\s*(?:read\s+receipt|return\s+receipt|delivery\s+receipt)",
    r"^\s*(?:abuse|complaint|spam)\s+report",
    r"^\s*(?:e-?mail\s+)?feedback\s+report",
)
