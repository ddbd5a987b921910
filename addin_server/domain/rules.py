"""The unenrollment rules: given one inbound message in a rep's mailbox and what we know, decide.

Pure: facts in, decisions out, no I/O. The service layer gathers the facts (which sequence emails
the message refers to, which contacts its sender is, which enrollments are open) and applies the
decisions. Every decision carries the evidence a rep needs to see why it happened.

The product sentences, in the order they are applied:
- Out-of-office replies never unenroll. With the sequence's "pause on out-of-office" on and a
  return date found, the enrollment pauses until that date.
- A hard bounce (or a "no longer with the company" reply) unenrolls with reason bounced and marks the
  address bounced; soft bounces are counted and unenroll at the account's threshold. A report that
  judges its recipients one by one (one unknown user, one full mailbox) is hard for the recipients
  it calls hard and soft for the others. A report counts once per recipient and original message,
  however often it arrives (the same report fetched twice, a report sent again by the remote server);
  a report that quotes no email is about the latest sequence email sent to that recipient.
- Other automatic mail changes nothing. But a message whose In-Reply-To or References names a
  sequence email is a reply unless it is an out-of-office or a delivery report, whatever list or
  unsubscribe headers it carries (people answer from tools that add them to every message).
- A human reply to a sequence email (In-Reply-To / References, or the provider thread) unenrolls the
  contact on that thread: `replied` from the enrolled address, `replied_from_other_address` from any
  other address.
- An email from an enrolled contact to the enrolling rep's mailbox outside the sequence:
  `emailed_outside_sequence` from the enrolled address, `emailed_from_alias` from a secondary address
  or a Gmail spelling of it. Mail the mailbox received before the enrollment was made (its provider's
  received time more than `CLOCK_SKEW` before `enrolled_at`) never ends it, however late it is read:
  it cannot answer a sequence that did not exist. The same holds for a company colleague's message.
- Who else ends is one precedence (`who_ends`), shared with meetings (domain/meetings.py):
  - Outside the custom-trigger beta, a reply or email from someone at a company (a contact
    associated with it, or an address at one of its own domains, never free mail) ends the open
    enrollments of that company's contacts in every sequence whose "unenroll contacts from the same
    company" checkbox is on: `company_contact_replied`.
  - Under the beta, each sequence's "when a contact replies" trigger decides alone: off (the reply is
    recorded, nothing ends), the contact only, or all contacts at the company in this sequence, with
    reason `automation_trigger`; the same-company checkbox does not apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from addin_server.domain.model import AutomationScope, EventType, InboundKind, UnenrollReason


class MatchKind(StrEnum):
    """How a message was tied to an enrollment. The value is a stable code stored in evidence
    (`matched_by`); what a person reads is in domain/wording.py (MATCH_WORDS), so rewording
    never changes stored data."""

    # the message names one of our sequence emails
    IN_REPLY_TO = "in_reply_to"
    REFERENCES = "references"
    THREAD_ID = "thread_id"
    BOUNCE_REPORT = "bounce_report"
    # a bounce names the enrollment's address
    BOUNCED_RECIPIENT = "bounced_recipient"
    # the sender is the contact
    EXACT = "enrolled_address"
    SECONDARY = "secondary_address"
    GMAIL_ALIAS = "gmail_alias"


@dataclass(frozen=True)
class InboundFacts:
    """One message that arrived in a rep's mailbox, as the rules need it."""

    provider: str
    mailbox_user_id: int
    mailbox_address: str
    message_id: str  # the provider's id of this message (for evidence)
    rfc_message_id: str | None
    from_address: str | None
    kind: InboundKind
    classification_evidence: tuple[str, ...] = ()
    left_company: bool = False
    return_date: date | None = None
    bounced_recipients: tuple[str, ...] = ()
    # The bounced recipients the report itself calls hard, when it judges recipients one by one;
    # empty when it does not (then `kind` holds for every bounced recipient).
    hard_recipients: tuple[str, ...] = ()
    subject: str = ""
    # The Message-ID of the original email a bounce report quotes (its returned headers, else its
    # In-Reply-To), ours or not; None when it quotes none.
    quoted_message_id: str | None = None
    # What the classifier says once list and unsubscribe headers are set aside (None: not asked,
    # because the message carries none or was not automatic).
    kind_without_list_headers: InboundKind | None = None
    # When the rep's mailbox received it, by the provider's clock (Gmail internalDate, Graph
    # receivedDateTime), never the sender's Date header; None when the provider did not say.
    received_at: datetime | None = None


@dataclass(frozen=True)
class SentEmailMatch:
    """A sequence email this message refers to, and how we know."""

    sequence_email_id: int
    enrollment_id: int
    recipient: str
    step: int
    subject: str
    rfc_message_id: str
    matched_by: MatchKind  # IN_REPLY_TO, REFERENCES, THREAD_ID or BOUNCE_REPORT
    # The ended enrollment that sent the email, when an undo continued it as `enrollment_id`.
    continued_from: int | None = None


@dataclass(frozen=True)
class SenderContact:
    """A contact the sender's address belongs to, and how it matched."""

    contact_id: int
    company_id: int | None
    matched_address: str
    match: MatchKind


@dataclass(frozen=True)
class OpenEnrollment:
    id: int
    contact_id: int
    company_id: int | None
    sequence_id: int
    sequence_name: str
    enrolled_by_user_id: int
    sender_user_id: int
    contact_address: str  # the primary address the sequence writes to
    on_reply: AutomationScope = AutomationScope.CONTACT
    pause_on_out_of_office: bool = False
    status: str = "active"
    on_meeting: AutomationScope = AutomationScope.CONTACT
    # The sequence's "unenroll contacts from the same company" checkbox.
    unenroll_same_company: bool = False
    enrolled_at: datetime | None = None


@dataclass(frozen=True)
class AccountRules:
    custom_triggers_beta: bool = False
    soft_bounce_threshold: int = 3


@dataclass(frozen=True)
class Facts:
    message: InboundFacts
    account: AccountRules
    sent_matches: Sequence[SentEmailMatch] = ()
    sender_contacts: Sequence[SenderContact] = ()
    # The company the sender belongs to (by contact association or a company domain), if any.
    sender_company_id: int | None = None
    sender_company_by: str = ""  # "contact" | "domain"
    # Every open enrollment the decisions may touch, by id.
    enrollments: Mapping[int, OpenEnrollment] = field(default_factory=dict)
    # Open enrollments of each company's contacts (company id -> enrollment ids).
    company_enrollments: Mapping[int, Sequence[int]] = field(default_factory=dict)
    # Soft bounces already counted per address.
    soft_bounces: Mapping[str, int] = field(default_factory=dict)
    # Addresses of the account's own users: mail from colleagues is never a contact's reply.
    own_addresses: frozenset[str] = frozenset()
    # (address, report key) pairs of bounce reports already counted: see `report_key`.
    counted_reports: frozenset[tuple[str, str]] = frozenset()
    # For a report that names no sequence email: the Message-ID of the latest sequence email sent
    # to each bounced address before the report arrived, the one it is about (see `report_key`).
    latest_sent_to: Mapping[str, str] = field(default_factory=dict)
    # For a bounce: addresses a person answered from since the reported sequence email was sent.
    # The reply proves the address receives mail, so the report does not mark it or end anything.
    replied_addresses: frozenset[str] = frozenset()
    # Ended enrollments among `sent_matches` whose ending was a bounce: a reply on their thread is recorded.
    bounced_endings: frozenset[int] = frozenset()
    # The day (UTC) the message is applied or dry-run: a return date not after it pauses nothing.
    today: date | None = None


class Action(StrEnum):
    UNENROLL = "unenroll"
    PAUSE = "pause"
    RECORD = "record"  # an event on the enrollment, no change of state
    NOTHING = "nothing"  # nothing is written; the decision is kept for its evidence (why not)


@dataclass(frozen=True)
class Decision:
    enrollment_id: int
    action: Action
    # The fact to record on this enrollment (a reply, a bounce...); None when the enrollment ends
    # because of someone else's message, so performance counts each reply once.
    event: EventType | None
    reason: UnenrollReason | None
    evidence: Mapping[str, object]
    pause_until: date | None = None


@dataclass(frozen=True)
class AddressUpdate:
    address: str
    mark_bounced: bool = False
    soft_bounce: bool = False
    # The bounce report this update counts (see `report_key`); the service records it so that the
    # same report arriving again changes nothing.
    report_key: str = ""
    # A person answered from this address: it receives mail, so its bounced mark and soft bounces go.
    alive: bool = False


@dataclass(frozen=True)
class Outcome:
    decisions: tuple[Decision, ...] = ()
    address_updates: tuple[AddressUpdate, ...] = ()
    note: str = ""


# How far our clock and the provider's may disagree: a message counts as received before an
# enrollment only when it arrived more than this before `enrolled_at`, so a reply written just after
# enrolling is never lost to skew (the error falls on the side of ending).
CLOCK_SKEW = timedelta(seconds=2)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC


def received_before_enrollment(received_at: datetime | None, enrolled_at: datetime | None) -> bool:
    """Whether the mailbox received a message before the enrollment existed (beyond clock skew).
    Unknown times say no: the message is judged as if it had just arrived."""
    if received_at is None or enrolled_at is None:
        return False
    return _utc(received_at) < _utc(enrolled_at) - CLOCK_SKEW


def _base_evidence(facts: Facts, rule: str) -> dict[str, object]:
    m = facts.message
    return {
        "rule": rule,
        **({"received_at": _utc(m.received_at).isoformat()} if m.received_at is not None else {}),
        "provider": m.provider,
        "mailbox": m.mailbox_address,
        "message_id": m.message_id,
        "rfc_message_id": m.rfc_message_id,
        "from": m.from_address,
        "subject": m.subject,
        "classification": m.kind.value,
        "classification_evidence": list(m.classification_evidence),
        **({"read_as": "human_reply: it answers a sequence email, and without its list or unsubscribe "
                       "headers the classifier reads a person"}
           if m.kind is InboundKind.AUTO_OTHER and m.kind_without_list_headers is InboundKind.HUMAN_REPLY else {}),
    }


def _match_evidence(match: SentEmailMatch) -> dict[str, object]:
    return {"matched_by": match.matched_by.value, "sequence_email_message_id": match.rfc_message_id,
            "step": match.step, "sequence_email_subject": match.subject, "sent_to": match.recipient,
            **({"sent_by_enrollment": str(match.continued_from), "continued_by_undo": True}
               if match.continued_from is not None else {})}


def decide(facts: Facts) -> Outcome:
    """Every decision one inbound message leads to."""
    m = facts.message
    if m.from_address and m.from_address in facts.own_addresses:
        return Outcome(note="sent by a user of this account: not a contact's message")
    if m.kind is InboundKind.OUT_OF_OFFICE and not m.left_company:
        return _out_of_office(facts)
    if m.kind is InboundKind.BOUNCE_HARD or m.left_company:
        return _bounce(facts, hard=True)
    if m.kind is InboundKind.BOUNCE_SOFT:
        return _bounce(facts, hard=False)
    if m.kind is InboundKind.AUTO_OTHER:
        if _answers_sequence_email(facts) and m.kind_without_list_headers is InboundKind.HUMAN_REPLY:
            return _human(facts, note="a reply to a sequence email: its list or unsubscribe headers are not "
                                      "what makes mail automatic")
        return Outcome(note="automatic message that is neither an out-of-office nor a bounce: nothing to do")
    return _human(facts)


# The matches that say the message itself names one of our sequence emails in its headers.
NAMES_OUR_EMAIL = frozenset({MatchKind.IN_REPLY_TO, MatchKind.REFERENCES})


def _answers_sequence_email(facts: Facts) -> bool:
    """Whether the message's In-Reply-To or References names one of our sequence emails."""
    return any(x.matched_by in NAMES_OUR_EMAIL for x in facts.sent_matches)


# --- out of office ---------------------------------------------------------------------------


def _involved_enrollments(facts: Facts) -> list[int]:
    """Enrollments this message concerns: those on its thread, else those of its sender."""
    ids = [x.enrollment_id for x in facts.sent_matches if x.enrollment_id in facts.enrollments]
    if not ids:
        contacts = {c.contact_id for c in facts.sender_contacts}
        ids = [e.id for e in facts.enrollments.values() if e.contact_id in contacts]
    return list(dict.fromkeys(ids))


def _out_of_office(facts: Facts) -> Outcome:
    decisions = []
    for eid in _involved_enrollments(facts):
        e = facts.enrollments[eid]
        evidence = _base_evidence(facts, "out-of-office replies never unenroll")
        evidence["return_date"] = facts.message.return_date.isoformat() if facts.message.return_date else None
        back = facts.message.return_date
        if e.pause_on_out_of_office and back and facts.today and back <= facts.today and e.status == "active":
            evidence["rule"] = "out of office: the return date is past, nothing to pause"
            decisions.append(Decision(eid, Action.RECORD, EventType.OUT_OF_OFFICE, None, evidence))
        elif e.pause_on_out_of_office and back and e.status == "active":
            evidence["rule"] = "out of office: paused until the return date (sequence setting)"
            decisions.append(Decision(eid, Action.PAUSE, EventType.OUT_OF_OFFICE, None, evidence,
                                      pause_until=back))
        else:
            decisions.append(Decision(eid, Action.RECORD, EventType.OUT_OF_OFFICE, None, evidence))
    return Outcome(tuple(decisions), note="out of office")


# --- bounces ---------------------------------------------------------------------------------


def report_key(facts: Facts, address: str | None = None) -> str:
    """What makes two bounce reports about `address` the same report: the email they are about, the
    sequence email it quotes, else the other email it quotes. A report that quotes none (no
    In-Reply-To, References or returned headers) is about the latest sequence email sent to that
    address before it arrived; only when we never wrote to the address does the report's own
    Message-ID (else the provider's id) name it. A remote server that
    reports one failed delivery three times, each copy with a new Message-ID, or a report read again
    under a new provider id, has one key."""
    m = facts.message
    for match in facts.sent_matches:
        return "sent:" + match.rfc_message_id
    if m.quoted_message_id:  # about an email that is not a sequence email (one the rep wrote by hand)
        return "original:" + m.quoted_message_id
    if address is not None and address in facts.latest_sent_to:
        return "sent:" + facts.latest_sent_to[address]
    if m.rfc_message_id:
        return "report:" + m.rfc_message_id
    return "provider:" + m.message_id


def _bounce(facts: Facts, *, hard: bool) -> Outcome:
    """A bounce, counted once per (recipient, report key)."""
    counted = {a for a, k in facts.counted_reports if k == report_key(facts, a)}
    if not counted:
        outcome = _bounce_once(facts, hard=hard)
    else:
        fresh = replace(facts, enrollments={i: e for i, e in facts.enrollments.items()
                                            if e.contact_address not in counted},
                        message=replace(facts.message, bounced_recipients=tuple(
                            a for a in facts.message.bounced_recipients if a not in counted)))
        outcome = _bounce_once(fresh, hard=hard) if (fresh.enrollments or fresh.message.bounced_recipients) \
            else Outcome(note="bounce report counted already: nothing to do")
        repeated = tuple(
            Decision(i, Action.NOTHING, None, None,
                     {**_base_evidence(facts, "this bounce report was counted already for this recipient"),
                      "sent_to": e.contact_address, "report_key": report_key(facts, e.contact_address)})
            for i, e in facts.enrollments.items() if e.contact_address in counted)
        outcome = replace(outcome, decisions=outcome.decisions + repeated,
                          address_updates=tuple(u for u in outcome.address_updates if u.address not in counted))
    updates = tuple(replace(u, report_key=report_key(facts, u.address)) for u in outcome.address_updates)
    return replace(outcome, address_updates=_merge_updates(updates))


def _merge_updates(updates: Sequence[AddressUpdate]) -> tuple[AddressUpdate, ...]:
    """One update per address: a soft bounce counted once, bounced if any update says so."""
    merged: dict[str, AddressUpdate] = {}
    for u in updates:
        was = merged.get(u.address)
        merged[u.address] = u if was is None else replace(
            was, mark_bounced=was.mark_bounced or u.mark_bounced, soft_bounce=was.soft_bounce or u.soft_bounce)
    return tuple(merged.values())


def _bounce_once(facts: Facts, *, hard: bool) -> Outcome:
    m = facts.message
    # Which enrollments: the bounced sequence email first, else the bounced recipients' enrollments.
    targets: dict[int, dict[str, object]] = {}
    for match in facts.sent_matches:
        if match.enrollment_id in facts.enrollments:
            targets.setdefault(match.enrollment_id, _match_evidence(match))
    bounced = {a for a in m.bounced_recipients}
    if m.left_company and m.from_address:
        bounced.add(m.from_address)
    for e in facts.enrollments.values():
        if e.contact_address in bounced:
            targets.setdefault(e.id, {"matched_by": MatchKind.BOUNCED_RECIPIENT.value, "sent_to": e.contact_address})
    # A report that names its failed recipients speaks for them only: quoting our email (an alias that
    # expands to a dead address, a misrouted report) says nothing about the contact's own address.
    others = {eid: ev for eid, ev in targets.items() if bounced
              and facts.enrollments[eid].contact_address not in bounced and ev.get("sent_to") not in bounced}
    # A person answered from the address since the email was sent: the reply wins over the report.
    answered = {eid: ev for eid, ev in targets.items() if eid not in others and not m.left_company
                and facts.enrollments[eid].contact_address in facts.replied_addresses}
    alive = set(facts.replied_addresses) if not m.left_company else set()
    if others or answered or bounced & alive:
        targets = {eid: ev for eid, ev in targets.items() if eid not in others and eid not in answered}
        bounced = bounced - alive
        rest = _bounce_once_named(facts, targets, bounced, hard=hard) if targets or bounced else Outcome()
        recorded = tuple(
            Decision(eid, Action.RECORD, EventType.BOUNCED, None,
                     {**_base_evidence(facts, "delivery report for other recipients: this contact's address is "
                                              "not named as failed, nothing ends"),
                      **ev, "bounced_recipients": sorted(bounced)})
            for eid, ev in others.items())
        recorded += tuple(
            Decision(eid, Action.RECORD, EventType.BOUNCED, None,
                     {**_base_evidence(facts, "the contact answered from this address since the email was sent: "
                                              "the report neither marks it bounced nor ends anything"), **ev})
            for eid, ev in answered.items())
        return replace(rest, decisions=rest.decisions + recorded)
    return _bounce_once_named(facts, targets, bounced, hard=hard)


def _bounce_once_named(facts: Facts, targets: dict[int, dict[str, object]], bounced: set[str], *,
                       hard: bool) -> Outcome:
    m = facts.message
    addresses = sorted(bounced | {facts.enrollments[i].contact_address for i in targets})
    if m.hard_recipients and not m.left_company:
        return _bounce_per_recipient(facts, targets, bounced, addresses, hard=hard)
    if hard:
        rule = ("'no longer with the company' reply: treated as a hard bounce" if m.left_company
                else "hard bounce")
        decisions = tuple(
            Decision(eid, Action.UNENROLL, EventType.BOUNCED, UnenrollReason.BOUNCED,
                     {**_base_evidence(facts, rule), **ev, "bounced_recipients": addresses})
            for eid, ev in targets.items())
        return Outcome(decisions, tuple(AddressUpdate(a, mark_bounced=True) for a in addresses), note=rule)
    decisions_list = [_soft_bounce_decision(facts, eid, ev) for eid, ev in targets.items()]
    updates = [AddressUpdate(a, soft_bounce=True) for a in addresses]
    updates += [AddressUpdate(d.evidence["sent_to"], mark_bounced=True)  # type: ignore[arg-type]
                for d in decisions_list if d.action is Action.UNENROLL and "sent_to" in d.evidence]
    return Outcome(tuple(decisions_list), tuple(updates), note="soft bounce")


def _soft_bounce_decision(facts: Facts, eid: int, ev: Mapping[str, object],
                          extra: Mapping[str, object] | None = None) -> Decision:
    """One more soft bounce counted on an enrollment's address; it ends at the account's threshold."""
    address = facts.enrollments[eid].contact_address
    count = facts.soft_bounces.get(address, 0) + 1
    threshold = facts.account.soft_bounce_threshold
    evidence = {**_base_evidence(facts, "soft bounce"), **ev, **(extra or {}),
                "soft_bounces": count, "threshold": threshold}
    if count >= threshold:
        evidence["rule"] = f"soft bounce {count} of {threshold}: treated as bounced"
        return Decision(eid, Action.UNENROLL, EventType.BOUNCED, UnenrollReason.BOUNCED, evidence)
    return Decision(eid, Action.RECORD, EventType.BOUNCED, None, evidence)


def _bounce_per_recipient(facts: Facts, targets: Mapping[int, Mapping[str, object]], bounced: set[str],
                          addresses: list[str], *, hard: bool) -> Outcome:
    """A report that calls some recipients hard and the others soft: each enrollment follows its
    own address. An address the report does not name at all follows the report's kind."""
    hard_set = set(facts.message.hard_recipients)

    def is_hard(*candidates: object) -> bool:
        named = [a for a in candidates if isinstance(a, str) and a]
        if any(a in hard_set for a in named):
            return True
        if any(a in bounced for a in named):
            return False
        return hard

    detail = {"hard_recipients": sorted(hard_set),
              "soft_recipients": sorted(a for a in bounced if a not in hard_set)}
    decisions: list[Decision] = []
    # Marked bounced: the addresses the report calls hard and those of the enrollments ended as hard.
    hard_addresses = {a for a in bounced if a in hard_set}
    for eid, ev in targets.items():
        address = facts.enrollments[eid].contact_address
        if is_hard(address, ev.get("sent_to")):
            rule = "hard bounce of this recipient (the report names hard and soft recipients)"
            decisions.append(Decision(eid, Action.UNENROLL, EventType.BOUNCED, UnenrollReason.BOUNCED,
                                      {**_base_evidence(facts, rule), **ev, **detail,
                                       "bounced_recipients": addresses}))
            hard_addresses.add(address)
        else:
            decisions.append(_soft_bounce_decision(facts, eid, ev, detail))
    updates = [AddressUpdate(a, mark_bounced=True) if a in hard_addresses else AddressUpdate(a, soft_bounce=True)
               for a in addresses]
    updates += [AddressUpdate(d.evidence["sent_to"], mark_bounced=True)  # type: ignore[arg-type]
                for d in decisions if d.action is Action.UNENROLL and d.reason is UnenrollReason.BOUNCED
                and "soft_bounces" in d.evidence and "sent_to" in d.evidence]
    hard_count = sum(1 for a in addresses if a in hard_addresses)
    note = f"bounce: {hard_count} hard and {len(addresses) - hard_count} soft recipient(s)"
    return Outcome(tuple(decisions), tuple(updates), note=note)


# --- human replies and emails ----------------------------------------------------------------


def _human(facts: Facts, note: str = "") -> Outcome:
    found: dict[int, tuple[UnenrollReason, dict[str, object]]] = {}

    # 1. Replies on a sequence email's thread end the enrollment that thread belongs to.
    for match in facts.sent_matches:
        e = facts.enrollments.get(match.enrollment_id)
        if e is None or e.id in found:
            continue
        if facts.message.from_address in (e.contact_address, match.recipient):
            reason, rule = UnenrollReason.REPLIED, "reply to a sequence email"
        else:
            reason, rule = (UnenrollReason.REPLIED_FROM_OTHER_ADDRESS,
                            "reply to a sequence email from another address")
        found[e.id] = (reason, {**_base_evidence(facts, rule), **_match_evidence(match)})

    # 2. Email from an enrolled contact to the enrolling rep's mailbox, outside the sequence.
    earlier: dict[int, Decision] = {}  # enrollments made after the message arrived: kept, with why
    for sender in facts.sender_contacts:
        for e in facts.enrollments.values():
            if e.contact_id != sender.contact_id or e.id in found or e.id in earlier:
                continue
            if facts.message.mailbox_user_id not in (e.enrolled_by_user_id, e.sender_user_id):
                continue  # a contact writing to another rep does not speak to this sequence
            if received_before_enrollment(facts.message.received_at, e.enrolled_at):
                earlier[e.id] = Decision(e.id, Action.NOTHING, None, None, {
                    **_base_evidence(facts, PREDATES_RULE), "matched_by": sender.match.value,
                    "enrolled_at": _utc(e.enrolled_at).isoformat() if e.enrolled_at else None})
                continue
            if sender.match is MatchKind.EXACT:
                reason, rule = UnenrollReason.EMAILED_OUTSIDE_SEQUENCE, "emailed the rep outside the sequence"
            else:
                reason, rule = UnenrollReason.EMAILED_FROM_ALIAS, f"emailed the rep from a {sender.match.value}"
            found[e.id] = (reason, {**_base_evidence(facts, rule), "matched_by": sender.match.value,
                                    "matched_address": sender.matched_address, "enrolled_address": e.contact_address})

    # 3. Who else ends, and how: the one precedence replies and meetings share.
    # A colleague's enrollment made after this message arrived is not ended by it either.
    reachable = {eid: e for eid, e in facts.enrollments.items()
                 if eid in found or not received_before_enrollment(facts.message.received_at, e.enrolled_at)}
    decision = who_ends(Trigger.REPLY, {eid: reason for eid, (reason, _) in found.items()},
                        company_id=facts.sender_company_id, enrollments=reachable,
                        company_enrollments=facts.company_enrollments, beta=facts.account.custom_triggers_beta)
    decisions: list[Decision] = list(earlier.values())
    for eid in decision.kept:
        reason, evidence = found[eid]
        decisions.append(Decision(eid, Action.RECORD, EventType.REPLIED, None, {
            **evidence, **decision.settings[eid], "trigger": reason.value,
            "rule": "reply recorded; the sequence does not unenroll"}))
    for ending in decision.endings:
        if ending.enrollment_id in found:
            evidence = found[ending.enrollment_id][1]
            decisions.append(Decision(ending.enrollment_id, Action.UNENROLL, EventType.REPLIED, ending.reason,
                                      {**evidence, **ending.evidence}))
        else:  # a colleague's enrollment: no reply of its own is recorded, so performance counts it once
            decisions.append(Decision(ending.enrollment_id, Action.UNENROLL, None, ending.reason,
                                      {**_base_evidence(facts, "a contact of the same company replied"),
                                       "company_matched_by": facts.sender_company_by, **ending.evidence}))
    # A reply on the thread of an enrollment a bounce ended is still recorded there: an undo must see
    # that the contact answered.
    for match in facts.sent_matches:
        if match.enrollment_id not in facts.bounced_endings or match.enrollment_id in found:
            continue
        found[match.enrollment_id] = (UnenrollReason.REPLIED, {})
        decisions.append(Decision(match.enrollment_id, Action.RECORD, EventType.REPLIED, None, {
            **_base_evidence(facts, "reply after the enrollment ended: recorded"), **_match_evidence(match),
            AFTER_ENDING: True}))
    summary = "human reply" if decisions else "human message about no open enrollment"
    if facts.account.custom_triggers_beta:
        summary = "human reply under custom triggers"
    m = facts.message
    alive = (AddressUpdate(m.from_address, alive=True),) if (
        m.kind is InboundKind.HUMAN_REPLY and m.from_address and (facts.sent_matches or facts.sender_contacts)) else ()
    return Outcome(tuple(decisions), alive, note=f"{summary}: {note}" if note else summary)


PREDATES_RULE = "emailed the rep before the contact was enrolled: not a response to the sequence"

# Evidence key of a decision about an enrollment that has ended: only its event is written.
AFTER_ENDING = "after_ending"


# --- who ends: one precedence for replies and meetings -----------------------------------------


class Trigger(StrEnum):
    """What a contact did that may end enrollments."""

    REPLY = "reply"
    MEETING = "meeting"


_TRIGGER_WORDS = {Trigger.REPLY: ("when a contact replies", "replied", UnenrollReason.COMPANY_CONTACT_REPLIED),
                  Trigger.MEETING: ("when a contact books a meeting", "booked a meeting",
                                    UnenrollReason.COMPANY_CONTACT_BOOKED_MEETING)}
SAME_COMPANY_SETTING = "unenroll contacts from the same company"


@dataclass(frozen=True)
class Ending:
    """One enrollment to end, its reason, and the setting and rule that say so."""

    enrollment_id: int
    reason: UnenrollReason
    evidence: Mapping[str, object]


@dataclass(frozen=True)
class WhoEnds:
    endings: tuple[Ending, ...] = ()
    # Enrollments of the contact who acted that the sequence keeps (beta trigger off): record only.
    kept: tuple[int, ...] = ()
    # The setting that decided each enrollment of the contact who acted (for its evidence).
    settings: Mapping[int, Mapping[str, object]] = field(default_factory=dict)


def _scope(e: OpenEnrollment, trigger: Trigger) -> AutomationScope:
    return e.on_reply if trigger is Trigger.REPLY else e.on_meeting


def who_ends(trigger: Trigger, acted: Mapping[int, UnenrollReason], *, company_id: int | None,
             enrollments: Mapping[int, OpenEnrollment], company_enrollments: Mapping[int, Sequence[int]],
             beta: bool) -> WhoEnds:
    """Who ends when a contact replies or books a meeting, under the account's and sequences' settings.

    `acted` holds the open enrollments the contact's reply or meeting counts for, with the reason
    it ends them outside the beta; `company_id` is the company of whoever acted.
    - Under the custom-trigger beta the sequence's trigger alone decides, for each enrollment in
      `acted`: off, nobody (the fact is only recorded); contact, that enrollment; company, that
      enrollment and every open enrollment of its company's contacts in the same sequence. Reason
      automation_trigger.
    - Outside the beta every enrollment in `acted` ends with its own reason, and each open
      enrollment of the company's contacts ends when its own sequence's same-company checkbox is on.
    """
    setting_name, did, company_reason = _TRIGGER_WORDS[trigger]
    endings: list[Ending] = []
    decided: set[int] = set()
    if beta:
        kept: list[int] = []
        settings: dict[int, Mapping[str, object]] = {}
        for eid, reason in acted.items():
            e = enrollments[eid]
            scope = _scope(e, trigger)
            setting = {"setting": f"{setting_name}: {scope.value}"}
            settings[eid] = setting
            decided.add(eid)
            if scope is AutomationScope.OFF:
                kept.append(eid)
                continue
            endings.append(Ending(eid, UnenrollReason.AUTOMATION_TRIGGER,
                                  {**setting, "trigger": reason.value}))
            if scope is not AutomationScope.COMPANY or e.company_id is None:
                continue
            for other in company_enrollments.get(e.company_id, ()):
                o = enrollments.get(other)
                if o is None or other in decided or other in acted or o.sequence_id != e.sequence_id:
                    continue
                decided.add(other)
                endings.append(Ending(other, UnenrollReason.AUTOMATION_TRIGGER, {
                    **setting, "trigger": reason.value, "company_id": e.company_id,
                    "rule": f"a contact of the same company {did} (sequence setting: all contacts at the company)"}))
        return WhoEnds(tuple(endings), tuple(kept), settings)
    for eid, reason in acted.items():
        decided.add(eid)
        endings.append(Ending(eid, reason, {}))
    if company_id is not None:
        for other in company_enrollments.get(company_id, ()):
            o = enrollments.get(other)
            if o is None or other in decided or not o.unenroll_same_company:
                continue
            decided.add(other)
            endings.append(Ending(other, company_reason, {
                "rule": f"a contact of the same company {did}", "company_id": company_id,
                "setting": SAME_COMPANY_SETTING, "sequence": o.sequence_name}))
    return WhoEnds(tuple(endings), (), {})
