"""What the classifier answers about one inbound message: its kind and the signals that made it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from addin_server.domain.model import InboundKind


@dataclass(frozen=True)
class Classification:
    kind: InboundKind
    evidence: tuple[str, ...] = ()
    return_date: date | None = None
    bounced_recipients: tuple[str, ...] = ()
    status_codes: tuple[str, ...] = ()
    original_message_id: str | None = None
    left_company: bool = False
    # Bounced recipients whose own part of the report (their DSN block, or the lines of a textual
    # report under their address) makes them hard bounces, when the report judges recipients apart.
    # Empty when it does not: then `kind` holds for every bounced recipient.
    hard_recipients: tuple[str, ...] = ()

