"""Applying one inbound message to the enrollments: gather the facts, let the rules decide, apply.

Every message counts once: a ProcessedMessage row (provider, mailbox, provider message id) is
written in the same transaction as the decisions it led to, so a duplicate notification, a
resync or a second worker finds it and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, time
from typing import Any, cast

from sqlalchemy import Table, bindparam, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain import permissions
from addin_server.domain.addresses import domain_of, fold_normalized, try_normalize
from addin_server.domain.model import (
    AutomationScope,
    EndOfEnrollment,
    EnrollmentStatus,
    EventType,
    InboundKind,
    Surface,
)
from addin_server.domain.rules import (
    AFTER_ENDING,
    NAMES_OUR_EMAIL,
    AccountRules,
    Action,
    Facts,
    InboundFacts,
    MatchKind,
    OpenEnrollment,
    Outcome,
    SenderContact,
    SentEmailMatch,
    decide,
)
from addin_server.mail.classify import Classification, classify
from addin_server.mail.message import Headers, InboundMessage
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.enrollment_records import OPEN, SYSTEM_ACTOR, add_event, end_open_row
from addin_server.services.errors import Invalid, NotFound
from addin_server.services.grants import find_mailbox_user
from addin_server.services.inbound_history import applied_notices, bounced_endings, copy_outcome, replied_since
from addin_server.services.inbound_views import decision_view, jsonable, shown_decisions
from addin_server.services.open_enrollments import involving, open_enrollment_facts
from addin_server.services.permissions import authorize

MAX_REFERENCES = 50  # a long References chain only needs its latest links


def _bracketed(ids: Iterable[str]) -> list[str]:
    return [i if i.startswith("<") else f"<{i}>" for i in ids]


def _chunks(values: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    """IN lists in slices that stay under every driver's bound-parameter limit."""
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Lookups:
    """What a batch of messages of one mailbox needs from the database, read in a few queries."""

    sent_by_id: dict[str, list[t.SequenceEmail]] = field(default_factory=dict)
    sent_by_thread: dict[str, list[t.SequenceEmail]] = field(default_factory=dict)
    contacts_by_canonical: dict[str, list[tuple[int, str, bool, int | None]]] = field(default_factory=dict)
    company_by_domain: dict[str, int] = field(default_factory=dict)
    contacts_by_address: dict[str, list[int]] = field(default_factory=dict)
    enrollments: dict[int, tuple[OpenEnrollment, int | None]] = field(default_factory=dict)
    # Enrollments an undo continued (the ended one -> the latest enrollment continuing it): a reply
    # on the ended enrollment's thread belongs to the enrollment that continues it.
    continued: dict[int, int] = field(default_factory=dict)
    # The loaded rows themselves: the session's identity map holds them only weakly, and applying
    # the decisions finds them there instead of selecting each one again.
    rows: list[t.Enrollment] = field(default_factory=list)


def _wanted_ids(message: InboundMessage, classification: Classification) -> dict[str, MatchKind]:
    """The Message-IDs a message answers or reports on, with how each was found, best first."""
    wanted: dict[str, MatchKind] = {}
    if classification.original_message_id:
        wanted[classification.original_message_id] = MatchKind.BOUNCE_REPORT
    for mid in message.in_reply_to:
        wanted.setdefault(mid, MatchKind.IN_REPLY_TO)
    for mid in list(message.references)[-MAX_REFERENCES:]:
        wanted.setdefault(mid, MatchKind.REFERENCES)
    return wanted


def _bounced_addresses(message: InboundMessage, classification: Classification) -> list[str]:
    bounced = [a for a in (try_normalize(x) for x in classification.bounced_recipients) if a]
    if classification.left_company and message.from_address:
        bounced.append(message.from_address)
    return bounced


def _open_enrollments(s: Session, account_id: int, *, company_id: int) -> dict[int, OpenEnrollment]:
    return {k: v for k, (v, _) in open_enrollment_facts(s, account_id, involving(company_ids=[company_id])).items()}


MAX_UNDO_CHAIN = 20  # undo after undo after undo: far more than any rep does


def _continuations(s: Session, enrollment_ids: Iterable[int]) -> dict[int, int]:
    """For each enrollment an undo continued, the latest enrollment of its undo chain.

    Undo writes `resumed` with `continued_as` on the ended enrollment; a continuation can itself
    end and be undone, so the chain is followed to its end.
    """
    step: dict[int, int] = {}
    frontier = set(enrollment_ids)
    for _ in range(MAX_UNDO_CHAIN):
        if not frontier:
            break
        found: dict[int, int] = {}
        for chunk in _chunks(sorted(frontier)):
            for enrollment_id, data in s.execute(select(t.EnrollmentEvent.enrollment_id, t.EnrollmentEvent.data).where(
                    t.EnrollmentEvent.enrollment_id.in_(chunk), t.EnrollmentEvent.type == EventType.RESUMED.value)
                    .order_by(t.EnrollmentEvent.id)):
                later = str((data or {}).get("continued_as") or "")
                if later.isdigit():
                    found[enrollment_id] = int(later)  # the latest undo of it wins
        step.update(found)
        frontier = {v for v in found.values() if v not in step}
    latest: dict[int, int] = {}
    for first in step:
        at, seen = first, {first}
        while at in step and step[at] not in seen:
            at = step[at]
            seen.add(at)
        latest[first] = at
    return latest


def _lookups(s: Session, user: t.User, account: t.Account, provider: str,
             items: Sequence[tuple[InboundMessage, Classification]]) -> _Lookups:
    """One query per kind of fact for the whole batch, instead of one per message."""
    found = _Lookups()
    wanted = {b for m, c in items for b in _bracketed(_wanted_ids(m, c))}
    for chunk in _chunks(sorted(wanted)):
        for row in s.scalars(select(t.SequenceEmail).where(
                t.SequenceEmail.account_id == account.id, t.SequenceEmail.rfc_message_id.in_(chunk))
                .order_by(t.SequenceEmail.id)):
            found.sent_by_id.setdefault(row.rfc_message_id, []).append(row)
    # Gmail thread ids are reliable within one mailbox; Outlook's conversationId can join unrelated
    # messages that share a subject, so it is never used to match.
    threads = {m.provider_thread_id for m, c in items if provider == "gmail" and m.provider_thread_id
               and not any(b in found.sent_by_id for b in _bracketed(_wanted_ids(m, c)))}
    for chunk in _chunks(sorted(threads)):
        for row in s.scalars(select(t.SequenceEmail).where(
                t.SequenceEmail.account_id == account.id, t.SequenceEmail.mailbox_address == user.mailbox_address,
                t.SequenceEmail.thread_id.in_(chunk)).order_by(t.SequenceEmail.id)):
            found.sent_by_thread.setdefault(row.thread_id or "", []).append(row)
    canonicals = {fold_normalized(m.from_address) for m, _ in items if m.from_address}
    for chunk in _chunks(sorted(canonicals)):
        for contact_id, address, is_primary, company_id, canonical in s.execute(
                select(t.ContactAddress.contact_id, t.ContactAddress.address, t.ContactAddress.is_primary,
                       t.Contact.company_id, t.ContactAddress.canonical)
                .join(t.Contact, t.Contact.id == t.ContactAddress.contact_id)
                .where(t.ContactAddress.account_id == account.id, t.ContactAddress.canonical.in_(chunk))
                .order_by(t.ContactAddress.id)):
            found.contacts_by_canonical.setdefault(canonical, []).append((contact_id, address, is_primary, company_id))
    domains = {domain_of(m.from_address) for m, _ in items if m.from_address and not any(
        c[3] is not None for c in found.contacts_by_canonical.get(fold_normalized(m.from_address), ()))}
    for chunk in _chunks(sorted(domains)):
        for domain, company_id in s.execute(select(t.CompanyDomain.domain, t.CompanyDomain.company_id).where(
                t.CompanyDomain.account_id == account.id, t.CompanyDomain.domain.in_(chunk))):
            found.company_by_domain.setdefault(domain, company_id)
    bounced = {a for m, c in items for a in _bounced_addresses(m, c)}
    for chunk in _chunks(sorted(bounced)):
        for contact_id, address in s.execute(select(t.ContactAddress.contact_id, t.ContactAddress.address).where(
                t.ContactAddress.account_id == account.id, t.ContactAddress.address.in_(chunk))
                .order_by(t.ContactAddress.id)):
            found.contacts_by_address.setdefault(address, []).append(contact_id)
    # Every open enrollment any message of the batch may touch; each message picks its own below.
    ids = {r.enrollment_id for rows in (*found.sent_by_id.values(), *found.sent_by_thread.values()) for r in rows}
    found.continued = _continuations(s, ids)
    ids |= set(found.continued.values())
    contact_ids = {c[0] for rows in found.contacts_by_canonical.values() for c in rows}
    contact_ids |= {c for rows in found.contacts_by_address.values() for c in rows}
    # The sender's company: its contacts' enrollments end in sequences with the same-company
    # checkbox on (outside the beta), or by a beta trigger set to the company.
    companies = {c[3] for rows in found.contacts_by_canonical.values() for c in rows if c[3] is not None}
    companies |= set(found.company_by_domain.values())
    found.enrollments = open_enrollment_facts(s, account.id, involving(
        ids, contact_ids, companies, same_company_only=not account.custom_triggers_beta), found.rows)
    return found


# RFC 2369 / 2919 / 8058 list fields, and the Precedence values lists and bulk senders write.
_LIST_HEADERS = frozenset({"list-id", "list-unsubscribe", "list-unsubscribe-post", "list-help", "list-subscribe",
                           "list-post", "list-owner", "list-archive"})
_LIST_PRECEDENCE = frozenset({"bulk", "list", "junk"})


def _is_list_header(name: str, value: str) -> bool:
    lowered = name.strip().lower()
    return lowered in _LIST_HEADERS or (lowered == "precedence" and value.strip().lower() in _LIST_PRECEDENCE)


def _kind_without_list_headers(message: InboundMessage, classification: Classification,
                               sent: Sequence[SentEmailMatch]) -> InboundKind | None:
    """What an automatic-looking answer to a sequence email is once its list headers are set aside.

    Asked only of messages whose In-Reply-To or References names one of our emails: people answer
    from tools that stamp one-click unsubscribe headers on everything they send.
    """
    if classification.kind is not InboundKind.AUTO_OTHER:
        return None
    if not any(x.matched_by in NAMES_OUR_EMAIL for x in sent):
        return None
    kept = tuple((n, v) for n, v in message.headers if not _is_list_header(n, v))
    if len(kept) == len(message.headers):
        return None
    return classify(replace(message, headers=Headers(kept))).kind


def own_addresses(s: Session, account_id: int) -> frozenset[str]:
    """Addresses of the account's own users: mail from colleagues is never a contact's reply."""
    return frozenset(s.scalars(
        select(t.User.email).where(t.User.account_id == account_id)
        .union(select(t.User.mailbox_address).where(t.User.account_id == account_id),
               select(t.UserAlias.address).where(t.UserAlias.account_id == account_id))))


def _facts_from(s: Session, user: t.User, account: t.Account, own: frozenset[str], found: _Lookups,
                provider: str, provider_message_id: str, message: InboundMessage,
                classification: Classification, received_at: datetime | None = None) -> Facts:
    """The facts of one message, from the batch's lookups (plus the rare queries only it needs)."""
    sender = message.from_address
    wanted = _wanted_ids(message, classification)
    by_bracketed = {b: how for b, how in zip(_bracketed(wanted), wanted.values(), strict=True)}
    rows = sorted(((r, how) for b, how in by_bracketed.items() for r in found.sent_by_id.get(b, ())),
                  key=lambda pair: pair[0].id)
    if not rows and provider == "gmail" and message.provider_thread_id:
        rows = [(r, MatchKind.THREAD_ID) for r in found.sent_by_thread.get(message.provider_thread_id, ())]
    open_ids = {e.id for e, _ in found.enrollments.values()}
    sent = [SentEmailMatch(r.id, r.enrollment_id, r.recipient, r.step_position, r.subject, r.rfc_message_id, how)
            for r, how in rows]
    # A reply to an email of an enrollment that an undo continued belongs to the continuation.
    sent = [replace(m, enrollment_id=found.continued[m.enrollment_id], continued_from=m.enrollment_id)
            if m.enrollment_id not in open_ids and found.continued.get(m.enrollment_id) in open_ids else m
            for m in sent]
    senders: list[SenderContact] = []
    if sender:
        for contact_id, address, is_primary, company in found.contacts_by_canonical.get(fold_normalized(sender), ()):
            if address == sender:
                match = MatchKind.EXACT if is_primary else MatchKind.SECONDARY
            else:
                match = MatchKind.GMAIL_ALIAS
            senders.append(SenderContact(contact_id, company, address, match))
    company_id, company_by = None, ""
    with_company = [c.company_id for c in senders if c.company_id is not None]
    if with_company:
        company_id, company_by = with_company[0], "contact"
    elif sender:
        company_id = found.company_by_domain.get(domain_of(sender))
        company_by = "domain" if company_id is not None else ""
    bounced = _bounced_addresses(message, classification)
    bounced_contacts = [c for a in dict.fromkeys(bounced) for c in found.contacts_by_address.get(a, ())]
    needs_company = company_id is not None
    ids = {m.enrollment_id for m in sent}
    contact_ids = {c.contact_id for c in senders} | set(bounced_contacts)
    enrollments = {
        e.id: e for e, company in found.enrollments.values()
        if e.id in ids or e.contact_id in contact_ids or (needs_company and company == company_id)}
    # Under the beta, a sequence set to "all contacts at the company" reaches the thread contact's company.
    if account.custom_triggers_beta:
        for e in list(enrollments.values()):
            if e.on_reply is AutomationScope.COMPANY and e.company_id is not None and e.company_id != company_id:
                enrollments.update(_open_enrollments(s, account.id, company_id=e.company_id))
    company_enrollments: dict[int, list[int]] = {}
    for e in enrollments.values():
        if e.company_id is not None:
            company_enrollments.setdefault(e.company_id, []).append(e.id)
    soft: dict[str, int] = {}
    counted: frozenset[tuple[str, str]] = frozenset()
    latest_sent: dict[str, str] = {}
    replied: frozenset[str] = frozenset()
    if classification.kind.is_bounce or classification.left_company:  # counts matter only to bounces
        addresses = {e.contact_address for e in enrollments.values()} | set(bounced)
        if sender:
            addresses.add(sender)
        soft = dict(s.execute(select(t.ContactAddress.address, t.ContactAddress.soft_bounces).where(
            t.ContactAddress.account_id == account.id, t.ContactAddress.address.in_(addresses))).all())
        counted = frozenset((a, k) for a, k in s.execute(
            select(t.CountedBounce.address, t.CountedBounce.report_key).where(
                t.CountedBounce.account_id == account.id, t.CountedBounce.address.in_(addresses))))
        if not wanted:  # a report that quotes no email at all
            latest_sent = _latest_sent_to(s, account.id, user.mailbox_address, addresses)
        replied = replied_since(s, account.id, rows, addresses)
    facts_message = InboundFacts(
        provider=provider, mailbox_user_id=user.id, mailbox_address=user.mailbox_address,
        message_id=provider_message_id, rfc_message_id=message.message_id, from_address=sender,
        kind=classification.kind, classification_evidence=tuple(classification.evidence),
        left_company=classification.left_company, return_date=classification.return_date,
        bounced_recipients=tuple(bounced),
        hard_recipients=tuple(a for a in (try_normalize(x) for x in classification.hard_recipients) if a),
        subject=message.subject[:300],
        quoted_message_id=next(iter(wanted), None) if classification.kind.is_bounce else None,
        kind_without_list_headers=_kind_without_list_headers(message, classification, sent),
        received_at=received_at)
    return Facts(
        message=facts_message,
        account=AccountRules(custom_triggers_beta=account.custom_triggers_beta,
                             soft_bounce_threshold=account.soft_bounce_threshold),
        sent_matches=tuple(sent), sender_contacts=tuple(senders), sender_company_id=company_id,
        sender_company_by=company_by, enrollments=enrollments, company_enrollments=company_enrollments,
        soft_bounces={k: int(v or 0) for k, v in soft.items()}, own_addresses=own, counted_reports=counted,
        latest_sent_to=latest_sent, replied_addresses=replied,
        bounced_endings=bounced_endings(s, account.id, {m.enrollment_id for m in sent} - open_ids)
        if classification.kind is InboundKind.HUMAN_REPLY else frozenset())


def _latest_sent_to(s: Session, account_id: int, mailbox: str, addresses: Iterable[str]) -> dict[str, str]:
    """The Message-ID of the latest sequence email this mailbox sent to each address: what a bounce
    report that quotes no email is about, so that copies of it re-sent under new Message-IDs share
    one key (rules.report_key)."""
    latest: dict[str, str] = {}
    for chunk in _chunks(sorted(addresses)):
        for recipient, rfc_message_id in s.execute(
                select(t.SequenceEmail.recipient, t.SequenceEmail.rfc_message_id).where(
                    t.SequenceEmail.account_id == account_id, t.SequenceEmail.mailbox_address == mailbox,
                    t.SequenceEmail.recipient.in_(chunk))
                .order_by(t.SequenceEmail.sent_at.desc(), t.SequenceEmail.id.desc())):
            latest.setdefault(recipient, rfc_message_id)
    return latest


def gather_facts(s: Session, user: t.User, provider: str, provider_message_id: str, message: InboundMessage,
                 classification: Classification) -> Facts:
    """Everything the rules need about one message in `user`'s mailbox, in a handful of queries."""
    account = s.get_one(t.Account, user.account_id)
    found = _lookups(s, user, account, provider, [(message, classification)])
    return _facts_from(s, user, account, own_addresses(s, account.id), found, provider, provider_message_id,
                       message, classification)


def _event(s: Session, e: t.Enrollment, kind: EventType, at: datetime, actor: str | None, **data: Any) -> None:
    """enrollments.add_event, remembered in order so that the batch's events are written together."""
    s.info.setdefault("inbound_events", []).append(add_event(s, e, kind, at, actor, **data))


def _write_events(s: Session) -> None:
    """Insert the events not flushed yet in one executemany, in the order they happened.

    The ORM would insert them one statement each: it wants every new id back, which SQLite's
    multi-row RETURNING cannot give in order. Nothing here reads the ids.
    """
    pending = [ev for ev in s.info.pop("inbound_events", []) if inspect(ev).pending]
    if not pending:
        return
    table = cast(Table, t.EnrollmentEvent.__table__)
    columns = [c.key for c in table.columns if c.key != "id"]
    rows = [{c: getattr(ev, c) for c in columns} for ev in pending]
    for ev in pending:
        s.expunge(ev)
    s.connection().execute(table.insert(), rows)


def _end_open(s: Session, e: t.Enrollment, end: EndOfEnrollment, now: datetime) -> bool:
    """End one open enrollment as enrollments.end_enrollment does, its event kept with the batch's
    others. False when it had already ended (then nothing is written)."""
    if not end_open_row(s, e, end, now):
        return False
    _event(s, e, EventType.UNENROLLED, now, end.actor, reason=end.reason.value, surface=end.surface.value,
           evidence=dict(end.evidence))
    return True


def _apply(s: Session, outcome: Outcome, account_id: int, now: datetime) -> list[dict[str, Any]]:
    applied = []
    for d in outcome.decisions:
        e = s.get(t.Enrollment, d.enrollment_id)
        if e is None or e.account_id != account_id:
            continue
        evidence = jsonable(dict(d.evidence))
        if e.status not in OPEN:
            # Only a reply that came after the ending is written on an ended enrollment: undo reads it.
            if d.action is Action.RECORD and d.event is EventType.REPLIED and d.evidence.get(AFTER_ENDING):
                _event(s, e, d.event, now, SYSTEM_ACTOR, **evidence)
                applied.append(decision_view(d))
            continue
        if d.event is not None:
            _event(s, e, d.event, now, SYSTEM_ACTOR, **evidence)
        if d.action is Action.UNENROLL and d.reason is not None:
            end = EndOfEnrollment(d.reason, Surface.AUTOMATIC, SYSTEM_ACTOR, evidence)
            if not _end_open(s, e, end, now):
                continue
        elif d.action is Action.PAUSE and d.pause_until and e.status == EnrollmentStatus.ACTIVE.value:
            until = datetime.combine(d.pause_until, time(0, 0), tzinfo=UTC)
            remaining = max(0, int((e.next_step_at - now).total_seconds())) if e.next_step_at else 0
            e.status, e.paused_until = EnrollmentStatus.PAUSED.value, until
            _event(s, e, EventType.PAUSED, now, SYSTEM_ACTOR, until=until.isoformat().replace("+00:00", "Z"),
                   reason="out of office until the stated return date", remaining_delay_seconds=remaining)
        applied.append(decision_view(d))
    for change in outcome.address_updates:
        if change.report_key and not _count_report(s, account_id, change.address, change.report_key, now):
            continue  # a racing worker counted this report for this address first
        for row in s.scalars(select(t.ContactAddress).where(t.ContactAddress.account_id == account_id,
                                                            t.ContactAddress.address == change.address)):
            if change.alive:
                if row.bounced and row.is_primary:
                    s.get_one(t.Contact, row.contact_id).bounced = False
                row.bounced, row.soft_bounces = False, 0
                continue
            if change.soft_bounce:
                row.soft_bounces = (row.soft_bounces or 0) + 1
            if change.mark_bounced:
                row.bounced = True
                if row.is_primary:
                    s.get_one(t.Contact, row.contact_id).bounced = True
    return applied


def _count_report(s: Session, account_id: int, address: str, report_key: str, now: datetime) -> bool:
    """Record that a bounce report was counted for an address; False when it was already."""
    table = cast(Table, t.CountedBounce.__table__)
    insert = postgresql_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).on_conflict_do_nothing().returning(table.c.id)
    row = s.connection().execute(statement, {"account_id": account_id, "address": address,
                                             "report_key": report_key[:512], "counted_at": now}).first()
    return row is not None


@dataclass(frozen=True)
class Arrived:
    """One message of a mailbox to apply: the provider's id for it and the parsed message."""

    provider_message_id: str
    message: InboundMessage
    classification: Classification | None = None
    # When the mailbox received it, by the provider (rules.InboundFacts.received_at).
    received_at: datetime | None = None


def _evidence(classification: Classification, note: str) -> dict[str, Any]:
    return {"classification": list(classification.evidence),
            "return_date": classification.return_date.isoformat() if classification.return_date else None,
            "bounced_recipients": list(classification.bounced_recipients),
            "hard_recipients": list(classification.hard_recipients),
            "left_company": classification.left_company, "note": note}


def _stale(facts: Facts, classification: Classification, changed_enrollments: set[int],
           changed_addresses: set[str]) -> bool:
    """Whether an earlier message of the same batch changed something these facts were read from."""
    if changed_enrollments.intersection(facts.enrollments):
        return True
    if classification.kind.is_bounce:  # the soft-bounce counts it read
        read = {e.contact_address for e in facts.enrollments.values()} | set(facts.message.bounced_recipients)
        return bool(changed_addresses & read)
    return False


def apply_inbound_messages(ctx: ServiceContext, *, provider: str, mailbox_address: str,
                           messages: Sequence[Arrived]) -> list[dict[str, Any]]:
    """Classify, decide and apply a batch of one mailbox's messages, in order, in one transaction.

    The outcome is the one applying them one by one would give: each message is claimed first
    (INSERT ... ON CONFLICT DO NOTHING on the ProcessedMessage key, so a message a racing worker
    claimed is skipped), the facts of the whole batch are read in a few queries, and a message
    whose facts an earlier message of the batch changed (an enrollment it ended or paused, a
    soft-bounce count) has them read again. Returns one result per message, in order.
    """
    classified = [(a, a.classification or classify(a.message)) for a in messages]
    now = ctx.now()
    session = ctx.sessions()
    try:
        user = find_mailbox_user(session, mailbox_address)
        if user is None:
            raise NotFound(f"no rep's mailbox is {mailbox_address}", code="unknown_mailbox")
        mailbox, account_id = user.mailbox_address, user.account_id
        claims: dict[str, dict[str, Any]] = {}
        for a, c in classified:
            claims.setdefault(a.provider_message_id, {
                "account_id": account_id, "provider": provider, "mailbox_address": mailbox,
                "message_id": a.provider_message_id, "rfc_message_id": (a.message.message_id or "")[:998] or None,
                "from_address": a.message.from_address, "kind": c.kind.value, "evidence": _evidence(c, ""),
                "decisions": {}, "processed_at": now})
        claimed = _claim(session, list(claims.values()))
        results: dict[str, dict[str, Any]] = {}
        for a, c in classified:
            if a.provider_message_id not in claimed and a.provider_message_id not in results:
                results[a.provider_message_id] = {"already_processed": True, "kind": c.kind.value,
                                                  "evidence": _evidence(c, ""), "decisions": []}
        if len(claimed) < len(claims):  # what the worker that got there first decided
            for done in session.scalars(select(t.ProcessedMessage).where(
                    t.ProcessedMessage.provider == provider, t.ProcessedMessage.mailbox_address == mailbox,
                    t.ProcessedMessage.message_id.in_([k for k in claims if k not in claimed]))):
                results[done.message_id] = {"already_processed": True, "kind": done.kind, "evidence": done.evidence,
                                            "decisions": shown_decisions((done.decisions or {}).get("applied", []))}
        todo, seen = [], set()
        for a, c in classified:  # each claimed message once, in arrival order
            if a.provider_message_id in claimed and a.provider_message_id not in seen:
                seen.add(a.provider_message_id)
                todo.append((a, c))
        account = session.get_one(t.Account, account_id)
        own = own_addresses(session, account_id)
        found = _lookups(session, user, account, provider, [(a.message, c) for a, c in todo]) if todo else _Lookups()
        changed_enrollments: set[int] = set()
        changed_addresses: set[str] = set()
        stored: list[dict[str, Any]] = []
        copies = applied_notices(session, provider, mailbox, claimed.values(), {
            ((a.message.message_id or "")[:998], a.message.from_address) for a, c in todo
            if c.kind is InboundKind.OUT_OF_OFFICE})
        for a, c in todo:
            rfc_id = (a.message.message_id or "")[:998]
            if c.kind is InboundKind.OUT_OF_OFFICE and rfc_id and (rfc_id, a.message.from_address) in copies:
                # The same notice under another provider id (as the dry run says): recorded once.
                evidence = _evidence(c, "a copy of an out-of-office already applied in this mailbox: nothing to do")
                stored.append({"pid": claimed[a.provider_message_id], "ev": evidence,
                               "dec": {"applied": [], "address_updates": []}})
                results[a.provider_message_id] = {"already_processed": True, "dry_run": False, "kind": c.kind.value,
                                                  "evidence": evidence, "decisions": []}
                continue
            if c.kind is InboundKind.OUT_OF_OFFICE and rfc_id:
                copies.add((rfc_id, a.message.from_address))
            with session.no_autoflush:  # one flush at the end writes every event of the batch together
                facts = _facts_from(session, user, account, own, found, provider, a.provider_message_id, a.message, c,
                                    a.received_at)
            if _stale(facts, c, changed_enrollments, changed_addresses):
                session.flush()
                facts = _facts_from(session, user, account, own, _lookups(session, user, account, provider,
                                                                          [(a.message, c)]),
                                    provider, a.provider_message_id, a.message, c, a.received_at)
            outcome = decide(replace(facts, today=now.date()))
            with session.no_autoflush:
                applied = _apply(session, outcome, account_id, now)
            changed_enrollments.update(d.enrollment_id for d in outcome.decisions)
            changed_addresses.update(u.address for u in outcome.address_updates)
            evidence = _evidence(c, outcome.note)
            stored.append({"pid": claimed[a.provider_message_id], "ev": evidence, "dec": {
                "applied": applied, "address_updates": [asdict(u) for u in outcome.address_updates]}})
            results[a.provider_message_id] = {"already_processed": False, "dry_run": False, "kind": c.kind.value,
                                              "evidence": evidence, "decisions": shown_decisions(applied)}
        _write_events(session)
        if stored:
            table = _processed_table()
            session.flush()
            session.connection().execute(
                update(table).where(table.c.id == bindparam("pid")).values(
                    evidence=bindparam("ev"), decisions=bindparam("dec")), stored)
        session.commit()
        return [results[a.provider_message_id] for a in messages]
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _processed_table() -> Table:
    return cast(Table, t.ProcessedMessage.__table__)


_claim_statements: dict[str, Any] = {}


def _claim_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING, built once per dialect.

    Given many rows as parameters, SQLAlchemy sends them as multi-row INSERTs ("insertmanyvalues")
    and returns only the rows that were new; the statement stays in the compiled cache.
    """
    statement = _claim_statements.get(dialect)
    if statement is None:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        table = _processed_table()
        statement = insert(table).on_conflict_do_nothing().returning(table.c.message_id, table.c.id)
        _claim_statements[dialect] = statement
    return statement


def _claim(s: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the ProcessedMessage rows no one has yet; returns {message id: row id} of those inserted."""
    if not rows:
        return {}
    statement = _claim_statement(s.get_bind().dialect.name)
    # In key order: two workers claiming overlapping batches on PostgreSQL wait on each other's
    # rows in the same order, never in a cycle.
    ordered = sorted(rows, key=lambda r: str(r["message_id"]))
    return {str(mid): int(pid) for mid, pid in s.connection().execute(statement, ordered)}


def apply_inbound_message(ctx: ServiceContext, *, provider: str, mailbox_address: str, provider_message_id: str,
                          message: InboundMessage, classification: Classification | None = None,
                          dry_run: bool = False, account_id: int | None = None) -> dict[str, Any]:
    """Classify (unless given), decide and apply one message; a message already handled changes nothing."""
    if not dry_run:
        return apply_inbound_messages(ctx, provider=provider, mailbox_address=mailbox_address,
                                      messages=[Arrived(provider_message_id, message, classification)])[0]
    classification = classification or classify(message)
    with ctx.sessions() as session:
        user = find_mailbox_user(session, mailbox_address, account_id)
        if user is None:
            raise NotFound(f"no rep's mailbox is {mailbox_address}", code="unknown_mailbox")
        earlier = _processed_before(session, provider, user.mailbox_address, provider_message_id, message)
        if earlier is not None and earlier.message_id == provider_message_id:
            # Delivering it would change nothing and answer what was decided then: so does the dry run.
            return {"already_processed": True, "dry_run": True, "kind": earlier.kind, "evidence": earlier.evidence,
                    "decisions": shown_decisions((earlier.decisions or {}).get("applied", [])),
                    "address_updates": [], "earlier": _earlier_view(earlier)}
        earlier_view = _earlier_view(earlier) if earlier is not None else None
        facts = gather_facts(session, user, provider, provider_message_id, message, classification)
        outcome = decide(replace(facts, today=ctx.now().date()))
        if earlier is not None:  # a copy of a notice applied already does nothing, as delivering it does
            outcome = copy_outcome(session, provider, user.mailbox_address, message, classification.kind, outcome)
        session.rollback()
    result = {"already_processed": earlier_view is not None, "dry_run": True, "kind": classification.kind.value,
              "evidence": _evidence(classification, outcome.note),
              "decisions": shown_decisions([decision_view(d) for d in outcome.decisions]),
              "address_updates": [asdict(u) for u in outcome.address_updates]}
    if earlier_view is not None:
        # The same Message-ID was applied under another provider id: a copy. The decisions above
        # are what this copy would do now (every fact it changed then is already in them).
        result["earlier"] = earlier_view
    return result


def _processed_before(s: Session, provider: str, mailbox: str, provider_message_id: str,
                      message: InboundMessage) -> t.ProcessedMessage | None:
    """The message as applied before in this mailbox: by the provider's id, else by its Message-ID."""
    same_id = s.scalar(select(t.ProcessedMessage).where(
        t.ProcessedMessage.provider == provider, t.ProcessedMessage.mailbox_address == mailbox,
        t.ProcessedMessage.message_id == provider_message_id))
    if same_id is not None or not message.message_id:
        return same_id
    return s.scalar(select(t.ProcessedMessage).where(
        t.ProcessedMessage.provider == provider, t.ProcessedMessage.mailbox_address == mailbox,
        t.ProcessedMessage.rfc_message_id == message.message_id[:998]).order_by(t.ProcessedMessage.id).limit(1))


def _earlier_view(row: t.ProcessedMessage) -> dict[str, Any]:
    return {"provider_message_id": row.message_id, "processed_at": jsonable(row.processed_at), "kind": row.kind,
            "decisions": shown_decisions((row.decisions or {}).get("applied", []))}


# The dry run's one limit: the raw message, encoded as UTF-8. Its request may exceed MAX_REQUEST_BYTES
# up to what JSON makes of a raw this large (escapes triple non-ASCII text at most), so that whatever
# a mailbox processes up to this size can be dry-run.
MAX_SIMULATED_BYTES = 5_000_000
SIMULATE_REQUEST_BYTES = 3 * MAX_SIMULATED_BYTES + 65_536


def simulate(ctx: ServiceContext, principal: Principal | None, raw: bytes, mailbox_address: str,
             message_class: str | None = None) -> dict[str, Any]:
    """What a raw message would do in a rep's mailbox: classification and decisions, nothing changed.
    `principal` None is the operator's `simulate` command; anyone else may dry-run only the mailboxes the
    permission table lets them (a rep: their own). `message_class`: the Exchange class an Outlook mailbox's
    message carries (Graph gives it, the raw MIME lacks it), read as the Outlook path reads it."""
    if len(raw) > MAX_SIMULATED_BYTES:
        raise Invalid(f"the message is larger than {MAX_SIMULATED_BYTES:,} bytes (UTF-8)", code="message_too_large")
    with ctx.sessions() as s:
        user = find_mailbox_user(s, mailbox_address, principal.account_id if principal else None)
        if user is None:
            raise NotFound(f"no rep's mailbox is {mailbox_address}", code="unknown_mailbox")
        if principal is not None:
            authorize(principal, permissions.Action.SIMULATE, [user.id],
                      message="a rep may only dry-run messages in their own mailbox")
        provider = "gmail" if user.mailbox_provider == "gmail" else "outlook"
        mailbox_address, account_id = user.mailbox_address, user.account_id
    if message_class and provider == "gmail":
        raise Invalid("a Gmail mailbox's messages carry no Exchange message class", code="message_class_not_outlook")
    message = replace(parsed := InboundMessage.from_bytes(raw), message_class=message_class or parsed.message_class)
    result = apply_inbound_message(ctx, provider=provider, mailbox_address=mailbox_address,
                                   provider_message_id="simulated", message=message, dry_run=True,
                                   account_id=account_id)
    result["message"] = {"from": message.from_address, "subject": message.subject, "message_id": message.message_id,
                         "in_reply_to": list(message.in_reply_to), "message_class": message.message_class}
    return result
