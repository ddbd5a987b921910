"""The port through which sequence emails leave, and the local outbox adapter.

The Gmail and Graph adapters (providers/) implement the same protocol; the local outbox is the
embedded default and keeps each email in the database so the demo and the tests can read it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.permissions import Action
from addin_server.services.context import utcnow
from addin_server.services.permissions import authorize

if TYPE_CHECKING:
    from addin_server.services.context import Principal, ServiceContext


@dataclass(frozen=True)
class OutgoingEmail:
    account_id: int
    provider: str  # gmail | outlook: the sender's mailbox kind
    mailbox_address: str
    recipient: str
    subject: str
    body: str
    rfc_message_id: str  # chosen by us so a reply can be matched even before the provider answers
    thread_id: str | None = None  # provider thread to continue (threaded steps)
    in_reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SentEmail:
    provider_message_id: str
    thread_id: str
    rfc_message_id: str


class MailSender(Protocol):
    def send(self, session: Session, email: OutgoingEmail) -> SentEmail:
        """Send as the rep; return the ids the provider assigned."""
        ...

    def can_send_from(self, session: Session, user: t.User) -> bool:
        """Whether an email from this rep's mailbox could leave now (its mailbox is connected)."""
        ...


class LocalOutboxSender:
    """Keeps sent emails in the local_outbox table instead of a real mailbox."""

    def can_send_from(self, session: Session, user: t.User) -> bool:
        return True

    def send(self, session: Session, email: OutgoingEmail) -> SentEmail:
        thread_id = email.thread_id or "t-" + hashlib.sha1(  # noqa: S324 - an id, not a secret
            email.rfc_message_id.encode()
        ).hexdigest()[:16]
        row = t.LocalOutbox(
            account_id=email.account_id,
            mailbox_address=email.mailbox_address,
            recipient=email.recipient,
            subject=email.subject,
            body=email.body,
            rfc_message_id=email.rfc_message_id,
            thread_id=thread_id,
            headers=dict(email.headers),
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return SentEmail(
            provider_message_id=f"local-{row.id}", thread_id=thread_id, rfc_message_id=email.rfc_message_id
        )


def recent_outbox(ctx: ServiceContext, principal: Principal, limit: int = 50) -> list[dict[str, Any]]:
    """The latest emails the local outbox holds for this account, newest first (every rep's: admins only)."""
    authorize(principal, Action.OUTBOX)
    with ctx.session() as s:
        rows = s.scalars(
            select(t.LocalOutbox).where(t.LocalOutbox.account_id == principal.account_id)
            .order_by(t.LocalOutbox.id.desc()).limit(limit)
        )
        return [
            {"id": str(r.id), "from": r.mailbox_address, "to": r.recipient, "subject": r.subject,
             "body": r.body, "message_id": r.rfc_message_id, "thread_id": r.thread_id,
             "sent_at": r.created_at.isoformat().replace("+00:00", "Z")}
            for r in rows
        ]
