"""Microsoft Graph mail folders: where a rep's mail can be filed, and what arrived across all of them.

Graph has no delta of the whole mailbox (message delta is per folder), and an inbox rule can file a
reply into any folder. So besides the inbox delta, the mailbox is read with one bounded listing of
`users/{id}/messages` by receivedDateTime (every folder, ours left out by parentFolderId), and the
subscription is on `users/{id}/messages`, which Graph notifies for every folder.

Built on GraphMailbox's transport (tokens, bounded retries, the per-mailbox concurrency limit).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

from addin_server.providers.graph import GraphError, GraphMailbox

# The folders whose messages are never mail in: what the rep writes or sends (drafts, the outbox,
# sent items). Junk Email is read: a reply the junk filter misjudged is still the contact's answer.
# Deleted Items is read too (a reply the rep deleted before we read it was still answered), passing
# over what the rep wrote there (DELETED_FOLDER). Every other folder (archive, user folders at any
# depth) is read, wherever an inbox rule files a reply.
OUTBOUND_FOLDERS = ("drafts", "outbox", "sentitems")
# Holds deleted drafts and sent copies beside deleted mail in: read, our own passed over by
# isDraft and by the rep as sender.
DELETED_FOLDER = "deleteditems"
# Graph's largest page for message listings.
LIST_PAGE = 1000

_ids: dict[tuple[str, str], dict[str, str]] = {}


def is_mail_in(folder: str, *, is_draft: bool, from_rep: bool) -> bool:
    """Whether a message is mail in, by its folder's well-known name (or id, for the others):
    never a draft nor what the rep sends; in Deleted Items, never what the rep wrote."""
    if is_draft or folder in OUTBOUND_FOLDERS:
        return False
    return not (folder == DELETED_FOLDER and from_rep)
_ids_lock = threading.Lock()


def well_known_folder_ids(mailbox: GraphMailbox, names: tuple[str, ...]) -> dict[str, str]:
    """The ids of well-known folders (name -> id), asked once per mailbox and process (they never change),
    with one $batch request."""
    key = (mailbox.root, mailbox.user_id)
    with _ids_lock:
        known = dict(_ids.get(key, {}))
    wanted = [n for n in names if n not in known]
    if wanted:
        path = urlsplit(mailbox.user_url).path.removeprefix(urlsplit(mailbox.root).path)
        answer = mailbox._json("POST", f"{mailbox.root}/$batch", repeatable=True, json_body={"requests": [
            {"id": str(i), "method": "GET", "url": f"{path}/mailFolders/{name}?$select=id"}
            for i, name in enumerate(wanted)]})
        asked = {str(i): name for i, name in enumerate(wanted)}
        for part in answer.get("responses") or ():
            if not isinstance(part, dict):
                continue
            name, body, status = asked.get(str(part.get("id"))), part.get("body"), part.get("status")
            if name and isinstance(status, int) and status < 400 and isinstance(body, dict) and body.get("id"):
                known[name] = str(body["id"])
        missing = [n for n in wanted if not known.get(n)]
        if missing:
            raise GraphError(f"Graph did not name the folders {', '.join(missing)}")
        with _ids_lock:
            _ids[key] = dict(known)
    return {n: known[n] for n in names}


def received_since(mailbox: GraphMailbox, since: datetime, *, page_size: int = 500,
                   max_pages: int = 20) -> Iterator[list[tuple[str, str]] | None]:
    """Pages of the messages received at or after `since` in every folder, oldest first:
    (id, parentFolderId). After `max_pages` it stops and yields None: the listing went on."""
    moment = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    url: str | None = f"{mailbox.user_url}/messages"
    params: dict[str, str] | None = {
        "$filter": f"receivedDateTime ge {moment}", "$orderby": "receivedDateTime asc",
        "$select": "id,receivedDateTime,parentFolderId", "$top": str(min(page_size, LIST_PAGE))}
    for _ in range(max_pages):
        if not url:
            return
        page = mailbox._json("GET", url, params=params)  # immutable ids, as every request asks
        params = None  # the next link carries its own query
        url = page.get("@odata.nextLink")
        yield [(str(m["id"]), str(m.get("parentFolderId") or "")) for m in page.get("value") or ()
               if isinstance(m, dict) and m.get("id")]
        if not url:
            return
    yield None
