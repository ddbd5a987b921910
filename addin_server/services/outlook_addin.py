"""Use cases of the Outlook add-in that the shared services do not cover: who the pane is signed in as.

The pane authenticates with Microsoft's SSO token where the client supports it. Where it does not,
the rep signs in through the Office dialog and the pane then carries a short-lived pane token that
names the rep by id; these functions turn either into a Principal.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from addin_server.auth.microsoft_sign_in import (
    AnswerMismatch,
    MicrosoftUnreachable,
    redeem_auth_code,
    start_auth_code_flow,
)
from addin_server.config import Settings
from addin_server.db import tables as t
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, ServiceError, Unauthorized
from addin_server.services.identity import (
    HOW_TO_LINK,
    claimant,
    is_known_tenant,
    principal_for_microsoft_user,
    principal_for_user,
)
from addin_server.services.mailbox_consent import check_consenting_person

log = logging.getLogger(__name__)


def access_generation(ctx: ServiceContext, user_id: int) -> int:
    """The generation a pane token issued now carries (t.User.access_generation); a person removed
    since their sign-in gets none."""
    with ctx.session() as s:
        user = s.get(t.User, user_id)
        if user is None:
            raise Unauthorized("this sign-in no longer names a rep; sign in again")
        principal_for_user(user)  # refuses a removed person
        return user.access_generation


def principal_for_rep_id(ctx: ServiceContext, user_id: int, generation: int) -> Principal | None:
    """The rep a pane token names, or None if that rep no longer exists or was removed since the
    token was issued (even when invited again since: only a new sign-in proves them again)."""
    with ctx.session() as s:
        user = s.get(t.User, user_id)
        if user is not None and user.access_generation != generation:
            raise Unauthorized("this person was removed from the account after this sign-in; sign in again")
        return principal_for_user(user) if user is not None else None


def tenant_is_served(ctx: ServiceContext, tid: str, username: str | None) -> bool:
    """Whether a Microsoft tenant is one of ours: it is linked to an account, or the signing-in
    address names the super admin of an account that has no tenant yet (whose sign-in links it;
    identity.claimant, the same rule identity.principal_for_microsoft_user applies)."""
    if is_known_tenant(ctx, tid):
        return True
    with ctx.session() as s:
        return claimant(s, username or "", tid=tid) is not None


def outlook_reps(ctx: ServiceContext, account_id: int | None) -> list[dict[str, Any]]:
    """Reps of one account whose mailbox is in Outlook (the demo's sign-in and preview choices: the
    seeded account's only, so a demo instance hands out no pane token for anyone else)."""
    if account_id is None:
        return []
    with ctx.session() as s:
        users = s.scalars(select(t.User).where(t.User.mailbox_provider == "outlook", t.User.account_id == account_id,
                                             t.User.removed_at.is_(None))
                          .order_by(t.User.id)).all()
        return [{"id": str(u.id), "name": u.name, "email": u.email} for u in users]


def rep_by_id(ctx: ServiceContext, user_id: int) -> dict[str, Any] | None:
    """A rep's name and address for the pane's header, or None."""
    with ctx.session() as s:
        user = s.get(t.User, user_id)
        if user is None:
            return None
        return {"id": str(user.id), "name": user.name, "email": user.email}


# --- sign-in through the Office dialog when SSO is unavailable --------------------------------

SIGN_IN_SCOPES = ["User.Read"]


class MicrosoftUnavailable(ServiceError):
    status = 502
    code = "microsoft_unavailable"


class SignInRefused(Exception):
    """The Microsoft sign-in in the dialog did not end with a rep; the message is for the rep."""


def microsoft_sign_in_configured(settings: Settings) -> bool:
    """Whether the dialog can send the rep to Microsoft (a confidential client is registered)."""
    return bool(settings.ms_client_id and settings.ms_client_secret and settings.ms_authority)


def start_microsoft_sign_in(ctx: ServiceContext, *, redirect_uri: str, login_hint: str | None) -> dict[str, Any]:
    """Begin Microsoft's authorization code flow; the flow (state, nonce, PKCE) to keep until the callback.

    Conflict when no confidential client is configured; MicrosoftUnavailable when msal cannot read
    the authority's metadata (Microsoft unreachable): a clear answer instead of a server error.
    """
    if not microsoft_sign_in_configured(ctx.settings):
        raise Conflict("signing in with Microsoft is not configured here (MS_CLIENT_ID, MS_CLIENT_SECRET)",
                       code="not_configured")
    try:
        flow = start_auth_code_flow(ctx.settings, SIGN_IN_SCOPES, redirect_uri=redirect_uri, login_hint=login_hint)
    except MicrosoftUnreachable as exc:
        log.warning("Microsoft sign-in could not start: %s", exc)
        raise MicrosoftUnavailable("Microsoft's sign-in cannot be reached right now; try again shortly") from None
    return flow


def finish_microsoft_sign_in(ctx: ServiceContext, flow: dict[str, Any], answer: dict[str, str], *,
                             mailbox: str | None = None) -> Principal:
    """Redeem the code Microsoft sent back and name the rep, or SignInRefused. With `mailbox` (a rep
    connecting their mailbox), a sign-in as anyone else is refused before it binds or links anything
    (ConsentByAnotherPerson, 403)."""
    try:
        result = redeem_auth_code(ctx.settings, flow, answer)
    except AnswerMismatch as exc:
        raise SignInRefused("The sign-in answer does not match this sign-in. Start again.") from exc
    if "error" in result:
        log.info("Microsoft sign-in refused: %s", result.get("error"))
        raise SignInRefused("Microsoft did not complete the sign-in. Start again.")
    claims = result.get("id_token_claims") or {}
    oid, tid = claims.get("oid"), claims.get("tid")
    username = claims.get("preferred_username")
    if not isinstance(oid, str) or not isinstance(tid, str) or not oid or not tid:
        raise SignInRefused("Microsoft's answer does not name a work account.")
    if mailbox is not None:
        check_consenting_person(username if isinstance(username, str) else None, mailbox)
    if not tenant_is_served(ctx, tid, username if isinstance(username, str) else None):
        raise SignInRefused("This Microsoft 365 organisation is not linked to a Sequence Sidebar account yet: "
                            "a Global Administrator of it signs in through the link your super admin makes in "
                            "Settings.")
    wids = claims.get("wids")
    roles = [w for w in wids if isinstance(w, str)] if isinstance(wids, list) else []
    principal = principal_for_microsoft_user(ctx, oid=oid, tid=tid, username=username or "", wids=roles)
    if (principal is None or principal.user_id is None) and not is_known_tenant(ctx, tid):
        # The account's super admin, signing in without a Global Administrator role: says what links it.
        raise SignInRefused("This Microsoft 365 organisation is not linked to a Sequence Sidebar account yet: "
                            f"{HOW_TO_LINK}.")
    if principal is None or principal.user_id is None:
        raise SignInRefused("Your Microsoft 365 account is not a rep of any Sequence Sidebar account.")
    return principal
