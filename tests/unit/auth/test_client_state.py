"""Graph clientState: each subscription's secret is checked against a stored keyed hash only."""

from __future__ import annotations

import pytest

from addin_server.auth.client_state import (
    client_state_matches,
    hash_client_state,
    issue_client_state,
    verify_client_state,
)
from addin_server.auth.errors import AuthError
from addin_server.config import Settings

SETTINGS = Settings(secret_key="unit-test-secret-key-not-for-production")


def test_the_client_state_graph_echoes_back_is_accepted() -> None:
    issued = issue_client_state(SETTINGS)
    verify_client_state(issued.secret, issued.stored_hash, SETTINGS)
    assert client_state_matches(issued.secret, issued.stored_hash, SETTINGS)


REFUSED = {
    "another subscription's client state is refused": lambda issued: issue_client_state(SETTINGS).secret,
    "a client state differing in one character is refused": lambda issued: (
        issued.secret[:-1] + ("A" if issued.secret[-1] != "A" else "B")
    ),
    "a notification without a client state is refused": lambda issued: None,
    "an empty client state is refused": lambda issued: "",
    "sending the stored hash itself is refused": lambda issued: issued.stored_hash,
}


@pytest.mark.parametrize("received", REFUSED.values(), ids=REFUSED.keys())
def test_a_wrong_client_state_is_refused(received) -> None:
    issued = issue_client_state(SETTINGS)
    with pytest.raises(AuthError) as caught:
        verify_client_state(received(issued), issued.stored_hash, SETTINGS)
    assert (caught.value.code, caught.value.status) == ("bad_client_state", 403)


def test_the_stored_value_is_not_the_secret_and_does_not_contain_it() -> None:
    issued = issue_client_state(SETTINGS)
    assert issued.stored_hash != issued.secret
    assert issued.secret not in issued.stored_hash
    assert issued.secret not in repr(issued)


def test_client_states_are_unique_and_fit_graphs_128_character_limit() -> None:
    secrets = {issue_client_state(SETTINGS).secret for _ in range(200)}
    assert len(secrets) == 200
    assert all(32 <= len(secret) <= 128 for secret in secrets)


def test_the_hash_is_keyed_with_the_secret_key() -> None:
    other_server = Settings(secret_key="another-deployment-secret")
    assert hash_client_state("same-state", SETTINGS) != hash_client_state("same-state", other_server)
    issued = issue_client_state(SETTINGS)
    assert not client_state_matches(issued.secret, issued.stored_hash, other_server)
