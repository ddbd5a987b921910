"""Where a reply is read: wherever the mailbox files it, the trash included, but never what the rep
wrote or sent. One case per product sentence, on both providers (docs/ARCHITECTURE.md, "Where a reply is read")."""

from __future__ import annotations

import pytest

from addin_server.providers.gmail import UNWATCHED_LABELS, FetchedMessage
from addin_server.providers.graph_folders import is_mail_in

GMAIL = [
    ("a reply in the inbox is read", ("INBOX", "UNREAD"), True),
    ("a reply a filter labelled and kept out of the inbox is read", ("Label_7", "UNREAD"), True),
    ("a reply archived without a label is read", (), True),
    ("a reply the spam filter caught is read", ("SPAM", "UNREAD"), True),
    ("a reply the rep trashed before we read it is read", ("TRASH", "UNREAD"), True),
    ("our own sent mail in the trash is not read", ("SENT", "TRASH"), False),
    ("a draft in the trash is not read", ("DRAFT", "TRASH"), False),
    ("our own sent mail is not read", ("SENT",), False),
    ("a draft is not read", ("DRAFT",), False),
    ("a chat is not read", ("CHAT",), False),
]


@pytest.mark.parametrize(("labels", "read"), [pytest.param(labels, read, id=name) for name, labels, read in GMAIL])
def test_gmail(labels: tuple[str, ...], read: bool) -> None:
    assert FetchedMessage("m1", "t1", labels, 1, b"").is_inbound is read


OUTLOOK = [
    ("a reply in the inbox is read", "inbox", False, False, True),
    ("a reply a rule moved into a user folder is read", "AQMkADclients-acme", False, False, True),
    ("a reply the junk filter moved is read", "junkemail", False, False, True),
    ("a reply in the archive is read", "archive", False, False, True),
    ("a reply the rep deleted before we read it is read", "deleteditems", False, False, True),
    ("our own sent mail the rep deleted is not read", "deleteditems", False, True, False),
    ("a deleted draft is not read", "deleteditems", True, True, False),
    ("our own sent mail is not read", "sentitems", False, True, False),
    ("a draft is not read", "drafts", True, True, False),
    ("mail waiting in the outbox is not read", "outbox", False, True, False),
]


@pytest.mark.parametrize(("folder", "draft", "from_rep", "read"),
                         [pytest.param(*case[1:], id=case[0]) for case in OUTLOOK])
def test_outlook(folder: str, draft: bool, from_rep: bool, read: bool) -> None:
    assert is_mail_in(folder, is_draft=draft, from_rep=from_rep) is read


def test_the_gmail_watch_pushes_for_what_is_read() -> None:
    # The watch leaves out (labelFilterBehavior exclude) exactly labels whose mail is never read.
    assert all(not FetchedMessage("m", "t", (label,), 1, b"").is_inbound for label in UNWATCHED_LABELS)
    assert "SPAM" not in UNWATCHED_LABELS and "INBOX" not in UNWATCHED_LABELS
