"""permissions: API key roles, address bindings, server-side web sessions

Revision ID: issue13
Revises: 0004
Create Date: 2026-12-06 11:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'issue13'
down_revision = 'issue14b'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        # Keys made before roles acted for the whole account; they keep the admin role (not super admin).
        batch_op.add_column(sa.Column('role', sa.String(length=20), server_default='admin', nullable=False))
    op.create_table('address_bindings',
    sa.Column('id', Id, nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('account_id', Id, nullable=False),
    sa.Column('user_id', Id, nullable=False),
    sa.Column('proof', sa.String(length=40), nullable=False),
    sa.Column('bound_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_address_bindings_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_address_bindings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_bindings')),
    sa.UniqueConstraint('address', name=op.f('uq_address_bindings_address'))
    )
    with op.batch_alter_table('address_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_bindings_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_address_bindings_user_id'), ['user_id'], unique=False)
    op.create_table('web_sessions',
    sa.Column('id', Id, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('account_id', Id, nullable=False),
    sa.Column('user_id', Id, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_web_sessions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_user_id'))
    op.drop_table('web_sessions')
    with op.batch_alter_table('address_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_bindings_user_id'))
        batch_op.drop_index(batch_op.f('ix_address_bindings_account_id'))
    op.drop_table('address_bindings')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('role')
