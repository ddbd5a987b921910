"""Browser tests of the public link pages: the app on a loopback port, with Jane enrolled by Rita.

Links in sent emails name the public URL (https://sidebar.test); the tests open the same path on
the live server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from addin_server import create_app
from addin_server.auth.signed_links import booking_page_key
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services import enrollments
from addin_server.services.context import ServiceContext
from tests.browser import live_server
from tests.builders import World, make_world


@dataclass
class LinkWorld:
    world: World
    enrollment_id: str
    unsubscribe_path: str
    meeting_path: str


@pytest.fixture
def link_world(services: ServiceContext) -> LinkWorld:
    w = make_world(services)
    e = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                           sender_user_id=w.rep["id"])
    with services.session() as s:
        email = s.scalars(select(t.SequenceEmail).where(t.SequenceEmail.enrollment_id == int(e["id"]))).one()
        unsubscribe_token, meeting_token = email.unsubscribe_token, email.meeting_token
    return LinkWorld(w, e["id"], f"/u/{unsubscribe_token}", f"/meet/{booking_page_key(w.rep['id'], services.settings)}?t={meeting_token}")


@pytest.fixture
def base_url(settings: Settings, services: ServiceContext, link_world: LinkWorld) -> Iterator[str]:
    app = create_app(settings, services=services)
    with live_server(app) as url:
        assert urlsplit(url).hostname == "127.0.0.1"
        yield url
