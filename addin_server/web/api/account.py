"""/account, /me/mailbox and /api-keys: the calling account, its settings and its keys."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from addin_server.services import accounts, directory, enrollments, people
from addin_server.web.api.base import Open, Strict, bp, ctx, principal, spec
from addin_server.web.apispec import operation


class ApiKeyIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Literal["admin", "integration", "read_only"]


class ApiKeyOut(Open):
    api_key: str
    prefix: str
    name: str
    role: str


class AccountSettingsIn(Strict):
    unenroll_same_company: bool | None = None
    soft_bounce_threshold: Annotated[int, Field(ge=1, le=20)] | None = None
    custom_triggers_beta: bool | None = None


class AccountOut(Open):
    id: str
    name: str
    plan: str
    custom_triggers_beta: bool
    # The default of new sequences' "unenroll contacts from the same company" checkbox.
    unenroll_same_company: bool
    soft_bounce_threshold: int


def _account_view(a: Any) -> dict[str, Any]:
    return {"id": str(a.id), "name": a.name, "plan": a.plan, "custom_triggers_beta": a.custom_triggers_beta,
            "unenroll_same_company": a.unenroll_same_company, "soft_bounce_threshold": a.soft_bounce_threshold}


@operation(spec, bp, "GET", "/account", summary="The calling account and its settings", tag="account",
           response=AccountOut, errors=())
def get_account() -> Any:
    return _account_view(accounts.get_account(ctx(), principal().account_id))


class MeUserOut(Open):
    id: str
    name: str
    email: str


class MeOut(Open):
    kind: str
    actor: str
    role: str
    user: MeUserOut | None


@operation(spec, bp, "GET", "/me", summary="Who is calling: a rep (with their id and name) or an API key",
           tag="account", response=MeOut, errors=(),
           description="`actor` is the value an ending made by this caller carries as `end_actor`.")
def me() -> Any:
    return directory.who_am_i(ctx(), principal())


class MailboxStatusOut(Open):
    can_send: bool
    notice: str | None
    connect_url: str | None


@operation(spec, bp, "GET", "/me/mailbox", summary="Whether the calling rep's mailbox can send sequence emails",
           tag="account", response=MailboxStatusOut)
def my_mailbox() -> Any:
    # The add-ins ask once per pane: a rep who cannot send sees why and where to connect.
    notice = enrollments.own_mailbox_notice(ctx(), principal())
    return {"can_send": notice is None, "notice": notice,
            "connect_url": ctx().settings.public_endpoint("/app/settings#mailboxes") if notice else None}


@operation(spec, bp, "PATCH", "/account/settings", summary="Change account settings", tag="account",
           body=AccountSettingsIn, response=AccountOut, errors=(400, 403, 422),
           description="`unenroll_same_company` is the default of new sequences' checkbox; each sequence "
                       "keeps its own (`PUT /sequences/{id}/automation`).")
def patch_account_settings(body: AccountSettingsIn) -> Any:
    return _account_view(accounts.update_account_settings(ctx(), principal(), **body.model_dump(exclude_none=True)))


@operation(spec, bp, "POST", "/api-keys", summary="Create an API key (shown once)", tag="account", body=ApiKeyIn,
           response=ApiKeyOut, status=201, errors=(400, 403, 422),
           description="Admins only (a person, not a key); the key's role is never above the creator's.")
def create_api_key(body: ApiKeyIn) -> Any:
    return accounts.issue_api_key(ctx(), principal(), name=body.name, role=body.role)


class ApiKeyListed(Open):
    id: str
    prefix: str
    name: str
    role: str
    made_by: str
    created_at: str
    last_used_at: str | None
    revoked: bool
    revoked_at: str | None
    # revoked_by_admin | revoked_by_operator | maker_no_longer_admin (its maker was demoted or removed)
    revoked_reason: str | None


class ApiKeyList(Open):
    api_keys: list[ApiKeyListed]


@operation(spec, bp, "GET", "/api-keys", summary="The account's API keys (never the keys themselves)", tag="account",
           response=ApiKeyList, errors=(403,),
           description="Admins only (a person, not a key). `last_used_at` is not recorded (null).")
def list_api_keys() -> Any:
    return {"api_keys": people.list_api_keys(ctx(), principal())}


@operation(spec, bp, "DELETE", "/api-keys/{api_key_id}", summary="Revoke an API key", tag="account",
           response=ApiKeyListed, errors=(403, 404),
           description="Admins only (a person, not a key). The key is refused (401) from its next request on, "
                       "by every server process; the row stays listed as revoked. Revoking it again answers the same.")
def revoke_api_key(api_key_id: str) -> Any:
    return people.revoke_api_key(ctx(), principal(), api_key_id)
