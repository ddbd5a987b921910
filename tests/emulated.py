"""Settings that point every Google endpoint at the local emulator (tests and bench reports)."""

from __future__ import annotations

from typing import Any

from addin_server.auth.secrets_box import generate_encryption_key
from addin_server.config import Settings
from addin_server.emulator.google.client import GoogleEmulatorControl
from addin_server.emulator.google.state import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

PUSH_AUDIENCE = "https://sidebar.test/webhooks/gmail"
PUSH_ACCOUNT = "gmail-push@sidebar-test.iam.gserviceaccount.com"


def google_emulator_settings(control: GoogleEmulatorControl, database_url: str, **overrides: Any) -> Settings:
    """Gmail, Calendar, OAuth and Pub/Sub all on the emulator; sending through the reps' mailboxes."""
    values: dict[str, Any] = {
        "database_url": database_url, "public_url": "https://sidebar.test", "secret_key": "test-secret",
        "encryption_key": generate_encryption_key(), "mail_transport": "providers",
        "gmail_api_endpoint": control.gmail_api_endpoint, "google_token_uri": control.token_uri,
        "google_auth_uri": control.auth_uri, "google_calendar_api_endpoint": control.calendar_api_endpoint,
        "google_oauth_client_id": DEFAULT_CLIENT_ID, "google_oauth_client_secret": DEFAULT_CLIENT_SECRET,
        "google_certs_url": control.certs_url, "pubsub_audience": PUSH_AUDIENCE,
        "pubsub_service_account": PUSH_ACCOUNT, "pubsub_topic": "projects/sidebar-test/topics/gmail",
    }
    values.update(overrides)
    return Settings.from_env({}, **values)
