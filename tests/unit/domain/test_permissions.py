"""The permission table: one case per product sentence, and the documentation generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from addin_server.domain.permissions import (
    API_KEY_ROLE_RANK,
    POLICY,
    ROLE_RANK,
    Action,
    Actor,
    allows,
    may_grant,
    permissions_markdown,
)
from addin_server.services.context import Principal
from addin_server.services.permissions import actor_of, may, role_rank

ARCHITECTURE = Path(__file__).resolve().parents[3] / "docs" / "ARCHITECTURE.md"

SENTENCES = [
    ("only a super admin opts the account into the beta", Action.BETA_OPT_IN, {Actor.SUPER_ADMIN}),
    ("workflow unenrollment is an integration action: an API key or an admin",
     Action.WORKFLOW_UNENROLL, {Actor.SUPER_ADMIN, Actor.ADMIN, Actor.KEY_ADMIN, Actor.KEY_INTEGRATION}),
    ("a rep cannot create users; admins and admin keys can",
     Action.MANAGE_USERS, {Actor.SUPER_ADMIN, Actor.ADMIN, Actor.KEY_ADMIN}),
    ("keys cannot make keys", Action.MANAGE_API_KEYS, {Actor.SUPER_ADMIN, Actor.ADMIN}),
    ("a rep unenrolls only their own contacts",
     Action.UNENROLL, {Actor.SUPER_ADMIN, Actor.ADMIN, Actor.OWNER_REP, Actor.KEY_ADMIN, Actor.KEY_INTEGRATION}),
    ("a rep pauses and resumes only their own enrollments; the worker resumes any when the date comes",
     Action.PAUSE_RESUME, {Actor.SUPER_ADMIN, Actor.ADMIN, Actor.OWNER_REP, Actor.KEY_ADMIN, Actor.KEY_INTEGRATION,
                           Actor.SYSTEM}),
    ("a rep undoes only their own automatic unenrollments",
     Action.UNDO, {Actor.SUPER_ADMIN, Actor.ADMIN, Actor.OWNER_REP, Actor.KEY_ADMIN}),
    ("a rep changes only the automation of sequences they own",
     Action.AUTOMATION, {Actor.SUPER_ADMIN, Actor.ADMIN, Actor.OWNER_REP, Actor.KEY_ADMIN}),
    ("a rep dry-runs only their own mailbox", Action.SIMULATE,
     {Actor.SUPER_ADMIN, Actor.ADMIN, Actor.OWNER_REP, Actor.KEY_ADMIN}),
    ("the outbox holds every rep's email: admins only", Action.OUTBOX, {Actor.SUPER_ADMIN, Actor.ADMIN, Actor.KEY_ADMIN}),
    ("a read-only key reads and does nothing else", Action.READ, set(Actor) - {Actor.SYSTEM}),
    ("requeueing the inbox is the operator's, on the server", Action.INBOX_REQUEUE, set()),
]


@pytest.mark.parametrize(("sentence", "action", "allowed"), SENTENCES, ids=[s for s, _, _ in SENTENCES])
def test_the_table_says(sentence: str, action: Action, allowed: set[Actor]) -> None:
    assert {a for a in Actor if allows(action, a)} == allowed


def test_a_read_only_key_may_only_read() -> None:
    assert {a for a in Action if allows(a, Actor.KEY_READ_ONLY)} == {Action.READ}


def test_deny_is_the_default_for_an_actor_the_table_does_not_know() -> None:
    assert not any(allows(action, None) for action in Action)
    assert set(POLICY) == set(Action)


GRANTS = [
    ("a super admin makes super admins", ROLE_RANK["super_admin"], ROLE_RANK["super_admin"], True),
    ("an admin makes admins", ROLE_RANK["admin"], ROLE_RANK["admin"], True),
    ("an admin cannot make a super admin", ROLE_RANK["admin"], ROLE_RANK["super_admin"], False),
    ("an admin key makes read-only keys", API_KEY_ROLE_RANK["admin"], API_KEY_ROLE_RANK["read_only"], True),
    ("nobody without a role grants anything", -1, ROLE_RANK["user"], False),
]


@pytest.mark.parametrize(("sentence", "own", "wanted", "ok"), GRANTS, ids=[g[0] for g in GRANTS])
def test_nobody_grants_a_role_above_their_own(sentence: str, own: int, wanted: int, ok: bool) -> None:
    assert may_grant(own, wanted) is ok


PRINCIPALS = [
    ("a rep acting on their own enrollment is its owner", Principal(1, "user:r", user_id=5, role="user"), [5],
     Actor.OWNER_REP),
    ("a rep acting on another rep's enrollment is another rep", Principal(1, "user:r", user_id=5, role="user"), [6],
     Actor.OTHER_REP),
    ("an admin is an admin whoever's object it is", Principal(1, "user:a", user_id=5, role="admin"), [6], Actor.ADMIN),
    ("a principal without a role is nobody", Principal(1, "user:x", user_id=5), [5], None),
    ("a person without an id is nobody", Principal(1, "user:x", role="super_admin"), [], None),
    ("a key with an unknown role is nobody", Principal(1, "api_key:k", role="super_admin", kind="api_key"), [], None),
    ("an integration key", Principal.for_api_key(1, "k", "integration"), [], Actor.KEY_INTEGRATION),
    ("the worker", Principal.system(1, "system"), [], Actor.SYSTEM),
]


@pytest.mark.parametrize(("sentence", "principal", "owners", "actor"), PRINCIPALS, ids=[p[0] for p in PRINCIPALS])
def test_which_column_a_principal_reads(sentence: str, principal: Principal, owners: list[int],
                                        actor: Actor | None) -> None:
    assert actor_of(principal, owners) == actor


def test_is_admin_fails_closed() -> None:
    assert Principal(1, "user:x", user_id=1).is_admin is False
    assert Principal.for_api_key(1, "k", "read_only").is_admin is False
    assert not may(Principal(1, "user:x", user_id=1), Action.READ, [1])
    assert role_rank(Principal.for_api_key(1, "k", "integration")) == -1


def test_architecture_documents_the_table_as_shipped() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    found = re.search(r"<!-- permissions table:[^\n]*-->\n(.*?)\n<!-- end of permissions table -->", text, re.S)
    assert found, "docs/ARCHITECTURE.md lost its Permissions table"
    assert found.group(1) == permissions_markdown(), (
        "regenerate the table: python -c 'from addin_server.domain.permissions import permissions_markdown; "
        "print(permissions_markdown())'")
