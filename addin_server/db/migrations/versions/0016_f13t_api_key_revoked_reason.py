"""api_keys.revoked_reason: why a key stopped (its maker no longer an admin, or the operator revoked it),
so a key stopped by its maker's demotion stays stopped and `accounts api-keys` says why

Revision ID: f13t_key_revoked_reason
Revises: h13users_removed
Create Date: 2026-12-06 18:35:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'f13t_key_revoked_reason'
down_revision = 'h13users_removed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('revoked_reason')
