"""Applying one inbound message to the enrollments: gather the facts, let the rules decide, apply.

Every message counts once: a ProcessedMessage row (provider, mailbox, provider message id) is
written in the same transaction as the decisions it led to, so a duplicate notification, a
resync or a second worker finds it and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.addresses import domain_of, fold_normalized, try_normalize
from addin_server.domain.model import (
    AutomationScope,
    EndOfEnrollment,
    EnrollmentStatus,
    EventType,
    Surface,
)
from addin_server.domain.rules import (
    AccountRules,
    Action,
    Decision,
    Facts,
    InboundFacts,
    InboundKind,
    MatchKind,
    OpenEnrollment,
    Outcome,
    SenderContact,
    SentEmailMatch,
    decide,
)
from addin_server.mail.classify import Classification, classify
from addin_server.mail.message import InboundMessage
from addin_server.services.context import ServiceContext
from addin_server.services.enrollments import OPEN, SYSTEM_ACTOR, add_event, end_enrollment
from addin_server.services.errors import NotFound

MAX_REFERENCES = 50  # a long References chain only needs its latest links


def find_mailbox_user(s: Session, address: str) -> t.User | None:
    """The rep whose mailbox (or one of its aliases) is `address`."""
    norm = try_normalize(address)
    if norm is None:
        return None
    user = s.scalar(select(t.User).where(t.User.mailbox_address == norm).order_by(t.User.id).limit(1))
    if user is None:
        owner = s.scalar(select(t.UserAlias.user_id).where(t.UserAlias.address == norm).limit(1))
        user = s.get(t.User, owner) if owner else None
    return user


def _bracketed(ids: Iterable[str]) -> list[str]:
    return [i if i.startswith("<") else f"<{i}>" for i in ids]


def _sent_matches(s: Session, user: t.User, provider: str, message: InboundMessage,
                  classification: Classification) -> list[SentEmailMatch]:
    """Sequence emails this message answers or reports on, header matches before thread matches."""
    wanted: dict[str, str] = {}
    if classification.original_message_id:
        wanted[classification.original_message_id] = "bounce report"
    for mid in message.in_reply_to:
        wanted.setdefault(mid, "In-Reply-To")
    for mid in list(message.references)[-MAX_REFERENCES:]:
        wanted.setdefault(mid, "References")
    rows: list[tuple[t.SequenceEmail, str]] = []
    if wanted:
        by_bracketed = {b: how for b, how in zip(_bracketed(wanted), wanted.values(), strict=True)}
        for row in s.scalars(select(t.SequenceEmail).where(
                t.SequenceEmail.account_id == user.account_id, t.SequenceEmail.rfc_message_id.in_(by_bracketed))):
            rows.append((row, by_bracketed[row.rfc_message_id]))
    # Gmail thread ids are reliable within one mailbox; Outlook's conversationId can join unrelated
    # messages that share a subject, so it is never used to match.
    if not rows and provider == "gmail" and message.provider_thread_id:
        for row in s.scalars(select(t.SequenceEmail).where(
                t.SequenceEmail.account_id == user.account_id, t.SequenceEmail.mailbox_address == user.mailbox_address,
                t.SequenceEmail.thread_id == message.provider_thread_id)):
            rows.append((row, "thread id"))
    return [SentEmailMatch(r.id, r.enrollment_id, r.recipient, r.step_position, r.subject, r.rfc_message_id, how)
            for r, how in rows]


def _sender_contacts(s: Session, account_id: int, sender: str | None) -> list[SenderContact]:
    if not sender:
        return []
    rows = s.execute(
        select(t.ContactAddress.contact_id, t.ContactAddress.address, t.ContactAddress.is_primary, t.Contact.company_id)
        .join(t.Contact, t.Contact.id == t.ContactAddress.contact_id)
        .where(t.ContactAddress.account_id == account_id, t.ContactAddress.canonical == fold_normalized(sender))
    ).all()
    out = []
    for contact_id, address, is_primary, company_id in rows:
        if address == sender:
            match = MatchKind.EXACT if is_primary else MatchKind.SECONDARY
        else:
            match = MatchKind.GMAIL_ALIAS
        out.append(SenderContact(contact_id, company_id, address, match))
    return out


def _open_enrollments(s: Session, account_id: int, *, ids: Iterable[int] = (), contact_ids: Iterable[int] = (),
                      company_id: int | None = None) -> dict[int, OpenEnrollment]:
    ids, contact_ids = set(ids), set(contact_ids)
    conditions: list[ColumnElement[bool]] = []
    if ids:
        conditions.append(t.Enrollment.id.in_(ids))
    if contact_ids:
        conditions.append(t.Enrollment.contact_id.in_(contact_ids))
    if company_id is not None:
        conditions.append(t.Contact.company_id == company_id)
    if not conditions:
        return {}
    rows = s.execute(
        select(t.Enrollment, t.Contact.company_id, t.Contact.primary_email, t.Sequence)
        .join(t.Contact, t.Contact.id == t.Enrollment.contact_id)
        .join(t.Sequence, t.Sequence.id == t.Enrollment.sequence_id)
        .where(t.Enrollment.account_id == account_id, t.Enrollment.status.in_(OPEN), or_(*conditions))
    ).all()
    return {
        e.id: OpenEnrollment(
            id=e.id, contact_id=e.contact_id, company_id=company, sequence_id=seq.id, sequence_name=seq.name,
            enrolled_by_user_id=e.enrolled_by_user_id, sender_user_id=e.sender_user_id, contact_address=primary,
            on_reply=AutomationScope(seq.on_reply), pause_on_out_of_office=seq.pause_on_out_of_office,
            status=e.status)
        for e, company, primary, seq in rows
    }


def gather_facts(s: Session, user: t.User, provider: str, provider_message_id: str, message: InboundMessage,
                 classification: Classification) -> Facts:
    """Everything the rules need about one message in `user`'s mailbox, in a handful of queries."""
    account = s.get_one(t.Account, user.account_id)
    sender = message.from_address
    sent = _sent_matches(s, user, provider, message, classification)
    senders = _sender_contacts(s, account.id, sender)
    company_id, company_by = None, ""
    with_company = [c.company_id for c in senders if c.company_id is not None]
    if with_company:
        company_id, company_by = with_company[0], "contact"
    elif sender:
        company_id = s.scalar(select(t.CompanyDomain.company_id).where(
            t.CompanyDomain.account_id == account.id, t.CompanyDomain.domain == domain_of(sender)))
        company_by = "domain" if company_id is not None else ""
    bounced = [a for a in (try_normalize(x) for x in classification.bounced_recipients) if a]
    if classification.left_company and sender:
        bounced.append(sender)
    bounced_contacts = s.scalars(select(t.ContactAddress.contact_id).where(
        t.ContactAddress.account_id == account.id, t.ContactAddress.address.in_(bounced))).all() if bounced else []
    needs_company = company_id is not None and (account.unenroll_same_company or account.custom_triggers_beta)
    enrollments = _open_enrollments(
        s, account.id, ids=[m.enrollment_id for m in sent],
        contact_ids=[c.contact_id for c in senders] + list(bounced_contacts),
        company_id=company_id if needs_company else None)
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
    if classification.kind.is_bounce:  # soft-bounce counts matter only to bounces
        addresses = {e.contact_address for e in enrollments.values()} | set(bounced)
        soft = dict(s.execute(select(t.ContactAddress.address, t.ContactAddress.soft_bounces).where(
            t.ContactAddress.account_id == account.id, t.ContactAddress.address.in_(addresses))).all())
    own = set(s.scalars(
        select(t.User.email).where(t.User.account_id == account.id)
        .union(select(t.User.mailbox_address).where(t.User.account_id == account.id),
               select(t.UserAlias.address).where(t.UserAlias.account_id == account.id))))
    facts_message = InboundFacts(
        provider=provider, mailbox_user_id=user.id, mailbox_address=user.mailbox_address,
        message_id=provider_message_id, rfc_message_id=message.message_id, from_address=sender,
        kind=InboundKind(classification.kind.value), classification_evidence=tuple(classification.evidence),
        left_company=classification.left_company, return_date=classification.return_date,
        bounced_recipients=tuple(bounced), subject=message.subject[:300])
    return Facts(
        message=facts_message,
        account=AccountRules(unenroll_same_company=account.unenroll_same_company,
                             custom_triggers_beta=account.custom_triggers_beta,
                             soft_bounce_threshold=account.soft_bounce_threshold),
        sent_matches=tuple(sent), sender_contacts=tuple(senders), sender_company_id=company_id,
        sender_company_by=company_by, enrollments=enrollments, company_enrollments=company_enrollments,
        soft_bounces={k: int(v or 0) for k, v in soft.items()}, own_addresses=frozenset(own))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def decision_view(d: Decision) -> dict[str, Any]:
    return {"enrollment_id": str(d.enrollment_id), "action": d.action.value,
            "event": d.event.value if d.event else None, "reason": d.reason.value if d.reason else None,
            "pause_until": d.pause_until.isoformat() if d.pause_until else None,
            "evidence": _jsonable(dict(d.evidence))}


def _apply(s: Session, outcome: Outcome, account_id: int, now: datetime) -> list[dict[str, Any]]:
    applied = []
    for d in outcome.decisions:
        e = s.get(t.Enrollment, d.enrollment_id)
        if e is None or e.account_id != account_id or e.status not in OPEN:
            continue
        evidence = _jsonable(dict(d.evidence))
        if d.event is not None:
            add_event(s, e, d.event, now, SYSTEM_ACTOR, **evidence)
        if d.action is Action.UNENROLL and d.reason is not None:
            end = EndOfEnrollment(d.reason, Surface.AUTOMATIC, SYSTEM_ACTOR, evidence)
            if not end_enrollment(s, e.id, end, now):
                continue
        elif d.action is Action.PAUSE and d.pause_until and e.status == EnrollmentStatus.ACTIVE.value:
            until = datetime.combine(d.pause_until, time(0, 0), tzinfo=UTC)
            remaining = max(0, int((e.next_step_at - now).total_seconds())) if e.next_step_at else 0
            e.status, e.paused_until = EnrollmentStatus.PAUSED.value, until
            add_event(s, e, EventType.PAUSED, now, SYSTEM_ACTOR, until=until.isoformat().replace("+00:00", "Z"),
                      reason="out of office until the stated return date", remaining_delay_seconds=remaining)
        applied.append(decision_view(d))
    for update in outcome.address_updates:
        for row in s.scalars(select(t.ContactAddress).where(t.ContactAddress.account_id == account_id,
                                                            t.ContactAddress.address == update.address)):
            if update.soft_bounce:
                row.soft_bounces = (row.soft_bounces or 0) + 1
            if update.mark_bounced:
                row.bounced = True
                if row.is_primary:
                    s.get_one(t.Contact, row.contact_id).bounced = True
    return applied


def apply_inbound_message(ctx: ServiceContext, *, provider: str, mailbox_address: str, provider_message_id: str,
                          message: InboundMessage, classification: Classification | None = None,
                          dry_run: bool = False) -> dict[str, Any]:
    """Classify (unless given), decide and apply one message; a message already handled changes nothing."""
    classification = classification or classify(message)
    now = ctx.now()
    session = ctx.sessions()
    try:
        user = find_mailbox_user(session, mailbox_address)
        if user is None:
            raise NotFound(f"no rep's mailbox is {mailbox_address}", code="unknown_mailbox")
        mailbox = user.mailbox_address
        done = session.scalar(select(t.ProcessedMessage).where(
            t.ProcessedMessage.provider == provider, t.ProcessedMessage.mailbox_address == mailbox,
            t.ProcessedMessage.message_id == provider_message_id))
        if done is not None and not dry_run:
            return {"already_processed": True, "kind": done.kind, "evidence": done.evidence,
                    "decisions": done.decisions.get("applied", [])}
        facts = gather_facts(session, user, provider, provider_message_id, message, classification)
        outcome = decide(facts)
        result: dict[str, Any] = {
            "already_processed": False, "dry_run": dry_run, "kind": classification.kind.value,
            "evidence": {"classification": list(classification.evidence),
                         "return_date": classification.return_date.isoformat() if classification.return_date else None,
                         "bounced_recipients": list(classification.bounced_recipients),
                         "left_company": classification.left_company, "note": outcome.note},
        }
        if dry_run:
            result["decisions"] = [decision_view(d) for d in outcome.decisions]
            result["address_updates"] = [asdict(u) for u in outcome.address_updates]
            session.rollback()
            return result
        # Claim the message before acting: a concurrent duplicate stops here on the unique key.
        claim = t.ProcessedMessage(
            account_id=user.account_id, provider=provider, mailbox_address=mailbox, message_id=provider_message_id,
            rfc_message_id=(message.message_id or "")[:998] or None, from_address=message.from_address,
            kind=classification.kind.value, evidence=result["evidence"], decisions={}, processed_at=now)
        session.add(claim)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return {"already_processed": True, "kind": classification.kind.value, "evidence": result["evidence"],
                    "decisions": []}
        applied = _apply(session, outcome, user.account_id, now)
        claim.decisions = {"applied": applied, "address_updates": [asdict(u) for u in outcome.address_updates]}
        session.commit()
        result["decisions"] = applied
        return result
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


MAX_SIMULATED_BYTES = 5_000_000


def simulate(ctx: ServiceContext, account_id: int | None, raw: bytes, mailbox_address: str) -> dict[str, Any]:
    """What a raw message would do in a rep's mailbox: classification and decisions, nothing changed."""
    if len(raw) > MAX_SIMULATED_BYTES:
        from addin_server.services.errors import Invalid

        raise Invalid("the message is larger than 5 MB")
    with ctx.sessions() as s:
        user = find_mailbox_user(s, mailbox_address)
        if user is None or (account_id is not None and user.account_id != account_id):
            raise NotFound(f"no rep's mailbox is {mailbox_address}", code="unknown_mailbox")
        provider = "gmail" if user.mailbox_provider == "gmail" else "outlook"
    message = InboundMessage.from_bytes(raw)
    result = apply_inbound_message(ctx, provider=provider, mailbox_address=mailbox_address,
                                   provider_message_id="simulated", message=message, dry_run=True)
    result["message"] = {"from": message.from_address, "subject": message.subject, "message_id": message.message_id,
                         "in_reply_to": list(message.in_reply_to)}
    return result
