"""webhook_endpoints.target_key again: dot segments, repeated slashes, escaped hosts and the
unspecified address now count (an endpoint stored before keeps no stale key)

Revision ID: f17b_target_key_paths
Revises: f13u_access_generation
Create Date: 2026-12-06 19:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from addin_server.domain.outgoing_webhooks import TargetRefused, target_key


revision = 'f17b_target_key_paths'
down_revision = 'f13u_access_generation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    for row_id, url in conn.execute(sa.text('SELECT id, url FROM webhook_endpoints')).all():
        try:
            key = target_key(url)
        except TargetRefused:
            key = url
        conn.execute(sa.text('UPDATE webhook_endpoints SET target_key = :key WHERE id = :id'),
                     {'key': key, 'id': row_id})


def downgrade() -> None:
    pass  # the keys of the previous rule are not needed to run it: its duplicate check reads them only
