"""The port through which sequence emails leave, and the local outbox adapter.

ProviderMailSender (services/sending) implements the same protocol for Gmail and Graph; the local
outbox keeps each email in the database so the demo and the tests can read it. Nothing here knows
the service context: the context holds a MailSender, so the port sits below it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from addin_server.db import tables as t


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
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        return SentEmail(
            provider_message_id=f"local-{row.id}", thread_id=thread_id, rfc_message_id=email.rfc_message_id
        )
