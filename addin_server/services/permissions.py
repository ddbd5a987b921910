"""Enforcing the permission table (domain/permissions.py) for a Principal: the only place that decides.

Every use case that shows or changes something calls `authorize` (or `may`) with the action and,
for actions on a rep's object, the ids of the reps it belongs to (who enrolled, who sends, who owns
the sequence, whose mailbox). Objects of another account never get here: `directory.owned`
answers 404 for them first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from addin_server.domain.model import Role
from addin_server.domain.permissions import (
    ACTION_MEANING,
    API_KEY_ROLE_RANK,
    POLICY,
    ROLE_RANK,
    Action,
    Actor,
    ApiKeyRole,
    allows,
    may_grant,
)
from addin_server.services.context import Principal
from addin_server.services.errors import Forbidden

_KEY_ACTORS = {ApiKeyRole.ADMIN.value: Actor.KEY_ADMIN, ApiKeyRole.INTEGRATION.value: Actor.KEY_INTEGRATION,
               ApiKeyRole.READ_ONLY.value: Actor.KEY_READ_ONLY}
_PERSON_ACTORS = {Role.SUPER_ADMIN.value: Actor.SUPER_ADMIN, Role.ADMIN.value: Actor.ADMIN}


def actor_of(principal: Principal, owner_ids: Iterable[int | None] = ()) -> Actor | None:
    """The table's column for this principal and object; None (refused everywhere) when it has none."""
    if principal.kind == "system":
        return Actor.SYSTEM if principal.role == "system" else None
    if principal.kind == "api_key":
        return _KEY_ACTORS.get(principal.role)
    if principal.kind != "user" or principal.user_id is None:
        return None
    if principal.role in _PERSON_ACTORS:
        return _PERSON_ACTORS[principal.role]
    if principal.role != Role.USER.value:
        return None
    return Actor.OWNER_REP if principal.user_id in set(owner_ids) else Actor.OTHER_REP


def own(principal: Principal) -> tuple[int | None]:
    """The owner ids of something a rep does for themselves (creating a contact, reading)."""
    return (principal.user_id,)


def may(principal: Principal, action: Action, owner_ids: Iterable[int | None] = ()) -> bool:
    return allows(action, actor_of(principal, owner_ids))


REFUSALS: dict[Action, str] = {
    Action.WORKFLOW_UNENROLL: "unenrolling from a workflow is an integration action: an API key or an admin",
    Action.BETA_OPT_IN: "only a super admin can opt in to the custom-trigger beta",
    Action.ACCOUNT_SETTINGS: "only an admin can change the account's unenrollment settings",
    Action.MANAGE_USERS: "only an admin can create users or change roles",
    Action.MANAGE_API_KEYS: "only an admin can create API keys",
    Action.READ_API_KEYS: "only an admin can see the account's API keys",
    Action.REVOKE_API_KEY: "only an admin can revoke API keys",
    Action.REMOVE_USER: "only an admin can remove people from the account",
    Action.UNENROLL: "you may only unenroll contacts you enrolled or that are in your sequences; ask the rep "
                     "who enrolled them, the sequence owner or an admin",
    Action.OUTBOX: "only an admin can read every rep's outbox",
    Action.MANAGE_WEBHOOKS: "only an admin or an integration's API key may manage webhook endpoints",
    Action.CLEAR_BOUNCE: "only an admin can clear a bounced address",
}


def _doing(action: Action) -> str:
    """The action in a few words ("unenroll one enrollment by hand", "create users and change roles"),
    from the table's meaning without its asides."""
    meaning = re.sub(r"\s*\([^)]*\)", "", ACTION_MEANING[action])
    return meaning.split(";")[0].split(":")[0].split(", never")[0].strip()


def key_roles_for(action: Action) -> list[str]:
    """The API key roles the table allows the action, highest first."""
    return [role for role in (ApiKeyRole.ADMIN, ApiKeyRole.INTEGRATION, ApiKeyRole.READ_ONLY)
            if _KEY_ACTORS[role.value] in POLICY.get(action, frozenset())]


_PEOPLE = ((Actor.SUPER_ADMIN, "a super admin"), (Actor.ADMIN, "an admin"))


def refusal(principal: Principal, action: Action) -> tuple[str, dict[str, object]]:
    """The sentence a refused principal reads, in its own terms, and machine-readable details.

    An integrator (API key) learns which key role the action needs, or that only a person may do
    it; a person reads the product's sentence (REFUSALS) about whose object it is or which role."""
    if principal.kind == "api_key":
        roles = key_roles_for(action)
        if roles:
            needed = " or ".join(roles)
            return (f"this API key has the role {principal.role}, which may not {_doing(action)}: use an API key "
                    f"with the role {needed} (an admin makes one with POST /api/v1/api-keys, the operator with "
                    f"addin-server accounts api-key --role {roles[-1]})", {"needed_key_roles": roles})
        people = [who for actor, who in _PEOPLE if actor in POLICY.get(action, frozenset())]
        if people:
            return (f"no API key may {_doing(action)}: {' or '.join(people)} does it, signed in as a person",
                    {"needed_key_roles": []})
        return f"no API key may {_doing(action)}", {"needed_key_roles": []}
    return REFUSALS.get(action) or f"you may not {_doing(action)}", {}


def authorize(principal: Principal, action: Action, owner_ids: Iterable[int | None] = (), *,
              message: str | None = None) -> None:
    """Raise Forbidden (403) unless the table allows this principal the action on this object. The
    wording suits who was refused (`refusal`); `message` replaces a person's sentence only."""
    if not may(principal, action, owner_ids):
        text, details = refusal(principal, action)
        if message and principal.kind != "api_key":
            text = message
        raise Forbidden(text, details=details or None)


def role_rank(principal: Principal) -> int:
    """How high a role this principal may grant; -1 for those who grant nothing."""
    if principal.kind == "api_key":
        return API_KEY_ROLE_RANK.get(principal.role, -1) if principal.role == ApiKeyRole.ADMIN.value else -1
    if principal.kind == "user" and principal.user_id is not None:
        return ROLE_RANK.get(principal.role, -1)
    return -1


def authorize_grant(principal: Principal, role: str) -> None:
    """Nobody grants a role above their own; only a super admin makes a super admin."""
    wanted = ROLE_RANK.get(role)
    if wanted is None:
        raise Forbidden(f"unknown role {role!r}")
    if not may_grant(role_rank(principal), wanted):
        if principal.kind == "api_key":
            raise Forbidden(f"no API key may grant the role {role}: a super admin does it, signed in as a person",
                            code="role_above_own", details={"needed_key_roles": []})
        raise Forbidden(f"you may not grant the role {role}: it is above your own", code="role_above_own")


def authorize_key_grant(principal: Principal, role: str) -> None:
    """An API key's role, like a person's, reaches no higher than its creator's."""
    wanted = API_KEY_ROLE_RANK.get(role)
    if wanted is None:
        raise Forbidden(f"unknown API key role {role!r}")
    if not may_grant(role_rank(principal), wanted):
        raise Forbidden(f"you may not create an API key with the role {role}: it is above your own",
                        code="role_above_own")


def authorize_role_change(principal: Principal, current_role: str) -> None:
    """Nobody takes away a role above their own: demoting a super admin is a super admin's act."""
    wanted = ROLE_RANK.get(current_role)
    if wanted is None or may_grant(role_rank(principal), wanted):
        return
    if principal.kind == "api_key":
        raise Forbidden(f"no API key may change the role of a {current_role}: a super admin does it, signed in "
                        "as a person", code="role_above_own", details={"needed_key_roles": []})
    raise Forbidden(f"only a super admin can change the role of a {current_role}; yours is {principal.role}",
                    code="role_above_own")
