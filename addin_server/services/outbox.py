"""Reading the local outbox: the emails MAIL_TRANSPORT=local (or the demo's fallback) kept instead
of sending them. The port and its local adapter are in services/mail_port."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.domain.permissions import Action
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.permissions import authorize


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
