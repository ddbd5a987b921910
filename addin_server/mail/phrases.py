"""Words and phrases that mark automatic mail, by language, as compiled patterns.

Kept apart from the decision logic so a new language or MTA format is one line here. Every pattern
is matched case-insensitively on text already decoded to Unicode.
"""

from __future__ import annotations

import re

from addin_server.mail import phrases_more as more


def _any(*phrases: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in phrases), re.IGNORECASE)


# Prefixes a mail client puts before the original subject of an automatic reply. Exchange and
# Outlook localise "Automatic reply:"; Lotus Notes writes "AUTO:"; others write "Autoreply:".
AUTO_REPLY_SUBJECT_PREFIX = re.compile(
    # a tag in brackets ("[EXTERNAL] Automatic reply:"), or the prefix itself in brackets ("[Automatyczna odpowiedź]")
    r"^\s*(?:\[[^\]]{0,40}\]\s*|\[\s*)?(?:"
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
            # the prefixes Exchange and Outlook write in the other languages they ship
            r"odpowied[źz]\s+automatyczna",
            r"自动答复",
            r"automatick[aá]\s+odpove[ďd]",
            r"αυτόματη\s+απάντηση",
            r"תשובה\s+אוטומטית",
            r"رد\s+تلقائي",
            r"автоматична\s+відповідь",
            r"автоматичен\s+отговор",
            r"r[ăa]spuns\s+automat",
            r"automatski\s+odgovor",
            r"аутоматски\s+одговор",
            r"samodejni\s+odgovor",
            r"automaatvastus",
            r"autom[āa]tisk[āa]\s+atbilde",
            r"automatinis\s+atsakymas",
            r"ตอบกลับอัตโนมัติ",
            r"tr[ảa]\s+l[ờo]i\s+t[ựu]\s+[đd][ộo]ng",
            r"balasan\s+(?:otomatis|automatik)",
            r"resposta\s+autom[àa]tica",
            r"erantzun\s+automatikoa",
            r"स्वचालित\s+उत्तर",
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
    r"\bwill\s+(?:be\s+)?(?:back|return(?:ing)?)\s+(?:(?:in|at|to)\s+the\s+office\s+)?(?:on|at|from|by)\b",
    r"(?:'ll|’ll)\s+be\s+back\s+(?:(?:in|at|to)\s+the\s+office\s+)?(?:on|from|by)\b",
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
    # leaving for a span, a trip, a course, "OOO" (issue 14's outside attack: notices sent without headers)
    r"\b(?:have|'ve|’ve|has)\s+left\s+(?:the\s+(?:office|building)\s+)?for\s+(?:the\s+)?(?:day|evening|night|weekend|"
    r"holidays?|christmas|xmas|(?:\w+\s+)?break)\b",
    r"\b(?:no\s+longer|not)\s+in\s+the\s+office\b",
    r"\bi\s*(?:'m|’m|\s+am|\s+will\s+be)\s+(?:currently\s+)?(?:travell?ing|on\s+the\s+road|abroad|at\s+an?\s+(?:training|"
    r"conference|trade\s+show|offsite|off-site|course|seminar|workshop)\b)",
    r"\bwhile\s+i\s*(?:'m|’m|\s+am)\s+(?:travell?ing|away|out)\b",
    r"\b(?:i\s*(?:'m|’m|\s+am)\s+)OOO\b|\bOOO\s+(?:until|till|through|from|on|today|this)\b",
    r"\bno\s+longer\s+reachable\b[^.\n]{0,40}\b(?:until|till|today|tomorrow)\b",
    # German
    r"\bauf\s+(?:dienstreise|geschäftsreise|reisen|(?:einer\s+)?messe|(?:einer\s+)?schulung|(?:einer\s+)?fortbildung)\b",
    r"\bin\s+(?:elternzeit|mutterschutz|karenz)\b",
    r"\bhabe\s+das\s+büro\b[^.\n]{0,40}\bverlassen\b",
    r"\bnicht\s+mehr\s+im\s+(?:büro|buero|office)\b",
    r"\babwesen(?:d|heit)",
    r"\bnicht\s+im\s+(?:büro|buero|hause?|office)\b",
    r"\bau(?:ß|ss)er\s+haus(?:e)?\b",
    r"\b(?:im|in)\s+urlaub\b",
    r"\burlaubsbedingt\b",
    r"\bnicht\s+erreichbar\b",
    r"\bbin\s+(?:ich\s+)?(?:ab\s+dem\s+[\d.]+\s+)?wieder\s+(?:im\s+büro|erreichbar|da)",
    # "Ich bin am 27. Juli wieder im Büro" (a date between "bin" and "wieder")
    r"\bbin\s+(?:ich\s+)?(?:am|ab)\s+(?:dem\s+)?(?:[\w.]+\s+){1,3}?wieder\s+(?:im\s+büro|erreichbar|da\b)",
    # French
    r"\bje\s+(?:suis|serai)\s+(?:actuellement\s+)?(?:absent(?:e|\(e\))?|en\s+(?:congés?|vacances|déplacement|formation|voyage))",
    r"\babsent(?:e|\(e\))?\s+(?:du\s+bureau|jusqu)",
    r"\best\s+absent(?:e|\(e\))?(?=[\s.]|$)",  # Lotus Notes' French subject: "Jane Doe est absent(e)."
    r"\bne\s+suis\s+plus\s+au\s+bureau\b",
    r"\ben\s+(?:congés?|vacances)\b",
    r"\bde\s+retour\s+(?:le|au\s+bureau|à\s+partir)",
    # Spanish
    r"\bfuera\s+de\s+(?:la\s+)?oficina\b",
    r"\b(?:estoy|estar[ée])\s+(?:ausente|de\s+vacaciones|fuera)",
    r"\bde\s+vacaciones\b",
    r"\b(?:estoy|estaré)\s+de\s+viaje\b|\bme\s+encuentro\s+(?:ausente|fuera|de\s+viaje|de\s+vacaciones)",
    r"\bhe\s+salido\s+de\s+la\s+oficina\b|\bya\s+no\s+estoy\s+en\s+la\s+oficina\b",
    # Italian
    r"\bfuori\s+(?:ufficio|sede)\b",
    r"\bsono\s+(?:assente|in\s+ferie|fuori)",
    r"\bin\s+ferie\b",
    r"\bsar[òo]\s+(?:assente|fuori\s+(?:ufficio|sede)|in\s+ferie)",
    # Dutch
    r"\b(?:ik\s+ben\s+)?(?:afwezig|niet\s+aanwezig|met\s+vakantie|op\s+vakantie)\b",
    r"\bbuiten\s+kantoor\b",
    r"\bniet\s+(?:meer\s+)?op\s+kantoor\b|\b(?:ben\s+ik|ik\s+ben)\s+(?:vrij|weg|op\s+reis)\b",
    # A standing weekly absence in an auto-reply: "Donderdagmiddag ben ik altijd met mijn zoontje"
    r"\b\w*(?:dag|middag|ochtend)\s+ben\s+ik\s+(?:altijd\s+)?(?:vrij|afwezig|niet\s+(?:aanwezig|bereikbaar)|met\s+mijn)\b",
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
    r"\bв\s+(?:\w+\s+)?(?:отпуске|командировке)\b",
    r"\bотсутству(?:ю|ет)\b",
    r"\bнет\s+на\s+месте\b",
    r"\bвне\s+офиса\b",
    r"\bв\s+командировке\b",
    # Japanese, Chinese, Korean (no word boundaries in these scripts)
    r"不在にして",
    r"休暇",
    r"出張中",
    r"(?:本日|今日)は(?:既に|すでに)?退社",
    r"出差",
    r"下班",
    r"外出中",
    r"不在",
    r"休假",
    r"请假",
    # "我最近正在努力学习中，无法及时回复": I am busy with X right now, so cannot answer (QQ Mail notices)
    r"(?:我|本人)(?:最近|目前|现在)?正在[^。，,！!]{1,8}中[，,]\s*(?:暂时)?无法",
    r"不在办公室",
    r"不在辦公室",
    r"假期",
    r"부재\s*중",
    r"휴가",
    r"출장\s*중", *more.OUT_OF_OFFICE,
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
    # "Gracias por su mensaje" opens absence notices as much as help desks' answers, like "Thank you for your message".
    r"\bgracias\s+por\s+(?:contactar|escribir|su\s+consulta|tu\s+consulta)",
    r"\bestamos\s+procesando",
    r"\bhemos\s+recibido\s+su\s+(?:mensaje|solicitud|consulta)",
    r"\babbiamo\s+ricevuto\s+la\s+(?:sua|tua)\s+(?:richiesta|e-?mail)",
    r"\bwe\s+will\s+(?:get\s+back|respond|reply)\s+to\s+you\s+(?:as\s+soon|shortly|within)",
)

# "No longer with the company" and its siblings: the contact has left, the address will not come back.
LEFT_COMPANY_TEXT = _any(
    r"\bno\s+longer\s+(?:with|at|employed|working|part\s+of|a\s+member|an?\s+employee|in\s+the\s+employ|"
    r"in\s+use|active|monitored|valid|in\s+service|associated)",
    # "left Acme": a capitalised name right after "left" (case-sensitive, so "left the office" is not one)
    r"\b(?:has|have)\s+(?:now\s+)?left\s+(?:the\s+(?:company|organi[sz]ation|firm|business|group|team)\b|"
    r"(?-i:[A-Z])[\w&.-]*)",
    r"\bleft\s+the\s+(?:company|organi[sz]ation|firm)\b",
    r"\bno\s+longer\s+works?\s+(?:for|at|with|here)",
    r"\bnicht\s+mehr\s+(?:im\s+unternehmen|bei\s+uns|für\s+uns|bei\s+der|in\s+unserem|tätig|beschäftigt|erreichbar\s+unter"
    r"|aktiv|verfügbar)",
    r"\bhat\s+(?:das\s+unternehmen|die\s+firma|unser\s+unternehmen)\s+verlassen",
    r"\bnicht\s+mehr\s+(?:für|bei|in)\s+(?:[\w&.-]+\s+){0,5}?(?:tätig|beschäftigt|angestellt|mitarbeiter(?:in)?)\b",
    r"\barbeitet\s+nicht\s+mehr\s+(?:für|bei|im)",
    r"\bnicht\s+mehr\s+im\s+hause?\b",
    r"\bne\s+travaille\s+plus\s+(?:pour|chez|au\s+sein|dans)",
    r"\bn['’]est\s+plus\s+(?:employée?|salariée?|collaborat)",
    r"\bya\s+no\s+(?:trabaja|colabora)",
    r"\b(?:dejó|ha\s+dejado)\s+(?:la\s+empresa|la\s+compañía|de\s+trabajar)",
    r"\bnon\s+(?:è\s+più|lavora\s+più|collabora\s+più)\s+(?:in\s+forza|presso|con|per|dipendente)",
    r"\bwerkt\s+niet\s+(?:meer|langer)\s+(?:bij|voor)",
    r"\bniet\s+(?:meer|langer)\s+(?:bij|voor)\s+(?:[\w&.-]+\s+){0,4}?(?:werkzaam|in\s+dienst)",
    r"\bheeft\s+(?:het\s+bedrijf|de\s+organisatie|ons)\s+verlaten",
    r"\b(?:já\s+não|não)\s+(?:trabalha|colabora)\s+(?:mais\s+)?(?:na|no|para|com)",
    r"\bdeixou\s+(?:a\s+empresa|de\s+trabalhar)",
    # 退社 is also "leaving the office for the day" (本日は退社いたしました): only a dated leaving counts.
    r"已离开公司|已經離開公司|已离开本公司|(?:をもって|を以て|付で|付けで)\s*退社",
    r"\b(?:ist|bin)\s+(?:zum\s+[\d.]+\s+|seit\s+\S+\s+)?(?:aus\s+(?:dem|der)\s+(?:unternehmen|firma)\s+)?ausgeschieden",
    r"\b(?:habe|hat)\s+(?:das\s+unternehmen|die\s+firma|den\s+konzern|die\s+gesellschaft)\s+(?:(?:zum|am|im|per|mit)\s+\S+(?:\s+\d{4})?\s+)?verlassen",
    r"\b(?:have|has)\s+(?:now\s+)?(?:retired|moved\s+on)\s+from\b",
    r"\bne\s+fai[st]\s+plus\s+partie",
    r"\ba\s+quitté\s+(?:la\s+société|l'entreprise|l’entreprise|le\s+groupe|notre)",
    r"\bn['’]est\s+plus\s+(?:en\s+poste|chez|dans|au\s+sein|active|utilisée|valide)",
    r"\bya\s+no\s+(?:trabaja|forma\s+parte|está\s+en|pertenece|está\s+activ|trabajo\s+(?:en|para|con)|formo\s+parte)",
    r"\bha\s+dejado\s+la\s+empresa",
    r"\bnon\s+(?:fa|lavora|faccio|lavoro)\s+più\s+(?:parte|presso|per|con|in)",
    r"\bha\s+lasciato\s+(?:l'azienda|la\s+società)",
    r"\bniet\s+(?:meer|langer)\s+(?:werkzaam|in\s+dienst|actief|in\s+gebruik)",
    r"\bis\s+uit\s+dienst\b",
    r"\bnão\s+(?:faz\s+mais\s+parte|trabalha\s+mais|está\s+mais|faço\s+mais\s+parte|trabalho\s+mais)",
    r"\b(?:har\s+)?slutat\s+(?:på|hos|sin\s+anställning)",
    r"\binte\s+längre\s+(?:anställd|verksam|i\s+bruk)",
    r"\b(?:har\s+)?sluttet\s+(?:i|hos|ved)",
    r"\bikke\s+(?:lenger|længere)\s+(?:ansatt|ansat|i\s+bruk|i\s+brug|aktiv)",
    r"\bei\s+(?:enää|ole\s+enää)\s+(?:työskentele|töissä|käytössä)",
    r"\bnie\s+(?:pracuje\s+już|jest\s+już\s+pracownikiem)",
    r"\bjuż\s+nie\s+pracuje",
    r"\bбольше\s+не\s+(?:работает|сотрудник|используется)",
    r"\bуволил(?:ся|ась)",
    *more.LEFT_COMPANY,
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
    r"(?:无法|無法)(?:送达|投递|傳遞|递送)|(?:您发送的|您發送的)?(?:邮件|郵件)被退回",
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
    r"mail\s+administrator|系统管理员|系統管理員",
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


# Words in a left-company sentence that make the leaving temporary: a return, an end, a short span.
TEMPORARY_LEAVING = _any(
    # "returning" is a return, except in "will not be returning to Acme"
    r"\buntil\b|\btill\b|\bback\s+(?:on|in|at|from|by|next)\b|(?<!not\sbe\s)(?<!n't\sbe\s)\breturn(?:ing|s)?\b|\bwhile\s+i\b",
    r"\bfor\s+the\s+(?:holidays?|day|weekend|week|evening|night|summer|christmas|break|moment|time\s+being)\b",
    r"\bfor\s+(?:a\s+few|several|two|three|\d+)\s+(?:days|weeks)\b|\btemporar",
    # a day's or a weekend's absence: "heute nicht mehr im Haus", "after 5pm", "本日は退社"
    r"\b(?:today|tonight|tomorrow|weekends?|heute|morgen|wochenende|aujourd['’]hui|ce\s+soir|demain|hoy|mañana|"
    r"oggi|domani|vandaag|weekend|hoje|amanhã)\b|\bafter\s+\d{1,2}\s*(?:[ap]\.?m\b|:\d\d|h\b|uhr)|本日|今日|明日|今天|明天|下班",
    r"\bbis\b|\bwieder\b|\bzurück\b|\bjusqu|\bretour\b|\bhasta\b|\bregres|\bfino\s+a|\brientr|\btot\s+en\s+met\b|"
    r"\bterug\b|\baté\b|\bvolt[ao]\b|まで|迄|戻り|復帰|回来|返回|之前",
    *more.TEMPORARY_LEAVING,
)

# Leaving a place, not an employer.
LEFT_A_PLACE = _any(
    r"\bleft\s+(?:the|my)\s+(?:office|building|desk|premises|country|city|site|campus|house)\b",
    *more.LEFT_A_PLACE,
)

FIRST_PERSON = re.compile(r"I|Ich|Je|Yo|Io|Ik|Eu", re.IGNORECASE)

# An absence that ends, without a readable date ("until further notice" is not one).
ABSENCE_END = _any(
    r"\b(?:until|till|through)\s+(?:next\s+|the\s+end\s+of\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
    r"\buntil\s+(?:next\s+week|tomorrow|the\s+end\s+of\s+(?:the\s+)?(?:week|month))\b",
    r"\b(?:back|return(?:ing)?)\s+(?:on\s+)?(?:next\s+)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|week|tomorrow)\b",
    r"\bbis\s+(?:einschließlich\s+)?(?:montag|dienstag|mittwoch|donnerstag|freitag|nächste)",
    r"\bjusqu['’]\s*(?:à|au)\s+(?:lundi|mardi|mercredi|jeudi|vendredi|la\s+semaine)",
    r"\bhasta\s+(?:el\s+)?(?:lunes|martes|miércoles|jueves|viernes|la\s+próxima)",
    r"\bfino\s+a\s+(?:lunedì|martedì|mercoledì|giovedì|venerdì)",
    r"\btot\s+(?:en\s+met\s+)?(?:maandag|dinsdag|woensdag|donderdag|vrijdag|volgende)",
    r"\baté\s+(?:segunda|terça|quarta|quinta|sexta|a\s+próxima)",
    r"(?:月曜|火曜|水曜|木曜|金曜|来週)[^。\n]{0,6}まで|(?:周一|周二|周三|周四|周五|下周)",
    *more.ABSENCE_END,
)

# "Limited access to email" in the languages of the product.
LIMITED_ACCESS = _any(
    r"\b(?:limited|intermittent|sporadic|irregular)\s+(?:or\s+no\s+)?(?:access|connectivity)\b",
    r"\b(?:only|rarely)\s+(?:occasionally\s+)?(?:check(?:ing)?|read(?:ing)?)\s+(?:my\s+)?e-?mails?\b|nur\s+unregelmäßig",
    r"\b(?:no|without)\s+(?:access\s+to\s+(?:my\s+)?e-?mails?|e-?mail\s+access)\b",
    r"\b(?:not\s+be\s+(?:able\s+to\s+)?(?:checking|check|reading|read|monitoring)|unable\s+to\s+(?:check|read|respond))\b",
    r"\beingeschränkt(?:em|en)?\s+(?:zugriff|erreichbar)|keinen\s+zugriff\s+auf|nur\s+eingeschränkt|"
    r"(?:e-?mails?|nachrichten)\s+(?:werden\s+)?nicht\s+(?:gelesen|weitergeleitet)",
    r"\baccès\s+(?:limité|restreint)|sans\s+accès\s+(?:à\s+)?(?:mes\s+)?(?:e-?mails|courriels|ma\s+messagerie)",
    r"\bacceso\s+limitado|sin\s+acceso\s+al?\s+(?:correo|email)",
    r"\baccesso\s+limitato|senza\s+accesso\s+alla?\s+(?:posta|e-?mail)",
    r"\bbeperkte?\s+(?:toegang|bereikbaar)|geen\s+toegang\s+tot\s+(?:mijn\s+)?(?:e-?mail|mail)",
    r"\bacesso\s+(?:limitado|restrito)|sem\s+acesso\s+(?:ao\s+)?(?:e-?mail|correio)",
    r"メールを確認(?:でき|することができ)(?:ません|ない)|メールの確認が(?:でき|難し)|返信(?:が|に)(?:遅れ|お時間)",
    r"无法(?:及时)?(?:查看|回复|處理|处理)|無法(?:及時)?(?:查看|回覆)|不能及时回复",
    r"доступ\s+к\s+(?:электронной\s+)?почте\s+(?:может\s+быть\s+)?ограничен|нет\s+доступа\s+к\s+почте",
    *more.LIMITED_ACCESS,
)

# "I will reply as soon as I can", "je vous répondrai demain": a notice puts the answer off.
REPLY_LATER = _any(
    r"\b(?:i\s*(?:'ll|’ll|\s+will|\s+shall)\s+|will\s+)(?:\w+\s+){0,3}?(?:reply|respond|get\s+back|answer)\b[^.!?\n]{0,40}?"
    r"\b(?:as\s+soon\s+as|tomorrow|on\s+(?:mon|tues|wednes|thurs|fri)day|later|next\s+week|when\s+i\s+can|asap)",
    r"\bje\s+vous\s+r[ée]pondrai\b|\ble\s+responder[ée]\b|\bles\s+responder[ée]\b|\bte\s+responder[ée]\b|"
    r"\bvi\s+risponder[òo]\b|\ble\s+risponder[òo]\b|\breageer\s+ik\b|\bik\s+reageer\b|\bresponderei\b|"
    r"\b(?:melde|werde)\s+(?:ich\s+)?mich\s+(?:morgen|am\s+montag|schnellstmöglich|so\s+bald)",
    r"ご連絡いたします|ご連絡致します|対応いたします|対応致します|返信いたします|ご返信いたします|尽快回复|会回复您|回复您",
)

# The absence is over at the end of the day: "for the day", "heute", "本日は".
DAY_END = _any(
    r"\bfor\s+the\s+(?:day|evening|night)\b|\b(?:today|tonight)\b|\bheute\b|\baujourd['’]hui\b|\bhoy\b|\boggi\b|"
    r"\bvandaag\b|\bhoje\b|本日|今日は|今天",
)

# A recurring schedule in a signature ("Out of office Fridays") is not today's absence.
RECURRING_ABSENCE = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:mon|tues|wednes|thurs|fri|satur|sun)days\b", re.IGNORECASE)

# "For urgent matters please contact ...": a notice sends urgent requests elsewhere.
URGENT_CONTACT = _any(
    r"\b(?:for|in|with)\s+(?:any\s+)?(?:urgent|pressing|time[-\s]sensitive|immediate)\s+"
    r"(?:matters?|issues?|requests?|enquiries|inquiries|questions?|cases?|needs|assistance|support|concerns?)",
    r"\bif\s+(?:your\s+(?:matter|request|enquiry|inquiry|message|question)\s+is|this\s+is|it\s+is|it'?s)\s+"
    r"(?:urgent|time[-\s]sensitive)",
    r"\bin\s+(?:my\s+)?absence,?\s+(?:please\s+)?(?:contact|reach|email|call)",
    r"\bplease\s+(?:contact|reach\s+out\s+to|email|call)\s+(?:my\s+colleague|my\s+team|[^\s@]+@)",
    r"\bin\s+dringenden\s+fällen|bei\s+dringenden\s+(?:anliegen|fragen|angelegenheiten|fällen)|"
    r"in\s+dringenden\s+angelegenheiten|wenden\s+sie\s+sich\s+(?:bitte\s+)?an|vertretung|"
    r"sich\s+(?:bitte\s+)?an\s+(?:meine|meinen|unsere|unseren|den|die)\s+(?:kolleg|vertret|team|zentrale)",
    r"\ben\s+cas\s+d['’]urgence|pour\s+(?:toute\s+)?(?:urgence|question\s+urgente|demande\s+urgente)|"
    r"pour\s+les\s+(?:demandes|questions|sujets)\s+urgent|vous\s+pouvez\s+(?:contacter|joindre)",
    r"\ben\s+caso\s+de\s+urgencia|para\s+(?:asuntos|temas|consultas|cuestiones)\s+urgentes|puede\s+contactar",
    r"\bin\s+caso\s+di\s+urgenza|per\s+(?:questioni|richieste|comunicazioni|casi)\s+urgenti|per\s+urgenze",
    r"\bvoor\s+dringende\s+(?:zaken|vragen|kwesties)|in\s+dringende\s+gevallen|bij\s+spoed",
    r"\bem\s+caso\s+de\s+urg[êe]ncia|para\s+(?:assuntos|quest[õo]es|temas)\s+urgentes",
    r"お急ぎの|急用の|緊急の(?:場合|ご用件)|至急の",
    r"如有急事|紧急事[项務务]|緊急事[項务]|如有紧急|如有緊急|急事请|急事請",
    r"\bпо\s+(?:всем|срочным)\s+вопросам\s+обращ|\bв\s+случае\s+срочн",
    r"\bwanneer\s+er\s+iets\s+(?:heel\s+)?dringends?\s+is", *more.URGENT_CONTACT,
)

# "I will reply when I return": a notice defers the answer to the return.
REPLY_ON_RETURN = _any(
    r"\b(?:will|shall|'ll)\s+(?:\w+\s+){0,3}?(?:reply|respond|get\s+back|answer|read|follow\s+up|attend|deal|"
    r"review|look\s+into|address)\b[^.!?\n]{0,60}?\b(?:when|once|upon|on|after)\s+(?:my\s+return|i\s*(?:'m|’m|am|get)?\s*"
    r"(?:back|return))",
    r"\b(?:when|once|upon|on|after)\s+(?:my\s+return|i\s*(?:'m|’m|am|get)?\s*(?:back|return))\b[^.!?\n]{0,60}?"
    r"\b(?:reply|respond|get\s+back|answer|read|follow\s+up)",
    r"\bnach\s+meiner\s+rückkehr|sobald\s+ich\s+(?:wieder\s+)?zurück|nach\s+meinem\s+urlaub\s+(?:beantworten|bearbeiten|"
    r"melde)|werde\s+(?:ihre|deine|ihnen|dir|mich)[^.!?\n]{0,60}?(?:beantworten|bearbeiten|melden|antworten)",
    r"\b(?:dès|à)\s+mon\s+retour|lors\s+de\s+mon\s+retour",
    r"\ba\s+mi\s+(?:regreso|vuelta|retorno)|cuando\s+(?:regrese|vuelva)|tan\s+pronto\s+como\s+(?:regrese|vuelva)",
    r"\bal\s+mio\s+(?:rientro|ritorno)|appena\s+(?:rientro|rientrerò|tornerò|sarò\s+di\s+ritorno)",
    r"\bna\s+(?:mijn\s+)?(?:terugkomst|terugkeer)|bij\s+(?:mijn\s+)?terugkomst|zodra\s+ik\s+(?:weer\s+)?(?:terug|aanwezig)",
    r"\b(?:no|ao|após\s+o)\s+meu\s+(?:regresso|retorno)|quando\s+(?:eu\s+)?(?:voltar|retornar|regressar)|"
    r"assim\s+que\s+(?:eu\s+)?(?:voltar|retornar|regressar)",
    r"戻り次第|帰社(?:後|次第)|復帰(?:後|次第)|出社(?:後|次第)|確認次第",
    r"回来后|返回后|回來後|返回後|复工后|上班后", *more.REPLY_ON_RETURN,
)

# Openings of a reply template, not of a person's answer.
TEMPLATE_OPENING = _any(
    r"\bthank\s+you\s+for\s+your\s+(?:e-?mail|message|mail|note)\b|\bthanks\s+for\s+your\s+(?:e-?mail|message)\b",
    r"\b(?:vielen\s+)?dank\s+für\s+ihre\s+(?:e-?mail|nachricht|mail)",
    r"\bmerci\s+(?:pour|de)\s+votre\s+(?:message|e-?mail|courriel|mail)",
    r"\bgracias\s+por\s+su\s+(?:correo|mensaje|e-?mail)",
    r"\bgrazie\s+per\s+(?:la\s+sua|il\s+suo|la\s+tua|il\s+tuo)\s+(?:e-?mail|mail|messaggio)",
    r"\bbedankt\s+voor\s+(?:uw|je|jouw)\s+(?:e-?mail|bericht|mail)",
    r"\bobrigad[oa]\s+(?:pelo\s+seu|pela\s+sua)\s+(?:e-?mail|mensagem|contato|contacto)",
    r"メール(?:を)?(?:いただき|頂き)?ありがとうございます|ご連絡(?:いただき)?ありがとうございます",
    r"感谢您的(?:来信|邮件|郵件)|谢谢您的(?:来信|邮件)|感謝您的(?:來信|郵件)",
)

# A person answering: agreement, a proposal, thanks for a follow-up.
CONVERSATION_TEXT = _any(
    r"(?:^|[.!;,]\s*)(?:yes|yeah|sure|absolutely|definitely|of\s+course)\b",
    r"\b(?:let'?s|let\s+us)\s+(?:talk|meet|chat|do|schedule|catch\s+up|set\s+up|speak|discuss|find)",
    r"\b(?:sounds\s+good|works\s+for\s+me|happy\s+to\s+(?:talk|chat|meet|discuss|help|connect)|i'?d\s+love\s+to|"
    r"interested\s+in|not\s+interested|please\s+(?:remove|unsubscribe)|thanks?\s+for\s+(?:following\s+up|reaching\s+out|"
    r"the\s+(?:follow-?up|reminder|info)))",
    r"\b(?:sorry\s+for\s+the\s+(?:late|slow|delayed)\s+(?:reply|response)|apologies\s+for\s+the\s+delay)",
    # ("Gerne können Sie sich an ... wenden" opens many German notices: a bare "gerne" is not agreement.)
    r"(?:^|[.!;,]\s*)(?:ja,?\s+gerne|oui|volontiers|sí,?\s+claro|certo|volentieri|ja,?\s+graag|sim,?\s+claro)\b",
    r"\b(?:danach|anschließend|dann|ab\s+\w+)\s+gerne\b|\bgerne\s+(?:ein(?:en)?\s+(?:termin|telefonat|gespräch|call)|"
    r"können\s+wir|sprechen\s+wir|telefonieren|treffen)|\b(?:after\s+that|afterwards|then)\s+(?:happy|glad|i'?d\s+be\s+happy)|"
    r"\b(?:ensuite|après)\s+(?:volontiers|avec\s+plaisir)|\bdespués\s+(?:con\s+gusto|encantad[oa])|\bdopo\s+volentieri|"
    r"\bdaarna\s+graag|\bdepois\s+(?:com\s+prazer|podemos)",
    # declining or asking for something: an answer to the pitch, whatever absence it mentions
    r"\bno\s+thanks?\b|\bnot\s+(?:looking|in\s+the\s+market)\s+for\b|\bwe\s+(?:already\s+(?:use|have|work\s+with)|are\s+happy\s+with)\b|"
    r"\bplease\s+(?:don'?t|do\s+not)\s+(?:follow\s+up|contact|e-?mail)|\bplease\s+send\s+(?:me|us)\b|"
    r"\bsend\s+(?:me\s+|us\s+)?(?:the|your)\s+(?:proposal|deck|details|pricing|quote|slides|case\s+stud)|\bis\s+expecting\s+(?:you|your)\b",
    r"\bkein(?:\s+weiteres)?\s+interesse\b|\bkein\s+bedarf\b|\bschicken\s+sie\s+mir\b|\bpas\s+intéressée?s?\b|"
    r"\bje\s+suis\s+intéressée?\b|\benvoyez-moi\b|\b(?:no\s+|sí\s+)?me\s+interesa\b|\bno\s+estamos\s+interesados|"
    r"\bescr[ií]ba(?:me|nos)\s+(?:después|más\s+adelante)|\b(?:non\s+)?mi\s+interessa\b|\bnon\s+siamo\s+interessati|"
    r"\bgeen\s+interesse\b|\b(?:wel|niet)\s+geïnteresseerd|\b(?:não\s+)?(?:tenho|temos)\s+interesse\b",
    r"ぜひ|お話を伺|いかがでしょうか|興味があります|結構です|感兴趣|不需要|可以聊",
    r"\blass(?:en)?\s+uns\s+(?:sprechen|telefonieren|treffen)|parlons-en|on\s+peut\s+(?:en\s+)?parler|"
    r"hablemos|podemos\s+hablar|sentiamoci|possiamo\s+parlare|laten\s+we|kunnen\s+we|podemos\s+conversar|vamos\s+conversar",
    *more.CONVERSATION,
)

# An absence that is over: "I was on holiday last week", "just got back".
PAST_ABSENCE = _any(
    r"\bi\s+(?:was|have\s+been|had\s+been)\s+(?:\w+\s+){0,2}?(?:away|out|off|on\s+(?:vacation|holiday|leave|pto)|"
    r"travel(?:l)?ing|sick|ill)\b",
    r"\b(?:just\s+)?(?:got|came|am|i'?m)\s+back\s+(?:from|in\s+the\s+office|to\s+the\s+office)",
    r"\b(?:returned|back)\s+from\s+(?:my\s+|a\s+)?(?:holiday|vacation|leave|trip|travels?)",
    r"\bich\s+war\s+(?:\w+\s+){0,3}?(?:im\s+urlaub|abwesend|krank|unterwegs|nicht\s+im\s+büro)|zurück\s+aus\s+dem\s+urlaub",
    r"\bj['’]étais\s+(?:en\s+(?:congés?|vacances|déplacement)|absente?)|de\s+retour\s+de\s+(?:congés?|vacances)",
    r"\bestaba\s+(?:de\s+vacaciones|fuera|ausente)|volví\s+de",
    r"\bero\s+(?:in\s+ferie|fuori|assente)|sono\s+(?:appena\s+)?rientrat[oa]",
    r"\bik\s+was\s+(?:op|met)\s+vakantie|ik\s+was\s+(?:afwezig|weg)|ben\s+(?:net\s+)?terug\s+van",
    r"\bestava\s+(?:de\s+f[ée]rias|fora|ausente)|voltei\s+(?:de|das)",
    r"休暇から戻|休み明け|戻りました(?!ら)|度假回来|休假回来|刚回来",
)

# Lotus/HCL Notes writes the absence into the subject: "<Name> is out of the office." (often after "AUTO:").
LOTUS_SUBJECT = re.compile(
    r"^\s*+(?:auto\s*:\s*+)?[^:\n]{1,80}?\s+is\s+out\s+of\s+(?:the\s+)?office\b", re.IGNORECASE
)


# Said anywhere in a notice, the person has not left: "I'm still at Globex", "ich bin weiterhin bei ...".
STILL_EMPLOYED = _any(
    r"\bi\s*(?:'m|’m|\s+am)\s+still\s+(?:at|with|working)\b|\bstill\s+(?:work(?:ing)?|employed)\s+(?:at|for|with)\b",
    r"\bweiterhin\s+(?:bei|für)\b|\btoujours\s+(?:chez|au\s+sein)|\bsigo\s+(?:en|trabajando)|\blavoro\s+ancora|"
    r"\bnog\s+steeds\s+(?:bij|werkzaam)|\bcontinuo\s+(?:na|no|trabalhando)",
    *more.STILL_EMPLOYED,
)

# A closing mailbox's last day is not the person's return: "This mailbox will be monitored until 31 December".
MAILBOX_WIND_DOWN = _any(
    r"\b(?:mailbox|address|account|inbox|e-?mails?)\s+(?:\w+\s+){0,2}?(?:will\s+(?:be|remain|stay)|remains?|is)\s+"
    r"(?:monitored|active|open|forwarded|checked|read)\s+(?:until|till|through)\b",
    r"\b(?:postfach|adresse)\s+(?:\w+\s+){0,3}?bis\s+[^.]{0,30}?(?:weitergeleitet|gelesen|aktiv)",
)

# Said after a leaving sentence, the person comes back: "Morgen bin ich wieder für Sie da", "I'll reply tomorrow".
BACK_LATER = _any(
    r"\b(?:tomorrow|morgen|demain|mañana|domani|amanhã)\b|明日|明天",
    r"\bi\s*(?:'ll|’ll|\s+will)\s+(?:reply|respond|answer|get\s+back|be\s+back)\b",
    r"\bwieder\s+(?:für\s+sie\s+da|erreichbar|im\s+büro|da)\b|\bde\s+retour\b|\bde\s+vuelta\b|\bdi\s+ritorno\b|\bweer\s+(?:aanwezig|bereikbaar|terug)",
    *more.BACK_LATER,
)

# The day someone left, inside the leaving sentence: "as of 30 November", "seit dem 1. Dezember", "11月30日をもって".
LEAVING_DAY = _any(
    r"\b(?:as\s+of|effective|since|with\s+effect\s+from|last\s+day|seit|zum|mit\s+wirkung|depuis|desde|dal|sinds|"
    r"dernier\s+jour|letzter\s+arbeitstag)\b",
    r"をもって|を以て|付で|付けで|起|已(?:经|經)?于|已(?:经|經)?於",
)
