"""Claiming queued rows with leases: the durable queues' one way for any number of workers to share work.

A row is due when its status is pending, its time has come and no live lease holds it. Claiming
reads due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL), then leases them with an UPDATE that
repeats the lease condition, so that on SQLite, where nothing is row-locked, a worker that read the
same rows a moment later claims none of them. A crashed worker's lease simply runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session


def claim_leased(s: Session, model: Any, worker: str, now: datetime, *, limit: int, lease_seconds: int,
                 conditions: tuple[ColumnElement[bool], ...] = ()) -> list[int]:
    """Lease up to `limit` due rows of `model` (columns status, next_attempt_at, lease_owner,
    lease_until) for `worker`; returns the ids this worker now holds, oldest first."""
    free = (model.lease_until.is_(None)) | (model.lease_until < now)
    q = (select(model.id).where(model.status == "pending", model.next_attempt_at <= now, free, *conditions)
         .order_by(model.id).limit(limit))
    if s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    ids = list(s.scalars(q))
    if not ids:
        return []
    s.execute(update(model).where(model.id.in_(ids), free)
              .values(lease_owner=worker, lease_until=now + timedelta(seconds=lease_seconds))
              .execution_options(synchronize_session=False))
    return list(s.scalars(select(model.id).where(model.id.in_(ids), model.lease_owner == worker)
                          .order_by(model.id)))
