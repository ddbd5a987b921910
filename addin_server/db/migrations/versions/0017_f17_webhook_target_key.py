"""webhook_endpoints.target_key: the receiver a URL leads to, however it is spelt

Revision ID: f17_target_key
Revises: f13t_key_revoked_reason
Create Date: 2026-12-06 18:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from addin_server.domain.outgoing_webhooks import TargetRefused, target_key


revision = 'f17_target_key'
down_revision = 'f13t_key_revoked_reason'
branch_labels = None
depends_on = None


# Plain ADD / DROP COLUMN (SQLite has both), then each stored URL's key.
def upgrade() -> None:
    op.add_column('webhook_endpoints', sa.Column('target_key', sa.Text(), nullable=True))
    conn = op.get_bind()
    for row_id, url in conn.execute(sa.text('SELECT id, url FROM webhook_endpoints')).all():
        try:
            key = target_key(url)
        except TargetRefused:
            key = url
        conn.execute(sa.text('UPDATE webhook_endpoints SET target_key = :key WHERE id = :id'),
                     {'key': key, 'id': row_id})
    op.create_index('ix_webhook_endpoints_target_key', 'webhook_endpoints', ['target_key'])


def downgrade() -> None:
    op.drop_index('ix_webhook_endpoints_target_key', table_name='webhook_endpoints')
    op.drop_column('webhook_endpoints', 'target_key')
