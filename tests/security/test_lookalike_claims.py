"""One mailbox, one claim: no other account claims or shadows a rep's address by spelling it another way.

Gmail ignores dots and +tags and reads googlemail.com as gmail.com, so those spellings are one
mailbox; other domains keep their local parts exactly. An address with look-alike letters (Cyrillic
or Greek mixed into a Latin one, fullwidth forms, a domain in other letters that reads as a Latin
one) is refused with a 422 `lookalike_address`, and what is left is compared by its claim key
(domain/addresses.claim_key), so a spoof never binds beside the real address.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.services import accounts, identity
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict, Invalid
from tests.builders import World, make_world
from tests.security.conftest import row_counts

NEW_REP = {"name": "Impostor", "role": "user", "mailbox_provider": "gmail"}
JANE = "janesmith@gmail.com"


def _jane_proved_in(services: ServiceContext, client: Any, world: World) -> int:
    """Jane, a rep of `world` with a consumer Gmail address, signs in with Google: the address is bound."""
    r = client.post("/api/v1/users", headers=world.headers, json={**NEW_REP, "name": "Jane", "email": JANE})
    assert r.status_code == 201
    jane = identity.principal_for_google_user(services, sub="g-jane", email=JANE)
    assert jane is not None and jane.account_id == world.account_id
    return int(r.get_json()["id"])


GMAIL_SPELLINGS = [
    pytest.param("jane.smith@gmail.com", id="gmail ignores dots: jane.smith is janesmith"),
    pytest.param("Jane.Smith+x@googlemail.com", id="a +tag and googlemail.com are the same gmail mailbox"),
    pytest.param("j.a.n.e.s.m.i.t.h@GMAIL.COM", id="case and dots anywhere"),
]


@pytest.mark.parametrize("spelling", GMAIL_SPELLINGS)
@pytest.mark.parametrize("field", ["email", "mailbox_address", "mailbox_aliases"])
def test_another_account_cannot_claim_another_spelling_of_a_proven_gmail_mailbox(
        client: Any, services: ServiceContext, spelling: str, field: str) -> None:
    a, b = make_world(services), make_world(services, name="Initech", domain="initech.test")
    _jane_proved_in(services, client, a)
    body: dict[str, Any] = {**NEW_REP, "email": "x@initech.test"}
    body[field] = [spelling] if field == "mailbox_aliases" else spelling
    before = row_counts(services)
    r = client.post("/api/v1/users", headers=b.headers, json=body)
    assert r.status_code == 409, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "address_taken" and "Acme" not in error["message"]
    assert row_counts(services) == before


@pytest.mark.parametrize("spelling", GMAIL_SPELLINGS)
def test_accounts_create_refuses_another_spelling_of_a_proven_gmail_mailbox(
        client: Any, services: ServiceContext, spelling: str) -> None:
    _jane_proved_in(services, client, make_world(services))
    with pytest.raises(Conflict) as refused:
        accounts.create_account(services, name="Evil", plan="enterprise", admin_email=spelling)
    assert refused.value.code == "address_taken"


def test_signing_in_with_another_spelling_of_the_bound_gmail_mailbox_is_the_same_rep(
        client: Any, services: ServiceContext) -> None:
    a = make_world(services)
    jane_id = _jane_proved_in(services, client, a)
    again = identity.principal_for_google_user(services, sub="g-jane", email="Jane.Smith@gmail.com")
    assert again is not None and again.user_id == jane_id
    with services.session() as s:  # one binding covers the mailbox's spellings
        assert s.scalar(select(func.count()).select_from(t.AddressBinding)
                        .where(t.AddressBinding.user_id == jane_id)) == 1


def test_other_domains_keep_dots_and_tags_so_their_spellings_are_other_addresses(
        client: Any, services: ServiceContext) -> None:
    a, b = make_world(services), make_world(services, name="Initech", domain="initech.test")
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test") is not None
    for address in ("r.ita@acme.test", "rita+x@acme.test"):
        r = client.post("/api/v1/users", headers=b.headers, json={**NEW_REP, "email": address})
        assert r.status_code == 201, address  # a different mailbox at a company domain: an invitation
    assert a.account_id != b.account_id


LOOKALIKES = [
    pytest.param("rit\u0430@acme.test", id="a cyrillic a in a latin local part"),
    pytest.param("r\u03b9ta@acme.test", id="a greek iota in a latin local part"),
    pytest.param("\uff52\uff49\uff54\uff41@acme.test", id="a fullwidth local part"),
    pytest.param("rita@\u0430cme.test", id="a cyrillic a in a latin domain"),
    pytest.param("rita@\u0430\u0441\u0441\u043e.test", id="an all-cyrillic domain that reads as latin"),
    pytest.param("\u0430\u0441\u0435@acme.test", id="an all-cyrillic local part that reads as latin"),
]


@pytest.mark.parametrize("lookalike", LOOKALIKES)
@pytest.mark.parametrize("field", ["email", "mailbox_address", "mailbox_aliases"])
def test_a_lookalike_address_is_refused_and_changes_nothing(
        client: Any, services: ServiceContext, lookalike: str, field: str) -> None:
    make_world(services)
    b = make_world(services, name="Initech", domain="initech.test")
    body: dict[str, Any] = {**NEW_REP, "email": "x@initech.test"}
    body[field] = [lookalike] if field == "mailbox_aliases" else lookalike
    before = row_counts(services)
    r = client.post("/api/v1/users", headers=b.headers, json=body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["code"] == "lookalike_address"
    assert row_counts(services) == before


@pytest.mark.parametrize("lookalike", LOOKALIKES)
def test_accounts_create_refuses_a_lookalike_admin_address(services: ServiceContext, lookalike: str) -> None:
    with pytest.raises(Invalid) as refused:
        accounts.create_account(services, name="Evil", plan="enterprise", admin_email=lookalike)
    assert refused.value.code == "lookalike_address"


@pytest.mark.parametrize("lookalike", LOOKALIKES)
def test_a_sign_in_with_a_lookalike_of_a_reps_address_is_nobody(services: ServiceContext, lookalike: str) -> None:
    make_world(services)
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test") is not None
    assert identity.principal_for_google_user(services, sub="g-mallory", email=lookalike) is None


def test_another_rep_cannot_bind_another_spelling_of_a_bound_address(services: ServiceContext) -> None:
    a = make_world(services)
    assert identity.principal_for_google_user(services, sub="g-rita", email="rita@acme.test") is not None
    with services.session() as s, pytest.raises(Conflict):
        other = s.get_one(t.User, int(a.other_rep["id"]))
        identity.bind_addresses(s, other, ["RITA@acme.test"], "google_sign_in", services.now())


def test_an_invitation_is_found_in_whatever_spelling_google_reports_the_gmail_address(
        client: Any, services: ServiceContext) -> None:
    a = make_world(services)
    r = client.post("/api/v1/users", headers=a.headers, json={**NEW_REP, "name": "Jane", "email": "jane.smith@gmail.com"})
    assert r.status_code == 201
    jane = identity.principal_for_google_user(services, sub="g-jane", email="JaneSmith@googlemail.com")
    assert jane is not None and jane.user_id == int(r.get_json()["id"])


def test_two_accounts_inviting_two_spellings_of_one_gmail_mailbox_capture_nobody(
        client: Any, services: ServiceContext) -> None:
    """Neither invitation wins by spelling the address the way Google reports it: sign-in refuses
    rather than guesses, as it does for one spelling invited twice."""
    a, b = make_world(services), make_world(services, name="Initech", domain="initech.test")
    for world, spelling in ((a, "janesmith@gmail.com"), (b, "jane.smith@gmail.com")):
        r = client.post("/api/v1/users", headers=world.headers, json={**NEW_REP, "email": spelling})
        assert r.status_code == 201
    assert identity.principal_for_google_user(services, sub="g-jane", email="jane.smith@gmail.com") is None
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.AddressBinding)
                        .where(t.AddressBinding.claim_key == "janesmith@gmail.com")) == 0
