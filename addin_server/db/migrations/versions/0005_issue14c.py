"""counted bounces: a bounce report counts once per address and original message

Revision ID: issue14c
Revises: 0004
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'issue14c'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('counted_bounces',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('report_key', sa.String(length=512), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_counted_bounces_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counted_bounces')),
    sa.UniqueConstraint('account_id', 'address', 'report_key', name=op.f('uq_counted_bounces_account_id'))
    )


def downgrade() -> None:
    op.drop_table('counted_bounces')
