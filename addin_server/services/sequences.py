"""Sequences and their steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from addin_server.db import tables as t
from addin_server.domain import merge_fields
from addin_server.domain.model import AutomationScope, StepType
from addin_server.domain.permissions import Action
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.directory import checked_name, owned, present
from addin_server.services.errors import Forbidden, Invalid
from addin_server.services.permissions import authorize, own

MAX_STEPS = 50


@dataclass(frozen=True)
class StepInput:
    type: str
    delay_days: float = 0
    subject: str = ""
    body: str = ""
    thread_with_previous: bool = False


def step_view(step: t.Step) -> dict[str, Any]:
    return {
        "position": step.position, "type": step.type, "delay_days": step.delay_days, "subject": step.subject,
        "body": step.body, "thread_with_previous": step.thread_with_previous,
        "merge_fields": merge_fields_view(step.subject, step.body),
    }


def merge_fields_view(subject: str, body: str) -> list[dict[str, Any]]:
    """The merge fields a step uses, as written: each field, its fallback, whether it is known.
    A field without a fallback holds the step for a contact who has no value for it."""
    return [{"field": tok.field, "fallback": tok.fallback or None, "known": tok.known,
             "holds_when_empty": not tok.fallback}
            for tok in merge_fields.tokens(subject, body)]


def sequence_view(seq: t.Sequence, steps: list[t.Step]) -> dict[str, Any]:
    return {
        "id": str(seq.id), "name": seq.name, "owner_user_id": str(seq.owner_user_id),
        "steps_total": seq.steps_total, "steps": [step_view(x) for x in steps],
        "automation": {
            "on_reply": seq.on_reply, "on_meeting": seq.on_meeting,
            "pause_on_out_of_office": seq.pause_on_out_of_office,
            "unenroll_same_company": seq.unenroll_same_company,
        },
        "copied_from_id": str(seq.copied_from_id) if seq.copied_from_id else None,
    }


def _validate_steps(steps: list[StepInput]) -> None:
    if not steps:
        raise Invalid("a sequence needs at least one step")
    if len(steps) > MAX_STEPS:
        raise Invalid(f"a sequence has at most {MAX_STEPS} steps")
    # Steps are named as the request's validation names them: steps.0 is the first.
    for i, step in enumerate(steps, start=1):
        at = f"steps.{i - 1}"
        try:
            kind = StepType(step.type)
        except ValueError:
            raise Invalid(f"{at}.type must be one of {', '.join(StepType)}") from None
        if kind in (StepType.AUTOMATED_EMAIL, StepType.MANUAL_EMAIL) and not step.subject.strip() and not (
            step.thread_with_previous and i > 1
        ):
            raise Invalid(f"{at}.subject: an email step needs a subject unless it threads with the previous email")
        if step.thread_with_previous and i == 1:
            raise Invalid(f"{at}.thread_with_previous: the first step cannot thread with a previous email")
        if not 0 <= step.delay_days <= 365:
            raise Invalid(f"{at}.delay_days must be between 0 and 365")
        unknown = [tok.field for tok in merge_fields.tokens(step.subject, step.body) if not tok.known]
        if unknown:
            raise Invalid(f"{at} uses unknown merge fields ({', '.join(dict.fromkeys(unknown))}); the fields "
                          f"are {', '.join(merge_fields.FIELDS)}, with an optional fallback: "
                          "{{company | your team}}", code="unknown_merge_field")
        found = [(part, problem) for part, text in (("subject", step.subject), ("body", step.body))
                 for problem in merge_fields.problems(text)]
        if found:
            raise Invalid(
                "; ".join(f"{at}.{part}: {problem.describe()}" for part, problem in found[:5]),
                code="malformed_merge_field",
                details=[{"field": f"{at}.{part}", "position": problem.position + 1, "text": problem.snippet,
                          "problem": problem.why} for part, problem in found])


def _check_scope(value: str, field: str) -> str:
    try:
        return AutomationScope(value).value
    except ValueError:
        raise Invalid(f"{field} must be one of {', '.join(AutomationScope)}") from None


DEFAULT_SCOPE = "contact"


def _require_beta_for(s: Session, principal: Principal, triggers: tuple[str, str], current: tuple[str, str]) -> None:
    """Forbidden (403 beta_required) for reply/meeting triggers other than `current` in an account that
    has not joined the custom-trigger beta: one rule for creating a sequence and saving its automation."""
    if triggers != current and not s.get_one(t.Account, principal.account_id).custom_triggers_beta:
        raise Forbidden("automation triggers are part of the custom-trigger beta, which this account has "
                        "not joined", code="beta_required")


def create_sequence(
    ctx: ServiceContext,
    principal: Principal,
    *,
    name: str,
    owner_user_id: str,
    steps: list[StepInput],
    on_reply: str = "contact",
    on_meeting: str = "contact",
    pause_on_out_of_office: bool = False,
    copied_from_id: int | None = None,
    unenroll_same_company: bool | None = None,
    seeding: bool = False,
) -> dict[str, Any]:
    """A new sequence; its same-company checkbox is the account's default unless given. Reply and
    meeting triggers other than the default are the custom-trigger beta's, as when saving automation
    (a copy keeps its original's, which were; `seeding`: the demo's own data)."""
    name = checked_name(name, "name")
    _validate_steps(steps)
    on_reply, on_meeting = _check_scope(on_reply, "on_reply"), _check_scope(on_meeting, "on_meeting")
    with ctx.session() as s:
        owner = owned(s, t.User, owner_user_id, principal, "user")
        authorize(principal, Action.CREATE_SEQUENCE, [owner.id],
                  message="a rep may only create sequences they own")
        present(owner, "a sequence's owner")
        if copied_from_id is None and not seeding:
            _require_beta_for(s, principal, (on_reply, on_meeting), (DEFAULT_SCOPE, DEFAULT_SCOPE))
        if unenroll_same_company is None:
            unenroll_same_company = s.get_one(t.Account, principal.account_id).unenroll_same_company
        seq = t.Sequence(
            account_id=principal.account_id, owner_user_id=owner.id, name=name.strip(), steps_total=len(steps),
            on_reply=on_reply, on_meeting=on_meeting,
            pause_on_out_of_office=pause_on_out_of_office, copied_from_id=copied_from_id, created_at=ctx.now(),
            unenroll_same_company=unenroll_same_company,
        )
        s.add(seq)
        s.flush()
        rows = [
            t.Step(
                account_id=principal.account_id, sequence_id=seq.id, position=i, type=x.type,
                delay_days=float(x.delay_days), subject=x.subject, body=x.body,
                thread_with_previous=x.thread_with_previous,
            )
            for i, x in enumerate(steps, start=1)
        ]
        s.add_all(rows)
        s.flush()
        return sequence_view(seq, rows)


def load_steps(s: Session, sequence_id: int) -> list[t.Step]:
    return list(s.scalars(select(t.Step).where(t.Step.sequence_id == sequence_id).order_by(t.Step.position)))


def get_sequence(ctx: ServiceContext, principal: Principal, sequence_id: str) -> dict[str, Any]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        return sequence_view(seq, load_steps(s, seq.id))


def list_sequences(ctx: ServiceContext, principal: Principal) -> list[dict[str, Any]]:
    authorize(principal, Action.READ, own(principal))
    with ctx.session() as s:
        seqs = s.scalars(
            select(t.Sequence).where(t.Sequence.account_id == principal.account_id).order_by(t.Sequence.id)
        ).all()
        return [sequence_view(q, load_steps(s, q.id)) for q in seqs]


def update_automation(
    ctx: ServiceContext,
    principal: Principal,
    sequence_id: str,
    *,
    on_reply: str,
    on_meeting: str,
    pause_on_out_of_office: bool,
    save_as_new: bool = False,
    new_name: str | None = None,
    unenroll_same_company: bool | None = None,
    copy_owner_user_id: str | None = None,
) -> dict[str, Any]:
    """Save the automation settings on this sequence, or on a copy (current enrollments stay put).

    The same-company checkbox stays as it is when not given (a copy keeps the original's).
    Saving in place is the owner's (or an admin's); a copy belongs to `copy_owner_user_id`
    (default: the original's owner) and is allowed to whoever may create a sequence for that rep.
    """
    on_reply, on_meeting = _check_scope(on_reply, "on_reply"), _check_scope(on_meeting, "on_meeting")
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        steps = load_steps(s, seq.id)
        if unenroll_same_company is None:
            unenroll_same_company = seq.unenroll_same_company
        if not save_as_new:
            authorize(principal, Action.AUTOMATION, [seq.owner_user_id],
                      message="only the sequence's owner or an admin can change this sequence; "
                              "save it as a new sequence instead")
            seq.on_reply, seq.on_meeting, seq.pause_on_out_of_office = on_reply, on_meeting, pause_on_out_of_office
            seq.unenroll_same_company = unenroll_same_company
            s.flush()
            return sequence_view(seq, steps)
        owner_id, name, source_id = copy_owner_user_id or seq.owner_user_id, new_name or f"{seq.name} (copy)", seq.id
    return create_sequence(
        ctx, principal, name=name, owner_user_id=str(owner_id),
        steps=[StepInput(x.type, x.delay_days, x.subject, x.body, x.thread_with_previous) for x in steps],
        on_reply=on_reply, on_meeting=on_meeting, pause_on_out_of_office=pause_on_out_of_office,
        copied_from_id=source_id, unenroll_same_company=unenroll_same_company,
    )


def change_automation(
    ctx: ServiceContext, principal: Principal, sequence_id: str, *, on_reply: str, on_meeting: str,
    pause_on_out_of_office: bool, save_as_new: bool = False, new_name: str | None = None,
    unenroll_same_company: bool | None = None,
) -> dict[str, Any]:
    """The API's automation settings: changing what a reply or a meeting does is the custom-trigger
    beta's, as on the Automation tab; the out-of-office option and the same-company checkbox are not."""
    on_reply, on_meeting = _check_scope(on_reply, "on_reply"), _check_scope(on_meeting, "on_meeting")
    with ctx.session() as s:
        seq = owned(s, t.Sequence, sequence_id, principal, "sequence")
        if not save_as_new:
            # Who may change this sequence is answered before what the account has joined.
            authorize(principal, Action.AUTOMATION, [seq.owner_user_id],
                      message="only the sequence's owner or an admin can change this sequence; "
                              "save it as a new sequence instead")
        _require_beta_for(s, principal, (on_reply, on_meeting), (seq.on_reply, seq.on_meeting))
    return update_automation(ctx, principal, sequence_id, on_reply=on_reply, on_meeting=on_meeting,
                             pause_on_out_of_office=pause_on_out_of_office, save_as_new=save_as_new,
                             new_name=new_name, unenroll_same_company=unenroll_same_company)
