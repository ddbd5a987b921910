"""Helpers for the Microsoft emulator tests: setups, O365 seams, a webhook receiver, shape checks.

Each test makes its own tenant, app and mailbox (make_setup), so tests never see each other's mail.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msal
import requests
from flask import Flask, Response, request
from O365 import Account
from O365.connection import Connection, MSGraphProtocol
from O365.utils.token import MemoryTokenBackend
from werkzeug.serving import make_server

from addin_emulator.microsoft import MicrosoftEmulatorControl
from addin_emulator.runner import RunningEmulator

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "graph"
GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"
_numbers = itertools.count(1)


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class MicrosoftSetup:
    """One tenant with our app registered and one rep's mailbox, and ways to call Graph as the app."""

    emulator: RunningEmulator
    control: MicrosoftEmulatorControl
    tenant_id: str
    client_id: str
    client_secret: str
    address: str
    user_id: str
    _token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def authority(self) -> str:
        assert self.emulator.tls_base_url
        return f"{self.emulator.tls_base_url}/ms/{self.tenant_id}"

    @property
    def graph(self) -> str:
        return f"{self.emulator.base_url}/graph/v1.0"

    @property
    def user_url(self) -> str:
        return f"{self.graph}/users/{self.address}"

    def msal_app(self, secret: str | None = None) -> msal.ConfidentialClientApplication:
        return msal.ConfidentialClientApplication(
            self.client_id,
            client_credential=secret or self.client_secret,
            authority=self.authority,
            instance_discovery=False,
            validate_authority=False,
            verify=self.emulator.ca_bundle,
        )

    def app_token(self) -> str:
        if self._token is None:
            result = self.msal_app().acquire_token_for_client([GRAPH_DEFAULT_SCOPE])
            self._token = str(result["access_token"])
        return self._token

    def session(self) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.app_token()}"
        self.extra.setdefault("sessions", []).append(session)
        return session

    def close(self) -> None:
        for session in self.extra.pop("sessions", []):
            session.close()

    def o365_account(self) -> Account:
        account = EmulatorAccount(
            (self.client_id, self.client_secret),
            protocol=EmulatorGraphProtocol(self.graph),
            auth_flow_type="credentials",
            tenant_id=self.tenant_id,
            token_backend=MemoryTokenBackend(),
            msal_authority=self.authority,
            ca_bundle=self.emulator.ca_bundle,
            requests_delay=0,
        )
        assert account.authenticate(requested_scopes=[GRAPH_DEFAULT_SCOPE])
        return account


class EmulatorGraphProtocol(MSGraphProtocol):
    """MSGraphProtocol pointed at another Graph root (its protocol_url argument raises TypeError)."""

    def __init__(self, graph_root: str, **kwargs: Any) -> None:
        self._protocol_url = graph_root.removesuffix("/v1.0").rstrip("/") + "/"
        super().__init__(api_version="v1.0", **kwargs)


class EmulatorConnection(Connection):
    """O365's Connection with our own msal client: O365 hard-codes login.microsoftonline.com."""

    def __init__(self, credentials: Any, *, msal_authority: str, ca_bundle: str | None, **kwargs: Any) -> None:
        super().__init__(credentials, **kwargs)
        self._emulator_authority = msal_authority
        self._emulator_ca_bundle = ca_bundle
        self._emulator_msal: msal.ConfidentialClientApplication | None = None

    @property
    def msal_client(self) -> msal.ConfidentialClientApplication:
        if self._emulator_msal is None:
            self._emulator_msal = msal.ConfidentialClientApplication(
                self.auth[0],
                client_credential=self.auth[1],
                authority=self._emulator_authority,
                token_cache=self.token_backend,
                instance_discovery=False,
                validate_authority=False,
                verify=self._emulator_ca_bundle or True,
            )
        return self._emulator_msal


class EmulatorAccount(Account):
    connection_constructor = EmulatorConnection


def make_setup(emulator: RunningEmulator, control: MicrosoftEmulatorControl) -> MicrosoftSetup:
    number = next(_numbers)
    tenant_id = f"{number:08x}-aaaa-4aaa-8aaa-{os.getpid():012x}"
    client_id = f"{number:08x}-cccc-4ccc-8ccc-{os.getpid():012x}"
    control.create_app(client_id, f"secret-{number}", tenant_id)
    address = f"rep{number}@contoso{number}.example"
    mailbox = control.create_mailbox(address, tenant_id, display_name=f"Rep {number}",
                                     aliases=[f"r{number}@contoso{number}.example"])
    return MicrosoftSetup(emulator, control, tenant_id, client_id, f"secret-{number}", address, mailbox["user_id"])


class Receiver:
    """Our side of Graph's webhooks, in miniature: answers the handshake and records notifications."""

    def __init__(self) -> None:
        self.handshake = "echo"  # or "refuse" (a 500) or "wrong" (answers a different text)
        self.statuses: list[int] = []  # answers for the next notifications; 202 when empty
        self.validations: list[tuple[str, str]] = []
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.app = Flask("graph-receiver")
        self.app.add_url_rule("/webhooks/graph", "graph", self._answer, methods=["POST"])
        self.app.add_url_rule("/webhooks/graph/lifecycle", "lifecycle", self._answer, methods=["POST"])
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def notification_url(self) -> str:
        return f"{self.base_url}/webhooks/graph"

    @property
    def lifecycle_url(self) -> str:
        return f"{self.base_url}/webhooks/graph/lifecycle"

    def _answer(self) -> Response:
        token = request.args.get("validationToken")
        if token is not None:
            with self.lock:
                self.validations.append((request.path, token))
            if self.handshake == "refuse":
                return Response("no", status=500)
            body = token if self.handshake == "echo" else "something else"
            return Response(body, status=200, content_type="text/plain")
        with self.lock:
            self.received.append((request.path, request.get_json()))
            status = self.statuses.pop(0) if self.statuses else 202
        return Response(status=status)

    def reset(self) -> None:
        with self.lock:
            self.handshake = "echo"
            self.statuses.clear()
            self.validations.clear()
            self.received.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def same_shape(documented: Any, ours: Any, where: str = "$") -> list[str]:
    """Differences between Microsoft's example and our payload: missing keys or other JSON types.

    null on either side matches any type (Microsoft's examples and ours fill optional fields
    differently); lists are compared by their first items.
    """
    if documented is None or ours is None:
        return []
    if isinstance(documented, bool) or isinstance(ours, bool):
        return [] if isinstance(documented, bool) and isinstance(ours, bool) else [f"{where}: bool vs {ours!r}"]
    if isinstance(documented, dict):
        if not isinstance(ours, dict):
            return [f"{where}: object expected, got {type(ours).__name__}"]
        problems = []
        for key, value in documented.items():
            if key not in ours:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += same_shape(value, ours[key], f"{where}.{key}")
        return problems
    if isinstance(documented, list):
        if not isinstance(ours, list):
            return [f"{where}: array expected, got {type(ours).__name__}"]
        return same_shape(documented[0], ours[0], f"{where}[0]") if documented and ours else []
    if isinstance(documented, int | float) and isinstance(ours, int | float):
        return []
    if type(documented) is not type(ours):
        return [f"{where}: {type(documented).__name__} expected, got {type(ours).__name__}"]
    return []


def rfc822(subject: str, *, sender: str = "pat@customer.example", to: str = "rep@contoso.example",
           message_id: str = "<reply-1@customer.example>", in_reply_to: str | None = None,
           extra_headers: str = "", body: str = "Thanks, sounds good.") -> bytes:
    lines = [
        f"From: Pat Customer <{sender}>",
        f"To: {to}",
        f"Subject: {subject}",
        "Date: Thu, 26 Nov 2026 09:00:00 +0000",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if in_reply_to:
        lines += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    if extra_headers:
        lines += extra_headers.strip().splitlines()
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()
