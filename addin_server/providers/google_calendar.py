"""Google Calendar through google-api-python-client: follow the rep's calendar, book into it, free/busy.

Like the Gmail adapter, the client is built from the bundled (static) discovery document and pointed
at GOOGLE_CALENDAR_API_ENDPOINT, with credentials from the rep's refresh token, so the same code
talks to Google or to the local emulator. Retries on 429, 5xx and the 403 rate-limit reasons are the
library's own (`execute(num_retries=...)`).

Following a calendar: events.watch opens a channel (our id, a secret token, our webhook address, an
expiry); Google then POSTs a "sync" message and an "exists" message on every change, carrying no
data. A notification is a hint: the changes are read with events.list from the stored sync token,
and a 410 (the token is no longer valid) is answered by a full listing bounded to a time window.
Channels cannot be renewed: a new one is opened before the old one expires, then the old is stopped.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import google.auth.exceptions
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from addin_server.config import Settings
from addin_server.providers.gmail import credentials_for

# What the rep's consent needs besides Gmail: events (read, create) and free/busy.
CALENDAR_SCOPES = ("https://www.googleapis.com/auth/calendar.events",
                   "https://www.googleapis.com/auth/calendar.freebusy")
RETRIES = 5
# Google caps channels at about a week; ask for that and renew a day before.
CHANNEL_LIFETIME = timedelta(days=7)
MAX_PAGES = 50


class CalendarError(Exception):
    """Google Calendar refused or failed after retries."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class SyncTokenExpired(CalendarError):
    """Google answered 410 to the stored sync token: a full sync is required."""


class CalendarGrantRevoked(CalendarError):
    """The rep's refresh token no longer works: the calendar must be reconnected."""


@dataclass(frozen=True)
class WatchChannel:
    id: str
    resource_id: str
    expires_at: datetime


@dataclass(frozen=True)
class EventChanges:
    events: tuple[dict[str, Any], ...]  # changed events, oldest change first (cancelled ones included)
    next_sync_token: str


@dataclass(frozen=True)
class BookedEvent:
    id: str
    html_link: str


def booking_event_id(secret: str, meeting_id: int) -> str:
    """A stable event id for a booked meeting (base32hex, as Google requires), so a retried insert
    after a lost answer is refused as a duplicate instead of making a second event."""
    digest = hashlib.sha256(f"{secret}:booking:{meeting_id}".encode()).digest()[:20]
    return base64.b32hexencode(digest).decode("ascii").lower().rstrip("=")


class GoogleCalendar:
    """One rep's primary Google calendar."""

    def __init__(self, settings: Settings, refresh_token: str, address: str = "primary") -> None:
        self.settings = settings
        self.address = address
        self.calendar_id = "primary"
        self._service = build("calendar", "v3", credentials=credentials_for(settings, refresh_token),
                              static_discovery=True, cache_discovery=False,
                              client_options={"api_endpoint": settings.google_calendar_api_endpoint})

    def _execute(self, request: Any) -> Any:
        try:
            return request.execute(num_retries=RETRIES)
        except google.auth.exceptions.RefreshError as exc:
            raise CalendarGrantRevoked(f"Calendar access for {self.address} was revoked or expired") from exc
        except HttpError as exc:
            status = int(exc.resp.status)
            if status == 410:
                raise SyncTokenExpired(f"the sync token of {self.address} is no longer valid", status) from exc
            raise CalendarError(f"Google Calendar answered {status} for {self.address}", status) from exc

    # --- following the calendar ------------------------------------------------------------------

    def watch(self, channel_id: str, token: str, address: str, now: datetime) -> WatchChannel:
        """Open a channel that notifies `address` of changes to the calendar's events."""
        body = {"id": channel_id, "type": "web_hook", "address": address, "token": token,
                "expiration": str(int((now + CHANNEL_LIFETIME).timestamp() * 1000))}
        answer = self._execute(self._service.events().watch(calendarId=self.calendar_id, body=body))
        expires = datetime.fromtimestamp(int(answer["expiration"]) / 1000, tz=UTC)
        return WatchChannel(str(answer["id"]), str(answer["resourceId"]), expires)

    def stop(self, channel_id: str, resource_id: str) -> None:
        """Stop a channel; one Google no longer knows counts as stopped."""
        try:
            self._execute(self._service.channels().stop(body={"id": channel_id, "resourceId": resource_id}))
        except CalendarError as exc:
            if exc.status != 404:
                raise

    def changes_since(self, sync_token: str) -> EventChanges:
        """Events changed since `sync_token`; SyncTokenExpired on Google's 410."""
        return self._list({"syncToken": sync_token, "showDeleted": True})

    def full_sync(self, since: datetime | None) -> EventChanges:
        """Every event ending after `since` (a bounded resync), with a fresh sync token.

        `since` None reads nothing back but the token: the starting point when a calendar is first
        followed (what was there before is not ours to judge).
        """
        # The same listing options as the incremental reads that follow (Google requires it).
        params: dict[str, Any] = {}
        if since is not None:
            params["timeMin"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        changes = self._list(params)
        return changes if since is not None else EventChanges((), changes.next_sync_token)

    def _list(self, params: dict[str, Any]) -> EventChanges:
        items: list[dict[str, Any]] = []
        page_token: str | None = None
        for _ in range(MAX_PAGES):
            page = self._execute(self._service.events().list(
                calendarId=self.calendar_id, pageToken=page_token, maxResults=250, **params))
            items += [e for e in page.get("items", []) if isinstance(e, dict)]
            page_token = page.get("nextPageToken")
            if not page_token:
                return EventChanges(tuple(items), str(page.get("nextSyncToken") or ""))
        raise CalendarError(f"the event listing of {self.address} did not end after {MAX_PAGES} pages")

    # --- booking ---------------------------------------------------------------------------------

    def insert_booking(self, *, event_id: str, summary: str, description: str, start: datetime, end: datetime,
                       attendee_email: str, attendee_name: str) -> BookedEvent:
        """Put a booked meeting in the rep's calendar with the contact invited."""
        body = {
            "id": event_id, "summary": summary, "description": description,
            "start": {"dateTime": _rfc3339(start), "timeZone": "UTC"},
            "end": {"dateTime": _rfc3339(end), "timeZone": "UTC"},
            "attendees": [{"email": attendee_email, "displayName": attendee_name}],
            "extendedProperties": {"private": {"sequenceSidebarBooking": event_id}},
        }
        try:
            made = self._execute(self._service.events().insert(calendarId=self.calendar_id, body=body,
                                                               sendUpdates="all"))
        except CalendarError as exc:
            if exc.status != 409:
                raise
            # Our id is already taken: an earlier attempt did create it.
            return BookedEvent(event_id, "")
        return BookedEvent(str(made["id"]), str(made.get("htmlLink", "")))

    # --- free/busy -------------------------------------------------------------------------------

    def busy(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The rep's busy intervals between start and end (freebusy.query)."""
        answer = self._execute(self._service.freebusy().query(body={
            "timeMin": _rfc3339(start), "timeMax": _rfc3339(end), "items": [{"id": self.calendar_id}]}))
        calendar = (answer.get("calendars") or {}).get(self.calendar_id) or {}
        if calendar.get("errors"):
            raise CalendarError(f"free/busy of {self.address} answered {calendar['errors']}")
        return [(_instant(b["start"]), _instant(b["end"])) for b in calendar.get("busy", [])]


def event_start(event: dict[str, Any]) -> datetime | None:
    """When a Google event starts (all-day events at midnight UTC)."""
    value = event.get("start")
    if not isinstance(value, dict):
        return None
    if value.get("dateTime"):
        return _instant(str(value["dateTime"]))
    if value.get("date"):
        return _instant(f"{value['date']}T00:00:00Z")
    return None


def event_end(event: dict[str, Any]) -> datetime | None:
    return event_start({"start": event.get("end")})


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
