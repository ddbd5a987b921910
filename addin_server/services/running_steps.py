"""Running an enrollment's steps: sending its emails, holding a step with a missing merge field,
finishing after the last one, and the worker's claim on due enrollments."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain import merge_fields
from addin_server.domain.model import EnrollmentStatus, EventType, StepType, Surface, UnenrollReason
from addin_server.domain.names import one_line
from addin_server.services.context import ServiceContext
from addin_server.services.directory import contact_name
from addin_server.services.enrollment_records import HELD_FOR_MERGE_FIELDS, SYSTEM_ACTOR, add_event
from addin_server.services.mail_port import OutgoingEmail
from addin_server.services.sequences import load_steps
from addin_server.services.unsubscribe import bind_booking_links, links_for_sequence_email


def _lock_enrollment(s: Session, enrollment_id: int) -> t.Enrollment | None:
    q = select(t.Enrollment).where(t.Enrollment.id == enrollment_id)
    if s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    return s.scalar(q)


def _message_id(e: t.Enrollment, position: int, mailbox: str) -> str:
    domain = mailbox.rpartition("@")[2] or "sequence.invalid"
    return f"<seq.{e.id}.{position}.{secrets.token_hex(6)}@{domain}>"


SENDING = "sending:"  # lease_owner while a step's email is with the provider
SEND_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class _PreparedEmail:
    record_id: int
    email: OutgoingEmail


def run_step(ctx: ServiceContext, enrollment_id: int) -> bool:
    """Run the next step of an active enrollment if it is due. True when a step ran.

    An email step runs in three units of work so that no database write lock is held while the
    provider answers (Gmail may retry for half a minute): the email's row is written and the
    enrollment leased for sending, the email is sent, then the outcome is recorded. A failed send
    removes the unsent row and raises; the enrollment stays where it was."""
    now = ctx.now()
    prepared: _PreparedEmail | None = None
    with ctx.session() as s:
        e = _lock_enrollment(s, enrollment_id)
        if e is None or e.status != EnrollmentStatus.ACTIVE.value:
            return False
        if e.next_step_at is not None and e.next_step_at > now:
            return False
        if (e.lease_owner or "").startswith(SENDING) and e.lease_until is not None and e.lease_until > now:
            return False  # another call is sending this step right now
        seq = s.get_one(t.Sequence, e.sequence_id)
        steps = load_steps(s, seq.id)
        position = e.current_step + 1
        if position > len(steps):
            _finish(s, e, now)
            return False
        step = steps[position - 1]
        if step.type == StepType.AUTOMATED_EMAIL.value:
            held = merge_fields.missing((step.subject, step.body), _merge_values(s, e))
            if held:
                _hold_step(s, e, seq, step, held, now)
                return False
            prepared = _prepare_step_email(ctx, s, e, step, now)
            e.lease_owner, e.lease_until = f"{SENDING}{prepared.record_id}", now + SEND_LEASE
        else:
            # Manual email, call and task steps become a task for the sender rep.
            add_event(s, e, EventType.STEP_EXECUTED, now, SYSTEM_ACTOR, step=position, step_type=step.type,
                      task={"type": step.type, "subject": step.subject, "assignee_user_id": str(e.sender_user_id)})
            _advance(s, e, position, steps, now)
            return True
    try:
        with ctx.session() as s:
            sent = ctx.mail_sender.send(s, prepared.email)
    except BaseException:
        _discard_unsent(ctx, enrollment_id, prepared.record_id)
        raise
    with ctx.session() as s:
        e = _lock_enrollment(s, enrollment_id)
        record = s.get(t.SequenceEmail, prepared.record_id)
        if e is None or record is None:
            return True
        record.provider_message_id, record.thread_id = sent.provider_message_id, sent.thread_id
        record.rfc_message_id = sent.rfc_message_id
        add_event(s, e, EventType.STEP_EXECUTED, now, SYSTEM_ACTOR, step=step.position, step_type=step.type)
        add_event(s, e, EventType.EMAIL_SENT, now, SYSTEM_ACTOR, step=step.position,
                  message_id=sent.rfc_message_id, provider_message_id=sent.provider_message_id,
                  thread_id=sent.thread_id, recipient=prepared.email.recipient, subject=prepared.email.subject)
        if e.status == EnrollmentStatus.ACTIVE.value and e.current_step == step.position - 1:
            _advance(s, e, step.position, load_steps(s, e.sequence_id), now)
        elif e.lease_owner == f"{SENDING}{prepared.record_id}":
            e.lease_owner = e.lease_until = None  # ended while sending: the email went, nothing follows
    return True


def _advance(s: Session, e: t.Enrollment, position: int, steps: list[t.Step], now: datetime) -> None:
    e.current_step = position
    e.attempts = 0
    e.last_error = None
    e.lease_owner = None
    e.lease_until = None
    if position >= len(steps):
        _finish(s, e, now)
    else:
        e.next_step_at = now + timedelta(days=steps[position].delay_days)


def _discard_unsent(ctx: ServiceContext, enrollment_id: int, record_id: int) -> None:
    """The send failed: the row (and its unsubscribe and meeting links) of an email that never
    left goes, and the enrollment is free to be retried (or forgotten) at once."""
    with ctx.session() as s:
        s.execute(delete(t.SequenceEmail).where(t.SequenceEmail.id == record_id,
                                                t.SequenceEmail.provider_message_id.is_(None)))
        s.execute(update(t.Enrollment).where(t.Enrollment.id == enrollment_id,
                                             t.Enrollment.lease_owner == f"{SENDING}{record_id}")
                  .values(lease_owner=None, lease_until=None).execution_options(synchronize_session=False))


def _merge_values(s: Session, e: t.Enrollment) -> dict[str, str | None]:
    sender = s.get_one(t.User, e.sender_user_id)
    contact = s.get_one(t.Contact, e.contact_id)
    company = s.get(t.Company, contact.company_id) if contact.company_id else None
    return {"first_name": contact.first_name, "last_name": contact.last_name,
            "company": company.name if company else "", "sender_name": sender.name}


def _hold_step(s: Session, e: t.Enrollment, seq: t.Sequence, step: t.Step, fields: list[str],
               now: datetime) -> None:
    """A step whose email would have a hole is not sent: the enrollment pauses, naming what is
    missing, and the sender rep gets a task to fix the contact and resume."""
    contact = s.get_one(t.Contact, e.contact_id)
    words = merge_fields.in_words(fields)
    e.status = EnrollmentStatus.PAUSED.value
    e.paused_until = None
    e.lease_owner = e.lease_until = None
    e.attempts = 0
    e.last_error = None
    add_event(s, e, EventType.PAUSED, now, SYSTEM_ACTOR, reason=HELD_FOR_MERGE_FIELDS, step=step.position,
              missing_fields=fields, remaining_delay_seconds=0, until=None,
              task={"type": "task", "assignee_user_id": str(e.sender_user_id),
                    "subject": f"Add {words} to {contact_name(contact)}, then resume: step {step.position} of "
                               f"'{seq.name}' is held because its email uses {words}"})


def _prepare_step_email(ctx: ServiceContext, s: Session, e: t.Enrollment, step: t.Step,
                        now: datetime) -> _PreparedEmail:
    """The email of this step, ready to send, with its row written (not yet marked as sent)."""
    sender = s.get_one(t.User, e.sender_user_id)
    contact = s.get_one(t.Contact, e.contact_id)
    # A row left by a send that never finished (a crash mid-send) makes way for this attempt.
    s.execute(delete(t.SequenceEmail).where(t.SequenceEmail.enrollment_id == e.id,
                                            t.SequenceEmail.step_position == step.position,
                                            t.SequenceEmail.provider_message_id.is_(None)))
    previous = None
    if step.thread_with_previous:
        previous = s.scalar(
            select(t.SequenceEmail).where(t.SequenceEmail.enrollment_id == e.id)
            .order_by(t.SequenceEmail.step_position.desc()).limit(1)
        )
    fields = _merge_values(s, e)
    # A threaded step without its own subject answers the previous email's subject.
    subject = merge_fields.render(step.subject.strip(), fields) or (f"Re: {previous.subject}" if previous else "")
    # Names stored before they were checked may hold a line break: a subject is one line.
    subject = one_line(subject).strip()
    rfc_message_id = _message_id(e, step.position, sender.mailbox_address)
    # The row comes first: its id is what the email's unsubscribe and meeting links are bound to.
    record = t.SequenceEmail(
        account_id=e.account_id, enrollment_id=e.id, step_position=step.position,
        provider=sender.mailbox_provider, mailbox_address=sender.mailbox_address,
        rfc_message_id=rfc_message_id, recipient=contact.primary_email, subject=subject, sent_at=now,
    )
    s.add(record)
    s.flush()
    links = links_for_sequence_email(ctx.settings, record.id, sender.id, sender.name or sender.mailbox_address)
    record.unsubscribe_token, record.meeting_token = links.unsubscribe_token, links.meeting_token
    # Any rep's booking link written in the step counts as a link from this email.
    body = bind_booking_links(ctx.settings, merge_fields.render(step.body, fields), record.id)
    email = OutgoingEmail(
        account_id=e.account_id, provider=sender.mailbox_provider, mailbox_address=sender.mailbox_address,
        recipient=contact.primary_email, subject=subject, body=body + links.footer,
        rfc_message_id=rfc_message_id,
        thread_id=previous.thread_id if previous else None,
        in_reply_to=previous.rfc_message_id if previous else None,
        headers=links.headers,
    )
    return _PreparedEmail(record.id, email)


def _finish(s: Session, e: t.Enrollment, now: datetime) -> None:
    e.status = EnrollmentStatus.FINISHED.value
    e.ended_at = now
    e.next_step_at = None
    e.end_reason = UnenrollReason.COMPLETED.value
    e.end_surface = Surface.AUTOMATIC.value
    e.end_actor = SYSTEM_ACTOR
    e.end_evidence = {"rule": "last step ran", "steps_run": e.current_step}
    add_event(s, e, EventType.FINISHED, now, SYSTEM_ACTOR, reason=UnenrollReason.COMPLETED.value,
              steps_run=e.current_step)


def record_step_failure(ctx: ServiceContext, enrollment_id: int, error: str, retry_in_seconds: float) -> None:
    """A step could not run (provider down): keep the enrollment, try again later."""
    with ctx.session() as s:
        e = s.get(t.Enrollment, enrollment_id)
        if e is None or e.status != EnrollmentStatus.ACTIVE.value:
            return
        e.attempts += 1
        e.last_error = error[:2000]
        e.lease_owner = None
        e.lease_until = None
        e.next_step_at = ctx.now() + timedelta(seconds=retry_in_seconds)



def claim_due_enrollments(ctx: ServiceContext, worker_id: str, limit: int = 50,
                          lease_seconds: int = 120) -> list[int]:
    """Lease up to `limit` due enrollments. Several workers can run: each gets different ones."""
    now = ctx.now()
    with ctx.session() as s:
        q = (
            select(t.Enrollment.id)
            .where(t.Enrollment.status == EnrollmentStatus.ACTIVE.value, t.Enrollment.next_step_at <= now,
                   (t.Enrollment.lease_until.is_(None)) | (t.Enrollment.lease_until < now))
            .order_by(t.Enrollment.next_step_at)
            .limit(limit)
        )
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        ids = list(s.scalars(q))
        if not ids:
            return []
        # The lease condition is repeated so that, on SQLite where nothing is row-locked, a
        # worker that read the same ids a moment later claims none of them.
        s.execute(
            update(t.Enrollment)
            .where(t.Enrollment.id.in_(ids),
                   (t.Enrollment.lease_until.is_(None)) | (t.Enrollment.lease_until < now))
            .values(lease_owner=worker_id, lease_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        return list(s.scalars(select(t.Enrollment.id).where(
            t.Enrollment.id.in_(ids), t.Enrollment.lease_owner == worker_id)))


def attempts_of(ctx: ServiceContext, enrollment_id: int) -> int:
    with ctx.session() as s:
        e = s.get(t.Enrollment, enrollment_id)
        return e.attempts if e else 0
