"""The public link pages over HTTP: a world, and helpers that read what the outbox sent."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from addin_server.auth.signed_links import booking_page_key
from addin_server.db import tables as t
from addin_server.services.context import ServiceContext
from tests.builders import World, make_world


@pytest.fixture
def world(services: ServiceContext) -> World:
    return make_world(services)


def enroll_over_api(client: Any, w: World, contact: dict[str, Any] | None = None) -> dict[str, Any]:
    got = client.post("/api/v1/enrollments", headers=w.headers, json={
        "sequence_id": w.sequence["id"], "contact_id": (contact or w.contact)["id"], "sender_user_id": w.rep["id"]})
    assert got.status_code == 201, got.get_json()
    answer: dict[str, Any] = got.get_json()
    return answer


def last_sent(ctx: ServiceContext) -> t.LocalOutbox:
    with ctx.session() as s:
        row = s.scalars(select(t.LocalOutbox).order_by(t.LocalOutbox.id.desc()).limit(1)).one()
        s.expunge(row)
        return row


def path_of(url: str) -> str:
    """The path and query of one of our absolute links (the test client serves them locally)."""
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.netloc == "sidebar.test"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def unsubscribe_path(email: t.LocalOutbox) -> str:
    header = email.headers["List-Unsubscribe"]
    match = re.fullmatch(r"<(https://[^>]+)>", header)
    assert match, header
    return path_of(match.group(1))


def booking_path(client: Any, rep: dict[str, Any]) -> str:
    """A rep's own booking page, without a sequence email's link."""
    return f"/meet/{booking_page_key(rep['id'], client.application.extensions['services'].settings)}"


def meeting_path(email: t.LocalOutbox) -> str:
    match = re.search(r"Book a meeting with [^:]+: (\S+)", email.body)
    assert match, email.body
    return path_of(match.group(1))


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def first_slot(html: str) -> str:
    match = re.search(r'name="slot" value="([^"]+)"', html)
    assert match, "no free slot on the page"
    return match.group(1)
