"""The deployment document gcloud receives: parsed as google.cloud.gsuiteaddons_v1.Deployment, strictly."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from google.cloud import gsuiteaddons_v1
from google.protobuf.json_format import ParseError

from addin_server.config import Settings
from addin_server.services.gmail_manifest import render_gmail_deployment

PUBLIC = "https://addon.example.com"


@pytest.fixture
def deployment() -> dict[str, Any]:
    return render_gmail_deployment(Settings(public_url=PUBLIC))


def _parse(document: dict[str, Any]) -> Any:
    return gsuiteaddons_v1.Deployment.from_json(json.dumps(document), ignore_unknown_fields=False)


def test_the_deployment_parses_as_a_workspace_add_on_deployment(deployment: dict[str, Any]) -> None:
    parsed = _parse(deployment)
    assert parsed.add_ons.gmail.compose_trigger.draft_access.name == "METADATA"
    assert parsed.add_ons.http_options.authorization_header.name == "SYSTEM_ID_TOKEN"


def test_the_deployment_asks_for_exactly_the_scopes_the_add_on_needs(deployment: dict[str, Any]) -> None:
    assert deployment["oauthScopes"] == [
        "https://www.googleapis.com/auth/gmail.addons.execute",
        "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
        "https://www.googleapis.com/auth/gmail.addons.current.action.compose",
        "https://www.googleapis.com/auth/userinfo.email",
    ]


def test_every_trigger_points_at_an_endpoint_of_this_server(deployment: dict[str, Any], app: Any) -> None:
    add_ons = deployment["addOns"]
    urls = [add_ons["common"]["homepageTrigger"]["runFunction"],
            add_ons["gmail"]["contextualTriggers"][0]["onTriggerFunction"],
            add_ons["gmail"]["composeTrigger"]["actions"][0]["runFunction"]]
    assert urls == [f"{PUBLIC}/gmail/homepage", f"{PUBLIC}/gmail/message", f"{PUBLIC}/gmail/compose"]
    adapter = app.url_map.bind("addon.example.com")
    for url in urls:
        endpoint, _ = adapter.match(url.removeprefix(PUBLIC), method="POST")
        assert endpoint.startswith("gmail_addon.")
    assert add_ons["gmail"]["contextualTriggers"][0]["unconditional"] == {}
    assert add_ons["common"]["logoUrl"].startswith("https://")


def test_the_deployment_allowlists_links_under_the_public_url_and_nothing_else(deployment: dict[str, Any]) -> None:
    parsed = _parse(deployment)
    assert list(parsed.add_ons.common.open_link_url_prefixes) == [f"{PUBLIC}/"]
    assert deployment["addOns"]["common"]["openLinkUrlPrefixes"] == [f"{PUBLIC}/"]


def test_the_link_allowlist_follows_a_public_url_with_a_path_and_a_trailing_slash() -> None:
    deployment = render_gmail_deployment(Settings(public_url="https://corp.example.com/sidebar/"))
    assert deployment["addOns"]["common"]["openLinkUrlPrefixes"] == ["https://corp.example.com/sidebar/"]


def _rename(path: list[str], new_key: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent[new_key] = parent.pop(path[-1])
    return change


@pytest.mark.parametrize("mistake", [
    pytest.param(_rename(["addOns", "gmail", "composeTrigger", "actions"], "selectActions"),
                 id="apps script's selectActions is rejected as gcloud rejects it"),
    pytest.param(_rename(["oauthScopes"], "oauthScope"), id="a misspelt top-level key is rejected"),
    pytest.param(_rename(["addOns", "httpOptions", "authorizationHeader"], "authorizationHeaders"),
                 id="a misspelt option is rejected"),
    pytest.param(lambda d: d["addOns"]["gmail"]["composeTrigger"].update(draftAccess="EVERYTHING"),
                 id="an unknown enum value is rejected"),
    pytest.param(lambda d: d["addOns"]["common"].update(openLinkUrlPrefixes="https://x.example/"),
                 id="a link allowlist that is not a list is rejected"),
])
def test_a_misspelt_deployment_fails_as_it_would_fail_gcloud(deployment: dict[str, Any],
                                                            mistake: Callable[[dict[str, Any]], None]) -> None:
    broken = copy.deepcopy(deployment)
    mistake(broken)
    with pytest.raises(ParseError):
        _parse(broken)


def test_values_are_json_encoded_into_the_template() -> None:
    # Every character a URL path may hold arrives as written (the template JSON-encodes the value).
    odd = render_gmail_deployment(Settings(public_url="https://x.example.com/a'b$&(c)*+,;=:@~"))
    assert (odd["addOns"]["common"]["homepageTrigger"]["runFunction"]
            == "https://x.example.com/a'b$&(c)*+,;=:@~/gmail/homepage")


def test_a_quote_in_the_public_url_never_reaches_the_template() -> None:
    # A quote is no URL character: refused by name before anything is written.
    with pytest.raises(ValueError, match='"'):
        render_gmail_deployment(Settings(public_url='https://x.example.com/a"b'))
