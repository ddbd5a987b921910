"""What reading a mailbox means whatever its provider: fetch the messages named, apply them in
batches, set aside the ones that cannot be read or applied, never pass over one.

Gmail (history from a history id) and Outlook (inbox delta from a link) differ only in how they
name new messages and fetch them; each supplies a MessageSource, and the loop below is theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from addin_server.services.context import ServiceContext
from addin_server.services.inbound import Arrived, apply_inbound_messages
from addin_server.services.inbox import park_message

# Messages of one mailbox applied together (one transaction, the facts read once for all).
APPLY_BATCH = 50
# A cursor the provider no longer knows: what arrived since the last complete read is read again,
# with this margin, or this far back when the mailbox was never read to its end.
RESYNC_MARGIN = timedelta(hours=1)
RESYNC_WINDOW = timedelta(days=7)


class MessageSource(Protocol):
    """One provider's way of fetching the messages of a mailbox."""

    def fetch_many(self, message_ids: list[str]) -> Iterable[object]:
        """What each id fetched, in order: the message, or the provider's error for it."""
        ...

    def failure(self, fetched: object) -> Exception | None:
        """The provider's error when `fetched` is one, else None."""
        ...

    def missing(self, error: Exception) -> bool:
        """Whether the error says the message is gone (moved or deleted since)."""
        ...

    def mailbox_wide(self, error: BaseException) -> bool:
        """Whether a provider error is about the whole mailbox or service (throttled, no answer)."""
        ...

    def read(self, fetched: object) -> Arrived | None:
        """The message as the rules read it; None for one that is not inbound mail (sent, a draft)."""
        ...


def resync_since(ctx: ServiceContext, last_synced: datetime | None) -> datetime:
    """Where a bounded resync starts: never a skip, never the whole mailbox."""
    return last_synced - RESYNC_MARGIN if last_synced else ctx.now() - RESYNC_WINDOW


def apply_isolating(ctx: ServiceContext, provider: str, mailbox: str, arrived: Sequence[Arrived],
                    poisoned: list[tuple[str, str]]) -> list[str]:
    """Apply a batch; when it fails, apply its messages one by one so only the failing ones wait.

    The failing ones are added to `poisoned` (id, error); returns their ids.
    """
    try:
        apply_inbound_messages(ctx, provider=provider, mailbox_address=mailbox, messages=list(arrived))
        return []
    except Exception as exc:  # noqa: BLE001 - narrowed down below, message by message
        if len(arrived) == 1:
            poisoned.append((arrived[0].provider_message_id, f"not applied: {type(exc).__name__}: {exc}"))
            return [arrived[0].provider_message_id]
    failed: list[str] = []
    for one in arrived:
        failed += apply_isolating(ctx, provider, mailbox, [one], poisoned)
    return failed


@dataclass
class MessageRead:
    """What one read of a mailbox did; `poisoned` are the messages set aside (id, error)."""

    fetched: int = 0
    applied: int = 0
    skipped: int = 0
    poisoned: list[tuple[str, str]] = field(default_factory=list)

    def park(self, ctx: ServiceContext, provider: str, mailbox: str) -> int:
        """Park each message set aside (once: parking again changes nothing); returns how many."""
        for mid, error in self.poisoned:
            park_message(ctx, provider=provider, mailbox_address=mailbox, message_id=mid, error=error)
        return len(self.poisoned)


def fetch_and_apply(ctx: ServiceContext, source: MessageSource, provider: str, mailbox: str, message_ids: list[str],
                    read: MessageRead, *, isolate: bool = True) -> None:
    """Fetch these messages and apply them in batches, in order, counting into `read`.

    A message gone since is passed over (the cursor reports what remains). A message that cannot be
    fetched, read or applied is set aside by itself (`isolate`) and the others go on; a failure of
    the whole mailbox applies what came before it and raises, so the caller's cursor stays. Without
    `isolate` any failure raises.
    """
    pending: list[Arrived] = []

    def apply_pending() -> None:
        if pending:
            if isolate:
                read.applied += len(pending) - len(apply_isolating(ctx, provider, mailbox, pending, read.poisoned))
            else:
                apply_inbound_messages(ctx, provider=provider, mailbox_address=mailbox, messages=list(pending))
                read.applied += len(pending)
            pending.clear()

    for mid, fetched in zip(message_ids, source.fetch_many(message_ids) if message_ids else (), strict=False):
        error = source.failure(fetched)
        if error is not None:
            if source.missing(error):
                read.skipped += 1
                continue
            if not isolate or source.mailbox_wide(error):
                apply_pending()
                raise error  # nothing after this message is passed over: the cursor stays
            read.poisoned.append((mid, str(error)))
            continue
        read.fetched += 1
        try:
            arrived = source.read(fetched)
        except Exception as exc:
            if not isolate or source.mailbox_wide(exc):
                raise
            read.poisoned.append((mid, f"unreadable: {type(exc).__name__}: {exc}"))
            continue
        if arrived is None:
            read.skipped += 1
            continue
        pending.append(arrived)
        if len(pending) >= APPLY_BATCH:
            apply_pending()
    apply_pending()
