"""All of the Google side's state for one emulator app, behind one lock."""

from __future__ import annotations

import base64
import fnmatch
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from addin_emulator.clock import Clock
from addin_emulator.google import mime
from addin_emulator.google.calendars import CHANNEL_LIFETIME_MS, Calendar, CalendarEvent, Channel
from addin_emulator.google.errors import GoogleApiError, invalid_argument, not_found
from addin_emulator.google.issuer import PUSH_SERVICE_ACCOUNT, TokenIssuer
from addin_emulator.google.mailboxes import (
    WATCH_LIFETIME,
    Mailbox,
    PushConfig,
    StoredMessage,
    Watch,
)
from addin_emulator.google.outbox import Outbox

EXTENSION_KEY = "emulator_google"
DEFAULT_CLIENT_ID = "000000000000-emulator.apps.googleusercontent.com"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"  # noqa: S105 - a fixed test credential, not a secret
ACCESS_TOKEN_LIFETIME = 3600
REQUEST_LOG_LIMIT = 5000
DEFAULT_SUBSCRIPTION = "projects/sequence-sidebar-emulator/subscriptions/gmail-push"
# Each new mailbox starts its history ids at a different base, so ids never look interchangeable.
HISTORY_BASE = 100_000


@dataclass
class Grant:
    refresh_token: str
    address: str
    client_id: str
    client_secret: str
    scopes: list[str]
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    address: str
    expires_at: float
    refresh_token: str


@dataclass
class RouteFault:
    route: str
    method: str | None
    status: int | None  # None: the request is only slowed by delay_seconds, then answered as usual
    remaining: int
    retry_after: str | None
    reason: str | None
    message: str | None
    delay_seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "method": self.method,
            "status": self.status,
            "remaining": self.remaining,
            "retry_after": self.retry_after,
            "reason": self.reason,
            "delay_seconds": self.delay_seconds,
        }


class GoogleState:
    def __init__(self, clock: Clock, base_url: str) -> None:
        self.clock = clock
        self.base_url = base_url.rstrip("/")
        self.lock = threading.RLock()
        self.issuer = TokenIssuer()
        self.outbox = Outbox(clock, self.lock)
        self._reset_locked()

    def _reset_locked(self) -> None:
        self.mailboxes: dict[str, Mailbox] = {}
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.codes: dict[str, Grant] = {}
        self.calendars: dict[str, Calendar] = {}
        self.channels: dict[str, Channel] = {}
        self.faults: list[RouteFault] = []
        self.request_log: list[dict[str, Any]] = []
        self.default_push: PushConfig | None = None
        self._counter = 0
        self._message_counter = 0x18C0_0000_0000_0000
        self._pubsub_counter = 2_070_443_601_311_540

    def reset(self) -> None:
        """Forget every mailbox, grant, calendar, fault and queued notification (not the clock)."""
        with self.lock:
            self._reset_locked()
        self.outbox.reset()

    def close(self) -> None:
        """Stop the background delivery thread, if the demo started one (call when the server stops)."""
        self.outbox.set_mode("manual")

    def next_number(self) -> int:
        with self.lock:
            self._counter += 1
            return self._counter

    # ---- mailboxes -------------------------------------------------------------------------

    def create_mailbox(self, address: str, aliases: list[str] | None = None, *,
                       workspace_admin: bool = False) -> Mailbox:
        address = address.strip().lower()
        if "@" not in address:
            raise invalid_argument(f"Invalid mailbox address: {address}")
        with self.lock:
            if address in self.mailboxes:
                return self.mailboxes[address]
            start = HISTORY_BASE * (len(self.mailboxes) + 1)
            mailbox = Mailbox(
                address=address,
                aliases=[a.strip().lower() for a in aliases or []],
                history_id=start,
                retained_from=start,
                workspace_admin=workspace_admin,
            )
            self.mailboxes[address] = mailbox
            self.calendars[address] = Calendar(id=address)
            return mailbox

    def mailbox(self, address: str) -> Mailbox:
        lowered = address.strip().lower()
        with self.lock:
            for mailbox in self.mailboxes.values():
                if lowered == mailbox.address or lowered in mailbox.aliases:
                    return mailbox
        raise not_found()

    def _new_message_id(self) -> str:
        self._message_counter += 1
        return f"{self._message_counter:016x}"

    def send_message(self, mailbox: Mailbox, raw: bytes, thread_id: str | None) -> StoredMessage:
        """users.messages.send: store with SENT, keep or add Message-ID, thread only by threadId."""
        with self.lock:
            if thread_id and not mailbox.thread_messages(thread_id):
                raise not_found()
            message_id = self._new_message_id()
            header_id = f"<emu.{message_id}@mail.gmail.com>"
            complete = mime.complete_outgoing(raw, mailbox.address, header_id, self.clock.timestamp())
            sent = self._store(mailbox, message_id, complete, ["SENT"], thread_id)
            # Mail between two emulated mailboxes arrives, so a demo can answer from the other side.
            for address in mime.recipients(sent.parsed):
                local = self._local_mailbox(address)
                if local is not None and local is not mailbox:
                    self.deliver_message(local, mime.without_bcc(complete))
            return sent

    def _local_mailbox(self, address: str) -> Mailbox | None:
        for mailbox in self.mailboxes.values():
            if address == mailbox.address or address in mailbox.aliases:
                return mailbox
        return None

    def deliver_message(self, mailbox: Mailbox, raw: bytes, labels: list[str] | None = None) -> StoredMessage:
        """An inbound message arrives: INBOX + UNREAD, threaded by In-Reply-To / References."""
        with self.lock:
            parsed = mime.parse(raw)
            thread_id = mailbox.thread_for(parsed)
            message_id = self._new_message_id()
            return self._store(mailbox, message_id, raw, labels or ["INBOX", "UNREAD"], thread_id)

    def _store(
        self, mailbox: Mailbox, message_id: str, raw: bytes, labels: list[str], thread_id: str | None
    ) -> StoredMessage:
        mailbox.history_id += 1
        message = StoredMessage(
            id=message_id,
            thread_id=thread_id or message_id,
            label_ids=list(labels),
            raw=raw,
            internal_date_ms=self.clock.millis(),
            history_id=mailbox.history_id,
            parsed=mime.parse(raw),
        )
        mailbox.add(message)
        if mailbox.watch_wants(message.label_ids, self.clock.millis()):
            self._queue_push(mailbox)
        return message

    def relabel(self, mailbox: Mailbox, message_id: str, add: list[str], remove: list[str]) -> StoredMessage:
        """users.messages.modify / trash / untrash: labels changed after the message landed. The change
        moves the mailbox's history id on (a labels change, not a messageAdded record) and is pushed
        as any change the watch wants."""
        with self.lock:
            message = mailbox.messages.get(message_id)
            if message is None:
                raise not_found()
            labels = [label for label in message.label_ids if label not in remove]
            labels += [label for label in add if label not in labels]
            message.label_ids = labels
            mailbox.history_id += 1
            message.history_id = mailbox.history_id
            if mailbox.watch_wants(message.label_ids, self.clock.millis()):
                self._queue_push(mailbox)
            return message

    def expire_history(self, mailbox: Mailbox, before: int | None = None) -> int:
        """Stop retaining history older than `before` (default: all of it so far)."""
        with self.lock:
            cutoff = mailbox.history_id if before is None else before
            mailbox.retained_from = max(mailbox.retained_from, cutoff)
            mailbox.history = [r for r in mailbox.history if r.id > mailbox.retained_from]
            return mailbox.retained_from

    def watch(self, mailbox: Mailbox, topic_name: str, label_ids: list[str], exclude: bool) -> Watch:
        with self.lock:
            expiration = self.clock.now() + WATCH_LIFETIME
            mailbox.watch = Watch(
                topic_name=topic_name,
                label_ids=label_ids,
                exclude=exclude,
                expiration_ms=int(expiration.timestamp() * 1000),
                history_id=mailbox.history_id,
            )
            return mailbox.watch

    # ---- Pub/Sub push ----------------------------------------------------------------------

    def set_push(self, config: dict[str, Any], mailbox: Mailbox | None = None) -> PushConfig:
        endpoint = str(config.get("endpoint") or "")
        if not endpoint.startswith(("http://", "https://")):
            raise invalid_argument("endpoint must be an http(s) URL")
        push = PushConfig(
            endpoint=endpoint,
            audience=str(config.get("audience") or endpoint),
            service_account=str(config.get("service_account") or PUSH_SERVICE_ACCOUNT),
            subscription=str(config.get("subscription") or DEFAULT_SUBSCRIPTION),
            numeric_history_id=bool(config.get("numeric_history_id")),
        )
        with self.lock:
            if mailbox is None:
                self.default_push = push
            else:
                mailbox.push = push
        return push

    def _queue_push(self, mailbox: Mailbox) -> None:
        push = mailbox.push or self.default_push
        if push is None:
            return
        self._pubsub_counter += 1
        message_id = str(self._pubsub_counter)
        publish_time = self.clock.now().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        history_id: int | str = mailbox.history_id if push.numeric_history_id else str(mailbox.history_id)
        data = json.dumps({"emailAddress": mailbox.address, "historyId": history_id})
        body = {
            "message": {
                "data": base64.b64encode(data.encode()).decode("ascii"),
                "messageId": message_id,
                "message_id": message_id,
                "publishTime": publish_time,
                "publish_time": publish_time,
                "attributes": {},
            },
            "subscription": push.subscription,
        }
        issuer = self.issuer

        def sign() -> dict[str, str]:
            return {"Authorization": f"Bearer {issuer.pubsub_token(push.audience, push.service_account)}"}

        self.outbox.enqueue(
            "pubsub",
            push.endpoint,
            {"Content-Type": "application/json", "User-Agent": "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)"},
            json.dumps(body).encode(),
            sign,
        )

    # ---- OAuth -----------------------------------------------------------------------------

    def issue_grant(
        self,
        address: str,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        scopes: list[str] | None = None,
    ) -> Grant:
        mailbox = self.mailbox(address)
        with self.lock:
            token = f"1//emulator-refresh-{self.next_number():06d}"
            grant = Grant(token, mailbox.address, client_id, client_secret, scopes or [])
            self.grants[token] = grant
            return grant

    def issue_code(self, grant: Grant) -> str:
        with self.lock:
            code = f"4/emulator-code-{self.next_number():06d}"
            self.codes[code] = grant
            return code

    def revoke(self, refresh_token: str | None = None, address: str | None = None) -> int:
        """Revoke one refresh token, or every grant of a mailbox; their access tokens die too."""
        with self.lock:
            revoked = [
                g
                for g in self.grants.values()
                if (refresh_token and g.refresh_token == refresh_token)
                or (address and g.address == address.lower())
            ]
            ended = {g.refresh_token for g in revoked}
            for grant in revoked:
                grant.revoked = True
            for token in [t for t, a in self.access_tokens.items() if a.refresh_token in ended]:
                del self.access_tokens[token]
            return len(revoked)

    def issue_access_token(self, grant: Grant) -> AccessToken:
        with self.lock:
            token = AccessToken(
                token=f"ya29.emulator-{self.next_number():06d}",
                address=grant.address,
                expires_at=self.clock.timestamp() + ACCESS_TOKEN_LIFETIME,
                refresh_token=grant.refresh_token,
            )
            self.access_tokens[token.token] = token
            return token

    def mailbox_for_token(self, token: str) -> Mailbox | None:
        with self.lock:
            access = self.access_tokens.get(token)
            if access is None or access.expires_at <= self.clock.timestamp():
                return None
            return self.mailboxes.get(access.address)

    # ---- faults and the request log --------------------------------------------------------

    def add_fault(self, spec: dict[str, Any]) -> RouteFault:
        delay = float(spec.get("delay_seconds") or 0)
        # A delay alone slows the request (a slow provider); a status answers it instead.
        status = int(spec["status"]) if spec.get("status") is not None else (None if delay else 503)
        retry_after = spec.get("retry_after")
        fault = RouteFault(
            route=str(spec.get("route") or "*"),
            method=(str(spec["method"]).upper() if spec.get("method") else None),
            status=status,
            remaining=int(spec.get("count", 1)),
            retry_after=None if retry_after is None else str(retry_after),
            reason=spec.get("reason"),
            message=spec.get("message"),
            delay_seconds=delay,
        )
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, method: str, path: str) -> GoogleApiError | None:
        taken: RouteFault | None = None
        with self.lock:
            for fault in self.faults:
                if fault.remaining <= 0 or (fault.method and fault.method != method):
                    continue
                if not fnmatch.fnmatchcase(path, fault.route):
                    continue
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
                taken = fault
                break
        if taken is None:
            return None
        if taken.delay_seconds:
            time.sleep(taken.delay_seconds)  # outside the lock: other requests go on meanwhile
        if taken.status is None:
            return None
        headers = {"Retry-After": taken.retry_after} if taken.retry_after is not None else {}
        return GoogleApiError(taken.status, taken.message, taken.reason, headers=headers)

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            entry["seq"] = len(self.request_log) + 1
            self.request_log.append(entry)
            del self.request_log[:-REQUEST_LOG_LIMIT]

    # ---- Calendar --------------------------------------------------------------------------

    def calendar(self, calendar_id: str, mailbox: Mailbox) -> Calendar:
        """The mailbox's own calendar ("primary" or its address); others are not visible."""
        if calendar_id != "primary" and not mailbox.owns(calendar_id):
            raise not_found()
        with self.lock:
            return self.calendars[mailbox.address]

    def save_event(self, calendar: Calendar, event_id: str | None, fields: dict[str, Any]) -> CalendarEvent:
        """Insert or change an event; each change moves the calendar's sequence and notifies channels."""
        with self.lock:
            calendar.seq += 1
            now = self.clock.now().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if event_id is None:
                event_id = f"emu{self.next_number():08d}"
                body: dict[str, Any] = {
                    "kind": "calendar#event",
                    "id": event_id,
                    "status": "confirmed",
                    "htmlLink": f"{self.base_url}/calendar/event?eid={event_id}",
                    "created": now,
                    "creator": {"email": calendar.id, "self": True},
                    "organizer": {"email": calendar.id, "self": True},
                    "iCalUID": f"{event_id}@google.com",
                    "sequence": 0,
                    "reminders": {"useDefault": True},
                    "eventType": "default",
                }
            else:
                body = dict(calendar.events[event_id].body)
            body.update(fields)
            body["updated"] = now
            body["etag"] = f'"{calendar.seq:016d}"'
            event = CalendarEvent(id=event_id, body=body, seq=calendar.seq)
            calendar.events[event_id] = event
            for channel in self.channels.values():
                if channel.calendar_id == calendar.id:
                    self._notify_channel(channel, "exists")
            return event

    def open_channel(self, calendar: Calendar, spec: dict[str, Any]) -> Channel:
        channel_id = str(spec.get("id") or "")
        address = str(spec.get("address") or "")
        if not channel_id or not address.startswith(("http://", "https://")):
            raise invalid_argument("A channel needs an id and an https address.")
        if spec.get("type", "web_hook") not in ("web_hook", "webhook"):
            raise invalid_argument(f"Unsupported channel type: {spec.get('type')}")
        with self.lock:
            if channel_id in self.channels and not self.channels[channel_id].stopped:
                raise GoogleApiError(400, f"Channel id {channel_id} not unique", "channelIdNotUnique")
            now_ms = self.clock.millis()
            expiration = now_ms + CHANNEL_LIFETIME_MS
            if spec.get("expiration"):
                expiration = min(expiration, int(spec["expiration"]))
            channel = Channel(
                id=channel_id,
                resource_id=f"emu-resource-{self.next_number():06d}",
                resource_uri=f"{self.base_url}/calendar/v3/calendars/{calendar.id}/events?alt=json",
                token=spec.get("token"),
                address=address,
                expiration_ms=expiration,
                calendar_id=calendar.id,
            )
            self.channels[channel_id] = channel
            self._notify_channel(channel, "sync")
            return channel

    def _notify_channel(self, channel: Channel, state: str) -> None:
        if channel.stopped or channel.expiration_ms <= self.clock.millis():
            return
        channel.message_number += 1
        expires = datetime.fromtimestamp(channel.expiration_ms / 1000, UTC)
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Channel-Expiration": expires.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-State": state,
            "X-Goog-Resource-URI": channel.resource_uri,
            "X-Goog-Message-Number": str(channel.message_number),
        }
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        self.outbox.enqueue("calendar", channel.address, headers, b"")

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        with self.lock:
            channel = self.channels.get(channel_id)
            if channel is None or channel.resource_id != resource_id or channel.stopped:
                raise GoogleApiError(404, f"Channel '{channel_id}' not found for project", "notFound")
            channel.stopped = True


def google_state(app: Flask) -> GoogleState:
    """The Google side's state of an emulator app (tests and the demo reach in through this)."""
    state = app.extensions[EXTENSION_KEY]
    assert isinstance(state, GoogleState)
    return state
