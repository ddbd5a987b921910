"""One-click unsubscribe: the links and headers every sequence email carries, and the use case.

Each sequence email carries a signed token bound to that email (auth.signed_links), in a footer link
and in the List-Unsubscribe header with List-Unsubscribe-Post (RFC 8058), so mail clients can offer
their own unsubscribe button and POST to it without showing our page.

Unsubscribing marks the contact unsubscribed from sequence email (enroll() then refuses them), ends
their open enrollment with reason unsubscribed and records an `unsubscribed` event on the enrollment
of the email the link came in. Doing it twice changes nothing the second time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from addin_server.auth.errors import AuthError
from addin_server.auth.signed_links import (
    make_meeting_token,
    make_unsubscribe_token,
    read_unsubscribe_token,
    rep_of_booking_key,
)
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.model import EndOfEnrollment, EventType, Surface, UnenrollReason
from addin_server.services.context import ServiceContext
from addin_server.services.directory import contact_name, parse_id
from addin_server.services.enrollment_records import OPEN, add_event, end_enrollment
from addin_server.services.errors import ServiceError
from addin_server.services.meetings import booking_page_url

CONTACT_ACTOR = "contact"
HOW = ("page", "one_click")


class BadLink(ServiceError):
    """The link is tampered with, made for something else, malformed or points at nothing."""

    status = 400
    code = "bad_link"


# --- links and headers in sequence emails ------------------------------------------------------


def unsubscribe_url_for(ctx: ServiceContext | Settings, sequence_email_id: int | str) -> str:
    """The https unsubscribe link of one sequence email."""
    settings = ctx if isinstance(ctx, Settings) else ctx.settings
    return _unsubscribe_url(settings, make_unsubscribe_token(str(sequence_email_id), settings))


def _unsubscribe_url(settings: Settings, token: str) -> str:
    return settings.public_endpoint(f"/u/{token}")


def unsubscribe_headers_for(ctx: ServiceContext | Settings, sequence_email_id: int | str) -> dict[str, str]:
    """List-Unsubscribe (the https link) and List-Unsubscribe-Post for RFC 8058 one-click."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url_for(ctx, sequence_email_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@dataclass(frozen=True)
class SequenceEmailLinks:
    """What one sequence email carries: its tokens, the footer with both links and the headers."""

    unsubscribe_token: str
    meeting_token: str
    footer: str
    headers: dict[str, str] = field(default_factory=dict)


def links_for_sequence_email(settings: Settings, sequence_email_id: int, rep_id: int,
                             rep_name: str) -> SequenceEmailLinks:
    """The booking link (the sending rep's page) and the unsubscribe link of one sequence email."""
    unsubscribe_token = make_unsubscribe_token(str(sequence_email_id), settings)
    meeting_token = make_meeting_token(str(sequence_email_id), str(rep_id), settings)
    unsubscribe_url = _unsubscribe_url(settings, unsubscribe_token)
    footer = (f"\n\n--\nBook a meeting with {rep_name}: {booking_page_url(settings, rep_id, meeting_token)}\n"
              f"Unsubscribe from these emails: {unsubscribe_url}\n")
    return SequenceEmailLinks(
        unsubscribe_token=unsubscribe_token, meeting_token=meeting_token, footer=footer,
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


# After ".../meet/": the page key, then whatever a mail client would read as part of the same link
# (a trailing slash, a query, a fragment), up to a space, a quote, an angle bracket or a bracket.
_BOOKING_LINK_TAIL = r"([0-9]{1,19}-[A-Za-z0-9_\-]{16})(?![A-Za-z0-9_\-])([/?#][^\s<>\"'()\[\]{}]*)?"
# Sentence punctuation right after a link is the sentence's, not the link's.
_TRAILING_PUNCTUATION = ".,;:!?"


def bind_booking_links(settings: Settings, body: str, sequence_email_id: int) -> str:
    """Every booking-page link written in a sequence email's body, bound to that email.

    A rep may write a teammate's booking link into a step: booking through it must end the
    contact's enrollment like the sender's own footer link does, so each link gets a token minted
    for this email and for the rep whose page it opens (a token works on that page only). Whatever
    form the link is written in (a trailing slash, a query of its own, a fragment, inside an HTML
    href with `&amp;`, in angle brackets, followed by punctuation), the page's address comes out
    with the token as its own query parameter and the rest of the link kept.
    """
    pattern = re.compile(re.escape(settings.public_endpoint("/meet/")) + _BOOKING_LINK_TAIL)

    def bound(found: re.Match[str]) -> str:
        rep_id = rep_of_booking_key(found.group(1), settings)
        if rep_id is None:
            return found.group(0)  # not a page of ours: left as written
        tail = found.group(2) or ""
        kept = tail.rstrip(_TRAILING_PUNCTUATION)
        after = tail[len(kept):]
        path, _, fragment = kept.partition("#")
        path, _, query = path.partition("?")
        if path not in ("", "/"):
            return found.group(0)  # a deeper path is no booking page: left as written
        # In an HTML href the separator is written `&amp;`; the added one follows the same spelling.
        separator = "&amp;" if "&amp;" in query else "&"
        pairs = [(k, v) for k, v in parse_qsl(query.replace("&amp;", "&"), keep_blank_values=True) if k != "t"]
        url = booking_page_url(settings, rep_id, make_meeting_token(str(sequence_email_id), rep_id, settings))
        if pairs:
            url += separator + urlencode(pairs).replace("&", separator)
        if fragment:
            url += "#" + fragment
        return url + after

    return pattern.sub(bound, body)


# --- the use case ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Linked:
    email: t.SequenceEmail
    enrollment: t.Enrollment
    contact: t.Contact
    sender: t.User


def _linked(s: Session, settings: Settings, token: str) -> _Linked:
    try:
        sequence_email_id = read_unsubscribe_token(token, settings)
    except AuthError as exc:
        raise BadLink(exc.message, code=exc.code) from None
    key = parse_id(sequence_email_id)
    email = s.get(t.SequenceEmail, key) if key is not None else None
    if email is None:
        raise BadLink("This link is not valid.")
    enrollment = s.get_one(t.Enrollment, email.enrollment_id)
    return _Linked(email, enrollment, s.get_one(t.Contact, enrollment.contact_id),
                   s.get_one(t.User, enrollment.sender_user_id))


def describe_unsubscribe(ctx: ServiceContext, token: str) -> dict[str, Any]:
    """What the confirmation page shows. Raises BadLink for any token we did not make."""
    with ctx.session() as s:
        linked = _linked(s, ctx.settings, token)
        return {
            "contact_name": contact_name(linked.contact),
            "address": linked.email.recipient,
            "sender_name": linked.sender.name or linked.sender.mailbox_address,
            "already_unsubscribed": linked.contact.unsubscribed,
        }


def unsubscribe(ctx: ServiceContext, token: str, *, how: str = "page") -> dict[str, Any]:
    """Unsubscribe the contact a sequence email went to; `how` is page or one_click."""
    if how not in HOW:
        raise ValueError(f"how must be one of {HOW}")
    now = ctx.now()
    with ctx.session() as s:
        linked = _linked(s, ctx.settings, token)
        contact, email = linked.contact, linked.email
        # Conditional: of two simultaneous requests exactly one changes the contact.
        changed = s.execute(
            update(t.Contact).where(t.Contact.id == contact.id, t.Contact.unsubscribed.is_(False))
            .values(unsubscribed=True).execution_options(synchronize_session=False)
        ).rowcount == 1  # type: ignore[attr-defined]
        view = {"contact_name": contact_name(contact), "address": email.recipient,
                "sender_name": linked.sender.name or linked.sender.mailbox_address,
                "already_unsubscribed": not changed, "ended_enrollment_id": None}
        if not changed:
            return view
        evidence = {
            "rule": "unsubscribe link in a sequence email", "how": how, "address": email.recipient,
            "sequence_email_id": str(email.id), "message_id": email.rfc_message_id, "step": email.step_position,
            "sequence_email_subject": email.subject,
        }
        add_event(s, linked.enrollment, EventType.UNSUBSCRIBED, now, CONTACT_ACTOR, **evidence)
        # The contact's open enrollment may be a later one than the email's: unsubscribing ends it.
        open_enrollment = s.scalar(select(t.Enrollment).where(t.Enrollment.contact_id == contact.id,
                                                              t.Enrollment.status.in_(OPEN)))
        if open_enrollment is not None:
            end = EndOfEnrollment(UnenrollReason.UNSUBSCRIBED, Surface.AUTOMATIC, CONTACT_ACTOR, evidence)
            if end_enrollment(s, open_enrollment.id, end, now):
                view["ended_enrollment_id"] = str(open_enrollment.id)
        return view
