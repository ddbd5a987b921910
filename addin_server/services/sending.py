"""Sending sequence emails through the sender rep's own mailbox (Gmail today; Graph alongside)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.model import MailboxProvider
from addin_server.domain.names import one_line
from addin_server.providers.gmail import GrantRevoked, build_mime
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.services.context import utcnow
from addin_server.services.grants import MailboxNotConnected, gmail_for, graph_for, outlook_connected
from addin_server.services.mail_port import MailSender, OutgoingEmail, SentEmail


class ProviderMailSender:
    """The MailSender for production and the demo: each email leaves from its rep's mailbox."""

    def __init__(self, settings: Settings, fallback: MailSender | None = None) -> None:
        self.settings = settings
        self.fallback = fallback  # for mailboxes nobody connected (the demo's Outlook rep, offline trials)

    def can_send_from(self, session: Session, user: t.User) -> bool:
        if self.fallback is not None:
            return True
        if user.mailbox_provider == MailboxProvider.GMAIL.value:
            return bool(user.refresh_token_encrypted) and user.mailbox_connected
        return outlook_connected(session, user)

    def send(self, session: Session, email: OutgoingEmail) -> SentEmail:
        user = session.scalar(select(t.User).where(t.User.account_id == email.account_id,
                                                   t.User.mailbox_address == email.mailbox_address))
        if user is None:
            raise MailboxNotConnected(f"no rep sends from {email.mailbox_address}")
        if self.fallback is not None and user.mailbox_provider == MailboxProvider.GMAIL.value \
                and not user.refresh_token_encrypted:
            return self.fallback.send(session, email)
        if user.mailbox_provider == MailboxProvider.GMAIL.value:
            mime = build_mime(sender=user.mailbox_address, sender_name=one_line(user.name), recipient=email.recipient,
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
        return self._send_graph(session, user, email)

    def _send_graph(self, session: Session, user: t.User, email: OutgoingEmail) -> SentEmail:
        if not outlook_connected(session, user):
            if self.fallback is not None:
                return self.fallback.send(session, email)
            raise MailboxNotConnected(f"{user.mailbox_address}: the Outlook mailbox is not connected")
        # Graph sets only x- headers and List-Unsubscribe (as a MAPI property); others are left out.
        headers = {k: v for k, v in email.headers.items()
                   if k.lower().startswith("x-") or k.lower() == "list-unsubscribe"}
        graph = graph_for(self.settings, user)
        try:
            sent = graph.send(subject=email.subject, body=email.body, to=email.recipient,
                              message_id=email.rfc_message_id, in_reply_to=email.in_reply_to,
                              references=[email.in_reply_to] if email.in_reply_to else [],
                              extra_headers=headers, thread_conversation_id=email.thread_id)
        except GraphGrantRevoked:
            user.mailbox_connected = False
            raise
        finally:
            graph.close()
        # Graph may assign its own Message-ID: the one the mailbox holds is what replies will quote.
        return SentEmail(provider_message_id=sent.id, thread_id=sent.conversation_id,
                         rfc_message_id=sent.internet_message_id or email.rfc_message_id)
