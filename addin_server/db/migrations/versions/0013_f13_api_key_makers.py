"""api_keys.created_by_user_id (a key made by a person works only while that person is an admin);
claim keys of quoted local parts recomputed ("ava.reed"@x is ava.reed@x)

Revision ID: f13_key_makers
Revises: h13_claim_keys
Create Date: 2026-12-06 16:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from addin_server.domain.addresses import InvalidAddress, claim_key


revision = 'f13_key_makers'
down_revision = 'h13_claim_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_api_keys_created_by_user_id_users'), 'users',
                                    ['created_by_user_id'], ['id'], ondelete='CASCADE')
    conn = op.get_bind()
    # A quoted local part that is a plain dot-atom now has the unquoted address's key. When the
    # unquoted mailbox is already bound, the earlier binding keeps it and the quoted one is dropped.
    taken = {key for (key,) in conn.execute(sa.text('SELECT claim_key FROM address_bindings')).all()}
    quoted = conn.execute(sa.text("SELECT id, address, claim_key FROM address_bindings WHERE address LIKE '\"%' "
                                  "ORDER BY id")).all()
    for row_id, address, old_key in quoted:
        try:
            key = claim_key(address)
        except InvalidAddress:
            continue
        if key == old_key:
            continue
        if key in taken:
            conn.execute(sa.text('DELETE FROM address_bindings WHERE id = :id'), {'id': row_id})
            continue
        taken.add(key)
        conn.execute(sa.text('UPDATE address_bindings SET claim_key = :key WHERE id = :id'), {'key': key, 'id': row_id})


def downgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_keys_created_by_user_id_users'), type_='foreignkey')
        batch_op.drop_column('created_by_user_id')
