"""InboundMessage: one normalised shape for every inbound message, whatever the provider.

Gmail gives raw RFC 822 bytes; Graph gives either the MIME (`$value`) or JSON fields
(internetMessageHeaders, the Exchange message class, the body). Both constructors produce the same
dataclass and the classifier reads only that, so a message is judged the same way on either path.

Conventions:
- Message-IDs (message_id, in_reply_to, references, the bounced original's id) are stored *without*
  angle brackets and with surrounding whitespace removed; use `normalize_message_id` to compare a
  stored RFC 5322 Message-ID with them.
- Addresses are normalised with `addin_server.domain.addresses`.
- `text` is the readable body (plain text, HTML stripped), bounded to MAX_TEXT characters. Parts of
  an attached original message (message/rfc822) are left out: they are the rep's own email, not what
  the sender wrote; their headers are kept in `report.original_headers`.
- The constructors never raise: input that cannot be read as a message gives `unparseable=True`.
"""

from __future__ import annotations

import email
import email.message
import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import getaddresses
from typing import Any

from addin_server.domain.addresses import try_normalize
from addin_server.mail import phrases
from addin_server.mail.decoding import (
    MAX_TEXT,
    clean,
    decode_header_value,
    html_to_text,
    parse_addresses,
    parse_date,
    part_payload_text,
)

MAX_HEADERS = 500
MAX_RAW = 20_000_000
_MAX_PARTS = 200

# flufl.bounce logs every detector it runs (INFO) and a traceback before re-raising a detector's
# exception. We catch that exception and keep its name in MimeReport.library_error, so its own
# logging is only noise on the CLI's and worker's stderr.
_FLUFL_LOG = logging.getLogger("flufl.bounce")
_FLUFL_LOG.addHandler(logging.NullHandler())
_FLUFL_LOG.setLevel(logging.CRITICAL)

_MSGID_RE = re.compile(r"<([^<>\s]{1,900})>")
_MESSAGE_CLASS_PROP = "string 0x001a"
_IN_REPLY_TO_PROP = "string 0x1042"
_REFERENCES_PROP = "string 0x1039"


def normalize_message_id(text: str | None) -> str | None:
    """A Message-ID as this package stores it: without angle brackets or whitespace."""
    if not text or not isinstance(text, str):
        return None
    found = _MSGID_RE.search(text)
    value = found.group(1) if found else text.strip().strip("<>").strip()
    if not value or len(value) > 900 or any(c.isspace() for c in value):
        return None
    return value


def _message_ids(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    found = _MSGID_RE.findall(text)
    if not found:
        single = normalize_message_id(text)
        return (single,) if single else ()
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Headers:
    """A read-only, case-insensitive, multi-value view of a message's header fields, in order."""

    items: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        """The first value of a field, or None."""
        lname = name.lower()
        for key, value in self.items:
            if key.lower() == lname:
                return value
        return None

    def get_all(self, name: str) -> tuple[str, ...]:
        lname = name.lower()
        return tuple(value for key, value in self.items if key.lower() == lname)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class DeliveryStatusEntry:
    """One per-recipient block of a message/delivery-status part (RFC 3464)."""

    final_recipient: str | None = None
    original_recipient: str | None = None
    action: str | None = None
    status: str | None = None
    diagnostic_code: str | None = None


@dataclass(frozen=True)
class MimeReport:
    """What the MIME structure says about delivery and other reports (empty on the Graph-fields path)."""

    content_type: str = ""
    report_type: str = ""
    part_types: tuple[str, ...] = ()
    # The parts inside an attached message (message/rfc822): that message's, not this one's.
    attached_part_types: tuple[str, ...] = ()
    delivery_status: tuple[DeliveryStatusEntry, ...] = ()
    # A sending service's machine-readable notice in the body (Amazon SES through SNS):
    # "bounce", "complaint" or "delivery"; its bounced recipients are in delivery_status.
    service_notice: str = ""
    # Header fields of the original message attached to a report (message/rfc822 or
    # text/rfc822-headers), e.g. the Message-ID of the sequence email that bounced.
    original_headers: Headers = field(default_factory=Headers)
    # Failed recipients found by flufl.bounce, as it classes them; None when it raised.
    library_permanent: tuple[str, ...] = ()
    library_temporary: tuple[str, ...] = ()
    library_error: str | None = None
    # The Disposition field of a message/disposition-notification part (RFC 8098), lower-cased:
    # "manual-action/MDN-sent-manually; displayed" is a read receipt, while an automatic "deleted"
    # is how a Sieve "reject" refuses a message (RFC 5429).
    disposition: str = ""


@dataclass(frozen=True)
class InboundMessage:
    message_id: str | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    from_address: str | None = None
    from_name: str | None = None
    reply_to: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    # The display names the To field keeps ("Ava Reed"): a person who answers greets the rep by them.
    to_names: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str = ""
    date: datetime | None = None
    headers: Headers = field(default_factory=Headers)
    text: str = ""
    message_class: str | None = None
    provider_thread_id: str | None = None
    report: MimeReport = field(default_factory=MimeReport)
    unparseable: bool = False
    source: str = "mime"  # "mime" or "graph": which constructor built it

    @classmethod
    def from_bytes(cls, raw: bytes, *, provider_thread_id: str | None = None) -> InboundMessage:
        """Parse raw RFC 822 bytes (Gmail `format=raw`, Graph `$value`). Never raises."""
        try:
            return _from_bytes(raw, provider_thread_id)
        except Exception:  # noqa: BLE001 - a hostile message must never stop the mailbox worker
            return cls(unparseable=True, provider_thread_id=provider_thread_id)

    @classmethod
    def from_graph(cls, message: Mapping[str, Any]) -> InboundMessage:
        """Build from a Graph message resource when the MIME was not fetched. Never raises."""
        try:
            return _from_graph(message)
        except Exception:  # noqa: BLE001 - same contract as from_bytes
            return cls(unparseable=True, source="graph")


# ---------------------------------------------------------------------------------------------
# Raw MIME


def _header_pairs(msg: email.message.Message) -> tuple[tuple[str, str], ...]:
    pairs = []
    # The raw values: compat32's items() turns raw UTF-8 header bytes (RFC 6532, "Subject: Respuesta automática:")
    # into U+FFFD; the raw value keeps them as surrogate escapes, which decode_header_value reads as UTF-8.
    for name, value in itertools.islice(msg.raw_items(), MAX_HEADERS):
        pairs.append((clean(str(name)).strip(), decode_header_value(value)))
    return tuple(pairs)


def _parse_header_block(text: str) -> tuple[tuple[str, str], ...]:
    """Header fields from a text/rfc822-headers part or the header-like block of a DSN."""
    try:
        parsed = email.message_from_string(text.lstrip("\r\n")[:200_000])
    except Exception:  # noqa: BLE001
        return ()
    return _header_pairs(parsed)


def _delivery_status(text: str) -> tuple[DeliveryStatusEntry, ...]:
    """Per-recipient blocks of a message/delivery-status body (blank-line separated)."""
    entries = []
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        fields = Headers(_parse_header_block(block + "\n"))

        def addr(value: str | None) -> str | None:
            if not value:
                return None
            value = value.split(";", 1)[-1].strip()
            return try_normalize(value.strip("<>"))

        entry = DeliveryStatusEntry(
            final_recipient=addr(fields.get("Final-Recipient")),
            original_recipient=addr(fields.get("Original-Recipient")),
            action=(fields.get("Action") or "").strip().lower() or None,
            status=(fields.get("Status") or "").strip().split(" ")[0] or None,
            diagnostic_code=fields.get("Diagnostic-Code"),
        )
        if entry.final_recipient or entry.original_recipient or entry.action or entry.status:
            entries.append(entry)
    return tuple(entries)


def _library_failures(msg: email.message.Message) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """Run flufl.bounce; it raises on some Exchange reports, so guard it."""
    try:
        from flufl.bounce import all_failures

        temporary, permanent = all_failures(msg)
    except Exception as exc:  # noqa: BLE001 - a library failure only loses one signal
        return (), (), type(exc).__name__

    def norm(values: Iterable[bytes | str]) -> tuple[str, ...]:
        out: dict[str, None] = {}
        for value in values:
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            address = try_normalize(text)
            if address:
                out.setdefault(address, None)
        return tuple(sorted(out))

    return norm(permanent), norm(temporary), None


_REPORT_PART_TYPES = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "text/rfc822-headers",
        "message/global-headers",
        "message/rfc822",
        "message/disposition-notification",
    }
)


def _could_be_delivery_report(
    headers: Headers, content_type: str, part_types: Iterable[str], has_delivery_status: bool, text: str
) -> bool:
    """Whether a message shows any of the signals a delivery report carries (the classifier's own
    bounce signals): a report or an attached original, X-Failed-Recipients, an Exchange report
    class, a mail-system or system sender, an empty Return-Path, Auto-Submitted, a failure subject
    or an MTA's report wording. Only then is flufl.bounce worth running."""
    if content_type == "multipart/report" or has_delivery_status or _REPORT_PART_TYPES.intersection(part_types):
        return True
    if headers.get("X-Failed-Recipients") is not None:
        return True
    if (headers.get("X-MS-Exchange-Message-Class") or "").strip().lower().startswith("report."):
        return True
    return_paths = headers.get_all("Return-Path")
    if return_paths and all(v.strip() in ("<>", "") for v in return_paths):
        return True
    submitted = (headers.get("Auto-Submitted") or "").strip().lower()
    if submitted and submitted != "no":
        return True
    from_value = headers.get("From") or ""
    pairs = getaddresses([from_value]) if from_value else []
    name, address = pairs[0] if pairs else ("", "")
    local = address.rsplit("@", 1)[0].strip('<>" ').lower() if address else ""
    if local and (local in phrases.DAEMON_LOCAL_PARTS or phrases.SYSTEM_LOCAL_PART.match(local)):
        return True
    if name and phrases.DAEMON_DISPLAY_NAME.search(name):
        return True
    if phrases.BOUNCE_SUBJECT.search(headers.get("Subject") or ""):
        return True
    return bool(phrases.BOUNCE_FORMAT_TEXT.search(text[:20_000]))


def _walk(msg: email.message.Message) -> Iterator[tuple[email.message.Message, bool]]:
    """Every part with a flag saying whether it sits inside an attached message/rfc822."""
    stack: list[tuple[email.message.Message, bool]] = [(msg, False)]
    seen = 0
    while stack and seen < _MAX_PARTS:
        part, inside = stack.pop(0)
        seen += 1
        yield part, inside
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list) and not _is_delivery_status(part):
                child_inside = inside or part.get_content_type() == "message/rfc822"
                stack[0:0] = [(p, child_inside) for p in payload if isinstance(p, email.message.Message)]


def _from_bytes(raw: bytes, provider_thread_id: str | None) -> InboundMessage:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    if not isinstance(raw, bytes | bytearray) or not raw.strip():
        return InboundMessage(unparseable=True, provider_thread_id=provider_thread_id)
    # Saved messages sometimes start with blank lines, which would end the header block at once.
    raw = bytes(raw[:MAX_RAW]).lstrip(b" \t\r\n")
    # An mbox "From " line before the headers is common in saved bounces.
    if raw.startswith(b"From ") and b"\n" in raw:
        raw = raw.split(b"\n", 1)[1]
    msg = email.message_from_bytes(raw)
    pairs = _header_pairs(msg)
    if not pairs or not any(_looks_like_field(name) for name, _ in pairs):
        return InboundMessage(unparseable=True, provider_thread_id=provider_thread_id)
    headers = Headers(pairs)

    texts: list[str] = []
    htmls: list[str] = []
    lost: list[str] = []
    part_types: list[str] = []
    attached_types: list[str] = []
    delivery: list[DeliveryStatusEntry] = []
    original: tuple[tuple[str, str], ...] = ()
    disposition = ""
    for part, inside in _walk(msg):
        ctype = part.get_content_type()
        # The parts of an attached message are that message's: a person's reply carrying a
        # forwarded bounce is not itself a delivery report.
        (attached_types if inside else part_types).append(ctype)
        if ctype == "message/disposition-notification" and not inside and not disposition:
            disposition, mdn_original = _disposition(part)
            if mdn_original and not original:
                # A rejection MDN names the refused message by its Message-ID even when no copy is attached.
                original = (("Message-ID", mdn_original),)
        if ctype == "message/rfc822" and not original:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], email.message.Message):
                original = _header_pairs(inner[0])
            continue
        if _is_delivery_status(part) and not inside:
            delivery.extend(_delivery_status(_delivery_status_text(part)))
            continue
        if part.is_multipart() or inside:
            continue
        if ctype.startswith("multipart/") and isinstance(part.get_payload(), str):
            # A nested multipart whose boundary was lost (a folded parameter written without
            # indentation): the stdlib keeps its parts as one string; read it if nothing else is text.
            lost.append(part_payload_text(part))
            continue
        if ctype in ("text/rfc822-headers", "message/global-headers") and not original:
            original = _parse_header_block(part_payload_text(part))
        elif ctype == "text/plain" and not _is_attachment_file(part):
            texts.append(part_payload_text(part))
        elif ctype == "text/html" and not _is_attachment_file(part):
            htmls.append(part_payload_text(part))
    text = "\n\n".join(t for t in texts if t.strip())
    if not text.strip() and htmls:
        text = "\n\n".join(html_to_text(h) for h in htmls)
    if not text.strip() and lost:
        text = "\n\n".join(lost)
    if not text.strip() and isinstance(msg.get_payload(), str):
        # A multipart whose boundary never appears: the stdlib leaves the body as one string.
        text = part_payload_text(msg)
    text = clean(text)[:MAX_TEXT]

    content_type = msg.get_content_type()
    report_type = (msg.get_param("report-type") or "") if content_type == "multipart/report" else ""
    if not isinstance(report_type, str):
        report_type = ""
    if _could_be_delivery_report(headers, content_type, part_types + attached_types, bool(delivery), text):
        permanent, temporary, error = _library_failures(msg)
    else:
        # flufl.bounce runs every detector it has (a millisecond on a long thread); a person's reply
        # carries none of the signals below, so it is spared.
        permanent, temporary, error = (), (), None
    notice, notice_entries = _service_notice(text) if not delivery else ("", ())
    report = MimeReport(
        content_type=content_type,
        report_type=report_type.strip().lower(),
        part_types=tuple(part_types),
        attached_part_types=tuple(attached_types),
        delivery_status=tuple(delivery) or notice_entries,
        service_notice=notice,
        original_headers=Headers(original),
        library_permanent=permanent,
        library_temporary=temporary,
        library_error=error,
        disposition=disposition,
    )
    return _build(headers, text=text, report=report, provider_thread_id=provider_thread_id, source="mime")


_SES_NOTICE = re.compile(r'^\s*\{\s*"(?:notificationType|Type)"\s*:')


def _service_notice(text: str) -> tuple[str, tuple[DeliveryStatusEntry, ...]]:
    """An Amazon SES notification delivered by SNS email: a JSON object whose notificationType is
    Bounce, Complaint or Delivery, bare or inside the SNS envelope's "Message" string. Its bounced
    recipients carry action, status and diagnostic code like a DSN, so they are read the same way."""
    if not _SES_NOTICE.match(text):
        return "", ()
    # SNS email folds long lines with "!" + newline + space; the JSON ends at the first blank line.
    body = re.sub(r"!\r?\n ", "", text).split("\n\n", 1)[0]
    try:
        data = json.loads(body[: body.rfind("}") + 1])
        if isinstance(data, dict) and isinstance(data.get("Message"), str):
            data = json.loads(data["Message"])
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return "", ()
    kind = data.get("notificationType") if isinstance(data, dict) else None
    if kind not in ("Bounce", "Complaint", "Delivery"):
        return "", ()
    bounce = data.get("bounce")
    entries: list[DeliveryStatusEntry] = []
    if isinstance(bounce, dict) and isinstance(bounce.get("bouncedRecipients"), list):
        for item in bounce["bouncedRecipients"][:50]:
            if not isinstance(item, dict):
                continue
            entries.append(
                DeliveryStatusEntry(
                    final_recipient=try_normalize(str(item.get("emailAddress") or "")),
                    action=str(item.get("action") or "").lower() or None,
                    status=str(item.get("status") or "") or None,
                    diagnostic_code=str(item.get("diagnosticCode") or "") or None,
                )
            )
    return kind.lower(), tuple(entries)


def _disposition(part: email.message.Message) -> tuple[str, str]:
    """The Disposition field (lower-cased) and Original-Message-ID of a message/disposition-notification part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        fields = next((b for b in payload if isinstance(b, email.message.Message) and b.get("Disposition")), None)
        if fields is None:
            return "", ""
        disposition, original = str(fields.get("Disposition") or ""), str(fields.get("Original-Message-ID") or "")
    else:
        text = part_payload_text(part)
        found = re.search(r"^disposition\s*:\s*(.+)$", text, re.IGNORECASE | re.MULTILINE)
        source = re.search(r"^original-message-id\s*:\s*(\S+)", text, re.IGNORECASE | re.MULTILINE)
        disposition, original = (found.group(1) if found else ""), (source.group(1) if source else "")
    return " ".join(clean(disposition).split()).lower()[:200], clean(original).strip()[:300]


def _looks_like_field(name: str) -> bool:
    return bool(re.fullmatch(r"[!-9;-~]{1,76}", name))


def _is_delivery_status(part: email.message.Message) -> bool:
    return part.get_content_type() in ("message/delivery-status", "message/global-delivery-status")


def _is_attachment_file(part: email.message.Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").lower()
    return disposition.startswith("attachment") and bool(part.get_filename())


def _delivery_status_text(part: email.message.Message) -> str:
    payload = part.get_payload()
    # The stdlib parses message/delivery-status into a list of header blocks.
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if isinstance(block, email.message.Message):
                blocks.append("\n".join(f"{k}: {clean(str(v))}" for k, v in block.items()))
        return "\n\n".join(blocks)
    return part_payload_text(part)


def _build(
    headers: Headers,
    *,
    text: str,
    report: MimeReport,
    provider_thread_id: str | None,
    source: str,
    message_class: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> InboundMessage:
    from_pairs = getaddresses([headers.get("From") or ""]) if headers.get("From") else []
    from_name = from_pairs[0][0].strip() or None if from_pairs else None
    values: dict[str, Any] = {
        "message_id": normalize_message_id(headers.get("Message-ID")),
        "in_reply_to": _message_ids(headers.get("In-Reply-To")),
        "references": _message_ids(" ".join(headers.get_all("References"))),
        "from_address": next(iter(parse_addresses([headers.get("From") or ""])), None),
        "from_name": from_name,
        "reply_to": parse_addresses(headers.get_all("Reply-To")),
        "to": parse_addresses(headers.get_all("To")),
        "to_names": _display_names(headers.get_all("To")),
        "cc": parse_addresses(headers.get_all("Cc")),
        "subject": headers.get("Subject") or "",
        "date": parse_date(headers.get("Date")),
        "headers": headers,
        "text": text,
        "message_class": message_class or headers.get("X-MS-Exchange-Message-Class") or None,
        "provider_thread_id": provider_thread_id,
        "report": report,
        "source": source,
    }
    if overrides:
        values.update({k: v for k, v in overrides.items() if v})
    return InboundMessage(**values)


# ---------------------------------------------------------------------------------------------
# Graph JSON fields


def _graph_address(entry: Any) -> tuple[str | None, str | None]:
    if not isinstance(entry, Mapping):
        return None, None
    inner = entry.get("emailAddress")
    if not isinstance(inner, Mapping):
        return None, None
    address = inner.get("address")
    name = inner.get("name")
    return (
        try_normalize(address) if isinstance(address, str) else None,
        name.strip() if isinstance(name, str) and name.strip() else None,
    )


def _display_names(values: Iterable[str]) -> tuple[str, ...]:
    try:
        pairs = getaddresses([v for v in values if v])
    except Exception:  # noqa: BLE001 - getaddresses can trip on pathological input
        return ()
    return tuple(dict.fromkeys(name.strip() for name, _ in pairs if name.strip()))


def _graph_names(entries: Any) -> tuple[str, ...]:
    if not isinstance(entries, list):
        return ()
    return tuple(dict.fromkeys(name for _, name in map(_graph_address, entries) if name))


def _graph_addresses(entries: Any) -> tuple[str, ...]:
    if not isinstance(entries, list):
        return ()
    out: dict[str, None] = {}
    for entry in entries:
        address, _ = _graph_address(entry)
        if address:
            out.setdefault(address, None)
    return tuple(out)


def _graph_properties(message: Mapping[str, Any]) -> dict[str, str]:
    props: dict[str, str] = {}
    for prop in message.get("singleValueExtendedProperties") or ():
        if isinstance(prop, Mapping) and isinstance(prop.get("id"), str):
            value = prop.get("value")
            if isinstance(value, str):
                props[_property_key(prop["id"])] = value
    return props


def _property_key(prop_id: str) -> str:
    """One spelling for a MAPI property id: Graph answers "String 0x1a" for "String 0x001A"."""
    key = re.sub(r"\s+", " ", prop_id.strip().lower())
    found = re.fullmatch(r"(\w+) 0x([0-9a-f]{1,8})", key)
    return f"{found.group(1)} 0x{int(found.group(2), 16):04x}" if found else key


def _from_graph(message: Mapping[str, Any]) -> InboundMessage:
    if not isinstance(message, Mapping):
        return InboundMessage(unparseable=True, source="graph")
    pairs = []
    for entry in message.get("internetMessageHeaders") or ():
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            pairs.append((entry["name"].strip(), decode_header_value(entry.get("value"))))
    headers = Headers(tuple(pairs[:MAX_HEADERS]))
    props = _graph_properties(message)

    body = message.get("body")
    if not isinstance(body, Mapping):
        body = {}
    content = body.get("content")
    if isinstance(content, str) and content.strip():
        is_html = str(body.get("contentType", "")).lower() == "html" or content.lstrip().startswith("<")
        text = html_to_text(content) if is_html else content
    else:
        preview = message.get("bodyPreview")
        text = preview if isinstance(preview, str) else ""
    text = text[:MAX_TEXT]

    sender, sender_name = _graph_address(message.get("from"))
    if not sender:
        sender, sender_name = _graph_address(message.get("sender"))
    received = message.get("receivedDateTime") or message.get("sentDateTime")
    date = None
    if isinstance(received, str):
        try:
            date = datetime.fromisoformat(received.replace("Z", "+00:00"))
        except ValueError:
            date = None
    subject = message.get("subject")
    in_reply_to = headers.get("In-Reply-To") or props.get(_IN_REPLY_TO_PROP)
    references = " ".join(headers.get_all("References")) or props.get(_REFERENCES_PROP)
    overrides: dict[str, Any] = {
        "message_id": normalize_message_id(message.get("internetMessageId")),
        "in_reply_to": _message_ids(in_reply_to),
        "references": _message_ids(references),
        "from_address": sender,
        "from_name": sender_name,
        "reply_to": _graph_addresses(message.get("replyTo")),
        "to": _graph_addresses(message.get("toRecipients")),
        "to_names": _graph_names(message.get("toRecipients")),
        "cc": _graph_addresses(message.get("ccRecipients")),
        "subject": decode_header_value(subject) if isinstance(subject, str) else "",
        "date": date if date and date.tzinfo else (date.replace(tzinfo=UTC) if date else None),
    }
    conversation = message.get("conversationId")
    return _build(
        headers,
        text=text,
        report=MimeReport(),
        provider_thread_id=conversation if isinstance(conversation, str) else None,
        source="graph",
        message_class=props.get(_MESSAGE_CLASS_PROP),
        overrides=overrides,
    )
