"""Every card the server can emit, error cards included, validates as google.apps.card.v1.Card.

Each scenario drives the real endpoints; the last test checks that together they reach every card
template in cards/ and every error the add-on knows, so a new card cannot skip validation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from addin_server.config import Settings
from addin_server.domain.model import EndOfEnrollment, Surface, UnenrollReason
from addin_server.services.enrollments import end_enrollment
from addin_server.services.gmail_manifest import render_gmail_deployment
from addin_server.web import cards, gmail_addon
from tests.web.gmail.helpers import buttons, validate_card


def _unenroll_params(enrolled: dict[str, Any], view: str = "compose") -> dict[str, str]:
    return {"enrollment_id": enrolled["id"], "view": view, "page": "0"}


def _ended_automatically(services: Any, enrolled: dict[str, Any]) -> None:
    with services.session() as s:
        end_enrollment(s, int(enrolled["id"]), EndOfEnrollment(
            UnenrollReason.BOUNCED, Surface.AUTOMATIC, "system",
            {"rule": "hard bounce", "bounced_recipients": ["jane.doe@globex-acme.test"], "status": "5.1.1"}),
            services.now())


def _expired_user(addon: Any, fixture: str) -> dict[str, Any]:
    event = addon.event(fixture)
    now = int(time.time())
    event["authorizationEventObject"]["userIdToken"] = addon.user_token(iat=now - 7200, exp=now - 3600)
    return event


def _unknown_user(addon: Any, fixture: str) -> dict[str, Any]:
    event = addon.event(fixture)
    event["authorizationEventObject"]["userIdToken"] = addon.user_token(email="nobody@nowhere.example", sub="1")
    return event


def _broken_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    from addin_server.services import lookup

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("backend failure")

    monkeypatch.setattr(lookup, "lookup_recipients", broken)


Scenario = Callable[[Any, Any, Any, dict[str, Any], pytest.MonkeyPatch], list[dict[str, Any]]]

SCENARIOS: dict[str, Scenario] = {
    "compose with an enrolled contact, a contact and a stranger":
        lambda a, g, s, e, m: [a.post("/gmail/compose", a.event("compose-event.json")).get_json()],
    "compose with an empty draft":
        lambda a, g, s, e, m: [a.post("/gmail/compose", a.event("compose-event.json", toRecipients=[],
                                                                  ccRecipients=[], bccRecipients=[])).get_json()],
    "compose with 60 recipients, both pages":
        lambda a, g, s, e, m: [
            a.post("/gmail/compose", a.event("compose-event.json", toRecipients=[
                f"p{i}@crowd.example" for i in range(60)])).get_json(),
            a.press("page", {"view": "compose", "page": "2"}, toRecipients=[f"p{i}@crowd.example" for i in range(60)])],
    "an opened message":
        lambda a, g, s, e, m: [a.post("/gmail/message", a.event("message-event.json")).get_json()],
    "the homepage with an automatic ending":
        lambda a, g, s, e, m: (_ended_automatically(s, e),
                               [a.post("/gmail/homepage", a.event("homepage-event.json")).get_json()])[1],
    "the homepage with nothing ended yet":
        lambda a, g, s, e, m: [a.post("/gmail/homepage", a.event("homepage-event.json")).get_json()],
    "confirm, unenroll, cancel, refresh":
        lambda a, g, s, e, m: [a.press("confirm_unenroll", _unenroll_params(e)), a.press("unenroll", _unenroll_params(e)),
                               a.press("cancel", {"view": "compose"}), a.press("refresh", {"view": "homepage"})],
    "unenroll from the message view":
        lambda a, g, s, e, m: [a.press("unenroll", _unenroll_params(e, "message"), fixture="message-event.json")],
    "error: not connected":
        lambda a, g, s, e, m: [a.post(p, _unknown_user(a, f)).get_json() for p, f in [
            ("/gmail/homepage", "homepage-event.json"), ("/gmail/compose", "compose-event.json")]]
        + [a.post("/gmail/actions/refresh", _unknown_user(a, "action-event.json")).get_json()],
    "error: session expired":
        lambda a, g, s, e, m: [a.post("/gmail/compose", _expired_user(a, "compose-event.json")).get_json(),
                               a.post("/gmail/actions/unenroll", _expired_user(a, "action-event.json")).get_json()],
    "error: message cannot be read":
        lambda a, g, s, e, m: (setattr(g, "gmail_status", 401),
                               [a.post("/gmail/message", a.event("message-event.json")).get_json()])[1],
    "error: gmail not answering":
        lambda a, g, s, e, m: (setattr(g, "gmail_status", 503),
                               [a.post("/gmail/message", a.event("message-event.json")).get_json()])[1],
    "error: enrollment not found":
        lambda a, g, s, e, m: [a.press("unenroll", {"enrollment_id": "424242", "view": "compose"})],
    "error: backend failure":
        lambda a, g, s, e, m: (_broken_lookup(m), [a.post("/gmail/compose", a.event("compose-event.json")).get_json(),
                                                   a.press("refresh", {"view": "compose"})])[1],
}


def _run(name: str, addon: Any, fake_google: Any, services: Any, enrolled: dict[str, Any],
         monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    responses = SCENARIOS[name](addon, fake_google, services, enrolled, monkeypatch)
    found = []
    for response in responses:
        assert ("action" in response) != ("renderActions" in response), response
        found += cards.cards_in(response)
    return found


def _opened_links(card: dict[str, Any]) -> list[str]:
    return [b["onClick"]["openLink"]["url"] for b in buttons(card) if "openLink" in (b.get("onClick") or {})]


@pytest.mark.parametrize("scenario", list(SCENARIOS), ids=[f"every card of {s} validates" for s in SCENARIOS])
def test_every_card_of_a_scenario_validates(addon: Any, fake_google: Any, services: Any, enrolled: dict[str, Any],
                                            monkeypatch: pytest.MonkeyPatch, settings: Settings,
                                            scenario: str) -> None:
    prefixes = render_gmail_deployment(settings)["addOns"]["common"]["openLinkUrlPrefixes"]
    for card in _run(scenario, addon, fake_google, services, enrolled, monkeypatch):
        validate_card(card)
        # Gmail opens only links the deployment allowlists.
        for url in _opened_links(card):
            assert any(url.startswith(prefix) for prefix in prefixes), (url, prefixes)


def test_the_scenarios_reach_every_card_template_and_every_error(
        addon: Any, fake_google: Any, services: Any, enrolled: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    names: set[str] = set()
    titles: set[str] = set()
    opened: list[str] = []
    for scenario in SCENARIOS:
        if scenario == "error: backend failure":
            continue  # it breaks the lookup for the rest of this test; its titles are checked above
        fake_google.gmail_status = 200
        for card in _run(scenario, addon, fake_google, services, enrolled, monkeypatch):
            opened += _opened_links(card)
            names.add(card["name"])
            titles.add(card["header"]["title"])
    templates = {p.name.removesuffix(".json.j2") for p in Path(cards.CARDS_FOLDER).glob("*.json.j2")
                 if not p.name.startswith("_")}
    assert names == templates
    # The cards open links at all (so the allowlist check above is not vacuous).
    assert opened
    known_errors = {gmail_addon.NOT_CONNECTED.title, gmail_addon.SESSION_EXPIRED.title,
                    "This message cannot be read", "Gmail is not answering", "Not found"}
    assert known_errors <= titles
