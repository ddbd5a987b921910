"""Removal, role changes, sign-ins, invitations and enrollments racing on one person, on SQLite and
on PostgreSQL (TEST_DATABASE_URL): every check of services/people.py holds under concurrency."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from addin_server.db import tables as t
from addin_server.services import directory, enrollments, identity, people
from addin_server.services.context import Principal, ServiceContext
from addin_server.services.errors import Conflict, ServiceError, Unauthorized
from tests.builders import World, make_world
from tests.integration.core.test_concurrency import _race


def _second_signed_in_super_admin(services: ServiceContext, w: World) -> Principal:
    omar = directory.create_user(services, w.super_admin, email="omar@acme.test", name="Omar", role="super_admin",
                                 mailbox_provider="outlook", mailbox_address=None)
    with services.session() as s:  # his sign-in proved the address
        identity.bind_addresses(s, s.get_one(t.User, int(omar["id"])), ["omar@acme.test"], "microsoft_sign_in",
                                services.now())
    return Principal(account_id=w.account_id, label="user:omar@acme.test", user_id=int(omar["id"]),
                     role="super_admin")


def _present_super_admins(services: ServiceContext, account_id: int) -> int:
    with services.session() as s:
        return len(list(s.scalars(select(t.User.id).where(
            t.User.account_id == account_id, t.User.role == "super_admin", t.User.removed_at.is_(None)))))


@pytest.mark.parametrize("round_", range(3))
def test_two_super_admins_removing_each_other_at_once_leave_one_super_admin(
        services: ServiceContext, round_: int) -> None:
    w = make_world(services, name="Acme", domain="acme.test")
    omar = _second_signed_in_super_admin(services, w)
    pairs = [(w.super_admin, omar), (omar, w.super_admin)]
    results = _race(2, lambda i: people.remove_user(services, pairs[i][0], str(pairs[i][1].user_id)))
    assert sum(isinstance(r, dict) for r in results) == 1, results
    refused = next(r for r in results if not isinstance(r, dict))
    assert isinstance(refused, (Conflict, Unauthorized)), refused
    assert _present_super_admins(services, w.account_id) == 1


@pytest.mark.parametrize("round_", range(3))
def test_two_super_admins_demoting_each_other_at_once_leave_one_super_admin(
        services: ServiceContext, round_: int) -> None:
    w = make_world(services, name="Acme", domain="acme.test")
    omar = _second_signed_in_super_admin(services, w)
    pairs = [(w.super_admin, omar), (omar, w.super_admin)]
    results = _race(2, lambda i: directory.change_role(services, pairs[i][0], str(pairs[i][1].user_id), "user"))
    assert sum(isinstance(r, dict) for r in results) == 1, results
    assert all(isinstance(r, (dict, ServiceError)) for r in results), results
    assert _present_super_admins(services, w.account_id) == 1


@pytest.mark.parametrize("round_", range(2))
def test_enrollments_racing_the_senders_removal_are_refused_or_ended_never_left_sending(
        services: ServiceContext, round_: int) -> None:
    w = make_world(services, name="Acme", domain="acme.test")
    contacts = [directory.create_contact(services, w.admin, email=f"c{i}@globex.test")["id"] for i in range(6)]

    def act(i: int) -> Any:
        if i == len(contacts):
            return people.remove_user(services, w.admin, w.rep["id"])
        return enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=contacts[i],
                                  sender_user_id=w.rep["id"])

    results = _race(len(contacts) + 1, act)
    assert all(isinstance(r, (dict, Conflict)) for r in results), results
    with services.session() as s:
        still_open = list(s.scalars(select(t.Enrollment.id).where(
            t.Enrollment.sender_user_id == int(w.rep["id"]), t.Enrollment.status.in_(["active", "paused"]))))
    assert still_open == []
    made = sorted(r["id"] for r in results[:-1] if isinstance(r, dict))
    assert sorted(results[-1]["ended_enrollments"]) == made


@pytest.mark.parametrize("round_", range(3))
def test_a_sign_in_racing_the_removal_binds_nothing_to_the_removed_person(
        services: ServiceContext, round_: int) -> None:
    w = make_world(services, name="Acme", domain="acme.test")

    def sign_in() -> None:
        with services.session() as s:
            identity.bind_addresses(s, s.get_one(t.User, int(w.rep["id"])), [w.rep["email"]], "google_sign_in",
                                    services.now())

    results = _race(2, lambda i: sign_in() if i == 0 else people.remove_user(services, w.admin, w.rep["id"]))
    assert results[0] is None or (isinstance(results[0], Conflict) and results[0].code == "user_removed"), results
    with services.session() as s:
        assert s.scalar(select(t.AddressBinding.id).where(t.AddressBinding.user_id == int(w.rep["id"]))) is None
    # The address can be invited again.
    again = directory.create_user(services, w.admin, email=w.rep["email"], name="Rita", role="user",
                                  mailbox_provider="gmail", mailbox_address=None)
    assert again["id"] == w.rep["id"]


@pytest.mark.parametrize("round_", range(2))
def test_the_same_address_invited_four_times_at_once_is_one_invitation_and_three_409s(
        services: ServiceContext, round_: int) -> None:
    w = make_world(services, name="Acme", domain="acme.test")
    results = _race(4, lambda i: directory.create_user(services, w.admin, email="dup@acme.test", name="D",
                                                       role="user", mailbox_provider="gmail", mailbox_address=None))
    assert sum(isinstance(r, dict) for r in results) == 1, results
    assert [r.code for r in results if not isinstance(r, dict)] == ["conflict"] * 3, results
