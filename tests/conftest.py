"""Shared fixtures: a migrated database per test, the service context, the Flask app and client.

TEST_DATABASE_URL picks the database: unset means SQLite (a file per test, copied from one
migrated template); a PostgreSQL URL means one database per xdist worker, emptied between tests.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from addin_emulator.runner import RunningEmulator
from addin_server import create_app
from addin_server.auth.google_tokens import clear_google_certificates
from addin_server.auth.microsoft_tokens import clear_microsoft_keys
from addin_server.config import Settings
from addin_server.db.engine import make_engine, normalize_url
from addin_server.db.migrate import upgrade
from addin_server.db.tables import Base
from addin_server.services.context import ServiceContext
from addin_server.services.startup import open_services
from tests import routing_cache
from tests.browser import close_shared_chromium
from tests.emulated import running_emulator

REPO = Path(__file__).resolve().parents[1]
routing_cache.install()
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "", None}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL only the tests that use a database run: the run on PostgreSQL repeats the database
    tests, and a test of the emulator, a manifest or a script alone would only do again what the run on
    SQLite did. They are reported as deselected."""
    if not os.environ.get("TEST_DATABASE_URL", "").startswith(("postgres", "postgresql")):
        return
    needs_database = {"database_url", "database_kind"}
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        (kept if needs_database & set(getattr(item, "fixturenames", ())) else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _no_internet() -> Iterator[None]:
    """Tests never reach the internet: a lookup of any name but loopback fails at once, loudly."""
    import socket

    real = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK_NAMES and not str(name).startswith("127."):
            raise OSError(f"tests may not reach the internet (looked up {name!r})")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = loopback_only
    yield
    socket.getaddrinfo = real


@pytest.fixture(scope="session", autouse=True)
def _chromium_closed_at_the_end() -> Iterator[None]:
    """The browser tests share one Chromium per process (tests/browser.py); it goes with the session."""
    yield
    close_shared_chromium()


CORPUS = REPO.parent / "shared" / "corpus"


@dataclass
class FakeClock:
    """Time that tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _worker_name(config: pytest.Config) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_kind() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest,
                       database_kind: str) -> Iterator[str]:
    """Migrate once per test process; tests then start from a copy (SQLite) or a truncation (PG)."""
    if database_kind == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield str(path)
        return
    base = make_url(normalize_url(os.environ["TEST_DATABASE_URL"]))
    # The process id keeps two test runs on one server (two checkouts, a developer and CI) apart.
    name = f"{base.database}_{_worker_name(request.config)}_{os.getpid()}"
    # The server's maintenance database: the URL's own database need not exist on a fresh server.
    admin = make_engine(base.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# Every sequence of the schema back to its start, as TRUNCATE ... RESTART IDENTITY would leave it.
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'S' AND n.nspname = current_schema()")


def _truncate_all(engine: Engine) -> None:
    """Empty every table and restart every id. DELETE, children first, instead of one TRUNCATE:
    the tables hold a test's few rows, and TRUNCATE of all of them costs a fixed half second or
    more per test (it replaces every table's files), the largest part of the PostgreSQL run."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(_RESTART_SEQUENCES)


@dataclass
class _SharedEngine:
    """One engine per test process, pointed at each test's database in turn.

    SQLAlchemy caches compiled statements per engine: a fresh engine per test compiled every
    statement of every test again, a third of a database test's time. On SQLite the engine connects
    to whichever file the current test copied (`path`); on PostgreSQL the database is the same.
    """

    path: str = ""
    engine: Engine = field(init=False)


@pytest.fixture(scope="session")
def _shared_engine(_template_database: str, database_kind: str,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[_SharedEngine]:
    if database_kind == "sqlite":
        shared = _SharedEngine()
        placeholder = tmp_path_factory.mktemp("shared") / "current.db"
        shared.engine = make_engine(
            f"sqlite:///{placeholder}",
            creator=lambda: sqlite3.connect(shared.path, check_same_thread=False, timeout=30))
    else:
        shared = _SharedEngine(path=_template_database)
        shared.engine = make_engine(_template_database)
    yield shared
    shared.engine.dispose()


@pytest.fixture
def database_url(_template_database: str, database_kind: str, tmp_path: Path,
                 _shared_engine: _SharedEngine) -> Iterator[str]:
    _shared_engine.engine.dispose()  # no connection of the previous test is handed out again
    if database_kind == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(_template_database, path)
        _shared_engine.path = str(path)
        yield f"sqlite:///{path}"
        return
    _truncate_all(_shared_engine.engine)
    yield _template_database


# Worlds built once per test process, by name and settings: (the database file as it was built, the result).
_SEEDS: dict[tuple[str, str], tuple[Path, Any]] = {}


@pytest.fixture
def seeded(database_kind: str, database_url: str, settings: Settings, clock: FakeClock,
           _shared_engine: _SharedEngine, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """seeded(name, build, live=()) -> what build() returns, with the rows it wrote in the test's database.

    A fixture that writes the same rows for hundreds of tests builds them once per process: the first
    test runs build() and keeps a copy of the database file; the others start from that copy and a
    deep copy of the result (ids, keys, views). `live` objects (the client, the service context) are
    never copied: the caller puts its own back. On PostgreSQL the rows are kept in memory instead of a
    file and written back into the emptied tables (with every sequence where build() left it).
    """

    def seed(name: str, build: Callable[[], Any], live: tuple[Any, ...] = ()) -> Any:
        if clock.now != FakeClock().now:
            return build()
        key = (name, repr(replace(settings, database_url="")))
        if database_kind != "sqlite":
            return _seed_postgresql(key, build, live, _shared_engine.engine)
        path = Path(_shared_engine.path)
        if key in _SEEDS:
            file, kept = _SEEDS[key]
            _shared_engine.engine.dispose()
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(file, path)
            return copy.deepcopy(kept)
        made = build()
        _shared_engine.engine.dispose()
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        file = tmp_path_factory.mktemp("seed") / "seed.db"
        shutil.copyfile(path, file)
        _SEEDS[key] = (file, copy.deepcopy(made, {id(obj): None for obj in live}))
        return made

    return seed


_PG_SEEDS: dict[tuple[str, str], tuple[list[tuple[str, bytes]], list[tuple[str, int]], Any]] = {}
_SEQUENCE_VALUES = text(
    "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
    "WHERE schemaname = current_schema() AND last_value IS NOT NULL")


def _seed_postgresql(key: tuple[str, str], build: Callable[[], Any], live: tuple[Any, ...], engine: Engine) -> Any:
    """The PostgreSQL side of seeded(): the tables are empty (database_url emptied them); the first test
    builds and keeps every table's rows as COPY wrote them (byte for byte, NULLs and JSON as they were),
    the others copy them back in one transaction with every sequence where build() left it."""
    if key in _PG_SEEDS:
        tables, sequences, kept = _PG_SEEDS[key]
        with engine.begin() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for name, data in tables:
                with cursor.copy(f'COPY "{name}" FROM STDIN') as stream:
                    stream.write(data)
            for sequence, value in sequences:
                conn.execute(text("SELECT setval(:s, :v, true)"), {"s": sequence, "v": value})
        return copy.deepcopy(kept)
    made = build()
    tables = []
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for table in Base.metadata.sorted_tables:
            with cursor.copy(f'COPY "{table.name}" TO STDOUT') as stream:
                data = b"".join(bytes(chunk) for chunk in stream)
            if data:
                tables.append((table.name, data))
        sequences = [(str(name), int(value)) for name, value in conn.execute(_SEQUENCE_VALUES)]
        conn.rollback()
    _PG_SEEDS[key] = (tables, sequences, copy.deepcopy(made, {id(obj): None for obj in live}))
    return made


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings.from_env({}, database_url=database_url, public_url="https://sidebar.test",
                             secret_key="test-secret", demo_mode=False, mail_transport="local")


@pytest.fixture
def services(settings: Settings, clock: FakeClock, database_url: str,
             _shared_engine: _SharedEngine) -> Iterator[ServiceContext]:
    # The shared engine serves the test's own database; settings pointing elsewhere get their own.
    engine = _shared_engine.engine if settings.database_url == database_url else None
    ctx = open_services(settings, clock=clock, engine=engine)
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def app(settings: Settings, services: ServiceContext) -> Any:
    application = create_app(settings, services=services)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    """The local emulator (Google, Microsoft, Pub/Sub) on free loopback ports, one per test module."""
    with running_emulator() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_key_caches() -> Iterator[None]:
    """Google's certificates and Microsoft's keys are cached per process: every test starts cold,
    so none verifies a token with keys another test's servers published."""
    clear_google_certificates()
    clear_microsoft_keys()
    yield
    clear_google_certificates()
    clear_microsoft_keys()
