"""Test data builders: the world a test needs, made through the real use cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from addin_server.services import accounts, directory, identity, sequences
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.sequences import StepInput


@dataclass
class World:
    account_id: int
    api_key: str
    admin: Principal
    rep: dict[str, Any]
    other_rep: dict[str, Any]
    company: dict[str, Any]
    contact: dict[str, Any]
    colleague: dict[str, Any]
    sequence: dict[str, Any]
    super_admin: Principal

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


THREE_STEPS = [
    StepInput("automated_email", 0, "Intro", "Hello there"),
    StepInput("call", 2, "Call", ""),
    StepInput("automated_email", 3, "", "Following up", True),
]


# Acme's Microsoft 365 organisation, the tenant the tests' Outlook tokens come from.
ACME_TENANT = "3c9a1f0e-2b7d-4e58-9a61-5d0f4e2b8c17"
INITECH_TENANT = "0b6e5c4d-3a29-4f18-8e07-d6c5b4a39281"


def link_proven_tenant(ctx: ServiceContext, account_id: int, tid: str) -> None:
    """A tenant linked as its Global Administrator's sign-in through a super admin's link links it."""
    with ctx.session() as s:
        identity.link_tenant(s, account_id, tid, "tenant_admin_sign_in", ctx.now(),
                             proven_by=f"Global Administrator: it-admin@{tid[:8]}.test (oid fixture)")


def link_proven_domain(ctx: ServiceContext, account_id: int, domain: str) -> None:
    """A Workspace domain linked as its super administrator's sign-in through the link links it."""
    with ctx.session() as s:
        identity.link_tenant(s, account_id, domain, "workspace_super_admin_sign_in", ctx.now(), identity.GOOGLE,
                             proven_by=f"Google Workspace super administrator: it@{domain} (sub fixture)")


def make_world(ctx: ServiceContext, *, plan: str = "enterprise", name: str = "Acme",
               steps: list[StepInput] | None = None, domain: str = "acme.test",
               ms_tenants: list[str] | None = None) -> World:
    """An account with reps, contacts and a sequence; the Acme world is linked to Acme's tenant (as its
    Global Administrator's sign-in through the link would), other worlds to none unless `ms_tenants` says."""
    if ms_tenants is None:
        ms_tenants = {"acme.test": [ACME_TENANT], "initech.test": [INITECH_TENANT]}.get(domain, [])
    made = accounts.create_account(ctx, name=name, plan=plan, admin_email=f"admin@{domain}")
    for tid in ms_tenants:
        link_proven_tenant(ctx, made.account_id, tid)
    admin = Principal.for_api_key(made.account_id, name, "admin")
    rep = directory.create_user(ctx, admin, email=f"rita@{domain}", name="Rita Rep", role="user",
                                mailbox_provider="gmail", mailbox_address=f"rita@{domain}")
    other = directory.create_user(ctx, admin, email=f"otto@{domain}", name="Otto Other", role="user",
                                  mailbox_provider="outlook", mailbox_address=f"otto@{domain}")
    company = directory.create_company(ctx, admin, name="Globex", domains=[f"globex-{domain}"])
    contact = directory.create_contact(ctx, admin, email=f"jane.doe@globex-{domain}",
                                       secondary_emails=["jane.doe.home@gmail.com"], first_name="Jane",
                                       last_name="Doe", company_id=company["id"])
    colleague = directory.create_contact(ctx, admin, email=f"raj@globex-{domain}", first_name="Raj",
                                         company_id=company["id"])
    seq = sequences.create_sequence(ctx, admin, name="Intro outreach", owner_user_id=rep["id"],
                                    steps=steps or THREE_STEPS)
    # The account's first super admin (a person): the only one who may join the beta or make super admins.
    super_admin = Principal(account_id=made.account_id, label=f"user:admin@{domain}", user_id=made.admin_user_id,
                            role="super_admin")
    return World(made.account_id, made.api_key, admin, rep, other, company, contact, colleague, seq, super_admin)


def follow_outlook_inbox(ctx: ServiceContext, world: World, subscription_id: str) -> str:
    """Otto's Outlook inbox followed through Graph subscription `subscription_id`, as connecting his
    mailbox would leave it; returns the subscription's clientState (only its hash is stored)."""
    from addin_server.auth.client_state import issue_client_state
    from addin_server.db import tables as t

    issued = issue_client_state(ctx.settings)
    with ctx.session() as s:
        s.add(t.MailboxWatch(account_id=world.account_id, user_id=int(world.other_rep["id"]), provider="outlook",
                             mailbox_address=world.other_rep["mailbox_address"], subscription_id=subscription_id,
                             client_state_hash=issued.stored_hash, status="active"))
    return issued.secret
