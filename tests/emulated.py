"""The local emulator for tests and bench reports: starting it, and settings that point at it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.google.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from addin_emulator.microsoft import MicrosoftEmulatorControl
from addin_emulator.runner import RunningEmulator, start_emulator
from addin_server.auth.secrets_box import generate_encryption_key
from addin_server.config import Settings

PUSH_AUDIENCE = "https://sidebar.test/webhooks/gmail"
PUSH_ACCOUNT = "gmail-push@sidebar-test.iam.gserviceaccount.com"


def google_emulator_settings(control: GoogleEmulatorControl, database_url: str, **overrides: Any) -> Settings:
    """Gmail, Calendar, OAuth and Pub/Sub all on the emulator; sending through the reps' mailboxes."""
    values: dict[str, Any] = {
        "database_url": database_url, "public_url": "https://sidebar.test", "secret_key": "test-secret",
        "encryption_key": generate_encryption_key(), "mail_transport": "providers",
        "gmail_api_endpoint": control.gmail_api_endpoint, "google_token_uri": control.token_uri,
        "google_admin_api_endpoint": control.admin_api_endpoint,
        "google_auth_uri": control.auth_uri, "google_calendar_api_endpoint": control.calendar_api_endpoint,
        "google_oauth_client_id": DEFAULT_CLIENT_ID, "google_oauth_client_secret": DEFAULT_CLIENT_SECRET,
        "google_certs_url": control.certs_url, "pubsub_audience": PUSH_AUDIENCE,
        "pubsub_service_account": PUSH_ACCOUNT, "pubsub_topic": "projects/sidebar-test/topics/gmail",
    }
    values.update(overrides)
    return Settings.from_env({}, **values)


@contextmanager
def running_emulator(*, microsoft_app: tuple[str, str, str] | None = None,
                     mailboxes: Iterable[tuple[str, str]] = ()) -> Iterator[RunningEmulator]:
    """The emulator on free loopback ports, plain and TLS, stopped afterwards.

    microsoft_app (client id, secret, tenant) registers that app and creates the given Outlook
    mailboxes (address, display name) in its tenant. Meanwhile requests' CA-bundle variables are
    lifted: they would override the bundle msal is given, and the emulator's own CA must win.
    """
    saved = {name: os.environ.pop(name) for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if name in os.environ}
    running = start_emulator(tls_port=0)
    try:
        if microsoft_app is not None:
            client_id, secret, tenant = microsoft_app
            control = MicrosoftEmulatorControl(running.base_url)
            control.create_app(client_id, secret, tenant)
            for address, name in mailboxes:
                control.create_mailbox(address, tenant, display_name=name)
            control.session.close()
        yield running
    finally:
        running.stop()
        os.environ.update(saved)


def manual_google_control(emulator: RunningEmulator) -> GoogleEmulatorControl:
    """The emulator's Google side with nothing pending, no faults, and pushes sent only when asked."""
    control = GoogleEmulatorControl(emulator.base_url)
    control.discard_notifications()
    control.clear_faults()
    control.set_delivery("manual")
    return control
