"""users.access_generation: a pane token names the generation it was issued in; removal bumps it

Revision ID: f13u_access_generation
Revises: h13users_removed
Create Date: 2026-12-06 18:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'f13u_access_generation'
down_revision = 'h13users_removed'
branch_labels = None
depends_on = None


# Plain ALTER TABLE ADD / DROP COLUMN, as 0015: a batch rebuild of `users` would drop the table
# other tables' rows point at.
def upgrade() -> None:
    op.add_column('users', sa.Column('access_generation', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    op.drop_column('users', 'access_generation')
