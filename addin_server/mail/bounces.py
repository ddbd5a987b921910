"""Delivery reports: whether a message is a bounce, a delay notice, and a hard or soft bounce.

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
- A mailing-list server's refusal of a post ("You are not a member of this mailing list", with the list
  server's own header such as X-MLServer) is a report: a soft bounce for the list's address. Its loop
  alerts to its own administrator are no report about an address.
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

from addin_server.domain.addresses import try_normalize
from addin_server.domain.model import InboundKind
from addin_server.mail import bounce_words as words
from addin_server.mail import phrases
from addin_server.mail.absence import left_company_statement
from addin_server.mail.classification import Classification
from addin_server.mail.message import DeliveryStatusEntry, InboundMessage, normalize_message_id
from addin_server.mail.signals import (
    auto_submitted_evidence,
    empty_return_path,
    header_value,
    is_reply_or_forward,
    readable_text,
    sender_local_part,
    system_sender_evidence,
    unsuccessful_blocks,
)

_NDR_CLASS = re.compile(r"^report\..*\.ndr$", re.IGNORECASE)
# A mailing-list server's own refusal of a post (fml's "You are not a member of this mailing list"):
# the message did not reach the list's address. Only with the list server's own header.
_LIST_SERVER_HEADERS = ("X-MLServer", "X-ML-Server", "X-List-Administrivia")
# A list's own command and owner addresses named in its notices ("send 'guide' to list-ctl@...") are no recipient.
_LIST_CONTROL = re.compile(r".+-(?:ctl|request|owner|admin)$", re.IGNORECASE)
_LIST_REFUSAL = re.compile(
    r"(?:you\s+are|is)\s+not\s+(?:a\s+)?member\s+of\s+(?:this|the)\s+(?:mailing\s+)?list|"
    r"only\s+members\s+(?:can|may)\s+post|posting\s+(?:is\s+)?restricted\s+to\s+members",
    re.IGNORECASE,
)
# Blanks read within the line only: across a run of blank lines every line would rescan the rest.
_MESSAGE_ID_LINE = re.compile(r"^[^\S\n]*+message-id\s*:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)


def is_automatic_refusal(disposition: str) -> bool:
    """An MDN sent automatically that says the message was deleted, denied or failed: a refusal
    (a Sieve "reject", RFC 5429), not a read receipt."""
    mode, _, kind = disposition.partition(";")
    return mode.strip().startswith("automatic-action") and kind.strip().split("/")[0] in ("deleted", "denied", "failed")


def bounce_evidence(message: InboundMessage) -> tuple[str, ...]:
    """The signals that a message is a delivery report (strongest first), or () when it is not one."""
    report = message.report
    strong: list[str] = []
    weak: list[str] = []
    if report.service_notice == "bounce":
        strong.append("sending service's bounce notification (Amazon SES notificationType Bounce)")
    if is_automatic_refusal(report.disposition):
        strong.append(f"the recipient's server refused the message (Disposition: {report.disposition[:80]})")
    failed_actions = unsuccessful_blocks(message)
    if report.report_type == "delivery-status" or "message/delivery-status" in report.part_types:
        if failed_actions or not report.delivery_status:
            strong.append("delivery status report (multipart/report; report-type=delivery-status)")
    local = sender_local_part(message)
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
    if any(name.lower() == "x-ms-exchange-message-is-ndr" for name, _ in message.headers):
        strong.append("header X-MS-Exchange-Message-Is-Ndr (Exchange marks it a non-delivery report)")
    refusal = _LIST_REFUSAL.search(readable_text(message))
    if refusal and any(header_value(message, name) for name in _LIST_SERVER_HEADERS):
        strong.append(f"the mailing list's server refused the post: {refusal.group(0)[:60]!r}")
    failed_header = header_value(message, "X-Failed-Recipients")
    if failed_header:
        strong.append(f"header X-Failed-Recipients: {failed_header[:120]}")
    from_header = header_value(message, "From")
    if from_mail_system:
        sender = f"sender {(from_header or message.from_address or display)[:80]} is a mail delivery system"
        # Exchange Online's "Microsoft Outlook" also sends other notices: require a report signal.
        if local in phrases.DAEMON_LOCAL_PARTS or "outlook" not in display.lower():
            strong.append(sender)
        else:
            weak.append(sender)

    subject = message.subject
    if phrases.BOUNCE_SUBJECT.search(subject):
        weak.append(f"subject {subject[:80]!r} is a delivery failure notice")
    readable = readable_text(message)
    body_match = phrases.BOUNCE_FORMAT_TEXT.search(readable)
    if body_match:
        weak.append(f"text says {body_match.group(0)[:80]!r}")
    if report.library_permanent or report.library_temporary:
        found = ", ".join((report.library_permanent + report.library_temporary)[:3])
        weak.append(f"flufl.bounce found failed recipients ({found})")
    auto_context = []
    if empty_return_path(message):
        auto_context.append("empty Return-Path (<>)")
    auto_context.extend(line for line in (auto_submitted_evidence(message), system_sender_evidence(message)) if line)

    if strong:
        return tuple(strong + weak)
    reply_like = is_reply_or_forward(message)
    # A person forwarding or quoting a bounce ("FW: Undeliverable: ...") is not a bounce.
    if reply_like and not auto_context:
        return ()
    if len(weak) >= 2 or (weak and auto_context):
        return tuple(weak + auto_context)
    if weak and not reply_like and body_match and _has_status_code(readable):
        return tuple([*weak, "text carries an SMTP status code"])
    return ()


def _has_status_code(text: str) -> bool:
    return bool(words.ENHANCED_STATUS.search(text) or re.search(r"(?<!\d)5[0-5]\d[\s-]", text))


# The evidence a delay notice leads with; the bounce counting relies on it (and on the kind, auto_other).
DELIVERY_DELAYED = "delivery delayed"
_DELAY_SUBJECT = re.compile(
    r"\(delay\)|\bdelayed\b|still\s+being\s+retried|delivery\s+(?:status\s+)?(?:notification\s+)?\(?delay|"
    r"^\s*warning\s*:|\bnot\s+yet\s+delivered\b|zustellung\s+verzögert|verzögert|retardée?|retrasad|ritardat|vertraagd|atrasad|"
    r"配信の遅延|延迟传递|延遲傳遞",
    re.IGNORECASE,
)


def _delay_notice(message: InboundMessage) -> str | None:
    """Evidence that a delivery report only says the message is delayed (the server keeps trying),
    or None when something failed. RFC 3464 "Action: delayed" for every recipient, or a textual
    warning that delivery attempts continue, with no failure beside it."""
    unsuccessful = unsuccessful_blocks(message)
    if unsuccessful:
        if all(e.action == "delayed" for e in unsuccessful):
            statuses = ", ".join(sorted({e.status for e in unsuccessful if e.status})) or "no status"
            return (
                f"{DELIVERY_DELAYED}: the delivery status report says Action: delayed ({statuses}); "
                "the server is still trying"
            )
        if any(e.action == "failed" or (e.status or "").startswith("5.") for e in unsuccessful):
            return None
    if header_value(message, "X-Failed-Recipients"):
        return None
    readable = _without_trace(readable_text(message))
    still_trying = words.STILL_TRYING.search(readable)
    if not still_trying or words.PERMANENT_WORDS.search(readable):
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


def classify_report(message: InboundMessage, evidence: tuple[str, ...]) -> Classification:
    """The verdict on a message that reads as a delivery report (`evidence` from `bounce_evidence`):
    a delay notice, which is other automatic mail, or a hard or soft bounce."""
    delay = _delay_notice(message)
    if delay:
        # Nothing failed yet: a delay counts as nothing, so it is not a bounce at all.
        return Classification(InboundKind.AUTO_OTHER, (delay, *evidence), original_message_id=_original_id(message))
    return _classify_bounce(message, evidence)


def _classify_bounce(message: InboundMessage, evidence: tuple[str, ...]) -> Classification:
    failed = unsuccessful_blocks(message)
    readable = readable_text(message)

    diagnostics = " ".join(e.diagnostic_code or "" for e in failed)
    statuses = _statuses(diagnostics, failed, readable)
    reason_text = f"{diagnostics}\n{readable}"

    recipients = _bounced_recipients(message, failed, readable)
    left = left_company_statement(reason_text) is not None
    kind, why = _hard_or_soft(failed, statuses, reason_text, left)
    original = _original_id(message)
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
    r"^[ \t]*<?(" + words.ADDRESS.pattern + r")>?(?=[ \t]*(?::|\.\.\.|\r?$))", re.MULTILINE
)


def _hard_recipients(
    kind: InboundKind, recipients: list[str], failed: list[DeliveryStatusEntry], readable: str
) -> tuple[tuple[str, ...], str]:
    """The bounced recipients that are hard bounces on their own part of the report, and a note
    for the evidence. Each recipient is judged by the product's rule applied to its own DSN block
    (status and diagnostic) or, in a textual report, to the lines under its address. Only a report
    that judges every bounced recipient this way is read per recipient; when its verdicts all
    disagree with the report as a whole, the whole decides (nothing here changes it)."""
    verdicts = _dsn_verdicts(failed) if failed else _textual_verdicts(readable, recipients)
    if not verdicts or not recipients or any(r not in verdicts for r in recipients):
        return (), ""
    hard = tuple(r for r in recipients if verdicts[r][0] is InboundKind.BOUNCE_HARD)
    if hard and len(hard) < len(recipients):
        note = "per recipient: " + "; ".join(f"{r} {verdicts[r][1]}" for r in recipients[:10])
        return hard, note
    if hard and kind is InboundKind.BOUNCE_HARD:
        return hard, ""
    return (), ""


def _dsn_verdicts(failed: list[DeliveryStatusEntry]) -> dict[str, tuple[InboundKind, str]]:
    """Hard or soft for each DSN block's recipients, from that block's own status and diagnostic.
    Empty when a block gives neither (then the report cannot be read per recipient)."""
    verdicts: dict[str, tuple[InboundKind, str]] = {}
    for entry in failed:
        addresses = [a for a in (entry.original_recipient, entry.final_recipient) if a]
        if not addresses:
            continue
        diagnostic = entry.diagnostic_code or ""
        statuses = _statuses(diagnostic, [entry])
        if not statuses and not diagnostic.strip():
            return {}
        verdict = _hard_or_soft([entry], statuses, diagnostic, False)
        for address in addresses:
            # The same address in two blocks: a hard verdict in either is the server's word that it is gone.
            if verdicts.get(address, (None,))[0] is not InboundKind.BOUNCE_HARD:
                verdicts[address] = verdict
    return verdicts


def _textual_verdicts(readable: str, recipients: list[str]) -> dict[str, tuple[InboundKind, str]]:
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
    verdicts: dict[str, tuple[InboundKind, str]] = {}
    for address, parts in blocks.items():
        text = _without_addresses("\n".join(parts))
        statuses = _statuses(text)
        own_words = _first_reason(words.HARD_REASONS, text) or _first_reason(words.SOFT_REASONS, text)
        if not statuses and not own_words and not words.SMTP_REPLY.search(text):
            return {}
        verdicts[address] = _hard_or_soft([], statuses, text, False)
    return verdicts


def _hard_or_soft(
    failed: list[DeliveryStatusEntry], statuses: list[str], reason_text: str, left: bool
) -> tuple[InboundKind, str]:
    hard = InboundKind.BOUNCE_HARD
    soft = InboundKind.BOUNCE_SOFT
    if left:
        return hard, "hard: the recipient no longer works there"
    if failed and all(e.action == "delayed" for e in failed):
        return soft, "soft: delivery is delayed, the server is still trying"
    if not any(e.action == "failed" for e in failed):
        still_trying = words.STILL_TRYING.search(_without_trace(reason_text))
        if still_trying:
            said = " ".join(still_trying.group(0).split())
            return soft, f"soft: a delay warning, the server is still trying ({said!r})"
    first_status = next((s for s in statuses if not words.SENDER_STATUS.match(s)), statuses[0] if statuses else "")
    if first_status and words.SENDER_STATUS.match(first_status):
        return soft, f"soft: status {first_status} refuses the sender's address, not the recipient's"
    whole = _without_addresses(words.SUBJECT_LINES.sub("", words.TRACE_LINES.sub("", reason_text)))
    if words.AT_MAIL_FROM.search(whole) and not words.AT_RECIPIENT.search(whole):
        return soft, "soft: the server refused the sender at connection, EHLO or MAIL FROM, before any recipient"
    temporary_dns = words.TEMPORARY_DNS.search(whole)
    if temporary_dns and not (first_status and words.HARD_STATUS.match(first_status)):
        said = " ".join(temporary_dns.group(0).split())
        return soft, f"soft: the domain's name servers did not answer ({said!r})"
    # Read the remote server's own words first (the DSN diagnostic, and inside it the reply a relaying
    # service quoted), then the report's text.
    diagnostic = _without_addresses(" ".join(e.diagnostic_code or "" for e in failed))
    remote = words.REMOTE_REPLY.search(diagnostic)
    hard_reason = soft_reason = None
    # In a textual report the remote server's reply is quoted in a session transcript ("<<< 550 ...") or
    # after "said:"; the report's own boilerplate around it ("the address may not exist, or ...") is generic.
    quoted = "\n".join(m.group(1) for m in words.QUOTED_REPLY.finditer(whole))
    # The receiving server's own words that the address is gone (not a reporting service's headline,
    # such as Gmail's "Address not found" over a DNS error) make a hard bounce whatever the class digit.
    server_words = diagnostic if diagnostic.strip() else (quoted or whole)
    gone = words.ADDRESS_GONE.search(server_words)
    for text in (diagnostic[remote.start() :] if remote else "", diagnostic, quoted, whole):
        hard_reason = _first_reason(words.HARD_REASONS, text)
        soft_reason = _first_reason(words.SOFT_REASONS, text)
        if hard_reason or soft_reason:
            break
    status_note = f" (status {first_status})" if first_status else ""
    if hard_reason and soft_reason:
        if first_status.startswith("4."):
            if gone:
                return hard, f"hard: {hard_reason[2]}, which the text states whatever the status ({first_status})"
            return soft, f"soft: {soft_reason[2]}{status_note}"
        if first_status and words.HARD_STATUS.match(first_status):
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
    if first_status and words.HARD_STATUS.match(first_status):
        return hard, f"hard: status {first_status} says the address is unknown"
    if first_status.startswith(("4.", "5.2.")):
        return soft, f"soft: status {first_status} is temporary or about an existing mailbox"
    if words.NO_MAIL_REPLY.search(whole):
        return hard, "hard: the server answers 521/556, it does not accept mail for the domain (RFC 7504)"
    if words.NOT_ADDRESS_STATUS.match(first_status):
        return soft, f"soft: status {first_status} is about the message, the protocol or a policy, not the address"
    if first_status.startswith("5.4."):
        return soft, f"soft: status {first_status} is a network or routing fault, not about the address"
    # No reason can be read: the report's own class decides. A server that calls the failure
    # permanent (5.X.X, a 5XX reply, a DSN "failed" action, "permanent error") says that sending
    # again cannot work, and the commonest permanent failure is an address that is not there.
    if first_status.startswith("5."):
        return hard, f"hard: status {first_status} is a permanent failure and the report gives no other reason"
    permanent = words.PERMANENT_WORDS.search(whole)
    if permanent:
        return hard, f"hard: the server calls the failure permanent ({permanent.group(0)!r}) and gives no other reason"
    reply = words.PERMANENT_REPLY.search(whole)
    if reply:
        return hard, f"hard: the server refused with a permanent reply {reply.group(1)} and gives no other reason"
    if any(e.action == "failed" for e in failed):
        return hard, "hard: the delivery status report says the delivery failed (Action: failed) and gives no reason"
    if words.TEMPORARY_REPLY.search(whole):
        return soft, "soft: the server's reply is temporary (4XX) and gives no reason"
    return soft, "soft: the report neither gives a reason nor calls the failure permanent"


def _without_trace(text: str) -> str:
    """The report's words without its pasted trace lines and without addresses."""
    return _without_addresses(words.TRACE_LINES.sub("", text))


def _statuses(diagnostic: str, entries: list[DeliveryStatusEntry] | None = None, text: str = "") -> list[str]:
    """Enhanced status codes, each once and successes (2.X.X) left out: the remote server's own
    (inside the diagnostic) first, as they are more precise than the Status field the reporting
    MTA often fills with a generic mapping (5.0.0, or 5.1.1 for any RCPT refusal); then the Status
    fields; then the codes written in the report's text."""
    found = [m.group(0) for m in words.ENHANCED_STATUS.finditer(diagnostic)]
    found += [e.status.strip() for e in entries or () if e.status and words.ENHANCED_STATUS.fullmatch(e.status.strip())]
    found += [m.group(0) for m in words.ENHANCED_STATUS.finditer(text)]
    return list(dict.fromkeys(s for s in found if not s.startswith("2.")))


def _original_id(message: InboundMessage) -> str | None:
    """The Message-ID of the email a report returns: from its returned headers, else pasted in its text."""
    return normalize_message_id(message.report.original_headers.get("Message-ID")) or _inline_original_id(message)


def _without_addresses(text: str) -> str:
    # "filtered@example.com" must not read as a spam filter.
    return words.ADDRESS.sub(lambda m: "x" * len(m.group(0)), text)


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
    for found in words.ADDRESS.finditer(readable):
        address = try_normalize(found.group(0).strip("."))
        if not address or address in excluded:
            continue
        local = address.split("@", 1)[0]
        if local in phrases.DAEMON_LOCAL_PARTS or phrases.SYSTEM_LOCAL_PART.match(local) or _LIST_CONTROL.match(local):
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


