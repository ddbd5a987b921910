"""Microsoft Graph calendar: the rep's events (follow, read, book into) and their free/busy.

Built on GraphMailbox's transport (tokens, bounded retries, the per-mailbox concurrency limit), so
calendar requests and mail requests to one mailbox share Graph's limits.

Following the calendar is an events subscription (users/{id}/events, created and updated). A change
notification is only a hint: the worker reads the events changed since the last one it read
(lastModifiedDateTime), so lost and duplicated notifications change nothing, as with delta for mail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from addin_server.providers.graph import (
    MAX_SUBSCRIPTION_MINUTES,
    GraphError,
    GraphMailbox,
    GraphSubscription,
)

EVENT_CHANGE_TYPES = "created,updated"
EVENT_FIELDS = ("id", "subject", "start", "end", "organizer", "attendees", "isCancelled", "isDraft",
                "createdDateTime", "lastModifiedDateTime", "iCalUId")
MAX_PAGES = 50


@dataclass(frozen=True)
class BookedGraphEvent:
    id: str
    web_link: str


class GraphCalendar:
    """One rep's Outlook calendar, through a GraphMailbox of the same rep."""

    def __init__(self, mailbox: GraphMailbox) -> None:
        self.mailbox = mailbox

    def close(self) -> None:
        self.mailbox.close()

    # --- following the calendar ------------------------------------------------------------------

    def subscribe(self, notification_url: str, lifecycle_url: str, client_state: str,
                  minutes: int = MAX_SUBSCRIPTION_MINUTES) -> GraphSubscription:
        """Subscribe to new and changed events of the rep's calendar."""
        return self.mailbox.subscribe(notification_url, lifecycle_url, client_state, minutes, kind="events",
                                      change_type=EVENT_CHANGE_TYPES)

    def renew(self, subscription_id: str, minutes: int = MAX_SUBSCRIPTION_MINUTES) -> datetime:
        return self.mailbox.renew(subscription_id, minutes)

    def delete(self, subscription_id: str) -> None:
        self.mailbox.delete(subscription_id)

    def events_changed_since(self, since: datetime | None) -> Iterator[dict[str, Any]]:
        """Events modified at or after `since` (every event when None), oldest change first."""
        params: dict[str, str] = {"$select": ",".join(EVENT_FIELDS), "$orderby": "lastModifiedDateTime",
                                  "$top": "50"}
        if since is not None:
            params["$filter"] = f"lastModifiedDateTime ge {_graph_instant(since)}"
        url: str | None = f"{self.mailbox.user_url}/events"
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            page = self.mailbox._json("GET", url, params=params)
            params = {}  # the next link carries its own query
            found += [e for e in page.get("value") or () if isinstance(e, dict) and e.get("id")]
            url = page.get("@odata.nextLink")
        else:
            raise GraphError("Graph's event listing did not end")
        # The filter is applied again here: it is what the cursor promises whatever the server did.
        kept = [e for e in found if since is None or (modified_at(e) or since) >= since]
        yield from sorted(kept, key=lambda e: modified_at(e) or datetime.min.replace(tzinfo=UTC))

    # --- booking ---------------------------------------------------------------------------------

    def create_booking(self, *, transaction_id: str, subject: str, body: str, start: datetime, end: datetime,
                       attendee_email: str, attendee_name: str) -> BookedGraphEvent:
        """Put a booked meeting in the rep's calendar with the contact invited.

        `transactionId` lets Graph refuse a repeated POST of the same booking (after a lost answer).
        """
        made = self.mailbox._json("POST", f"{self.mailbox.user_url}/events", json_body={
            "subject": subject, "body": {"contentType": "text", "content": body},
            "start": {"dateTime": _graph_local(start), "timeZone": "UTC"},
            "end": {"dateTime": _graph_local(end), "timeZone": "UTC"},
            "attendees": [{"type": "required", "emailAddress": {"address": attendee_email, "name": attendee_name}}],
            "showAs": "busy", "transactionId": transaction_id,
        })
        return BookedGraphEvent(str(made["id"]), str(made.get("webLink", "")))

    # --- free/busy -------------------------------------------------------------------------------

    def busy(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The rep's busy intervals between start and end (calendar/getSchedule); free ones are left out."""
        address = self.mailbox.user_id
        answer = self.mailbox._json("POST", f"{self.mailbox.user_url}/calendar/getSchedule", json_body={
            "schedules": [address], "startTime": {"dateTime": _graph_local(start), "timeZone": "UTC"},
            "endTime": {"dateTime": _graph_local(end), "timeZone": "UTC"}, "availabilityViewInterval": 30})
        busy: list[tuple[datetime, datetime]] = []
        for schedule in answer.get("value") or ():
            if not isinstance(schedule, dict):
                continue
            if schedule.get("error"):
                raise GraphError(f"getSchedule for {address}: {schedule['error']}")
            for item in schedule.get("scheduleItems") or ():
                if str(item.get("status", "busy")).lower() in ("free", "workingelsewhere"):
                    continue
                busy.append((graph_time(item["start"]), graph_time(item["end"])))
        return busy


def modified_at(event: dict[str, Any]) -> datetime | None:
    text = event.get("lastModifiedDateTime")
    return _parse(str(text)) if text else None


def graph_time(value: dict[str, Any]) -> datetime:
    """A Graph dateTimeTimeZone that we asked for in UTC (7 decimal places are cut to 6)."""
    text = str(value.get("dateTime", ""))
    head, dot, fraction = text.partition(".")
    text = head + (dot + fraction[:6] if dot else "")
    moment = _parse(text)
    zone = str(value.get("timeZone") or "UTC")
    if zone.upper() not in ("UTC", "COORDINATED UNIVERSAL TIME"):
        raise GraphError(f"expected a UTC time from Graph, got {zone}")
    return moment


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _graph_local(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _graph_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
