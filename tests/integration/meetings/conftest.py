"""Meetings and unsubscribes against the real database: a world with Jane (and Raj) at Globex."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import directory, enrollments
from addin_server.services.context import ServiceContext
from tests.builders import World, make_world


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services)


def enroll(ctx: ServiceContext, w: World, contact: dict[str, Any] | None = None, *,
           sequence: dict[str, Any] | None = None, by: dict[str, Any] | None = None) -> dict[str, Any]:
    """Enroll a contact (Jane by default) in a sequence, sent and enrolled by Rita unless told."""
    rep = by or w.rep
    return enrollments.enroll(ctx, w.admin, sequence_id=(sequence or w.sequence)["id"],
                              contact_id=(contact or w.contact)["id"], sender_user_id=rep["id"],
                              enrolled_by_user_id=rep["id"])


def another_globex_contact(ctx: ServiceContext, w: World) -> dict[str, Any]:
    return directory.create_contact(ctx, w.admin, email="mo@globex-acme.test", first_name="Mo",
                                    company_id=w.company["id"])


def sequence_emails(ctx: ServiceContext, enrollment_id: str) -> list[t.SequenceEmail]:
    with ctx.session() as s:
        rows = list(s.scalars(select(t.SequenceEmail).where(t.SequenceEmail.enrollment_id == int(enrollment_id))
                              .order_by(t.SequenceEmail.step_position)))
        s.expunge_all()
        return rows


def outbox(ctx: ServiceContext) -> list[t.LocalOutbox]:
    with ctx.session() as s:
        rows = list(s.scalars(select(t.LocalOutbox).order_by(t.LocalOutbox.id)))
        s.expunge_all()
        return rows
