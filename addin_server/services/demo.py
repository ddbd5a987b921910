"""Seed data for `addin-server demo`: one account that shows every state the product knows.

Everything goes through the same use cases an integrator calls, with the clock moved back in
time so that the history (steps run, sequences finished) looks like a few weeks of real use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from addin_server.db import tables as t
from addin_server.domain.model import EndOfEnrollment, EventType, Surface, UnenrollReason
from addin_server.services import accounts, directory, enrollments, sequences
from addin_server.services.context import Principal, ServiceContext, utcnow
from addin_server.services.sequences import StepInput

DEMO_API_KEY = "ssk_demo_0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass
class DemoClock:
    """A clock the seeding moves by hand."""

    now: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class DemoWorld:
    account_id: int
    api_key: str
    users: dict[str, str]
    contacts: dict[str, str]
    sequences: dict[str, str]
    enrollments: dict[str, str]


def seed_demo(ctx: ServiceContext) -> DemoWorld:
    real_clock = ctx.clock
    clock = DemoClock(utcnow() - timedelta(days=21))
    ctx.clock = clock
    try:
        return _seed(ctx, clock)
    finally:
        ctx.clock = real_clock


def _run_worker_until(ctx: ServiceContext, clock: DemoClock, until: datetime) -> None:
    from addin_server.services.enrollments import claim_due_enrollments, run_step

    while clock.now < until:
        clock.now = min(until, clock.now + timedelta(hours=12))
        for eid in claim_due_enrollments(ctx, "demo-seed", limit=500):
            run_step(ctx, eid)


def _seed(ctx: ServiceContext, clock: DemoClock) -> DemoWorld:
    acct = accounts.create_account(ctx, name="Northwind Traders (demo)", plan="enterprise",
                                   admin_email="admin@northwind.example")
    accounts.install_api_key(ctx, acct.account_id, DEMO_API_KEY, name="demo")
    admin = Principal(account_id=acct.account_id, label="user:admin@northwind.example",
                      user_id=acct.admin_user_id, is_admin=True)
    accounts.update_account_settings(ctx, admin, unenroll_same_company=True, custom_triggers_beta=True)

    ava = directory.create_user(ctx, admin, email="ava.reed@northwind.example", name="Ava Reed", role="user",
                                mailbox_provider="gmail", mailbox_address="ava.reed@northwind.example",
                                mailbox_aliases=["ava@northwind.example"])
    omar = directory.create_user(ctx, admin, email="omar.shah@northwind.example", name="Omar Shah", role="user",
                                 mailbox_provider="outlook", mailbox_address="omar.shah@northwind.example")
    users = {"admin": str(acct.admin_user_id), "ava": ava["id"], "omar": omar["id"]}

    globex = directory.create_company(ctx, admin, name="Globex", domains=["globex.com"])
    initech = directory.create_company(ctx, admin, name="Initech", domains=["initech.com", "initech.co.uk"])
    umbrella = directory.create_company(ctx, admin, name="Umbrella Health", domains=["umbrella-health.example"])
    people: list[tuple[str, str, str, dict[str, Any] | None, list[str]]] = [
        ("jane", "Jane", "Doe", globex, ["jane.doe@globex.com", "j.doe@gmail.com"]),
        ("raj", "Raj", "Patel", globex, ["raj.patel@globex.com"]),
        ("lena", "Lena", "Berg", globex, ["lena.berg@globex.com"]),
        ("peter", "Peter", "Gibbons", initech, ["peter@initech.com", "peter.gibbons@initech.co.uk"]),
        ("samir", "Samir", "Nagheenanajar", initech, ["samir@initech.com"]),
        ("milton", "Milton", "Waddams", initech, ["milton@initech.com"]),
        ("alice", "Alice", "Ng", umbrella, ["alice.ng@umbrella-health.example"]),
        ("bob", "Bob", "Okafor", umbrella, ["bob.okafor@umbrella-health.example"]),
        ("chloe", "Chloe", "Martin", None, ["chloe.martin@gmail.com", "chloe.m@outlook.com"]),
        ("diego", "Diego", "Santos", None, ["diego.santos@yahoo.com"]),
        ("emma", "Emma", "Wilson", None, ["emma.wilson@hotmail.com"]),
        ("farah", "Farah", "Haddad", umbrella, ["farah.haddad@umbrella-health.example"]),
    ]
    contacts = {}
    for key, first, last, company, addrs in people:
        c = directory.create_contact(ctx, admin, email=addrs[0], secondary_emails=addrs[1:], first_name=first,
                                     last_name=last, company_id=company["id"] if company else None)
        contacts[key] = c["id"]

    intro = sequences.create_sequence(ctx, admin, name="Intro outreach", owner_user_id=ava["id"], steps=[
        StepInput("automated_email", 0, "Quick question about {{company}}", "Hi, are you the right person to talk "
                  "to about supplier onboarding?"),
        StepInput("call", 3, "Intro call", "Call and reference the first email"),
        StepInput("automated_email", 4, "", "Just bumping this up in case it got buried.", True),
        StepInput("task", 5, "LinkedIn connection request", ""),
    ])
    follow = sequences.create_sequence(ctx, admin, name="Post-demo follow-up", owner_user_id=omar["id"], steps=[
        StepInput("automated_email", 0, "Thanks for your time today", "Here is the recording and the deck."),
        StepInput("automated_email", 3, "", "Any questions from the team?", True),
        StepInput("manual_email", 5, "Pricing for your team", "Send the tailored quote"),
    ], on_reply="company", pause_on_out_of_office=True)
    seqs = {"intro": intro["id"], "follow": follow["id"]}

    def enroll(contact: str, seq: str, sender: str) -> str:
        return str(enrollments.enroll(ctx, admin, sequence_id=seqs[seq], contact_id=contacts[contact],
                                      sender_user_id=users[sender], enrolled_by_user_id=users[sender])["id"])

    en: dict[str, str] = {}
    # Three weeks ago: a few enrollments that have run their course since.
    en["emma"] = enroll("emma", "follow", "omar")
    en["milton"] = enroll("milton", "intro", "ava")
    _run_worker_until(ctx, clock, clock.now + timedelta(days=10))
    # Ten days ago: more enrollments, some ended since for many reasons.
    for key, seq, sender in [("jane", "intro", "ava"), ("peter", "intro", "ava"), ("alice", "follow", "omar"),
                             ("chloe", "intro", "ava"), ("diego", "follow", "omar"), ("samir", "intro", "ava"),
                             ("bob", "follow", "omar"), ("lena", "intro", "ava")]:
        en[key] = enroll(key, seq, sender)
    _run_worker_until(ctx, clock, clock.now + timedelta(days=1))
    enrollments.unenroll(ctx, admin, en["samir"], surface="sequence_summary")
    enrollments.workflow_unenroll(ctx, admin, contact_id=contacts["lena"], email=None, sequence_id=None,
                                  workflow="Deal moved to Closed Won")
    _end_automatically(ctx, int(en["diego"]), UnenrollReason.REPLIED, clock.now, {
        "rule": "reply to a sequence email", "matched": "In-Reply-To",
        "message_id": "<CAF=reply.diego@mail.yahoo.com>", "from": "diego.santos@yahoo.com"})
    _end_automatically(ctx, int(en["bob"]), UnenrollReason.MEETING_BOOKED, clock.now, {
        "rule": "meeting booked through a sequence email's link", "meeting_at": "next Tuesday 10:00"})
    _run_worker_until(ctx, clock, clock.now + timedelta(days=1))
    enrollments.pause(ctx, admin, en["alice"], until=clock.now + timedelta(days=9),
                      reason="out of office until a date stated in the reply")
    # Today: fresh enrollments whose first email just went out.
    _run_worker_until(ctx, clock, utcnow())
    en["raj"] = enroll("raj", "follow", "omar")
    en["farah"] = enroll("farah", "intro", "ava")
    return DemoWorld(acct.account_id, DEMO_API_KEY, users, contacts, seqs, en)


def _end_automatically(ctx: ServiceContext, enrollment_id: int, reason: UnenrollReason, now: datetime,
                       evidence: dict[str, Any]) -> None:
    """Stand in for the mailbox watcher in the seed: end with a reason and evidence as it would."""
    from addin_server.services.enrollments import add_event, end_enrollment

    with ctx.session() as s:
        e = s.get_one(t.Enrollment, enrollment_id)
        kind = {UnenrollReason.REPLIED: EventType.REPLIED,
                UnenrollReason.MEETING_BOOKED: EventType.MEETING_BOOKED}.get(reason)
        if kind:
            add_event(s, e, kind, now, "system", **evidence)
        end_enrollment(s, enrollment_id, EndOfEnrollment(reason, Surface.AUTOMATIC, "system", evidence), now)
