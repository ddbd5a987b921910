"""Google Calendar in memory: one primary calendar per mailbox, its events, sync tokens and channels."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from addin_emulator.google.errors import GoogleApiError, invalid_argument

CHANNEL_LIFETIME_MS = 7 * 24 * 3600 * 1000


@dataclass
class CalendarEvent:
    id: str
    body: dict[str, Any]
    seq: int

    @property
    def cancelled(self) -> bool:
        return self.body.get("status") == "cancelled"

    def resource(self) -> dict[str, Any]:
        if self.cancelled:
            # Deleted events come back from incremental sync with only their id and status.
            return {"kind": "calendar#event", "etag": self.body["etag"], "id": self.id, "status": "cancelled"}
        return dict(self.body)


@dataclass
class Channel:
    id: str
    resource_id: str
    resource_uri: str
    token: str | None
    address: str
    expiration_ms: int
    calendar_id: str
    message_number: int = 0
    stopped: bool = False

    def resource(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "api#channel",
            "id": self.id,
            "resourceId": self.resource_id,
            "resourceUri": self.resource_uri,
            "expiration": str(self.expiration_ms),
        }
        if self.token is not None:
            body["token"] = self.token
        return body


@dataclass
class Calendar:
    id: str
    events: dict[str, CalendarEvent] = field(default_factory=dict)
    seq: int = 0
    # Bumped by the control API: every sync token of an older epoch answers 410 Gone.
    epoch: int = 1

    def sync_token(self) -> str:
        return _encode({"e": self.epoch, "s": self.seq})

    def changes_since(self, token: str) -> tuple[list[CalendarEvent], int]:
        state = _decode(token, "syncToken")
        if state.get("e") != self.epoch:
            raise GoogleApiError(
                410, "Sync token is no longer valid, a full sync is required.", "fullSyncRequired"
            )
        since = int(state.get("s", 0))
        return [e for e in self.ordered() if e.seq > since], since

    def ordered(self) -> list[CalendarEvent]:
        return sorted(self.events.values(), key=lambda e: e.seq)

    def busy(self, time_min: datetime, time_max: datetime) -> list[dict[str, str]]:
        periods = []
        for event in self.ordered():
            if event.cancelled or event.body.get("transparency") == "transparent":
                continue
            start, end = event_time(event.body.get("start")), event_time(event.body.get("end"))
            if start is None or end is None or end <= time_min or start >= time_max:
                continue
            periods.append((max(start, time_min), min(end, time_max)))
        periods.sort()
        return [{"start": rfc3339(s), "end": rfc3339(e)} for s, e in periods]


def parse_time(value: str | None, name: str) -> datetime:
    if not value:
        raise invalid_argument(f"Missing {name}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid_argument(f"Bad Request: invalid {name}") from exc
    if parsed.tzinfo is None:
        raise invalid_argument(f"Bad Request: {name} needs a time zone offset")
    return parsed


def event_time(value: Any) -> datetime | None:
    if not isinstance(value, dict):
        return None
    if value.get("dateTime"):
        return parse_time(value["dateTime"], "dateTime")
    if value.get("date"):
        return parse_time(f"{value['date']}T00:00:00+00:00", "date")
    return None


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(token: str, name: str) -> dict[str, Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError as exc:
        raise invalid_argument(f"Invalid {name} value.") from exc
    if not isinstance(decoded, dict):
        raise invalid_argument(f"Invalid {name} value.")
    return decoded


def encode_page_token(state: dict[str, Any]) -> str:
    return _encode(state)


def decode_page_token(token: str) -> dict[str, Any]:
    return _decode(token, "pageToken")
