"""RFC 822 messages as Gmail presents them: payload trees, snippets, base64url."""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import html
import re
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses
from typing import Any

from addin_emulator.google.errors import invalid_argument

_MSGID = re.compile(r"<[^<>\s]+>")
_SNIPPET_LENGTH = 200


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding (clients send both)."""
    cleaned = text.strip().replace("\n", "").replace("\r", "")
    cleaned = cleaned.replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError) as exc:
        raise invalid_argument("Invalid value for ByteString: raw") from exc


def parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def message_ids(value: str | None) -> list[str]:
    """The <...> ids in a Message-ID, In-Reply-To or References header."""
    return _MSGID.findall(value or "")


def recipients(msg: Message) -> list[str]:
    """Lower-cased addresses in To, Cc and Bcc."""
    values = [str(v) for name in ("To", "Cc", "Bcc") for v in msg.get_all(name, [])]
    return [address.lower() for _, address in getaddresses(values) if "@" in address]


def without_bcc(raw: bytes) -> bytes:
    """The copy recipients get: the Bcc header is the sender's alone."""
    parsed = parse(raw)
    if parsed["Bcc"] is None:
        return raw
    del parsed["Bcc"]
    return parsed.as_bytes()


def complete_outgoing(raw: bytes, sender: str, message_id: str, now_ts: float) -> bytes:
    """Add the headers Gmail adds to a sent message when the client left them out (at the top)."""
    parsed = parse(raw)
    extra: list[str] = []
    if parsed["Message-ID"] is None:
        extra.append(f"Message-ID: {message_id}")
    if parsed["Date"] is None:
        extra.append(f"Date: {format_datetime(datetime.fromtimestamp(now_ts, UTC))}")
    if parsed["From"] is None:
        extra.append(f"From: {sender}")
    if not extra:
        return raw
    first_line = raw.split(b"\n", 1)[0]
    newline = b"\r\n" if first_line.endswith(b"\r") else b"\n"
    return newline.join(line.encode() for line in extra) + newline + raw


def payload(msg: Message, *, headers_only: bool, keep: set[str] | None = None, part_id: str = "") -> dict:
    """The MessagePart tree of `msg` (format=full) or just its top headers (format=metadata)."""
    header_list = [
        {"name": name, "value": str(value)}
        for name, value in msg.items()
        if keep is None or name.lower() in keep
    ]
    if headers_only:
        # format=metadata: Gmail answers the top-level type and headers, no part ids or bodies.
        return {"mimeType": msg.get_content_type(), "headers": header_list}
    part: dict[str, Any] = {
        "partId": part_id,
        "mimeType": msg.get_content_type(),
        "filename": msg.get_filename() or "",
        "headers": header_list,
    }
    if msg.is_multipart():
        part["body"] = {"size": 0}
        children = msg.get_payload()
        assert isinstance(children, list)
        part["parts"] = [
            payload(child, headers_only=False, part_id=f"{part_id}.{i}" if part_id else str(i))
            for i, child in enumerate(children)
        ]
        return part
    data = msg.get_payload(decode=True)
    content = data if isinstance(data, bytes) else b""
    if part["filename"]:
        part["body"] = {"attachmentId": attachment_id(part_id), "size": len(content)}
    elif content:
        part["body"] = {"size": len(content), "data": b64url_encode(content)}
    else:
        part["body"] = {"size": 0}
    return part


def attachment_id(part_id: str) -> str:
    return f"ANGjdJ_{part_id or 'root'}"


def attachment(msg: Message, wanted: str) -> bytes | None:
    """The decoded content of the attachment whose id `payload` handed out, if any."""

    def walk(part: Message, part_id: str) -> bytes | None:
        if part.is_multipart():
            children = part.get_payload()
            assert isinstance(children, list)
            for i, child in enumerate(children):
                found = walk(child, f"{part_id}.{i}" if part_id else str(i))
                if found is not None:
                    return found
            return None
        if part.get_filename() and attachment_id(part_id) == wanted:
            data = part.get_payload(decode=True)
            return data if isinstance(data, bytes) else b""
        return None

    return walk(msg, "")


def snippet(msg: Message) -> str:
    """The first words of the text body, as Gmail shows them in a list (HTML-escaped)."""
    text = _first_text(msg, "text/plain")
    if text is None:
        markup = _first_text(msg, "text/html") or ""
        text = re.sub(r"<[^>]+>", " ", markup)
    collapsed = " ".join(text.split())[:_SNIPPET_LENGTH]
    return html.escape(collapsed, quote=True).replace("&#x27;", "&#39;")


def _first_text(msg: Message, content_type: str) -> str | None:
    for part in msg.walk():
        if part.get_content_type() == content_type and not part.get_filename():
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                return _decoded(data, part.get_content_charset())
    return None


def _decoded(data: bytes, charset: str | None) -> str:
    """Text in its declared charset; one Python does not know is read as UTF-8, as Gmail still
    serves such a message (its snippet best effort) rather than failing the request."""
    try:
        return data.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")
