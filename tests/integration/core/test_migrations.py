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
        admin = Principal(account_id=account.account_id, label="test", role="admin", kind="api_key")
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
