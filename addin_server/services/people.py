"""The account's people and keys, as admins manage them: listing, removing a person, listing and
revoking API keys.

Removing a person never deletes history: the user row stays (marked removed, still named on past
enrollments and events). At once, server-side: their web sessions end, their Google and Microsoft
identities and address bindings are let go (so nothing of them signs in, and the addresses can be
invited again), the keys they made are revoked, their mailbox grant is dropped and the watch or subscription
that followed their mailbox is deleted (a notification for it matches nobody; the provider's side
lapses at its expiry since nothing renews it). Their open enrollments that send from their mailbox
end with reason `user_removed`, actor the remover, evidence naming the person; those they only
enrolled or whose sequence they own keep running from their sender's mailbox.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addin_server.auth.api_keys import hash_api_key
from addin_server.db import tables as t
from addin_server.domain.model import EndOfEnrollment, Role, Surface, UnenrollReason
from addin_server.domain.permissions import (
    API_KEY_ROLE_RANK,
    ROLE_RANK,
    Action,
    RemovalRefusal,
    may_grant,
    removal_refusal,
)
from addin_server.services import accounts
from addin_server.services.accounts import REVOKED_BY_ADMIN, revoke_keys_made_by
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import mailbox_connected, owned
from addin_server.services.enrollment_records import OPEN, end_enrollment
from addin_server.services.errors import Conflict, Forbidden, Invalid
from addin_server.services.permissions import authorize, own, role_rank
from addin_server.services.row_locks import still_acting, take_turns
from addin_server.services.web_sessions import end_all_for_user


def person_view(user: t.User) -> dict[str, Any]:
    return {"id": str(user.id), "email": user.email, "name": user.name, "role": user.role,
            "mailbox_provider": user.mailbox_provider, "mailbox_address": user.mailbox_address,
            "mailbox_connected": mailbox_connected(user) and user.removed_at is None,
            "removed": user.removed_at is not None,
            "removed_at": user.removed_at.isoformat() if user.removed_at else None}


def list_users(ctx: ServiceContext, principal: Principal, *, include_removed: bool = False) -> list[dict[str, Any]]:
    """The account's people, present ones first by id; removed ones only when asked (their history)."""
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        q = select(t.User).where(t.User.account_id == principal.account_id)
        if not include_removed:
            q = q.where(t.User.removed_at.is_(None))
        return [person_view(u) for u in s.scalars(q.order_by(t.User.removed_at.is_not(None), t.User.id))]


def _signed_in_super_admins(s: Session, account_id: int, besides: int) -> int:
    """Present super admins other than `besides` who proved their address (an invitation may never be claimed)."""
    return s.scalar(select(func.count()).select_from(t.User).where(
        t.User.account_id == account_id, t.User.role == Role.SUPER_ADMIN.value, t.User.id != besides,
        t.User.removed_at.is_(None), t.User.id.in_(select(t.AddressBinding.user_id)))) or 0


_REFUSED = {
    RemovalRefusal.SELF: "you cannot remove yourself; another admin can",
    RemovalRefusal.LAST_SUPER_ADMIN: "this is the account's last super admin who has signed in; make another one "
                                     "and let them sign in first",
}


def remove_user(ctx: ServiceContext, principal: Principal, user_id: str, *,
                surface: Surface = Surface.API) -> dict[str, Any]:
    """Remove a person (the rule is the module's). Removing a removed person answers the same outcome."""
    authorize(principal, Action.REMOVE_USER)
    now = ctx.now()
    with ctx.session() as s:
        user = owned(s, t.User, user_id, principal, "user")
        take_turns(s, principal.account_id, user.id)
        s.refresh(user)
        still_acting(s, principal)
        if user.removed_at is not None:
            return {**person_view(user), "ended_enrollments": []}
        refused = removal_refusal(
            own_rank=role_rank(principal), target_rank=ROLE_RANK.get(user.role, 0),
            # A key its maker made is them removing themselves as much as their own sign-in is.
            is_self=user.id in ((principal.user_id,) if principal.kind == "user" else (principal.made_by_user_id,)),
            others_super_admins=_signed_in_super_admins(s, principal.account_id, user.id))
        if refused is RemovalRefusal.ROLE_ABOVE_OWN:
            who = "no API key" if principal.kind == "api_key" else "only a super admin"
            raise Forbidden(f"{who} can remove a {user.role}" + ("" if principal.kind == "api_key" else
                                                                    f"; yours is {principal.role}"),
                            code=refused.value)
        if refused is not None:
            raise Conflict(_REFUSED[refused], code=refused.value)
        open_ids = list(s.scalars(select(t.Enrollment.id).where(
            t.Enrollment.account_id == principal.account_id, t.Enrollment.sender_user_id == user.id,
            t.Enrollment.status.in_(OPEN)).order_by(t.Enrollment.id)))
        evidence = {"rule": "the rep whose mailbox sends this sequence was removed from the account",
                    "removed_user": user.email, "removed_user_id": str(user.id)}
        ended = [eid for eid in open_ids if end_enrollment(
            s, eid, EndOfEnrollment(UnenrollReason.USER_REMOVED, surface, principal.actor, evidence), now)]
        _let_go(s, user, now)
        user.removed_at, user.removed_by = now, principal.actor
        s.flush()
        return {**person_view(user), "ended_enrollments": [str(i) for i in ended]}


def _let_go(s: Session, user: t.User, now: Any) -> None:
    """Everything that lets the person act or be acted for stops for good, even if the address is
    invited again (a new sign-in is needed then); their history stays."""
    end_all_for_user(s, user.id)
    user.access_generation = (user.access_generation or 0) + 1  # their pane tokens (outlook_auth.py)
    # Revoked, not only refused while they are away: visible in the list, and never back with a re-invitation.
    revoke_keys_made_by(s, user.id, now)
    s.execute(delete(t.AddressBinding).where(t.AddressBinding.user_id == user.id))
    s.execute(delete(t.UserAlias).where(t.UserAlias.user_id == user.id))
    s.execute(delete(t.MailboxWatch).where(t.MailboxWatch.user_id == user.id))
    s.execute(delete(t.CalendarWatch).where(t.CalendarWatch.user_id == user.id))
    user.google_sub = user.ms_oid = user.ms_tid = None
    user.refresh_token_encrypted = None
    user.mailbox_connected = False


def removal_preview(ctx: ServiceContext, principal: Principal, user_id: str) -> dict[str, Any]:
    """What removing this person would do, for the confirmation: the person and how many open
    enrollments send from their mailbox. Asked only by those who may remove people."""
    authorize(principal, Action.REMOVE_USER)
    with ctx.session() as s:
        user = owned(s, t.User, user_id, principal, "user")
        sending = s.scalar(select(func.count()).select_from(t.Enrollment).where(
            t.Enrollment.account_id == principal.account_id, t.Enrollment.sender_user_id == user.id,
            t.Enrollment.status.in_(OPEN))) or 0
        return {**person_view(user), "open_sending": sending}


def key_view(key: t.ApiKey, made_by: str | None) -> dict[str, Any]:
    return {"id": str(key.id), "prefix": key.prefix, "name": key.name, "role": key.role,
            "made_by": made_by or "operator", "created_at": key.created_at.isoformat(),
            "last_used_at": None,  # not recorded: keys are checked on every request, never written then
            "revoked": key.revoked_at is not None,
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
            "revoked_reason": (key.revoked_reason or "revoked") if key.revoked_at else None}


def list_api_keys(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    """The account's keys, never the key itself (only its hash is stored)."""
    authorize(principal, Action.READ_API_KEYS)
    with ctx.session() as s:
        rows = s.execute(select(t.ApiKey, t.User.email).outerjoin(t.User, t.User.id == t.ApiKey.created_by_user_id)
                         .where(t.ApiKey.account_id == principal.account_id).order_by(t.ApiKey.id)).all()
        return [key_view(k, email) for k, email in rows]


def revoke_api_key(ctx: ServiceContext, principal: Principal, key_id: str) -> dict[str, Any]:
    """Revoke one key: refused (401) from its next request on, in every process. Revoking a revoked key
    answers the same outcome. Nobody revokes a key whose role is above their own."""
    authorize(principal, Action.REVOKE_API_KEY)
    with ctx.session() as s:
        key = owned(s, t.ApiKey, key_id, principal, "API key")
        if not may_grant(role_rank(principal), API_KEY_ROLE_RANK.get(key.role, max(API_KEY_ROLE_RANK.values()))):
            raise Forbidden(f"you may not revoke an API key with the role {key.role}: it is above your own",
                            code="role_above_own")
        if key.revoked_at is None:
            key.revoked_at, key.revoked_reason = ctx.now(), REVOKED_BY_ADMIN
        made_by = s.scalar(select(t.User.email).where(t.User.id == key.created_by_user_id)) \
            if key.created_by_user_id else None
        return key_view(key, made_by)


# Settings → API keys: the page that shows a new key is reached by a redirect, so a reload or Back
# cannot post the form again; the key waits for one reveal to its maker's session, encrypted with a
# fresh key that only that session holds (the reveal token): the row alone reveals nothing.
REVEAL_FOR = timedelta(minutes=10)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_api_key_once(ctx: ServiceContext, principal: Principal, *, name: str, role: str,
                      form_nonce: str) -> str | None:
    """Make a key from the web form whose one-time `form_nonce` it carries, and arm its one reveal: the
    reveal token (for this session only), or None when this form already made its key (posted again:
    nothing is made)."""
    authorize(principal, Action.MANAGE_API_KEYS)  # who may, before what the form says
    if not form_nonce or len(form_nonce) > 100:
        raise Invalid("this form is out of date; open Settings → API keys again", code="stale_form")
    with ctx.session() as s:
        # Reveals never taken are erased once their minutes are over (the ciphertext is kept no longer).
        s.execute(update(t.ApiKey)
                  .where(t.ApiKey.account_id == principal.account_id, t.ApiKey.reveal_until <= ctx.now())
                  .values(reveal_hash=None, reveal_encrypted=None, reveal_until=None)
                  .execution_options(synchronize_session=False))
    with ctx.session() as s:  # a re-post is told so before anything is made
        if s.scalar(select(t.ApiKey.id).where(t.ApiKey.form_nonce_hash == _digest(form_nonce))) is not None:
            return None
    made = accounts.issue_api_key(ctx, principal, name=name, role=role)
    token = Fernet.generate_key().decode()
    with ctx.session() as s:
        try:
            s.execute(update(t.ApiKey).where(t.ApiKey.key_hash == hash_api_key(made["api_key"])).values(
                form_nonce_hash=_digest(form_nonce), reveal_hash=_digest(token), reveal_until=ctx.now() + REVEAL_FOR,
                reveal_encrypted=Fernet(token).encrypt(made["api_key"].encode()).decode())
                .execution_options(synchronize_session=False))
        except IntegrityError:
            # The same form posted twice at one moment: the second key is withdrawn before anyone sees it.
            s.rollback()
            s.execute(delete(t.ApiKey).where(t.ApiKey.key_hash == hash_api_key(made["api_key"])))
            return None
    return token


def reveal_api_key(ctx: ServiceContext, principal: Principal, token: str) -> dict[str, Any] | None:
    """The new key for its one reveal (`token`), or None when unknown, used or expired; revealing
    erases it, so a reload shows nothing."""
    authorize(principal, Action.MANAGE_API_KEYS)
    if not token or len(token) > 100:
        return None
    with ctx.session() as s:
        key = s.scalar(select(t.ApiKey).where(
            t.ApiKey.account_id == principal.account_id, t.ApiKey.reveal_hash == _digest(token),
            t.ApiKey.reveal_until > ctx.now()))
        if key is None or key.reveal_encrypted is None:
            return None
        taken = s.execute(update(t.ApiKey).where(t.ApiKey.id == key.id, t.ApiKey.reveal_hash == _digest(token))
                          .values(reveal_hash=None, reveal_encrypted=None, reveal_until=None)
                          .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        if taken != 1:
            return None  # another tab revealed it at the same moment
        try:
            plain = Fernet(token).decrypt(key.reveal_encrypted.encode()).decode()
        except (InvalidToken, ValueError):
            return None
        return {"api_key": plain, "prefix": key.prefix, "name": key.name, "role": key.role}
