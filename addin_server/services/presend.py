"""The pre-send guard: a step email goes out only once its sender's mailbox has been read.

A contact who answered must hear nothing more from the sequence, whether or not the provider's push
(Gmail through Pub/Sub, a Graph notification) has arrived yet. So, just before the worker runs due
email steps, it reads each sender's mailbox from the stored cursor (Gmail history; the Graph inbox
delta), applies what arrived, and only then runs the steps, each of which goes out only if its
enrollment is still active.

- One provider call per mailbox when nothing new arrived, however many of its steps fall due
  together (the worker claims up to 50 at a time): a Gmail history.list costs 2 of the 250 quota
  units a user may spend per second; a Graph delta GET is one of the 10,000 requests a mailbox may
  take in 10 minutes. Messages that did arrive are fetched as the inbox worker fetches them.
- Sends can take seconds each: when the last read is older than REREAD_AFTER_SECONDS the mailbox
  is read again before the next step of the batch, so a reply landing mid-batch stops the rest.
- A provider that cannot answer (5xx, 429, no answer) holds the mailbox's steps: never sent blind,
  tried again after a delay that doubles from PRESEND_RETRY_BASE_SECONDS up to the operator's
  `PRESEND_RETRY_MAX_SECONDS`.
- Mailboxes are read side by side (`PRESEND_PARALLEL_READS` at once), each within its own deadline
  (`PRESEND_MAILBOX_DEADLINE_SECONDS`, tries included): a slow or failing provider holds only its
  own mailbox's steps, and never lets them go out unread.
- Mailboxes nobody follows (the local outbox, a demo rep never connected) have nothing to read.
- A mailbox that was followed and got disconnected (a revoked grant) is not "nobody follows": its
  steps stay held, with the reason on the enrollment, until the rep reconnects and the mailbox is
  read again. They never go out unchecked, nor through the local outbox.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.model import EnrollmentStatus, MailboxProvider, StepType
from addin_server.providers.gmail import GmailError
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.providers.graph import GraphError
from addin_server.services.context import ServiceContext
from addin_server.services.enrollment_records import HELD_PREFIX
from addin_server.services.grants import find_mailbox_user, mark_disconnected, outlook_connected
from addin_server.services.inbox_worker import read_mailbox_now
from addin_server.services.running_steps import record_step_failure

log = logging.getLogger(__name__)

PRESEND_RETRY_BASE_SECONDS = 15
# A step goes out within this long of a read of its mailbox; past it the mailbox is read again
# (a history or delta read from the cursor: one call when nothing arrived).
REREAD_AFTER_SECONDS = 2.0


@dataclass
class SendPlan:
    """Claimed enrollments in the order to run them: each mailbox's steps after its read."""

    # (provider, mailbox address) -> the enrollments whose next step is an email from it
    guarded: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    unguarded: list[int] = field(default_factory=list)
    # (provider, mailbox address) -> steps of a mailbox we followed until it got disconnected
    disconnected: dict[tuple[str, str], list[int]] = field(default_factory=dict)


def plan_sends(ctx: ServiceContext, enrollment_ids: Iterable[int]) -> SendPlan:
    """Group claimed enrollments by the mailbox that must be read before their step goes out."""
    ids = list(enrollment_ids)
    plan = SendPlan()
    if not ids:
        return plan
    if ctx.settings.mail_transport == "local":
        plan.unguarded = ids  # emails stay in the local outbox: there is no mailbox to read
        return plan
    with ctx.sessions() as s:
        rows = s.execute(
            select(t.Enrollment.id, t.Enrollment.sender_user_id, t.Step.type)
            .join(t.Step, (t.Step.sequence_id == t.Enrollment.sequence_id)
                  & (t.Step.position == t.Enrollment.current_step + 1), isouter=True)
            .where(t.Enrollment.id.in_(ids), t.Enrollment.status == EnrollmentStatus.ACTIVE.value)).all()
        senders = {u.id: u for u in s.scalars(select(t.User).where(t.User.id.in_({r[1] for r in rows})))}
        followed = {uid: _followed(s, u) for uid, u in senders.items()}
        lost = set(s.scalars(select(t.MailboxWatch.user_id).where(
            t.MailboxWatch.user_id.in_(senders), t.MailboxWatch.status == "disconnected")))
    emails = {eid: sender for eid, sender, kind in rows if kind == StepType.AUTOMATED_EMAIL.value}
    for eid in ids:
        sender_id = emails.get(eid)
        user = senders.get(sender_id) if sender_id is not None else None
        if user is not None and not followed.get(user.id) and user.id in lost:
            plan.disconnected.setdefault((user.mailbox_provider, user.mailbox_address), []).append(eid)
        elif user is None or not followed.get(user.id):
            plan.unguarded.append(eid)
        else:
            plan.guarded.setdefault((user.mailbox_provider, user.mailbox_address), []).append(eid)
    return plan


def _followed(s: Session, user: t.User) -> bool:
    """Whether we read this rep's mailbox (and so can read it before sending)."""
    if user.mailbox_provider == MailboxProvider.GMAIL.value:
        return bool(user.refresh_token_encrypted) and user.mailbox_connected
    return outlook_connected(s, user)


def read_before_sending(ctx: ServiceContext, provider: str, address: str, enrollment_ids: list[int]) -> bool:
    """Read the mailbox now; False (and the steps held, with the reason) when that cannot be done."""
    asked_wait = 0.0  # the provider's own Retry-After, when it gave one
    try:
        complete = _read_within_deadline(ctx, address, provider)
        problem = None if complete else "the inbox holds more than one read brings; the worker reads the rest"
    except Exception as exc:  # noqa: BLE001 - whatever stops the read stops the send
        problem = f"{type(exc).__name__}: {str(exc)[:300]}"
        if isinstance(exc, (GraphError, GmailError)) and exc.retry_after:
            asked_wait = exc.retry_after
        if isinstance(exc, GraphGrantRevoked):
            # As a failed Gmail read does: the rep is asked to reconnect; until then its steps are
            # held (hold_disconnected).
            _disconnect(ctx, address, problem)
    if problem is None:
        return True
    log.warning("steps of %s held: the mailbox could not be read before sending (%s)", address, problem)
    for eid in enrollment_ids:
        # Never before the provider said to come back (its Retry-After), within the operator's bound.
        delay = min(max(hold_delay(ctx, eid), asked_wait), float(max(1, ctx.settings.presend_retry_max_seconds)))
        record_step_failure(ctx, eid, f"{HELD_PREFIX}{address} could not be read: {problem}", delay)
    return False


class ReadDeadlineExceeded(Exception):
    """The mailbox was not read to its end within the per-mailbox deadline."""


def _read_within_deadline(ctx: ServiceContext, address: str, provider: str) -> bool:
    """read_mailbox_now, given at most PRESEND_MAILBOX_DEADLINE_SECONDS.

    The read's own timeouts bound each answer, but tries and Graph's short waits add up; past the
    deadline the caller holds the steps. The read left behind finishes on its own (what it applies
    is applied once, as any read's), and sends nothing."""
    outcome: dict[str, object] = {}

    def read() -> None:
        try:
            outcome["complete"] = read_mailbox_now(ctx, address, provider)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = exc

    reader = threading.Thread(target=read, name=f"presend-read-{address}", daemon=True)
    reader.start()
    deadline = max(0.1, float(ctx.settings.presend_mailbox_deadline_seconds))
    reader.join(deadline)
    if reader.is_alive():
        raise ReadDeadlineExceeded(f"no complete read within {deadline:g} s")
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    return bool(outcome.get("complete"))


# A disconnected mailbox waits for its rep, not for a provider to recover: its steps are looked at
# again after this (or the operator's longer bound), and reading resumes as soon as it reconnects.
DISCONNECTED_HOLD_SECONDS = 60


def hold_disconnected(ctx: ServiceContext, address: str, enrollment_ids: list[int]) -> None:
    """Hold the steps of a mailbox that was followed until its grant stopped working."""
    log.warning("steps of %s held: the mailbox is disconnected until the rep reconnects it", address)
    delay = float(max(DISCONNECTED_HOLD_SECONDS, ctx.settings.presend_retry_max_seconds))
    for eid in enrollment_ids:
        record_step_failure(ctx, eid, f"{HELD_PREFIX}{address} is disconnected; "
                            "the rep must reconnect the mailbox before its steps go out", delay)


def _disconnect(ctx: ServiceContext, address: str, reason: str) -> None:
    with ctx.sessions() as s:
        user = find_mailbox_user(s, address)
        user_id = user.id if user else None
    if user_id is not None:
        mark_disconnected(ctx, user_id, reason)


def hold_delay(ctx: ServiceContext, enrollment_id: int) -> float:
    """How long a held step waits: doubling per try, never longer than the operator's bound."""
    with ctx.sessions() as s:
        attempts = s.scalar(select(t.Enrollment.attempts).where(t.Enrollment.id == enrollment_id)) or 0
    bound = max(1, ctx.settings.presend_retry_max_seconds)
    return float(min(bound, PRESEND_RETRY_BASE_SECONDS * 2 ** min(attempts, 20)))
