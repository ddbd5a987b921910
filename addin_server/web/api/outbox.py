"""/outbox: emails sent through the local outbox."""

from __future__ import annotations

from typing import Any

from addin_server.services import outbox
from addin_server.web.api.base import Open, bp, ctx, principal, spec
from addin_server.web.apispec import operation


class OutboxOut(Open):
    emails: list[dict[str, Any]]


@operation(spec, bp, "GET", "/outbox", summary="Emails sent through the local outbox (embedded default)",
           tag="outbox", response=OutboxOut, errors=())
def list_outbox() -> Any:
    return {"emails": outbox.recent_outbox(ctx(), principal())}
