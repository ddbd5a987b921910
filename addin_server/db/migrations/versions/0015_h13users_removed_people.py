"""users.removed_at / removed_by: a removed person's row stays for their history

Revision ID: h13users_removed
Revises: h13tenant_proofs
Create Date: 2026-12-06 17:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'h13users_removed'
down_revision = 'h13tenant_proofs'
branch_labels = None
depends_on = None


# Plain ALTER TABLE ADD / DROP COLUMN (SQLite has both): a batch rebuild of `users` would drop the
# table other tables' rows point at.
def upgrade() -> None:
    op.add_column('users', sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('removed_by', sa.String(length=320), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'removed_by')
    op.drop_column('users', 'removed_at')
