"""What every use case runs with: the database, the mail port, the clock, the settings."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from addin_server.config import Settings
from addin_server.db.engine import make_engine, make_sessionmaker
from addin_server.services.mail_port import MailSender


def utcnow() -> datetime:
    return datetime.now(UTC)


PrincipalKind = Literal["user", "api_key", "system"]


@dataclass(frozen=True)
class Principal:
    """Who is asking: a rep (person) of an account, an API key of it, or the worker acting for it.

    `role` is the person's or the key's role. Nothing defaults to a role: a principal built without
    one is refused by every row of the permission table (services/permissions.py), so forgetting to
    set it fails closed.
    """

    account_id: int
    label: str  # recorded as the actor: "api_key:ssk_ab12cd" or "user:jane@acme.com"
    user_id: int | None = None
    role: str = ""
    kind: PrincipalKind = "user"
    # The person who made this API key (None for the operator's keys and for people): the key acts
    # for nobody, but it never removes its own maker (services/people.py).
    made_by_user_id: int | None = None

    @property
    def actor(self) -> str:
        return self.label

    @property
    def is_admin(self) -> bool:
        """A person or key whose role sees and acts on the whole account (super admin or admin)."""
        return self.kind in ("user", "api_key") and self.role in ("super_admin", "admin")

    @classmethod
    def for_api_key(cls, account_id: int, prefix: str, role: str, made_by_user_id: int | None = None) -> Principal:
        return cls(account_id=account_id, label=f"api_key:{prefix}", role=role, kind="api_key",
                   made_by_user_id=made_by_user_id)

    @classmethod
    def system(cls, account_id: int, label: str) -> Principal:
        """The worker acting on its own schedule (resuming pauses whose date has come)."""
        return cls(account_id=account_id, label=label, role="system", kind="system")


@dataclass
class ServiceContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    mail_sender: MailSender
    clock: Callable[[], datetime] = field(default=utcnow)
    # The webhooks' short memories (see inbox.py and graph/notices.py): mailbox -> (account, monotonic expiry),
    # and Graph subscription id -> what it names and when it was read.
    mailbox_account_cache: dict[str, tuple[int, float]] = field(default_factory=dict)
    graph_subscription_cache: dict[str, Any] = field(default_factory=dict)
    # Set when a committed unit of work has something for outgoing webhooks: a worker in this
    # process starts its next pass at once instead of at its next poll.
    announced: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        mail_sender: MailSender,
        clock: Callable[[], datetime] | None = None,
        engine: Engine | None = None,
    ) -> ServiceContext:
        """A context on the settings' database (or `engine`) sending through `mail_sender`.
        services/startup.open_services picks the sender MAIL_TRANSPORT names."""
        engine = engine or make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_sessionmaker(engine),
            mail_sender=mail_sender,
            clock=clock or utcnow,
        )

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
            if session.info.pop("announced", False):
                self.announced.set()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
