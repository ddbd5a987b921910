"""Shared fixtures: a migrated database per test, the service context, the Flask app and client.

TEST_DATABASE_URL picks the database: unset means SQLite (a file per test, copied from one
migrated template); a PostgreSQL URL means one database per xdist worker, emptied between tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from addin_server import create_app
from addin_server.auth.google_tokens import clear_google_certificates
from addin_server.auth.microsoft_tokens import clear_microsoft_keys
from addin_server.config import Settings
from addin_server.db.engine import make_engine, normalize_url
from addin_server.db.migrate import upgrade
from addin_server.db.tables import Base
from addin_server.emulator.runner import RunningEmulator
from addin_server.services.context import ServiceContext
from addin_server.services.startup import open_services
from tests.emulated import running_emulator

REPO = Path(__file__).resolve().parents[1]
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "", None}


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
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
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


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{tbl.name}"' for tbl in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(_template_database: str, database_kind: str, tmp_path: Path) -> Iterator[str]:
    if database_kind == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(_template_database, path)
        yield f"sqlite:///{path}"
        return
    engine = make_engine(_template_database)
    _truncate_all(engine)
    engine.dispose()
    yield _template_database


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings.from_env({}, database_url=database_url, public_url="https://sidebar.test",
                             secret_key="test-secret", demo_mode=False, mail_transport="local")


@pytest.fixture
def services(settings: Settings, clock: FakeClock) -> Iterator[ServiceContext]:
    ctx = open_services(settings, clock=clock)
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
