"""Where a reply is read: wherever the mailbox files it, but never what the rep wrote, sent or threw
away. One case per product sentence, on both providers (docs/ARCHITECTURE.md, "Where a reply is read")."""

from __future__ import annotations

import pytest

from addin_server.providers.gmail import UNWATCHED_LABELS, FetchedMessage
from addin_server.providers.graph_folders import OUTBOUND_FOLDERS

GMAIL = [
    ("a reply in the inbox is read", ("INBOX", "UNREAD"), True),
    ("a reply a filter labelled and kept out of the inbox is read", ("Label_7", "UNREAD"), True),
    ("a reply archived without a label is read", (), True),
    ("a reply the spam filter caught is read", ("SPAM", "UNREAD"), True),
    ("a reply in the trash is not read", ("TRASH",), False),
    ("our own sent mail is not read", ("SENT",), False),
    ("a draft is not read", ("DRAFT",), False),
    ("a chat is not read", ("CHAT",), False),
]


@pytest.mark.parametrize(("labels", "read"), [pytest.param(labels, read, id=name) for name, labels, read in GMAIL])
def test_gmail(labels: tuple[str, ...], read: bool) -> None:
    assert FetchedMessage("m1", "t1", labels, 1, b"").is_inbound is read


OUTLOOK = [
    ("a reply in the inbox is read", "inbox", True),
    ("a reply a rule moved into a user folder is read", "AQMkADclients-acme", True),
    ("a reply the junk filter moved is read", "junkemail", True),
    ("a reply in the archive is read", "archive", True),
    ("a reply in Deleted Items is not read", "deleteditems", False),
    ("our own sent mail is not read", "sentitems", False),
    ("a draft is not read", "drafts", False),
    ("mail waiting in the outbox is not read", "outbox", False),
]


@pytest.mark.parametrize(("folder", "read"), [pytest.param(folder, read, id=name) for name, folder, read in OUTLOOK])
def test_outlook(folder: str, read: bool) -> None:
    assert (folder not in OUTBOUND_FOLDERS) is read


def test_the_gmail_watch_pushes_for_what_is_read() -> None:
    # The watch leaves out (labelFilterBehavior exclude) exactly labels whose mail is never read.
    assert all(not FetchedMessage("m", "t", (label,), 1, b"").is_inbound for label in UNWATCHED_LABELS)
    assert "SPAM" not in UNWATCHED_LABELS and "INBOX" not in UNWATCHED_LABELS
