"""The rep's busy times from their own calendar, for booking pages: Google free/busy or Graph getSchedule."""

from __future__ import annotations

import logging
from datetime import datetime

from addin_server.db import tables as t
from addin_server.providers.google_calendar import CalendarError, CalendarGrantRevoked
from addin_server.providers.graph import GrantRevoked as GraphGrantRevoked
from addin_server.providers.graph import GraphError
from addin_server.services.calendar_events import is_google, mark_calendar
from addin_server.services.context import ServiceContext
from addin_server.services.google_calendar import following as google_following
from addin_server.services.grants import MailboxNotConnected
from addin_server.services.graph import calendar as graph_calendar
from addin_server.services.meetings import BookingRep

log = logging.getLogger(__name__)


class ProviderBusyTimes:
    """The rep's busy times from their own calendar (meetings.BusyTimes).

    A rep without a connected mailbox, or a provider that fails, shows no calendar busy times (the
    meetings already booked here still block their slots); the failure is logged, and a revoked
    grant marks the calendar disconnected, so booking pages say the times are not checked.
    """

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def busy(self, user: BookingRep, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        with self.ctx.sessions() as s:
            row = s.get(t.User, user.id)
            if row is None or not row.mailbox_connected:
                return []
            s.expunge(row)
        try:
            ask = google_following.busy if is_google(row) else graph_calendar.busy
            return ask(self.ctx, row, start, end)
        except MailboxNotConnected:
            return []
        except (CalendarGrantRevoked, GraphGrantRevoked) as exc:
            # The rep withdrew the grant: booking pages say so from now on.
            mark_calendar(self.ctx, row.id, "disconnected", f"{type(exc).__name__}: {exc}")
            return []
        except (CalendarError, GraphError) as exc:
            log.warning("busy times of %s unavailable: %s", row.mailbox_address, exc)
            return []
