"""More phrases of absence notices and of people answering, as pattern strings phrases.py compiles in.

Kept apart so phrases.py stays readable: the absence parts of Turkish, Hebrew, Hindi and Danish
notices (which arrive as "Re: ..." with no automatic header), more ways Spanish notices say the same
things, and the ways a person who mentions an absence still answers ("pero sí: envíame la propuesta").
Hebrew and Devanagari letters carry combining marks Python does not count as word characters, so
their patterns use no `\\b`.
"""

from __future__ import annotations

OUT_OF_OFFICE = (
    # Turkish: "izindeyim", "tatildeyim", "ofis dışındayım", "ofiste değilim"
    r"\b(?:izinde(?:yim)?|tatilde(?:yim)?|ofis\s+dışında(?:yım)?|ofiste\s+değilim)\b",
    # Hebrew: out of the office, on holiday
    r"מחוץ\s+ל(?:משרד|מקום\s+העבודה)|בחופשה|בחופש\s+עד",
    # Hindi: out of the office, on leave
    r"कार्यालय\s+से\s+बाहर|ऑफ़िस\s+से\s+बाहर|ऑफिस\s+से\s+बाहर|छुट्टी\s+पर",
    # Danish (the Norwegian forms are in phrases.py)
    r"\bjeg\s+er\s+(?:på\s+(?:ferie|kursus|forretningsrejse)|ikke\s+på\s+kontoret|fraværende)",
    # leaving the office for a span: "he dejado la oficina por las vacaciones", "ho lasciato l'ufficio per le festività"
    r"\bhe\s+dejado\s+la\s+oficina\s+(?:por|hasta|para)|\bho\s+lasciato\s+l['’]ufficio\s+(?:per|fino)|"
    r"\bhet\s+kantoor\s+verlaten\s+(?:voor|tot)|\bn[ãa]o\s+me\s+encontro\s+no\s+escrit[oó]rio|"
    r"\bencontro-me\s+(?:ausente|fora|de\s+f[ée]rias)|离开办公室|離開辦公室",
    r"\bpostfach\s+wird\s+bis\s+[^\n]{0,30}?nicht\s+(?:mehr\s+)?(?:betreut|gelesen|bearbeitet)",
    # Czech, Greek, Arabic
    r"\bmimo\s+(?:kancelář|kancelár|pracoviště)|\bna\s+dovolené\b|\bεκτός\s+γραφείου|\bσε\s+άδεια\b|خارج\s+المكتب|في\s+إجازة",
)

ABSENCE_END = (
    r"\b\w*\s+tarihine\s+kadar\b|\b(?:pazartesi|salı|çarşamba|perşembe|cuma)(?:ya|ye|a|e)?\s+kadar\b",
    r"עד\s+(?:ה-?)?\d{1,2}|עד\s+יום",
    r"\d{1,2}\s+\S+\s+तक",
    r"\bindtil\s+(?:(?:og\s+med\s+)?(?:mandag|tirsdag|onsdag|torsdag|fredag|den\s+\d)|\d)",
    r"\bregreso\s+el\s+(?:d[ií]a\s+)?\d",
    r"\baté\s+(?:ao\s+)?dia\s+\d|\bben\s+(?:ik\s+)?(?:weer\s+)?terug\s+op\b|\bdo\s+\d{1,2}\.\s*\w+|\bέως\s+(?:τις|την|το)\s+\d|حتى\s+(?:يوم\s+)?\d",
    r"\bvolver[ée]\s+el\s+(?:d[ií]a\s+|lunes|martes|miércoles|jueves|viernes|\d)|\brientrer[òo]\s+(?:il\s+|lunedì|martedì|"
    r"mercoledì|giovedì|venerdì|\d)|\bvolto\s+(?:amanhã|na|no|dia|\d)|将于[^。，,]{1,12}返回|將於[^。，,]{1,12}返回",
)

LIMITED_ACCESS = (
    r"\bsınırlı\s+erişim|\be-?postalar[ıi]m[ıa]\s+(?:erişemiyorum|bakamıyorum)",
    r"גישה\s+מוגבלת|ללא\s+גישה\s+ל",
    r"पहुँच\s+सीमित|पहुंच\s+सीमित|सीमित\s+पहुँच|सीमित\s+पहुंच",
    r"\bbegrænset\s+adgang\b|\buden\s+adgang\s+til\b",
    r"\bno\s+tendr[ée]\s+acceso\b|\bsin\s+acceso\s+(?:a\s+mi|al)\s+correo|\bno\s+podr[ée]\s+(?:revisar|leer|consultar)\s+(?:el|mi)\s+correo",
    r"\bomezen[ýé]m?\s+přístup|\bπεριορισμένη\s+πρόσβαση|(?:إمكانية|وصول)\s+محدود",
)

URGENT_CONTACT = (
    r"\bacil\s+(?:durumlarda|durumda|konular(?:da|ınız)|işleriniz)",
    r"(?:בעניינים|במקרים|בנושאים)\s+דחופים",
    r"अत्यावश्यक|आपातकालीन|तत्काल\s+मामलों",
    r"\bi\s+hastende\s+tilfælde\b|\bved\s+hastende\b",
    r"\bpara\s+cualquier\s+(?:urgencia|asunto\s+urgente|consulta\s+urgente)|\bsi\s+es\s+urgente\b",
    r"\bpara\s+urg[eê]ncias\b|\bv\s+naléhavých\s+případech|\bγια\s+επείγοντα|للأمور\s+العاجلة|في\s+الحالات\s+العاجلة",
)

REPLY_ON_RETURN = (
    r"\bdöndüğümde\b|\bdönüşümde\b|\bdöner\s+dönmez\b",
    r"עם\s+שובי|כשאחזור|לאחר\s+שובי",
    r"लौटने\s+पर|वापस\s+आने\s+पर|लौटकर",
    r"\bnår\s+jeg\s+er\s+tilbage\b|\bved\s+min\s+hjemkomst\b|\bsvarer\s+(?:dig|jer)?\s*(?:hurtigst|når)",
    r"\bpo\s+(?:mém\s+)?návratu\b|\bμόλις\s+επιστρέψω|\bμετά\s+την\s+επιστροφή\s+μου|عند\s+عودتي|بعد\s+عودتي",
)

# A person who mentions an absence and still answers: "but yes", asking for the proposal.
CONVERSATION = (
    r"\b(?:but|pero|ma|mas|maar|aber|mais|men)\s*,?\s+(?:yes|sí|sì|sim|ja|oui|claro)\b",
    r"\b(?:envíame|envíeme|mándame|mándeme|mandami|mandatemi|inviami|inviatemi|me\s+envie|envie-me|me\s+mande|"
    r"manda-me|stuur\s+(?:me|mij|ons))\s+(?:pure\s+|ya\s+|gerust\s+|maar\s+)?"
    r"(?:la|el|il|lo|a|o|het|de|los|las|i|le|os|as)\s+"
    r"(?:propuesta|proposta|voorstel|offerte|presentaci[oó]n|presentazione|apresenta[çc][ãa]o|informaci[oó]n|"
    r"informa[çc][õo]es|dettagli|detalles|detalhes|preventivo|presupuesto|or[çc]amento|details|info)",
    r"(?:^|[。、，,\s])はい[、,。]|提案書を送って|資料を送って",
    r"不过可以|但是可以|可以[，,]\s*请|发给我(?!的)|發給我(?!的)|寄给我(?!的)",
)

# A schedule or a move inside the company, not leaving it: "não trabalho mais às sextas-feiras", "ya no
# trabajo en la oficina de Madrid", "je ne fais plus partie du service achats".
TEMPORARY_LEAVING = (
    r"\b(?:às|as|los|les|le|on|am|il|op|de)\s+(?:segundas?|terças?|quartas?|quintas?|sextas?|sábados?|domingos?|"
    r"lunes|martes|miércoles|jueves|viernes|lundis?|mardis?|mercredis?|jeudis?|vendredis?|"
    r"mondays|tuesdays|wednesdays|thursdays|fridays|montags|dienstags|mittwochs|donnerstags|freitags|"
    r"luned[iì]|venerd[iì]|maandag|vrijdag)(?:-feiras?)?\b|\bmontags\b|\bfreitags\b",
)

LEFT_A_PLACE = (
    r"\b(?:oficina|sede|sucursal|escrit[oó]rio|filial|bureau|agence|site|ufficio|filiale|kantoor|vestiging|büro|standort)\s+"
    r"(?:de|do|da|di|in|à|a|van|en)\b",
    r"\b(?:partie|parte)\s+(?:du|de\s+la|de\s+l['’]|de|do|da|della|del|dell['’])\s*(?:service|département|"
    r"équipe|direction|pôle|equipe|departamento|time|área|setor|equipo|team|reparto|ufficio|servizio)\b",
    r"\b(?:service|équipe|team|departamento|equipo|equipe|abteilung|afdeling|reparto)\s+(?:achats|compras|acquisti|"
    r"einkauf|inkoop|ventes|vendas|ventas|vendite|vertrieb|verkoop)\b",
)

# Said anywhere in a notice, the person is still reachable at this address or still with the company.
STILL_EMPLOYED = (
    r"\bmism[oa]\s+(?:correo|e-?mail|direcci[oó]n)|\bmesm[oa]\s+(?:e-?mail|endere[çc]o)|\bcontinu[oa]\s+(?:neste|no\s+mesmo)\s+"
    r"(?:endere[çc]o|e-?mail)|\bsigo\s+(?:en\s+(?:este|el\s+mismo)|disponible)|\bje\s+reste\s+(?:joignable|disponible)\b|"
    r"\bmême\s+(?:adresse|e-?mail)|\bresto\s+(?:raggiungibile|reperibile)|\bstesso\s+indirizzo|\bzelfde\s+(?:e-?mail)?adres|"
    r"\bselbe[nr]?\s+(?:e-?mail-?)?adresse|\bsame\s+(?:e-?mail\s+)?address",
)

# A reply put off to a day: the person is coming back.
BACK_LATER = (
    r"\bresponderei\b|\brespondo\s+(?:na|no|amanh)|\ble\s+responder[ée]\b|\bje\s+vous\s+r[ée]pondrai\b|\bvi\s+risponder[òo]\b|"
    r"\bik\s+reageer\b|\bwerde\s+ich\s+(?:ihnen|dir)\s+antworten",
)

# One's own leaving, said in the first person: a last day that is past, retiring, not returning.
LEFT_COMPANY = (
    r"\bmy\s+last\s+day\s+(?:at|with)\s+(?:[\w&.-]+\s+){1,4}?was\b",
    r"\b(?:will\s+not|won'?t)\s+be\s+returning\s+to\s+(?!the\s+office|work\b|my\s+desk)",
    r"\bi\s*(?:'ve|\s+have|'m|\s+am)\s+(?:now\s+)?retired\b",
    r"\bjá\s+não\s+(?:trabalho|colaboro|estou|faço\s+parte)\s+(?:na|no|para|com|em|da|do)\b",
    r"\bya\s+no\s+trabajo\b|\b(?:me\s+he|se\s+ha)\s+jubilado\b|\bestoy\s+jubilad[oa]\b",
    r"\b(?:ben|is)\s+(?:sinds\s+\S+\s+)?met\s+pensioen\b",
    r"\b(?:sono|è)\s+(?:andat[oa]|in)\s+(?:in\s+)?pensione\b",
    r"\b(?:suis|est)\s+(?:parti(?:e)?\s+)?(?:désormais\s+)?(?:à\s+la\s+|en\s+)retraite\b",
    r"\b(?:bin|ist)\s+(?:\w+\s+){0,3}?in\s+den\s+ruhestand\s+(?:gegangen|getreten|gewechselt)\b|"
    r"\b(?:bin|ist)\s+(?:jetzt\s+|nun\s+|seit\s+\S+\s+)?im\s+ruhestand\b",
    r"\bnie\s+pracuję\s+już\b|\bjuż\s+nie\s+pracuję\b",
    r"\bşirketten\s+ayrıldım\b|\bartık\s+(?:\S+\s+){0,2}çalışmıyorum\b",
    r"لم\s+أعد\s+أعمل|غادرت\s+الشركة",
    r"כבר\s+לא\s+(?:עובד|עובדת)|עזבתי\s+את\s+החברה",
    r"已(?:经|經)?(?:于|於)[^，。,.\n]{1,16}(?:离开|離開)(?:本?公司)",
    # the sender's own leaving of a named employer, in the first person ("J'ai quitté Dalmas", "Saí da Horizonte",
    # "Today is my last day at Halberd", "mi último día en Ribera fue el viernes")
    r"\bj['’]ai\s+quitt[ée]\s+(?:la\s+soci[ée]t[ée]|l['’]entreprise|le\s+groupe|(?-i:[A-Z]))",
    r"\b(?:sa[íi]|deixei)\s+(?:d[ao]\s+|a\s+)?(?:empresa|companhia|(?-i:[A-Z]))",
    r"\b(?:he\s+dejado|dej[ée])\s+(?:la\s+empresa|la\s+compa[ñn][íi]a|(?-i:[A-Z]))",
    r"\bho\s+lasciato\s+(?:l['’]azienda|la\s+societ[àa]|(?-i:[A-Z]))",
    r"\b(?:i\s*(?:'ve|\s+have)\s+)?left\s+(?-i:[A-Z])[\w&.-]+\s+(?:on|at\s+the\s+end\s+of|in|last)\b",
    r"\b(?:today|tomorrow|yesterday|\w+day)\s+(?:is|was|will\s+be)\s+my\s+last\s+day\s+(?:at|with)\s+(?-i:[A-Z])",
    r"\bmy\s+last\s+day\s+(?:at|with)\s+(?-i:[A-Z])[\w&.-]*(?:\s+[\w&.-]+){0,3}\s+(?:is|was)\b",
    r"\bmi\s+[úu]ltimo\s+d[íi]a\s+(?:en\s+(?-i:[A-Z])[^.;\n]{0,40}\s+)?fue\b",
    r"\b(?:mon\s+dernier\s+jour\s+(?:chez|[àa])|mein\s+letzter\s+(?:arbeits)?tag\s+(?:bei|in))\s+(?-i:[A-Z])",
)
