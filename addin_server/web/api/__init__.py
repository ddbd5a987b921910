"""The JSON API under /api/v1: thin views over the services, validated by pydantic models.

One module per resource; base.py holds the blueprint, the OpenAPI spec, the shared field types and
the caller's authentication. Importing the package registers every operation, in the order below
(the order of the OpenAPI document's paths).
"""

from __future__ import annotations

from addin_server.web.api import (  # noqa: F401 - imported for their operations
    account,
    directory,
    enrollments,
    inbound,
    lookup,
    meetings,
    outbox,
    sequences,
    webhooks,
)
from addin_server.web.api.base import bp, spec

__all__ = ["bp", "spec"]
