"""Reconnecting a rep's Gmail mailbox from the web app: Google's OAuth consent, then connect_gmail.

The web app sends the rep to Google's consent screen (offline access, consent prompted, so Google
issues a new refresh token even to a rep who granted access before), Google sends them back with a
code, and the code is exchanged here for the refresh token that mailboxes.connect_gmail stores.
Outlook mailboxes are connected through Microsoft's consent, which this module does not cover.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from addin_server.auth.google_consent import GoogleUnreachable, OfflineAccessRefused, exchange_code_for_refresh_token
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.domain.addresses import try_normalize
from addin_server.domain.model import MailboxProvider
from addin_server.providers.gmail import SCOPES, GmailError, GmailMailbox
from addin_server.providers.google_calendar import CALENDAR_SCOPES
from addin_server.providers.graph import GraphError
from addin_server.services import directory, grants, mailboxes
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Forbidden, Invalid, ServiceError
from addin_server.services.identity import same_mailbox

log = logging.getLogger(__name__)


class ConsentFailed(ServiceError):
    status = 502
    code = "consent_failed"


class ConsentByAnotherPerson(Forbidden):
    """The provider's consent came from another person than the rep whose mailbox it is for (403)."""

    code = "consent_by_another_person"


def check_consenting_person(granted: str | None, mailbox: str) -> None:
    """Refuse a grant made by anyone but the mailbox's own person, in words that say who is who."""
    who = (granted or "").strip()
    if not who or not same_mailbox(try_normalize(who) or who, try_normalize(mailbox) or mailbox):
        raise ConsentByAnotherPerson(f"You signed in as {who or 'someone the provider did not name'} but this is "
                                     f"{mailbox}'s mailbox; sign in as {mailbox}. Nothing was connected.")


def own_mailbox_address(ctx: ServiceContext, principal: Principal) -> str:
    """The signed-in rep's mailbox address: the only person whose consent may connect it."""
    if principal.user_id is None:
        raise Invalid("only a rep can connect their own mailbox")
    return str(directory.get_user(ctx, principal, str(principal.user_id))["mailbox_address"])


def _own_gmail_mailbox(ctx: ServiceContext, principal: Principal) -> dict[str, Any]:
    if principal.user_id is None:
        raise Invalid("only a rep can connect their own mailbox")
    rep = directory.get_user(ctx, principal, str(principal.user_id))
    if rep["mailbox_provider"] != MailboxProvider.GMAIL.value:
        raise Conflict("this rep's mailbox is an Outlook mailbox; reconnect it through Microsoft")
    return rep


def gmail_consent_url(ctx: ServiceContext, principal: Principal, *, redirect_uri: str, state: str) -> str:
    """Where to send the signed-in rep to grant Gmail access again (their own mailbox only)."""
    settings = ctx.settings
    if not settings.google_oauth_client_id or not settings.google_oauth_client_secret:
        raise Conflict("Gmail access cannot be granted here: GOOGLE_OAUTH_CLIENT_ID and "
                       "GOOGLE_OAUTH_CLIENT_SECRET are not configured", code="not_configured")
    rep = _own_gmail_mailbox(ctx, principal)
    query = {
        "client_id": settings.google_oauth_client_id, "redirect_uri": redirect_uri, "response_type": "code",
        # The mailbox and the calendar (meetings with enrolled contacts, bookings) in one consent.
        "scope": " ".join((*SCOPES, *CALENDAR_SCOPES)), "access_type": "offline", "prompt": "consent",
        "include_granted_scopes": "true", "login_hint": rep["mailbox_address"], "state": state,
    }
    return f"{settings.google_auth_uri}?{urlencode(query)}"


def _exchange_code(settings: Settings, code: str, redirect_uri: str) -> str:
    try:
        return exchange_code_for_refresh_token(settings, code, redirect_uri)
    except GoogleUnreachable:
        raise ConsentFailed("Google could not be reached to finish connecting the mailbox; try again") from None
    except OfflineAccessRefused:
        raise ConsentFailed("Google did not grant offline access to the mailbox; try again") from None


def finish_gmail_consent(ctx: ServiceContext, principal: Principal, *, code: str, redirect_uri: str) -> dict[str, Any]:
    """Exchange Google's code for a refresh token and connect the rep's own Gmail mailbox with it."""
    if not code:
        raise Invalid("Google sent no authorization code")
    rep = _own_gmail_mailbox(ctx, principal)
    refresh_token = _exchange_code(ctx.settings, code, redirect_uri)
    try:
        # The grant is for whichever Google account the person signed in as: Gmail says which.
        granted = GmailMailbox(ctx.settings, refresh_token).profile_address()
    except GmailError as exc:
        log.warning("reading the consenting Gmail account failed: %s", exc)
        raise ConsentFailed("Gmail did not accept the new access; try again") from None
    check_consenting_person(granted, rep["mailbox_address"])
    try:
        return mailboxes.connect_gmail(ctx, principal, str(principal.user_id), refresh_token)
    except (grants.MailboxNotConnected, GmailError) as exc:
        log.warning("connecting a Gmail mailbox after consent failed: %s", exc)
        raise ConsentFailed("Gmail did not accept the new access; try again") from None


def connect_signed_in_outlook(ctx: ServiceContext, signed_in: Principal, linked: Principal) -> dict[str, Any]:
    """After the rep signed in with Microsoft (which linked their object and tenant ids), follow
    their mailbox with the tenant's app-only consent. The two principals must be the same rep."""
    if linked.user_id is None or linked.user_id != signed_in.user_id:
        raise Forbidden("the Microsoft account you signed in with is not your own rep's")
    with ctx.session() as s:
        user = s.get_one(t.User, linked.user_id)
        tenant, oid = user.ms_tid, user.ms_oid
    if not tenant:
        raise Forbidden("Microsoft did not name your organisation")
    try:
        return mailboxes.connect_outlook(ctx, signed_in, str(linked.user_id), tenant_id=tenant, graph_user_id=oid)
    except GraphError:
        raise Forbidden("Microsoft refused access to the mailbox: your Microsoft 365 admin must grant Sequence "
                        "Sidebar access for the organisation (admin consent) first.", code="consent_required") from None
