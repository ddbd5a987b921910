"""Microsoft Graph v1.0, the subset the add-in server uses, served under /graph/v1.0.

One catch-all Flask view hands every request to `dispatch`, which `$batch` also calls for each
of its parts, so faults, authentication and the per-mailbox concurrency limit apply alike.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from flask import Blueprint, Response, current_app, request

from addin_emulator.microsoft import mail
from addin_emulator.microsoft.identity import Identity
from addin_emulator.microsoft.store import (
    MAILBOX_CONCURRENCY_LIMIT,
    Fault,
    Mailbox,
    Message,
    MicrosoftWorld,
    iso,
)

GRAPH_PREFIX = "/graph/v1.0"
DEFAULT_PAGE_SIZE = 10
MAX_BATCH_REQUESTS = 20
# Keep OData punctuation readable in the links handed out, as Graph does.
URL_SAFE = "$()',="


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


@dataclass
class GraphRequest:
    method: str
    path: str  # relative to /graph/v1.0, starting with "/"
    args: dict[str, str]
    headers: dict[str, str]
    body: Any
    root: str  # e.g. http://127.0.0.1:8090/graph/v1.0
    claims: dict[str, Any] = field(default_factory=dict)
    mailbox: Mailbox | None = None

    def header(self, name: str) -> str:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return ""

    @property
    def immutable_ids(self) -> bool:
        return 'idtype="immutableid"' in self.header("Prefer").lower().replace(" ", "")

    def url(self, **args: str) -> str:
        merged = {**self.args, **args}
        if not merged:
            return self.root + self.path
        return f"{self.root}{self.path}?{urlencode(merged, safe=URL_SAFE)}"


@dataclass
class GraphResult:
    status: int
    body: Any = None  # dict for JSON, bytes for raw, None for empty
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


Handler = Callable[..., GraphResult]
ROUTES: list[tuple[str, re.Pattern[str], Handler, bool]] = []
USER = r"/(?:users/(?P<user>[^/]+)|(?P<me>me))"
FOLDER = r"/mailfolders(?:\('(?P<folder>[^']+)'\)|/(?P<folder2>[^/]+))"


def route(method: str, pattern: str, *, mailbox: bool = True) -> Callable[[Handler], Handler]:
    """Register a Graph handler; `mailbox` routes resolve users/{id} and count toward concurrency."""

    def wrap(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$", re.IGNORECASE), handler, mailbox))
        return handler

    return wrap


def world() -> MicrosoftWorld:
    current: MicrosoftWorld = current_app.extensions["emulator_microsoft"]
    return current


def identity() -> Identity:
    current: Identity = current_app.extensions["emulator_microsoft_identity"]
    return current


# --- faults, authentication, concurrency ---------------------------------------------------------
FAULT_CODES = {
    429: ("TooManyRequests", "Too many requests. Retry after the time in the Retry-After header."),
    500: ("InternalServerError", "An internal server error occurred."),
    502: ("BadGateway", "Bad gateway."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable. Retry later."),
    504: ("GatewayTimeout", "Gateway timeout."),
}


def take_fault(state: MicrosoftWorld, method: str, full_path: str) -> Fault | None:
    """Consume one matching injected fault, if any."""
    with state.lock:
        for fault in state.faults:
            if fault.remaining <= 0:
                continue
            if fault.method and fault.method.upper() != method.upper():
                continue
            if not fnmatch.fnmatchcase(full_path.lower(), fault.route.lower()):
                continue
            fault.remaining -= 1
            fault.hits += 1
            return fault
    return None


def fault_error(fault: Fault) -> GraphError:
    status = fault.status or 500
    code, message = FAULT_CODES.get(status, ("UnknownError", "Injected failure."))
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return GraphError(status, fault.code or code, message, headers)


def authenticate(req: GraphRequest) -> None:
    header = req.header("Authorization")
    if not header.lower().startswith("bearer "):
        raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
    try:
        req.claims = identity().read_graph_token(header[7:].strip())
    except jwt.ExpiredSignatureError as exc:
        raise GraphError(
            401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise GraphError(
            401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience or signature."
        ) from exc
    app = world().apps.get(str(req.claims.get("appid")))
    if app is None or not app.consented(str(req.claims.get("tid"))):
        raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def resolve_mailbox(req: GraphRequest, groups: dict[str, str | None]) -> Mailbox:
    claims = req.claims
    if groups.get("me"):
        if claims.get("idtyp") == "app":
            raise GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
        ref = str(claims.get("oid"))
    else:
        ref = str(groups.get("user") or "")
    mailbox = world().mailbox_for(ref)
    if mailbox is None:
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{ref}' is invalid.")
    if claims.get("idtyp") == "app":
        if claims.get("tid") != mailbox.tenant_id:
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    elif claims.get("oid") != mailbox.user_id:
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    return mailbox


@contextmanager
def mailbox_slot(state: MicrosoftWorld, mailbox: Mailbox) -> Iterator[None]:
    """Count the request toward the mailbox's concurrent requests; refuse a fifth, as Graph does."""
    with state.lock:
        running = state.in_flight.get(mailbox.user_id, 0)
        if running >= MAILBOX_CONCURRENCY_LIMIT:
            raise GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
        state.in_flight[mailbox.user_id] = running + 1
    try:
        yield
    finally:
        with state.lock:
            state.in_flight[mailbox.user_id] -= 1


def dispatch(req: GraphRequest) -> GraphResult:
    state = world()
    try:
        fault = take_fault(state, req.method, GRAPH_PREFIX + req.path)
        if fault is not None and fault.status:
            raise fault_error(fault)
        authenticate(req)
        for method, pattern, handler, uses_mailbox in ROUTES:
            match = pattern.match(req.path)
            if match is None or method != req.method:
                continue
            groups = match.groupdict()
            if not uses_mailbox:
                if fault is not None:
                    time.sleep(fault.delay_seconds)
                return handler(req, **groups)
            req.mailbox = resolve_mailbox(req, groups)
            with mailbox_slot(state, req.mailbox):
                if fault is not None:
                    time.sleep(fault.delay_seconds)
                kwargs = {k: v for k, v in groups.items() if k not in ("user", "me")}
                result = handler(req, **kwargs)
            if 'outlook.body-content-type="text"' in req.header("Prefer"):
                result.headers["Preference-Applied"] = 'outlook.body-content-type="text"'
            return result
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{req.path}'.")
    except GraphError as error:
        return error_result(state, error)


def error_result(state: MicrosoftWorld, error: GraphError) -> GraphResult:
    request_id = f"00000000-0000-4000-a000-{state.next('request'):012d}"
    body = {
        "error": {
            "code": error.code,
            "message": error.message,
            "innerError": {
                "date": iso(state.clock.now()),
                "request-id": request_id,
                "client-request-id": request_id,
            },
        }
    }
    return GraphResult(error.status, body, dict(error.headers))


def to_response(result: GraphResult) -> Response:
    if result.body is None:
        resp = Response(status=result.status)
    elif isinstance(result.body, bytes):
        resp = Response(result.body, status=result.status, content_type=result.content_type)
    else:
        resp = Response(json.dumps(result.body), status=result.status, content_type="application/json")
    for name, value in result.headers.items():
        resp.headers[name] = value
    return resp


blueprint = Blueprint("emulator_microsoft_graph", __name__)


@blueprint.route(f"{GRAPH_PREFIX}/<path:rest>", methods=["GET", "POST", "PATCH", "DELETE", "PUT"])
def graph_view(rest: str) -> Response:
    body: Any = None
    if request.data:
        try:
            body = json.loads(request.data)
        except ValueError:
            problem = GraphError(400, "BadRequest", "Invalid JSON in the request body.")
            return to_response(error_result(world(), problem))
    req = GraphRequest(
        method=request.method,
        path="/" + rest,
        args=dict(request.args.items()),
        headers=dict(request.headers.items()),
        body=body,
        root=request.host_url.rstrip("/") + GRAPH_PREFIX,
    )
    return to_response(dispatch(req))


# --- JSON shapes ---------------------------------------------------------------------------------
MESSAGE_DEFAULT_FIELDS = (
    "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime",
    "sentDateTime", "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance",
    "parentFolderId", "conversationId", "conversationIndex", "isDeliveryReceiptRequested",
    "isReadReceiptRequested", "isRead", "isDraft", "webLink", "inferenceClassification", "body",
    "sender", "from", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "flag",
)
MESSAGE_ALL_FIELDS = {*MESSAGE_DEFAULT_FIELDS, "internetMessageHeaders", "uniqueBody"}
EXTENDED_PROPERTY_IDS = {
    0x001A: "message_class",  # PidTagMessageClass
    0x1042: "in_reply_to",  # PidTagInReplyToId
    0x1039: "references",  # PidTagInternetReferences
    0x1035: "internet_message_id",  # PidTagInternetMessageId
    0x007D: "transport_headers",  # PidTagTransportMessageHeaders
}


def parse_select(req: GraphRequest) -> list[str] | None:
    raw = req.args.get("$select")
    if not raw:
        return None
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    lowered = {f.lower(): f for f in MESSAGE_ALL_FIELDS}
    return [lowered.get(name.lower(), name) for name in wanted]


def parse_expand_properties(req: GraphRequest) -> list[int] | None:
    raw = req.args.get("$expand")
    if not raw:
        return None
    if not raw.strip().lower().startswith("singlevalueextendedproperties"):
        raise GraphError(
            400, "BadRequest", f"Parsing OData Select and Expand failed: Could not find a property named '{raw}'."
        )
    tags = re.findall(r"id\s+eq\s+'String\s+0x([0-9a-fA-F]+)'", raw)
    return [int(tag, 16) for tag in tags]


def recipient(entry: dict[str, str]) -> dict[str, Any]:
    return {"emailAddress": {"name": entry.get("name") or entry["address"], "address": entry["address"]}}


def extended_value(message: Message, tag: int) -> str | None:
    name = EXTENDED_PROPERTY_IDS.get(tag)
    if name == "message_class":
        return message.message_class
    if name == "in_reply_to":
        return message.in_reply_to
    if name == "references":
        return " ".join(message.references) or None
    if name == "internet_message_id":
        return message.internet_message_id
    if name == "transport_headers" and message.headers:
        return "".join(f"{h['name']}: {h['value']}\r\n" for h in message.headers)
    return None


def body_for(req: GraphRequest, content: str, content_type: str) -> dict[str, str]:
    """Honour Prefer: outlook.body-content-type="text" by turning HTML into plain text."""
    if content_type == "html" and 'outlook.body-content-type="text"' in req.header("Prefer"):
        return {"contentType": "text", "content": mail.html_to_text(content)}
    return {"contentType": content_type, "content": content}


def message_json(
    req: GraphRequest, mailbox: Mailbox, message: Message, select: list[str] | None, expand: list[int] | None
) -> dict[str, Any]:
    preview = mail.preview(message.body, message.body_type)
    values: dict[str, Any] = {
        "createdDateTime": iso(message.created),
        "lastModifiedDateTime": iso(message.modified),
        "changeKey": message.change_key,
        "categories": [],
        "receivedDateTime": iso(message.received),
        "sentDateTime": iso(message.sent) if message.sent else None,
        "hasAttachments": message.has_attachments,
        "internetMessageId": message.internet_message_id,
        "subject": message.subject,
        "bodyPreview": preview,
        "importance": message.importance,
        "parentFolderId": mailbox.folder_ids[message.folder],
        "conversationId": message.conversation_id,
        "conversationIndex": base64.b64encode(message.conversation_id.encode()[:22]).decode(),
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": message.is_read,
        "isDraft": message.is_draft,
        "webLink": f"https://outlook.office365.com/owa/?ItemID={message.id}&exvsurl=1&viewmodel=ReadMessageItem",
        "inferenceClassification": "focused",
        "body": body_for(req, message.body, message.body_type),
        "uniqueBody": body_for(req, message.body, message.body_type),
        "sender": recipient(message.from_) if message.from_ else None,
        "from": recipient(message.from_) if message.from_ else None,
        "toRecipients": [recipient(r) for r in message.to],
        "ccRecipients": [recipient(r) for r in message.cc],
        "bccRecipients": [recipient(r) for r in message.bcc],
        "replyTo": [recipient(r) for r in message.reply_to],
        "flag": {"flagStatus": "notFlagged"},
    }
    out: dict[str, Any] = {"@odata.etag": message.etag, "id": message.key if req.immutable_ids else message.id}
    for name in select if select is not None else MESSAGE_DEFAULT_FIELDS:
        if name == "internetMessageHeaders":
            # Graph sends transport headers only for received mail; Sent Items and drafts lack them.
            if message.headers is not None:
                out[name] = message.headers
        elif name in values:
            out[name] = values[name]
    if expand is not None:
        props = []
        for tag in expand:
            value = extended_value(message, tag)
            if value is not None:
                props.append({"id": f"String 0x{tag:x}", "value": value})
        out["singleValueExtendedProperties"] = props
    return out


# --- paging and filters ----------------------------------------------------------------------
def encode_token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
        return data
    except (ValueError, TypeError) as exc:
        raise GraphError(400, "BadRequest", "The skip or delta token is malformed.") from exc


def page_size(req: GraphRequest, default: int = DEFAULT_PAGE_SIZE) -> int:
    if "$top" in req.args:
        try:
            return max(1, min(int(req.args["$top"]), 1000))
        except ValueError as exc:
            raise GraphError(400, "BadRequest", "Invalid $top value.") from exc
    found = re.search(r"odata\.maxpagesize=(\d+)", req.header("Prefer"))
    return int(found.group(1)) if found else default


FILTER_CLAUSE = re.compile(
    r"^\s*(?P<prop>[A-Za-z/]+)\s+(?P<op>eq|ne|ge|gt|le|lt)\s+(?P<value>'(?:[^']|'')*'|true|false|null|[0-9TZ:.+-]+)\s*$",
    re.IGNORECASE,
)
DATE_PROPS = {"receiveddatetime", "sentdatetime", "createddatetime", "lastmodifieddatetime"}


def parse_filter(raw: str | None) -> list[tuple[str, str, Any]]:
    """The basic $filter the server needs: `prop op value` clauses joined by `and`."""
    if not raw:
        return []
    clauses = []
    for part in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        match = FILTER_CLAUSE.match(part)
        if match is None:
            raise GraphError(400, "BadRequest", f"Invalid filter clause: {part}")
        prop, op, text = match.group("prop"), match.group("op").lower(), match.group("value")
        value: Any
        if text.startswith("'"):
            value = text[1:-1].replace("''", "'")
        elif text.lower() in ("true", "false"):
            value = text.lower() == "true"
        elif text.lower() == "null":
            value = None
        else:
            value = text
        if prop.lower() in DATE_PROPS and value is not None:
            value = parse_instant(str(value))
        clauses.append((prop, op, value))
    return clauses


def parse_instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphError(400, "BadRequest", f"Invalid date value {text}.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lookup(item: dict[str, Any], prop: str) -> Any:
    current: Any = item
    for step in prop.split("/"):
        if not isinstance(current, dict):
            return None
        match = next((k for k in current if k.lower() == step.lower()), None)
        current = current.get(match) if match else None
    return current


def matches(item: dict[str, Any], clauses: list[tuple[str, str, Any]]) -> bool:
    for prop, op, wanted in clauses:
        actual = lookup(item, prop)
        if prop.lower() in DATE_PROPS and actual is not None:
            actual = parse_instant(str(actual))
        if isinstance(actual, str) and isinstance(wanted, str):
            actual, wanted = actual.lower(), wanted.lower()
        if op == "eq" and actual != wanted:
            return False
        if op == "ne" and actual == wanted:
            return False
        if op in ("ge", "gt", "le", "lt"):
            if actual is None or wanted is None:
                return False
            ok = {"ge": actual >= wanted, "gt": actual > wanted, "le": actual <= wanted, "lt": actual < wanted}[op]
            if not ok:
                return False
    return True


def list_page(req: GraphRequest, items: list[dict[str, Any]], context: str) -> GraphResult:
    offset = 0
    if "$skiptoken" in req.args:
        offset = int(decode_token(req.args["$skiptoken"]).get("offset", 0))
    size = page_size(req)
    page = items[offset : offset + size]
    body: dict[str, Any] = {"@odata.context": f"{req.root}/$metadata#{context}", "value": page}
    if offset + size < len(items):
        body["@odata.nextLink"] = req.url(**{"$skiptoken": encode_token({"offset": offset + size})})
    return GraphResult(200, body)


# --- users -------------------------------------------------------------------------------------
@route("GET", USER)
def get_user(req: GraphRequest) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    name_parts = mailbox.display_name.split(" ", 1)
    values = {
        "businessPhones": [],
        "displayName": mailbox.display_name,
        "givenName": name_parts[0],
        "jobTitle": None,
        "mail": mailbox.address,
        "mobilePhone": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
        "surname": name_parts[1] if len(name_parts) > 1 else None,
        "userPrincipalName": mailbox.address,
        "id": mailbox.user_id,
        "proxyAddresses": [f"SMTP:{mailbox.address}", *(f"smtp:{alias}" for alias in mailbox.aliases)],
    }
    select = [s.strip() for s in req.args.get("$select", "").split(",") if s.strip()]
    out: dict[str, Any] = {"@odata.context": f"{req.root}/$metadata#users/$entity"}
    for name in select or [k for k in values if k != "proxyAddresses"]:
        if name in values:
            out[name] = values[name]
    return GraphResult(200, out)


# --- messages ------------------------------------------------------------------------------------
def folder_name(mailbox: Mailbox, folder: str | None, folder2: str | None) -> str:
    ref = folder or folder2 or ""
    name = mailbox.folder_of_id(ref)
    if name is None:
        raise GraphError(404, "ErrorItemNotFound", "The specified folder could not be found in the store.")
    return name


def find_message(mailbox: Mailbox, mid: str, folder: str | None = None) -> Message:
    message = mailbox.find_message(mid)
    if message is None or (folder is not None and message.folder != folder):
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return message


def listing(req: GraphRequest, folder: str | None) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    select = parse_select(req)
    expand = parse_expand_properties(req)
    clauses = parse_filter(req.args.get("$filter"))
    with world().lock:
        messages = [m for m in mailbox.messages.values() if folder is None or m.folder == folder]
        order = req.args.get("$orderby", "receivedDateTime desc").strip().split()
        if order[0].lower() not in ("receiveddatetime", "sentdatetime", "createddatetime"):
            raise GraphError(400, "BadRequest", f"The emulator cannot order by {order[0]}.")
        descending = len(order) > 1 and order[1].lower() == "desc"
        messages.sort(key=lambda m: (m.received, m.seq), reverse=descending)
        full = [message_json(req, mailbox, m, list(MESSAGE_ALL_FIELDS), None) for m in messages]
        shown = [message_json(req, mailbox, m, select, expand) for m in messages]
    items = [s for f, s in zip(full, shown, strict=True) if matches(f, clauses)]
    where = f"users('{mailbox.user_id}')" + (f"/mailFolders('{folder}')" if folder else "")
    return list_page(req, items, f"{where}/messages")


@route("GET", USER + r"/messages")
def list_messages(req: GraphRequest) -> GraphResult:
    return listing(req, None)


@route("GET", USER + FOLDER + r"/messages")
def list_folder_messages(req: GraphRequest, folder: str | None, folder2: str | None) -> GraphResult:
    assert req.mailbox is not None
    return listing(req, folder_name(req.mailbox, folder, folder2))


def create_message(req: GraphRequest, folder: str) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    if not isinstance(req.body, dict):
        raise GraphError(400, "ErrorInvalidRequest", "The message body is missing.")
    message = mail.draft_from_json(world(), mailbox, req.body, folder)
    from addin_emulator.microsoft import notifications

    notifications.message_changed(world(), mailbox, message, "created")
    return GraphResult(201, message_json(req, mailbox, message, None, None))


@route("POST", USER + r"/messages")
def post_message(req: GraphRequest) -> GraphResult:
    return create_message(req, "drafts")


@route("POST", USER + FOLDER + r"/messages")
def post_folder_message(req: GraphRequest, folder: str | None, folder2: str | None) -> GraphResult:
    assert req.mailbox is not None
    return create_message(req, folder_name(req.mailbox, folder, folder2))


def read_message(req: GraphRequest, mid: str, folder: str | None) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    message = find_message(mailbox, mid, folder)
    select = parse_select(req)
    body = message_json(req, mailbox, message, select, parse_expand_properties(req))
    shape = f"({','.join(select)})" if select else ""
    body = {"@odata.context": f"{req.root}/$metadata#users('{mailbox.user_id}')/messages{shape}/$entity", **body}
    return GraphResult(200, body)


@route("GET", USER + r"/messages/(?P<mid>[^/]+)")
def get_message(req: GraphRequest, mid: str) -> GraphResult:
    return read_message(req, mid, None)


@route("GET", USER + FOLDER + r"/messages/(?P<mid>(?!delta$)[^/]+)")
def get_folder_message(req: GraphRequest, folder: str | None, folder2: str | None, mid: str) -> GraphResult:
    assert req.mailbox is not None
    return read_message(req, mid, folder_name(req.mailbox, folder, folder2))


@route("PATCH", USER + r"/messages/(?P<mid>[^/]+)")
def patch_message(req: GraphRequest, mid: str) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    message = find_message(mailbox, mid)
    mail.update_from_json(world(), message, req.body or {})
    world().touch(mailbox, message)
    from addin_emulator.microsoft import notifications

    notifications.message_changed(world(), mailbox, message, "updated")
    return GraphResult(200, message_json(req, mailbox, message, None, None))


@route("DELETE", USER + r"/messages/(?P<mid>[^/]+)")
def delete_message(req: GraphRequest, mid: str) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    message = find_message(mailbox, mid)
    state = world()
    with state.lock:
        folder, old_id, etag = message.folder, message.id, message.etag
        state.move(mailbox, message, "deleteditems")
    from addin_emulator.microsoft import notifications

    notifications.notify(state, mailbox, "messages", folder, old_id, etag, "deleted")
    return GraphResult(204)


@route("GET", USER + r"/messages/(?P<mid>[^/]+)/\$value")
def get_message_mime(req: GraphRequest, mid: str) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    message = find_message(mailbox, mid)
    return GraphResult(200, mail.mime_of(message), content_type="text/plain")


@route("POST", USER + r"/messages/(?P<mid>[^/]+)/send")
def send_draft(req: GraphRequest, mid: str) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    message = find_message(mailbox, mid)
    if not message.is_draft:
        raise GraphError(400, "ErrorInvalidOperation", "Only draft messages can be sent.")
    if not (message.to or message.cc or message.bcc):
        raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
    mail.send(world(), mailbox, message)
    return GraphResult(202)


@route("POST", USER + r"/sendMail")
def send_mail(req: GraphRequest) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    body = req.body if isinstance(req.body, dict) else {}
    if not isinstance(body.get("message"), dict):
        raise GraphError(400, "ErrorInvalidRequest", "The message property is required.")
    message = mail.draft_from_json(world(), mailbox, body["message"], "drafts")
    if not (message.to or message.cc or message.bcc):
        with world().lock:
            del mailbox.messages[message.key]
        raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
    mail.send(world(), mailbox, message, keep=body.get("saveToSentItems", True) is not False)
    return GraphResult(202)


# --- delta ---------------------------------------------------------------------------------------
@route("GET", USER + FOLDER + r"/messages/delta")
def message_delta(req: GraphRequest, folder: str | None, folder2: str | None) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    name = folder_name(mailbox, folder, folder2)
    state = world()
    if "$skiptoken" in req.args:
        cursor = decode_token(req.args["$skiptoken"])
    elif "$deltatoken" in req.args:
        if req.args["$deltatoken"] == "latest":
            with state.lock:
                cursor = {"since": mailbox.seq, "upto": mailbox.seq, "offset": 0}
        else:
            start = decode_token(req.args["$deltatoken"])
            with state.lock:
                cursor = {"f": start.get("f"), "since": start["since"], "upto": mailbox.seq, "offset": 0,
                          "select": start.get("select")}
    else:
        with state.lock:
            cursor = {"since": 0, "upto": mailbox.seq, "offset": 0, "select": req.args.get("$select")}
    if cursor.get("f", name) != name:
        raise GraphError(400, "BadRequest", "The token belongs to another folder.")
    if cursor.get("select"):
        req.args["$select"] = cursor["select"]
    select = parse_select(req)
    since, upto, offset = int(cursor["since"]), int(cursor["upto"]), int(cursor["offset"])
    with state.lock:
        changes: list[tuple[int, dict[str, Any]]] = [
            (m.seq, {"@odata.type": "#microsoft.graph.message", **message_json(req, mailbox, m, select, None)})
            for m in mailbox.messages.values()
            if m.folder == name and since < m.seq <= upto
        ]
        if since > 0:
            present = {m.id for m in mailbox.messages.values() if m.folder == name}
            changes += [
                (t.seq, {"@odata.type": "#microsoft.graph.message", "id": t.message_id,
                         "@removed": {"reason": "deleted"}})
                for t in mailbox.tombstones
                if t.folder == name and since < t.seq <= upto and t.message_id not in present
            ]
    changes.sort(key=lambda pair: pair[0])
    size = page_size(req)
    page = [item for _, item in changes[offset : offset + size]]
    base = GraphRequest(req.method, req.path, {}, req.headers, None, req.root)
    body: dict[str, Any] = {"@odata.context": f"{req.root}/$metadata#Collection(message)", "value": page}
    common = {"f": name, "select": cursor.get("select")}
    if offset + size < len(changes):
        token = encode_token({**common, "since": since, "upto": upto, "offset": offset + size})
        body["@odata.nextLink"] = base.url(**{"$skiptoken": token})
    else:
        body["@odata.deltaLink"] = base.url(**{"$deltatoken": encode_token({**common, "since": upto})})
    return GraphResult(200, body)


# --- JSON batching -------------------------------------------------------------------------------
@route("POST", r"/\$batch", mailbox=False)
def batch(req: GraphRequest) -> GraphResult:
    body = req.body if isinstance(req.body, dict) else {}
    parts = body.get("requests")
    if not isinstance(parts, list) or not parts:
        raise GraphError(400, "BadRequest", "Invalid batch payload format.")
    if len(parts) > MAX_BATCH_REQUESTS:
        raise GraphError(400, "BadRequest", f"Number of batch requests exceeds the limit of {MAX_BATCH_REQUESTS}.")
    statuses: dict[str, int] = {}
    responses = []
    for part in parts:
        part_id = str(part.get("id"))
        depends = part.get("dependsOn") or []
        if any(statuses.get(str(d), 0) >= 400 or str(d) not in statuses for d in depends):
            result = error_result(world(), GraphError(424, "FailedDependency", "A request this one depends on failed."))
        else:
            split = urlsplit("/" + str(part.get("url", "")).lstrip("/"))
            headers = {k: v for k, v in req.headers.items() if k.lower() in ("authorization", "prefer")}
            headers.update(part.get("headers") or {})
            sub = GraphRequest(
                method=str(part.get("method", "GET")).upper(),
                path=split.path,
                args=dict(parse_qsl(split.query, keep_blank_values=True)),
                headers=headers,
                body=part.get("body"),
                root=req.root,
            )
            result = dispatch(sub)
        statuses[part_id] = result.status
        entry: dict[str, Any] = {"id": part_id, "status": result.status, "headers": dict(result.headers)}
        if isinstance(result.body, bytes):
            entry["body"] = base64.b64encode(result.body).decode()
            entry["headers"]["Content-Type"] = result.content_type
        elif result.body is not None:
            entry["body"] = result.body
            entry["headers"]["Content-Type"] = "application/json"
        responses.append(entry)
    return GraphResult(200, {"responses": responses})
