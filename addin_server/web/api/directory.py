"""/companies, /users and /contacts: who the account sells to and who sells."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from addin_server.services import directory, people
from addin_server.web.api.base import Email, Id, Name, Open, Strict, bp, ctx, principal, spec
from addin_server.web.apispec import operation


class CompanyIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    domains: Annotated[list[Annotated[str, Field(min_length=3, max_length=255)]], Field(max_length=50)] = []


class UserIn(Strict):
    email: Email
    name: Name = ""
    role: Literal["super_admin", "admin", "user"] = "user"
    mailbox_provider: Literal["gmail", "outlook"]
    mailbox_address: Email | None = None
    mailbox_aliases: Annotated[list[Email], Field(max_length=20)] = []


class RoleIn(Strict):
    role: Literal["super_admin", "admin", "user"]


class ContactIn(Strict):
    email: Email
    secondary_emails: Annotated[list[Email], Field(max_length=20)] = []
    first_name: Name = ""
    last_name: Name = ""
    company_id: Id | None = None


class CompanyOut(Open):
    id: str
    name: str
    domains: list[str]


class UserOut(Open):
    id: str
    email: str
    name: str
    role: str
    mailbox_provider: str
    mailbox_address: str


class ContactOut(Open):
    id: str
    email: str
    secondary_emails: list[str]
    first_name: str
    last_name: str
    company_id: str | None


@operation(spec, bp, "POST", "/companies", summary="Create a company", tag="directory", body=CompanyIn,
           response=CompanyOut, status=201, errors=(400, 409, 422),
           description="Free-mail domains (gmail.com, outlook.com, ...) are never company domains; "
                       "they are listed in ignored_domains.")
def create_company(body: CompanyIn) -> Any:
    return directory.create_company(ctx(), principal(), name=body.name, domains=body.domains)


@operation(spec, bp, "GET", "/companies/{company_id}", summary="Read a company", tag="directory",
           response=CompanyOut)
def get_company(company_id: str) -> Any:
    return directory.get_company(ctx(), principal(), company_id)


@operation(spec, bp, "POST", "/users", summary="Create a user (a rep)", tag="directory", body=UserIn,
           response=UserOut, status=201, errors=(400, 409, 422))
def create_user(body: UserIn) -> Any:
    return directory.create_user(ctx(), principal(), **body.model_dump())


@operation(spec, bp, "PATCH", "/users/{user_id}", summary="Change a user's role", tag="directory", body=RoleIn,
           response=UserOut, errors=(400, 403, 404, 422),
           description="Nobody grants or takes away a role above their own; the user's web sessions end.")
def change_user_role(user_id: str, body: RoleIn) -> Any:
    return directory.change_role(ctx(), principal(), user_id, body.role)


class UserListQuery(Strict):
    model_config = ConfigDict(extra="forbid", strict=False)
    include_removed: bool = False


class PersonOut(UserOut):
    mailbox_connected: bool
    removed: bool
    removed_at: str | None


class UserList(Open):
    users: list[PersonOut]


class RemovedOut(PersonOut):
    ended_enrollments: list[str]


@operation(spec, bp, "GET", "/users", summary="List the account's people", tag="directory", query=UserListQuery,
           response=UserList, errors=(400, 403, 422),
           description="Present people first; removed ones (kept for their history) with include_removed=true.")
def list_users(query: UserListQuery) -> Any:
    return {"users": people.list_users(ctx(), principal(), include_removed=query.include_removed)}


@operation(spec, bp, "DELETE", "/users/{user_id}", summary="Remove a person", tag="directory", response=RemovedOut,
           errors=(403, 404, 409),
           description="The person's row and history stay (marked removed). At once: their sessions, sign-ins "
                       "and the API keys they made stop, their mailbox watch or subscription is deleted, and "
                       "their open enrollments that send from their mailbox end with reason `user_removed` "
                       "(listed in ended_enrollments). Nobody removes someone above their own role, themselves "
                       "(409 cannot_remove_self) or the last super admin who signed in (409 last_super_admin). "
                       "Their addresses can be invited again. Removing a removed person answers the same.")
def remove_user(user_id: str) -> Any:
    return people.remove_user(ctx(), principal(), user_id)


@operation(spec, bp, "GET", "/users/{user_id}", summary="Read a user", tag="directory", response=UserOut)
def get_user(user_id: str) -> Any:
    return directory.get_user(ctx(), principal(), user_id)


@operation(spec, bp, "POST", "/contacts", summary="Create a contact", tag="directory", body=ContactIn,
           response=ContactOut, status=201, errors=(400, 404, 409, 422))
def create_contact(body: ContactIn) -> Any:
    return directory.create_contact(ctx(), principal(), **body.model_dump())


@operation(spec, bp, "GET", "/contacts/{contact_id}", summary="Read a contact", tag="directory",
           response=ContactOut)
def get_contact(contact_id: str) -> Any:
    return directory.get_contact(ctx(), principal(), contact_id)


class ContactChangesIn(Strict):
    first_name: Name | None = None
    last_name: Name | None = None
    company_id: Id | None = None


@operation(spec, bp, "PATCH", "/contacts/{contact_id}", summary="Change a contact's name or company",
           tag="directory", body=ContactChangesIn, response=ContactOut, errors=(400, 404, 422))
def update_contact(contact_id: str, body: ContactChangesIn) -> Any:
    return directory.update_contact(ctx(), principal(), contact_id, changes=body.model_dump(exclude_unset=True))


@operation(spec, bp, "POST", "/contacts/{contact_id}/addresses/{address}/clear-bounce", tag="directory",
           response=ContactOut, errors=(403, 404, 422), summary="Clear a bounced address (admins)",
           description="For a bounce judged wrong that no undo reaches (it came after the contact's enrollment "
                       "had ended): clears the address's bounced mark and soft-bounce count.")
def clear_bounce(contact_id: str, address: str) -> Any:
    return directory.clear_bounce(ctx(), principal(), contact_id, address)
