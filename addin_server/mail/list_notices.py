"""A mailing-list server's own notice about a message: a loop alert, a post held for moderation, a post
the list rejected or discarded. It is automatic mail (auto_other), not a person's post.

A list server relays people's posts with its headers added (List-Id, X-Mailman-Version, X-MLServer,
X-Google-Group-Id), so those headers alone never make mail automatic: a person's post keeps the
person's From. What a notice has that a post has not is its sender, the list's own address: the list
manager's account (mailman, majordomo, listserv, sympa, fml, ecartis, mlmmj, ezmlm) or one of a list's
role addresses (owner-neko, neko-admin, neko-owner, neko-request, neko-bounces, Google Groups'
neko+owners). A role address alone is not enough ("it-admin@" may be a person answering, and may post
to a list): it must come with a notice's own words in its subject or first lines, Mailman's
X-List-Administrivia, or a list manager's header on a message the list did not relay as a post (a
relayed post carries List-Post). Mailman's X-List-Administrivia: yes is written
only on administrative mail, so it decides alone.

Delivery failures the list relays or reports ("you are not a member of this list") are read before
this, as bounces (mail/bounces.py); the RFC 2369 List-* fields are not signals here, so a notice read
again without them (services/inbound.py) is still a notice.
"""

from __future__ import annotations

import re

from addin_server.mail.message import InboundMessage
from addin_server.mail.signals import header_value, is_reply_or_forward, own_text, sender_local_part

# The accounts list managers send from, and a list's role addresses.
_LIST_MANAGER_ACCOUNT = re.compile(
    r"^(?:mailman|majordomo|majordom|listserv|listproc|sympa|fml|ecartis|smartlist|mlmmj|ezmlm|lyris|"
    r"listar|minimalist)(?:[-_.+].*)?$",
    re.IGNORECASE,
)
_LIST_ROLE_ADDRESS = re.compile(
    r"^(?:owner-.+|.+-(?:owner|owners|admin|request|bounces?|approval|confirm|moderators?)|.+\+(?:owners?|managers?))$",
    re.IGNORECASE,
)
# Headers only list software writes (not the RFC 2369 List-* fields, which mail tools also stamp).
_LIST_SOFTWARE_HEADERS = (
    "X-MLServer",
    "X-ML-Server",
    "X-ML-Name",
    "X-Mailman-Version",
    "X-Sympa-To",
    "X-Listserver",
    "X-LISTSERV-Version",
    "X-Listprocessor-Version",
    "X-Ecartis-Version",
    "X-Mlmmj-Version",
    "X-Google-Group-Id",
    "X-Majordomo-Version",
)
_LIST_SOFTWARE_DISPLAY = re.compile(
    r"\b(?:mailman|majordomo|l-soft\s+list\s+server|listserv|sympa|fml|google\s+groups|mlmmj|ecartis)\b",
    re.IGNORECASE,
)
# A list server's words about a message it received (English: the list managers write in it by default).
NOTICE_WORDS = re.compile(
    r"\bloop\s+alert\b|\bduplicated?\s+message-?id\b|\bmail\s+loop\b|"
    r"\bawait(?:s|ing)\s+(?:the\s+)?moderat(?:or|ion)|\bheld\s+for\s+(?:moderat(?:or|ion)|approval|review)|"
    r"\b(?:is|was|has\s+been)\s+held\b.{0,40}\b(?:list|moderat)|\brequires?\s+(?:moderator\s+)?approval\b|"
    r"\bpending\s+(?:moderat(?:or|ion)|approval)|\bawaiting\s+approval\b|"
    r"\b(?:post|posting|message|submission)\s+(?:to\s+\S+\s+)?(?:was|has\s+been)\s+(?:rejected|discarded|refused|denied)\b|"
    r"\brejected\s+by\s+(?:the\s+)?(?:list|moderator|list\s+(?:owner|moderator|server))|"
    r"\b(?:majordomo|listserv|command)\s+results\b|\badmin(?:istrative)?\s+request\b|"
    r"\bmessage\s+(?:rejected|discarded)\b|\brejected\s+(?:posting|post|message|submission)\b",
    re.IGNORECASE,
)


def list_notice_evidence(message: InboundMessage) -> tuple[str, ...]:
    """Why the message is a list server's notice about a message, or () when it is not one."""
    local = sender_local_part(message)
    display = message.from_name or ""
    sender = (message.from_address or local)[:80]
    software = next(
        (f"header {name}: {value[:60]}" for name in _LIST_SOFTWARE_HEADERS if (value := header_value(message, name))),
        None,
    )
    administrivia = header_value(message, "X-List-Administrivia").lower() == "yes"
    # A person answering about a held post ("Re: my post was held for moderation?") writes a reply.
    said = f"{message.subject}\n{own_text(message)[:600]}"
    words = None if is_reply_or_forward(message) else NOTICE_WORDS.search(said)
    evidence: list[str] = []
    relayed_post = bool(header_value(message, "List-Post"))
    unrelayed_software = software and not relayed_post
    if _LIST_MANAGER_ACCOUNT.match(local) or (local and _LIST_SOFTWARE_DISPLAY.search(display)):
        evidence.append(f"sender {sender} is a mailing-list server")
    elif local and _LIST_ROLE_ADDRESS.match(local) and (unrelayed_software or administrivia or words):
        evidence.append(f"sender {sender} is a mailing list's own address")
    if administrivia:
        evidence.append("header X-List-Administrivia: yes (the list's administrative mail)")
    if not evidence:
        return ()
    if not administrivia and not software and not words:
        # The list manager's account alone: a notice in other words, still no person's post.
        return (*evidence, "a list server's notice, not a person's post")
    if software:
        evidence.append(software)
    if words:
        evidence.append(f"text says {words.group(0)[:60]!r} (a list server's notice about a message)")
    return tuple(evidence)
