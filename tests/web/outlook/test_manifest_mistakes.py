"""Each manifest mistake of the outside attack (finding 15-2) is caught by the project's own checks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from addin_server.config import Settings
from addin_server.services.outlook_manifest import render_outlook_json, render_outlook_xml
from tests.web.outlook.manifest_checks import json_manifest_problems, xml_manifest_problems
from tests.web.outlook.test_outlook_manifest import VALIDATOR, node_tool

SETTINGS = Settings(public_url="https://sidebar.example.com", ms_client_id="3f6c6a2e-1111-4222-8333-444455556666")


@pytest.fixture(autouse=True)
def _microsofts_schemas() -> None:
    """The unified manifest's JSON schema comes with Microsoft's validator from npm (installed, or a failure)."""
    node_tool(VALIDATOR)


def test_both_rendered_manifests_have_no_problem() -> None:
    assert json_manifest_problems(render_outlook_json(SETTINGS)) == []
    assert xml_manifest_problems(render_outlook_xml(SETTINGS)) == []


def _swap(original: str, broken: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert original in text
        return text.replace(original, broken, 1)
    return change


def _display_name_after_description(text: str) -> str:
    line = text[text.index("  <DisplayName"):text.index("\n", text.index("  <DisplayName")) + 1]
    return text.replace(line, "", 1).replace("  <IconUrl", line + "  <IconUrl", 1)


XML_MISTAKES: dict[str, Callable[[str], str]] = {
    "a misspelt launch event": _swap('Type="OnMessageRecipientsChanged"', 'Type="OnMessageRecipientChanged"'),
    "the launch event at mailbox 1.10": _swap('DefaultMinVersion="1.11"', 'DefaultMinVersion="1.10"'),
    "a version that is no number": _swap("<Version>1.0.0.0</Version>", "<Version>banana</Version>"),
    "a host that is not the mailbox": _swap('<Host Name="Mailbox"/>', '<Host Name="Document"/>'),
    "a requirement set version that is no number": _swap('MinVersion="1.1"', 'MinVersion="x"'),
    "an http task pane url": _swap('DefaultValue="https://sidebar.example.com/outlook/taskpane"',
                                   'DefaultValue="http://sidebar.example.com/outlook/taskpane"'),
    "pinning that is neither true nor false": _swap("<SupportsPinning>true</SupportsPinning>",
                                                    "<SupportsPinning>maybe</SupportsPinning>"),
    "a misspelt form type": _swap('<Form xsi:type="ItemRead">', '<Form xsi:type="ItemReed">'),
    "an override that is not javascript": _swap('<Override type="javascript"', '<Override type="jscript"'),
    "a resource id that names nothing": _swap('resid="Taskpane.Url"', 'resid="Taskpane.Ur"'),
    "an element the schema does not know": _swap("<Permissions>", "<Bogus/><Permissions>"),
    "the display name out of the schema's order": _display_name_after_description,
}


@pytest.mark.parametrize("mistake", list(XML_MISTAKES), ids=[f"the xml check catches {m}" for m in XML_MISTAKES])
def test_an_xml_manifest_mistake_is_caught(mistake: str) -> None:
    text = render_outlook_xml(SETTINGS)
    broken = XML_MISTAKES[mistake](text)
    assert broken != text
    assert xml_manifest_problems(broken) != []


def _ext(m: dict[str, Any]) -> dict[str, Any]:
    extension: dict[str, Any] = m["extensions"][0]
    return extension


JSON_MISTAKES: dict[str, Callable[[dict[str, Any]], None]] = {
    "a long-lived runtime": lambda m: _ext(m)["runtimes"][0].update(lifetime="long"),
    "a misspelt event type": lambda m: _ext(m)["autoRunEvents"][0]["events"][0].update(
        type="messageRecipientChanged"),
    "the event at mailbox 1.10": lambda m: _ext(m)["autoRunEvents"][0]["requirements"]["capabilities"][0].update(
        minVersion="1.10"),
    "a requirement set version that is no number": lambda m: _ext(m)["requirements"]["capabilities"][0].update(
        minVersion="x"),
    "a version that is no number": lambda m: m.update(version="banana"),
    "an event naming no action": lambda m: _ext(m)["autoRunEvents"][0]["events"][0].update(actionId="nothing"),
    "an http page": lambda m: _ext(m)["runtimes"][0]["code"].update(page="http://sidebar.example.com/outlook/taskpane"),
    "a missing icon file": lambda m: m["icons"].update(color="nope.png"),
    "an unknown top-level property": lambda m: m.update(bogus=1),
}


@pytest.mark.parametrize("mistake", list(JSON_MISTAKES), ids=[f"the json check catches {m}" for m in JSON_MISTAKES])
def test_a_unified_manifest_mistake_is_caught(mistake: str) -> None:
    manifest = copy.deepcopy(render_outlook_json(SETTINGS))
    JSON_MISTAKES[mistake](manifest)
    assert json_manifest_problems(manifest) != []
