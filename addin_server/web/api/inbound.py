"""/inbound/simulate: what a raw message would do in a rep's mailbox (a dry run)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from addin_server.services.inbound import MAX_SIMULATED_BYTES, SIMULATE_REQUEST_BYTES
from addin_server.web.api.base import Email, Open, Strict, bp, ctx, principal, spec
from addin_server.web.apispec import operation


class SimulateIn(Strict):
    mailbox: Email
    raw: Annotated[str, Field(
        min_length=1, max_length=MAX_SIMULATED_BYTES,
        description=f"The RFC 822 message: at most {MAX_SIMULATED_BYTES:,} bytes once encoded as UTF-8 (422 "
                    f"message_too_large above). This request may be up to {SIMULATE_REQUEST_BYTES:,} bytes, "
                    "whatever MAX_REQUEST_BYTES says.")]
    message_class: Annotated[str | None, Field(
        default=None, max_length=255, pattern=r"^[A-Za-z0-9._-]+$",
        description="For an Outlook mailbox: the Exchange message class the message carries there (Graph's "
                    "PidTagMessageClass, which the raw MIME lacks), e.g. IPM.Note.Rules.OofTemplate.Microsoft for an "
                    "out-of-office reply; the dry run reads it as delivery into Outlook does. Omitted: the raw's "
                    "X-MS-Exchange-Message-Class header, if any. A Gmail mailbox has no classes: 422 "
                    "message_class_not_outlook.")] = None


class SimulateOut(Open):
    kind: str
    decisions: list[dict[str, Any]]


@operation(spec, bp, "POST", "/inbound/simulate", tag="inbound", body=SimulateIn, response=SimulateOut,
           errors=(400, 404, 413, 422), body_bytes=SIMULATE_REQUEST_BYTES,
           summary="What a raw RFC 822 message would do in a rep's mailbox (dry run: nothing changes)")
def simulate_inbound(body: SimulateIn) -> Any:
    from addin_server.services import inbound

    return inbound.simulate(ctx(), principal(), body.raw.encode("utf-8", "surrogateescape"), body.mailbox,
                            body.message_class)
