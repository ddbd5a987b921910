"""POST /webhooks/google-calendar: Google Calendar watch-channel notifications.

Google POSTs an empty body; everything is in the X-Goog-* headers. The channel id must be one of
ours and X-Goog-Channel-Token the secret we gave it (compared in constant time against its keyed
hash). "sync" only says the channel is open; "exists" says something changed: it is kept in one
write (deduplicated on channel id + message number) and answered at once. The worker reads the
changes from the stored sync token.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request

from addin_server.services.google_calendar.following import record_google_calendar_notification

bp = Blueprint("google_calendar_webhooks", __name__)
log = logging.getLogger(__name__)
MAX_HEADER = 256


@bp.post("/webhooks/google-calendar")
def google_calendar_notification() -> Response:
    headers = request.headers
    channel_id = headers.get("X-Goog-Channel-ID", "")
    state = headers.get("X-Goog-Resource-State", "")
    number = headers.get("X-Goog-Message-Number", "")
    if not channel_id or len(channel_id) > MAX_HEADER or not state or not number.isdigit() or len(number) > 20:
        return Response(status=400)
    notice = record_google_calendar_notification(
        current_app.extensions["services"], channel_id=channel_id, channel_token=headers.get("X-Goog-Channel-Token"),
        resource_state=state[:MAX_HEADER], message_number=number)
    if notice.status >= 400:
        log.warning("google calendar notification refused (%s): %s", notice.status, notice.note)
    return Response(status=notice.status)
