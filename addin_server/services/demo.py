"""Seed data for `addin-server demo`: one account that shows every state the product knows.

Everything goes through the same use cases an integrator calls, with the clock moved back in
time so that the history (steps run, sequences finished) looks like a few weeks of real use.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.domain.model import EndOfEnrollment, EventType, Surface, UnenrollReason
from addin_server.domain.rules import MatchKind
from addin_server.providers import demo_emulator
from addin_server.services import accounts, directory, enrolling, sequences
from addin_server.services.context import Principal, ServiceContext, utcnow
from addin_server.services.directory import owned
from addin_server.services.enrollment_records import add_event, end_enrollment
from addin_server.services.errors import Invalid
from addin_server.services.gmail.sync import sync_gmail_mailbox
from addin_server.services.identity import link_tenant
from addin_server.services.mailboxes import connect_gmail, connect_outlook
from addin_server.services.pausing import pause
from addin_server.services.running_steps import claim_due_enrollments, run_step
from addin_server.services.sequences import StepInput
from addin_server.services.unenrolling import unenroll, workflow_unenroll

DEMO_API_KEY = "ssk_demo_0123456789abcdefghijklmnopqrstuvwxyz"
DEMO_PAUSE_DAYS_LEFT = 5  # the seeded out-of-office contact is back this many days after the demo starts


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


def seed_demo(ctx: ServiceContext, *, with_mailboxes: bool = False) -> DemoWorld:
    """Seed the demo account. With mailboxes (the emulator running), Gmail reps get real mailboxes:
    sequence emails go out through them and the seeded replies arrive in them."""
    real_clock = ctx.clock
    clock = DemoClock(utcnow() - timedelta(days=21))
    ctx.clock = clock
    try:
        return _seed(ctx, clock, with_mailboxes)
    finally:
        ctx.clock = real_clock


def _run_worker_until(ctx: ServiceContext, clock: DemoClock, until: datetime) -> None:
    while clock.now < until:
        clock.now = min(until, clock.now + timedelta(hours=12))
        for eid in claim_due_enrollments(ctx, "demo-seed", limit=500):
            run_step(ctx, eid)


def _seed(ctx: ServiceContext, clock: DemoClock, with_mailboxes: bool) -> DemoWorld:
    acct = accounts.create_account(ctx, name="Northwind Traders (demo)", plan="enterprise",
                                   admin_email="admin@northwind.example")
    accounts.install_api_key(ctx, acct.account_id, DEMO_API_KEY, name="demo")
    admin = Principal(account_id=acct.account_id, label="user:admin@northwind.example",
                      user_id=acct.admin_user_id, role="super_admin")
    # The custom-trigger beta stays off so the usual reasons show; a super admin can opt in in Settings.
    accounts.update_account_settings(ctx, admin, unenroll_same_company=True)

    ava = directory.create_user(ctx, admin, email="ava.reed@northwind.example", name="Ava Reed", role="user",
                                mailbox_provider="gmail", mailbox_address="ava.reed@northwind.example",
                                mailbox_aliases=["ava@northwind.example"])
    omar = directory.create_user(ctx, admin, email="omar.shah@northwind.example", name="Omar Shah", role="user",
                                 mailbox_provider="outlook", mailbox_address="omar.shah@northwind.example")
    users = {"admin": str(acct.admin_user_id), "ava": ava["id"], "omar": omar["id"]}
    if with_mailboxes:
        connect_demo_mailboxes(ctx, admin, users)

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
        StepInput("automated_email", 0, "Quick question about {{company | supplier onboarding}}",
                  "Hi {{first_name | there}}, are you the right person to talk to about supplier onboarding at "
                  "{{company | your company}}?"),
        StepInput("call", 3, "Intro call", "Call and reference the first email"),
        StepInput("automated_email", 4, "", "Just bumping this up in case it got buried.", True),
        StepInput("task", 5, "LinkedIn connection request", ""),
    ])
    follow = sequences.create_sequence(ctx, admin, name="Post-demo follow-up", owner_user_id=omar["id"], steps=[
        StepInput("automated_email", 0, "Thanks for your time today", "Here is the recording and the deck."),
        StepInput("automated_email", 3, "", "Any questions from the team?", True),
        StepInput("manual_email", 5, "Pricing for your team", "Send the tailored quote"),
    ], on_reply="company", pause_on_out_of_office=True, seeding=True)
    seqs = {"intro": intro["id"], "follow": follow["id"]}

    def enroll(contact: str, seq: str, sender: str) -> str:
        return str(enrolling.enroll(ctx, admin, sequence_id=seqs[seq], contact_id=contacts[contact],
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
    unenroll(ctx, admin, en["samir"], surface="sequence_summary")
    workflow_unenroll(ctx, admin, contact_id=contacts["lena"], email=None, sequence_id=None,
                                  workflow="Deal moved to Closed Won")
    if with_mailboxes:
        # Real messages into Ava's Gmail, read by the same sync the worker runs.
        deliver_demo_message(ctx, admin, en["chloe"], "reply")
        deliver_demo_message(ctx, admin, en["jane"], "out_of_office")
        sync_gmail_mailbox(ctx, ava["mailbox_address"])
    else:
        _end_automatically(ctx, int(en["diego"]), UnenrollReason.REPLIED, clock.now, {
            "rule": "reply to a sequence email (demo seed)", "matched_by": MatchKind.IN_REPLY_TO.value,
            "message_id": "<CAF=reply.diego@mail.yahoo.com>", "from": "diego.santos@yahoo.com"})
    _end_automatically(ctx, int(en["bob"]), UnenrollReason.MEETING_BOOKED, clock.now, {
        "rule": "meeting booked through a sequence email's link (demo seed)", "meeting_at": "next Tuesday 10:00"})
    _run_worker_until(ctx, clock, clock.now + timedelta(days=1))
    # Her return date lies ahead of the real today, so the enrollment is still paused when the demo
    # starts (the worker resumes pauses by the real clock).
    back = (utcnow() + timedelta(days=DEMO_PAUSE_DAYS_LEFT)).replace(hour=8, minute=0, second=0, microsecond=0)
    pause(ctx, admin, en["alice"], until=back, reason="out of office until a date stated in the reply")
    # Today: fresh enrollments whose first email just went out.
    _run_worker_until(ctx, clock, utcnow())
    en["raj"] = enroll("raj", "follow", "omar")
    en["farah"] = enroll("farah", "intro", "ava")
    return DemoWorld(acct.account_id, DEMO_API_KEY, users, contacts, seqs, en)


def _end_automatically(ctx: ServiceContext, enrollment_id: int, reason: UnenrollReason, now: datetime,
                       evidence: dict[str, Any]) -> None:
    """Stand in for the mailbox watcher in the seed: end with a reason and evidence as it would."""
    with ctx.session() as s:
        e = s.get_one(t.Enrollment, enrollment_id)
        kind = {UnenrollReason.REPLIED: EventType.REPLIED,
                UnenrollReason.MEETING_BOOKED: EventType.MEETING_BOOKED}.get(reason)
        if kind:
            add_event(s, e, kind, now, "system", **evidence)
        end_enrollment(s, enrollment_id, EndOfEnrollment(reason, Surface.AUTOMATIC, "system", evidence), now)


# --- the demo's mailboxes, through the local emulator's control API ----------------------------

DEMO_MAIL = Path(__file__).resolve().parents[1] / "templates" / "demo_mail"
DEMO_KINDS = ("reply", "out_of_office", "bounce")


def _emulator(ctx: ServiceContext, method: str, path: str, **kwargs: Any) -> Any:
    if not ctx.settings.emulator_url:
        raise Invalid("the demo's emulator is not running (EMULATOR_URL is empty)")
    return demo_emulator.control(ctx.settings, method, path, **kwargs)


DEMO_TENANT = "d3e0d3e0-0000-4000-8000-000000000001"


def connect_demo_mailboxes(ctx: ServiceContext, admin: Principal, users: dict[str, str]) -> None:
    """Give every rep an emulated mailbox and connect it, as a rep's consent (Gmail) or the tenant
    admin's consent (Outlook) would. Outlook inbox subscriptions are made by the worker once the
    demo server answers Graph's validation handshake."""
    with ctx.session() as s:
        reps = [(str(u.id), u.mailbox_address, u.mailbox_provider, u.name) for u in s.scalars(select(t.User).where(
            t.User.account_id == admin.account_id, t.User.id.in_([int(i) for i in users.values()])))]
    if any(provider == "outlook" for *_, provider, _ in reps):
        with ctx.session() as s:
            # The demo's organisation is the emulator's, made by this process for this account: no
            # other account shares it, so its seed stands in for its Global Administrator's sign-in.
            link_tenant(s, admin.account_id, DEMO_TENANT, "demo_seed", ctx.now(),
                        proven_by="the demo's emulated organisation", started_by_user_id=admin.user_id)
        _emulator(ctx, "POST", "/_control/microsoft/apps", json={
            "client_id": ctx.settings.ms_client_id, "client_secret": ctx.settings.ms_client_secret,
            "tenant_id": DEMO_TENANT, "display_name": "Sequence Sidebar (demo)"})
    for user_id, address, provider, name in reps:
        if provider == "gmail":
            with ctx.session() as s:
                typed = list(s.scalars(select(t.UserAlias.address).where(t.UserAlias.user_id == int(user_id))))
            # Gmail lists the mailbox's aliases as its own, so the consent proves them too.
            box = _emulator(ctx, "POST", "/_control/google/mailboxes", json={"address": address, "aliases": typed})
            connect_gmail(ctx, admin, user_id, box["refresh_token"])
        elif provider == "outlook":
            box = _emulator(ctx, "POST", "/_control/microsoft/mailboxes",
                            json={"address": address, "tenant_id": DEMO_TENANT, "display_name": name})
            connect_outlook(ctx, admin, user_id, tenant_id=DEMO_TENANT, graph_user_id=box["user_id"],
                            subscribe_now=False)


def deliver_demo_message(ctx: ServiceContext, principal: Principal, enrollment_id: str, kind: str) -> dict[str, Any]:
    """Write a realistic reply, out-of-office or bounce to the enrollment's last sequence email and
    deliver it into the sender rep's emulated mailbox. The real path (push, webhook, worker) does the rest."""
    if kind not in DEMO_KINDS:
        raise Invalid(f"kind must be one of {', '.join(DEMO_KINDS)}")
    with ctx.session() as s:
        e = owned(s, t.Enrollment, enrollment_id, principal, "enrollment")
        sent = s.scalar(select(t.SequenceEmail).where(t.SequenceEmail.enrollment_id == e.id)
                        .order_by(t.SequenceEmail.step_position.desc()).limit(1))
        if sent is None:
            raise Invalid("this enrollment has sent no email yet")
        rep = s.get_one(t.User, e.sender_user_id)
        contact = s.get_one(t.Contact, e.contact_id)
        step = s.scalar(select(t.Step).where(t.Step.sequence_id == e.sequence_id,
                                             t.Step.position == sent.step_position))
    now = utcnow()
    values = {
        "contact": contact.primary_email, "contact_domain": contact.primary_email.rpartition("@")[2],
        "contact_name": f"{contact.first_name} {contact.last_name}".strip() or contact.primary_email,
        "contact_first": contact.first_name or "", "mailbox": rep.mailbox_address, "rep_name": rep.name,
        "rep_first": rep.name.split(" ")[0], "subject": sent.subject.removeprefix("Re: "),
        "in_reply_to": sent.rfc_message_id, "date": format_datetime(now), "sent_date": format_datetime(sent.sent_at),
        "token": secrets.token_hex(6), "return_date": (now + timedelta(days=7)).strftime("%d %B %Y"),
        "body_quote": (step.body if step else "").splitlines()[0][:200] if step and step.body else "",
    }
    text = (DEMO_MAIL / f"{kind}.eml").read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    raw = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    if rep.mailbox_provider == "gmail":
        _emulator(ctx, "POST", f"/_control/google/mailboxes/{rep.mailbox_address}/deliver",
                  json={"raw": base64.b64encode(raw).decode("ascii")})
    else:
        # Exchange marks its own automatic replies with the OOF message class.
        kind_param = {"out_of_office": "oof", "bounce": "ndr"}.get(kind, "note")
        _emulator(ctx, "POST", f"/_control/microsoft/mailboxes/{rep.mailbox_address}/deliver",
                  params={"kind": kind_param}, data=raw, headers={"Content-Type": "message/rfc822"})
    return {"delivered_to": rep.mailbox_address, "provider": rep.mailbox_provider, "kind": kind,
            "in_reply_to": sent.rfc_message_id, "from": contact.primary_email}
