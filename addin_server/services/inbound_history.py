"""What earlier mail says about an inbound message: replies and bounce endings of its addresses, copies.

A person's reply and a delivery report about the same address contradict each other; the rules
(domain/rules.py) let the reply win, from the facts read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.model import EnrollmentStatus, EventType, InboundKind, UnenrollReason
from addin_server.domain.rules import Action, MatchKind, Outcome
from addin_server.mail.message import InboundMessage

OOF_COPY = "a copy of an out-of-office already applied in this mailbox: nothing to do"


def bounced_endings(s: Session, account_id: int, ended: set[int]) -> frozenset[int]:
    """The enrollments among `ended` that a bounce ended."""
    if not ended:
        return frozenset()
    return frozenset(s.scalars(select(t.Enrollment.id).where(
        t.Enrollment.account_id == account_id, t.Enrollment.id.in_(ended),
        t.Enrollment.status == EnrollmentStatus.UNENROLLED.value,
        t.Enrollment.end_reason == UnenrollReason.BOUNCED.value)))


def replied_since(s: Session, account_id: int, rows: Sequence[tuple[t.SequenceEmail, MatchKind]],
                   addresses: Iterable[str]) -> frozenset[str]:
    """The addresses among `addresses` a person answered from, on the reported email's enrollment,
    since that email was sent (without a reported email: on any enrollment of the account)."""
    wanted = set(addresses)
    query = select(t.EnrollmentEvent.data).where(t.EnrollmentEvent.account_id == account_id,
                                                 t.EnrollmentEvent.type == EventType.REPLIED.value)
    if rows:
        since = min(r.sent_at for r, _ in rows)
        query = query.where(t.EnrollmentEvent.enrollment_id.in_({r.enrollment_id for r, _ in rows}),
                            t.EnrollmentEvent.at >= since)
    else:
        contacts = select(t.ContactAddress.contact_id).where(t.ContactAddress.account_id == account_id,
                                                             t.ContactAddress.address.in_(wanted))
        query = query.where(t.EnrollmentEvent.contact_id.in_(contacts))
    found = {str((data or {}).get("from") or "") for data in s.scalars(query.limit(500))}
    return frozenset(found & wanted)


def applied_notices(s: Session, provider: str, mailbox: str, claimed_row_ids: Iterable[int],
                    notices: set[tuple[str, str | None]]) -> set[tuple[str, str | None]]:
    """The (Message-ID, sender) pairs among `notices` (out-of-office notices) this mailbox applied
    before under another provider id: a copy is recorded once, as the dry run says."""
    wanted = {mid for mid, _ in notices if mid}
    if not wanted:
        return set()
    return {(mid, sender) for mid, sender in s.execute(
        select(t.ProcessedMessage.rfc_message_id, t.ProcessedMessage.from_address).where(
            t.ProcessedMessage.provider == provider, t.ProcessedMessage.mailbox_address == mailbox,
            t.ProcessedMessage.rfc_message_id.in_(wanted), t.ProcessedMessage.id.not_in(list(claimed_row_ids)),
            # Only a copy of a message applied as a notice: one applied as a reply was no notice then.
            t.ProcessedMessage.kind == InboundKind.OUT_OF_OFFICE.value))
        if mid and (mid, sender) in notices}


def copy_outcome(s: Session, provider: str, mailbox: str, message: InboundMessage, kind: InboundKind,
                 outcome: Outcome) -> Outcome:
    """The dry run's outcome for a message whose Message-ID this mailbox applied before: for a copy of
    an out-of-office notice, nothing (apply_inbound_messages records it once), each enrollment it reaches
    shown with `nothing` as a bounce report counted already is; any other message's `outcome` unchanged."""
    notice = ((message.message_id or "")[:998], message.from_address)
    if kind is not InboundKind.OUT_OF_OFFICE or not applied_notices(s, provider, mailbox, [], {notice}):
        return outcome
    return Outcome(decisions=tuple(replace(d, action=Action.NOTHING, event=None, reason=None, pause_until=None)
                                   for d in outcome.decisions), note=OOF_COPY)
