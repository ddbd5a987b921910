"""Following a rep's mailbox or calendar: the one interface every provider implements.

Gmail (services/gmail), Outlook mail and calendar (services/graph) and Google Calendar
(services/google_calendar) each offer a Follower; the worker renews through it, the inbox catches up
and handles lifecycle notices through it, connecting a mailbox starts following through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.providers.gmail import GmailError, GrantRevoked
from addin_server.providers.google_calendar import CalendarError
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.providers.graph import GraphError
from addin_server.services.context import ServiceContext
from addin_server.services.grants import MailboxNotConnected, disconnect, watch_row

# A refused or missing grant: the rep must reconnect; nothing is tried again until then.
GRANT_REFUSED = (MailboxNotConnected, GrantRevoked, GraphGrantRevoked)
# Any provider's failure to answer: tried again on a later pass.
PROVIDER_FAILED = (GmailError, GraphError, CalendarError)


class Follower(Protocol):
    """How one provider follows one kind of thing (a mailbox, a calendar) of a rep."""

    kind: str  # the provider its watch rows name (gmail, outlook)

    def follow(self, ctx: ServiceContext, s: Session, user: t.User) -> None:
        """Start (or restart) following from now on: a watch, a subscription or a channel, and a cursor."""
        ...

    def renew(self, ctx: ServiceContext, s: Session, user: t.User) -> bool:
        """Renew the watch, subscription or channel before the provider lets it lapse.

        True when the provider had forgotten it and a new one was made: what changed meanwhile was
        not notified and must be read from the cursor."""
        ...

    def catch_up(self, ctx: ServiceContext, address: str, *, brief: bool = False) -> bool:
        """Read what changed since the stored cursor and apply it once; True when read to the end.

        `brief` asks the provider once and briefly (the pre-send guard)."""
        ...

    def lifecycle(self, ctx: ServiceContext, address: str, payload: dict[str, Any]) -> None:
        """A provider's notice about the subscription itself (reauthorize, removed, missed)."""
        ...


@dataclass
class Renewals:
    renewed: int = 0
    # (address, account id, new subscription id) of each one the provider had forgotten
    replaced: list[tuple[str, int, str]] = field(default_factory=list)


def renew_mailbox_watches(ctx: ServiceContext, follower: Follower, due: ColumnElement[bool]) -> Renewals:
    """Renew the mailbox watches `due` selects through `follower`.

    A refused grant shows the mailbox as disconnected; a provider that does not answer is tried on
    the next pass.
    """
    with ctx.sessions() as s:
        user_ids = list(s.scalars(select(t.MailboxWatch.user_id).where(
            t.MailboxWatch.provider == follower.kind, t.MailboxWatch.status == "active", due)))
    done = Renewals()
    for user_id in user_ids:
        with ctx.session() as s:
            user = s.get_one(t.User, user_id)
            try:
                replaced = follower.renew(ctx, s, user)
            except GRANT_REFUSED as exc:
                disconnect(s, user, str(exc))
                continue
            except PROVIDER_FAILED:
                continue  # tried again on the next pass
            if replaced:
                done.replaced.append((user.mailbox_address, user.account_id,
                                      str(watch_row(s, user).subscription_id)))
            done.renewed += 1
    return done


def expiring(column: Any, before: datetime) -> ColumnElement[bool]:
    """Rows whose watch expires before `before`, or whose expiry is unknown."""
    result: ColumnElement[bool] = column.is_(None) | (column < before)
    return result
