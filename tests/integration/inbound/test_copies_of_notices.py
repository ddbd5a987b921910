"""A copy of a message the mailbox applied before: only a copy of a notice is "already applied" (dry run)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from addin_server.db import tables as t
from addin_server.domain.model import InboundKind
from addin_server.domain.rules import Outcome
from addin_server.mail.message import InboundMessage
from addin_server.services.context import ServiceContext
from addin_server.services.inbound_history import OOF_COPY, copy_outcome
from tests.builders import make_world

MESSAGE = InboundMessage(message_id="<copy-1@globex.example>", from_address="jane@globex.example")


def _applied_before(services: ServiceContext, kind: InboundKind) -> None:
    world = make_world(services)
    with services.session() as s, s.begin():
        s.add(t.ProcessedMessage(account_id=world.account_id, provider="outlook", mailbox_address="rita@acme.example",
                                 message_id="AAMk-1", rfc_message_id=MESSAGE.message_id, from_address=MESSAGE.from_address,
                                 kind=kind.value, evidence={}, decisions={},
                                 processed_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))


@pytest.mark.parametrize(("earlier", "is_copy"), [
    pytest.param(InboundKind.OUT_OF_OFFICE, True, id="a copy of a notice applied before does nothing again"),
    pytest.param(InboundKind.HUMAN_REPLY, False,
                 id="a message applied before as a reply is no copy of a notice, whatever it reads as now"),
])
def test_only_a_copy_of_an_applied_notice_is_already_applied(services: ServiceContext, earlier: InboundKind,
                                                             is_copy: bool) -> None:
    _applied_before(services, earlier)
    with services.session() as s:
        got = copy_outcome(s, "outlook", "rita@acme.example", MESSAGE, InboundKind.OUT_OF_OFFICE, Outcome(note="as read"))
    assert got.note == (OOF_COPY if is_copy else "as read")
