"""Which Microsoft Entra ID directory roles prove a person may speak for their whole tenant.

Entra ID puts the signed-in user's directory roles in the token's `wids` claim, as role template
ids (the same in every tenant; the app registration asks for them with groupMembershipClaims
"DirectoryRole" or "All"). Linking a tenant to an account hands the account every sign-in of that
tenant, so it takes a role that can also grant our app tenant-wide consent to Microsoft Graph's
application permissions: Global Administrator, or Privileged Role Administrator. Application and
Cloud Application Administrators cannot grant Graph application permissions, so they do not count.
"""

from __future__ import annotations

from collections.abc import Mapping

TENANT_ADMIN_ROLES: Mapping[str, str] = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
}


def tenant_admin_role(wids: object) -> str | None:
    """The name of the first tenant-wide admin role among a token's `wids`, or None (absent,
    malformed, or only other roles)."""
    if not isinstance(wids, list):
        return None
    for wid in wids:
        if isinstance(wid, str) and wid.strip().lower() in TENANT_ADMIN_ROLES:
            return TENANT_ADMIN_ROLES[wid.strip().lower()]
    return None
