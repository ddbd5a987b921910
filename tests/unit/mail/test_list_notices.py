"""A mailing-list server's notice about a message is automatic mail; a person's post on a list is not.
One case per list manager and per sentence of mail/list_notices.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "files"


def message(headers: str, body: str) -> InboundMessage:
    text = "\r\n".join(line.strip() for line in headers.strip().splitlines())
    return InboundMessage.from_bytes(f"{text}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                                     f"{body}\r\n".encode())


NOTICES = [
    ("fml's loop alert from the list's -admin address is a list server's notice", """
        From: neko-admin@lists.example.jp
        To: neko-admin@lists.example.jp
        Subject: Loop Alert: Duplicated Message-ID (neko ML)
        References: <seq-1@acme.example>
        X-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]
     """, "Duplicated Message-ID in <neko@lists.example.jp>.\n\nOriginal mail as follows:\n", "Loop Alert"),
    ("Mailman 2's 'awaits moderator approval' with X-List-Administrivia is a list server's notice", """
        From: sales-talk-bounces@lists.example.org
        To: rep@acme.example
        Subject: Your message to Sales-talk awaits moderator approval
        X-Mailman-Version: 2.1.39
        X-List-Administrivia: yes
        List-Id: <sales-talk.lists.example.org>
     """, "Your mail to 'Sales-talk' with the subject\n\n    Quick question\n\nIs being held until the list "
         "moderator can review it for approval.\n", "X-List-Administrivia"),
    ("Mailman 3's held notice from the list's -owner address is a list server's notice", """
        From: sales-talk-owner@lists.example.org
        To: rep@acme.example
        Subject: Your message to Sales-talk@lists.example.org awaits moderator approval
        Auto-Submitted: auto-replied
     """, "Your message to Sales-talk@lists.example.org awaits moderator approval.\nThe reason it is being held: "
         "Post by non-member to a members-only list\n", "awaits moderator"),
    ("Sympa's rejection sent by the sympa account is a list server's notice", """
        From: SYMPA <sympa@lists.example.fr>
        To: rep@acme.example
        Subject: Your message to list partners has been rejected
     """, "Your message for list partners@lists.example.fr has been rejected by the list moderator.\n",
     "mailing-list server"),
    ("majordomo's notice from owner-<list> is a list server's notice", """
        From: owner-buyers@lists.example.net
        To: rep@acme.example
        Subject: Majordomo results: your post to buyers
     """, "Your posting to buyers@lists.example.net was rejected: the list is moderated.\n", "owner-buyers"),
    ("LISTSERV's rejected posting from the L-Soft list server is a list server's notice", """
        From: "L-Soft list server at LISTSERV.EXAMPLE.EDU (16.5)" <LISTSERV@LISTSERV.EXAMPLE.EDU>
        To: rep@acme.example
        Subject: Rejected posting to PROCURE-L@LISTSERV.EXAMPLE.EDU
     """, "You are not authorized to send mail to the PROCURE-L list from your rep@acme.example account.\n",
     "mailing-list server"),
    ("Google Groups' pending-approval notice from <group>+owners is a list server's notice", """
        From: procurement+owners@googlegroups.com
        To: rep@acme.example
        Subject: Your message to procurement is awaiting approval
        X-Google-Group-Id: 123456789
     """, "Your message to the procurement group is awaiting approval by the group's moderators.\n",
     "awaiting approval"),
]


@pytest.mark.parametrize(("headers", "body", "said"), [pytest.param(h, b, s, id=n) for n, h, b, s in NOTICES])
def test_a_list_servers_notice_about_a_message_is_automatic(headers: str, body: str, said: str) -> None:
    result = classify(message(headers, body))
    assert result.kind is InboundKind.AUTO_OTHER
    assert any(said in line for line in result.evidence), result.evidence


POSTS = [
    ("a person's post relayed by Mailman (List-Id, List-Post, X-Mailman-Version) is a human reply", """
        From: Jane Doe <jane@globex.example>
        To: sales-talk@lists.example.org
        Subject: Re: [Sales-talk] pricing for 2027
        In-Reply-To: <seq-1@acme.example>
        X-Mailman-Version: 2.1.39
        List-Id: <sales-talk.lists.example.org>
        List-Post: <mailto:sales-talk@lists.example.org>
        Precedence: list
     """, "Thanks, yes: send me the 2027 price list and let's talk Thursday.\n"),
    ("a person whose own address looks like a list role, posting through the list, is a human reply", """
        From: Sam Lee <sales-admin@globex.example>
        To: buyers@lists.example.net
        Subject: Re: [buyers] onboarding
        X-Mailman-Version: 3.3.8
        List-Id: <buyers.lists.example.net>
        List-Post: <mailto:buyers@lists.example.net>
     """, "We can start the onboarding in January. Who should I call?\n"),
    ("a person at an -admin address answering the rep, without any list sign, is a human reply", """
        From: IT Admin <it-admin@globex.example>
        To: rep@acme.example
        Subject: Re: your proposal
        In-Reply-To: <seq-1@acme.example>
     """, "Sounds good, please send the contract.\n"),
    ("a person asking the list why their post was held is a human reply", """
        From: Jane Doe <jane@globex.example>
        To: sales-talk@lists.example.org
        Subject: Re: Your message to Sales-talk awaits moderator approval
        X-Mailman-Version: 2.1.39
        List-Id: <sales-talk.lists.example.org>
        List-Post: <mailto:sales-talk@lists.example.org>
     """, "My post was held for moderation: why? I am a member of this list.\n"),
    ("a person's post through Google Groups (From rewritten to the group) is a human reply", """
        From: "'Jane Doe' via procurement" <procurement@googlegroups.com>
        To: procurement@googlegroups.com
        Subject: Re: supplier day
        X-Google-Group-Id: 123456789
        List-Id: <procurement.googlegroups.com>
        List-Post: <https://groups.google.com/group/procurement/post>
     """, "Yes, I'll be there on Thursday.\n"),
]


@pytest.mark.parametrize(("headers", "body"), [pytest.param(h, b, id=n) for n, h, b in POSTS])
def test_a_persons_post_on_a_list_is_not_a_notice(headers: str, body: str) -> None:
    assert classify(message(headers, body)).kind is InboundKind.HUMAN_REPLY


def test_a_notice_read_again_without_its_list_fields_is_still_a_notice() -> None:
    # services/inbound.py reads an automatic answer to a sequence email again without its RFC 2369 fields.
    notice = message("""
        From: sales-talk-bounces@lists.example.org
        To: rep@acme.example
        Subject: Your message to Sales-talk awaits moderator approval
        In-Reply-To: <seq-1@acme.example>
        X-Mailman-Version: 2.1.39
     """, "Your mail to 'Sales-talk' is being held until the list moderator can review it for approval.\n")
    assert classify(notice).kind is InboundKind.AUTO_OTHER


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not next to the repository")
def test_fmls_loop_alert_in_the_corpus_is_automatic_with_evidence() -> None:
    path = CORPUS / "go-sisimai" / "set-of-emails" / "maildir" / "bsd" / "lhost-fml-03.eml"
    result = classify(InboundMessage.from_bytes(path.read_bytes()))
    assert result.kind is InboundKind.AUTO_OTHER
    assert result.evidence[0] == "sender neko-admin@example.co.jp is a mailing list's own address"
