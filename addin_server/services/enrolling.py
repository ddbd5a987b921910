"""Enrolling a contact: the checks, the enrollment, its first step at once; and what to say when
the sender's mailbox cannot send."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.model import EnrollmentStatus, EventType, MailboxProvider
from addin_server.domain.permissions import Action
from addin_server.providers.gmail import GmailError, GrantRevoked
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.providers.graph import GraphError
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import owned
from addin_server.services.enrollment_records import OPEN, add_event, view_one
from addin_server.services.errors import Conflict, ProviderUnavailable
from addin_server.services.grants import MailboxNotConnected, mark_disconnected
from addin_server.services.permissions import authorize, own
from addin_server.services.row_locks import lock_user
from addin_server.services.running_steps import run_step


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
        # The sender's removal and this enrollment take turns: either the removal ends this one, or
        # it is refused here (re-read after the lock).
        lock_user(s, sender.id)
        s.refresh(sender)
        gone = next((u for u in (sender, by) if u.removed_at is not None), None)
        if gone is not None:  # a removed person's mailbox sends nothing again (services/people.py)
            raise Conflict(f"{gone.name} was removed from the account and cannot send or enroll",
                           code="user_removed")
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
        return view_one(s, s.get_one(t.Enrollment, enrollment_id))


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
