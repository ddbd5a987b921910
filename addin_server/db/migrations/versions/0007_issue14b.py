"""sequences: the "unenroll contacts from the same company" checkbox moves onto each sequence

Existing sequences take their account's value, which stays on the account as the default for new
sequences.

Revision ID: issue14b
Revises: issue17b
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'issue14b'
down_revision = 'issue17b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sequences') as batch:
        batch.add_column(sa.Column('unenroll_same_company', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.execute(
        "UPDATE sequences SET unenroll_same_company = ("
        "SELECT accounts.unenroll_same_company FROM accounts WHERE accounts.id = sequences.account_id)"
    )
    with op.batch_alter_table('sequences') as batch:
        batch.alter_column('unenroll_same_company', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('sequences') as batch:
        batch.drop_column('unenroll_same_company')
