"""address_bindings.claim_key (one mailbox, one claim, whatever its spelling); Google Workspace domains
in account_tenants

Revision ID: h13_claim_keys
Revises: h18mail
Create Date: 2026-12-06 14:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from addin_server.domain.addresses import InvalidAddress, claim_key


revision = 'h13_claim_keys'
down_revision = 'h18mail'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('address_bindings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_key', sa.String(length=320), nullable=True))
    conn = op.get_bind()
    seen: set[str] = set()
    # The earliest proof of a mailbox keeps it; a later binding of another spelling of the same mailbox
    # (or a look-alike of it) is dropped, and its rep proves the address again at the next sign-in.
    for row_id, address in conn.execute(sa.text('SELECT id, address FROM address_bindings ORDER BY id')).all():
        try:
            key = claim_key(address)
        except InvalidAddress:
            key = address
        if key in seen:
            conn.execute(sa.text('DELETE FROM address_bindings WHERE id = :id'), {'id': row_id})
            continue
        seen.add(key)
        conn.execute(sa.text('UPDATE address_bindings SET claim_key = :key WHERE id = :id'),
                     {'key': key, 'id': row_id})
    with op.batch_alter_table('address_bindings', schema=None) as batch_op:
        batch_op.alter_column('claim_key', existing_type=sa.String(length=320), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_address_bindings_claim_key'), ['claim_key'])
    with op.batch_alter_table('account_tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider', sa.String(length=20), server_default='microsoft', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('account_tenants', schema=None) as batch_op:
        batch_op.drop_column('provider')
    with op.batch_alter_table('address_bindings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_address_bindings_claim_key'), type_='unique')
        batch_op.drop_column('claim_key')
