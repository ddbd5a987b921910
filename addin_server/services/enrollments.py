"""Enrolling, running steps, ending enrollments, reading their history.

Endings use one conditional UPDATE (`... WHERE status IN ('active','paused')`), so two callers
racing to end the same enrollment produce exactly one ending and one event on any database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from addin_server.db import tables as t
from addin_server.domain import merge_fields
from addin_server.domain.model import (
    MANUAL_SURFACES,
    EndOfEnrollment,
    EnrollmentStatus,
    EventType,
    MailboxProvider,
    Plan,
    StepType,
    Surface,
    UnenrollReason,
)
from addin_server.domain.names import one_line
from addin_server.domain.outgoing_webhooks import webhook_event_type
from addin_server.domain.permissions import Action
from addin_server.domain.wording import evidence_in_words
from addin_server.providers.gmail import GmailError, GrantRevoked
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.providers.graph import GraphError
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import contact_name, owned, parse_id
from addin_server.services.errors import Conflict, Forbidden, Invalid, NotFound, ProviderUnavailable
from addin_server.services.grants import MailboxNotConnected, mark_disconnected
from addin_server.services.outbox import OutgoingEmail
from addin_server.services.permissions import authorize, may, own
from addin_server.services.sequences import load_steps

OPEN = (EnrollmentStatus.ACTIVE.value, EnrollmentStatus.PAUSED.value)
SYSTEM_ACTOR = "system"


def iso_z(value: datetime | None) -> str | None:
    """A UTC time as the API writes it (ISO 8601 with Z), or None."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def add_event(
    s: Session, e: t.Enrollment, kind: EventType, at: datetime, actor: str | None = None, **data: Any
) -> t.EnrollmentEvent:
    event = t.EnrollmentEvent(
        account_id=e.account_id, enrollment_id=e.id, sequence_id=e.sequence_id, contact_id=e.contact_id,
        type=kind.value, at=at, actor=actor, data=data,
        # The outbox of outgoing webhooks: committed, or rolled back, with the change itself.
        webhook_pending=webhook_event_type(kind.value, data) is not None,
    )
    s.add(event)
    if event.webhook_pending:
        s.info["announced"] = True  # ServiceContext.session wakes an in-process worker after the commit
    return event


def event_view(ev: t.EnrollmentEvent) -> dict[str, Any]:
    return {**(evidence_in_words(ev.data) or {}), "type": ev.type, "at": iso_z(ev.at), "actor": ev.actor}


def enrollment_views(s: Session, rows: Iterable[t.Enrollment], with_events: bool = False) -> list[dict[str, Any]]:
    rows = list(rows)
    if not rows:
        return []
    seqs = {q.id: q for q in s.scalars(select(t.Sequence).where(t.Sequence.id.in_({e.sequence_id for e in rows})))}
    user_ids = {e.enrolled_by_user_id for e in rows} | {e.sender_user_id for e in rows}
    users = {u.id: u for u in s.scalars(select(t.User).where(t.User.id.in_(user_ids)))}
    events: dict[int, list[dict[str, Any]]] = {}
    if with_events:
        for ev in s.scalars(
            select(t.EnrollmentEvent)
            .where(t.EnrollmentEvent.enrollment_id.in_([e.id for e in rows]))
            .order_by(t.EnrollmentEvent.id)
        ):
            events.setdefault(ev.enrollment_id, []).append(event_view(ev))
    out = []
    for e in rows:
        seq, by, sender = seqs[e.sequence_id], users[e.enrolled_by_user_id], users[e.sender_user_id]
        view = enrollment_view(e, seq, by, sender)
        if with_events:
            view["events"] = events.get(e.id, [])
        out.append(view)
    return out


# A step the pre-send guard held carries this at the start of last_error (see services/presend).
HELD_PREFIX = "held before sending: "


def held_view(status: str, last_error: str | None, attempts: int,
              next_step_at: datetime | None) -> dict[str, Any] | None:
    """Why the next step waits, when the pre-send guard held it; None otherwise."""
    if status != EnrollmentStatus.ACTIVE.value or not (last_error or "").startswith(HELD_PREFIX):
        return None
    return {"reason": (last_error or "")[len(HELD_PREFIX):], "tries": attempts, "retry_at": iso_z(next_step_at)}


def enrollment_view(e: t.Enrollment, seq: t.Sequence, by: t.User, sender: t.User) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "sequence_id": str(e.sequence_id),
        "sequence": {"id": str(seq.id), "name": seq.name},
        "contact_id": str(e.contact_id),
        "status": e.status,
        "current_step": e.current_step,
        "steps_total": seq.steps_total,
        "next_step_at": iso_z(e.next_step_at) if e.status == EnrollmentStatus.ACTIVE.value else None,
        "paused_until": iso_z(e.paused_until),
        "held": held_view(e.status, e.last_error, e.attempts, e.next_step_at),
        "enrolled_by": {"id": str(by.id), "name": by.name, "email": by.email},
        "sender": {"id": str(sender.id), "mailbox_address": sender.mailbox_address,
                   "mailbox_provider": sender.mailbox_provider},
        "enrolled_at": iso_z(e.enrolled_at),
        "ended_at": iso_z(e.ended_at),
        "end_reason": e.end_reason,
        "end_surface": e.end_surface,
        "end_actor": e.end_actor,
        "evidence": evidence_in_words(e.end_evidence),
    }


def _view_one(s: Session, e: t.Enrollment, with_events: bool = True) -> dict[str, Any]:
    return enrollment_views(s, [e], with_events=with_events)[0]


# --- enrolling and running steps -------------------------------------------------------------


def enroll(
    ctx: ServiceContext,
    principal: Principal,
    *,
    sequence_id: str,
    contact_id: str,
    sender_user_id: str,
    enrolled_by_user_id: str | None = None,
) -> dict[str, Any]:
    """Enroll a contact and run the first step at once."""
    now = ctx.now()
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        contact = owned(s, t.Contact, contact_id, principal, "contact")
        sender = owned(s, t.User, sender_user_id, principal, "user")
        by_id = enrolled_by_user_id or (str(principal.user_id) if principal.user_id else sender_user_id)
        by = owned(s, t.User, by_id, principal, "user")
        # A rep enrolls for themselves: from their own mailbox, in their own name.
        authorize(principal, Action.ENROLL, [sender.id] if sender.id == by.id else [],
                  message="a rep may only enroll contacts from their own mailbox, in their own name")
        if contact.unsubscribed:
            raise Conflict("this contact unsubscribed from sequence email and cannot be enrolled",
                           code="contact_unsubscribed")
        if contact.bounced:
            raise Conflict("this contact's email address bounced; it cannot be enrolled", code="contact_bounced")
        current = s.scalar(select(t.Enrollment).where(t.Enrollment.contact_id == contact.id,
                                                       t.Enrollment.status.in_(OPEN)))
        if current is not None:
            raise Conflict(_already_enrolled_message(s, current), code="already_enrolled")
        if not ctx.mail_sender.can_send_from(s, sender):
            raise mailbox_not_connected(ctx, sender)
        e = t.Enrollment(
            account_id=principal.account_id, sequence_id=seq.id, contact_id=contact.id,
            enrolled_by_user_id=by.id, sender_user_id=sender.id, status=EnrollmentStatus.ACTIVE.value,
            current_step=0, next_step_at=now, enrolled_at=now, attempts=0,
        )
        s.add(e)
        try:
            s.flush()
        except IntegrityError:
            # Lost a race with another enrollment of the same contact: the partial index decided.
            raise Conflict("this contact is already enrolled in a sequence", code="already_enrolled") from None
        add_event(s, e, EventType.ENROLLED, now, principal.actor, sender_mailbox=sender.mailbox_address)
        enrollment_id, sender_id = e.id, sender.id
    try:
        run_step(ctx, enrollment_id)
    except (MailboxNotConnected, GrantRevoked, GraphGrantRevoked) as exc:
        # The grant went away between the check and the send: undo this call's enrollment (no step
        # ran, nothing else refers to it) so the same call can simply be made again after connecting.
        _forget_unstarted(ctx, enrollment_id)
        if not isinstance(exc, MailboxNotConnected):
            mark_disconnected(ctx, sender_id, str(exc))
        with ctx.session() as s:
            raise mailbox_not_connected(ctx, s.get_one(t.User, sender_id)) from None
    except (GmailError, GraphError, ValueError, OSError) as exc:
        # The first email could not be sent: nothing stays enrolled, and the caller learns why.
        _forget_unstarted(ctx, enrollment_id)
        with ctx.session() as s:
            raise first_email_refused(s.get_one(t.User, sender_id), exc) from None
    except BaseException:
        _forget_unstarted(ctx, enrollment_id)
        raise
    with ctx.session() as s:
        return _view_one(s, s.get_one(t.Enrollment, enrollment_id))


def first_email_refused(sender: t.User, exc: Exception) -> ProviderUnavailable | Conflict:
    """The answer when the first email of an enrollment could not be sent (nothing was enrolled):
    502 provider_unavailable when the provider failed or throttled (try again later), 409
    mailbox_cannot_send when it refused this mailbox or this email (retrying will not help)."""
    provider = "Gmail" if sender.mailbox_provider == MailboxProvider.GMAIL.value else "Outlook"
    status = getattr(exc, "status", 0) if isinstance(exc, GmailError | GraphError) else 0
    details = {"user_id": str(sender.id), "mailbox_address": sender.mailbox_address,
               "mailbox_provider": sender.mailbox_provider, "provider_status": status or None,
               "provider_reason": str(exc)[:300]}
    if isinstance(exc, GmailError | GraphError) and 400 <= status < 500 and status not in (408, 429) \
            and not getattr(exc, "mailbox_wide", False):
        return Conflict(f"{provider} refused to send the first email from {sender.mailbox_address}: {exc}. "
                        "Nothing was enrolled; check the mailbox's permissions and the step's email.",
                        code="mailbox_cannot_send", details=details)
    return ProviderUnavailable(f"{provider} could not send the first email from {sender.mailbox_address} now "
                               f"({exc if isinstance(exc, GmailError | GraphError) else type(exc).__name__}). "
                               "Nothing was enrolled; try again in a few minutes.", details=details)


def mailbox_connect_hint(ctx: ServiceContext, sender: t.User, *, outcome: str = "") -> str:
    """Whose mailbox cannot send and how to connect it: one sentence for the API's 409, the web app
    and the add-ins alike (`outcome` says what the refused action left undone)."""
    gmail = sender.mailbox_provider == MailboxProvider.GMAIL.value
    where = ctx.settings.public_endpoint("/app/settings#mailboxes")
    # One sentence for every reader: the rep himself (add-ins, web app) and an admin or integrator
    # (the API). The instruction addresses the reader; "as its owner" says who must do it.
    how = ("press Connect under Settings → Mailboxes (Google's consent screen)" if gmail
           else "connect it under Settings → Mailboxes with Microsoft "
                "(the Microsoft 365 admin must have granted the organisation's consent)")
    name = sender.name or sender.email
    return (f"{name}'s {'Gmail' if gmail else 'Outlook'} mailbox {sender.mailbox_address} is not connected, so "
            f"sequence emails cannot be sent from it{'; ' + outcome if outcome else ''}. To connect it, sign in "
            f"to the web app as its owner and {how}: {where}")


def sender_not_ready(ctx: ServiceContext, s: Session, user: t.User) -> str | None:
    """The connect hint when this rep's mailbox cannot send sequence emails now, else None."""
    return None if ctx.mail_sender.can_send_from(s, user) else mailbox_connect_hint(ctx, user)


def own_mailbox_notice(ctx: ServiceContext, principal: Principal) -> str | None:
    """For a rep (not an API key): the connect hint when their own mailbox cannot send now."""
    authorize(principal, Action.READ, own(principal))
    if principal.user_id is None:
        return None
    with ctx.session() as s:
        user = s.get(t.User, principal.user_id)
        return sender_not_ready(ctx, s, user) if user is not None else None


def mailbox_not_connected(ctx: ServiceContext, sender: t.User) -> Conflict:
    """The 409 for a sender whose mailbox cannot send: who, which mailbox, and how to connect it."""
    where = ctx.settings.public_endpoint("/app/settings#mailboxes")
    message = mailbox_connect_hint(ctx, sender, outcome="nothing was enrolled")
    return Conflict(message, code="mailbox_not_connected", details={
        "user_id": str(sender.id), "user_name": sender.name or sender.email, "mailbox_address": sender.mailbox_address,
        "mailbox_provider": sender.mailbox_provider, "connect_url": where})


def _forget_unstarted(ctx: ServiceContext, enrollment_id: int) -> None:
    with ctx.session() as s:
        e = s.get(t.Enrollment, enrollment_id)
        if e is None or e.current_step != 0:
            return
        s.execute(delete(t.EnrollmentEvent).where(t.EnrollmentEvent.enrollment_id == enrollment_id))
        s.delete(e)


def _already_enrolled_message(s: Session, current: t.Enrollment) -> str:
    seq = s.get_one(t.Sequence, current.sequence_id)
    return f"this contact is already enrolled in '{seq.name}' (enrollment {current.id}, {current.status})"


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


HELD_FOR_MERGE_FIELDS = "missing_merge_field"


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
    from addin_server.services.unsubscribe import bind_booking_links, links_for_sequence_email

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


# --- ending ----------------------------------------------------------------------------------


def ending_values(end: EndOfEnrollment, now: datetime) -> dict[str, Any]:
    """The columns an ending writes: the one list, for this module and for applying inbound mail."""
    return {"status": EnrollmentStatus.UNENROLLED.value, "ended_at": now, "next_step_at": None, "paused_until": None,
            "end_reason": end.reason.value, "end_surface": end.surface.value, "end_actor": end.actor,
            "end_evidence": dict(end.evidence), "lease_owner": None, "lease_until": None}


def _end_open_statement() -> Any:
    # Core, compiled once: the ORM's UPDATE would evaluate its criteria against every enrollment
    # the session holds (costly in a batch of inbound messages).
    table = cast(Table, t.Enrollment.__table__)
    columns = ending_values(EndOfEnrollment(UnenrollReason.MANUAL, Surface.API, ""), datetime.now())
    return (update(table).where(table.c.id == bindparam("eid"), table.c.status.in_(OPEN))
            .values({name: bindparam(f"v_{name}") for name in columns}))


END_OPEN = _end_open_statement()


def end_open_row(s: Session, e: t.Enrollment, end: EndOfEnrollment, now: datetime) -> bool:
    """The conditional UPDATE that ends `e` if it is still open; the session's copy is brought up to
    date. False when it had already ended: only the caller whose UPDATE changed the row goes on to
    write the `unenrolled` event, so two racing endings make one event."""
    if inspect(e).modified:
        s.flush()  # the row's pending changes go first, so that nothing writes over the ending
    values = ending_values(end, now)
    result = s.connection().execute(END_OPEN, {"eid": e.id, **{f"v_{k}": v for k, v in values.items()}})
    if result.rowcount != 1:
        return False
    for name, value in values.items():
        set_committed_value(e, name, value)
    return True


def end_enrollment(s: Session, enrollment_id: int, end: EndOfEnrollment, now: datetime) -> bool:
    """End one open enrollment. False when it had already ended (then nothing is written)."""
    e = s.get_one(t.Enrollment, enrollment_id)
    if not end_open_row(s, e, end, now):
        return False
    add_event(s, e, EventType.UNENROLLED, now, end.actor, reason=end.reason.value, surface=end.surface.value,
              evidence=dict(end.evidence))
    return True


def _surface(value: str | None, default: Surface) -> Surface:
    if value is None:
        return default
    try:
        surface = Surface(value)
    except ValueError:
        raise Invalid(f"surface must be one of {', '.join(MANUAL_SURFACES)}") from None
    if surface not in MANUAL_SURFACES:
        raise Invalid(f"surface must be one of {', '.join(MANUAL_SURFACES)}")
    return surface


def unenroll(
    ctx: ServiceContext,
    principal: Principal,
    enrollment_id: str,
    *,
    surface: str | None = None,
    reason: UnenrollReason = UnenrollReason.MANUAL,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """End one enrollment by hand. Ending an ended enrollment answers its existing outcome."""
    where = _surface(surface, Surface.API)
    now = ctx.now()
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        # An ended one answers its outcome to whoever may unenroll at all (a read-only key may not).
        authorize(principal, Action.UNENROLL, _owners(s, e) if e.status in OPEN else own(principal))
        end = EndOfEnrollment(reason, where, principal.actor, evidence or {"rule": "unenrolled by hand"})
        end_enrollment(s, e.id, end, now)
        s.refresh(e)
        return _view_one(s, e)


def _owners(s: Session, e: t.Enrollment, sequence_owner_id: int | None = None) -> tuple[int | None, ...]:
    """The reps an enrollment belongs to: who enrolled it, who sends it, who owns its sequence."""
    if sequence_owner_id is None:
        sequence_owner_id = s.get_one(t.Sequence, e.sequence_id).owner_user_id
    return (e.enrolled_by_user_id, e.sender_user_id, sequence_owner_id)


def can_unenroll(principal: Principal, e: t.Enrollment, s: Session | None = None,
                 sequence_owner_id: int | None = None, action: Action = Action.UNENROLL) -> bool:
    """Whether the permission table lets this principal end this open enrollment."""
    if e.status not in OPEN:
        return False
    if sequence_owner_id is None and s is not None:
        sequence_owner_id = s.get_one(t.Sequence, e.sequence_id).owner_user_id
    return may(principal, action, (e.enrolled_by_user_id, e.sender_user_id, sequence_owner_id))


def bulk_unenroll(
    ctx: ServiceContext, principal: Principal, sequence_id: str, enrollment_ids: list[str], *,
    surface: str | None = None,
) -> dict[str, Any]:
    """End many enrollments of one sequence at once. Unknown ids refuse the whole request."""
    where = _surface(surface, Surface.BULK)
    if not enrollment_ids:
        raise Invalid("enrollment_ids must list at least one enrollment")
    if len(enrollment_ids) > 1000:
        raise Invalid("at most 1000 enrollments per request")
    authorize(principal, Action.BULK_UNENROLL, own(principal))  # refused kinds learn nothing of the rows
    now = ctx.now()
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        parsed = [parse_id(i) for i in enrollment_ids]
        if None in parsed:
            raise NotFound("enrollment ids must be ids of this sequence's enrollments")
        wanted = list(dict.fromkeys(i for i in parsed if i is not None))
        rows = list(s.scalars(select(t.Enrollment).where(
            t.Enrollment.id.in_(wanted), t.Enrollment.sequence_id == seq.id,
            t.Enrollment.account_id == principal.account_id)))
        missing = sorted(set(wanted) - {e.id for e in rows})
        if missing:
            raise NotFound(f"not enrollments of sequence {seq.id}: {', '.join(map(str, missing))}")
        refused = [e.id for e in rows if e.status in OPEN
                   and not can_unenroll(principal, e, s, seq.owner_user_id, Action.BULK_UNENROLL)]
        if refused:
            raise Forbidden(f"you may not unenroll: {', '.join(map(str, refused))}")
        ended = []
        for eid in wanted:
            end = EndOfEnrollment(UnenrollReason.MANUAL, where, principal.actor,
                                  {"rule": "unenrolled by hand", "bulk_size": len(wanted)})
            if end_enrollment(s, eid, end, now):
                ended.append(eid)
        for e in rows:
            s.refresh(e)
        by_id = {e.id: e for e in rows}
        return {
            "enrollments": enrollment_views(s, [by_id[i] for i in wanted]),
            "ended": [str(i) for i in ended],
            "already_ended": [str(i) for i in wanted if i not in ended],
        }


def workflow_unenroll(
    ctx: ServiceContext, principal: Principal, *, contact_id: str | None, email: str | None,
    sequence_id: str | None, workflow: str | None,
) -> dict[str, Any]:
    """A workflow action: end the contact's open enrollment (Enterprise accounts only)."""
    from addin_server.services.lookup import find_contact_id

    authorize(principal, Action.WORKFLOW_UNENROLL)
    now = ctx.now()
    with ctx.session() as s:
        account = s.get_one(t.Account, principal.account_id)
        if account.plan != Plan.ENTERPRISE.value:
            raise Forbidden("unenrolling from a workflow is available on the Enterprise plan only; "
                            "this account is on Professional", code="plan_required")
        if contact_id:
            contact = owned(s, t.Contact, contact_id, principal, "contact")
        elif email:
            found = find_contact_id(s, principal.account_id, email)
            if found is None:
                raise NotFound(f"no contact with address {email}")
            contact = s.get_one(t.Contact, found)
        else:
            raise Invalid("give contact_id or email")
        q = select(t.Enrollment).where(t.Enrollment.contact_id == contact.id, t.Enrollment.status.in_(OPEN))
        if sequence_id:
            q = q.where(t.Enrollment.sequence_id == owned(s, t.Sequence, sequence_id, principal, "sequence").id)
        e = s.scalar(q)
        if e is None:
            raise NotFound("this contact has no open enrollment" + (" in that sequence" if sequence_id else ""),
                           code="not_enrolled")
        evidence = {"rule": "workflow action", "workflow": workflow or "unnamed workflow"}
        end_enrollment(s, e.id, EndOfEnrollment(UnenrollReason.WORKFLOW, Surface.API, principal.actor, evidence), now)
        s.refresh(e)
        return _view_one(s, e)


# --- reading ---------------------------------------------------------------------------------


def get_enrollment(ctx: ServiceContext, principal: Principal, enrollment_id: str) -> dict[str, Any]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        return _view_one(s, e)


def list_enrollments(
    ctx: ServiceContext, principal: Principal, *, sequence_id: str | None = None, contact_id: str | None = None,
    status: str | None = None, limit: int = 100,
) -> list[dict[str, Any]]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        q = select(t.Enrollment).where(t.Enrollment.account_id == principal.account_id)
        if sequence_id:
            q = q.where(t.Enrollment.sequence_id == owned(s, t.Sequence, sequence_id, principal, "sequence").id)
        if contact_id:
            q = q.where(t.Enrollment.contact_id == owned(s, t.Contact, contact_id, principal, "contact").id)
        if status:
            try:
                q = q.where(t.Enrollment.status == EnrollmentStatus(status).value)
            except ValueError:
                raise Invalid(f"status must be one of {', '.join(EnrollmentStatus)}") from None
        rows = s.scalars(q.order_by(t.Enrollment.id.desc()).limit(max(1, min(limit, 500))))
        return enrollment_views(s, rows)


def performance(ctx: ServiceContext, principal: Principal, sequence_id: str) -> dict[str, Any]:
    """Figures from enrollments and the append-only event log: unenrolling never lowers them."""
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        by_status = dict(s.execute(
            select(t.Enrollment.status, func.count()).where(t.Enrollment.sequence_id == seq.id)
            .group_by(t.Enrollment.status)).all())
        by_reason = dict(s.execute(
            select(t.Enrollment.end_reason, func.count())
            .where(t.Enrollment.sequence_id == seq.id, t.Enrollment.status == EnrollmentStatus.UNENROLLED.value)
            .group_by(t.Enrollment.end_reason)).all())
        events = dict(s.execute(
            select(t.EnrollmentEvent.type, func.count()).where(t.EnrollmentEvent.sequence_id == seq.id)
            .group_by(t.EnrollmentEvent.type)).all())
        # Bounces count contacts as they are now, not reports: a contact whose mail bounced three
        # times is one bounce, and one whose bounce a rep undid (the mark cleared) is none.
        bounced_contacts = (select(t.Enrollment.contact_id)
                            .join(t.Contact, t.Contact.id == t.Enrollment.contact_id)
                            .where(t.Enrollment.sequence_id == seq.id,
                                   t.Enrollment.end_reason == UnenrollReason.BOUNCED.value,
                                   t.Contact.bounced.is_(True)))
        bounces = s.scalar(select(func.count()).select_from(bounced_contacts.distinct().subquery())) or 0
        # Soft bounces: contacts of this sequence with soft bounces counted on an address now,
        # below the threshold (not bounced).
        with_soft = select(t.ContactAddress.contact_id).where(t.ContactAddress.soft_bounces > 0)
        soft_only = s.scalar(select(func.count(func.distinct(t.EnrollmentEvent.contact_id))).where(
            t.EnrollmentEvent.sequence_id == seq.id, t.EnrollmentEvent.type == EventType.BOUNCED.value,
            t.EnrollmentEvent.contact_id.in_(with_soft), t.EnrollmentEvent.contact_id.not_in(bounced_contacts))) or 0
        # An undo continues an enrollment: its new row is no new enrollment in `enrolled`.
        undone = sum(1 for data in s.scalars(select(t.EnrollmentEvent.data).where(
            t.EnrollmentEvent.sequence_id == seq.id, t.EnrollmentEvent.type == EventType.RESUMED.value))
            if (data or {}).get("continued_as"))
        held_steps, held_now = _held_counts(s, seq.id)
        return {
            "sequence_id": str(seq.id),
            "enrolled": events.get(EventType.ENROLLED.value, 0) - undone,
            "undone": undone,
            "active": by_status.get(EnrollmentStatus.ACTIVE.value, 0),
            "paused": by_status.get(EnrollmentStatus.PAUSED.value, 0),
            "finished": by_status.get(EnrollmentStatus.FINISHED.value, 0),
            "unenrolled": {str(k): v for k, v in sorted(by_reason.items(), key=lambda kv: str(kv[0]))},
            "emails_sent": events.get(EventType.EMAIL_SENT.value, 0),
            "replies": events.get(EventType.REPLIED.value, 0),
            "meetings_booked": events.get(EventType.MEETING_BOOKED.value, 0),
            "bounces": bounces,
            "soft_bounces": soft_only,
            "unsubscribes": events.get(EventType.UNSUBSCRIBED.value, 0),
            # Steps held because a merge field had no value, and enrollments still held now.
            "held_steps": held_steps,
            "held_now": held_now,
        }


def _held_counts(s: Session, sequence_id: int) -> tuple[int, int]:
    pauses = list(s.execute(
        select(t.EnrollmentEvent.enrollment_id, t.EnrollmentEvent.data).where(
            t.EnrollmentEvent.sequence_id == sequence_id, t.EnrollmentEvent.type == EventType.PAUSED.value)
        .order_by(t.EnrollmentEvent.id)).all())
    held = [eid for eid, data in pauses if (data or {}).get("reason") == HELD_FOR_MERGE_FIELDS]
    if not held:
        return 0, 0
    last_pause = {eid: (data or {}).get("reason") for eid, data in pauses}  # the latest pause of each
    paused = set(s.scalars(select(t.Enrollment.id).where(
        t.Enrollment.id.in_(set(held)), t.Enrollment.status == EnrollmentStatus.PAUSED.value)))
    return len(held), sum(1 for eid in paused if last_pause.get(eid) == HELD_FOR_MERGE_FIELDS)


def held_from_events(status: str, events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """For an enrollment paused because a merge field had no value (its latest pause event says so):
    which step, which fields, and what the rep must do. None otherwise."""
    if status != EnrollmentStatus.PAUSED.value:
        return None
    last = next((ev for ev in reversed(events) if ev["type"] == EventType.PAUSED.value), None)
    if last is None or last.get("reason") != HELD_FOR_MERGE_FIELDS:
        return None
    fields = [str(f) for f in last.get("missing_fields") or []]
    return {"step": last.get("step"), "missing_fields": fields,
            "message": f"Step {last.get('step')} is held: its email uses {merge_fields.in_words(fields)}, which "
                       "this contact does not have. Add it to the contact, then resume the enrollment."}


# --- the worker's share ----------------------------------------------------------------------


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


MAX_PAUSE = timedelta(days=366)  # a pause with a date is a leave or a holiday, not "forever"


def pause(ctx: ServiceContext, principal: Principal, enrollment_id: str, *, until: datetime | None,
          reason: str = "paused by hand") -> dict[str, Any]:
    """Pause an active enrollment; with `until`, the worker resumes it then, remaining delays kept."""
    now = ctx.now()
    if until is not None and not now < until <= now + MAX_PAUSE:
        raise Invalid(f"until must be in the future and at most {MAX_PAUSE.days} days away "
                      "(leave it out to pause until resumed by hand)", code="invalid_time")
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        authorize(principal, Action.PAUSE_RESUME, _owners(s, e),
                  message="you may only pause contacts you enrolled or that are in your sequences")
        if e.status != EnrollmentStatus.ACTIVE.value:
            raise Conflict(f"only an active enrollment can be paused; this one is {e.status}")
        remaining = (e.next_step_at - now).total_seconds() if e.next_step_at else 0
        e.status = EnrollmentStatus.PAUSED.value
        e.paused_until = until
        add_event(s, e, EventType.PAUSED, now, principal.actor, until=iso_z(until), reason=reason,
                  remaining_delay_seconds=max(0, int(remaining)))
        return _view_one(s, e)


def resume(ctx: ServiceContext, principal: Principal, enrollment_id: str) -> dict[str, Any]:
    """Resume a paused enrollment; the delay that was left when it paused still applies."""
    now = ctx.now()
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        authorize(principal, Action.PAUSE_RESUME, _owners(s, e),
                  message="you may only resume contacts you enrolled or that are in your sequences")
        if e.status != EnrollmentStatus.PAUSED.value:
            raise Conflict(f"only a paused enrollment can be resumed; this one is {e.status}")
        last_pause = s.scalar(select(t.EnrollmentEvent).where(
            t.EnrollmentEvent.enrollment_id == e.id, t.EnrollmentEvent.type == EventType.PAUSED.value)
            .order_by(t.EnrollmentEvent.id.desc()).limit(1))
        remaining = int((last_pause.data or {}).get("remaining_delay_seconds", 0)) if last_pause else 0
        e.status = EnrollmentStatus.ACTIVE.value
        e.paused_until = None
        e.next_step_at = now + timedelta(seconds=remaining)
        add_event(s, e, EventType.RESUMED, now, principal.actor, remaining_delay_seconds=remaining)
        return _view_one(s, e)


def resume_due_pauses(ctx: ServiceContext, limit: int = 200) -> int:
    """Resume paused enrollments whose pause date has come (e.g. an out-of-office return date)."""
    now = ctx.now()
    with ctx.session() as s:
        due = list(s.scalars(select(t.Enrollment).where(
            t.Enrollment.status == EnrollmentStatus.PAUSED.value, t.Enrollment.paused_until.is_not(None),
            t.Enrollment.paused_until <= now).limit(limit)))
    for e in due:
        system = Principal.system(e.account_id, SYSTEM_ACTOR)
        try:
            resume(ctx, system, str(e.id))
        except Conflict:
            continue  # resumed or ended meanwhile by someone else
    return len(due)


def recent_automatic_endings(ctx: ServiceContext, principal: Principal, limit: int = 10) -> list[dict[str, Any]]:
    """The latest enrollments ended without a person (replies, meetings, bounces...) for this rep.

    For an admin or an API key, the whole account's; for a rep, those they enrolled or send from.
    """
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        q = select(t.Enrollment).where(
            t.Enrollment.account_id == principal.account_id, t.Enrollment.end_surface == Surface.AUTOMATIC.value,
            t.Enrollment.status == EnrollmentStatus.UNENROLLED.value)
        if principal.user_id is not None and not principal.is_admin:
            q = q.where((t.Enrollment.enrolled_by_user_id == principal.user_id)
                        | (t.Enrollment.sender_user_id == principal.user_id))
        rows = list(s.scalars(q.order_by(t.Enrollment.ended_at.desc(), t.Enrollment.id.desc()).limit(limit)))
        views = enrollment_views(s, rows)
        contacts = {c.id: c for c in s.scalars(select(t.Contact).where(t.Contact.id.in_([e.contact_id for e in rows])))}
        for view, e in zip(views, rows, strict=True):
            c = contacts[e.contact_id]
            view["contact"] = {"id": str(c.id), "email": c.primary_email,
                               "name": contact_name(c)}
        return views


def _clear_bounce_of(s: Session, ended: t.Enrollment, contact: t.Contact) -> list[str]:
    """Undoing a bounce judged wrong clears what that bounce did to the contact's own addresses: the
    bounced mark and the soft-bounce count. Other contacts named in the same report keep theirs."""
    evidence = ended.end_evidence or {}
    named = {str(a) for a in evidence.get("bounced_recipients") or [] if isinstance(a, str)}
    if isinstance(evidence.get("sent_to"), str):
        named.add(evidence["sent_to"])
    rows = list(s.scalars(select(t.ContactAddress).where(
        t.ContactAddress.contact_id == contact.id, t.ContactAddress.address.in_(named))))
    cleared = []
    for row in rows:
        if row.bounced or row.soft_bounces:
            cleared.append(row.address)
        row.bounced, row.soft_bounces = False, 0
    if contact.bounced and not any(a.bounced for a in s.scalars(select(t.ContactAddress).where(
            t.ContactAddress.contact_id == contact.id, t.ContactAddress.is_primary.is_(True)))):
        contact.bounced = False
    return sorted(cleared)


def undo_unenrollment(ctx: ServiceContext, principal: Principal, enrollment_id: str, *, why: str) -> dict[str, Any]:
    """A rep judged an automatic ending wrong: enroll again at the step where it stopped.

    The ended enrollment and its history stay as they are; the new enrollment records who undid
    what and why, and continues with the steps that had not run.
    """
    if not why.strip():
        raise Invalid("say why the automatic unenrollment was wrong")
    now = ctx.now()
    with ctx.session() as s:
        old = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        authorize(principal, Action.UNDO, _owners(s, old),
                  message="you may only undo the unenrollment of contacts you enrolled or that are in your sequences")
        if old.status in OPEN:
            raise Conflict(f"this enrollment has not ended (it is {old.status}); there is nothing to undo",
                           code="not_ended")
        if old.status != EnrollmentStatus.UNENROLLED.value or old.end_surface != Surface.AUTOMATIC.value:
            how = "by finishing its steps" if old.status == EnrollmentStatus.FINISHED.value else "by hand"
            raise Conflict(f"only an automatic unenrollment can be undone; this one ended {how}",
                           code="not_automatic")
        if old.end_reason == UnenrollReason.UNSUBSCRIBED.value:
            raise Conflict("the contact unsubscribed: that is the contact's own choice, and a rep cannot undo it",
                           code="contact_unsubscribed")
        # Only a resume written after the ending is an undo: a pause and resume before it are not.
        ended = s.scalar(select(func.max(t.EnrollmentEvent.id)).where(
            t.EnrollmentEvent.enrollment_id == old.id, t.EnrollmentEvent.type == EventType.UNENROLLED.value)) or 0
        if s.scalar(select(t.EnrollmentEvent.id).where(
                t.EnrollmentEvent.enrollment_id == old.id, t.EnrollmentEvent.type == EventType.RESUMED.value,
                t.EnrollmentEvent.id > ended)):
            raise Conflict("this unenrollment was already undone", code="already_undone")
        seq = s.get_one(t.Sequence, old.sequence_id)
        if old.current_step >= seq.steps_total:
            raise Conflict("every step had already run; there is nothing left to continue", code="nothing_left")
        contact = s.get_one(t.Contact, old.contact_id)
        if contact.unsubscribed:
            raise Conflict("the contact has unsubscribed since; it cannot be enrolled again",
                           code="contact_unsubscribed")
        cleared = _clear_bounce_of(s, old, contact) if old.end_reason == UnenrollReason.BOUNCED.value else []
        if contact.bounced:
            raise Conflict("another delivery report marked this contact's address bounced since; it cannot be "
                           "enrolled again until the address is corrected", code="contact_bounced")
        steps = load_steps(s, seq.id)
        new = t.Enrollment(
            account_id=old.account_id, sequence_id=old.sequence_id, contact_id=old.contact_id,
            enrolled_by_user_id=old.enrolled_by_user_id, sender_user_id=old.sender_user_id,
            status=EnrollmentStatus.ACTIVE.value, current_step=old.current_step,
            next_step_at=now + timedelta(days=steps[old.current_step].delay_days), enrolled_at=now, attempts=0)
        s.add(new)
        try:
            s.flush()
        except IntegrityError:
            raise Conflict("this contact is enrolled in a sequence again already", code="already_enrolled") from None
        add_event(s, new, EventType.ENROLLED, now, principal.actor, undo_of=str(old.id), why=why.strip()[:500],
                  undone_reason=old.end_reason, continues_at_step=old.current_step + 1)
        add_event(s, old, EventType.RESUMED, now, principal.actor, undone_by=principal.actor, why=why.strip()[:500],
                  continued_as=str(new.id), **({"cleared_bounced_addresses": cleared} if cleared else {}))
        return _view_one(s, new)
