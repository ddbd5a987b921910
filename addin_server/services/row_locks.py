"""Changes to an account's people take turns: a person's removal, role change, sign-in, address
binding and enrollment as sender. Each check (the last super admin, "not removed") then reads what
the other change committed, on PostgreSQL and on SQLite alike."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.services.context import Principal
from addin_server.services.errors import Unauthorized


def take_turns(s: Session, account_id: int, user_id: int | None = None) -> None:
    """Make changes to the account's people (and to this person) take turns until commit: a no-op
    write locks the account's row, then the person's, on PostgreSQL, and on SQLite (where a plain
    read opens no transaction) takes the write lock. Always in this order, so two never deadlock.
    What is read after it is what the other change committed (the checks hold under concurrency)."""
    s.execute(update(t.Account).where(t.Account.id == account_id).values(id=t.Account.id)
              .execution_options(synchronize_session=False))
    if user_id is not None:
        lock_user(s, user_id)


def lock_user(s: Session, user_id: int) -> None:
    """Lock one person's row until commit (a removal and a sign-in, binding or enrollment of theirs
    take turns); the caller reads removed_at after it."""
    s.execute(update(t.User).where(t.User.id == user_id).values(id=t.User.id)
              .execution_options(synchronize_session=False))


def still_acting(s: Session, principal: Principal) -> None:
    """After take_turns: a person removed or given another role while their request waited its turn
    acts no more with what they were (two admins removing or demoting each other)."""
    if principal.kind != "user" or principal.user_id is None:
        return
    row = s.execute(select(t.User.removed_at, t.User.role).where(t.User.id == principal.user_id)).first()
    if row is None or row.removed_at is not None:
        raise Unauthorized("this person was removed from the account; an admin can invite them again")
    if row.role != principal.role:
        raise Unauthorized("your role changed a moment ago; sign in again")
