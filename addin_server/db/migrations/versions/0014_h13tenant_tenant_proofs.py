"""account_tenants.proven_by / started_by_user_id (what proved a tenant or Workspace domain is the
account's); tenant_link_requests (the signed, single-use links that ask a tenant's admin for that proof)

Revision ID: h13tenant_proofs
Revises: f13_key_makers
Create Date: 2026-12-06 17:45:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'h13tenant_proofs'
down_revision = 'f13_key_makers'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('account_tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proven_by', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('started_by_user_id', _ID, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_account_tenants_started_by_user_id_users'), 'users',
                                    ['started_by_user_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'tenant_link_requests',
        sa.Column('id', _ID, nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('account_id', _ID, nullable=False),
        sa.Column('started_by_user_id', _ID, nullable=False),
        sa.Column('provider', sa.String(length=20), nullable=False),
        sa.Column('tenant_id', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                                name=op.f('fk_tenant_link_requests_account_id_accounts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['started_by_user_id'], ['users.id'],
                                name=op.f('fk_tenant_link_requests_started_by_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant_link_requests')),
        sa.UniqueConstraint('nonce', name=op.f('uq_tenant_link_requests_nonce')),
    )
    with op.batch_alter_table('tenant_link_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenant_link_requests_account_id'), ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tenant_link_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenant_link_requests_account_id'))
    op.drop_table('tenant_link_requests')
    with op.batch_alter_table('account_tenants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_account_tenants_started_by_user_id_users'), type_='foreignkey')
        batch_op.drop_column('started_by_user_id')
        batch_op.drop_column('proven_by')
