"""Gmail mailboxes in memory: messages, threads, labels, history records and watches."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from addin_emulator.google import mime
from addin_emulator.google.errors import invalid_argument

SYSTEM_LABELS = (
    ("INBOX", "INBOX"),
    ("SENT", "SENT"),
    ("UNREAD", "UNREAD"),
    ("STARRED", "STARRED"),
    ("IMPORTANT", "IMPORTANT"),
    ("DRAFT", "DRAFT"),
    ("SPAM", "SPAM"),
    ("TRASH", "TRASH"),
    ("CHAT", "CHAT"),
    ("CATEGORY_PERSONAL", "CATEGORY_PERSONAL"),
    ("CATEGORY_SOCIAL", "CATEGORY_SOCIAL"),
    ("CATEGORY_PROMOTIONS", "CATEGORY_PROMOTIONS"),
    ("CATEGORY_UPDATES", "CATEGORY_UPDATES"),
    ("CATEGORY_FORUMS", "CATEGORY_FORUMS"),
)
WATCH_LIFETIME = timedelta(days=7)


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    label_ids: list[str]
    raw: bytes
    internal_date_ms: int
    history_id: int
    parsed: EmailMessage
    # Read once when stored: parsing the header again on every lookup made each delivery O(mailbox).
    message_id_header: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        value = self.parsed["Message-ID"]
        self.message_id_header = str(value).strip() if value is not None else None

    def header(self, name: str) -> str:
        value = self.parsed[name]
        return str(value) if value is not None else ""

    def resource(self, fmt: str = "full", metadata_headers: list[str] | None = None) -> dict[str, Any]:
        """The Gmail Message resource in the requested format (minimal, metadata, full or raw)."""
        fmt = fmt.lower()
        body: dict[str, Any] = {"id": self.id, "threadId": self.thread_id, "labelIds": list(self.label_ids)}
        if fmt == "raw":
            body["raw"] = mime.b64url_encode(self.raw)
        elif fmt == "metadata":
            keep = {h.lower() for h in metadata_headers} if metadata_headers else None
            body["payload"] = mime.payload(self.parsed, headers_only=True, keep=keep)
        elif fmt == "full":
            body["payload"] = mime.payload(self.parsed, headers_only=False)
        elif fmt != "minimal":
            raise invalid_argument(f"Invalid format: {fmt}")
        body.update(
            snippet=mime.snippet(self.parsed),
            sizeEstimate=len(self.raw),
            historyId=str(self.history_id),
            internalDate=str(self.internal_date_ms),
        )
        return body


@dataclass
class HistoryRecord:
    id: int
    message_id: str


@dataclass
class Watch:
    topic_name: str
    label_ids: list[str]
    exclude: bool
    expiration_ms: int
    history_id: int


@dataclass
class PushConfig:
    """Where the Pub/Sub subscription behind a watch pushes to."""

    endpoint: str
    audience: str
    service_account: str
    subscription: str
    # Google's guide shows historyId as a string in the push data; a number is also seen in the wild.
    numeric_history_id: bool = False


@dataclass
class Mailbox:
    address: str
    aliases: list[str]
    history_id: int
    # A super administrator of its Google Workspace domain (the Directory API's `isAdmin`).
    workspace_admin: bool = False
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    history: list[HistoryRecord] = field(default_factory=list)
    # startHistoryId below this answers 404, as Gmail does once history is no longer retained.
    retained_from: int = 0
    watch: Watch | None = None
    push: PushConfig | None = None
    # Indexes kept by add(), so a delivery, a thread read or a history read never scans the mailbox.
    by_message_id_header: dict[str, str] = field(default_factory=dict)
    threads: dict[str, list[str]] = field(default_factory=dict)

    def add(self, message: StoredMessage) -> None:
        """Store a message with its history record (history ids only grow, so history stays sorted)."""
        self.messages[message.id] = message
        self.history.append(HistoryRecord(message.history_id, message.id))
        if message.message_id_header:
            # The first message carrying a Message-ID keeps it, as the scan over all messages did.
            self.by_message_id_header.setdefault(message.message_id_header, message.id)
        self.threads.setdefault(message.thread_id, []).append(message.id)

    def history_after(self, start: int) -> list[HistoryRecord]:
        """History records with an id above `start`, oldest first (a binary search, not a scan)."""
        index = bisect.bisect_right(self.history, start, key=lambda record: record.id)
        return self.history[index:]

    def owns(self, user_id: str) -> bool:
        lowered = user_id.lower()
        return lowered == "me" or lowered == self.address or lowered in self.aliases

    def thread_for(self, parsed: EmailMessage) -> str | None:
        """The thread of the message this one replies to (In-Reply-To, then References)."""
        wanted = mime.message_ids(str(parsed["In-Reply-To"] or "")) + list(
            reversed(mime.message_ids(str(parsed["References"] or "")))
        )
        for message_id in wanted:
            found = self.by_message_id_header.get(message_id)
            if found is not None:
                return self.messages[found].thread_id
        return None

    def thread_messages(self, thread_id: str) -> list[StoredMessage]:
        return [self.messages[mid] for mid in self.threads.get(thread_id, ())]

    def ordered(self) -> list[StoredMessage]:
        """Newest first, as messages.list answers."""
        return sorted(self.messages.values(), key=lambda m: (m.internal_date_ms, m.id), reverse=True)

    def profile(self) -> dict[str, Any]:
        return {
            "emailAddress": self.address,
            "messagesTotal": len(self.messages),
            "threadsTotal": len({m.thread_id for m in self.messages.values()}),
            "historyId": str(self.history_id),
        }

    def watch_wants(self, labels: list[str], now_ms: int) -> bool:
        watch = self.watch
        if watch is None or watch.expiration_ms <= now_ms:
            return False
        if not watch.label_ids:
            return True
        overlap = bool(set(watch.label_ids) & set(labels))
        return not overlap if watch.exclude else overlap


_TERM = re.compile(r'(-?)(?:(\w+):)?("[^"]*"|\S+)')
_RELATIVE = {"d": 86400, "m": 86400 * 30, "y": 86400 * 365, "h": 3600}


def _date_term(value: str) -> float:
    if value.isdigit():
        return float(value)
    for fmt in ("%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise invalid_argument(f"Invalid date in query: {value}")


def _relative_term(value: str) -> float:
    match = re.fullmatch(r"(\d+)([dmyh])", value)
    if not match:
        raise invalid_argument(f"Invalid relative date in query: {value}")
    return int(match.group(1)) * _RELATIVE[match.group(2)]


def matches_query(message: StoredMessage, query: str, now_ts: float) -> bool:
    """A subset of Gmail search: after/before/newer_than/older_than, in/label/is, from/to/subject, text."""
    for negate, operator, raw_value in _TERM.findall(query or ""):
        value = raw_value.strip('"')
        ok = _term_matches(message, (operator or "").lower(), value, now_ts)
        if ok == bool(negate):
            return False
    return True


def _term_matches(message: StoredMessage, operator: str, value: str, now_ts: float) -> bool:
    sent_at = message.internal_date_ms / 1000
    lowered = value.lower()
    if operator == "after":
        return sent_at > _date_term(value)
    if operator == "before":
        return sent_at < _date_term(value)
    if operator == "newer_than":
        return sent_at > now_ts - _relative_term(value)
    if operator == "older_than":
        return sent_at < now_ts - _relative_term(value)
    if operator in ("in", "label"):
        return lowered.upper() in message.label_ids or lowered in {lb.lower() for lb in message.label_ids}
    if operator == "is":
        return {"unread": "UNREAD", "starred": "STARRED", "important": "IMPORTANT"}.get(
            lowered, lowered.upper()
        ) in message.label_ids
    if operator in ("from", "to", "cc", "subject"):
        return lowered in message.header(operator).lower()
    if operator == "rfc822msgid":
        return value.strip("<>") == (message.message_id_header or "").strip("<>")
    text = value if not operator else f"{operator}:{value}"
    return text.lower() in message.raw.decode("utf-8", errors="replace").lower()
