"""Evidence stores how a message matched as a stable code ("in_reply_to"), not as English words

Revision ID: h18mail
Revises: issue13x
Create Date: 2026-12-06 14:40:00

`matched_by` is rewritten wherever evidence is kept: an ending's evidence (enrollments.end_evidence),
an event's data (enrollment_events.data, and the ending's evidence an unenrolled event carries under
"evidence"), and the decisions of a processed message (processed_messages.decisions, "applied").
The words live in domain/wording.py from now on. The mapping is written out here, not imported:
a migration must keep meaning what it meant when it was written. Webhook deliveries are left as
they were sent.
"""
from __future__ import annotations

import json
from typing import Any

from alembic import op
import sqlalchemy as sa


revision = 'h18mail'
down_revision = 'issue13x'
branch_labels = None
depends_on = None

CODES = {
    "In-Reply-To": "in_reply_to",
    "References": "references",
    "thread id": "thread_id",
    "bounce report": "bounce_report",
    "bounced recipient": "bounced_recipient",
    "enrolled address": "enrolled_address",
    "secondary address": "secondary_address",
    "gmail alias": "gmail_alias",
}
PHRASES = {code: phrase for phrase, code in CODES.items()}

# (table, JSON column, where matched_by sits inside the value)
COLUMNS = (
    ("enrollments", "end_evidence", "evidence"),
    ("enrollment_events", "data", "event"),
    ("processed_messages", "decisions", "decisions"),
)


def _evidence(value: Any, mapping: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        return value
    found = value.get("matched_by")
    if isinstance(found, str) and found in mapping:
        return {**value, "matched_by": mapping[found]}
    return value


def _rewrite(value: Any, shape: str, mapping: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        return value
    if shape == "evidence":
        return _evidence(value, mapping)
    if shape == "event":
        out = _evidence(value, mapping)
        if isinstance(out.get("evidence"), dict):
            out = {**out, "evidence": _evidence(out["evidence"], mapping)}
        return out
    applied = value.get("applied")
    if isinstance(applied, list):
        return {**value, "applied": [
            {**d, "evidence": _evidence(d.get("evidence"), mapping)} if isinstance(d, dict) else d for d in applied]}
    return value


def _migrate(mapping: dict[str, str]) -> None:
    conn = op.get_bind()
    for table_name, column, shape in COLUMNS:
        table = sa.table(table_name, sa.column("id", sa.BigInteger()), sa.column(column, sa.JSON()))
        col = table.c[column]
        # Only rows whose JSON text names matched_by are read (the rest cannot change).
        rows = conn.execute(
            sa.select(table.c.id, col).where(sa.cast(col, sa.Text()).like('%matched_by%'))
        ).all()
        changed = []
        for row_id, value in rows:
            if isinstance(value, str):  # a driver that hands JSON back as text
                value = json.loads(value)
            new = _rewrite(value, shape, mapping)
            if new != value:
                changed.append({"row_id": row_id, "value": new})
        if changed:
            conn.execute(
                table.update().where(table.c.id == sa.bindparam("row_id")).values({column: sa.bindparam("value", type_=sa.JSON())}),
                changed,
            )


def upgrade() -> None:
    _migrate(CODES)


def downgrade() -> None:
    _migrate(PHRASES)
