"""What the mail benches share: reps' emulated Outlook mailboxes, contacts enrolled over them, and
their replies (bench/pipeline.py and bench/after_reply.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.microsoft import MicrosoftEmulatorControl
from addin_server.db import tables as t
from addin_server.services import directory, enrollments, identity
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.mailboxes import connect_gmail, connect_outlook

ROOT = Path(__file__).resolve().parents[1]
REPLY = ROOT / "tests" / "fixtures" / "inbound" / "human_reply.eml"


def reply_mail(sender: str, mailbox: str, in_reply_to: str, n: int) -> bytes:
    """The contact's reply to the sequence email `in_reply_to`, as raw MIME with CRLF line ends."""
    text = REPLY.read_text()
    for key, value in {"sender": sender, "mailbox": mailbox, "in_reply_to": in_reply_to, "n": str(n),
                       "date": "Tue, 03 Mar 2026 10:00:00 +0000"}.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode()


def gmail_reps(ctx: ServiceContext, admin: Principal, control: GoogleEmulatorControl, mailboxes: int,
               domain: str) -> list[dict[str, Any]]:
    """`mailboxes` reps, each with an emulated Gmail mailbox connected (rep0@domain, rep1@domain...)."""
    reps = []
    for m in range(mailboxes):
        address = f"rep{m}@{domain}"
        rep = directory.create_user(ctx, admin, email=address, name=f"Rep {m}", role="user",
                                    mailbox_provider="gmail", mailbox_address=address)
        connect_gmail(ctx, admin, rep["id"], control.create_mailbox(address)["refresh_token"])
        reps.append(rep)
    return reps


def outlook_reps(ctx: ServiceContext, admin: Principal, control: MicrosoftEmulatorControl, setup: Any,
                 mailboxes: int) -> list[dict[str, Any]]:
    """`mailboxes` reps of the setup's tenant, each with an emulated Outlook mailbox connected."""
    with ctx.session() as s:
        # The emulated tenant is the bench's own: its seed stands in for its Global Administrator's sign-in.
        identity.link_tenant(s, admin.account_id, setup.tenant_id, "bench_seed", ctx.now(),
                             proven_by="the bench's emulated organisation")
    reps = []
    for m in range(mailboxes):
        address = setup.address if m == 0 else f"rep{m}-{setup.address}"
        user_id = setup.user_id if m == 0 else control.create_mailbox(address, setup.tenant_id)["user_id"]
        rep = directory.create_user(ctx, admin, email=address, name=f"Rep {m}", role="user",
                                    mailbox_provider="outlook", mailbox_address=address)
        connect_outlook(ctx, admin, rep["id"], tenant_id=setup.tenant_id, graph_user_id=user_id)
        reps.append(rep)
    return reps


@dataclass
class Enrolled:
    enrollment_id: int
    contact: str  # the contact's address
    mailbox: str  # the sender's mailbox, where the reply lands
    first_message_id: str  # the Message-ID of the first email, which the reply answers


def enroll_over(ctx: ServiceContext, admin: Principal, sequence_id: str, reps: list[dict[str, Any]], n: int, *,
                before_each: Callable[[int], None] = lambda i: None) -> list[Enrolled]:
    """N contacts enrolled in the sequence, spread over the reps' mailboxes (the first email goes out at
    once), with the Message-ID each reply must answer. `before_each(i)` runs before the i-th enrollment
    (after_reply.py sets its clock there)."""
    made = []
    for i in range(n):
        rep = reps[i % len(reps)]
        before_each(i)
        c = directory.create_contact(ctx, admin, email=f"person{i}@company{i % 97}.test", first_name=f"P{i}")
        e = enrollments.enroll(ctx, admin, sequence_id=sequence_id, contact_id=c["id"], sender_user_id=rep["id"])
        made.append((int(e["id"]), c["email"], rep["mailbox_address"]))
    with ctx.session() as s:
        first = dict(s.execute(select(t.SequenceEmail.enrollment_id, t.SequenceEmail.rfc_message_id)
                               .where(t.SequenceEmail.step_position == 1)).all())
    return [Enrolled(eid, email, mailbox, first[eid]) for eid, email, mailbox in made]
