"""Web app sessions kept on the server: the cookie holds a random token, the database its hash.

Signing out deletes the row, so a copy of the cookie (another browser, a stolen one) stops working
at once; a role change or a removed rep deletes all of that rep's rows.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.services.context import Principal, ServiceContext

SESSION_HOURS = 12


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(ctx: ServiceContext, principal: Principal) -> str:
    """A new session for a signed-in rep; the token to put in the cookie (shown once)."""
    if principal.user_id is None or principal.kind != "user":
        raise ValueError("only a rep can sign in to the web app")
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.session() as s:
        s.add(t.WebSession(token_hash=_digest(token), account_id=principal.account_id, user_id=principal.user_id,
                           created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
    return token


def resolve(ctx: ServiceContext, token: str) -> tuple[int, int] | None:
    """(user id, account id) of a live session, or None when it ended, expired or never was."""
    if not token or len(token) > 200:
        return None
    with ctx.session() as s:
        row = s.scalar(select(t.WebSession).where(t.WebSession.token_hash == _digest(token)))
        if row is None:
            return None
        if row.expires_at <= ctx.now():
            s.delete(row)
            return None
        return row.user_id, row.account_id


def end(ctx: ServiceContext, token: str) -> None:
    with ctx.session() as s:
        s.execute(delete(t.WebSession).where(t.WebSession.token_hash == _digest(token)))


def end_all_for_user(s: Session, user_id: int) -> None:
    """Every session of this rep ends (role changed, rep removed)."""
    s.execute(delete(t.WebSession).where(t.WebSession.user_id == user_id))
