"""The Admin SDK Directory API's users.get, as far as telling a Workspace super admin from anyone else.

GET /admin/directory/v1/users/{userKey} (the user's primary address or unique id). Only an
administrator of the same Workspace domain, with a token granted a directory scope, reads a user
(anyone else: 403 "Not Authorized to access this resource/api", as Google answers); `isAdmin` says
whether that user is a super administrator.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, request

from addin_emulator.google.api import current_mailbox, ok, state
from addin_emulator.google.errors import GoogleApiError
from addin_emulator.google.issuer import _numeric_id  # the ID token's `sub`: users.get finds a user by it

DIRECTORY_SCOPES = frozenset({"https://www.googleapis.com/auth/admin.directory.user",
                              "https://www.googleapis.com/auth/admin.directory.user.readonly"})
NOT_AUTHORIZED = "Not Authorized to access this resource/api"


def _granted_scopes() -> set[str]:
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    with state().lock:
        access = state().access_tokens.get(token)
        grant = state().grants.get(access.refresh_token) if access is not None else None
        return set(grant.scopes) if grant is not None else set()


def add_routes(bp: Blueprint) -> None:
    @bp.get("/admin/directory/v1/users/<user_key>")
    def get_user(user_key: str) -> Response:
        caller = current_mailbox()
        if not _granted_scopes() & DIRECTORY_SCOPES:
            raise GoogleApiError(403, "Request had insufficient authentication scopes.", "insufficientPermissions")
        wanted = user_key.strip().lower()
        with state().lock:
            target = next((m for m in state().mailboxes.values()
                           if wanted in (m.address, _numeric_id(m.address))), None)
        caller_domain = caller.address.rpartition("@")[2]
        if not caller.workspace_admin or (target is not None and target.address.rpartition("@")[2] != caller_domain):
            raise GoogleApiError(403, NOT_AUTHORIZED, "forbidden")
        if target is None:
            raise GoogleApiError(404, "Resource Not Found: userKey", "notFound")
        return ok({
            "kind": "admin#directory#user",
            "id": _numeric_id(target.address),
            "primaryEmail": target.address,
            "isAdmin": target.workspace_admin,
            "isDelegatedAdmin": False,
            "customerId": "C0" + hashlib.sha256(caller_domain.encode()).hexdigest()[:7],
        })
