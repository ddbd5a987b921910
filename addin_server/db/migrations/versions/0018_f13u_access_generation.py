"""users.access_generation: a pane token names the generation it was issued in; removal bumps it.
api_keys form nonce and one-time reveal: a reloaded "new key" page makes no second key

Revision ID: f13u_access_generation
Revises: f17_target_key
Create Date: 2026-12-06 18:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'f13u_access_generation'
down_revision = 'f17_target_key'
branch_labels = None
depends_on = None


# Plain ALTER TABLE ADD / DROP COLUMN, as 0015: a batch rebuild of `users` would drop the table
# other tables' rows point at.
def upgrade() -> None:
    op.add_column('users', sa.Column('access_generation', sa.Integer(), nullable=False, server_default='0'))
    # No table points at api_keys, so SQLite's batch rebuild (for the unique constraint) is safe here.
    with op.batch_alter_table('api_keys') as batch_op:
        batch_op.add_column(sa.Column('form_nonce_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reveal_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reveal_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reveal_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_api_keys_form_nonce_hash'), ['form_nonce_hash'])


def downgrade() -> None:
    with op.batch_alter_table('api_keys') as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_api_keys_form_nonce_hash'), type_='unique')
        for column in ('reveal_until', 'reveal_encrypted', 'reveal_hash', 'form_nonce_hash'):
            batch_op.drop_column(column)
    op.drop_column('users', 'access_generation')
