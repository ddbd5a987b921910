"""Sending sequence emails through the sender rep's own mailbox (Gmail today; Graph alongside)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.model import MailboxProvider
from addin_server.providers.gmail import GrantRevoked, build_mime
from addin_server.services.context import utcnow
from addin_server.services.outbox import MailSender, OutgoingEmail, SentEmail


class ProviderMailSender:
    """The MailSender for production and the demo: each email leaves from its rep's mailbox."""

    def __init__(self, settings: Settings, fallback: MailSender | None = None) -> None:
        self.settings = settings
        self.fallback = fallback  # for mailboxes nobody connected (the demo's Outlook rep, offline trials)

    def send(self, session: Session, email: OutgoingEmail) -> SentEmail:
        from addin_server.services.mailboxes import MailboxNotConnected, gmail_for

        user = session.scalar(select(t.User).where(t.User.account_id == email.account_id,
                                                   t.User.mailbox_address == email.mailbox_address))
        if user is None:
            raise MailboxNotConnected(f"no rep sends from {email.mailbox_address}")
        if self.fallback is not None and not user.refresh_token_encrypted:
            return self.fallback.send(session, email)
        if user.mailbox_provider == MailboxProvider.GMAIL.value:
            mime = build_mime(sender=user.mailbox_address, sender_name=user.name, recipient=email.recipient,
                              subject=email.subject, body=email.body, message_id=email.rfc_message_id,
                              in_reply_to=email.in_reply_to,
                              references=[email.in_reply_to] if email.in_reply_to else [],
                              extra_headers=email.headers, sent_at=utcnow())
            try:
                sent = gmail_for(self.settings, user).send(mime, email.thread_id)
            except GrantRevoked:
                user.mailbox_connected = False
                raise
            return SentEmail(provider_message_id=sent.id, thread_id=sent.thread_id,
                             rfc_message_id=email.rfc_message_id)
        # Outlook mailboxes send through Graph once the rep has connected one (providers/graph.py).
        raise MailboxNotConnected(f"{user.mailbox_address}: Outlook sending needs a connected Graph mailbox")
