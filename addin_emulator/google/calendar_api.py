"""Google Calendar v3 routes (rootUrl https://www.googleapis.com/, servicePath calendar/v3/)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from addin_emulator.google.api import current_mailbox, empty, json_body, ok, state
from addin_emulator.google.calendars import (
    Calendar,
    decode_page_token,
    encode_page_token,
    event_time,
    parse_time,
    rfc3339,
)
from addin_emulator.google.errors import invalid_argument, not_found

_READ_ONLY = {"kind", "id", "etag", "htmlLink", "created", "updated", "creator", "iCalUID", "sequence"}
# Parameters Google refuses together with syncToken.
_NOT_WITH_SYNC = ("timeMin", "timeMax", "updatedMin", "q", "iCalUID", "orderBy", "privateExtendedProperty")


def event_fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in body.items() if k not in _READ_ONLY}
    if event_time(fields.get("start")) is None:
        raise invalid_argument("Missing start time.")
    if event_time(fields.get("end")) is None:
        raise invalid_argument("Missing end time.")
    if fields.get("status") == "cancelled":
        raise invalid_argument("Use events.delete to cancel an event.")
    attendees = fields.get("attendees")
    if isinstance(attendees, list):
        fields["attendees"] = [{"responseStatus": "needsAction", **a} for a in attendees if isinstance(a, dict)]
    return fields


def _list_body(calendar: Calendar, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "calendar#events",
        "etag": f'"{calendar.seq:016d}"',
        "summary": calendar.id,
        "updated": rfc3339(state().clock.now()),
        "timeZone": "UTC",
        "accessRole": "owner",
        "defaultReminders": [],
        "items": items,
    }


def add_routes(bp: Blueprint) -> None:
    prefix = "/calendar/v3/calendars/<calendar_id>/events"

    @bp.post(prefix)
    def insert_event(calendar_id: str) -> Response:
        calendar = state().calendar(calendar_id, current_mailbox())
        event = state().save_event(calendar, None, event_fields(json_body()))
        return ok(event.resource())

    @bp.get(f"{prefix}/<event_id>")
    def get_event(calendar_id: str, event_id: str) -> Response:
        calendar = state().calendar(calendar_id, current_mailbox())
        with state().lock:
            event = calendar.events.get(event_id)
            if event is None:
                raise not_found()
            return ok(event.resource())

    @bp.patch(f"{prefix}/<event_id>")
    def patch_event(calendar_id: str, event_id: str) -> Response:
        calendar = state().calendar(calendar_id, current_mailbox())
        with state().lock:
            event = calendar.events.get(event_id)
            if event is None or event.cancelled:
                raise not_found()
            merged = {**event.body, **json_body()}
        return ok(state().save_event(calendar, event_id, event_fields(merged)).resource())

    @bp.delete(f"{prefix}/<event_id>")
    def delete_event(calendar_id: str, event_id: str) -> Response:
        calendar = state().calendar(calendar_id, current_mailbox())
        with state().lock:
            event = calendar.events.get(event_id)
            if event is None or event.cancelled:
                raise not_found()
        state().save_event(calendar, event_id, {"status": "cancelled"})
        return empty()

    @bp.get(prefix)
    def list_events(calendar_id: str) -> Response:
        calendar = state().calendar(calendar_id, current_mailbox())
        args = request.args
        try:
            size = min(int(args.get("maxResults", 250)), 2500)
        except ValueError as exc:
            raise invalid_argument("Invalid maxResults") from exc
        page_state = decode_page_token(args["pageToken"]) if args.get("pageToken") else None
        sync_token = page_state["sync"] if page_state else args.get("syncToken")
        with state().lock:
            if sync_token:
                if any(args.get(name) for name in _NOT_WITH_SYNC):
                    raise invalid_argument("Sync token cannot be used with other request restrictions.")
                changed, _ = calendar.changes_since(sync_token)
                items = [e.resource() for e in changed]
            else:
                items = _full_listing(calendar)
            snapshot = page_state["snap"] if page_state else calendar.seq
            offset = page_state["o"] if page_state else 0
            body = _list_body(calendar, items[offset : offset + size])
            if offset + size < len(items):
                body["nextPageToken"] = encode_page_token({"o": offset + size, "sync": sync_token, "snap": snapshot})
            else:
                body["nextSyncToken"] = Calendar(id=calendar.id, seq=snapshot, epoch=calendar.epoch).sync_token()
            return ok(body)

    def _full_listing(calendar: Calendar) -> list[dict[str, Any]]:
        args = request.args
        show_deleted = args.get("showDeleted", "false").lower() == "true"
        time_min = parse_time(args["timeMin"], "timeMin") if args.get("timeMin") else None
        time_max = parse_time(args["timeMax"], "timeMax") if args.get("timeMax") else None
        text = args.get("q", "").lower()
        items = []
        for event in calendar.ordered():
            if event.cancelled:
                if show_deleted:
                    items.append(event.resource())
                continue
            start, end = event_time(event.body.get("start")), event_time(event.body.get("end"))
            if time_min and end and end <= time_min:
                continue
            if time_max and start and start >= time_max:
                continue
            if text and text not in f"{event.body.get('summary', '')} {event.body.get('description', '')}".lower():
                continue
            items.append(event.resource())
        if args.get("orderBy") == "startTime":
            items.sort(key=lambda e: str((e.get("start") or {}).get("dateTime") or (e.get("start") or {}).get("date")))
        return items

    @bp.post(f"{prefix}/watch")
    def watch_events(calendar_id: str) -> Response:
        calendar = state().calendar(calendar_id, current_mailbox())
        return ok(state().open_channel(calendar, json_body()).resource())

    @bp.post("/calendar/v3/channels/stop")
    def stop_channel() -> Response:
        body = json_body()
        state().stop_channel(str(body.get("id") or ""), str(body.get("resourceId") or ""))
        return empty()

    @bp.post("/calendar/v3/freeBusy")
    def query_free_busy() -> Response:
        body = json_body()
        time_min = parse_time(body.get("timeMin"), "timeMin")
        time_max = parse_time(body.get("timeMax"), "timeMax")
        if time_max <= time_min:
            raise invalid_argument("The specified time range is empty.")
        mailbox = current_mailbox()
        calendars: dict[str, Any] = {}
        with state().lock:
            for item in body.get("items") or []:
                wanted = str(item.get("id", "")) if isinstance(item, dict) else ""
                address = mailbox.address if wanted == "primary" else wanted.lower()
                found = state().calendars.get(address)
                if found is None:
                    calendars[wanted] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                else:
                    calendars[wanted] = {"busy": found.busy(time_min, time_max)}
        return ok(
            {
                "kind": "calendar#freeBusy",
                "timeMin": rfc3339(time_min),
                "timeMax": rfc3339(time_max),
                "calendars": calendars,
            }
        )
