"""Tokens with real msal against the emulator's identity platform over HTTPS."""

from __future__ import annotations

import pytest
import requests

from addin_server.config import Settings
from addin_server.providers.graph import GrantRevoked, GraphMailbox, GraphTokens, SsoTokenRefused, authority_for
from tests.integration.emulator_microsoft.support import MicrosoftSetup


def test_an_app_only_token_reads_the_reps_mailbox(settings: Settings, setup: MicrosoftSetup) -> None:
    tokens = GraphTokens(settings, setup.tenant_id)
    token = tokens.app_token()
    assert tokens.app_token() == token, "msal answers from its cache"
    mailbox = GraphMailbox(settings, setup.user_id, tokens.app_token)
    assert mailbox.inbox_delta(None, from_now=True).message_ids == ()


def test_the_ca_bundle_setting_wins_over_requests_ca_variables(
    settings: Settings, setup: MicrosoftSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Machines often point these at a public CA store, which does not hold the emulator's CA;
    # requests would let them override the verify= msal passes.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.setenv(name, requests.certs.where())
    assert GraphTokens(settings, setup.tenant_id).app_token()


def test_the_add_ins_sso_token_is_exchanged_on_behalf_of_the_rep(settings: Settings, setup: MicrosoftSetup) -> None:
    sso = setup.control.mint_sso_token(setup.client_id, setup.address)
    delegated = GraphTokens(settings, setup.tenant_id).on_behalf_of(sso)
    # The delegated token opens the rep's own mailbox.
    mailbox = GraphMailbox(settings, setup.user_id, lambda: delegated)
    assert mailbox.inbox_delta(None, from_now=True).delta_link


@pytest.mark.parametrize(
    "exchange",
    [
        pytest.param("app_token", id="withdrawn admin consent stops app-only tokens and marks the grant revoked"),
        pytest.param("on_behalf_of", id="withdrawn consent stops on-behalf-of tokens and marks the grant revoked"),
    ],
)
def test_withdrawn_consent_is_a_revoked_grant(settings: Settings, setup: MicrosoftSetup, exchange: str) -> None:
    sso = setup.control.mint_sso_token(setup.client_id, setup.address)
    setup.control.set_consent(setup.client_id, setup.tenant_id, granted=False)
    tokens = GraphTokens(settings, setup.tenant_id)
    with pytest.raises(GrantRevoked) as caught:
        tokens.app_token() if exchange == "app_token" else tokens.on_behalf_of(sso)
    assert "65001" in str(caught.value)


def test_a_cached_token_refused_by_graph_after_consent_is_withdrawn_is_a_revoked_grant(
    settings: Settings, setup: MicrosoftSetup, mailbox: GraphMailbox
) -> None:
    mailbox.inbox_delta(None, from_now=True)  # the token is now in msal's cache
    setup.control.set_consent(setup.client_id, setup.tenant_id, granted=False)
    with pytest.raises(GrantRevoked) as caught:
        mailbox.inbox_delta(None, from_now=True)
    assert caught.value.status == 403


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param("expired", id="an expired SSO token is refused, not taken for a revoked grant"),
        pytest.param("wrong_audience", id="an SSO token for another app is refused"),
    ],
)
def test_a_bad_sso_token_is_refused(settings: Settings, setup: MicrosoftSetup, variant: str) -> None:
    sso = setup.control.mint_sso_token(setup.client_id, setup.address, variant=variant)
    with pytest.raises(SsoTokenRefused):
        GraphTokens(settings, setup.tenant_id).on_behalf_of(sso)


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        pytest.param("https://login.microsoftonline.com/common", "https://login.microsoftonline.com/T",
                     id="production: the common authority becomes the tenant's"),
        pytest.param("https://127.0.0.1:8443/ms/common", "https://127.0.0.1:8443/ms/T",
                     id="emulator: the common authority becomes the tenant's"),
        pytest.param("https://127.0.0.1:8443/ms", "https://127.0.0.1:8443/ms/T",
                     id="an authority without a tenant gets the tenant appended"),
        pytest.param("https://login.microsoftonline.com/contoso.onmicrosoft.com/",
                     "https://login.microsoftonline.com/T", id="another tenant's authority is replaced"),
    ],
)
def test_the_authority_names_the_reps_tenant(configured: str, expected: str) -> None:
    assert authority_for(Settings(ms_authority=configured), "T") == expected
