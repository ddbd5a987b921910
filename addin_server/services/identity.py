"""Who a signed-in person is in the product: a Google or Microsoft identity mapped to a rep."""

from __future__ import annotations

from sqlalchemy import or_, select

from addin_server.db import tables as t
from addin_server.domain.addresses import try_normalize
from addin_server.domain.model import Role
from addin_server.services.context import Principal, ServiceContext


def principal_for_user(user: t.User) -> Principal:
    return Principal(account_id=user.account_id, label=f"user:{user.email}", user_id=user.id,
                     is_admin=user.role == Role.SUPER_ADMIN.value)


def _by_address(ctx: ServiceContext, email: str) -> list[t.User]:
    norm = try_normalize(email)
    if norm is None:
        return []
    with ctx.session() as s:
        alias_owner = select(t.UserAlias.user_id).where(t.UserAlias.address == norm)
        return list(s.scalars(select(t.User).where(
            or_(t.User.email == norm, t.User.mailbox_address == norm, t.User.id.in_(alias_owner)))
            .order_by(t.User.id)))


def principal_for_google_user(ctx: ServiceContext, *, sub: str, email: str) -> Principal | None:
    """The rep behind a verified Google identity, or None when this person has no account here.

    The first sign-in links the Google subject to the rep found by address; later sign-ins use the
    subject, so an address change at Google does not lose the link.
    """
    with ctx.session() as s:
        user = s.scalar(select(t.User).where(t.User.google_sub == sub))
        if user is not None:
            return principal_for_user(user)
    candidates = _by_address(ctx, email)
    if len(candidates) != 1:
        return None  # unknown, or ambiguous across accounts: refuse rather than guess
    with ctx.session() as s:
        user = s.get_one(t.User, candidates[0].id)
        if user.google_sub is None:
            user.google_sub = sub
        return principal_for_user(user)


def principal_for_microsoft_user(ctx: ServiceContext, *, oid: str, tid: str, username: str) -> Principal | None:
    """The rep behind a verified Microsoft identity (object id within a tenant), or None."""
    with ctx.session() as s:
        user = s.scalar(select(t.User).where(t.User.ms_oid == oid, t.User.ms_tid == tid))
        if user is not None:
            return principal_for_user(user)
    candidates = [u for u in _by_address(ctx, username) if u.ms_tid in (None, tid)]
    if len(candidates) != 1:
        return None
    with ctx.session() as s:
        user = s.get_one(t.User, candidates[0].id)
        if user.ms_oid is None:
            user.ms_oid, user.ms_tid = oid, tid
        return principal_for_user(user)


def is_known_tenant(ctx: ServiceContext, tid: str) -> bool:
    """A Microsoft tenant is known once one of its users is linked, or the address maps a rep."""
    with ctx.session() as s:
        return s.scalar(select(t.User.id).where(t.User.ms_tid == tid).limit(1)) is not None
