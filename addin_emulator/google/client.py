"""A small Python handle on the control API, so tests and the demo never hand-build its URLs."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import requests

from addin_emulator.google.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET


class GoogleEmulatorControl:
    """Drives /_control/google/... of an emulator at `base_url` over HTTP."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()

    # URLs a client library needs.
    @property
    def gmail_api_endpoint(self) -> str:
        """client_options api_endpoint for Gmail: the discovery paths start with gmail/v1/."""
        return f"{self.base_url}/"

    @property
    def calendar_api_endpoint(self) -> str:
        """client_options api_endpoint for Calendar: its servicePath calendar/v3/ is included."""
        return f"{self.base_url}/calendar/v3/"

    @property
    def admin_api_endpoint(self) -> str:
        """The Admin SDK root: the Directory API's paths start with admin/directory/v1/."""
        return f"{self.base_url}/"

    @property
    def gmail_batch_uri(self) -> str:
        return f"{self.base_url}/batch/gmail/v1"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    @property
    def certs_url(self) -> str:
        return f"{self.base_url}/oauth2/v1/certs"

    @property
    def auth_uri(self) -> str:
        return f"{self.base_url}/o/oauth2/v2/auth"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._session.request(
            method, f"{self.base_url}/_control/google{path}", timeout=self.timeout, **kwargs
        )
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._call("POST", "/reset")

    def create_mailbox(
        self,
        address: str,
        aliases: list[str] | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        workspace_admin: bool = False,
    ) -> dict[str, Any]:
        """Create a mailbox; the answer carries a refresh token for it (client_id/secret given).
        workspace_admin: a super administrator of its Workspace domain."""
        body = {"address": address, "aliases": aliases or [], "client_id": client_id, "client_secret": client_secret,
                "workspace_admin": workspace_admin}
        result: dict[str, Any] = self._call("POST", "/mailboxes", json=body)
        return result

    def issue_grant(self, address: str, *, authorization_code: bool = False, **extra: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", "/grants", json={"address": address, "authorization_code": authorization_code, **extra}
        )
        return result

    def revoke(self, refresh_token: str | None = None, address: str | None = None) -> int:
        body = {"refresh_token": refresh_token, "address": address}
        return int(self._call("POST", "/grants/revoke", json=body)["revoked"])

    def messages(self, address: str, label: str | None = None) -> list[dict[str, Any]]:
        params = {"label": label} if label else None
        result: list[dict[str, Any]] = self._call("GET", f"/mailboxes/{quote(address)}/messages", params=params)[
            "messages"
        ]
        return result

    def deliver(self, address: str, message: bytes | str, labels: list[str] | None = None) -> dict[str, Any]:
        """Deliver a raw RFC 822 message into a mailbox (INBOX + UNREAD unless labels are given)."""
        raw = message.encode("utf-8") if isinstance(message, str) else message
        result: dict[str, Any] = self._call(
            "POST",
            f"/mailboxes/{quote(address)}/deliver",
            params=[("label", label) for label in labels or []],
            json={"raw": base64.b64encode(raw).decode("ascii")},
        )
        return result

    def expire_history(self, address: str, before: int | None = None) -> str:
        body = {} if before is None else {"before": before}
        return str(self._call("POST", f"/mailboxes/{quote(address)}/history/expire", json=body)["retainedFrom"])

    def watch_of(self, address: str) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self._call("GET", f"/mailboxes/{quote(address)}/watch")["watch"]
        return result

    def set_push(
        self,
        endpoint: str,
        *,
        address: str | None = None,
        audience: str | None = None,
        service_account: str | None = None,
        subscription: str | None = None,
        numeric_history_id: bool = False,
    ) -> dict[str, Any]:
        """Where Pub/Sub pushes go: for one mailbox, or (address None) for every mailbox."""
        body = {
            "endpoint": endpoint,
            "audience": audience,
            "service_account": service_account,
            "subscription": subscription,
            "numeric_history_id": numeric_history_id,
        }
        path = f"/mailboxes/{quote(address)}/push" if address else "/push"
        result: dict[str, Any] = self._call("PUT", path, json=body)
        return result

    def inject_fault(
        self,
        route: str,
        status: int | None,
        *,
        count: int = 1,
        method: str | None = None,
        retry_after: int | str | None = None,
        reason: str | None = None,
        delay_seconds: float = 0.0,
    ) -> dict[str, Any]:
        """Answer the next `count` requests whose path matches `route` (fnmatch) with `status`; with
        `delay_seconds` wait that long first (status None: then answer as usual, a slow Gmail)."""
        body = {
            "route": route,
            "status": status,
            "count": count,
            "method": method,
            "retry_after": retry_after,
            "reason": reason,
            "delay_seconds": delay_seconds,
        }
        result: dict[str, Any] = self._call("POST", "/faults", json=body)
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def notification_fault(self, action: str, count: int = 1, seconds: float = 0, kind: str | None = None) -> None:
        """Drop, delay (by `seconds` of emulator time) or duplicate the next `count` notifications."""
        self._call(
            "POST", "/notifications/faults", json={"action": action, "count": count, "seconds": seconds, "kind": kind}
        )

    def notifications(self, kind: str | None = None) -> list[dict[str, Any]]:
        params = {"kind": kind} if kind else None
        result: list[dict[str, Any]] = self._call("GET", "/notifications", params=params)["notifications"]
        return result

    def discard_notifications(self) -> None:
        """Forget every queued notification and notification fault."""
        self._call("DELETE", "/notifications")

    def flush(self) -> list[dict[str, Any]]:
        """Deliver every due notification now; one entry per POST with the status it got."""
        result: list[dict[str, Any]] = self._call("POST", "/flush")["deliveries"]
        return result

    def set_delivery(self, mode: str, interval: float = 0.2) -> None:
        self._call("PUT", "/delivery", json={"mode": mode, "interval": interval})

    def advance_clock(self, seconds: float) -> int:
        return int(self._call("POST", "/clock/advance", json={"seconds": seconds})["millis"])

    def add_calendar_event(self, address: str, event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/calendars/{quote(address)}/events", json=event)
        return result

    def invalidate_sync_tokens(self, address: str) -> None:
        self._call("POST", f"/calendars/{quote(address)}/sync-tokens/invalidate")

    def mint_id_token(
        self,
        kind: str,
        *,
        audience: str | None = None,
        email: str | None = None,
        sub: str | None = None,
        flaw: str | None = None,
    ) -> str:
        """kind: addon_system (aud = endpoint URL), user (aud = OAuth client id) or pubsub."""
        body = {"kind": kind, "audience": audience, "email": email, "sub": sub, "flaw": flaw}
        return str(self._call("POST", "/id-tokens", json=body)["token"])

    def requests(self) -> list[dict[str, Any]]:
        """Every request the Google side answered (method, path, query, status, fault, JSON body)."""
        result: list[dict[str, Any]] = self._call("GET", "/requests")["requests"]
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")
