"""Errors in the JSON shape Google's APIs answer with."""

from __future__ import annotations

import json

from flask import Response

# gRPC status names Google puts in `error.status`; Calendar's 410 has none.
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

_DEFAULT_REASONS = {
    400: ("invalidArgument", "Invalid argument."),
    401: ("authError", "Request had invalid authentication credentials."),
    403: ("forbidden", "The caller does not have permission"),
    404: ("notFound", "Requested entity was not found."),
    429: ("rateLimitExceeded", "Resource has been exhausted (e.g. check quota)."),
    500: ("backendError", "Internal error encountered."),
    503: ("backendError", "The service is currently unavailable."),
}

RATE_LIMIT_REASONS = ("rateLimitExceeded", "userRateLimitExceeded")


class GoogleApiError(Exception):
    """Raised inside a route; answered as Google's error JSON."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        reason: str | None = None,
        *,
        domain: str = "global",
        headers: dict[str, str] | None = None,
    ) -> None:
        default_reason, default_message = _DEFAULT_REASONS.get(code, ("error", "Error."))
        self.code = code
        self.message = message or default_message
        self.reason = reason or default_reason
        self.domain = "usageLimits" if self.reason in RATE_LIMIT_REASONS else domain
        self.headers = headers or {}
        super().__init__(f"{code} {self.reason}: {self.message}")

    def body(self) -> dict[str, object]:
        error: dict[str, object] = {
            "code": self.code,
            "message": self.message,
            "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
        }
        if self.code in _STATUS_NAMES:
            error["status"] = _STATUS_NAMES[self.code]
        return {"error": error}

    def response(self) -> Response:
        resp = Response(
            json.dumps(self.body(), indent=2), status=self.code, mimetype="application/json"
        )
        resp.headers["Content-Type"] = "application/json; charset=UTF-8"
        for name, value in self.headers.items():
            resp.headers[name] = value
        return resp


def unauthenticated() -> GoogleApiError:
    return GoogleApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
        "or other valid authentication credential.",
        "authError",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
    )


def not_found() -> GoogleApiError:
    return GoogleApiError(404, "Requested entity was not found.", "notFound")


def invalid_argument(message: str) -> GoogleApiError:
    return GoogleApiError(400, message, "invalidArgument")
