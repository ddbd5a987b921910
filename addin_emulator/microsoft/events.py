"""Graph calendar: users/{id}/events (create, list) and calendar/getSchedule."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from addin_emulator.microsoft import mail
from addin_emulator.microsoft.graph import (
    USER,
    GraphError,
    GraphRequest,
    GraphResult,
    list_page,
    parse_instant,
    route,
    world,
)
from addin_emulator.microsoft.store import CalendarEvent, counter_token, iso


def event_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def event_json(event: CalendarEvent) -> dict[str, Any]:
    return {
        "@odata.etag": f'W/"{event.change_key}"',
        "id": event.key,
        "createdDateTime": iso(event.created),
        "lastModifiedDateTime": iso(event.modified),
        "changeKey": event.change_key,
        "categories": [],
        "originalStartTimeZone": event.time_zone,
        "originalEndTimeZone": event.time_zone,
        "iCalUId": event.ical_uid,
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": event.subject,
        "bodyPreview": mail.preview(event.body, event.body_type),
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": event.is_all_day,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "showAs": event.show_as,
        "type": "singleInstance",
        "webLink": f"https://outlook.office365.com/owa/?itemid={event.key}&exvsurl=1&path=/calendar/item",
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "isDraft": False,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": event.body_type, "content": event.body},
        "start": event_time(event.start),
        "end": event_time(event.end),
        "location": {"displayName": event.location, "locationType": "default", "uniqueIdType": "unknown"},
        "locations": [],
        "recurrence": None,
        "attendees": event.attendees,
        "organizer": {"emailAddress": event.organizer},
        "onlineMeeting": None,
    }


# --- routes ------------------------------------------------------------------------------------
def parse_event_time(value: Any) -> tuple[datetime, str]:
    if not isinstance(value, dict) or "dateTime" not in value:
        raise GraphError(400, "ErrorInvalidRequest", "start and end need dateTime and timeZone.")
    zone_name = str(value.get("timeZone") or "UTC")
    text = re.sub(r"(\.\d{6})\d+", r"\1", str(value["dateTime"]))
    moment = parse_instant(text) if text.endswith("Z") or "+" in text[10:] else datetime.fromisoformat(text)
    if moment.tzinfo is None:
        try:
            zone: Any = UTC if zone_name.upper() == "UTC" else ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise GraphError(400, "TimeZoneNotSupportedException", f"A valid TimeZone value must be specified. "
                             f"The following TimeZone value is not supported: '{zone_name}'.") from exc
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC), zone_name


@route("POST", USER + r"/(?:calendar/)?events")
def create_event(req: GraphRequest) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    body = req.body if isinstance(req.body, dict) else {}
    start, zone = parse_event_time(body.get("start"))
    end, _ = parse_event_time(body.get("end"))
    state = world()
    number = state.next("event")
    now = state.clock.now()
    content = body.get("body") or {}
    attendees = []
    for attendee in body.get("attendees") or []:
        address = (attendee.get("emailAddress") or {}).get("address")
        if address:
            attendees.append(
                {
                    "type": attendee.get("type", "required"),
                    "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                    "emailAddress": {"name": attendee["emailAddress"].get("name") or address, "address": address},
                }
            )
    event = CalendarEvent(
        key=counter_token("AAMkAGE", f"event{number:06d}"),
        subject=str(body.get("subject") or ""),
        body_type=str(content.get("contentType") or "html").lower(),
        body=str(content.get("content") or ""),
        start=start,
        end=end,
        time_zone=zone,
        location=str((body.get("location") or {}).get("displayName") or ""),
        attendees=attendees,
        organizer={"name": mailbox.display_name, "address": mailbox.address},
        show_as=str(body.get("showAs") or "busy"),
        is_all_day=bool(body.get("isAllDay", False)),
        created=now,
        modified=now,
        ical_uid=f"040000008200E00074C5B7101A82E008{number:032X}",
    )
    with state.lock:
        mailbox.events[event.key] = event
    from addin_emulator.microsoft import notifications

    notifications.event_changed(state, mailbox, event, "created")
    return GraphResult(201, {"@odata.context": f"{req.root}/$metadata#users('{mailbox.user_id}')/events/$entity",
                             **event_json(event)})


@route("GET", USER + r"/(?:calendar/)?events")
def list_events(req: GraphRequest) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    with world().lock:
        events = sorted(mailbox.events.values(), key=lambda e: e.start)
        items = [event_json(e) for e in events]
    return list_page(req, items, f"users('{mailbox.user_id}')/events")


AVAILABILITY = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4"}


@route("POST", USER + r"/calendar/getSchedule")
def get_schedule(req: GraphRequest) -> GraphResult:
    body = req.body if isinstance(req.body, dict) else {}
    schedules = body.get("schedules")
    if not isinstance(schedules, list) or not schedules:
        raise GraphError(400, "ErrorInvalidRequest", "schedules is required.")
    start, _ = parse_event_time(body.get("startTime"))
    end, _ = parse_event_time(body.get("endTime"))
    interval = int(body.get("availabilityViewInterval") or 30)
    if end <= start or not 5 <= interval <= 1440:
        raise GraphError(400, "ErrorInvalidRequest", "The time window or interval is not valid.")
    out = []
    for address in schedules:
        other = world().mailbox_for(str(address))
        if other is None:
            out.append({"scheduleId": address, "availabilityView": "",
                        "error": {"message": f"Could not find mailbox for {address}.",
                                  "responseCode": "ErrorMailRecipientNotFound"}})
            continue
        with world().lock:
            busy = [e for e in other.events.values() if e.start < end and e.end > start]
        view = []
        slot = start
        while slot < end:
            slot_end = slot + timedelta(minutes=interval)
            codes = [AVAILABILITY.get(e.show_as, "2") for e in busy if e.start < slot_end and e.end > slot]
            view.append(max(codes) if codes else "0")
            slot = slot_end
        out.append(
            {
                "scheduleId": address,
                "availabilityView": "".join(view),
                "scheduleItems": [
                    {"isPrivate": False, "status": e.show_as, "subject": e.subject, "location": e.location,
                     "start": event_time(e.start), "end": event_time(e.end)}
                    for e in sorted(busy, key=lambda e: e.start)
                ],
                "workingHours": {
                    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "startTime": "08:00:00.0000000",
                    "endTime": "17:00:00.0000000",
                    "timeZone": {"name": "UTC"},
                },
            }
        )
    return GraphResult(200, {"@odata.context": f"{req.root}/$metadata#Collection(microsoft.graph.scheduleInformation)",
                             "value": out})


