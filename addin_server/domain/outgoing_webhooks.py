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
- When lanes are shared, only an endpoint whose last attempt was answered counts as healthy: one
  that has never answered (brand new) ranks after those, and failing ones last.
- A target that resolves to a private, loopback, link-local, site-local, multicast or reserved
  address is never called (outside demo mode), whatever name leads there.
- A URL is stored as it will be called, the default port left out, so one receiver is one URL.
- Two URLs lead to the same receiver when their targets match (`target_key`): an IPv4 address in
  any spelling, IPv4-mapped IPv6 included, is that IPv4 address; every loopback address and name
  (localhost) is the loopback, and so is the unspecified address (0.0.0.0, 0, [::]), which the
  kernel connects to this machine; host case, a trailing dot, the default port, %-encoded unreserved
  characters, dot segments (`/./`, `/x/../`) and repeated slashes in the path make no difference.
  No second endpoint sends an event to a target that already receives it, and one target never has
  two deliveries in flight.
- A %-escape in the host is decoded before the host is read (as browsers do): `%6cocalhost` is
  localhost, and the URL is stored and called with the decoded host. An escape that decodes to no
  valid host character is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import socket
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

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


def lane_rank(failing_since: datetime | None, last_success_at: datetime | None) -> int:
    """Where an endpoint's lane stands: 0 proven (its last attempt was answered 2xx), 1 never
    answered yet, 2 failing. Only proven endpoints count as healthy when lanes are shared: a
    brand-new endpoint has no history, and one that stalls on its first delivery must not hold a
    healthy lane until its cut, or a burst of them starves every endpoint that works."""
    if failing_since is not None:
        return 2
    return 0 if last_success_at is not None else 1


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


# NAT64 prefixes (RFC 6052, RFC 8215): the last 32 bits are an IPv4 address the gateway calls.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to: IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16),
    Teredo (2001::/32, its client), NAT64 (64:ff9b::/96) or IPv4-compatible (::a.b.c.d)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip))
    return None


def refused_address(address: str) -> str | None:
    """Why an IP address may not be called by a webhook, or None when it is a public one.

    An IPv6 address carrying an IPv4 one (6to4, NAT64, Teredo, mapped, compatible) is judged by
    that IPv4 address as well: 2002:7f00:1:: leads to 127.0.0.1."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            why = refused_address(str(inner))
            if why:
                return why
            ip = inner if ip.ipv4_mapped is not None else ip
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        # fec0::/10: deprecated, yet still routed inside some networks, and not private to ipaddress.
        return "a site-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "not a public address"
    return None


class TargetRefused(ValueError):
    """A webhook URL that the product will not call."""


MAX_URL_LENGTH = 2000
MAX_HOST_LENGTH = 253  # the longest name DNS can carry
DEFAULT_PORTS = {"https": 443, "http": 80}
# Names that lead to this machine, its network or a cloud's metadata service, whatever DNS says.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata",
                         "metadata.google.internal", "instance-data", "kubernetes.default"})
LOCAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".lan", ".intranet")
# The forms inet_aton reads as IPv4: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x).
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}")
_LAST_LABEL_NUMERIC = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")
# Characters left as they are in a path or query; everything else (non-ASCII included) is %-encoded.
_URI_SAFE = "/%!$&'()*+,;=:@-._~"


def normalised_host(host: str) -> str:
    """The host as a resolver reads it: NFKC and IDNA (fullwidth letters, ideographic full stops,
    circled digits become what they look like), lower case, no trailing dot; an IPv4 address in
    any form inet_aton accepts (2130706433, 0x7f000001, 0177.0.0.1, 127.1) in dotted decimal, an
    IPv6 one compressed. TargetRefused when it is no valid host at all."""
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host.split("%", 1)[0]))
        except ValueError:
            raise TargetRefused("the URL's host is not a valid IPv6 address") from None
    if "%" in host:
        host = _decoded_host(host)
    try:
        name = unicodedata.normalize("NFKC", host).encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        raise TargetRefused("the URL's host is not a valid name") from None
    if not name:
        raise TargetRefused("the URL must name a host")
    if len(name) > MAX_HOST_LENGTH:
        raise TargetRefused(f"the URL's host is longer than a name can be ({MAX_HOST_LENGTH} characters)")
    if _LAST_LABEL_NUMERIC.fullmatch(name.rsplit(".", 1)[-1]):
        # A resolver reads a name ending in a number as an IPv4 address (WHATWG URL does the same).
        try:
            if not _NUMERIC_HOST.fullmatch(name):
                raise OSError(name)
            return socket.inet_ntoa(socket.inet_aton(name))
        except OSError:
            raise TargetRefused("the URL's host looks like an IP address but is not a valid one") from None
    return name


# What a host may not hold once its escapes are decoded (WHATWG's forbidden host code points).
_FORBIDDEN_IN_HOST = frozenset(" #%/:<>?@[\\]^|")


def _decoded_host(host: str) -> str:
    """A host with its %-escapes decoded (`%6cocalhost` is localhost to every browser and to our
    SSRF check, so it must be to the resolver and the target key too); TargetRefused when an escape
    is broken or decodes to something no host may hold."""
    try:
        decoded = unquote(host, errors="strict")
    except UnicodeDecodeError:
        raise TargetRefused("the URL's host has a %-escape that is no valid character") from None
    if _PERCENT_LEFT.search(host) or any(
            ch in _FORBIDDEN_IN_HOST or ord(ch) < 33 or ord(ch) == 127 for ch in decoded):
        raise TargetRefused("the URL's host has a %-escape that is no valid host character")
    return decoded


_PERCENT_LEFT = re.compile(r"%(?![0-9A-Fa-f]{2})")  # a % not followed by two hex digits


def checked_url(url: str, *, allow_private: bool) -> str:
    """The URL as it will be called (host normalised, path and query %-encoded), when it may
    receive webhooks; TargetRefused says why not.

    Outside demo mode only https URLs are accepted, and a literal IP (in any of its spellings) must
    be public; names are checked again when they are resolved, at every delivery.
    """
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"the URL must be 1 to {MAX_URL_LENGTH} characters")
    if any(ord(ch) < 33 or ord(ch) == 127 or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs", "Cs")
           for ch in url):
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
    host = normalised_host(parts.hostname)
    if not allow_private:
        if host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES) or ("." not in host and ":" not in host):
            raise TargetRefused("the URL names this machine, the local network or a metadata service")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass  # a name: checked when resolved
        else:
            why = refused_address(host)
            if why:
                raise TargetRefused(f"the URL's host is {why}")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        # The default port is left out, so one receiver is one URL however it was written.
        netloc += f":{port}"
    path = quote(parts.path, safe=_URI_SAFE) or "/"
    query = quote(parts.query, safe=_URI_SAFE + "?")
    return urlunsplit((parts.scheme, netloc, path, query, ""))


# Names that always lead to this machine's loopback (RFC 6761 for .localhost), as resolvers ship them.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def _target_host(host: str) -> str:
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        return "loopback" if host in LOOPBACK_NAMES or host.endswith(".localhost") else host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:a.b.c.d is a.b.c.d on the wire
    # Connecting to the unspecified address (0.0.0.0, ::) reaches this machine on Linux and others.
    return "loopback" if ip.is_loopback or ip.is_unspecified else str(ip)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: `/a/./b/../c` is `/a/c`; a `..` above the root stays at the root."""
    output: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")  # `/hook/.` is `/hook/`
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") or not path.startswith("/") else "/" + result


_SLASHES = re.compile(r"/{2,}")


def _canonical_path(path: str) -> str:
    """The path a server routes: unreserved escapes decoded (so `%2e` is a dot), repeated slashes
    one (nginx's merge_slashes, Python's http.server), then dot segments removed."""
    return remove_dot_segments(_SLASHES.sub("/", _unescape_unreserved(path))) or "/"


def _unescape_unreserved(part: str) -> str:
    """%41 and A are one character (RFC 3986 6.2.2.2); other escapes in upper case."""
    def one(match: re.Match[str]) -> str:
        char = unquote(match.group(0))
        return char if char in _UNRESERVED else match.group(0).upper()
    return _PERCENT.sub(one, part)


def target_key(url: str) -> str:
    """The receiver a URL leads to, for telling whether two URLs are one target: scheme, canonical
    host (see the product sentence), explicit port, path and query with unreserved characters
    unescaped. TargetRefused when the URL has no valid host."""
    parts = urlsplit(url.strip())
    if not parts.hostname:
        raise TargetRefused("the URL must name a host")
    try:
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"the URL is malformed: {exc}") from None
    scheme = parts.scheme.lower()
    host = _target_host(normalised_host(parts.hostname))
    port = port if port is not None else DEFAULT_PORTS.get(scheme, 0)
    path = _canonical_path(parts.path)
    query = _unescape_unreserved(parts.query)
    return f"{scheme}://{host}:{port}{path}" + (f"?{query}" if query else "")
