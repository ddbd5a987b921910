"""account_tenants: each Microsoft 365 tenant belongs to one account

Revision ID: issue13x
Revises: issue17c
Create Date: 2026-12-06 13:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'issue13x'
down_revision = 'issue17c'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('account_tenants',
    sa.Column('id', Id, nullable=False),
    sa.Column('account_id', Id, nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('linked_by', sa.String(length=40), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_tenants_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tenants')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_account_tenants_tenant_id'))
    )
    with op.batch_alter_table('account_tenants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tenants_account_id'), ['account_id'], unique=False)
    # Tenants reps already signed in from or connected stay linked: the account that linked a tenant
    # first keeps it (lowest user id), so existing reps keep signing in.
    op.execute(
        "INSERT INTO account_tenants (account_id, tenant_id, linked_by, linked_at) "
        "SELECT u.account_id, u.ms_tid, 'existing_reps', CURRENT_TIMESTAMP FROM users u "
        "WHERE u.ms_tid IS NOT NULL AND u.id = (SELECT MIN(v.id) FROM users v WHERE v.ms_tid = u.ms_tid)"
    )


def downgrade() -> None:
    with op.batch_alter_table('account_tenants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tenants_account_id'))
    op.drop_table('account_tenants')
