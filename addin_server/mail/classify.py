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
   A mailing-list server's own notice about a message (a loop alert, a post held for moderation or
   rejected) comes next: auto_other, read from its sender, the list's own address (mail/list_notices.py).
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

Whether a delivery report is a bounce, a delay, and a hard or a soft bounce is mail/bounces.py's
reasoning; this module decides among the kinds.
"""

from __future__ import annotations

import re
from datetime import datetime

from addin_server.domain.model import InboundKind
from addin_server.mail import absence_shape, phrases
from addin_server.mail.absence import judge_absence_notice, leaving_for_good
from addin_server.mail.bounces import DELIVERY_DELAYED, bounce_evidence, classify_report, is_automatic_refusal
from addin_server.mail.classification import Classification
from addin_server.mail.list_notices import list_notice_evidence
from addin_server.mail.message import InboundMessage
from addin_server.mail.recipient import rep_names
from addin_server.mail.return_date import find_return_date
from addin_server.mail.signals import (
    SUCCESS_ACTIONS,
    auto_submitted,
    auto_submitted_evidence,
    header_value,
    is_reply_or_forward,
    own_text,
    system_sender_evidence,
)

__all__ = ["DELIVERY_DELAYED", "Classification", "classify"]

_OOF_CLASS = "ipm.note.rules.ooftemplate.microsoft"
_DR_CLASS = re.compile(r"^report\..*\.dr$", re.IGNORECASE)
_READ_CLASS = re.compile(r"^report\..*\.(?:ipnrn|ipnnrn)$", re.IGNORECASE)
_COMPLAINT_SUBJECT = re.compile(r"^\s*complaint\s+about\s+message\s+from\b", re.IGNORECASE)


def classify(message: InboundMessage, *, received_at: datetime | None = None) -> Classification:
    """Decide what kind of message this is and why. Pure: reads only the message."""
    if message.unparseable:
        return Classification(InboundKind.AUTO_OTHER, ("unparseable",))
    anchor = received_at or message.date
    other_report = _other_report(message)
    if other_report:
        return Classification(InboundKind.AUTO_OTHER, other_report)
    bounce = bounce_evidence(message)
    if bounce:
        return classify_report(message, bounce)
    list_notice = list_notice_evidence(message)
    if list_notice:
        return Classification(InboundKind.AUTO_OTHER, list_notice)
    # What the sender typed (quotes and forwarded originals cut), read once for every step below.
    own = own_text(message)
    auto_reply = _auto_reply_evidence(message, own)
    if auto_reply:
        return _classify_auto_reply(message, own, auto_reply, anchor)
    # No automatic header: an absence notice is recognised from how it is built.
    names = rep_names(message.to, message.to_names, sender=f"{message.from_name or ''} {message.from_address or ''}")
    judgement = judge_absence_notice(
        message.subject, own, anchor, rep_names=names, sender_name=message.from_name or "",
        sender_address=message.from_address or "", recipients=(*message.to, *message.cc),
    )
    if judgement.is_notice:
        return _classify_auto_reply(
            message, own, (f"no automatic-reply header; {judgement.evidence()}",), anchor, notice=True
        )
    automatic = _other_automatic_evidence(message, own)
    if automatic:
        return Classification(InboundKind.AUTO_OTHER, automatic)
    # A person who writes that they left for good ("I no longer work at Globex") has left: the reply
    # still ends the enrollment, and the address is gone. The same test as for notices (no return, no end).
    leaving = leaving_for_good(
        f"{message.subject}\n{own}", anchor,
        sender_name=message.from_name or "", sender_address=message.from_address or "", about_sender_only=True,
    )
    if leaving.for_good:
        said = f"text says the person has left or the address is no longer in use: {leaving.statement!r}"
        return Classification(InboundKind.HUMAN_REPLY, (*_human_evidence(message), said), left_company=True)
    if judgement.parts and (judgement.parts[0].startswith("absence ") or judgement.about_a_colleague):
        # It speaks of an absence: say what kept it a person's reply (its score and the signs of a person).
        return Classification(InboundKind.HUMAN_REPLY, (*_human_evidence(message), judgement.evidence()))
    return Classification(InboundKind.HUMAN_REPLY, _human_evidence(message))


# ---------------------------------------------------------------------------------------------
# 1. Other reports


def _other_report(message: InboundMessage) -> tuple[str, ...]:
    report = message.report
    types = set(report.part_types)
    if report.report_type == "feedback-report" or "message/feedback-report" in types:
        return ("abuse/feedback report (multipart/report; report-type=feedback-report)",)
    if (report.report_type == "disposition-notification" or "message/disposition-notification" in types) and not (
        is_automatic_refusal(report.disposition)
    ):
        return ("read receipt (message/disposition-notification)",)
    mclass = message.message_class or ""
    if _READ_CLASS.match(mclass):
        return (f"read receipt (message class {mclass})",)
    if _DR_CLASS.match(mclass):
        return (f"delivery receipt (message class {mclass})",)
    actions = {entry.action for entry in report.delivery_status if entry.action}
    statuses = {(entry.status or "")[:2] for entry in report.delivery_status}
    if actions and (actions <= SUCCESS_ACTIONS or statuses == {"2."}):
        listed = ", ".join(sorted(actions))
        return (f"delivery status report that says the message was {listed}, not a failure",)
    if _COMPLAINT_SUBJECT.match(message.subject) and "message/rfc822" in types and not message.text.strip():
        # A mailbox provider's complaint loop (Microsoft JMRP): the reported message attached, no words.
        return (f"abuse complaint: subject {message.subject[:60]!r} with only the reported message attached",)
    if report.service_notice in ("complaint", "delivery"):
        return (f"sending service's {report.service_notice} notification (Amazon SES), not a failure",)
    if header_value(message, "X-Apple-Unsubscribe").lower() == "true":
        return ("Apple Mail unsubscribe request (header X-Apple-Unsubscribe: true)",)
    if "x-arf" in (name.lower() for name, _ in message.headers):
        return ("abuse/feedback report (header X-ARF)",)
    return ()


# ---------------------------------------------------------------------------------------------
# 3. Automatic replies


def _auto_reply_evidence(message: InboundMessage, own: str) -> tuple[str, ...]:
    """Signals that the message is an automatic reply, strongest first."""
    evidence: list[str] = []
    mclass = (message.message_class or "").strip()
    if mclass.lower() == _OOF_CLASS:
        evidence.append(f"Exchange out-of-office message class {mclass}")
    apple = header_value(message, "X-Apple-Action")
    if apple.upper().startswith("VACATION"):
        evidence.append(f"header X-Apple-Action: {apple[:40]}")
    submitted = auto_submitted(message)
    if submitted.startswith("auto-replied") or "vacation" in submitted or "auto-repl" in submitted:
        evidence.append(f"header Auto-Submitted: {submitted[:60]}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply", "X-Vacation"):
        value = header_value(message, name)
        if value and value.lower() not in ("no", "false", "0"):
            evidence.append(f"header {name}: {value[:60]}")
    precedence = header_value(message, "Precedence").lower()
    if precedence in ("auto_reply", "auto-reply", "autoreply"):
        evidence.append(f"header Precedence: {precedence}")
    suppress = header_value(message, "X-Auto-Response-Suppress")
    loop = header_value(message, "X-MS-Exchange-Inbox-Rules-Loop")
    if suppress and loop:
        evidence.append(
            "headers X-MS-Exchange-Inbox-Rules-Loop with X-Auto-Response-Suppress (an Exchange inbox rule answered)"
        )
    prefix = phrases.AUTO_REPLY_SUBJECT_PREFIX.match(message.subject)
    if prefix:
        bare_auto = re.fullmatch(r"\s*auto\s*:", prefix.group(0), re.IGNORECASE)
        # Lotus Notes' bare "AUTO:" counts only with an absence sentence; "Auto: insurance quote" is a person.
        if not bare_auto or phrases.OUT_OF_OFFICE_TEXT.search(f"{message.subject}\n{own}"):
            evidence.append(f"subject starts with {prefix.group(0).strip()!r}")
    if not prefix and not is_reply_or_forward(message) and phrases.LOTUS_SUBJECT.match(message.subject):
        evidence.append(f"subject {message.subject[:60]!r} is Lotus Notes' out-of-office subject")
    statement = phrases.AUTOMATIC_REPLY_STATEMENT.search(own)
    if statement and absence_shape.denied(own, statement):
        statement = None  # "this is not an automatic reply"
    if statement:
        # Words alone are weaker than headers: keep them only with an absence sentence or another signal.
        if evidence or phrases.OUT_OF_OFFICE_TEXT.search(own):
            evidence.append(f"text says {statement.group(0)[:60]!r}")
    elif evidence:
        words = phrases.AUTOMATIC_REPLY_WORDS.search(own)
        if words and not absence_shape.denied(own, words):
            evidence.append(f"text says {words.group(0)[:60]!r}")
    if submitted.startswith("auto-generated") and not evidence:
        # RFC 3834 auto-generated mail that answers the rep's email and speaks of an absence.
        absence = phrases.OUT_OF_OFFICE_TEXT.search(f"{message.subject}\n{own}")
        if absence and (message.in_reply_to or is_reply_or_forward(message)):
            evidence.append(f"header Auto-Submitted: {submitted[:60]} on a reply that says {absence.group(0)[:40]!r}")
    return tuple(evidence)


def _classify_auto_reply(
    message: InboundMessage, own: str, evidence: tuple[str, ...], anchor: datetime | None, *, notice: bool = False
) -> Classification:
    text = f"{message.subject}\n{own}"
    absence = phrases.OUT_OF_OFFICE_TEXT.search(text)
    # A part-time week's weekdays are days worked, not a return ("I work Monday to Wednesday" is not "back on
    # Wednesday"); without another stated return, the next of the days worked is the day back.
    return_date = find_return_date(absence_shape.without_working_week(text), anchor) or (
        absence_shape.back_on_a_working_day(own, anchor)
    )
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
    # A text already judged an absence notice by its structure is not a help desk's acknowledgement.
    if acknowledgement and not absence and not left and not notice:
        more.append(f"automatic acknowledgement: {acknowledgement.group(0)[:60]!r}")
        return Classification(InboundKind.AUTO_OTHER, tuple(more))
    if left:
        return_date = None
    if return_date:
        more.append(f"return date {return_date.isoformat()} stated in the text")
    return Classification(InboundKind.OUT_OF_OFFICE, tuple(more), return_date=return_date, left_company=left)


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


def _other_automatic_evidence(message: InboundMessage, own: str) -> tuple[str, ...]:
    evidence: list[str] = []
    submitted = auto_submitted_evidence(message)
    if submitted:
        evidence.append(submitted)
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
    system_sender = system_sender_evidence(message)
    if system_sender:
        evidence.append(system_sender)
    if header_value(message, "List-Unsubscribe-Post"):
        evidence.append("header List-Unsubscribe-Post (one-click unsubscribe: bulk mail)")
    precedence = header_value(message, "Precedence").lower()
    if precedence == "junk":
        evidence.append(f"header Precedence: {precedence}")
    elif (
        precedence == "bulk"
        and not header_value(message, "List-Id")
        and not (message.in_reply_to or message.references or is_reply_or_forward(message))
    ):
        # Bulk mail sent directly (not a post relayed by a list server) that answers nothing.
        evidence.append("header Precedence: bulk on a message that is neither a list post nor a reply")
    return tuple(evidence)


def _human_evidence(message: InboundMessage) -> tuple[str, ...]:
    notes = ["no delivery-report, auto-reply or bulk signal"]
    if message.in_reply_to or message.references:
        notes.append("answers an earlier message (In-Reply-To/References)")
    if header_value(message, "X-Auto-Response-Suppress"):
        notes.append("X-Auto-Response-Suppress alone is ordinary Outlook mail")
    if header_value(message, "List-Id") or header_value(message, "Precedence").lower() in ("list", "bulk"):
        notes.append("list headers alone do not make a person's post automatic")
    return tuple(notes)
