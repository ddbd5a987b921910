"""The migrations build exactly the schema the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from addin_server.db.tables import Base
from addin_server.services.context import ServiceContext


def test_migrated_database_matches_the_models(services: ServiceContext) -> None:
    with services.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # Type-only differences of the UTC wrapper are not schema differences.
    assert [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")] == []


def test_one_open_enrollment_per_contact_is_a_database_index(services: ServiceContext) -> None:
    from sqlalchemy import inspect

    indexes = {ix["name"]: ix for ix in inspect(services.engine).get_indexes("enrollments")}
    assert indexes["uq_enrollments_one_open_per_contact"]["unique"]
