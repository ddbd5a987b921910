"""Outgoing webhooks: which enrollment events integrators hear about, how a message is signed
(Standard Webhooks), when a failed delivery is tried again, and which targets are never called.

Product sentences, in the order they apply:
- An enrollment that is unenrolled is announced as `enrollment.unenrolled` with its reason,
  surface, actor and evidence.
- An enrollment whose last step ran is announced as `enrollment.finished`.
- A pause and a resume are announced as `enrollment.paused` and `enrollment.resumed`.
- An automatic unenrollment undone by a rep is announced as `enrollment.undone`, not as a resume.
- Every other event (enrolled, email sent, replied...) is not announced.
- A failed delivery is tried again after 30 s, then twice as long each time (at most 4 hours
  apart), for a day from the event; then it has failed for good.
- A target that resolves to a private, loopback, link-local, multicast or reserved address is
  never called (outside demo mode), whatever name leads there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

EVENT_TYPES = ("enrollment.unenrolled", "enrollment.finished", "enrollment.paused", "enrollment.resumed",
               "enrollment.undone")
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
MESSAGE_ID_PREFIX = "msg_"
# Enrollment event kinds (domain.model.EventType values) that may become a webhook.
ANNOUNCED_KINDS = frozenset({"unenrolled", "finished", "paused", "resumed"})

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
RETRY_FOR = timedelta(days=1)
# A rotated-out secret still signs for this long, so receivers can switch without losing messages.
ROTATION_GRACE = timedelta(hours=24)


def webhook_event_type(kind: str, data: Mapping[str, Any]) -> str | None:
    """The webhook type announcing an enrollment event, or None when it is not announced."""
    if kind not in ANNOUNCED_KINDS:
        return None
    if kind == "resumed" and data.get("undone_by"):
        return "enrollment.undone"
    return f"enrollment.{kind}"


def retry_delay(failed_attempts: int) -> timedelta:
    """How long to wait after the `failed_attempts`-th failure (1 for the first)."""
    exponent = max(0, failed_attempts - 1)
    if exponent > 20:  # far past the cap; avoids huge integers
        return LONGEST_WAIT
    return min(FIRST_RETRY * (2 ** exponent), LONGEST_WAIT)


def secret_text(raw: bytes) -> str:
    """The `whsec_` form of a signing secret, as shown once to the integrator."""
    return SECRET_PREFIX + base64.b64encode(raw).decode("ascii")


def secret_bytes(text: str) -> bytes:
    """The key bytes of a `whsec_` secret."""
    return base64.b64decode(text.removeprefix(SECRET_PREFIX))


def sign(secret: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """One Standard Webhooks signature: `v1,` + base64(HMAC-SHA256(id.timestamp.body))."""
    digest = hmac.new(secret, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets: list[bytes], message_id: str, timestamp: int, body: bytes) -> str:
    """`webhook-signature`: one signature per live secret, space-separated (the spec's rotation rule)."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets)


def refused_address(address: str) -> str | None:
    """Why an IP address may not be called by a webhook, or None when it is a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "not a public address"
    return None


class TargetRefused(ValueError):
    """A webhook URL that the product will not call."""


MAX_URL_LENGTH = 2000


def checked_url(url: str, *, allow_private: bool) -> str:
    """The URL, when it may receive webhooks; TargetRefused says why not.

    Outside demo mode only https URLs are accepted and a literal IP must be public; names are
    checked again when they are resolved, at every delivery.
    """
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"the URL must be 1 to {MAX_URL_LENGTH} characters")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise TargetRefused("the URL may not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"the URL is malformed: {exc}") from None
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused("the URL must start with https:// (or http:// in demo mode)" if allow_private
                            else "the URL must start with https://")
    if not parts.hostname:
        raise TargetRefused("the URL must name a host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL may not carry a user name or password")
    if parts.fragment:
        raise TargetRefused("the URL may not carry a #fragment")
    if port == 0:
        raise TargetRefused("the URL's port must be 1 to 65535")
    if not allow_private:
        host = parts.hostname.rstrip(".").lower()
        if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
            raise TargetRefused("the URL names this machine or the local network")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass  # a name: checked when resolved
        else:
            why = refused_address(host)
            if why:
                raise TargetRefused(f"the URL's host is {why}")
    return url
