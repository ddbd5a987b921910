"""Classify an inbound message: human reply, out-of-office, bounce (hard or soft), other automatic.

Automatic unenrollment depends on this, so every decision carries the signals that made it, in
words a rep can read ("header Auto-Submitted: auto-replied", "subject starts with 'Automatic
reply:'"). The checks run in a fixed order, because real mail carries misleading signals:

1. Other reports first (abuse feedback, read receipts, successful delivery notices): they are
   multipart/report too and must not pass for bounces.
2. Delivery failures (bounces): a delivery-status report, the Exchange NDR message class, an
   X-Failed-Recipients header, a mailer-daemon/postmaster sender, or an MTA's textual report.
   They come before auto-replies because Gmail and Exim stamp `Auto-Submitted: auto-replied` on
   bounces: that header alone is not out-of-office. A report that only says delivery is delayed
   (Action: delayed, "still trying") is auto_other with first evidence "delivery delayed": nothing failed.
3. Automatic replies: RFC 3834 Auto-Submitted, X-Autoreply, X-Autorespond, Precedence auto_reply,
   the Exchange OOF message class, X-Apple-Action VACATION, X-MS-Exchange-Inbox-Rules-Loop together
   with X-Auto-Response-Suppress, a localised "Automatic reply:" subject, or a body that says it is
   an automatic reply. An automatic reply is out_of_office unless it reads as a help-desk
   acknowledgement (then auto_other). `X-Auto-Response-Suppress` alone means nothing: Outlook adds
   it to ordinary mail. A person's text that mentions a holiday, without any automatic signal, stays
   a human reply: misreading a reply as out-of-office keeps emailing someone who answered.
   Without any of those signals, an absence notice is still recognised from its structure
   (mail/absence.py: a scored, explainable judgement); a person who mentions an absence while
   answering stays a human reply.
4. Other automatic mail: Auto-Submitted auto-generated, challenge-response, list or bulk mail sent
   by a system account or a bulk sender. List headers alone (List-Id, Precedence: list or bulk) do
   not make a person's post automatic: list servers add them to every post.
5. Otherwise a human reply.

Hard or soft bounce (the product's rule). A hard bounce marks the address bounced and ends every
enrollment at once; a soft bounce is counted and ends them at the account's threshold (default 3).
So a bounce is *hard* only on the server's word that sending again cannot work:
- the address is gone: the mailbox does not exist (unknown user, X.1.1), the domain does not
  exist or accepts no mail (X.1.2, X.1.10, X.4.4, null MX, RFC 7504 521/556), the address has
  moved (X.1.6), or the person has left the company; or
- the failure is permanent and no reason is given: a 5.X.X status, a 5XX reply, a DSN "Action:
  failed" or "permanent error" with nothing that names a cause. The commonest permanent failure
  is an address that is not there, and the server has said retrying is useless.
Everything else is *soft*, because it can clear or is about the sender or the message rather
than the address: a full mailbox (X.2.2, which RFC 3463 calls a persistent transient failure), a
disabled or suspended account (X.2.1), a policy, spam, reputation, authentication, relay, size,
protocol or content refusal (X.7.X, X.6.X, X.5.X, X.3.X), a refusal at connection, EHLO or MAIL
FROM (before any recipient was named), a network fault or a delivery that expired in the queue
(X.4.X), every 4.X.X status, every delay warning, and a report that gives neither a reason nor a
permanent status ("Mail delivery failed" and an address, nothing more).
This is Sisimai's line between its "hard" reasons (userunknown, hostunknown, hasmoved, notaccept)
and the rest, and not the DSN class alone (flufl.bounce, and the first digit of a status, call
every non-warning failure "hard", a full mailbox and a spam block included): a sequence must not
lose a contact for good because the rep's own mail was blocked or the contact's mailbox was full.

How a bounce is read, so the rule above is applied to the right words:
- The remote server's own reply comes first: the DSN diagnostic, and inside it the reply a relaying
  service quoted ("5.1.0 - Unknown address error 550-'5.2.2 ... Mailbox Full'" is a full mailbox);
  in a textual report the reply quoted in a session transcript ("<<< 550 ...") or after "said:",
  before the report's own boilerplate ("the address may not exist, or ...").
- A refusal "after MAIL FROM", "after EHLO" or "after initial connection" (and not at RCPT TO or
  DATA) refused the sending host or sender before the recipient was named: soft.
- The resolver's "Host not found, try again" (TRY_AGAIN/SERVFAIL) means the domain's name servers
  did not answer, not that the domain does not exist: soft, unless the status says X.1.X/X.4.4.
- A hedge ("the group may not exist, or you may not have permission", in any language) is not a
  statement that the address is gone: soft.
- A delay warning ("has not yet been delivered", "delivery attempts will continue") is soft even
  without a DSN "Action: delayed".
- Trace, authentication and X- header lines pasted into a report ("with Microsoft SMTP Server
  (TLS)", "Received-SPF") describe the mail's path, not the failure, and a recalled "Subject:" line
  is the rep's own words: neither is read for reasons.
- Several recipients with different reasons: the earliest reason written wins unless one phrase
  contains the other, or the status settles it (X.1.X/X.4.4 hard, 4.X.X soft).
- Each recipient is also judged on its own part of the report (its DSN block's status and
  diagnostic, or the lines under its address in a textual report), so a report about one unknown
  user and one full mailbox ends only the unknown user's enrollments: `hard_recipients` lists the
  hard ones. It is filled only when every bounced recipient has such a part, and left empty when
  those verdicts all contradict the message's kind (then the kind holds for every recipient).
What is deliberately *not* followed: a "user unknown" answered only after DATA, or from a filtering
appliance, is read as Sisimai's "filtered" in its test suite. Words that say the user is unknown
are hard whatever the SMTP phase (sendmail reports real unknown users after DATA too, so the phase
cannot tell a filter that lies from a real unknown user, and a sequence must not keep emailing an
address its server calls unknown); with an X.2.X status they stay soft, because servers use X.2.X
on purpose for existing but refused mailboxes. The receiving server's own words that the address is
gone ("user unknown", "no mailbox found") are hard whatever the class digit, a 4.X.X status included
(issue 14): a report that failed says the address is not there, whatever code the server put beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from addin_server.domain.addresses import try_normalize
from addin_server.mail import phrases
from addin_server.mail.absence import judge_absence_notice, leaving_for_good, left_company_statement
from addin_server.mail.message import DeliveryStatusEntry, InboundMessage, normalize_message_id
from addin_server.mail.return_date import find_return_date


class MessageKind(StrEnum):
    HUMAN_REPLY = "human_reply"
    OUT_OF_OFFICE = "out_of_office"
    BOUNCE_HARD = "bounce_hard"
    BOUNCE_SOFT = "bounce_soft"
    AUTO_OTHER = "auto_other"

    @property
    def is_bounce(self) -> bool:
        return self in (MessageKind.BOUNCE_HARD, MessageKind.BOUNCE_SOFT)


@dataclass(frozen=True)
class Classification:
    kind: MessageKind
    evidence: tuple[str, ...] = ()
    return_date: date | None = None
    bounced_recipients: tuple[str, ...] = ()
    status_codes: tuple[str, ...] = ()
    original_message_id: str | None = None
    left_company: bool = False
    # Bounced recipients whose own part of the report (their DSN block, or the lines of a textual
    # report under their address) makes them hard bounces, when the report judges recipients apart.
    # Empty when it does not: then `kind` holds for every bounced recipient.
    hard_recipients: tuple[str, ...] = ()


# RFC 3464 actions that report success; "deliverable" is what an SMTP VRFY-style probe answers.
_SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded", "deliverable"})
_OOF_CLASS = "ipm.note.rules.ooftemplate.microsoft"
_NDR_CLASS = re.compile(r"^report\..*\.ndr$", re.IGNORECASE)
_DR_CLASS = re.compile(r"^report\..*\.dr$", re.IGNORECASE)
_READ_CLASS = re.compile(r"^report\..*\.(?:ipnrn|ipnnrn)$", re.IGNORECASE)
_ENHANCED_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)")
_SMTP_REPLY = re.compile(r"(?<![\d.#-])([45]\d\d)(?=[\s-])(?![\s-]*\d+\.\d+\.\d+\.\d+)")
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MESSAGE_ID_LINE = re.compile(r"^\s*message-id\s*:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)

# Where the copy of the original message starts inside a textual bounce: its text is the rep's,
# so reasons and addresses are read only before it.
_ORIGINAL_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:this\s+is\s+a\s+copy\s+of\s+the\s+message|below\s+this\s+line\s+is\s+a\s+copy|"
    r"original\s+message\s+(?:follows|headers?)|-+\s*original\s+message|"
    r"the\s+(?:original|returned)\s+message\s+(?:follows|is\s+(?:attached|below|included)|headers|below|:)|"
    r"unsent\s+message\s+below|start\s+of\s+returned\s+message|"
    r"---+\s*(?:the\s+)?(?:original|returned|unsent|headers\s+of\s+the)|original\s+message\s+header|"
    r"copy\s+of\s+(?:the\s+)?(?:original\s+)?message)",
    re.IGNORECASE | re.MULTILINE,
)

# Reasons that say the address itself can never receive mail.
_HARD_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
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
            r"пользовател)|存在しません|不存在|존재하지\s*않|ディレクトリには見つかりません",
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
_SOFT_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = (
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
            r"only\s+accepts\s+mail\s+from|members\s+only|not\s+accepting\s+(?:mail|messages)\s+from|"
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
            r"unwanted\s+(?:messages|mail|e-?mail)",
            re.IGNORECASE,
        ),
    ),
)

_PERMANENT_WORDS = re.compile(
    r"permanent(?:ly)?\s+(?:delivery\s+)?(?:error|failure|fatal|failed|undeliverable)|failed\s+permanently|"
    r"permanent\s+fatal\s+errors|"
    r"(?:this\s+is\s+a\s+)?permanent\s+error|i'?ve\s+given\s+up|unrecoverable\s+error|fatal\s+error",
    re.IGNORECASE,
)
# Trace, authentication and X- header lines pasted into a report ("with Microsoft SMTP Server (TLS)",
# "Received-SPF: pass") describe the path of the mail, never why it failed.
_TRACE_LINES = re.compile(
    r"^(?:>\s*)?(?:received|received-spf|authentication-results|arc-[a-z-]+|dkim-signature|x-[a-z0-9-]+)\s*:.*"
    r"(?:\n[ \t]+\S.*)*",
    re.IGNORECASE | re.MULTILINE,
)
# A report that recalls the rep's subject ("  Subject: Virus scan results") is quoting the rep's words.
_SUBJECT_LINES = re.compile(r"^[ \t>]*(?:subject|thread-topic)\s*:.*$", re.IGNORECASE | re.MULTILINE)
# Where the remote server's own reply starts inside a diagnostic that a relaying service wrapped
# ("5.1.0 - Unknown address error 550-'5.2.2 ... Mailbox Full'"): its words are the reason.
_REMOTE_REPLY = re.compile(r"(?<![\d.])[45]\d\d(?=[-\s'\"])")
# The remote server's reply quoted in a textual report: a transcript line "<<< 550 ..." or "... said: 550 ..."
# (with its folded continuation lines).
_QUOTED_REPLY = re.compile(
    r"(?:^[ \t]*<<<[ \t]*|\bsaid:[ \t]*\n?[ \t]*)([45]\d\d\b.*(?:\n[ \t]+\S.*)*)", re.IGNORECASE | re.MULTILINE
)
# The refusal came at connection, EHLO/HELO or MAIL FROM: the server refused the sending host or the
# sender before the recipient was named.
_AT_MAIL_FROM = re.compile(
    r"(?:after|in\s+reply\s+to)\s+(?:the\s+)?(?:mail\s+from|e?hlo|lhlo|initial\s+connection|connect\b|greeting)|"
    # a session transcript whose refusal answers the MAIL FROM line (">>> MAIL FROM:<...>" then "<<< 550 ...")
    r"^\s*>>>\s*mail\s+from:[^\n]*\n\s*<<<\s*5",
    re.IGNORECASE | re.MULTILINE,
)
_AT_RECIPIENT = re.compile(
    r"(?:after|in\s+reply\s+to)\s+(?:the\s+)?(?:rcpt\s+to|end\s+of\s+data|data)|^\s*>>>\s*(?:rcpt\s+to|data)",
    re.IGNORECASE | re.MULTILINE,
)
# The resolver's "try again" (TRY_AGAIN, SERVFAIL): the domain's name servers did not answer, which
# says nothing about the domain existing.
_TEMPORARY_DNS = re.compile(
    r"host\s+not\s+found,\s*try\s+again|temporary\s+(?:dns|name\s*server|lookup)\s+(?:failure|error)|servfail",
    re.IGNORECASE,
)
# RFC 7504: 521 "host does not accept mail", 556 "domain does not accept mail".
_NO_MAIL_REPLY = re.compile(r"(?:^|[\s;:'\"(<])(?:521|556)[\s-]", re.MULTILINE)
_COMPLAINT_SUBJECT = re.compile(r"^\s*complaint\s+about\s+message\s+from\b", re.IGNORECASE)
# SMTP replies quoted in a report: 5XX is a permanent refusal, 4XX a temporary one (RFC 5321).
_PERMANENT_REPLY = re.compile(r"(?:^|[\s;:'\"(<\[])(5[0-5]\d)(?:[\s-]|$)(?![\s-]*\d+\.\d+\.\d+\.\d+)", re.MULTILINE)
_TEMPORARY_REPLY = re.compile(r"(?:^|[\s;:'\"(<\[])(4[0-5]\d)(?:[\s-]|$)(?![\s-]*\d+\.\d+\.\d+\.\d+)", re.MULTILINE)
# A delay warning: the message is still queued and the server keeps trying, so nothing failed yet.
_STILL_TRYING = re.compile(
    r"not\s+yet\s+been\s+delivered|attempts\s+will\s+continue|will\s+continue\s+(?:to\s+)?"
    r"(?:try|attempt|retry)|this\s+is\s+(?:just\s+|only\s+)?a\s+warning|warning\s+message\s+only|advisory[-\s]only|"
    r"has\s+been\s+postponed|still\s+(?:trying|being\s+retried)|(?:do\s+not|don'?t)\s+need\s+to\s+re-?send|"
    r"only\s+a\s+temporary\s+failure|will\s+be\s+retried|is\s+kept\s+in\s+the\s+queue|"
    r"will\s+(?:keep\s+trying|retry|try\s+again)|will-retry-until|delivery\s+incomplete|"
    r"temporary\s+problem\s+delivering\s+your\s+message",
    re.IGNORECASE,
)
# X.3 mail system, X.5 protocol, X.6 content, X.7 security or policy (RFC 3463): about the message or
# the servers, never about whether the address exists.
_NOT_ADDRESS_STATUS = re.compile(r"^5\.[3567]\.")
_HARD_STATUS = re.compile(r"^5\.(?:1\.(?:0|1|2|3|4|6|10)|4\.4)$")
# Words that say the address is gone: hard whatever the class digit of the status beside them.
_ADDRESS_GONE = re.compile(
    r"user\s+(?:is\s+)?unknown|unknown\s+(?:user|recipient|mailbox)|no\s+such\s+(?:user|mailbox|recipient|account)|"
    r"no\s+mailbox\s+(?:found|here|by\s+that\s+name)|mailbox\s+not\s+found|address\s+not\s+found|recipient\s+not\s+found|"
    r"(?:user|mailbox|recipient|address|account)\s+(?:does\s+not|doesn'?t)\s+exist",
    re.IGNORECASE,
)
_SENDER_STATUS = re.compile(r"^[45]\.1\.(?:7|8)$")  # the *sender's* address was refused: not the contact's fault


def classify(message: InboundMessage, *, received_at: datetime | None = None) -> Classification:
    """Decide what kind of message this is and why. Pure: reads only the message."""
    if message.unparseable:
        return Classification(MessageKind.AUTO_OTHER, ("unparseable",))
    anchor = received_at or message.date
    other_report = _other_report(message)
    if other_report:
        return Classification(MessageKind.AUTO_OTHER, other_report)
    bounce = _bounce_evidence(message)
    if bounce:
        delay = _delay_notice(message)
        if delay:
            # Nothing failed yet: a delay counts as nothing, so it is not a bounce at all.
            original = normalize_message_id(message.report.original_headers.get("Message-ID")) or _inline_original_id(
                message
            )
            return Classification(MessageKind.AUTO_OTHER, (delay, *bounce), original_message_id=original)
        return _classify_bounce(message, bounce)
    auto_reply = _auto_reply_evidence(message)
    if auto_reply:
        return _classify_auto_reply(message, auto_reply, anchor)
    # No automatic header: an absence notice is recognised from how it is built.
    judgement = judge_absence_notice(message.subject, _own_text(message), anchor)
    if judgement.is_notice:
        return _classify_auto_reply(message, (f"no automatic-reply header; {judgement.evidence()}",), anchor)
    automatic = _other_automatic_evidence(message)
    if automatic:
        return Classification(MessageKind.AUTO_OTHER, automatic)
    return Classification(MessageKind.HUMAN_REPLY, _human_evidence(message))


# ---------------------------------------------------------------------------------------------
# Signals shared by several steps


def _header(message: InboundMessage, name: str) -> str:
    return (message.headers.get(name) or "").strip()


def _sender_local_part(message: InboundMessage) -> str:
    raw = message.from_address or _header(message, "From")
    found = re.search(r"<?([^<>\s@]+)(?:@[^<>\s]*)?>?\s*$", raw)
    return (found.group(1) if found else raw).strip('<>" ').lower()


def _empty_return_path(message: InboundMessage) -> bool:
    values = message.headers.get_all("Return-Path")
    return bool(values) and all(v.strip() in ("<>", "") for v in values)


def _auto_submitted(message: InboundMessage) -> str:
    return _header(message, "Auto-Submitted").lower()


def _is_reply_or_forward(message: InboundMessage) -> bool:
    return bool(phrases.REPLY_PREFIX.match(message.subject))


def _readable_text(message: InboundMessage) -> str:
    """The sender's own part of the body: quoted and attached originals cut off."""
    text = message.text
    marker = _ORIGINAL_MARKER.search(text)
    if marker and marker.start() > 0:
        text = text[: marker.start()]
    return text[:20_000]


def _own_text(message: InboundMessage) -> str:
    """The body without quoted lines (">") and without a forwarded original: what the sender typed."""
    lines = []
    for line in message.text[:20_000].splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if re.match(
            r"^(?:-{2,}\s*original\s+message|_{5,}|-{5,}\s*$|on\s.{5,120}\swrote:$|from:\s)", stripped, re.IGNORECASE
        ):
            break
        lines.append(line)
    return "\n".join(lines)[:8000]


# ---------------------------------------------------------------------------------------------
# 1. Other reports


def _other_report(message: InboundMessage) -> tuple[str, ...]:
    report = message.report
    types = set(report.part_types)
    if report.report_type == "feedback-report" or "message/feedback-report" in types:
        return ("abuse/feedback report (multipart/report; report-type=feedback-report)",)
    if (report.report_type == "disposition-notification" or "message/disposition-notification" in types) and not (
        _is_automatic_refusal(report.disposition)
    ):
        return ("read receipt (message/disposition-notification)",)
    mclass = message.message_class or ""
    if _READ_CLASS.match(mclass):
        return (f"read receipt (message class {mclass})",)
    if _DR_CLASS.match(mclass):
        return (f"delivery receipt (message class {mclass})",)
    actions = {entry.action for entry in report.delivery_status if entry.action}
    statuses = {(entry.status or "")[:2] for entry in report.delivery_status}
    if actions and (actions <= _SUCCESS_ACTIONS or statuses == {"2."}):
        listed = ", ".join(sorted(actions))
        return (f"delivery status report that says the message was {listed}, not a failure",)
    if _COMPLAINT_SUBJECT.match(message.subject) and "message/rfc822" in types and not message.text.strip():
        # A mailbox provider's complaint loop (Microsoft JMRP): the reported message attached, no words.
        return (f"abuse complaint: subject {message.subject[:60]!r} with only the reported message attached",)
    if report.service_notice in ("complaint", "delivery"):
        return (f"sending service's {report.service_notice} notification (Amazon SES), not a failure",)
    if _header(message, "X-Apple-Unsubscribe").lower() == "true":
        return ("Apple Mail unsubscribe request (header X-Apple-Unsubscribe: true)",)
    if "x-arf" in (name.lower() for name, _ in message.headers):
        return ("abuse/feedback report (header X-ARF)",)
    return ()


# ---------------------------------------------------------------------------------------------
# 2. Bounces


def _is_automatic_refusal(disposition: str) -> bool:
    """An MDN sent automatically that says the message was deleted, denied or failed: a refusal
    (a Sieve "reject", RFC 5429), not a read receipt."""
    mode, _, kind = disposition.partition(";")
    return mode.strip().startswith("automatic-action") and kind.strip().split("/")[0] in ("deleted", "denied", "failed")


def _bounce_evidence(message: InboundMessage) -> tuple[str, ...]:
    report = message.report
    strong: list[str] = []
    weak: list[str] = []
    if report.service_notice == "bounce":
        strong.append("sending service's bounce notification (Amazon SES notificationType Bounce)")
    if _is_automatic_refusal(report.disposition):
        strong.append(f"the recipient's server refused the message (Disposition: {report.disposition[:80]})")
    failed_actions = [e for e in report.delivery_status if e.action not in _SUCCESS_ACTIONS]
    if report.report_type == "delivery-status" or "message/delivery-status" in report.part_types:
        if failed_actions or not report.delivery_status:
            strong.append("delivery status report (multipart/report; report-type=delivery-status)")
    local = _sender_local_part(message)
    display = (message.from_name or "").strip()
    from_mail_system = local in phrases.DAEMON_LOCAL_PARTS or bool(
        display and phrases.DAEMON_DISPLAY_NAME.search(display)
    )
    if "message/delivery-status" in report.attached_part_types and from_mail_system and not strong:
        # A mail system that wraps its report in an attached message; a person forwarding a bounce is not one.
        strong.append("delivery status report attached by a mail delivery system")
    mclass = message.message_class or ""
    if _NDR_CLASS.match(mclass):
        strong.append(f"Exchange non-delivery report (message class {mclass})")
    failed_header = _header(message, "X-Failed-Recipients")
    if failed_header:
        strong.append(f"header X-Failed-Recipients: {failed_header[:120]}")
    from_header = _header(message, "From")
    if local in phrases.DAEMON_LOCAL_PARTS or (display and phrases.DAEMON_DISPLAY_NAME.search(display)):
        sender = f"sender {(from_header or message.from_address or display)[:80]} is a mail delivery system"
        # Exchange Online's "Microsoft Outlook" also sends other notices: require a report signal.
        if local in phrases.DAEMON_LOCAL_PARTS or "outlook" not in display.lower():
            strong.append(sender)
        else:
            weak.append(sender)

    subject = message.subject
    if phrases.BOUNCE_SUBJECT.search(subject):
        weak.append(f"subject {subject[:80]!r} is a delivery failure notice")
    readable = _readable_text(message)
    body_match = phrases.BOUNCE_FORMAT_TEXT.search(readable)
    if body_match:
        weak.append(f"text says {body_match.group(0)[:80]!r}")
    if report.library_permanent or report.library_temporary:
        found = ", ".join((report.library_permanent + report.library_temporary)[:3])
        weak.append(f"flufl.bounce found failed recipients ({found})")
    auto_context = []
    if _empty_return_path(message):
        auto_context.append("empty Return-Path (<>)")
    if _auto_submitted(message) and _auto_submitted(message) != "no":
        auto_context.append(f"header Auto-Submitted: {_auto_submitted(message)[:60]}")
    if local and phrases.SYSTEM_LOCAL_PART.match(local):
        auto_context.append(f"sender {message.from_address or local} is a system account")

    if strong:
        return tuple(strong + weak)
    reply_like = _is_reply_or_forward(message)
    # A person forwarding or quoting a bounce ("FW: Undeliverable: ...") is not a bounce.
    if reply_like and not auto_context:
        return ()
    if len(weak) >= 2 or (weak and auto_context):
        return tuple(weak + auto_context)
    if weak and not reply_like and body_match and _has_status_code(readable):
        return tuple([*weak, "text carries an SMTP status code"])
    return ()


def _has_status_code(text: str) -> bool:
    return bool(_ENHANCED_STATUS.search(text) or re.search(r"(?<!\d)5[0-5]\d[\s-]", text))


# The evidence a delay notice leads with; the bounce counting relies on it (and on the kind, auto_other).
DELIVERY_DELAYED = "delivery delayed"
_DELAY_SUBJECT = re.compile(
    r"\(delay\)|\bdelayed\b|still\s+being\s+retried|delivery\s+(?:status\s+)?(?:notification\s+)?\(?delay|"
    r"^\s*warning\s*:|\bnot\s+yet\s+delivered\b|zustellung\s+verzögert|verzögert|retardée?|retrasad|ritardat|vertraagd|atrasad",
    re.IGNORECASE,
)


def _delay_notice(message: InboundMessage) -> str | None:
    """Evidence that a delivery report only says the message is delayed (the server keeps trying),
    or None when something failed. RFC 3464 "Action: delayed" for every recipient, or a textual
    warning that delivery attempts continue, with no failure beside it."""
    report = message.report
    unsuccessful = [e for e in report.delivery_status if e.action not in _SUCCESS_ACTIONS]
    if unsuccessful:
        if all(e.action == "delayed" for e in unsuccessful):
            statuses = ", ".join(sorted({e.status for e in unsuccessful if e.status})) or "no status"
            return (
                f"{DELIVERY_DELAYED}: the delivery status report says Action: delayed ({statuses}); "
                "the server is still trying"
            )
        if any(e.action == "failed" or (e.status or "").startswith("5.") for e in unsuccessful):
            return None
    if _header(message, "X-Failed-Recipients"):
        return None
    readable = _without_addresses(_TRACE_LINES.sub("", _readable_text(message)))
    still_trying = _STILL_TRYING.search(readable)
    if not still_trying or _PERMANENT_WORDS.search(readable):
        return None
    delay_subject = _DELAY_SUBJECT.search(message.subject)
    # The bounce library calls every address of a textual report "permanent", Exim's and Postfix's
    # warnings included; the MTA's own subject ("Warning: ... delayed", "Delayed Mail") says otherwise.
    if message.report.library_permanent and not delay_subject:
        return None
    said = " ".join(still_trying.group(0).split())
    if delay_subject or not re.search(r"(?<![\d.])5\.\d{1,3}\.\d{1,3}", readable):
        return f"{DELIVERY_DELAYED}: the report says the server is still trying ({said!r})"
    return None


def _classify_bounce(message: InboundMessage, evidence: tuple[str, ...]) -> Classification:
    report = message.report
    failed = [e for e in report.delivery_status if e.action not in _SUCCESS_ACTIONS]
    readable = _readable_text(message)

    # The remote server's own status (inside the diagnostic) is more precise than the Status field,
    # which the reporting MTA often fills with a generic mapping (5.0.0, or 5.1.1 for any RCPT refusal).
    statuses: list[str] = []
    diagnostics = " ".join(e.diagnostic_code or "" for e in failed)
    statuses.extend(m.group(0) for m in _ENHANCED_STATUS.finditer(diagnostics))
    for entry in failed:
        if entry.status and _ENHANCED_STATUS.fullmatch(entry.status.strip()):
            statuses.append(entry.status.strip())
    reason_text = f"{diagnostics}\n{readable}"
    for match in _ENHANCED_STATUS.finditer(readable):
        statuses.append(match.group(0))
    statuses = list(dict.fromkeys(s for s in statuses if not s.startswith("2.")))

    recipients = _bounced_recipients(message, failed, readable)
    left = left_company_statement(reason_text) is not None
    kind, why = _hard_or_soft(failed, statuses, reason_text, left)
    original = normalize_message_id(report.original_headers.get("Message-ID")) or _inline_original_id(message)
    more = [why]
    hard_recipients: tuple[str, ...] = ()
    if not left:
        hard_recipients, per_recipient_note = _hard_recipients(kind, recipients, failed, readable)
        if per_recipient_note:
            more.append(per_recipient_note)
    if recipients:
        more.append("failed recipient(s): " + ", ".join(recipients[:5]))
    if statuses:
        more.append("status " + ", ".join(statuses[:5]))
    if original:
        more.append(f"original Message-ID <{original}>")
    return Classification(
        kind,
        tuple(evidence) + tuple(more),
        bounced_recipients=tuple(recipients),
        status_codes=tuple(statuses),
        original_message_id=original,
        left_company=left,
        hard_recipients=hard_recipients,
    )


# A line of a textual report that starts one recipient's part: the address alone ("  jo@x.example"),
# or followed by a colon or sendmail's "..." ("<jo@x.example>: host mx said: 550 ...").
_RECIPIENT_LINE = re.compile(
    r"^[ \t]*<?(" + _ADDRESS.pattern + r")>?(?=[ \t]*(?::|\.\.\.|\r?$))", re.MULTILINE
)


def _hard_recipients(
    kind: MessageKind, recipients: list[str], failed: list[DeliveryStatusEntry], readable: str
) -> tuple[tuple[str, ...], str]:
    """The bounced recipients that are hard bounces on their own part of the report, and a note
    for the evidence. Each recipient is judged by the product's rule applied to its own DSN block
    (status and diagnostic) or, in a textual report, to the lines under its address. Only a report
    that judges every bounced recipient this way is read per recipient; when its verdicts all
    disagree with the report as a whole, the whole decides (nothing here changes it)."""
    verdicts = _dsn_verdicts(failed) if failed else _textual_verdicts(readable, recipients)
    if not verdicts or not recipients or any(r not in verdicts for r in recipients):
        return (), ""
    hard = tuple(r for r in recipients if verdicts[r][0] is MessageKind.BOUNCE_HARD)
    if hard and len(hard) < len(recipients):
        note = "per recipient: " + "; ".join(f"{r} {verdicts[r][1]}" for r in recipients[:10])
        return hard, note
    if hard and kind is MessageKind.BOUNCE_HARD:
        return hard, ""
    return (), ""


def _dsn_verdicts(failed: list[DeliveryStatusEntry]) -> dict[str, tuple[MessageKind, str]]:
    """Hard or soft for each DSN block's recipients, from that block's own status and diagnostic.
    Empty when a block gives neither (then the report cannot be read per recipient)."""
    verdicts: dict[str, tuple[MessageKind, str]] = {}
    for entry in failed:
        addresses = [a for a in (entry.original_recipient, entry.final_recipient) if a]
        if not addresses:
            continue
        diagnostic = entry.diagnostic_code or ""
        statuses = [m.group(0) for m in _ENHANCED_STATUS.finditer(diagnostic)]
        if entry.status and _ENHANCED_STATUS.fullmatch(entry.status.strip()):
            statuses.append(entry.status.strip())
        statuses = list(dict.fromkeys(s for s in statuses if not s.startswith("2.")))
        if not statuses and not diagnostic.strip():
            return {}
        verdict = _hard_or_soft([entry], statuses, diagnostic, False)
        for address in addresses:
            # The same address in two blocks: a hard verdict in either is the server's word that it is gone.
            if verdicts.get(address, (None,))[0] is not MessageKind.BOUNCE_HARD:
                verdicts[address] = verdict
    return verdicts


def _textual_verdicts(readable: str, recipients: list[str]) -> dict[str, tuple[MessageKind, str]]:
    """Hard or soft for each recipient of a textual report whose address heads its own lines
    (Postfix "<a@x>: ... said: 550 ...", Exim's indented address and reply, sendmail's "<a@x>... 550"):
    the reason is read from those lines only. Empty when a recipient's lines give no reason or code."""
    wanted = set(recipients)
    starts: list[tuple[int, str]] = []
    for found in _RECIPIENT_LINE.finditer(readable):
        address = try_normalize(found.group(1).strip("."))
        if address in wanted:
            starts.append((found.start(), address))
    if len({a for _, a in starts}) < 2:
        return {}
    blocks: dict[str, list[str]] = {}
    for i, (start, address) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(readable)
        blocks.setdefault(address, []).append(readable[start:end])
    verdicts: dict[str, tuple[MessageKind, str]] = {}
    for address, parts in blocks.items():
        text = _without_addresses("\n".join(parts))
        codes = (m.group(0) for m in _ENHANCED_STATUS.finditer(text))
        statuses = list(dict.fromkeys(s for s in codes if not s.startswith("2.")))
        own_words = _first_reason(_HARD_REASONS, text) or _first_reason(_SOFT_REASONS, text)
        if not statuses and not own_words and not _SMTP_REPLY.search(text):
            return {}
        verdicts[address] = _hard_or_soft([], statuses, text, False)
    return verdicts


def _hard_or_soft(
    failed: list[DeliveryStatusEntry], statuses: list[str], reason_text: str, left: bool
) -> tuple[MessageKind, str]:
    hard = MessageKind.BOUNCE_HARD
    soft = MessageKind.BOUNCE_SOFT
    if left:
        return hard, "hard: the recipient no longer works there"
    if failed and all(e.action == "delayed" for e in failed):
        return soft, "soft: delivery is delayed, the server is still trying"
    if not any(e.action == "failed" for e in failed):
        still_trying = _STILL_TRYING.search(_without_addresses(_TRACE_LINES.sub("", reason_text)))
        if still_trying:
            said = " ".join(still_trying.group(0).split())
            return soft, f"soft: a delay warning, the server is still trying ({said!r})"
    first_status = next((s for s in statuses if not _SENDER_STATUS.match(s)), statuses[0] if statuses else "")
    if first_status and _SENDER_STATUS.match(first_status):
        return soft, f"soft: status {first_status} refuses the sender's address, not the recipient's"
    whole = _without_addresses(_SUBJECT_LINES.sub("", _TRACE_LINES.sub("", reason_text)))
    if _AT_MAIL_FROM.search(whole) and not _AT_RECIPIENT.search(whole):
        return soft, "soft: the server refused the sender at connection, EHLO or MAIL FROM, before any recipient"
    temporary_dns = _TEMPORARY_DNS.search(whole)
    if temporary_dns and not (first_status and _HARD_STATUS.match(first_status)):
        said = " ".join(temporary_dns.group(0).split())
        return soft, f"soft: the domain's name servers did not answer ({said!r})"
    # Read the remote server's own words first (the DSN diagnostic, and inside it the reply a relaying
    # service quoted), then the report's text.
    diagnostic = _without_addresses(" ".join(e.diagnostic_code or "" for e in failed))
    remote = _REMOTE_REPLY.search(diagnostic)
    hard_reason = soft_reason = None
    # In a textual report the remote server's reply is quoted in a session transcript ("<<< 550 ...") or
    # after "said:"; the report's own boilerplate around it ("the address may not exist, or ...") is generic.
    quoted = "\n".join(m.group(1) for m in _QUOTED_REPLY.finditer(whole))
    # The receiving server's own words that the address is gone (not a reporting service's headline,
    # such as Gmail's "Address not found" over a DNS error) make a hard bounce whatever the class digit.
    server_words = diagnostic if diagnostic.strip() else (quoted or whole)
    gone = _ADDRESS_GONE.search(server_words)
    for text in (diagnostic[remote.start() :] if remote else "", diagnostic, quoted, whole):
        hard_reason = _first_reason(_HARD_REASONS, text)
        soft_reason = _first_reason(_SOFT_REASONS, text)
        if hard_reason or soft_reason:
            break
    status_note = f" (status {first_status})" if first_status else ""
    if hard_reason and soft_reason:
        if first_status.startswith("4."):
            if gone:
                return hard, f"hard: {hard_reason[2]}, which the text states whatever the status ({first_status})"
            return soft, f"soft: {soft_reason[2]}{status_note}"
        if first_status and _HARD_STATUS.match(first_status):
            return hard, f"hard: {hard_reason[2]}{status_note}"
        # Both kinds of words: a phrase that contains the other wins ("recipient address rejected:
        # access denied" is hard, "unroutable sender address" is soft); otherwise the first written.
        hard_covers = hard_reason[0] <= soft_reason[0] and hard_reason[1] >= soft_reason[1]
        soft_covers = soft_reason[0] <= hard_reason[0] and soft_reason[1] >= hard_reason[1]
        if hard_covers and not soft_covers:
            return hard, f"hard: {hard_reason[2]}{status_note}"
        if soft_covers or soft_reason[0] < hard_reason[0]:
            return soft, f"soft: {soft_reason[2]}{status_note}"
        return hard, f"hard: {hard_reason[2]}{status_note}"
    if hard_reason:
        if first_status.startswith("5.2."):
            # X.2.X statuses are about an existing mailbox (disabled, full): the address is there.
            return soft, (
                f"soft: status {first_status} is about an existing mailbox, although the text says {hard_reason[2]}"
            )
        if first_status.startswith("4."):
            if gone:
                return hard, f"hard: {hard_reason[2]}, which the text states whatever the status ({first_status})"
            return soft, f"soft: temporary status {first_status} although the text says {hard_reason[2]}"
        return hard, f"hard: {hard_reason[2]}{status_note}"
    if soft_reason:
        # The server's words ("blacklisted", "over quota") beat a generic status mapping.
        return soft, f"soft: {soft_reason[2]}{status_note}"
    if first_status and _HARD_STATUS.match(first_status):
        return hard, f"hard: status {first_status} says the address is unknown"
    if first_status.startswith(("4.", "5.2.")):
        return soft, f"soft: status {first_status} is temporary or about an existing mailbox"
    if _NO_MAIL_REPLY.search(whole):
        return hard, "hard: the server answers 521/556, it does not accept mail for the domain (RFC 7504)"
    if _NOT_ADDRESS_STATUS.match(first_status):
        return soft, f"soft: status {first_status} is about the message, the protocol or a policy, not the address"
    if first_status.startswith("5.4."):
        return soft, f"soft: status {first_status} is a network or routing fault, not about the address"
    # No reason can be read: the report's own class decides. A server that calls the failure
    # permanent (5.X.X, a 5XX reply, a DSN "failed" action, "permanent error") says that sending
    # again cannot work, and the commonest permanent failure is an address that is not there.
    if first_status.startswith("5."):
        return hard, f"hard: status {first_status} is a permanent failure and the report gives no other reason"
    permanent = _PERMANENT_WORDS.search(whole)
    if permanent:
        return hard, f"hard: the server calls the failure permanent ({permanent.group(0)!r}) and gives no other reason"
    reply = _PERMANENT_REPLY.search(whole)
    if reply:
        return hard, f"hard: the server refused with a permanent reply {reply.group(1)} and gives no other reason"
    if any(e.action == "failed" for e in failed):
        return hard, "hard: the delivery status report says the delivery failed (Action: failed) and gives no reason"
    if _TEMPORARY_REPLY.search(whole):
        return soft, "soft: the server's reply is temporary (4XX) and gives no reason"
    return soft, "soft: the report neither gives a reason nor calls the failure permanent"


def _without_addresses(text: str) -> str:
    # "filtered@example.com" must not read as a spam filter.
    return _ADDRESS.sub(lambda m: "x" * len(m.group(0)), text)


def _first_reason(table: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> tuple[int, int, str] | None:
    """(start, end, label) of the earliest reason of a table found in the text."""
    best: tuple[int, int, str] | None = None
    for label, pattern in table:
        found = pattern.search(text)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), found.end(), label)
    return best


def _bounced_recipients(message: InboundMessage, failed: list[DeliveryStatusEntry], readable: str) -> list[str]:
    out: dict[str, None] = {}
    for entry in failed:
        address = entry.original_recipient or entry.final_recipient
        if address:
            out.setdefault(address, None)
    for value in message.headers.get_all("X-Failed-Recipients"):
        for part in re.split(r"[,\s]+", value):
            address = try_normalize(part.strip("<>"))
            if address:
                out.setdefault(address, None)
    for address in (*message.report.library_permanent, *message.report.library_temporary):
        out.setdefault(address, None)
    if out:
        return list(out)
    # Textual reports: addresses in the report's own words, minus the people it is sent to or from.
    excluded = {a for a in (message.from_address, *message.to, *message.cc, *message.reply_to) if a}
    original_from = try_normalize(message.report.original_headers.get("From") or "")
    if original_from:
        excluded.add(original_from)
    for found in _ADDRESS.finditer(readable):
        address = try_normalize(found.group(0).strip("."))
        if not address or address in excluded:
            continue
        local = address.split("@", 1)[0]
        if local in phrases.DAEMON_LOCAL_PARTS or phrases.SYSTEM_LOCAL_PART.match(local):
            continue
        out.setdefault(address, None)
        if len(out) >= 10:
            break
    if not out:
        for address in message.report.original_headers.get_all("To"):
            norm = try_normalize(address)
            if norm:
                out.setdefault(norm, None)
    return list(out)


def _inline_original_id(message: InboundMessage) -> str | None:
    """Textual bounces often paste the original headers into the body."""
    own = message.message_id
    for match in _MESSAGE_ID_LINE.finditer(message.text):
        found = normalize_message_id(match.group(1))
        if found and found != own:
            return found
    return None


# ---------------------------------------------------------------------------------------------
# 3. Automatic replies


def _auto_reply_evidence(message: InboundMessage) -> tuple[str, ...]:
    """Signals that the message is an automatic reply, strongest first."""
    evidence: list[str] = []
    mclass = (message.message_class or "").strip()
    if mclass.lower() == _OOF_CLASS:
        evidence.append(f"Exchange out-of-office message class {mclass}")
    apple = _header(message, "X-Apple-Action")
    if apple.upper().startswith("VACATION"):
        evidence.append(f"header X-Apple-Action: {apple[:40]}")
    submitted = _auto_submitted(message)
    if submitted.startswith("auto-replied") or "vacation" in submitted or "auto-repl" in submitted:
        evidence.append(f"header Auto-Submitted: {submitted[:60]}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply", "X-Vacation"):
        value = _header(message, name)
        if value and value.lower() not in ("no", "false", "0"):
            evidence.append(f"header {name}: {value[:60]}")
    precedence = _header(message, "Precedence").lower()
    if precedence in ("auto_reply", "auto-reply", "autoreply"):
        evidence.append(f"header Precedence: {precedence}")
    suppress = _header(message, "X-Auto-Response-Suppress")
    loop = _header(message, "X-MS-Exchange-Inbox-Rules-Loop")
    if suppress and loop:
        evidence.append(
            "headers X-MS-Exchange-Inbox-Rules-Loop with X-Auto-Response-Suppress (an Exchange inbox rule answered)"
        )
    own = _own_text(message)
    prefix = phrases.AUTO_REPLY_SUBJECT_PREFIX.match(message.subject)
    if prefix:
        bare_auto = re.fullmatch(r"\s*auto\s*:", prefix.group(0), re.IGNORECASE)
        # Lotus Notes' bare "AUTO:" counts only with an absence sentence; "Auto: insurance quote" is a person.
        if not bare_auto or phrases.OUT_OF_OFFICE_TEXT.search(f"{message.subject}\n{own}"):
            evidence.append(f"subject starts with {prefix.group(0).strip()!r}")
    if not prefix and not _is_reply_or_forward(message) and phrases.LOTUS_SUBJECT.match(message.subject):
        evidence.append(f"subject {message.subject[:60]!r} is Lotus Notes' out-of-office subject")
    statement = phrases.AUTOMATIC_REPLY_STATEMENT.search(own)
    if statement:
        # Words alone are weaker than headers: keep them only with an absence sentence or another signal.
        if evidence or phrases.OUT_OF_OFFICE_TEXT.search(own):
            evidence.append(f"text says {statement.group(0)[:60]!r}")
    elif evidence:
        words = phrases.AUTOMATIC_REPLY_WORDS.search(own)
        if words:
            evidence.append(f"text says {words.group(0)[:60]!r}")
    if submitted.startswith("auto-generated") and not evidence:
        # RFC 3834 auto-generated mail that answers the rep's email and speaks of an absence.
        absence = phrases.OUT_OF_OFFICE_TEXT.search(f"{message.subject}\n{own}")
        if absence and (message.in_reply_to or _is_reply_or_forward(message)):
            evidence.append(f"header Auto-Submitted: {submitted[:60]} on a reply that says {absence.group(0)[:40]!r}")
    return tuple(evidence)


def _classify_auto_reply(message: InboundMessage, evidence: tuple[str, ...], anchor: datetime | None) -> Classification:
    own = _own_text(message)
    text = f"{message.subject}\n{own}"
    absence = phrases.OUT_OF_OFFICE_TEXT.search(text)
    return_date = find_return_date(text, anchor)
    # Leaving for good has no return: a notice that states one (or an end) is an absence, whatever else it says.
    leaving = leaving_for_good(
        text, anchor, sender_name=message.from_name or "", sender_address=message.from_address or ""
    )
    left = leaving.for_good
    more = list(evidence)
    if absence:
        more.append(f"text says {absence.group(0)[:60]!r}")
    if left:
        more.append(f"text says the person has left or the address is no longer in use: {leaving.statement!r}")
    elif leaving.statement:
        more.append(f"not read as leaving: {leaving.not_for_good} ({leaving.statement!r})")
    # The subject echoes the rep's own (ticket numbers included): read the sender's words only.
    acknowledgement = phrases.ACKNOWLEDGEMENT_TEXT.search(own)
    if acknowledgement and not absence and not left:
        more.append(f"automatic acknowledgement: {acknowledgement.group(0)[:60]!r}")
        return Classification(MessageKind.AUTO_OTHER, tuple(more))
    if left:
        return_date = None
    if return_date:
        more.append(f"return date {return_date.isoformat()} stated in the text")
    return Classification(MessageKind.OUT_OF_OFFICE, tuple(more), return_date=return_date, left_company=left)


# ---------------------------------------------------------------------------------------------
# 4. Other automatic mail


_BULK_SENDER_HEADERS = (
    "X-Campaign",
    "X-CampaignID",
    "X-Mailchimp-Campaign",
    "X-MC-User",
    "X-SG-EID",
    "X-SES-Outgoing",
    "X-Mandrill-User",
    "X-MSYS-API",
    "X-Marketo-ID",
    "X-HubSpot-Id",
    "X-Feedback-ID",
    "X-Jenkins-Job",
    "X-GitHub-Reason",
    "X-GitLab-Project",
    "X-Gerrit-MessageType",
    "X-JIRA-FingerPrint",
    "X-Bugzilla-Reason",
    "X-Zabbix",
    "X-Nagios",
)


def _other_automatic_evidence(message: InboundMessage) -> tuple[str, ...]:
    evidence: list[str] = []
    submitted = _auto_submitted(message)
    if submitted and submitted != "no":
        evidence.append(f"header Auto-Submitted: {submitted[:60]}")
    own = _own_text(message)
    challenge = phrases.CHALLENGE_TEXT.search(f"{message.subject}\n{own}")
    if challenge or any(name.lower().startswith(("x-boxbe", "x-spamarrest")) for name, _ in message.headers):
        evidence.append("challenge-response request" + (f": {challenge.group(0)[:60]!r}" if challenge else ""))
    automated_subject = phrases.SUBJECT_AUTOMATED.search(message.subject)
    if automated_subject:
        evidence.append(f"subject {message.subject[:60]!r} is automatic")
    for name in _BULK_SENDER_HEADERS:
        if name in message.headers:
            evidence.append(f"header {name} (sent by an automated system)")
            break
    local = _sender_local_part(message)
    if local and phrases.SYSTEM_LOCAL_PART.match(local):
        evidence.append(f"sender {message.from_address or local} is a system account")
    if _header(message, "List-Unsubscribe-Post"):
        evidence.append("header List-Unsubscribe-Post (one-click unsubscribe: bulk mail)")
    precedence = _header(message, "Precedence").lower()
    if precedence == "junk":
        evidence.append(f"header Precedence: {precedence}")
    elif (
        precedence == "bulk"
        and not _header(message, "List-Id")
        and not (message.in_reply_to or message.references or _is_reply_or_forward(message))
    ):
        # Bulk mail sent directly (not a post relayed by a list server) that answers nothing.
        evidence.append("header Precedence: bulk on a message that is neither a list post nor a reply")
    return tuple(evidence)


def _human_evidence(message: InboundMessage) -> tuple[str, ...]:
    notes = ["no delivery-report, auto-reply or bulk signal"]
    if message.in_reply_to or message.references:
        notes.append("answers an earlier message (In-Reply-To/References)")
    if _header(message, "X-Auto-Response-Suppress"):
        notes.append("X-Auto-Response-Suppress alone is ordinary Outlook mail")
    if _header(message, "List-Id") or _header(message, "Precedence").lower() in ("list", "bulk"):
        notes.append("list headers alone do not make a person's post automatic")
    return tuple(notes)
