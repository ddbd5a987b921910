"""Signals several steps of the classifier read from a message: its headers, its sender, and the
part of its body the sender wrote (quoted and returned originals cut off)."""

from __future__ import annotations

import re

from addin_server.mail import phrases
from addin_server.mail.message import DeliveryStatusEntry, InboundMessage

# RFC 3464 actions that report success; "deliverable" is what an SMTP VRFY-style probe answers.
SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded", "deliverable"})

# Where the copy of the original message starts inside a textual bounce: its text is the rep's,
# so reasons and addresses are read only before it.
ORIGINAL_MARKER = re.compile(
    # Blanks before it read within its line and dashes read once: a run of blank lines or of dashes
    # once cost minutes (readable_text gives back the blank lines before it).
    r"^[^\S\n]*+(?:-{2,}+\s*+)?(?:this\s+is\s+a\s+copy\s+of\s+the\s+message|below\s+this\s+line\s+is\s+a\s+copy|"
    r"original\s+message\s+(?:follows|headers?)|-+\s*original\s+message|"
    r"the\s+(?:original|returned)\s+message\s+(?:follows|is\s+(?:attached|below|included)|headers|below|:)|"
    r"unsent\s+message\s+below|start\s+of\s+returned\s+message|"
    r"---+\s*(?:the\s+)?(?:original|returned|unsent|headers\s+of\s+the)|original\s+message\s+header|"
    r"copy\s+of\s+(?:the\s+)?(?:original\s+)?message)",
    re.IGNORECASE | re.MULTILINE,
)



def header_value(message: InboundMessage, name: str) -> str:
    return (message.headers.get(name) or "").strip()


def sender_local_part(message: InboundMessage) -> str:
    raw = message.from_address or header_value(message, "From")
    found = re.search(r"<?([^<>\s@]+)(?:@[^<>\s]*)?>?\s*$", raw)
    return (found.group(1) if found else raw).strip('<>" ').lower()


def empty_return_path(message: InboundMessage) -> bool:
    values = message.headers.get_all("Return-Path")
    return bool(values) and all(v.strip() in ("<>", "") for v in values)


def auto_submitted(message: InboundMessage) -> str:
    return header_value(message, "Auto-Submitted").lower()


def is_reply_or_forward(message: InboundMessage) -> bool:
    return bool(phrases.REPLY_PREFIX.match(message.subject))


def readable_text(message: InboundMessage) -> str:
    """The sender's own part of the body: quoted and attached originals cut off."""
    text = message.text
    marker = ORIGINAL_MARKER.search(text)
    # The cut falls after the last line with words before the marker: blank lines above it go too.
    words_end = len(text[: marker.start()].rstrip()) if marker else 0
    if marker and words_end > 0:
        text = text[: text.index("\n", words_end) + 1]
    return text[:20_000]


def own_text(message: InboundMessage) -> str:
    """The body without quoted lines (">") and without a forwarded original: what the sender typed."""
    lines = []
    for line in message.text[:20_000].splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if re.match(
            r"^(?:-{2,}\s*original\s+message|_{5,}|-{5,}\s*$|on\s.{5,120}\swrote:$|from:\s)", stripped, re.IGNORECASE
        ) or _QUOTED_ORIGINAL.match(stripped):
            break
        lines.append(line)
    return "\n".join(lines)[:8000]




# The original a mail client quotes under a reply in another language: a line framed by dashes
# ("-----Ursprüngliche Nachricht-----", "-----Wiadomość oryginalna-----", "-----原始邮件-----") or its
# translated "From:" line with the address ("Von: Omar Shah <omar@...>", "差出人: ...").
_QUOTED_ORIGINAL = re.compile(
    r"-{3,}\s*(?!(?:begin|end)\s)[^\W\d_][^-\n]{2,40}?\s*-{3,}$|"  # not "-----BEGIN PGP SIGNED MESSAGE-----"
    r"(?:von|de|od|van|da|fr[åa]n|fra|l[äa]hett[äa]j[äa]|от|kimden|差出人|发件人|寄件者|送信者|보낸\s*사람)\s*[:：].*[@<]"
    # Gmail's attribution line in the reader's language: "El dom, 27 dic 2026 a las 8:00, Ava (<ava@...>) escribió:"
    r"|(?:el|le|am|il|op|em|den|w\s+dniu)\s.{5,160}\s(?:escribió|a\s+écrit|schrieb|ha\s+scritto|schreef|escreveu|skrev|"
    r"napisał\(a\)|napisał)\s*:$"
    # German, Dutch and the Nordic languages name the writer after the verb ("Op za 5 dec 2026 om 08:17 schreef ...:");
    # Japanese gives the date and the address alone, Chinese says 写道.
    r"|(?:am|op|den)\s.{5,80}\s(?:schrieb|schreef|skrev)\s.{1,160}:$|\d{4}年\d{1,2}月\d{1,2}日.{0,60}[<＜][^>＞]*@[^>＞]*[>＞]\s*[:：]$|"
    r".{0,160}(?:写道|寫道)\s*[:：]$",
    re.IGNORECASE,
)


def unsuccessful_blocks(message: InboundMessage) -> list[DeliveryStatusEntry]:
    """The delivery-status blocks of a report that do not say the message arrived."""
    return [e for e in message.report.delivery_status if e.action not in SUCCESS_ACTIONS]


def auto_submitted_evidence(message: InboundMessage) -> str | None:
    """RFC 3834 Auto-Submitted other than "no", as evidence that a program sent the message."""
    submitted = auto_submitted(message)
    return f"header Auto-Submitted: {submitted[:60]}" if submitted and submitted != "no" else None


def system_sender_evidence(message: InboundMessage) -> str | None:
    """A sender whose local part is a system account's (noreply, notifications, ...), as evidence."""
    local = sender_local_part(message)
    if local and phrases.SYSTEM_LOCAL_PART.match(local):
        return f"sender {message.from_address or local} is a system account"
    return None
