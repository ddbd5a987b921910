"""A small Python handle on the control API, so tests and the demo never hand-build its URLs."""

from __future__ import annotations

from typing import Any

import requests


class MicrosoftEmulatorControl:
    """Drives /_control/microsoft/... of an emulator at `base_url` (its plain HTTP address)."""

    def __init__(self, base_url: str, session: requests.Session | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self.session.request(method, f"{self.base_url}/_control/microsoft{path}", timeout=self.timeout, **kwargs)
        resp.raise_for_status()
        return resp.json()

    # Apps, tenants and mailboxes
    def create_app(self, client_id: str, client_secret: str, tenant_id: str, display_name: str = "") -> dict[str, Any]:
        body = {"client_id": client_id, "client_secret": client_secret, "tenant_id": tenant_id}
        if display_name:
            body["display_name"] = display_name
        result: dict[str, Any] = self._call("POST", "/apps", json=body)
        return result

    def set_consent(self, client_id: str, tenant_id: str, granted: bool) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", f"/apps/{client_id}/consent", json={"tenant_id": tenant_id, "granted": granted}
        )
        return result

    def create_mailbox(
        self,
        address: str,
        tenant_id: str,
        *,
        user_id: str | None = None,
        display_name: str | None = None,
        aliases: list[str] | None = None,
        directory_roles: list[str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"address": address, "tenant_id": tenant_id, "aliases": aliases or [],
                                "directory_roles": directory_roles or []}
        if user_id:
            body["user_id"] = user_id
        if display_name:
            body["display_name"] = display_name
        result: dict[str, Any] = self._call("POST", "/mailboxes", json=body)
        return result

    def messages(self, address: str, folder: str | None = None) -> list[dict[str, Any]]:
        params = {"folder": folder} if folder else {}
        result: list[dict[str, Any]] = self._call("GET", f"/mailboxes/{address}/messages", params=params)["messages"]
        return result

    def deliver(self, address: str, raw: bytes | str, kind: str = "auto") -> dict[str, Any]:
        """Deliver an RFC 822 message; kind: auto (NDRs detected), note, oof (Exchange OOF class), ndr."""
        data = raw.encode() if isinstance(raw, str) else raw
        result: dict[str, Any] = self._call(
            "POST", f"/mailboxes/{address}/deliver", params={"kind": kind}, data=data,
            headers={"Content-Type": "message/rfc822"},
        )
        return result

    # Identity
    def mint_sso_token(
        self, client_id: str, address: str, variant: str = "valid", scopes: str = "access_as_user"
    ) -> str:
        body = {"client_id": client_id, "address": address, "variant": variant, "scopes": scopes}
        token: str = self._call("POST", "/sso-tokens", json=body)["token"]
        return token

    def revoke_refresh_tokens(self, *, refresh_token: str | None = None, address: str | None = None) -> int:
        count: int = self._call(
            "POST", "/refresh-tokens/revoke", json={"refresh_token": refresh_token, "address": address}
        )["revoked"]
        return count

    # Faults and time
    def inject_fault(
        self,
        route: str,
        status: int | None = None,
        *,
        count: int = 1,
        retry_after: int | None = None,
        method: str | None = None,
        delay_seconds: float = 0.0,
        code: str | None = None,
    ) -> dict[str, Any]:
        body = {"route": route, "status": status, "count": count, "retry_after": retry_after, "method": method,
                "delay_seconds": delay_seconds, "code": code}
        result: dict[str, Any] = self._call("POST", "/faults", json=body)
        return result

    def faults(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/faults")["faults"]
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def advance_clock(self, seconds: float) -> str:
        now: str = self._call("POST", "/clock/advance", json={"seconds": seconds})["now"]
        return now

    # Notifications
    def notification_fault(self, action: str, count: int = 1, delay_seconds: float = 0.0) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "POST", "/notifications/faults", json={"action": action, "count": count, "delay_seconds": delay_seconds}
        )
        return result

    def flush_notifications(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/notifications/flush")
        return result

    def set_auto_delivery(self, enabled: bool) -> bool:
        running: bool = self._call("POST", "/notifications/auto", json={"enabled": enabled})["enabled"]
        return running

    def notifications(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/notifications")
        return result

    def subscriptions(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/subscriptions")["subscriptions"]
        return result

    def send_lifecycle(self, subscription_id: str, event: str) -> None:
        self._call("POST", f"/subscriptions/{subscription_id}/lifecycle", json={"event": event})
