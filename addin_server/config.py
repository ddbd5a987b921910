"""Every setting the service reads, in one place.

Settings come from environment variables. Defaults point at the real Google and Microsoft
services; the demo and the tests point them at the local emulator instead.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import string
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit

GOOGLE_CERTS_DEFAULT = "https://www.googleapis.com/oauth2/v1/certs"
GMAIL_API_DEFAULT = "https://gmail.googleapis.com/"
GOOGLE_ADMIN_API_DEFAULT = "https://admin.googleapis.com/"
GOOGLE_TOKEN_URI_DEFAULT = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
GOOGLE_AUTH_URI_DEFAULT = "https://accounts.google.com/o/oauth2/v2/auth"
CALENDAR_API_DEFAULT = "https://www.googleapis.com/calendar/v3/"
GRAPH_API_DEFAULT = "https://graph.microsoft.com/v1.0"
MS_AUTHORITY_DEFAULT = "https://login.microsoftonline.com/common"
MS_JWKS_DEFAULT = "https://login.microsoftonline.com/common/discovery/v2.0/keys"

_LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def manifest_public_url(raw: str) -> str:
    """PUBLIC_URL as the add-in manifests may name it (without a trailing slash), or ValueError saying why not.

    Google allowlists link prefixes and Microsoft loads task panes only over https, and every
    endpoint URL is PUBLIC_URL followed by a path, so a query or fragment would end up in the middle
    of each URL. Plain http is allowed for a loopback host only (the demo on this machine).
    """
    text = raw.strip()
    if not text:
        raise ValueError("PUBLIC_URL is empty: give the https:// URL Google and Microsoft will call")
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is not a number raises ValueError here
    except ValueError:
        raise ValueError(f"PUBLIC_URL {raw!r} is not a URL") from None
    if parts.username is not None or parts.password is not None:
        raise ValueError("PUBLIC_URL must not carry a user name or password")  # not echoed: it may be a secret
    if parts.scheme not in ("https", "http") or not host or not text.startswith(f"{parts.scheme}://"):
        raise ValueError(f"PUBLIC_URL {raw!r} must be an absolute https:// URL, such as https://sidebar.example.com")
    if parts.scheme.lower() == "http" and not _is_loopback(host):
        raise ValueError(f"PUBLIC_URL {raw!r} must use https:// (plain http is allowed only on a loopback host)")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValueError(f"PUBLIC_URL {raw!r} must not have a query or a fragment: every endpoint URL is "
                         "PUBLIC_URL followed by a path")
    if any(c.isspace() for c in text):
        raise ValueError(f"PUBLIC_URL {raw!r} must not contain spaces")
    # Token audiences are compared with exactly these URLs and the providers call them as written:
    # the path holds only what RFC 3986 allows, and a non-ASCII host is written as IDNA.
    bad = next((c for c in parts.path if c not in _PATH_CHARACTERS), None)
    if bad is not None or _BROKEN_ESCAPE.search(parts.path):
        what = f"{bad!r}" if bad is not None else "a % not followed by two hex digits"
        raise ValueError(f"PUBLIC_URL {raw!r} may not hold {what} in its path: percent-encode it")
    if not host.isascii():
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"PUBLIC_URL {raw!r} has a host name that is not valid") from None
        netloc = ascii_host + (f":{parts.port}" if parts.port is not None else "")
        text = f"{parts.scheme}://{netloc}{parts.path}"
    return text.rstrip("/")


# Unreserved, sub-delims, ":", "@", "/" and "%" (checked as an escape): what a URL path may hold.
_PATH_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/%")
_BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class SettingError(ValueError):
    """A setting the environment gives a value it cannot take; the message names the variable."""


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}

# The numbers each number setting takes: (smallest, largest or None). A float setting's smallest is
# left out (more than 0 seconds); a whole-number setting's is included. The soft-bounce default
# stays within what an account's own setting may be (1 to 20).
NUMBER_RANGES: dict[str, tuple[float | None, float | None]] = {
    "sweep_minutes": (1, None),
    "presend_retry_max_seconds": (1, None),
    "presend_read_timeout_seconds": (0, None),
    "presend_parallel_reads": (1, None),
    "presend_mailbox_deadline_seconds": (0, None),
    "max_request_bytes": (1, None),
    "soft_bounce_threshold": (1, 20),
}


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise SettingError(f"{name.upper()}={raw!r} is not a yes or no; "
                           "it takes true or false (also 1/0, yes/no, on/off)")
    return value in _TRUE


def _takes(name: str, whole: bool) -> str:
    """What a number setting takes, in words."""
    low, high = NUMBER_RANGES.get(name, (None, None))
    if not whole:
        return "a number (decimals allowed)" + ("" if low is None else f" greater than {low:g}")
    if low is None:
        return "a whole number"
    return f"a whole number, {low:g} or more" if high is None else f"a whole number from {low:g} to {high:g}"


def _in_range(name: str, value: float, whole: bool) -> bool:
    low, high = NUMBER_RANGES.get(name, (None, None))
    if low is not None and (value < low if whole else value <= low):
        return False
    return high is None or value <= high


def _whole(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise SettingError(f"{name.upper()}={raw!r} is not a whole number; it takes {_takes(name, True)}") from None
    if not _in_range(name, value, True):
        raise SettingError(f"{name.upper()}={raw!r} is out of range; it takes {_takes(name, True)}")
    return value


def _decimal(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise SettingError(f"{name.upper()}={raw!r} is not a number; it takes {_takes(name, False)}") from None
    # nan and inf parse as floats but are no timeout or deadline.
    if not math.isfinite(value) or not _in_range(name, value, False):
        raise SettingError(f"{name.upper()}={raw!r} is out of range; it takes {_takes(name, False)}")
    return value


@dataclass(frozen=True)
class Settings:
    """The service's configuration. Field names match the environment variables (lower case)."""

    database_url: str = "sqlite:///instance/addin-server.db"
    # Required outside demo mode: signs sessions, links and client states.
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:8080"
    encryption_key: str = ""
    google_certs_url: str = GOOGLE_CERTS_DEFAULT
    google_addon_service_account: str = ""
    google_oauth_client_id: str = ""
    google_oauth_client_secret: str = ""
    google_token_uri: str = GOOGLE_TOKEN_URI_DEFAULT
    google_auth_uri: str = GOOGLE_AUTH_URI_DEFAULT
    google_calendar_api_endpoint: str = CALENDAR_API_DEFAULT
    pubsub_audience: str = ""
    pubsub_service_account: str = ""
    pubsub_topic: str = ""
    gmail_api_endpoint: str = GMAIL_API_DEFAULT
    # The Admin SDK (Directory API): whether whoever links a Workspace domain is its super admin.
    google_admin_api_endpoint: str = GOOGLE_ADMIN_API_DEFAULT
    graph_api_endpoint: str = GRAPH_API_DEFAULT
    ms_client_id: str = ""
    ms_client_secret: str = ""
    ms_authority: str = MS_AUTHORITY_DEFAULT
    ms_jwks_url: str = MS_JWKS_DEFAULT
    # A CA bundle for the emulator's self-signed HTTPS (msal insists on https authorities).
    ca_bundle: str = ""
    # Demo mode enables /dev/... pages and the local password sign-in; never set in production.
    demo_mode: bool = False
    # Run the worker loop inside the web process (the embedded SQLite default).
    worker_in_process: bool = False
    # "providers": sequence emails go out through each rep's Gmail or Outlook mailbox;
    # "local": they are kept in the local_outbox table (tests of the core, offline trials);
    # "providers_or_local": providers where the rep has connected a mailbox, else the local outbox.
    mail_transport: str = "providers"
    # The local emulator's control URL (demo only).
    emulator_url: str = ""
    # Mailboxes and calendars not read for this long are read again: sweeps catch what pushes miss.
    sweep_minutes: int = 10
    # The longest a due step email waits between tries when its sender's mailbox cannot be read just
    # before sending (provider 5xx, 429, unreachable): it is never sent without that read.
    presend_retry_max_seconds: int = 300
    # How long the pre-send guard waits for one answer of Gmail or Graph: a hanging provider holds
    # that mailbox's steps (tried again later), not the worker.
    presend_read_timeout_seconds: float = 5.0
    # The pre-send guard reads this many mailboxes at once (each then runs its own steps), so a slow
    # provider delays only its own mailboxes' steps.
    presend_parallel_reads: int = 4
    # The longest one mailbox's read before sending may take, tries included; past it that mailbox's
    # steps are held (tried again later), never sent unread.
    presend_mailbox_deadline_seconds: float = 12.0
    max_request_bytes: int = 1_000_000
    soft_bounce_threshold: int = 3
    log_level: str = "INFO"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from the environment; keyword overrides win (used by tests and the demo).

        A value a setting cannot take raises SettingError naming the variable and what it takes.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(f.name.upper())
            if raw is None:
                continue
            if f.type in ("bool", bool):
                values[f.name] = _bool(f.name, raw)
            elif f.type in ("int", int):
                values[f.name] = _whole(f.name, raw)
            elif f.type in ("float", float):
                values[f.name] = _decimal(f.name, raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def public_endpoint(self, path: str) -> str:
        """The absolute URL of one of our endpoints as the outside world calls it (behind any proxy)."""
        return self.public_url.rstrip("/") + "/" + path.lstrip("/")
