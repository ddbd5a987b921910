"""Messages in emulated Exchange mailboxes: drafts from Graph JSON, MIME, sending and delivery."""

from __future__ import annotations

import email
import html
import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from typing import Any

from addin_emulator.microsoft.store import (
    MESSAGE_CLASS_NDR,
    MESSAGE_CLASS_NOTE,
    MESSAGE_CLASS_OOF,
    Mailbox,
    Message,
    MicrosoftWorld,
    counter_token,
    folder_message_id,
)

DELIVERY_KINDS = {"auto": None, "note": MESSAGE_CLASS_NOTE, "oof": MESSAGE_CLASS_OOF, "ndr": MESSAGE_CLASS_NDR}


def preview(body: str, body_type: str) -> str:
    text = re.sub(r"<[^>]+>", " ", body) if body_type == "html" else body
    return re.sub(r"\s+", " ", html.unescape(text)).strip()[:255]


def html_to_text(body: str) -> str:
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", body)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\r\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"[ \t]+", " ", text).strip()


def _people(entries: Any) -> list[dict[str, str]]:
    people = []
    for entry in entries or []:
        address = (entry.get("emailAddress") or {}).get("address") if isinstance(entry, dict) else None
        if address:
            people.append({"address": address, "name": entry["emailAddress"].get("name") or address})
    return people


def _subject_key(subject: str) -> str:
    return re.sub(r"^\s*((re|fw|fwd|aw|sv)\s*:\s*)+", "", subject, flags=re.IGNORECASE).strip().lower()


def _new_ids(world: MicrosoftWorld, mailbox: Mailbox, folder: str) -> tuple[str, str]:
    number = world.next("message")
    key = counter_token("AAkALgAA", f"msg{number:06d}")
    return key, folder_message_id(key, folder)


def _new_internet_message_id(world: MicrosoftWorld) -> str:
    return f"<EMU{world.next('internet_message_id'):08d}@emulator.namprd01.prod.outlook.com>"


def _conversation_for(
    world: MicrosoftWorld, mailbox: Mailbox, subject: str, in_reply_to: str | None, references: list[str]
) -> str:
    """Thread as Exchange does: by the referenced message first, else by the normalised subject.

    Threading by subject reproduces Exchange's known collisions between unrelated messages that share
    a subject, which the server must not trust for matching replies.
    """
    wanted = {r for r in [in_reply_to, *references] if r}
    with world.lock:
        for message in mailbox.messages.values():
            if message.internet_message_id in wanted:
                return message.conversation_id
        key = _subject_key(subject)
        if key:
            for message in mailbox.messages.values():
                if _subject_key(message.subject) == key:
                    return message.conversation_id
    return counter_token("AAQkAG", f"conversation{world.next('conversation'):06d}")


def draft_from_json(world: MicrosoftWorld, mailbox: Mailbox, data: dict[str, Any], folder: str) -> Message:
    now = world.clock.now()
    key, message_id = _new_ids(world, mailbox, folder)
    body = data.get("body") or {}
    subject = str(data.get("subject") or "")
    headers = data.get("internetMessageHeaders") or []
    custom = {h.get("name", "").lower(): h.get("value", "") for h in headers if isinstance(h, dict)}
    in_reply_to = custom.get("in-reply-to") or None
    references = custom.get("references", "").split()
    message = Message(
        key=key,
        id=message_id,
        folder=folder,
        subject=subject,
        body_type=str(body.get("contentType") or "text").lower(),
        body=str(body.get("content") or ""),
        from_={"address": mailbox.address, "name": mailbox.display_name},
        to=_people(data.get("toRecipients")),
        cc=_people(data.get("ccRecipients")),
        bcc=_people(data.get("bccRecipients")),
        reply_to=_people(data.get("replyTo")),
        internet_message_id=_new_internet_message_id(world),
        conversation_id=_conversation_for(world, mailbox, subject, in_reply_to, references),
        is_draft=folder == "drafts",
        created=now,
        modified=now,
        received=now,
        sent=None,
        in_reply_to=in_reply_to,
        references=references,
        is_read=True,
        importance=str(data.get("importance") or "normal").lower(),
        # Custom x- headers set on a draft travel in its MIME; Graph keeps no transport headers for it.
        headers=None,
    )
    message.custom_headers = [h for h in headers if isinstance(h, dict)]
    with world.lock:
        mailbox.messages[message.key] = message
        world.touch(mailbox, message)
    return message


def update_from_json(world: MicrosoftWorld, message: Message, data: dict[str, Any]) -> None:
    with world.lock:
        if "subject" in data:
            message.subject = str(data["subject"] or "")
        if isinstance(data.get("body"), dict):
            message.body_type = str(data["body"].get("contentType") or message.body_type).lower()
            message.body = str(data["body"].get("content") or "")
        for field_name, attr in (("toRecipients", "to"), ("ccRecipients", "cc"), ("bccRecipients", "bcc")):
            if field_name in data:
                setattr(message, attr, _people(data[field_name]))
        if "isRead" in data:
            message.is_read = bool(data["isRead"])


def build_mime(message: Message) -> bytes:
    out = EmailMessage()
    if message.from_:
        out["From"] = f'{message.from_["name"]} <{message.from_["address"]}>'
    for header, people in (("To", message.to), ("Cc", message.cc)):
        if people:
            out[header] = ", ".join(f'{p["name"]} <{p["address"]}>' for p in people)
    out["Subject"] = message.subject
    out["Date"] = format_datetime(message.sent or message.created)
    out["Message-ID"] = message.internet_message_id
    if message.in_reply_to:
        out["In-Reply-To"] = message.in_reply_to
    if message.references:
        out["References"] = " ".join(message.references)
    for custom in message.custom_headers:
        if custom.get("name", "").lower() not in ("in-reply-to", "references"):
            out[custom["name"]] = custom.get("value", "")
    out.set_content(message.body, subtype="html" if message.body_type == "html" else "plain")
    return out.as_bytes(policy=policy.SMTP)


def mime_of(message: Message) -> bytes:
    return message.mime if message.mime is not None else build_mime(message)


def send(world: MicrosoftWorld, mailbox: Mailbox, message: Message, *, keep: bool = True) -> None:
    """Move a draft to Sent Items (its id changes, its internetMessageId stays) and deliver copies."""
    from addin_emulator.microsoft import notifications

    with world.lock:
        message.is_draft = False
        message.sent = world.clock.now()
        message.received = message.sent
        raw = build_mime(message)
        message.mime = raw
        if keep:
            world.move(mailbox, message, "sentitems")
        else:
            del mailbox.messages[message.key]
    if keep:
        notifications.message_changed(world, mailbox, message, "created")
    recipients = {p["address"].lower() for p in [*message.to, *message.cc, *message.bcc]}
    for address in sorted(recipients):
        other = world.mailbox_for(address)
        if other is not None:
            deliver(world, other, raw, kind="auto")


def _header_list(raw: bytes) -> list[dict[str, str]]:
    parsed = email.message_from_bytes(raw)  # compat32 keeps header values as sent
    return [{"name": name, "value": re.sub(r"\r?\n[ \t]+", " ", str(value))} for name, value in parsed.items()]


def _body_of(parsed: EmailMessage) -> tuple[str, str]:
    part = parsed.get_body(preferencelist=("html", "plain"))
    if part is None:
        return "text", ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return ("html" if part.get_content_subtype() == "html" else "text"), str(content)


def _message_class(parsed: EmailMessage, kind: str) -> str:
    if kind not in DELIVERY_KINDS:
        raise ValueError(f"unknown delivery kind {kind!r}; one of {sorted(DELIVERY_KINDS)}")
    explicit = DELIVERY_KINDS[kind]
    if explicit:
        return explicit
    report_type = str(parsed.get_param("report-type") or "")
    if parsed.get_content_type() == "multipart/report" and report_type.lower() == "delivery-status":
        return MESSAGE_CLASS_NDR
    return MESSAGE_CLASS_NOTE


def deliver(world: MicrosoftWorld, mailbox: Mailbox, raw: bytes, *, kind: str = "auto",
            folder: str = "inbox") -> Message:
    """Put an inbound RFC 822 message into `folder` (the inbox; "junkemail" plays Exchange's junk
    filter), filed elsewhere by the mailbox's inbox rules, and queue change notifications for it."""
    from addin_emulator.microsoft import notifications, rules

    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    now = world.clock.now()
    key, message_id = _new_ids(world, mailbox, "inbox")
    senders = getaddresses([str(parsed.get("From", ""))])
    sender = {"name": senders[0][0] or senders[0][1], "address": senders[0][1]} if senders and senders[0][1] else None

    def people(header: str) -> list[dict[str, str]]:
        found = getaddresses([str(v) for v in parsed.get_all(header, [])])
        return [{"name": n or a, "address": a} for n, a in found if a]

    try:
        sent = parsedate_to_datetime(str(parsed["Date"])) if parsed["Date"] else now
    except (TypeError, ValueError):
        sent = now
    body_type, body = _body_of(parsed)
    in_reply_to = str(parsed["In-Reply-To"]).strip() if parsed["In-Reply-To"] else None
    references = str(parsed.get("References", "")).split()
    subject = str(parsed.get("Subject", ""))
    internet_id = str(parsed["Message-ID"]).strip() if parsed["Message-ID"] else _new_internet_message_id(world)
    message = Message(
        key=key,
        id=message_id,
        folder="inbox",
        subject=subject,
        body_type=body_type,
        body=body,
        from_=sender,
        to=people("To"),
        cc=people("Cc"),
        bcc=[],
        reply_to=people("Reply-To"),
        internet_message_id=internet_id,
        conversation_id=_conversation_for(world, mailbox, subject, in_reply_to, references),
        is_draft=False,
        created=now,
        modified=now,
        received=now,
        sent=sent,
        message_class=_message_class(parsed, kind),
        headers=_header_list(raw),
        mime=raw,
        in_reply_to=in_reply_to,
        references=references,
        has_attachments=any(True for _ in parsed.iter_attachments()) if parsed.is_multipart() else False,
    )
    with world.lock:
        # Junk mail skips the rules, as Exchange's junk filter runs before them.
        target = folder if folder != "inbox" else rules.delivery_folder(mailbox, message, folder)
        message.folder, message.id = target, folder_message_id(message.key, target)
        mailbox.messages[message.key] = message
        world.touch(mailbox, message)
    notifications.message_changed(world, mailbox, message, "created")
    return message
