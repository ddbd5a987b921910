"""The migrations build exactly the schema the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from addin_server.db.migrate import downgrade, upgrade
from addin_server.db.tables import Base
from addin_server.services import accounts, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import create_user
from addin_server.services.sequences import StepInput


def test_migrated_database_matches_the_models(services: ServiceContext) -> None:
    with services.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # Type-only differences of the UTC wrapper are not schema differences.
    assert [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")] == []


def test_one_open_enrollment_per_contact_is_a_database_index(services: ServiceContext) -> None:
    from sqlalchemy import inspect

    indexes = {ix["name"]: ix for ix in inspect(services.engine).get_indexes("enrollments")}
    assert indexes["uq_enrollments_one_open_per_contact"]["unique"]


def test_existing_sequences_take_their_accounts_same_company_setting(services: ServiceContext) -> None:
    """The checkbox moved from the account onto each sequence: a sequence made before the move keeps
    what its account said, and the account's value stays as the default for new sequences."""
    made = {}
    for name, on in (("On", True), ("Off", False)):
        account = accounts.create_account(services, name=name, plan="enterprise", admin_email=f"admin@{name}.test")
        admin = Principal.for_api_key(account.account_id, "test", "admin")
        rep = create_user(services, admin, email=f"rep@{name}.test", name="Rep", role="user",
                          mailbox_provider="gmail", mailbox_address=f"rep@{name}.test")
        accounts.update_account_settings(services, admin, unenroll_same_company=on)
        made[name] = sequences.create_sequence(services, admin, name="S", owner_user_id=rep["id"],
                                               steps=[StepInput("task", 0, "T", "")])["id"]
    downgrade(services.engine, "0004")
    upgrade(services.engine)
    with services.engine.connect() as conn:
        got = dict(conn.execute(text("SELECT id, unenroll_same_company FROM sequences")).all())
    assert {k: bool(got[int(v)]) for k, v in made.items()} == {"On": True, "Off": False}


def test_existing_bindings_get_claim_keys_and_the_earliest_proof_of_a_mailbox_keeps_it(
        services: ServiceContext) -> None:
    """Bindings made before claim keys: each gets its mailbox's key; a later binding of another
    spelling of the same Gmail mailbox is dropped (its rep proves the address again at sign-in)."""
    first = accounts.create_account(services, name="One", plan="enterprise", admin_email="jane.smith@gmail.com")
    second = accounts.create_account(services, name="Two", plan="enterprise", admin_email="boss@two.test")
    downgrade(services.engine, "h18mail")
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO address_bindings (address, account_id, user_id, proof, bound_at) "
                          "VALUES ('janesmith+x@googlemail.com', :a, :u, 'google_sign_in', CURRENT_TIMESTAMP)"),
                     {"a": second.account_id, "u": second.admin_user_id})
    upgrade(services.engine)
    with services.engine.connect() as conn:
        rows = conn.execute(text("SELECT address, claim_key, account_id FROM address_bindings ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("jane.smith@gmail.com", "janesmith@gmail.com", first.account_id),
                                        ("boss@two.test", "boss@two.test", second.account_id)]


def test_quoted_local_parts_take_the_unquoted_addresses_claim_key_and_the_earlier_binding_keeps_it(
        services: ServiceContext) -> None:
    """`"ava.reed"@x` is ava.reed@x: a quoted binding made before gets the mailbox's key, or is dropped
    when the mailbox was bound already."""
    first = accounts.create_account(services, name="One", plan="enterprise", admin_email="ava.reed@one.test")
    second = accounts.create_account(services, name="Two", plan="enterprise", admin_email="boss@two.test")
    downgrade(services.engine, "h13_claim_keys")
    with services.engine.begin() as conn:
        for address in ('"ava.reed"@one.test', '"otto"@two.test'):
            conn.execute(text("INSERT INTO address_bindings (address, claim_key, account_id, user_id, proof, bound_at) "
                              "VALUES (:ad, :ad, :a, :u, 'account_created', CURRENT_TIMESTAMP)"),
                         {"ad": address, "a": second.account_id, "u": second.admin_user_id})
    upgrade(services.engine)
    with services.engine.connect() as conn:
        rows = conn.execute(text("SELECT claim_key, account_id FROM address_bindings ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("ava.reed@one.test", first.account_id), ("boss@two.test", second.account_id),
                                        ("otto@two.test", second.account_id)]
