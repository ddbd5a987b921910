"""The Microsoft side's in-memory world: apps, tenants, mailboxes, messages, events, subscriptions.

Everything lives on one `MicrosoftWorld` per emulator app, guarded by one re-entrant lock. Ids come
from counters so runs are repeatable; only key material is random.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from addin_emulator.clock import Clock

# Documented as 4,230 minutes in older pages and 10,080 in newer ones; the emulator enforces the
# lower figure, as DESIGN.md asks providers to cap at it.
MAX_SUBSCRIPTION_MINUTES = 4230
# Graph: "at most 4 concurrent requests per mailbox" for the Outlook resources.
MAILBOX_CONCURRENCY_LIMIT = 4
GRAPH_AUDIENCE = "https://graph.microsoft.com"
# The Outlook clients' own app id, which appears as azp in the add-in's SSO tokens.
OUTLOOK_CLIENT_APP_ID = "bc59ab01-8403-45c6-8796-ac3ef710b3e3"

MESSAGE_CLASS_NOTE = "IPM.Note"
MESSAGE_CLASS_OOF = "IPM.Note.Rules.OofTemplate.Microsoft"
MESSAGE_CLASS_NDR = "REPORT.IPM.Note.NDR"

WELL_KNOWN_FOLDERS = ("inbox", "drafts", "sentitems", "deleteditems")


def counter_guid(kind: int, number: int) -> str:
    """A GUID that is the same on every run: the kind in the first block, the counter at the end."""
    return str(uuid.UUID(f"{kind:08x}-0000-4000-8000-{number:012x}"))


def counter_token(prefix: str, text: str) -> str:
    """An opaque-looking, Graph-style id built from a readable counter."""
    return prefix + base64.urlsafe_b64encode(text.encode()).decode()


FOLDER_ID_PREFIX = "AAMkAG"


def folder_message_id(key: str, folder: str) -> str:
    """A message's folder-dependent id: it changes when the message moves, as Graph's does."""
    return counter_token(FOLDER_ID_PREFIX, f"{key}@{folder}")


def key_of_folder_id(message_id: str) -> str | None:
    """The immutable id inside a folder id made by folder_message_id, or None."""
    if not message_id.startswith(FOLDER_ID_PREFIX):
        return None
    try:
        text = base64.urlsafe_b64decode(message_id[len(FOLDER_ID_PREFIX):]).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    key, at, _ = text.rpartition("@")
    return key if at else None


def change_key(key: str, version: int) -> str:
    """Exchange's changeKey: a new value on every change of the item."""
    return base64.b64encode(hashlib.sha256(f"{key}:{version}".encode()).digest()).decode()[:28]


def iso(moment: datetime) -> str:
    """Graph's UTC timestamps: seconds precision and a Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RegisteredApp:
    client_id: str
    client_secret: str
    home_tenant_id: str
    display_name: str
    # tenant id -> admin consent granted; tenants not listed are consented (the emulator's default).
    consent: dict[str, bool] = field(default_factory=dict)

    def consented(self, tenant_id: str) -> bool:
        return self.consent.get(tenant_id, True)


@dataclass
class Message:
    key: str  # the immutable id (Prefer: IdType="ImmutableId")
    id: str  # the folder-dependent id, which changes when the message moves, as Graph's does
    folder: str
    subject: str
    body_type: str
    body: str
    from_: dict[str, str] | None
    to: list[dict[str, str]]
    cc: list[dict[str, str]]
    bcc: list[dict[str, str]]
    reply_to: list[dict[str, str]]
    internet_message_id: str
    conversation_id: str
    is_draft: bool
    created: datetime
    modified: datetime
    received: datetime
    sent: datetime | None
    message_class: str = MESSAGE_CLASS_NOTE
    headers: list[dict[str, str]] | None = None
    mime: bytes | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    is_read: bool = False
    importance: str = "normal"
    has_attachments: bool = False
    # Custom x- headers given on a draft: they travel in its MIME, not in internetMessageHeaders.
    custom_headers: list[dict[str, str]] = field(default_factory=list)
    version: int = 1
    seq: int = 0  # the mailbox change sequence of the last change (for delta)

    @property
    def change_key(self) -> str:
        return change_key(self.key, self.version)

    @property
    def etag(self) -> str:
        return f'W/"{self.change_key}"'


@dataclass
class CalendarEvent:
    key: str
    subject: str
    body_type: str
    body: str
    start: datetime
    end: datetime
    time_zone: str
    location: str
    attendees: list[dict[str, Any]]
    organizer: dict[str, str]
    show_as: str
    is_all_day: bool
    created: datetime
    modified: datetime
    ical_uid: str
    version: int = 1

    @property
    def change_key(self) -> str:
        return change_key(self.key, self.version)


@dataclass
class Tombstone:
    seq: int
    folder: str
    message_id: str


@dataclass
class Mailbox:
    address: str
    user_id: str
    tenant_id: str
    display_name: str
    aliases: list[str]
    folder_ids: dict[str, str]
    messages: dict[str, Message] = field(default_factory=dict)  # by key, in creation order
    # Role template ids of the user's Entra ID directory roles: Entra ID's `wids` claim.
    directory_roles: list[str] = field(default_factory=list)
    events: dict[str, CalendarEvent] = field(default_factory=dict)
    tombstones: list[Tombstone] = field(default_factory=list)
    seq: int = 0

    def addresses(self) -> set[str]:
        return {self.address.lower(), *(a.lower() for a in self.aliases)}

    def find_message(self, message_id: str) -> Message | None:
        """By immutable id or by folder id, without scanning the mailbox (fetches happen per message)."""
        found = self.messages.get(message_id)
        if found is not None:
            return found
        key = key_of_folder_id(message_id)
        found = self.messages.get(key) if key else None
        if found is not None and found.id == message_id:
            return found
        for message in self.messages.values():  # a moved message's old id, or an id made another way
            if message_id in (message.id, message.key):
                return message
        return None

    def folder_of_id(self, folder_ref: str) -> str | None:
        ref = folder_ref.strip("'\"").lower()
        if ref in self.folder_ids:
            return ref
        for name, folder_id in self.folder_ids.items():
            if folder_id.lower() == ref:
                return name
        return None


@dataclass
class Subscription:
    id: str
    app_id: str
    tenant_id: str
    creator_id: str
    resource: str
    change_types: list[str]
    notification_url: str
    lifecycle_url: str | None
    expiration: datetime
    client_state: str | None
    tls_version: str
    mailbox_address: str
    kind: str  # "messages" or "events"
    folder: str | None  # for messages: "inbox", or None for the whole mailbox


@dataclass
class RefreshGrant:
    token: str
    client_id: str
    tenant_id: str
    user_id: str
    scopes: list[str]
    revoked: bool = False


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    tenant_id: str
    user_id: str
    redirect_uri: str
    scopes: list[str]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: datetime
    redeemed: bool = False


@dataclass
class Fault:
    """An injected answer for requests whose path matches `route` (fnmatch; `*` crosses slashes)."""

    id: int
    route: str
    method: str | None
    status: int | None
    remaining: int
    retry_after: int | None
    delay_seconds: float
    code: str | None
    hits: int = 0


@dataclass
class NotificationFault:
    """What to do to the next `remaining` notifications: drop, delay or duplicate them."""

    action: str
    remaining: int
    delay_seconds: float = 0.0


@dataclass
class Outbound:
    """One notification POST waiting for delivery."""

    id: int
    kind: str  # "change" or "lifecycle"
    subscription_id: str
    url: str
    body: dict[str, Any]
    due_at: datetime
    attempts: int = 0


@dataclass
class MicrosoftWorld:
    clock: Clock
    lock: threading.RLock = field(default_factory=threading.RLock)
    apps: dict[str, RegisteredApp] = field(default_factory=dict)
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)  # by lower-case primary address
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    refresh_grants: dict[str, RefreshGrant] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    notification_faults: list[NotificationFault] = field(default_factory=list)
    outbox: list[Outbound] = field(default_factory=list)
    delivery_log: list[dict[str, Any]] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    extra_tenants: set[str] = field(default_factory=set)

    def next(self, name: str) -> int:
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + 1
            return self.counters[name]

    def tenants(self) -> set[str]:
        with self.lock:
            known = {m.tenant_id for m in self.mailboxes.values()}
            known |= {a.home_tenant_id for a in self.apps.values()}
            return known | self.extra_tenants

    def mailbox_for(self, ref: str) -> Mailbox | None:
        """Find a mailbox by user id, primary address or alias (Graph accepts id or UPN)."""
        wanted = ref.strip().lower()
        with self.lock:
            if wanted in self.mailboxes:
                return self.mailboxes[wanted]
            for mailbox in self.mailboxes.values():
                if mailbox.user_id.lower() == wanted or wanted in mailbox.addresses():
                    return mailbox
        return None

    def mailbox_by_user_id(self, user_id: str) -> Mailbox | None:
        with self.lock:
            for mailbox in self.mailboxes.values():
                if mailbox.user_id == user_id:
                    return mailbox
        return None

    def create_mailbox(
        self,
        address: str,
        tenant_id: str,
        *,
        user_id: str | None = None,
        display_name: str | None = None,
        aliases: list[str] | None = None,
        directory_roles: list[str] | None = None,
    ) -> Mailbox:
        with self.lock:
            existing = self.mailboxes.get(address.lower())
            if existing is not None:
                return existing
            number = self.next("mailbox")
            folder_ids = {
                name: counter_token("AQMkAD", f"mailbox{number:04d}:folder:{name}")
                for name in WELL_KNOWN_FOLDERS
            }
            mailbox = Mailbox(
                address=address,
                user_id=user_id or counter_guid(0x05E7, number),
                tenant_id=tenant_id,
                display_name=display_name or address.split("@")[0].replace(".", " ").title(),
                aliases=list(aliases or []),
                folder_ids=folder_ids,
                directory_roles=list(directory_roles or []),
            )
            self.mailboxes[address.lower()] = mailbox
            return mailbox

    def touch(self, mailbox: Mailbox, message: Message) -> None:
        """Record a change to a message for delta queries (and its etag)."""
        with self.lock:
            mailbox.seq += 1
            message.seq = mailbox.seq
            message.version += 1
            message.modified = self.clock.now()

    def move(self, mailbox: Mailbox, message: Message, folder: str) -> None:
        with self.lock:
            mailbox.seq += 1
            mailbox.tombstones.append(Tombstone(mailbox.seq, message.folder, message.id))
            message.folder = folder
            message.id = folder_message_id(message.key, folder)
            self.touch(mailbox, message)
