"""outgoing webhooks: a one-time, short-lived reveal of a new signing secret in the web app

Revision ID: issue17c
Revises: issue13
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'issue17c'
down_revision = 'issue13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_endpoints') as batch:
        batch.add_column(sa.Column('secret_reveal_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('secret_reveal_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('webhook_endpoints') as batch:
        batch.drop_column('secret_reveal_until')
        batch.drop_column('secret_reveal_hash')
