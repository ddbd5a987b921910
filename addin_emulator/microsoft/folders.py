"""Graph's mail folders and inbox rules: mailFolders, childFolders, messageRules.

The well-known folders (inbox, drafts, sentitems, deleteditems, junkemail, outbox) are at the top
under the mailbox's root; user folders are made with POST mailFolders or childFolders and can nest.
Messages carry their folder's id as parentFolderId; per-folder delta (graph.message_delta) and the
listing work on user folders as on the inbox.
"""

from __future__ import annotations

from typing import Any

from addin_emulator.microsoft.graph import (
    FOLDER,
    USER,
    GraphError,
    GraphRequest,
    GraphResult,
    find_message,
    folder_name,
    list_page,
    message_json,
    route,
    world,
)
from addin_emulator.microsoft.rules import ACTIONS, CONDITIONS
from addin_emulator.microsoft.store import WELL_KNOWN_NAMES, Mailbox, counter_token

# A mailFolder's properties, as Graph v1.0 sends them.
FOLDER_KEYS = ("id", "displayName", "parentFolderId", "childFolderCount", "unreadItemCount", "totalItemCount",
               "sizeInBytes", "isHidden")


def root_id(mailbox: Mailbox) -> str:
    return counter_token("AQMkAD", f"{mailbox.user_id}:folder:msgfolderroot")


def _parent(mailbox: Mailbox, folder: str) -> str | None:
    return mailbox.user_folders[folder][1] if folder in mailbox.user_folders else None


def _display_name(mailbox: Mailbox, folder: str) -> str:
    if folder in mailbox.user_folders:
        return mailbox.user_folders[folder][0]
    return WELL_KNOWN_NAMES.get(folder, folder)


def folder_json(mailbox: Mailbox, folder: str) -> dict[str, Any]:
    parent = _parent(mailbox, folder)
    inside = [m for m in mailbox.messages.values() if m.folder == folder]
    return {
        "id": mailbox.folder_ids[folder],
        "displayName": _display_name(mailbox, folder),
        "parentFolderId": mailbox.folder_ids[parent] if parent else root_id(mailbox),
        "childFolderCount": sum(1 for f in mailbox.user_folders if _parent(mailbox, f) == folder),
        "unreadItemCount": sum(1 for m in inside if not m.is_read),
        "totalItemCount": len(inside),
        "sizeInBytes": sum(len(m.mime or b"") + len(m.body) for m in inside),
        "isHidden": False,
    }


def _children(mailbox: Mailbox, parent: str | None) -> list[str]:
    return [f for f in mailbox.folder_ids if _parent(mailbox, f) == parent]


def _listing(req: GraphRequest, parent: str | None) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    with world().lock:
        if parent is not None and parent not in mailbox.folder_ids:
            raise GraphError(404, "ErrorItemNotFound", "The specified folder could not be found in the store.")
        items = [folder_json(mailbox, f) for f in _children(mailbox, parent)]
    where = f"users('{mailbox.user_id}')/mailFolders" + (f"('{mailbox.folder_ids[parent]}')/childFolders"
                                                          if parent else "")
    return list_page(req, items, where)


def _create(req: GraphRequest, parent: str | None) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    body = req.body if isinstance(req.body, dict) else {}
    name = body.get("displayName")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise GraphError(400, "ErrorInvalidRequest", "displayName is required (at most 255 characters).")
    state = world()
    with state.lock:
        if any(_parent(mailbox, f) == parent and _display_name(mailbox, f).lower() == name.strip().lower()
               for f in mailbox.folder_ids):
            raise GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.")
        folder_id = counter_token("AQMkAD", f"{mailbox.user_id}:folder:user{state.next('folder'):05d}")
        mailbox.folder_ids[folder_id] = folder_id
        mailbox.user_folders[folder_id] = (name.strip(), parent)
        return GraphResult(201, {"@odata.context": f"{req.root}/$metadata#users('{mailbox.user_id}')/mailFolders/"
                                 "$entity", **folder_json(mailbox, folder_id)})


@route("GET", USER + r"/mailfolders")
def list_folders(req: GraphRequest) -> GraphResult:
    return _listing(req, None)


@route("POST", USER + r"/mailfolders")
def create_folder(req: GraphRequest) -> GraphResult:
    return _create(req, None)


@route("POST", USER + r"/messages/(?P<mid>[^/]+)/move")
def move_message(req: GraphRequest, mid: str) -> GraphResult:
    """Move a message after it landed (the rep filing or deleting it by hand): destinationId is a
    folder id or a well-known name; 201 with the message as it now is. Subscribers hear the message
    leave its folder and arrive in the other, as Exchange tells them."""
    mailbox = req.mailbox
    assert mailbox is not None
    body = req.body if isinstance(req.body, dict) else {}
    destination = body.get("destinationId")
    if not isinstance(destination, str) or not destination:
        raise GraphError(400, "ErrorInvalidRequest", "The destinationId property is required.")
    message = find_message(mailbox, mid)
    state = world()
    with state.lock:
        target = folder_name(mailbox, destination, None)
        old_folder, old_id, etag = message.folder, message.id, message.etag
        state.move(mailbox, message, target)
    from addin_emulator.microsoft import notifications

    notifications.notify(state, mailbox, "messages", old_folder, old_id, etag, "deleted")
    notifications.message_changed(state, mailbox, message, "created")
    return GraphResult(201, message_json(req, mailbox, message, None, None))


@route("GET", USER + FOLDER)
def get_folder(req: GraphRequest, folder: str | None, folder2: str | None) -> GraphResult:
    mailbox = req.mailbox
    assert mailbox is not None
    name = folder_name(mailbox, folder, folder2)
    with world().lock:
        return GraphResult(200, {"@odata.context": f"{req.root}/$metadata#users('{mailbox.user_id}')/mailFolders/"
                                 "$entity", **folder_json(mailbox, name)})


@route("GET", USER + FOLDER + r"/childfolders")
def list_child_folders(req: GraphRequest, folder: str | None, folder2: str | None) -> GraphResult:
    assert req.mailbox is not None
    return _listing(req, folder_name(req.mailbox, folder, folder2))


@route("POST", USER + FOLDER + r"/childfolders")
def create_child_folder(req: GraphRequest, folder: str | None, folder2: str | None) -> GraphResult:
    assert req.mailbox is not None
    return _create(req, folder_name(req.mailbox, folder, folder2))


def _inbox_only(req: GraphRequest, folder: str | None, folder2: str | None) -> Mailbox:
    mailbox = req.mailbox
    assert mailbox is not None
    if folder_name(mailbox, folder, folder2) != "inbox":
        raise GraphError(400, "ErrorInvalidRequest", "Rules can be managed on the Inbox only.")
    return mailbox


@route("GET", USER + FOLDER + r"/messagerules")
def list_rules(req: GraphRequest, folder: str | None, folder2: str | None) -> GraphResult:
    mailbox = _inbox_only(req, folder, folder2)
    with world().lock:
        items = [dict(rule) for rule in mailbox.rules]
    return list_page(req, items, f"users('{mailbox.user_id}')/mailFolders('inbox')/messageRules")


@route("POST", USER + FOLDER + r"/messagerules")
def create_rule(req: GraphRequest, folder: str | None, folder2: str | None) -> GraphResult:
    """A messageRule: displayName, sequence and actions are required, as Graph asks."""
    mailbox = _inbox_only(req, folder, folder2)
    body = req.body if isinstance(req.body, dict) else {}
    name, sequence = body.get("displayName"), body.get("sequence")
    conditions, actions = body.get("conditions") or {}, body.get("actions")
    if not isinstance(name, str) or not name.strip():
        raise GraphError(400, "ErrorInvalidRequest", "displayName is required.")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise GraphError(400, "ErrorInvalidRequest", "sequence must be a positive integer.")
    if not isinstance(conditions, dict) or not set(conditions) <= set(CONDITIONS):
        raise GraphError(400, "ErrorInvalidRequest", f"The emulator knows the conditions {', '.join(CONDITIONS)}.")
    if not isinstance(actions, dict) or not actions or not set(actions) <= set(ACTIONS):
        raise GraphError(400, "ErrorInvalidRequest", f"actions are required: {', '.join(ACTIONS)}.")
    state = world()
    with state.lock:
        if "moveToFolder" in actions and mailbox.folder_of_id(str(actions["moveToFolder"])) is None:
            raise GraphError(400, "ErrorInvalidValue", "The folder of moveToFolder does not exist.")
        rule = {"id": counter_token("AQAAA", f"{mailbox.user_id}:rule{state.next('rule'):05d}"),
                "displayName": name.strip(), "sequence": sequence, "isEnabled": bool(body.get("isEnabled", True)),
                "hasError": False, "isReadOnly": False, "conditions": conditions, "actions": actions}
        mailbox.rules.append(rule)
    return GraphResult(201, {"@odata.context": f"{req.root}/$metadata#users('{mailbox.user_id}')/mailFolders('inbox')"
                             "/messageRules/$entity", **rule})
