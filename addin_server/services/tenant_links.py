"""Linking a Microsoft 365 organisation (or a Google Workspace domain) to an account on its own proof.

A linked tenant signs its people in to the account, so naming a tenant id proves nothing (anyone can
read one). An account's super admin (in Settings) or the operator for them (`accounts link-tenant`)
makes a link: a signed, single-use, expiring token naming a request row (the account, the super
admin, the tenant meant). Whoever opens it signs in with Microsoft (the authorization code flow,
through msal); the link binds the tenant only when the verified ID token's `tid` is the tenant meant
and its `wids` hold a role that can grant tenant-wide consent (domain/tenant_admin.py). The request is
used up by its first answer, whatever it is. What proved the link is stored on the tenant's row.

Microsoft's admin consent endpoint is not the proof: its redirect (`tenant`, `admin_consent=True`)
is not signed, so anyone holding a link could type another organisation's id into it.

A Google Workspace domain binds the same way: the link's Google consent (openid, email, and the
Directory API's read scope) must come back with a verified ID token whose `hd` is the domain meant,
and the Directory API must say that this person (by their Google id) is a super administrator.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from addin_server.auth.errors import AuthError
from addin_server.auth.google_consent import GoogleUnreachable, OfflineAccessRefused, exchange_code_for_tokens
from addin_server.auth.google_tokens import verify_user_id_token
from addin_server.db import tables as t
from addin_server.domain.model import Role
from addin_server.domain.permissions import Action
from addin_server.domain.tenant_admin import TENANT_ADMIN_ROLES, tenant_admin_role
from addin_server.providers.google_directory import DIRECTORY_READ_SCOPE, DirectoryUnreachable, is_workspace_super_admin
from addin_server.services.accounts import workspace_domain
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from addin_server.services.identity import GOOGLE, MICROSOFT, company_domain_accounts, link_tenant, tenant_owner
from addin_server.services.permissions import authorize

LINK_PATH = "/app/organisation/link"
LINK_LIFETIME = timedelta(hours=24)  # long enough to hand to the organisation's administrator
_SALT = "tenant-link"
_TENANT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ADMIN_ROLE_NAMES = " or ".join(TENANT_ADMIN_ROLES.values())


class LinkRefused(Forbidden):
    """A link that is forged, expired or used, or an answer that proves nothing (403)."""

    code = "tenant_link_refused"


class ConsentFailed(ServiceError):
    status = 502
    code = "consent_failed"


@dataclass(frozen=True)
class OpenLink:
    token: str
    tenant_id: str | None
    account_name: str
    provider: str = MICROSOFT


def _serializer(ctx: ServiceContext) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(ctx.settings.secret_key, salt=_SALT)


def ms_tenant_id(text: str) -> str:
    tid = text.strip().lower()
    if not _TENANT_ID.fullmatch(tid):
        raise Invalid(f"ms tenant id must be a GUID: {text[:40]!r}")
    return tid


_WHAT = {MICROSOFT: "Microsoft 365 organisation", GOOGLE: "Google Workspace domain"}


def _start(ctx: ServiceContext, account_id: int, starter_id: int, tenant: str | None,
           provider: str = MICROSOFT) -> dict[str, Any]:
    now = ctx.now()
    with ctx.session() as s:
        if tenant is not None:
            owner = tenant_owner(s, tenant, provider)
            if owner == account_id:
                raise Conflict(f"this {_WHAT[provider]} is already linked to this account",
                               code="tenant_already_linked")
            if owner is not None:
                raise Conflict(f"this {_WHAT[provider]} belongs to another Sequence Sidebar account",
                               code="tenant_taken")
            if provider == GOOGLE and company_domain_accounts(s, tenant, proven_only=True) - {account_id}:
                raise Conflict(f"people at {tenant} belong to another Sequence Sidebar account; its domain cannot "
                               "be linked to this one", code="tenant_taken")
        nonce = secrets.token_urlsafe(24)
        s.add(t.TenantLinkRequest(nonce=nonce, account_id=account_id, started_by_user_id=starter_id,
                                  provider=provider, tenant_id=tenant, created_at=now, expires_at=now + LINK_LIFETIME))
    token = _serializer(ctx).dumps({"n": nonce})
    return {"url": f"{ctx.settings.public_endpoint(LINK_PATH)}?{urlencode({'t': token})}", "provider": provider,
            "tenant_id": tenant, "expires_at": (now + LINK_LIFETIME).isoformat()}


def _wanted(ms_tenant: str | None, google_domain: str | None) -> tuple[str | None, str]:
    """The tenant (or domain) a link is for, and its provider; a Google link must name its domain."""
    ms = ms_tenant.strip() if ms_tenant else ""
    google = google_domain.strip() if google_domain else ""
    if ms and google:
        raise Invalid("give either a Microsoft 365 tenant id or a Google Workspace domain, not both")
    if google:
        return workspace_domain(google), GOOGLE
    return (ms_tenant_id(ms) if ms else None), MICROSOFT


def start_link(ctx: ServiceContext, principal: Principal, *, ms_tenant: str | None = None,
               google_domain: str | None = None) -> dict[str, Any]:
    """A super admin asks for their organisation's link (the table's `link_tenant`)."""
    authorize(principal, Action.LINK_TENANT)
    if principal.user_id is None:  # unreachable: only people hold the action
        raise Forbidden("only a person can ask for an organisation's link")
    tenant, provider = _wanted(ms_tenant, google_domain)
    return _start(ctx, principal.account_id, principal.user_id, tenant, provider)


def operator_start_link(ctx: ServiceContext, account_id: int, *, ms_tenant: str | None = None,
                        google_domain: str | None = None, super_admin_email: str | None = None) -> dict[str, Any]:
    """The operator makes the link for an account (`accounts link-tenant`), in the name of one of its
    super admins (the first, unless named): the tenant still binds only on its admin's sign-in."""
    if not (ms_tenant or "").strip() and not (google_domain or "").strip():
        raise Invalid("give a Microsoft 365 tenant id or a Google Workspace domain")
    tenant, provider = _wanted(ms_tenant, google_domain)
    with ctx.session() as s:
        if s.get(t.Account, account_id) is None:
            raise NotFound(f"account {account_id} not found")
        query = select(t.User).where(t.User.account_id == account_id, t.User.role == Role.SUPER_ADMIN.value)
        if super_admin_email:
            query = query.where(t.User.email == super_admin_email.strip().lower())
        starter = s.scalar(query.order_by(t.User.id).limit(1))
        if starter is None:
            raise NotFound("no such super admin in this account")
        starter_id = starter.id
    return _start(ctx, account_id, starter_id, tenant, provider)


def _request(ctx: ServiceContext, token: str) -> t.TenantLinkRequest:
    """The request a link names, if it verifies, is unexpired and unused (read only)."""
    try:
        data = _serializer(ctx).loads(token, max_age=int(LINK_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise LinkRefused("this link has expired; ask your Sequence Sidebar super admin for a new one") from None
    except BadSignature:
        raise LinkRefused("this link is not one Sequence Sidebar made") from None
    nonce = data.get("n") if isinstance(data, dict) else None
    with ctx.session() as s:
        row = s.scalar(select(t.TenantLinkRequest).where(t.TenantLinkRequest.nonce == nonce)) \
            if isinstance(nonce, str) else None
        if row is None:
            raise LinkRefused("this link is not one Sequence Sidebar made")
        s.expunge(row)
    if row.used_at is not None:
        raise LinkRefused("this link was already used; ask your Sequence Sidebar super admin for a new one")
    if row.expires_at <= ctx.now():
        raise LinkRefused("this link has expired; ask your Sequence Sidebar super admin for a new one")
    return row


def open_link(ctx: ServiceContext, token: str) -> OpenLink:
    """What a valid link asks for (nothing is used up yet)."""
    row = _request(ctx, token)
    with ctx.session() as s:
        name = s.get_one(t.Account, row.account_id).name
    return OpenLink(token=token, tenant_id=row.tenant_id, account_name=name, provider=row.provider)


def _use_up(ctx: ServiceContext, row: t.TenantLinkRequest, now: datetime) -> None:
    with ctx.session() as s:
        used = s.execute(update(t.TenantLinkRequest).where(
            t.TenantLinkRequest.id == row.id, t.TenantLinkRequest.used_at.is_(None)).values(used_at=now))
        if getattr(used, "rowcount", 0) != 1:  # another answer used it a moment ago
            raise LinkRefused("this link was already used; ask your Sequence Sidebar super admin for a new one")


def finish_microsoft_link(ctx: ServiceContext, token: str, claims: dict[str, Any]) -> dict[str, str]:
    """Bind the tenant of a verified Microsoft ID token (msal's `id_token_claims`) to the link's
    account when its signer is the tenant's admin; the link is used up whatever the answer."""
    row = _request(ctx, token)
    if row.provider != MICROSOFT:
        raise LinkRefused("this link is for a Google Workspace domain; sign in with Google")
    now = ctx.now()
    _use_up(ctx, row, now)
    tid, oid, username = claims.get("tid"), claims.get("oid"), claims.get("preferred_username")
    if not isinstance(tid, str) or not isinstance(oid, str) or not tid or not oid:
        raise LinkRefused("Microsoft's answer does not name a work account; nothing was linked")
    who = username if isinstance(username, str) and username else f"object {oid}"
    if row.tenant_id is not None and tid.lower() != row.tenant_id:
        raise LinkRefused(f"You signed in as {who} of organisation {tid}, but this link is for organisation "
                          f"{row.tenant_id}; open a new link and sign in as a {ADMIN_ROLE_NAMES} of it. "
                          "Nothing was linked.")
    role = tenant_admin_role(claims.get("wids"))
    if role is None:
        raise LinkRefused(f"You signed in as {who}, who is not a {ADMIN_ROLE_NAMES} of the organisation; only "
                          "one of them can link it. Open a new link and sign in as one. Nothing was linked.")
    with ctx.session() as s:
        starter = _starter(s, row)
        link_tenant(s, row.account_id, tid.lower(), "tenant_admin_sign_in", now, MICROSOFT,
                    proven_by=f"{role}: {who} (oid {oid})", started_by_user_id=starter.id)
        name = s.get_one(t.Account, row.account_id).name
    return {"tenant_id": tid.lower(), "account": name, "proven_by": who, "role": role}


def _starter(s: Any, row: t.TenantLinkRequest) -> t.User:
    starter = s.get(t.User, row.started_by_user_id)
    if starter is None or starter.account_id != row.account_id or starter.role != Role.SUPER_ADMIN.value:
        raise LinkRefused("the super admin who asked for this link no longer is one; nothing was linked")
    return starter


def google_consent_url(ctx: ServiceContext, token: str, *, redirect_uri: str, state: str,
                       login_hint: str | None) -> str:
    """Where the Workspace's super admin signs in for a Google link (nothing is used up yet)."""
    row = _request(ctx, token)
    if row.provider != GOOGLE or row.tenant_id is None:
        raise LinkRefused("this link is for a Microsoft 365 organisation; sign in with Microsoft")
    settings = ctx.settings
    if not settings.google_oauth_client_id or not settings.google_oauth_client_secret:
        raise Conflict("signing in with Google is not configured here (GOOGLE_OAUTH_CLIENT_ID, "
                       "GOOGLE_OAUTH_CLIENT_SECRET)", code="not_configured")
    query = {"client_id": settings.google_oauth_client_id, "redirect_uri": redirect_uri, "response_type": "code",
             "scope": f"openid email {DIRECTORY_READ_SCOPE}", "state": state, "hd": row.tenant_id,
             "prompt": "consent", **({"login_hint": login_hint} if login_hint else {})}
    return f"{settings.google_auth_uri}?{urlencode(query)}"


def finish_google_link(ctx: ServiceContext, token: str, *, code: str, redirect_uri: str) -> dict[str, str]:
    """Bind the link's Workspace domain when Google's verified ID token is of that domain (`hd`) and
    the Directory API says its person is a super administrator; the link is used up whatever the answer."""
    row = _request(ctx, token)
    if row.provider != GOOGLE or row.tenant_id is None:
        raise LinkRefused("this link is for a Microsoft 365 organisation; sign in with Microsoft")
    now = ctx.now()
    _use_up(ctx, row, now)
    domain = row.tenant_id
    try:
        tokens = exchange_code_for_tokens(ctx.settings, code, redirect_uri) if code else {}
    except GoogleUnreachable:
        raise ConsentFailed("Google could not be reached; ask for a new link and try again") from None
    except OfflineAccessRefused:
        tokens = {}
    try:
        person = verify_user_id_token(tokens.get("id_token"), ctx.settings)
    except AuthError:
        raise LinkRefused("Google did not say who signed in; nothing was linked") from None
    if person.hd != domain:
        where = f"of Workspace domain {person.hd}" if person.hd else "with a Google account outside any Workspace"
        raise LinkRefused(f"You signed in as {person.email} {where}, but this link is for {domain}; open a new link "
                          f"and sign in as a super administrator of {domain}. Nothing was linked.")
    try:
        admin = is_workspace_super_admin(ctx.settings, str(tokens.get("access_token", "")), person.sub)
    except DirectoryUnreachable:
        raise ConsentFailed("Google's Directory API could not be reached; ask for a new link and try again") from None
    if not admin:
        raise LinkRefused(f"You signed in as {person.email}, who is not a super administrator of {domain}; only one "
                          "can link it. Open a new link and sign in as one. Nothing was linked.")
    with ctx.session() as s:
        starter = _starter(s, row)
        link_tenant(s, row.account_id, domain, "workspace_super_admin_sign_in", now, GOOGLE,
                    proven_by=f"Google Workspace super administrator: {person.email} (sub {person.sub})",
                    started_by_user_id=starter.id)
        name = s.get_one(t.Account, row.account_id).name
    return {"tenant_id": domain, "account": name, "proven_by": person.email, "role": "super administrator"}


def tenant_links(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    """The account's linked organisations and what proved each (Settings shows them)."""
    authorize(principal, Action.READ)
    with ctx.session() as s:
        rows = s.scalars(select(t.AccountTenant).where(t.AccountTenant.account_id == principal.account_id)
                         .order_by(t.AccountTenant.id))
        return [{"tenant_id": r.tenant_id, "provider": r.provider, "linked_by": r.linked_by,
                 "proven_by": r.proven_by, "linked_at": r.linked_at} for r in rows]
