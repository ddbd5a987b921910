"""Read models and checked actions for the web app's pages (/app/...).

Pages show names and sentences, not ids and codes: each view here resolves reps' names, contacts'
names and each ending's reason in words (domain.wording), and says what the signed-in rep may do
with each row, so templates never decide permissions. Actions re-check on the server whatever the
page offered, so a forged form gets the same answer as the API: Forbidden or NotFound.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from addin_server.auth.api_keys import hash_api_key
from addin_server.db import tables as t
from addin_server.db.text import folded
from addin_server.domain.addresses import try_normalize
from addin_server.domain.meetings import MeetingSource
from addin_server.domain.model import AutomationScope, EnrollmentStatus, Role
from addin_server.domain.permissions import Action
from addin_server.domain.wording import STATUS_WORDS, actor_in_words, ending_in_words, evidence_in_words
from addin_server.services import accounts, mailboxes, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.demo import DEMO_API_KEY
from addin_server.services.directory import contact_name, contact_view, owned
from addin_server.services.enrolling import sender_not_ready
from addin_server.services.enrollment_reads import held_from_events
from addin_server.services.enrollment_records import OPEN, can_unenroll
from addin_server.services.errors import Forbidden, Invalid
from addin_server.services.identity import principal_for_user
from addin_server.services.meetings import booking_page_url
from addin_server.services.permissions import authorize, may, own
from addin_server.services.sequences import load_steps, merge_fields_view

STEP_TYPE_WORDS = {"automated_email": "Automated email", "manual_email": "Manual email", "call": "Call",
                   "task": "Task"}
EVENT_WORDS = {
    "enrolled": "Enrolled", "step_executed": "Step run", "email_sent": "Email sent", "replied": "Replied",
    "out_of_office": "Out-of-office reply (did not unenroll)", "meeting_booked": "Meeting booked",
    "bounced": "Bounced", "unsubscribed": "Unsubscribed", "paused": "Paused", "resumed": "Resumed",
    "unenrolled": "Unenrolled", "finished": "Finished the sequence",
}


@dataclass(frozen=True)
class SignedInRep:
    """The person behind a web session, read fresh on every request (role changes apply at once)."""

    principal: Principal
    user_id: int
    name: str
    email: str
    is_super_admin: bool
    account_name: str
    custom_triggers_beta: bool
    mailbox_notice: str | None = None  # the rep's own mailbox cannot send: how to connect it


def signed_in_rep(ctx: ServiceContext, user_id: int, account_id: int) -> SignedInRep | None:
    """The rep a session names, or None when that rep no longer exists in that account or was removed
    (a sign-in that finished while they were being removed leaves a session that signs in nobody)."""
    with ctx.session() as s:
        user = s.get(t.User, user_id)
        if user is None or user.account_id != account_id or user.removed_at is not None:
            return None
        account = s.get_one(t.Account, account_id)
        return SignedInRep(principal_for_user(user), user.id, user.name, user.email,
                           user.role == Role.SUPER_ADMIN.value, account.name, account.custom_triggers_beta,
                           sender_not_ready(ctx, s, user))


def _demo_account_id(s: Session) -> int | None:
    """The seeded demo account: the one holding the demo's published API key. Accounts made by hand
    (`accounts create`) in a demo instance are real ones: their reps never sign in with "demo"."""
    return s.scalar(select(t.ApiKey.account_id).where(t.ApiKey.key_hash == hash_api_key(DEMO_API_KEY),
                                                      t.ApiKey.revoked_at.is_(None)))


def demo_account_id(ctx: ServiceContext) -> int | None:
    """The seeded demo account's id, or None (no demo seeded)."""
    with ctx.session() as s:
        return _demo_account_id(s)


def demo_sign_in_choices(ctx: ServiceContext) -> list[dict[str, str]]:
    """Every rep of the seeded demo account, for the demo-only password sign-in."""
    with ctx.session() as s:
        rows = s.execute(select(t.User, t.Account.name).join(t.Account, t.Account.id == t.User.account_id)
                         .where(t.User.account_id == _demo_account_id(s), t.User.removed_at.is_(None))
                         .order_by(t.User.id)).all()
        return [{"email": u.email, "name": u.name, "role": u.role, "account": name} for u, name in rows]


def principal_for_demo_rep(ctx: ServiceContext, email: str) -> Principal | None:
    """The seeded demo account's rep with this sign-in address (demo mode only; the caller checks the
    mode and password)."""
    norm = try_normalize(email)
    if norm is None:
        return None
    with ctx.session() as s:
        users = list(s.scalars(select(t.User).where(t.User.email == norm, t.User.removed_at.is_(None),
                                                    t.User.account_id == _demo_account_id(s)).limit(2)))
        return principal_for_user(users[0]) if len(users) == 1 else None


# --- shared pieces ---------------------------------------------------------------------------


def _names_by_email(s: Session, account_id: int) -> dict[str, str]:
    return dict(s.execute(select(t.User.email, t.User.name).where(t.User.account_id == account_id)).all())


def _enrollment_row(e: t.Enrollment, seq: t.Sequence, users: dict[int, t.User], names: dict[str, str],
                    principal: Principal) -> dict[str, Any]:
    by, sender = users[e.enrolled_by_user_id], users[e.sender_user_id]
    ended = e.status not in OPEN
    ending = None
    if ended:
        actor_name = actor_in_words(e.end_actor, names)
        ending = ending_in_words(e.end_reason, e.end_evidence, surface=e.end_surface, actor_name=actor_name)
    return {
        "id": str(e.id),
        "sequence": {"id": str(seq.id), "name": seq.name},
        "status": e.status,
        "status_words": STATUS_WORDS.get(e.status, e.status),
        "is_open": not ended,
        "current_step": e.current_step,
        "steps_total": seq.steps_total,
        "enrolled_by": {"id": str(by.id), "name": by.name, "email": by.email},
        "sender": {"name": sender.name, "mailbox_address": sender.mailbox_address},
        "enrolled_at": e.enrolled_at,
        "next_step_at": e.next_step_at if e.status == EnrollmentStatus.ACTIVE.value else None,
        "paused_until": e.paused_until,
        "ended_at": e.ended_at,
        "ending": ending,
        "end_reason": e.end_reason,
        "evidence": evidence_in_words(e.end_evidence or {}, with_codes=False),
        "can_unenroll": can_unenroll(principal, e, sequence_owner_id=seq.owner_user_id),
    }


def _users(s: Session, ids: set[int]) -> dict[int, t.User]:
    return {u.id: u for u in s.scalars(select(t.User).where(t.User.id.in_(ids)))} if ids else {}


def may_edit_sequence(principal: Principal, seq: t.Sequence) -> bool:
    """Whether the permission table lets this principal change the sequence's settings."""
    return may(principal, Action.AUTOMATION, [seq.owner_user_id])


# --- contact record --------------------------------------------------------------------------


def _event_detail(data: dict[str, Any]) -> str:
    parts = []
    if data.get("step"):
        parts.append(f"step {data['step']}")
    if data.get("subject"):
        parts.append(f"'{data['subject']}'")
    if data.get("from"):
        parts.append(f"from {data['from']}")
    if data.get("until"):
        parts.append(f"until {str(data['until'])[:10]}")
    if data.get("missing_fields"):
        parts.append(f"held: the contact has no {', '.join(str(f).replace('_', ' ') for f in data['missing_fields'])}")
    return ", ".join(parts)


def contact_record(ctx: ServiceContext, principal: Principal, contact_id: str) -> dict[str, Any]:
    """A contact with company, addresses, the current enrollment and every past one, in words."""
    with ctx.session() as s:
        contact = owned(s, t.Contact, contact_id, principal, "contact")
        addresses = list(s.scalars(select(t.ContactAddress).where(t.ContactAddress.contact_id == contact.id)
                                   .order_by(t.ContactAddress.is_primary.desc(), t.ContactAddress.id)))
        company = s.get(t.Company, contact.company_id) if contact.company_id else None
        domains = list(s.scalars(select(t.CompanyDomain.domain).where(t.CompanyDomain.company_id == company.id))
                       ) if company else []
        rows = list(s.scalars(select(t.Enrollment).where(t.Enrollment.contact_id == contact.id)
                              .order_by(t.Enrollment.enrolled_at.desc(), t.Enrollment.id.desc())))
        seqs = {q.id: q for q in s.scalars(select(t.Sequence).where(
            t.Sequence.id.in_({e.sequence_id for e in rows})))} if rows else {}
        users = _users(s, {e.enrolled_by_user_id for e in rows} | {e.sender_user_id for e in rows})
        names = _names_by_email(s, principal.account_id)
        events: dict[int, list[dict[str, Any]]] = {}
        stored: dict[int, list[dict[str, Any]]] = {}  # as the API shows them, for held_from_events
        if rows:
            for ev in s.scalars(select(t.EnrollmentEvent).where(
                    t.EnrollmentEvent.enrollment_id.in_([e.id for e in rows])).order_by(t.EnrollmentEvent.id)):
                events.setdefault(ev.enrollment_id, []).append({
                    "type": ev.type, "words": EVENT_WORDS.get(ev.type, ev.type), "at": ev.at,
                    "detail": _event_detail(ev.data or {}), "by": actor_in_words(ev.actor, names)})
                stored.setdefault(ev.enrollment_id, []).append({**(ev.data or {}), "type": ev.type})
        history = []
        for e in rows:
            row = _enrollment_row(e, seqs[e.sequence_id], users, names, principal)
            row["events"] = events.get(e.id, [])
            # A step held for a missing merge field: what to add, and whether this rep may resume.
            row["held"] = held_from_events(e.status, stored.get(e.id, []))
            history.append(row)
        view = contact_view(contact, addresses, company)
        view["addresses"] = [{"address": a.address, "primary": a.is_primary, "bounced": a.bounced}
                             for a in addresses]
        view["company_domains"] = domains
        view["initials"] = "".join(p[0] for p in (contact.first_name, contact.last_name) if p).upper() or \
            contact.primary_email[:1].upper()
        view["current"] = next((h for h in history if h["is_open"]), None)
        view["history"] = history
        return view


# --- contact list ----------------------------------------------------------------------------

CONTACTS_PER_PAGE = 25
SEARCH_MAX_CHARS = 200


def clean_search(query: str | None) -> str:
    """A search box's text as we search it: control and format characters dropped (PostgreSQL refuses
    NUL in text), spaces collapsed, at most SEARCH_MAX_CHARS characters."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in (query or ""))
    return " ".join(kept.split())[:SEARCH_MAX_CHARS]


def _like(text: str) -> Any:
    """A LIKE pattern matching `text` anywhere in any case, its own % and _ taken literally. The
    pattern is folded by the database, like the columns it is compared with, so both sides agree."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return folded(literal(f"%{escaped}%"))


def contact_list(ctx: ServiceContext, principal: Principal, *, query: str = "", page: int = 1,
                 per_page: int = CONTACTS_PER_PAGE) -> dict[str, Any]:
    """The account's contacts by name, each with its current enrollment, searched by name, any of
    its addresses or its company's name (every word must match somewhere), a page at a time.
    A page past the last one shows the last one."""
    authorize(principal, Action.READ, own(principal))
    words = clean_search(query).split(" ") if clean_search(query) else []
    account = principal.account_id
    full_name = folded(t.Contact.first_name + literal(" ") + t.Contact.last_name)
    conditions = [t.Contact.account_id == account]
    for word in words:
        pattern = _like(word)
        conditions.append(or_(
            full_name.like(pattern, escape="\\"),
            exists().where(t.ContactAddress.contact_id == t.Contact.id,
                           folded(t.ContactAddress.address).like(pattern, escape="\\")).correlate(t.Contact),
            # Correlated to the contact only: the page's own query also joins companies.
            exists().where(t.Company.id == t.Contact.company_id,
                           folded(t.Company.name).like(pattern, escape="\\")).correlate(t.Contact),
        ))
    with ctx.session() as s:
        total = s.scalar(select(func.count()).select_from(t.Contact).where(*conditions)) or 0
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        # By last name; someone known only by a first name or an address sorts under that.
        sort_name = func.coalesce(func.nullif(t.Contact.last_name, ""), func.nullif(t.Contact.first_name, ""),
                                  t.Contact.primary_email)
        open_enrollment = and_(t.Enrollment.contact_id == t.Contact.id, t.Enrollment.status.in_(OPEN))
        rows = s.execute(
            select(t.Contact, t.Company.name, t.Enrollment, t.Sequence)
            .outerjoin(t.Company, t.Company.id == t.Contact.company_id)
            .outerjoin(t.Enrollment, open_enrollment)  # at most one: a unique partial index
            .outerjoin(t.Sequence, t.Sequence.id == t.Enrollment.sequence_id)
            .where(*conditions)
            .order_by(folded(sort_name), folded(t.Contact.first_name), t.Contact.primary_email, t.Contact.id)
            .limit(per_page).offset((page - 1) * per_page)).all()
        contacts = []
        for contact, company, e, seq in rows:
            current = None
            if e is not None:
                current = {"id": str(e.id), "sequence": {"id": str(seq.id), "name": seq.name},
                           "status": e.status, "status_words": STATUS_WORDS.get(e.status, e.status),
                           "current_step": e.current_step, "steps_total": seq.steps_total,
                           "next_step_at": e.next_step_at if e.status == EnrollmentStatus.ACTIVE.value else None,
                           "paused_until": e.paused_until}
            contacts.append({"id": str(contact.id), "name": contact_name(contact), "email": contact.primary_email,
                             "company": company, "unsubscribed": contact.unsubscribed, "bounced": contact.bounced,
                             "current": current})
        return {"query": " ".join(words), "contacts": contacts, "total": total, "page": page, "pages": pages,
                "per_page": per_page, "first": (page - 1) * per_page + 1 if total else 0,
                "last": (page - 1) * per_page + len(contacts)}


# --- sequences -------------------------------------------------------------------------------


def sequences_overview(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    """Every sequence of the account with its owner and how many enrollments are in each state."""
    with ctx.session() as s:
        seqs = list(s.scalars(select(t.Sequence).where(t.Sequence.account_id == principal.account_id)
                              .order_by(t.Sequence.id)))
        counts: dict[int, dict[str, int]] = {}
        for seq_id, status, n in s.execute(
                select(t.Enrollment.sequence_id, t.Enrollment.status, func.count())
                .where(t.Enrollment.account_id == principal.account_id)
                .group_by(t.Enrollment.sequence_id, t.Enrollment.status)):
            counts.setdefault(seq_id, {})[status] = n
        owners = _users(s, {q.owner_user_id for q in seqs})
        return [{
            "id": str(q.id), "name": q.name, "owner": owners[q.owner_user_id].name, "steps_total": q.steps_total,
            "active": counts.get(q.id, {}).get("active", 0), "paused": counts.get(q.id, {}).get("paused", 0),
            "finished": counts.get(q.id, {}).get("finished", 0),
            "unenrolled": counts.get(q.id, {}).get("unenrolled", 0),
            "copied_from_id": str(q.copied_from_id) if q.copied_from_id else None,
        } for q in seqs]


def sequence_summary(ctx: ServiceContext, principal: Principal, sequence_id: str) -> dict[str, Any]:
    """A sequence, its steps and automation, and every enrollment (open ones first) with contacts."""
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        steps = load_steps(s, seq.id)
        rows = list(s.scalars(select(t.Enrollment).where(t.Enrollment.sequence_id == seq.id)
                              .order_by(t.Enrollment.enrolled_at.desc(), t.Enrollment.id.desc())))
        contacts = {c.id: c for c in s.scalars(select(t.Contact).where(
            t.Contact.id.in_({e.contact_id for e in rows})))} if rows else {}
        companies = {c.id: c for c in s.scalars(select(t.Company).where(
            t.Company.id.in_({c.company_id for c in contacts.values() if c.company_id})))}
        users = _users(s, {e.enrolled_by_user_id for e in rows} | {e.sender_user_id for e in rows}
                       | {seq.owner_user_id})
        names = _names_by_email(s, principal.account_id)
        enrollments = []
        for e in rows:
            row = _enrollment_row(e, seq, users, names, principal)
            c = contacts[e.contact_id]
            company = companies.get(c.company_id) if c.company_id else None
            row["contact"] = {"id": str(c.id), "name": contact_name(c), "email": c.primary_email,
                              "company": company.name if company else None}
            enrollments.append(row)
        enrollments.sort(key=lambda r: not r["is_open"])  # stable: open first, newest first within each
        account = s.get_one(t.Account, principal.account_id)
        copied_from = s.get(t.Sequence, seq.copied_from_id) if seq.copied_from_id else None
        return {
            "id": str(seq.id), "name": seq.name, "owner": users[seq.owner_user_id].name,
            "steps": [{"position": x.position, "type": x.type, "type_words": STEP_TYPE_WORDS.get(x.type, x.type),
                       "delay_days": x.delay_days, "subject": x.subject,
                       "merge_fields": merge_fields_view(x.subject, x.body)} for x in steps],
            "automation": {"on_reply": seq.on_reply, "on_meeting": seq.on_meeting,
                           "pause_on_out_of_office": seq.pause_on_out_of_office,
                           "unenroll_same_company": seq.unenroll_same_company},
            "copied_from": {"id": str(copied_from.id), "name": copied_from.name} if copied_from else None,
            "enrollments": enrollments,
            "may_edit": may_edit_sequence(principal, seq),
            "custom_triggers_beta": account.custom_triggers_beta,
        }


def scheduled_steps(ctx: ServiceContext, principal: Principal, sequence_id: str) -> list[dict[str, Any]]:
    """The next step of every open enrollment of a sequence, soonest first (paused ones last)."""
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        steps = {x.position: x for x in load_steps(s, seq.id)}
        rows = list(s.scalars(select(t.Enrollment).where(t.Enrollment.sequence_id == seq.id,
                                                           t.Enrollment.status.in_(OPEN))))
        contacts = {c.id: c for c in s.scalars(select(t.Contact).where(
            t.Contact.id.in_({e.contact_id for e in rows})))} if rows else {}
        users = _users(s, {e.sender_user_id for e in rows})
        out = []
        for e in rows:
            step = steps.get(e.current_step + 1)
            if step is None:
                continue
            c = contacts[e.contact_id]
            active = e.status == EnrollmentStatus.ACTIVE.value
            out.append({
                "enrollment_id": str(e.id),
                "contact": {"id": str(c.id), "name": contact_name(c), "email": c.primary_email},
                "position": step.position, "steps_total": seq.steps_total,
                "type_words": STEP_TYPE_WORDS.get(step.type, step.type),
                "subject": step.subject or ("(reply in the same thread)" if step.thread_with_previous else ""),
                "due_at": e.next_step_at if active else None,
                "status": e.status, "active": active, "paused_until": e.paused_until,
                "sender": users[e.sender_user_id].name,
                # Paused contacts can be unenrolled here too, as on the Enrollments tab and the contact record.
                "can_unenroll": can_unenroll(principal, e, sequence_owner_id=seq.owner_user_id),
            })
        far = datetime.max.replace(tzinfo=None)
        out.sort(key=lambda r: (not r["active"], r["due_at"].replace(tzinfo=None) if r["due_at"] else far))
        return out


def save_automation(
    ctx: ServiceContext, principal: Principal, sequence_id: str, *, on_reply: str, on_meeting: str,
    save_as_new: bool, new_name: str | None = None,
) -> dict[str, Any]:
    """The Automation tab's two buttons. Needs the custom-trigger beta; saving in place needs the
    right to edit the sequence, while anyone may save a copy (current enrollments stay put)."""
    for value, field in ((on_reply, "on_reply"), (on_meeting, "on_meeting")):
        if value not in {a.value for a in AutomationScope}:
            raise Invalid(f"{field} must be one of {', '.join(AutomationScope)}")
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        if not save_as_new:
            # Who may change this sequence is answered before what the account has joined, as in the API.
            authorize(principal, Action.AUTOMATION, [seq.owner_user_id],
                      message="only the sequence's owner or an admin can change this sequence; "
                              "save it as a new sequence instead")
        account = s.get_one(t.Account, principal.account_id)
        if not account.custom_triggers_beta:
            raise Forbidden("automation triggers are part of the custom-trigger beta, which this account has "
                            "not joined", code="beta_required")
        pause = seq.pause_on_out_of_office
        # A copy made by a rep who may not edit the original belongs to that rep, so they can edit it.
        copy_owner = seq.owner_user_id if may_edit_sequence(principal, seq) else principal.user_id
    return sequences.update_automation(ctx, principal, sequence_id, on_reply=on_reply, on_meeting=on_meeting,
                                       pause_on_out_of_office=pause, save_as_new=save_as_new,
                                       new_name=(new_name or "").strip() or None,
                                       copy_owner_user_id=str(copy_owner) if copy_owner is not None else None)


def save_same_company(ctx: ServiceContext, principal: Principal, sequence_id: str, *, on: bool) -> dict[str, Any]:
    """The sequence page's "unenroll contacts from the same company" checkbox (its owner or an admin)."""
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        authorize(principal, Action.AUTOMATION, [seq.owner_user_id],
                  message="only the sequence's owner or an admin can change this sequence")
        current = (seq.on_reply, seq.on_meeting, seq.pause_on_out_of_office)
    return sequences.update_automation(ctx, principal, sequence_id, on_reply=current[0], on_meeting=current[1],
                                       pause_on_out_of_office=current[2], unenroll_same_company=on)


# --- settings --------------------------------------------------------------------------------


def account_settings(ctx: ServiceContext, principal: Principal) -> dict[str, Any]:
    """The Settings page: account switches, each sequence's out-of-office option, each rep's mailbox."""
    account = accounts.get_account(ctx, principal.account_id)
    status = {m["user_id"]: m for m in mailboxes.mailbox_status(ctx, principal)}
    with ctx.session() as s:
        reps = list(s.scalars(select(t.User).where(t.User.account_id == principal.account_id,
                                                   t.User.removed_at.is_(None)).order_by(t.User.id)))
        seqs = list(s.scalars(select(t.Sequence).where(t.Sequence.account_id == principal.account_id)
                              .order_by(t.Sequence.id)))
        return {
            "account_name": account.name,
            "plan": account.plan,
            "unenroll_same_company": account.unenroll_same_company,
            "soft_bounce_threshold": account.soft_bounce_threshold,
            "custom_triggers_beta": account.custom_triggers_beta,
            "may_change_beta": may(principal, Action.BETA_OPT_IN),
            # The signed-in rep's own page, to share outside sequences (emails carry it with their token).
            "booking_page_url": booking_page_url(ctx.settings, principal.user_id) if principal.user_id else None,
            # Bookings on the rep's page that are not in their calendar yet: the rep must know.
            "bookings_waiting": [
                {"booker_name": m.booker_name, "booker_email": m.booker_email, "start_time": m.start_time}
                for m in s.scalars(select(t.Meeting).where(
                    t.Meeting.user_id == principal.user_id, t.Meeting.calendar_event_id.is_(None),
                    t.Meeting.source.in_((MeetingSource.BOOKING_PAGE.value, MeetingSource.SEQUENCE_LINK.value)))
                    .order_by(t.Meeting.start_time))] if principal.user_id else [],
            "sequences": [{"id": str(q.id), "name": q.name, "pause_on_out_of_office": q.pause_on_out_of_office,
                           "unenroll_same_company": q.unenroll_same_company,
                           "may_edit": may_edit_sequence(principal, q)} for q in seqs],
            "mailboxes": [{"name": u.name, "email": u.email, "provider": u.mailbox_provider,
                           "address": u.mailbox_address, "is_me": u.id == principal.user_id,
                           **_mailbox_state(u, status.get(str(u.id), {}))} for u in reps],
        }


def _mailbox_state(user: t.User, status: dict[str, Any]) -> dict[str, Any]:
    """Connected (a grant is held and works), disconnected (a grant was held and the provider now
    refuses it) or never connected (an invitation: no consent yet), which is offered Connect."""
    if status.get("connected"):
        state = "connected"
    elif status.get("watch_status") == "disconnected" or user.refresh_token_encrypted:
        # A Microsoft sign-in (ms_tid) proves the person, not a mailbox grant: not a disconnection.
        state = "disconnected"
    else:
        state = "not_connected"
    return {"state": state, "last_error": status.get("last_error"), "last_synced_at": status.get("last_synced_at")}


def save_settings(
    ctx: ServiceContext, principal: Principal, *, unenroll_same_company: bool, soft_bounce_threshold: int,
    pause_on_out_of_office: dict[str, bool], same_company: dict[str, bool] | None = None,
) -> None:
    """Save the Settings form: the account's switches (`unenroll_same_company` is the default of new
    sequences) and each listed sequence's out-of-office and same-company checkboxes, which change
    only where the rep may edit the sequence."""
    same_company = same_company or {}
    with ctx.session() as s:
        account = s.get_one(t.Account, principal.account_id)
        # Only what changed is an account change: a rep may save their own sequences' checkboxes.
        default_changed = unenroll_same_company != account.unenroll_same_company
        threshold_changed = soft_bounce_threshold != account.soft_bounce_threshold
        changed = []
        for seq_id in dict.fromkeys([*pause_on_out_of_office, *same_company]):
            seq = owned(s, t.Sequence, seq_id, principal, "sequence")
            pause = pause_on_out_of_office.get(seq_id, seq.pause_on_out_of_office)
            company = same_company.get(seq_id, seq.unenroll_same_company)
            if (seq.pause_on_out_of_office, seq.unenroll_same_company) == (pause, company):
                continue
            authorize(principal, Action.AUTOMATION, [seq.owner_user_id],
                      message=f"only the owner of '{seq.name}' or an admin can change its settings")
            changed.append((str(seq.id), seq.on_reply, seq.on_meeting, pause, company))
    accounts.update_account_settings(
        ctx, principal, unenroll_same_company=unenroll_same_company if default_changed else None,
        soft_bounce_threshold=soft_bounce_threshold if threshold_changed else None)
    for seq_id, on_reply, on_meeting, pause, company in changed:
        sequences.update_automation(ctx, principal, seq_id, on_reply=on_reply, on_meeting=on_meeting,
                                    pause_on_out_of_office=pause, unenroll_same_company=company)


def own_mailbox_state(ctx: ServiceContext, principal: Principal) -> str | None:
    """The signed-in rep's own mailbox as Settings shows it (connected, disconnected, not_connected)."""
    if principal.user_id is None:
        return None
    with ctx.session() as s:
        user = s.get(t.User, principal.user_id)
        if user is None or user.account_id != principal.account_id:
            return None
    status = {m["user_id"]: m for m in mailboxes.mailbox_status(ctx, principal)}.get(str(user.id), {})
    return str(_mailbox_state(user, status)["state"])
