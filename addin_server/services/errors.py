"""Failures a caller can cause and understand. The web layer maps each to its HTTP status."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details  # machine-readable help beside the message (e.g. where to connect a mailbox)
        if code:
            self.code = code


class Invalid(ServiceError):
    status = 422
    code = "invalid"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class ProviderUnavailable(ServiceError):
    """The mail provider did not answer, or failed, and nothing was changed: try again later."""

    status = 502
    code = "provider_unavailable"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"
