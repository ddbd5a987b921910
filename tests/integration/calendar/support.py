"""A world for calendar tests: the real app on a loopback port, one rep whose mailbox (and so
calendar) is connected on the emulator's Google or Microsoft side, another rep, Jane and Raj at
Globex, and a sequence. Provider payloads come from the files in fixtures/.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.google.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from addin_emulator.microsoft import MicrosoftEmulatorControl
from addin_emulator.runner import RunningEmulator
from addin_server import create_app
from addin_server.auth.secrets_box import generate_encryption_key
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services import accounts, directory, enrollments, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.inbox_worker import process_due_notifications
from addin_server.services.mailboxes import connect_gmail, connect_outlook
from addin_server.services.sequences import StepInput
from addin_server.services.startup import open_services
from tests.browser import free_port, live_server
from tests.builders import link_proven_tenant
from tests.integration.emulator_microsoft.support import MicrosoftSetup, make_setup
from tests.integration.providers_graph.support import settings_for

FIXTURES = Path(__file__).resolve().with_name("fixtures")
_numbers = itertools.count(1)


def fixture(name: str, **values: str) -> Any:
    """A provider payload from fixtures/, its {placeholders} filled in."""
    text = (FIXTURES / name).read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return json.loads(text)


@dataclass
class MovableClock:
    """The service's clock: the wall clock, moved forward by hand (renewals)."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class CalendarWorld:
    provider: str  # gmail | outlook
    ctx: ServiceContext
    clock: MovableClock
    app_url: str
    admin: Principal
    rep: dict[str, Any]
    other_rep: dict[str, Any]
    contact: dict[str, Any]
    colleague: dict[str, Any]
    sequence: dict[str, Any]
    google: GoogleEmulatorControl
    ms: MicrosoftSetup | None
    connected: dict[str, Any] = field(default_factory=dict)
    super_admin: Principal | None = None  # the only one who may join the custom-trigger beta

    @property
    def rep_address(self) -> str:
        return str(self.rep["mailbox_address"])

    # --- the world's actions ---------------------------------------------------------------------

    def enroll(self, *, by: dict[str, Any] | None = None, contact: dict[str, Any] | None = None) -> dict[str, Any]:
        rep = by or self.rep
        return enrollments.enroll(self.ctx, self.admin, sequence_id=self.sequence["id"],
                                  contact_id=(contact or self.contact)["id"], sender_user_id=rep["id"],
                                  enrolled_by_user_id=rep["id"])

    def enrollment(self, enrollment_id: str) -> dict[str, Any]:
        return enrollments.get_enrollment(self.ctx, self.admin, enrollment_id)

    def add_meeting(self, start: datetime, *, organizer: str | None = None,
                    contact: dict[str, Any] | None = None) -> str:
        """A meeting with the contact appears in the rep's calendar (made by the rep or another rep)."""
        values = {"start": _iso(start), "end": _iso(start + timedelta(minutes=30)),
                  "contact": str((contact or self.contact)["email"]), "rep": self.rep_address,
                  "organizer": organizer or self.rep_address}
        if self.provider == "gmail":
            return str(self.google.add_calendar_event(self.rep_address, fixture("google-event-meeting.json",
                                                                                **values))["id"])
        return self._graph_event(fixture("graph-event-meeting.json", **values))

    def add_busy_time(self, start: datetime, minutes: int = 30) -> str:
        values = {"start": _iso(start), "end": _iso(start + timedelta(minutes=minutes))}
        if self.provider == "gmail":
            return str(self.google.add_calendar_event(self.rep_address, fixture("google-event-busy.json",
                                                                                **values))["id"])
        return self._graph_event(fixture("graph-event-busy.json", **values))

    def _graph(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """Graph as the rep's Outlook does it (our app's token; the test side has no CA of its own)."""
        from addin_server.services.grants import graph_for

        with self.ctx.sessions() as s:
            graph = graph_for(self.ctx.settings, s.get_one(t.User, int(self.rep["id"])))
        try:
            return graph._json(method, f"{graph.user_url}{path}", json_body=body)
        finally:
            graph.close()

    def _graph_event(self, body: dict[str, Any]) -> str:
        return str(self._graph("POST", "/events", body)["id"])

    def calendar_events(self) -> list[dict[str, Any]]:
        """What the rep's emulated calendar holds now."""
        if self.provider == "gmail":
            from addin_server.services.google_calendar.following import google_calendar_for

            with self.ctx.sessions() as s:
                user = s.get_one(t.User, int(self.rep["id"]))
                calendar = google_calendar_for(self.ctx.settings, user)
            return list(calendar.full_sync(datetime.now(UTC) - timedelta(days=30)).events)
        return list(self._graph("GET", "/events")["value"])

    def deliver_notifications(self) -> list[int]:
        """The provider POSTs what is queued to our webhook; the statuses our app answered."""
        if self.provider == "gmail":
            return [int(d.get("status") or 0) for d in self.google.flush()]
        assert self.ms is not None
        return [int(d.get("status") or 0) for d in self.ms.control.flush_notifications()["delivered"]]

    def run_worker(self) -> dict[str, int]:
        return process_due_notifications(self.ctx, "calendar-test")

    def watch(self) -> t.CalendarWatch:
        with self.ctx.sessions() as s:
            row = s.scalars(select(t.CalendarWatch).where(t.CalendarWatch.user_id == int(self.rep["id"]))).one()
            s.expunge_all()
            return row

    def count(self, table: Any, **where: Any) -> int:
        with self.ctx.sessions() as s:
            q = select(func.count()).select_from(table)
            for name, value in where.items():
                q = q.where(getattr(table, name) == value)
            return int(s.scalar(q) or 0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_working_slot(after: datetime, *, days_ahead: int = 1, hour: int = 10) -> datetime:
    """A 30-minute slot start on a working day after `after` (as booking pages offer them)."""
    day = (after + timedelta(days=days_ahead)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


BeforeConnect = Callable[[GoogleEmulatorControl, str, MovableClock], None]


@contextmanager
def calendar_world(provider: str, emulator: RunningEmulator, database_url: str, *,
                   before_connect: BeforeConnect | None = None) -> Iterator[CalendarWorld]:
    """The app served on loopback with a rep connected on `provider` (gmail or outlook).

    `before_connect(google_control, rep_address, clock)` runs once the rep's mailbox exists on the
    emulator and before it is connected (Google side).
    """
    n = next(_numbers)
    google = GoogleEmulatorControl(emulator.base_url)
    google.discard_notifications()
    google.clear_faults()
    google.set_delivery("manual")
    ms: MicrosoftSetup | None = None
    base = Settings()
    if provider == "outlook":
        ms_control = MicrosoftEmulatorControl(emulator.base_url)
        ms_control.set_auto_delivery(False)
        ms_control.clear_faults()
        ms = make_setup(emulator, ms_control)
        base = settings_for(ms)
    port = free_port()
    settings = base.with_overrides(
        database_url=database_url, public_url=f"http://127.0.0.1:{port}", secret_key="test-secret",
        encryption_key=generate_encryption_key(), mail_transport="local", demo_mode=False,
        gmail_api_endpoint=google.gmail_api_endpoint, google_calendar_api_endpoint=google.calendar_api_endpoint,
        google_token_uri=google.token_uri, google_oauth_client_id=DEFAULT_CLIENT_ID,
        google_oauth_client_secret=DEFAULT_CLIENT_SECRET)
    clock = MovableClock()
    ctx = open_services(settings, clock=clock)
    try:
        with live_server(create_app(settings, services=ctx), port=port) as url:
            made = accounts.create_account(ctx, name=f"Acme {n}", plan="enterprise", admin_email=f"admin@acme{n}.test")
            admin = Principal.for_api_key(made.account_id, "calendar-test", "admin")
            address = ms.address if ms else f"rita{n}@acme{n}.test"
            rep = directory.create_user(ctx, admin, email=address, name="Rita Rep", role="user",
                                        mailbox_provider=provider, mailbox_address=address)
            other = directory.create_user(ctx, admin, email=f"otto{n}@acme{n}.test", name="Otto Other", role="user",
                                          mailbox_provider=provider, mailbox_address=f"otto{n}@acme{n}.test")
            company = directory.create_company(ctx, admin, name="Globex", domains=[f"globex{n}.test"])
            contact = directory.create_contact(ctx, admin, email=f"jane.doe@globex{n}.test", first_name="Jane",
                                               last_name="Doe", company_id=company["id"])
            colleague = directory.create_contact(ctx, admin, email=f"raj@globex{n}.test", first_name="Raj",
                                                 company_id=company["id"])
            sequence = sequences.create_sequence(ctx, admin, name="Intro outreach", owner_user_id=rep["id"], steps=[
                StepInput("automated_email", 0, "Intro", "Hello {{first_name}}"), StepInput("task", 3, "Call", "")])
            if provider == "gmail":
                box = google.create_mailbox(address)
                if before_connect is not None:
                    before_connect(google, address, clock)
                connected = connect_gmail(ctx, admin, rep["id"], box["refresh_token"])
            else:
                assert ms is not None
                link_proven_tenant(ctx, made.account_id, ms.tenant_id)
                connected = connect_outlook(ctx, admin, rep["id"], tenant_id=ms.tenant_id, graph_user_id=ms.user_id)
            world = CalendarWorld(provider, ctx, clock, url, admin, rep, other, contact, colleague, sequence, google,
                                  ms, connected, Principal(made.account_id, f"user:admin@acme{n}.test",
                                                           user_id=made.admin_user_id, role="super_admin"))
            world.deliver_notifications()  # the channel's "sync" message, or nothing yet
            yield world
    finally:
        if ms is not None:
            ms.close()
        ctx.engine.dispose()
