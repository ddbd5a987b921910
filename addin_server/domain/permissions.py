"""Who may do what: the product's one permission table (action x principal -> allowed).

Every surface (the JSON API with an API key or a rep's token, the web app, the Gmail add-on, the
Outlook pane) reaches the services, and the services ask this table before they change or show
anything. Deny is the default: an action or a principal kind the table does not name is refused.

Two refusals happen before the table is read and are the same for every action: a caller without
valid credentials gets 401, and an object of another account is indistinguishable from a missing
one (404). So "a rep of another account" and "an API key of another account" never reach a row.

docs/ARCHITECTURE.md ("Permissions") is generated from this module (`permissions_markdown`); a test
keeps the two equal.
"""

from __future__ import annotations

from enum import StrEnum

from addin_server.domain.model import Role


class Action(StrEnum):
    READ = "read"
    CREATE_DIRECTORY = "create_directory"
    CREATE_SEQUENCE = "create_sequence"
    ENROLL = "enroll"
    UNENROLL = "unenroll"
    BULK_UNENROLL = "bulk_unenroll"
    WORKFLOW_UNENROLL = "workflow_unenroll"
    PAUSE_RESUME = "pause_resume"
    UNDO = "undo"
    LOG_MEETING = "log_meeting"
    AUTOMATION = "automation"
    ACCOUNT_SETTINGS = "account_settings"
    BETA_OPT_IN = "beta_opt_in"
    MANAGE_USERS = "manage_users"
    MANAGE_API_KEYS = "manage_api_keys"
    READ_API_KEYS = "read_api_keys"
    REVOKE_API_KEY = "revoke_api_key"
    REMOVE_USER = "remove_user"
    SIMULATE = "simulate"
    OUTBOX = "outbox"
    INBOX_REQUEUE = "inbox_requeue"
    MAILBOX_CONNECTION = "mailbox_connection"
    MANAGE_WEBHOOKS = "manage_webhooks"
    CLEAR_BOUNCE = "clear_bounce"
    LINK_TENANT = "link_tenant"


class Actor(StrEnum):
    """A principal as the table sees it: a person's role (and whether the object is theirs) or a key's role."""

    SUPER_ADMIN = "super_admin"
    ADMIN = "admin"
    OWNER_REP = "owner_rep"
    OTHER_REP = "other_rep"
    KEY_ADMIN = "api_key_admin"
    KEY_INTEGRATION = "api_key_integration"
    KEY_READ_ONLY = "api_key_read_only"
    SYSTEM = "system"


class ApiKeyRole(StrEnum):
    """Roles of API keys. No key is a super admin: beta opt-in and super admins stay with people."""

    ADMIN = "admin"
    INTEGRATION = "integration"
    READ_ONLY = "read_only"


# Whose object it is matters only to reps; everyone else in a row sees the whole account.
ACTION_MEANING: dict[Action, str] = {
    Action.READ: "read and list the account's companies, users, contacts, sequences, enrollments, "
                 "performance; recipient lookup; mailbox status; who the caller is (`GET /me`)",
    Action.CREATE_DIRECTORY: "create companies and contacts; change a contact's name or company",
    Action.CREATE_SEQUENCE: "create a sequence (a rep: owned by themselves)",
    Action.ENROLL: "enroll a contact (a rep: sending from and enrolled by themselves)",
    Action.UNENROLL: "unenroll one enrollment by hand (a rep: one they enrolled, send, or whose sequence they own)",
    Action.BULK_UNENROLL: "unenroll many enrollments of a sequence (a rep: every one must be theirs)",
    Action.WORKFLOW_UNENROLL: "unenroll from a workflow (reason workflow): an integration action",
    Action.PAUSE_RESUME: "pause or resume an enrollment (a rep: theirs)",
    Action.UNDO: "undo an automatic unenrollment (a rep: theirs)",
    Action.LOG_MEETING: "log a meeting (a rep: logged by themselves)",
    Action.AUTOMATION: "change a sequence's automation settings (a rep: a sequence they own); "
                       "reply and meeting triggers need the custom-trigger beta",
    Action.ACCOUNT_SETTINGS: "change the account's unenrollment settings",
    Action.BETA_OPT_IN: "opt the account in or out of the custom-trigger beta",
    Action.MANAGE_USERS: "create users (invitations) and change roles, never above one's own role",
    Action.MANAGE_API_KEYS: "create API keys (`POST /api-keys`), never with a role above one's own",
    Action.READ_API_KEYS: "list the account's API keys: prefix, name, role, who made it, when, revoked or not "
                          "(never the key itself)",
    Action.REVOKE_API_KEY: "revoke an API key (`DELETE /api-keys/{id}`): refused at once, never one with a role "
                           "above one's own",
    Action.REMOVE_USER: "remove a person (`DELETE /users/{id}`): their history stays, their sessions, sign-ins "
                        "and keys stop, the enrollments sending from their mailbox end (`user_removed`); never "
                        "someone above one's own role, oneself or the last super admin",
    Action.SIMULATE: "dry-run a raw message in a mailbox (a rep: their own mailbox)",
    Action.OUTBOX: "read the local outbox (every rep's sent email)",
    Action.INBOX_REQUEUE: "requeue dead webhook notifications (operators, with the `inbox` command only)",
    Action.MAILBOX_CONNECTION: "store a mailbox grant and follow the mailbox (a rep: their own, through the "
                               "provider's consent; the grant itself is what proves the mailbox)",
    Action.MANAGE_WEBHOOKS: "add, list, enable and delete outgoing webhook endpoints, rotate their secrets, "
                            "read and retry their deliveries",
    Action.CLEAR_BOUNCE: "clear an address's bounced mark that no undo reaches (a bounce after the enrollment ended)",
    Action.LINK_TENANT: "make the link a Microsoft 365 organisation's Global Administrator signs in through to "
                        "link it to the account (the link alone links nothing)",
}

_ADMINS = frozenset({Actor.SUPER_ADMIN, Actor.ADMIN, Actor.KEY_ADMIN})
_REPS = frozenset({Actor.OWNER_REP, Actor.OTHER_REP})
_WORK = _ADMINS | {Actor.OWNER_REP, Actor.KEY_INTEGRATION}

POLICY: dict[Action, frozenset[Actor]] = {
    Action.READ: _ADMINS | _REPS | {Actor.KEY_INTEGRATION, Actor.KEY_READ_ONLY},
    Action.CREATE_DIRECTORY: _ADMINS | _REPS | {Actor.KEY_INTEGRATION},
    Action.CREATE_SEQUENCE: _ADMINS | {Actor.OWNER_REP},
    Action.ENROLL: _WORK,
    Action.UNENROLL: _WORK,
    Action.BULK_UNENROLL: _WORK,
    Action.WORKFLOW_UNENROLL: _ADMINS | {Actor.KEY_INTEGRATION},
    Action.PAUSE_RESUME: _WORK | {Actor.SYSTEM},
    Action.UNDO: _ADMINS | {Actor.OWNER_REP},
    Action.LOG_MEETING: _WORK,
    Action.AUTOMATION: _ADMINS | {Actor.OWNER_REP},
    Action.ACCOUNT_SETTINGS: _ADMINS,
    Action.BETA_OPT_IN: frozenset({Actor.SUPER_ADMIN}),
    Action.MANAGE_USERS: _ADMINS,
    Action.MANAGE_API_KEYS: frozenset({Actor.SUPER_ADMIN, Actor.ADMIN}),
    Action.READ_API_KEYS: frozenset({Actor.SUPER_ADMIN, Actor.ADMIN}),
    Action.REVOKE_API_KEY: frozenset({Actor.SUPER_ADMIN, Actor.ADMIN}),
    # An integration may offboard people (an HR system), as it may invite them; never above an admin.
    Action.REMOVE_USER: _ADMINS,
    Action.SIMULATE: _ADMINS | {Actor.OWNER_REP},
    Action.OUTBOX: _ADMINS,
    Action.INBOX_REQUEUE: frozenset(),
    Action.MAILBOX_CONNECTION: _ADMINS | {Actor.OWNER_REP},
    Action.MANAGE_WEBHOOKS: _ADMINS | {Actor.KEY_INTEGRATION},
    Action.CLEAR_BOUNCE: _ADMINS,
    Action.LINK_TENANT: frozenset({Actor.SUPER_ADMIN}),
}


def allows(action: Action, actor: Actor | None) -> bool:
    """The table's answer; anything it does not name is refused."""
    return actor is not None and actor in POLICY.get(action, frozenset())


# How high a role reaches: nobody grants a role above their own.
ROLE_RANK: dict[str, int] = {Role.USER: 0, Role.ADMIN: 1, Role.SUPER_ADMIN: 2}
API_KEY_ROLE_RANK: dict[str, int] = {ApiKeyRole.READ_ONLY: 0, ApiKeyRole.INTEGRATION: 0, ApiKeyRole.ADMIN: 1}


def may_grant(own_rank: int, wanted_rank: int) -> bool:
    return wanted_rank <= own_rank


class RemovalRefusal(StrEnum):
    ROLE_ABOVE_OWN = "role_above_own"
    SELF = "cannot_remove_self"
    LAST_SUPER_ADMIN = "last_super_admin"


def removal_refusal(*, own_rank: int, target_rank: int, is_self: bool,
                    others_super_admins: int) -> RemovalRefusal | None:
    """Why this removal may not happen, or None. Whether the remover may remove people at all is the
    table's (REMOVE_USER); this is about whom. `others_super_admins`: the account's other super admins
    who signed in (an invitation may never be claimed, so it keeps nobody able to act)."""
    if not may_grant(own_rank, target_rank):
        return RemovalRefusal.ROLE_ABOVE_OWN
    if is_self:
        return RemovalRefusal.SELF  # another admin does it: nobody locks themselves out by a slip
    if target_rank == ROLE_RANK[Role.SUPER_ADMIN] and others_super_admins == 0:
        return RemovalRefusal.LAST_SUPER_ADMIN
    return None


ACTOR_HEADINGS: dict[Actor, str] = {
    Actor.SUPER_ADMIN: "super admin", Actor.ADMIN: "admin", Actor.OWNER_REP: "rep, own object",
    Actor.OTHER_REP: "rep, another rep's object", Actor.KEY_ADMIN: "API key: admin",
    Actor.KEY_INTEGRATION: "API key: integration", Actor.KEY_READ_ONLY: "API key: read_only", Actor.SYSTEM: "worker",
}


def permissions_markdown() -> str:
    """The table as docs/ARCHITECTURE.md shows it."""
    actors = [a for a in Actor if a is not Actor.SYSTEM]
    head = "| action | " + " | ".join(ACTOR_HEADINGS[a] for a in actors) + " |"
    rule = "|---|" + "---|" * len(actors)
    rows = [
        f"| `{action.value}`: {ACTION_MEANING[action]} | "
        + " | ".join("yes" if a in POLICY[action] else "-" for a in actors) + " |"
        for action in Action
    ]
    return "\n".join([head, rule, *rows])
