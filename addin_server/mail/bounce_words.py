"""The words and codes a delivery report is read by (mail/bounces.py applies the product's rule
with them): reasons that make a bounce hard or soft, the status and reply codes, and the parts of a
report that are not the failure's reason (trace lines, the rep's recalled subject)."""

from __future__ import annotations

import re

ENHANCED_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)")
SMTP_REPLY = re.compile(r"(?<![\d.#-])([45]\d\d)(?=[\s-])(?![\s-]*\d+\.\d+\.\d+\.\d+)")
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# "The address does not exist / is not in use / the addressee is unknown / the recipient is not
# found", as Japanese carriers and servers write it, plain or polite. Not au's "送信先メールアドレスが
# 見つかりませんでした": its one template for every failure, a disabled account's too.
JAPANESE_ADDRESS_GONE = (
    r"存在しない|宛先不明|(?:使われて|使用されて)(?:おりません|いません|いない)|"
    r"(?:受信者|宛先|ユーザー?)が見つかりません"
)

# Reasons that say the address itself can never receive mail.
HARD_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "the mailbox does not exist",
        re.compile(
            r"user\s*(?:name\s+)?(?:is\s+)?unknown|unknown\s+(?:user|recipient|local[-\s]?part|address|mailbox|alias|account)|"
            r"no\s+such\s+(?:user|mailbox|recipient|address|account|person|local\s+user)|"
            r"(?:user|mailbox|recipient|address|account|e-?mail\s+address|email\s+account)\s+(?:\S+\s+){0,3}"
            r"(?:does\s+not|doesn'?t|did\s+not)\s+exist|"
            r"(?:user|mailbox|recipient|address|account)\s+(?:not\s+found|not\s+exist|unavailable\s+or\s+not\s+exist|"
            r"is\s+not\s+(?:valid|known)|invalid)|"
            r"invalid\s+(?:recipient|mailbox|address|user|e-?mail\s+address)|not\s+a\s+valid\s+(?:mailbox|user|recipient)|"
            r"no\s+mailbox\s+here\s+by\s+that\s+name|no\s+mailbox\s+(?:found|exists)|unrouteable\s+address|addressee\s+unknown|"
            r"宛先のメール\s?アドレスが見つかりませんでした|未找到该电子邮件地址|adresse\s+wurde\s+(?:in\s+der\s+zieldomäne\s+)?"
            r"nicht\s+gefunden|"
            r"recipient\s+(?:address\s+)?rejected:\s*(?:user\s+unknown|undeliverable\s+address|unknown|invalid)|"
            r"(?:mailbox|account|address)\s+(?:has\s+been\s+|was\s+)?(?:deleted|removed|closed|terminated)|"
            r"(?:is\s+not|isn'?t)\s+a\s+(?:known|valid)\s+(?:user|recipient|mailbox)|"
            r"user\s+doesn'?t\s+have\s+a\s+\S+\s+account|no\s+such\s+(?:user|mailbox)\s+here|"
            r"(?:mailbox|user)\s+(?:name\s+)?(?:is\s+)?(?:not\s+(?:allowed|valid))|"
            r"the\s+email\s+account\s+that\s+you\s+tried\s+to\s+reach\s+does\s+not\s+exist|"
            r"recipient\s+(?:does\s+not\s+exist|not\s+found|unknown|is\s+not\s+local)|address\s+not\s+found|"
            r"user\s+not\s+(?:found|exist|listed)|unknown\s+or\s+illegal\s+alias|"
            r"(?:destination|recipient)\s+(?:address|user)\s+(?:does\s+not\s+exist|unknown)|"
            r"mailbox\s+(?:not\s+found|unavailable\s*:\s*(?:no\s+such|unknown))|"
            r"bad\s+(?:destination\s+)?(?:mailbox|recipient)\s+address|account\s+(?:does\s+not|doesn'?t)\s+exist|"
            r"not\s+listed\s+in\s+(?:the\s+)?(?:domino\s+|public\s+)?(?:directory|address\s+book)|"
            r"recipient\s+address\s+rejected:\s*access\s+denied|mailbox\s+unavailable|user\s+not\s+known|"
            r"recipient\s+address\s+rejected(?!:)|no\s+valid\s+recipients|check\s+(?:if|that)\s+(?:the\s+)?address\s+is\s+correct|"
            r"invalid\s+(?:final\s+delivery\s+)?userid|does\s+not\s+have\s+a\s+final\s+e-?mail\s+delivery\s+point|"
            r"no\s+matches\s+to\s+nameserver\s+query|not\s+our\s+customer|"
            r"(?:did|does)\s+not\s+(?:exactly\s+)?match\s+(?:an?|any)\s+(?:\S+\s+){0,2}(?:e-?mail\s+address|user|account|recipient|mailbox)|"
            # Exchange's resolver code (RESOLVER.ADR.RecipNotFound, RecipientNotFound)
            r"recip(?:ient)?\s*not\s*found|(?:recipient|user)\s+name\s+is\s+not\s+recogni[sz]ed|"
            # the same in the languages of the product
            r"(?:empfänger|benutzer|adresse|postfach|mailbox)\s+(?:\S+\s+)?(?:unbekannt|existiert\s+nicht)|"
            r"existiert\s+nicht|(?:destinataire|utilisateur|adresse)\s+inconnue?|n'existe\s+pas|no\s+existe|"
            r"(?:destinatario|usuario)\s+desconocido|(?:utente|destinatario)\s+(?:sconosciuto|inesistente)|non\s+esiste|"
            r"bestaat\s+niet|onbekende?\s+(?:ontvanger|gebruiker)|não\s+existe|(?:usuário|destinatário)\s+desconhecido|"
            r"finns\s+inte|okänd\s+(?:mottagare|användare)|finnes\s+ikke|ukjent\s+(?:mottaker|bruker)|findes\s+ikke|"
            r"ukendt\s+(?:modtager|bruger)|ei\s+ole\s+olemassa|tuntematon\s+(?:vastaanottaja|käyttäjä)|"
            r"nie\s+istnieje|nieznany\s+(?:odbiorca|użytkownik)|не\s+существует|неизвестн\w*\s+(?:адрес|получател|"
            r"пользовател)|存在しません|不存在|존재하지\s*않|ディレクトリには見つかりません|"
            # Japanese carriers' (docomo, au, SoftBank) own wordings, in any inflection
            + JAPANESE_ADDRESS_GONE,
            re.IGNORECASE,
        ),
    ),
    (
        "the domain does not exist or accepts no mail",
        re.compile(
            r"host\s+(?:or\s+domain\s+name\s+)?(?:unknown|not\s+found)|domain\s+(?:name\s+)?(?:not\s+found|does\s+not\s+exist|"
            r"unknown|is\s+not\s+(?:valid|configured))|no\s+such\s+(?:domain|host)|unrouteable\s+mail\s+domain|"
            r"name\s+service\s+error|dns\s+error|nxdomain|no\s+mx\s+(?:record|host)|mx\s+(?:record\s+)?not\s+found|"
            r"(?:domain|host)\s+(?:\S+\s+)?does\s+not\s+accept\s+(?:e-?)?mail|null\s+mx|unknown\s+(?:host|domain)|"
            r"(?:host|domain)\s+(?:\S+\s+)?(?:could\s+not\s+be\s+found|does\s+not\s+exist|has\s+no\s+mx)|"
            r"unable\s+to\s+(?:resolve|route\s+to)\s+(?:the\s+)?(?:host|domain)|no\s+route\s+to\s+(?:host|domain)|"
            r"unroutable|malformed\s+or\s+unexpected\s+name\s+server\s+reply|bad\s+destination\s+(?:system|host)|"
            r"no\s+(?:valid\s+)?(?:mx|mail\s+exchanger)|domain\s+has\s+no\s+mail|doesn'?t\s+accept\s+(?:e-?)?mail|"
            r"(?:host|domain)\s+\S+\s+not\s+found|dns\s+lookup\s+fail|domain\s+is\s+not\s+reachable",
            re.IGNORECASE,
        ),
    ),
    (
        "the address has moved",
        re.compile(
            r"has\s+moved|address\s+(?:has\s+)?changed|moved\s+to\s+\S+@|no\s+longer\s+(?:valid|available|active|in\s+use)|"
            r"forwarding\s+address|new\s+(?:e-?mail\s+)?address\s+is",
            re.IGNORECASE,
        ),
    ),
)

# Reasons that say delivery failed for now, or for reasons about the sender or message.
SOFT_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "the mailbox is full",
        re.compile(
            r"mail\s*box\s+(?:is\s+)?(?:full|over)|over\s*(?:the\s+)?(?:allowed\s+)?quota|quota\s+(?:exceeded|exceed|full|limit)|exceed(?:ed|s)?\s+"
            r"(?:the\s+)?(?:storage|quota|mailbox|disk)|insufficient\s+(?:disk|system\s+)?(?:space|storage)|"
            r"(?:mailbox|user)\s+(?:\S+\s+){0,2}(?:has\s+)?exceed(?:ed|s|ing)|exceeding\s+(?:\S+\s+)?quota|mailbox\s+size\s+limit|too\s+many\s+messages|"
            r"disk\s+(?:quota|full)|storage\s+(?:full|space)|out\s+of\s+(?:disk\s+)?space|mailfolder\s+is\s+full|"
            r"not\s+enough\s+(?:disk\s+)?space|space\s+not\s+enough|quota\s+violation|postfach\s+(?:ist\s+)?voll|boîte\s+(?:aux\s+lettres\s+)?"
            r"(?:est\s+)?pleine|buzón\s+(?:está\s+)?lleno|casella\s+(?:è\s+)?piena|mailbox\s+(?:is\s+)?vol|caixa\s+"
            r"(?:postal\s+)?(?:está\s+)?cheia|переполнен|容量|已满|満杯",
            re.IGNORECASE,
        ),
    ),
    (
        "the account is disabled or suspended",
        re.compile(
            r"(?:account|mailbox|user|address)\s+(?:\S+\s+){0,3}(?:disabled|suspended|inactive|deactivated|"
            r"locked|blocked|frozen|expired|on\s+hold|not\s+active)|(?:disabled|suspended|inactive|deactivated)\s+"
            r"(?:account|mailbox|user|recipient)|mailbox\s+(?:is\s+)?(?:temporarily\s+)?(?:disabled|unavailable\s+"
            r"(?:temporarily|for\s+now))|has\s+been\s+(?:disabled|suspended)|temporarily\s+(?:disabled|unavailable|"
            r"deferred|rejected|suspended)",
            re.IGNORECASE,
        ),
    ),
    (
        "the message was blocked by a policy or spam filter",
        re.compile(
            r"spam|junk|blacklist|blocklist|block\s*list|black\s*list|\brbl\b|dnsbl|spamhaus|"
            r"spamcop|barracuda|reputation|blocked|block(?:ing)?\s+(?:policy|rule)|policy|not\s+(?:authori[sz]ed|permitted|"
            r"allowed)\s+to\s+send|access\s+denied|denied|prohibited|refused|reject(?:ed)?\s+(?:for|due|because)|"
            r"content\s+(?:rejected|filter)|filtered|virus|malware|infected|phish|dmarc|dkim|spf|"
            r"authenticat|unauthenticated|ptr|reverse\s+dns|rdns|helo|starttls|tls\s+(?:is\s+)?(?:required|negotiation|"
            r"handshake|failed|error|not\s+supported)|(?:requires?|must\s+use|not\s+support)\s+(?:start)?tls|relay(?:ing)?\s+(?:denied|"
            r"not\s+(?:permitted|allowed))|not\s+permitted\s+to\s+relay|unable\s+to\s+relay|we\s+do\s+not\s+relay|"
            r"(?:too\s+many\s+(?:messages|connections|recipients|requests)|rate\s+limit|throttl|try\s+again\s+later|"
            r"greylist|graylist|exceeded\s+(?:the\s+)?"
            r"(?:rate|sending|message)\s+limit|sending\s+limit)|syntax\s+error|"
            r"message\s+(?:size|too\s+(?:big|large))|(?:size|length)\s+(?:limit|exceeds)|too\s+large|"
            r"only\s+accepts\s+mail\s+from|members\s+only|not\s+(?:a\s+)?member\s+of|not\s+accepting\s+(?:mail|messages)\s+from|"
            r"security\s+(?:policy|reasons)|bulk\s+(?:mail|e-?mail)|"
            r"not\s+compliant|rfc\s*\d+\s+compliant|malformed|invalid\s+(?:header|message)|"
            r"mailing\s+list|group\s+(?:you\s+tried\s+to\s+contact|may\s+not\s+exist)",
            re.IGNORECASE,
        ),
    ),
    (
        "delivery expired or the server could not be reached",
        re.compile(
            r"retry\s+time(?:out)?\s+(?:exceeded|expired)|could\s+not\s+be\s+delivered\s+(?:for|within)\s+\S+\s+"
            r"(?:days|hours)|(?:has\s+been\s+)?delayed|timed?\s*out|time-?out|expired|gave\s+up|giving\s+up|"
            r"connection\s+(?:refused|reset|closed|lost|timed)|lost\s+connection|network\s+(?:error|unreachable)|"
            r"temporar(?:y|ily)|try\s+again\s+later|will\s+(?:be\s+)?retr|still\s+(?:trying|being\s+retried)|deferred|"
            r"system\s+(?:error|busy|not\s+available)|"
            r"too\s+many\s+(?:connections|hops|recipients)|loop\s+detected|mail\s+loop|routing\s+loop|looping|"
            r"local\s+(?:error|configuration\s+error)|server\s+(?:error|busy)|i/o\s+error|"
            r"(?:undeliverable|undelivered)\s+for\s+\d+|(?:have|has)\s+been\s+failing\s+for|not\s+(?:been\s+)?delivered\s+within|"
            r"aborted\s+after\s+\d|not\s+responding|not\s+(?:been\s+)?collected\s+(?:after|within|for)|"
            r"failed\s+(?:after\s+)?\d+\s+attempts|did\s+not\s+accept\s+our\s+requests?\s+to\s+connect|"
            r"socket\s+error|not\s+accepting\s+connections|unable\s+to\s+connect|host\s+(?:is\s+)?(?:not\s+reachable|"
            r"unreachable)|connection\s+(?:to\s+\S+\s+)?failed|"
            r"pipe\s+to\s+\||x-unix|mailer\s+error|command\s+(?:failed|died)|too\s+many\s+clients",
            re.IGNORECASE,
        ),
    ),
    (
        # A hedge ("the group may not exist, or you may not have permission") is not a statement that
        # the address is gone; written around the hard words, it wins over them.
        "the report only says the address may not exist",
        re.compile(
            r"(?:may|might|could)\s+not\s+exist|n'existe\s+(?:peut-être\s+)?pas\s+ou|可能不存在|存在しない可能性|"
            r"(?:puede|podría)\s+(?:que\s+)?no\s+exist|existiert\s+(?:möglicherweise|eventuell|vielleicht)\s+nicht|"
            r"potrebbe\s+non\s+esistere|bestaat\s+mogelijk\s+niet|möglicherweise\s+nicht\s+vorhanden|存在しないか|見つからないか",
            re.IGNORECASE,
        ),
    ),
    (
        "the sender or the message was refused",
        re.compile(
            r"sender\s+(?:address\s+)?(?:rejected|refused|unroutable|invalid|verify\s+failed|domain\s+(?:must|does|not))|"
            r"unroutable\s+sender|domain\s+of\s+sender\s+address|header\s+error|line\s+limit\s+exceeded|"
            r"line\s+too\s+long|no\s+\S+\s+(?:header|field)\s+given|missing\s+\S+\s+(?:header|field)|my\s+name\s+was\s+rejected|invalid\s+domain\s+name|please\s+use\s+the\s+smtp\s+server|"
            r"helo\s+command\s+rejected|not\s+accepting\s+(?:mail|messages)\s+from\s+(?:your|this)|"
            r"message\s+(?:content\s+)?rejected|rejected\s+(?:as|because|due)|"
            # the conversation itself failed: a protocol, syntax or service fault, not the address
            r"protocol\s+(?:violation|error)|not\s+implemented|command\s+(?:not\s+recogni[sz]ed|unrecogni[sz]ed)|"
            r"service\s+(?:is\s+)?(?:currently\s+|temporarily\s+)?(?:unavailable|not\s+available)|"
            r"(?:host|network|ip|client|connection)\s+(?:\S+\s+)?not\s+allowed|invalid\s+ip\b|"
            r"unwanted\s+(?:messages|mail|e-?mail)|"
            # an address in UTF-8 the receiving server cannot take (RFC 6531): the message, not the address
            r"did\s+not\s+offer\s+smtputf8|smtputf8\s+(?:is\s+)?(?:required|not\s+(?:supported|offered|available))",
            re.IGNORECASE,
        ),
    ),
)

PERMANENT_WORDS = re.compile(
    r"permanent(?:ly)?\s+(?:delivery\s+)?(?:error|failure|fatal|failed|undeliverable)|failed\s+permanently|"
    r"permanent\s+fatal\s+errors|"
    r"(?:this\s+is\s+a\s+)?permanent\s+error|i'?ve\s+given\s+up|unrecoverable\s+error|fatal\s+error",
    re.IGNORECASE,
)
# Trace, authentication and X- header lines pasted into a report ("with Microsoft SMTP Server (TLS)",
# "Received-SPF: pass") describe the path of the mail, never why it failed.
TRACE_LINES = re.compile(
    r"^(?:>\s*)?(?:received|received-spf|authentication-results|arc-[a-z-]+|dkim-signature|x-[a-z0-9-]+)\s*:.*"
    r"(?:\n[ \t]+\S.*)*",
    re.IGNORECASE | re.MULTILINE,
)
# A report that recalls the rep's subject ("  Subject: Virus scan results") is quoting the rep's words.
SUBJECT_LINES = re.compile(r"^[ \t>]*(?:subject|thread-topic)\s*:.*$", re.IGNORECASE | re.MULTILINE)
# Where the remote server's own reply starts inside a diagnostic that a relaying service wrapped
# ("5.1.0 - Unknown address error 550-'5.2.2 ... Mailbox Full'"): its words are the reason.
REMOTE_REPLY = re.compile(r"(?<![\d.])[45]\d\d(?=[-\s'\"])")
# The remote server's reply quoted in a textual report: a transcript line "<<< 550 ..." or "... said: 550 ..."
# (with its folded continuation lines).
QUOTED_REPLY = re.compile(
    r"(?:^[ \t]*<<<[ \t]*|\bsaid:[ \t]*\n?[ \t]*)([45]\d\d\b.*(?:\n[ \t]+\S.*)*)", re.IGNORECASE | re.MULTILINE
)
# The refusal came at connection, EHLO/HELO or MAIL FROM: the server refused the sending host or the
# sender before the recipient was named.
AT_MAIL_FROM = re.compile(
    r"(?:after|in\s+reply\s+to)\s+(?:the\s+)?(?:mail\s+from|e?hlo|lhlo|initial\s+connection|connect\b|greeting)|"
    # a session transcript whose refusal answers the MAIL FROM line (">>> MAIL FROM:<...>" then "<<< 550 ...")
    r"^\s*>>>\s*mail\s+from:[^\n]*\n\s*<<<\s*5",
    re.IGNORECASE | re.MULTILINE,
)
AT_RECIPIENT = re.compile(
    r"(?:after|in\s+reply\s+to)\s+(?:the\s+)?(?:rcpt\s+to|end\s+of\s+data|data)|^\s*>>>\s*(?:rcpt\s+to|data)",
    re.IGNORECASE | re.MULTILINE,
)
# The resolver's "try again" (TRY_AGAIN, SERVFAIL): the domain's name servers did not answer, which
# says nothing about the domain existing.
TEMPORARY_DNS = re.compile(
    r"host\s+not\s+found,\s*try\s+again|temporary\s+(?:dns|name\s*server|lookup)\s+(?:failure|error)|servfail",
    re.IGNORECASE,
)
# RFC 7504: 521 "host does not accept mail", 556 "domain does not accept mail".
NO_MAIL_REPLY = re.compile(r"(?:^|[\s;:'\"(<])(?:521|556)[\s-]", re.MULTILINE)
# SMTP replies quoted in a report: 5XX is a permanent refusal, 4XX a temporary one (RFC 5321).
PERMANENT_REPLY = re.compile(r"(?:^|[\s;:'\"(<\[])(5[0-5]\d)(?:[\s-]|$)(?![\s-]*\d+\.\d+\.\d+\.\d+)", re.MULTILINE)
TEMPORARY_REPLY = re.compile(r"(?:^|[\s;:'\"(<\[])(4[0-5]\d)(?:[\s-]|$)(?![\s-]*\d+\.\d+\.\d+\.\d+)", re.MULTILINE)
# A delay warning: the message is still queued and the server keeps trying, so nothing failed yet.
STILL_TRYING = re.compile(
    r"not\s+yet\s+been\s+delivered|attempts\s+will\s+continue|will\s+continue\s+(?:to\s+)?"
    r"(?:try|attempt|retry)|this\s+is\s+(?:just\s+|only\s+)?a\s+warning|warning\s+message\s+only|advisory[-\s]only|"
    r"has\s+been\s+postponed|still\s+(?:trying|being\s+retried)|(?:do\s+not|don'?t)\s+need\s+to\s+re-?send|"
    r"only\s+a\s+temporary\s+failure|will\s+be\s+retried|is\s+kept\s+in\s+the\s+queue|"
    r"will\s+(?:keep\s+trying|retry|try\s+again)|will-retry-until|delivery\s+incomplete|"
    r"temporary\s+problem\s+delivering\s+your\s+message|will\s+continue\s+to\s+be\s+attempted|"
    # Exchange's delay notice in its other languages
    r"引き続き配信が試行されます|まだ配信されていません|weiterhin\s+versucht|noch\s+nicht\s+übermittelt|将继续尝试|尚未传递|"
    r"se\s+seguirá\s+intentando|aún\s+no\s+se\s+ha\s+entregado|continuer[ao]\s+a\s+tentar|verrà\s+ritentat",
    re.IGNORECASE,
)
# X.3 mail system, X.5 protocol, X.6 content, X.7 security or policy (RFC 3463): about the message or
# the servers, never about whether the address exists.
NOT_ADDRESS_STATUS = re.compile(r"^5\.[3567]\.")
HARD_STATUS = re.compile(r"^5\.(?:1\.(?:0|1|2|3|4|6|10)|4\.4)$")
# Words that say the address is gone: hard whatever the class digit of the status beside them.
ADDRESS_GONE = re.compile(
    r"user\s+(?:is\s+)?unknown|unknown\s+(?:user|recipient|mailbox)|no\s+such\s+(?:user|mailbox|recipient|account)|"
    r"no\s+mailbox\s+(?:found|here|by\s+that\s+name)|mailbox\s+not\s+found|address\s+not\s+found|recipient\s+not\s+found|"
    r"(?:user|mailbox|recipient|address|account)\s+(?:does\s+not|doesn'?t)\s+exist|"
    # Exchange's "the email address wasn't found" in its other languages
    r"宛先のメール\s?アドレスが見つかりませんでした|未找到该电子邮件地址|" + JAPANESE_ADDRESS_GONE + "|"
    r"adresse\s+wurde\s+(?:in\s+der\s+zieldomäne\s+)?nicht\s+gefunden|adresse\s+(?:e-?mail\s+)?(?:est\s+)?introuvable|"
    r"direcci[oó]n\s+de\s+correo\s+(?:electr[oó]nico\s+)?no\s+(?:se\s+)?(?:encontr|exist)",
    re.IGNORECASE,
)
SENDER_STATUS = re.compile(r"^[45]\.1\.(?:7|8)$")  # the *sender's* address was refused: not the contact's fault
