"""What the classifier answers about one inbound message: its kind and the signals that made it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class MessageKind(StrEnum):
    HUMAN_REPLY = "human_reply"
    OUT_OF_OFFICE = "out_of_office"
    BOUNCE_HARD = "bounce_hard"
    BOUNCE_SOFT = "bounce_soft"
    AUTO_OTHER = "auto_other"

    @property
    def is_bounce(self) -> bool:
        return self in (MessageKind.BOUNCE_HARD, MessageKind.BOUNCE_SOFT)


@dataclass(frozen=True)
class Classification:
    kind: MessageKind
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

