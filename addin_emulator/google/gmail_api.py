"""Gmail API v1 routes, at the real paths (rootUrl https://gmail.googleapis.com/)."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, request

from addin_emulator.google import mime, multipart
from addin_emulator.google.api import empty, json_body, ok, owner, state
from addin_emulator.google.errors import invalid_argument, not_found
from addin_emulator.google.mailboxes import SYSTEM_LABELS, StoredMessage, matches_query

_TOPIC = re.compile(r"^projects/[^/]+/topics/[^/]+$")
MAX_PAGE = 500


def _page(default: int) -> tuple[int, int]:
    try:
        size = int(request.args.get("maxResults", default))
        offset = int(request.args.get("pageToken") or 0)
    except ValueError as exc:
        raise invalid_argument("Invalid pageToken or maxResults") from exc
    if size < 1 or offset < 0:
        raise invalid_argument("Invalid pageToken or maxResults")
    return min(size, MAX_PAGE), offset


def add_routes(bp: Blueprint) -> None:
    prefix = "/gmail/v1/users/<user_id>"

    @bp.get(f"{prefix}/profile")
    def get_profile(user_id: str) -> Response:
        mailbox = owner(user_id)
        with state().lock:
            return ok(mailbox.profile())

    @bp.get(f"{prefix}/settings/sendAs")
    def list_send_as(user_id: str) -> Response:
        mailbox = owner(user_id)
        with state().lock:
            primary = {"sendAsEmail": mailbox.address, "isPrimary": True, "isDefault": True}
            return ok({"sendAs": [primary, *({"sendAsEmail": a, "verificationStatus": "accepted"}
                                             for a in mailbox.aliases)]})

    @bp.post(f"{prefix}/messages/send")
    def send_message(user_id: str) -> Response:
        body = json_body()
        if not body.get("raw"):
            raise invalid_argument(
                "'raw' RFC822 payload message string or uploading message via /upload/* URL required"
            )
        return _send(user_id, mime.b64url_decode(str(body["raw"])), body.get("threadId"))

    @bp.post(f"/upload{prefix}/messages/send")
    def upload_message(user_id: str) -> Response:
        upload_type = request.args.get("uploadType", "media")
        content_type = request.headers.get("Content-Type", "")
        if upload_type == "multipart" or content_type.startswith("multipart/related"):
            parts = multipart.split_parts(request.get_data(), content_type)
            if len(parts) != 2:
                raise invalid_argument("A multipart upload needs metadata and the message.")
            metadata = json.loads(parts[0][1] or b"{}")
            return _send(user_id, parts[1][1], metadata.get("threadId"))
        if upload_type != "media":
            raise invalid_argument(f"Unsupported uploadType: {upload_type}")
        return _send(user_id, request.get_data(), None)

    def _send(user_id: str, raw: bytes, thread_id: object) -> Response:
        mailbox = owner(user_id)
        message = state().send_message(mailbox, raw, str(thread_id) if thread_id else None)
        return ok({"id": message.id, "threadId": message.thread_id, "labelIds": list(message.label_ids)})

    @bp.get(f"{prefix}/messages/<message_id>")
    def get_message(user_id: str, message_id: str) -> Response:
        mailbox = owner(user_id)
        with state().lock:
            message = mailbox.messages.get(message_id)
            if message is None:
                raise not_found()
            return ok(
                message.resource(
                    request.args.get("format", "full"), request.args.getlist("metadataHeaders") or None
                )
            )

    @bp.post(f"{prefix}/messages/<message_id>/modify")
    def modify_message(user_id: str, message_id: str) -> Response:
        mailbox = owner(user_id)
        body = json_body()
        add, remove = body.get("addLabelIds") or [], body.get("removeLabelIds") or []
        if not isinstance(add, list) or not isinstance(remove, list) or not all(
                isinstance(label, str) for label in (*add, *remove)):
            raise invalid_argument("Invalid value for addLabelIds or removeLabelIds")
        return _labels(state().relabel(mailbox, message_id, add, remove))

    # Trash: the message leaves the inbox for TRASH (its other labels stay); untrash takes it back.
    @bp.post(f"{prefix}/messages/<message_id>/trash")
    def trash_message(user_id: str, message_id: str) -> Response:
        return _labels(state().relabel(owner(user_id), message_id, ["TRASH"], ["INBOX"]))

    @bp.post(f"{prefix}/messages/<message_id>/untrash")
    def untrash_message(user_id: str, message_id: str) -> Response:
        return _labels(state().relabel(owner(user_id), message_id, ["INBOX"], ["TRASH"]))

    def _labels(message: StoredMessage) -> Response:
        return ok({"id": message.id, "threadId": message.thread_id, "labelIds": list(message.label_ids)})

    @bp.get(f"{prefix}/messages/<message_id>/attachments/<attachment_id>")
    def get_attachment(user_id: str, message_id: str, attachment_id: str) -> Response:
        mailbox = owner(user_id)
        with state().lock:
            message = mailbox.messages.get(message_id)
            content = mime.attachment(message.parsed, attachment_id) if message else None
        if content is None:
            raise not_found()
        return ok({"attachmentId": attachment_id, "size": len(content), "data": mime.b64url_encode(content)})

    @bp.get(f"{prefix}/messages")
    def list_messages(user_id: str) -> Response:
        mailbox = owner(user_id)
        size, offset = _page(100)
        wanted_labels = set(request.args.getlist("labelIds"))
        query = request.args.get("q", "")
        include_hidden = request.args.get("includeSpamTrash", "false").lower() == "true"
        now = state().clock.timestamp()
        with state().lock:
            found = [
                m
                for m in mailbox.ordered()
                if wanted_labels <= set(m.label_ids)
                and (include_hidden or not {"SPAM", "TRASH"} & set(m.label_ids))
                and matches_query(m, query, now)
            ]
        page = found[offset : offset + size]
        body: dict[str, object] = {"resultSizeEstimate": len(found)}
        if page:
            body["messages"] = [{"id": m.id, "threadId": m.thread_id} for m in page]
        if offset + size < len(found):
            body["nextPageToken"] = str(offset + size)
        return ok(body)

    @bp.get(f"{prefix}/threads/<thread_id>")
    def get_thread(user_id: str, thread_id: str) -> Response:
        mailbox = owner(user_id)
        fmt = request.args.get("format", "full")
        headers = request.args.getlist("metadataHeaders") or None
        with state().lock:
            messages = sorted(mailbox.thread_messages(thread_id), key=lambda m: (m.internal_date_ms, m.id))
            if not messages:
                raise not_found()
            return ok(
                {
                    "id": thread_id,
                    "historyId": str(max(m.history_id for m in messages)),
                    "messages": [m.resource(fmt, headers) for m in messages],
                }
            )

    @bp.get(f"{prefix}/history")
    def list_history(user_id: str) -> Response:
        mailbox = owner(user_id)
        start_text = request.args.get("startHistoryId")
        if not start_text:
            raise invalid_argument("Required parameter: startHistoryId")
        if not start_text.isdigit():
            raise invalid_argument("Invalid startHistoryId")
        start = int(start_text)
        size, offset = _page(100)
        label = request.args.get("labelId")
        types = set(request.args.getlist("historyTypes")) or {"messageAdded"}
        with state().lock:
            if start < mailbox.retained_from:
                raise not_found()
            records = []
            if "messageAdded" in types:
                for record in mailbox.history_after(start):
                    message = mailbox.messages.get(record.message_id)
                    if message is None:
                        continue
                    if label and label not in message.label_ids:
                        continue
                    records.append((record, message))
            page = records[offset : offset + size]
            body: dict[str, object] = {"historyId": str(mailbox.history_id)}
            if page:
                body["history"] = [
                    {
                        "id": str(record.id),
                        "messages": [{"id": message.id, "threadId": message.thread_id}],
                        "messagesAdded": [
                            {
                                "message": {
                                    "id": message.id,
                                    "threadId": message.thread_id,
                                    "labelIds": list(message.label_ids),
                                }
                            }
                        ],
                    }
                    for record, message in page
                ]
            if offset + size < len(records):
                body["nextPageToken"] = str(offset + size)
            return ok(body)

    @bp.post(f"{prefix}/watch")
    def watch(user_id: str) -> Response:
        mailbox = owner(user_id)
        body = json_body()
        topic = str(body.get("topicName") or "")
        if not _TOPIC.match(topic):
            raise invalid_argument("Invalid topicName does not match projects/*/topics/*")
        # labelFilterBehavior replaces the deprecated labelFilterAction; without labelIds every change is pushed.
        behaviour = str(body.get("labelFilterBehavior") or body.get("labelFilterAction") or "include")
        if behaviour.lower() not in ("include", "exclude"):
            raise invalid_argument(f"Invalid value at 'label_filter_behavior' ({behaviour})")
        created = state().watch(mailbox, topic, list(body.get("labelIds") or []), behaviour.lower() == "exclude")
        return ok({"historyId": str(created.history_id), "expiration": str(created.expiration_ms)})

    @bp.post(f"{prefix}/stop")
    def stop(user_id: str) -> Response:
        mailbox = owner(user_id)
        with state().lock:
            mailbox.watch = None
        return empty()

    @bp.get(f"{prefix}/labels")
    def list_labels(user_id: str) -> Response:
        owner(user_id)
        return ok({"labels": [{"id": i, "name": n, "type": "system"} for i, n in SYSTEM_LABELS]})
