"""The Outlook manifests: the XML one checked here (its validator is a web service), the unified JSON one
checked by Microsoft's `office-addin-manifest validate`, which validates it locally against bundled schemas."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from addin_server.config import Settings
from addin_server.web.outlook_manifest import render_outlook_json, render_outlook_xml
from tests.web.outlook.sso_tokens import CLIENT_ID

REPO = Path(__file__).resolve().parents[3]
VALIDATOR_DIR = REPO / "tests" / "e2e" / "outlook"
VALIDATOR = VALIDATOR_DIR / "node_modules" / ".bin" / "office-addin-manifest"
PUBLIC_URL = "https://sidebar.example.com"

OA = "{http://schemas.microsoft.com/office/appforoffice/1.1}"
VO = "{http://schemas.microsoft.com/office/mailappversionoverrides}"
VO11 = "{http://schemas.microsoft.com/office/mailappversionoverrides/1.1}"
BT = "{http://schemas.microsoft.com/office/officeappbasictypes/1.0}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

# The OfficeApp children of a MailApp, in the order of the schema (appforoffice 1.1 XSD).
OFFICE_APP_ORDER = ["Id", "AlternateId", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description",
                    "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements",
                    "FormSettings", "Permissions", "Rule", "DisableEntityHighlighting", "Dictionary",
                    "VersionOverrides"]
OFFICE_APP_REQUIRED = ["Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "IconUrl",
                       "Hosts", "Requirements", "FormSettings", "Permissions", "Rule"]
VERSION_OVERRIDES_ORDER = ["Description", "Requirements", "Hosts", "Resources", "VersionOverrides",
                           "WebApplicationInfo"]


def _settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"public_url": PUBLIC_URL, "ms_client_id": CLIENT_ID, **overrides}
    return Settings(**values)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _in_order(names: list[str], order: list[str]) -> bool:
    positions = [order.index(n) for n in names]
    return positions == sorted(positions) and len(set(names)) == len(names)


@pytest.fixture(scope="module")
def xml_root() -> ET.Element:
    return ET.fromstring(render_outlook_xml(_settings()))


def test_the_xml_manifest_has_every_required_element_in_schema_order(xml_root: ET.Element) -> None:
    assert xml_root.tag == f"{OA}OfficeApp" and xml_root.get(XSI_TYPE) == "MailApp"
    names = [_local(child.tag) for child in xml_root]
    assert set(OFFICE_APP_REQUIRED) <= set(names)
    assert _in_order(names, OFFICE_APP_ORDER), names
    v10 = xml_root.find(f"{VO}VersionOverrides")
    assert v10 is not None and v10.get(XSI_TYPE) == "VersionOverridesV1_0"
    assert _in_order([_local(c.tag) for c in v10], VERSION_OVERRIDES_ORDER)
    v11 = v10.find(f"{VO11}VersionOverrides")
    assert v11 is not None and v11.get(XSI_TYPE) == "VersionOverridesV1_1"
    assert [_local(c.tag) for c in v11] == ["Requirements", "Hosts", "Resources", "WebApplicationInfo"]


def test_the_xml_manifest_asks_for_read_write_item_on_messages_in_compose_and_read(xml_root: ET.Element) -> None:
    assert xml_root.findtext(f"{OA}Permissions") == "ReadWriteItem"
    assert xml_root.find(f"{OA}Hosts/{OA}Host").get("Name") == "Mailbox"  # type: ignore[union-attr]
    assert xml_root.find(f"{OA}Requirements/{OA}Sets/{OA}Set").get("Name") == "Mailbox"  # type: ignore[union-attr]
    rules = {(r.get("ItemType"), r.get("FormType")) for r in xml_root.iter(f"{OA}Rule") if r.get("ItemType")}
    assert rules == {("Message", "Read"), ("Message", "Edit")}
    assert [d.text for d in xml_root.iter(f"{OA}AppDomain")] == [PUBLIC_URL]


def test_both_command_surfaces_show_a_sales_tools_button_pinnable_from_v1_1(xml_root: ET.Element) -> None:
    v10 = xml_root.find(f"{VO}VersionOverrides")
    assert v10 is not None
    v11 = v10.find(f"{VO11}VersionOverrides")
    assert v11 is not None
    for overrides, ns in ((v10, VO), (v11, VO11)):
        surfaces = [p.get(XSI_TYPE) for p in overrides.iter(f"{ns}ExtensionPoint")]
        assert {"MessageComposeCommandSurface", "MessageReadCommandSurface"} <= set(surfaces)
        labels = {s.get("id"): s.get("DefaultValue") for s in overrides.iter(f"{BT}String")}
        assert labels["Group.Label"] == "Sales tools"
    assert not list(v10.iter(f"{VO}SupportsPinning"))  # SupportsPinning only exists in the V1_1 schema
    assert [p.text for p in v11.iter(f"{VO11}SupportsPinning")] == ["true", "true"]
    launch = v11.find(f".//{VO11}LaunchEvent")
    assert launch is not None and launch.attrib == {"Type": "OnMessageRecipientsChanged",
                                                    "FunctionName": "onRecipientsChangedHandler"}


def test_the_xml_manifest_names_the_sso_application(xml_root: ET.Element) -> None:
    info = xml_root.find(f".//{VO11}WebApplicationInfo")
    assert info is not None
    assert info.findtext(f"{VO11}Id") == CLIENT_ID
    assert info.findtext(f"{VO11}Resource") == f"api://sidebar.example.com/{CLIENT_ID}"


def test_every_url_of_either_manifest_comes_from_the_public_url() -> None:
    text = render_outlook_xml(_settings()) + json.dumps(render_outlook_json(_settings()))
    urls = set(re.findall(r"https?://[^\s\"'<>]+", text))
    schemas = {u for u in urls if "schemas.microsoft.com" in u or "json-schemas" in u or "w3.org" in u}
    assert urls - schemas and all(u == PUBLIC_URL or u.startswith(PUBLIC_URL + "/") for u in urls - schemas), urls - schemas
    assert {f"{PUBLIC_URL}/outlook/taskpane", f"{PUBLIC_URL}/outlook/commands", f"{PUBLIC_URL}/outlook/events",
            f"{PUBLIC_URL}/outlook/events.js"} <= urls


def test_without_an_sso_application_the_manifests_leave_web_application_info_out() -> None:
    settings = _settings(ms_client_id="")
    assert "WebApplicationInfo" not in render_outlook_xml(settings)
    assert "webApplicationInfo" not in render_outlook_json(settings)
    ET.fromstring(render_outlook_xml(settings))


def test_the_add_in_id_is_stable_for_a_deployment_and_differs_between_deployments() -> None:
    first, again = render_outlook_json(_settings()), render_outlook_json(_settings())
    other = render_outlook_json(_settings(public_url="https://sidebar.other.example"))
    assert first["id"] == again["id"] != other["id"]


def test_the_unified_manifest_opens_a_pinnable_pane_and_runs_on_recipient_changes() -> None:
    manifest = render_outlook_json(_settings())
    extension = manifest["extensions"][0]
    actions = {a["id"]: a for runtime in extension["runtimes"] for a in runtime["actions"]}
    ribbon = extension["ribbons"][0]
    assert set(ribbon["contexts"]) == {"mailCompose", "mailRead"}
    button = ribbon["tabs"][0]["groups"][0]["controls"][0]
    assert actions[button["actionId"]] == {"id": "openSequenceSidebar", "type": "openPage", "pinnable": True,
                                           "view": "dashboard"}
    event = extension["autoRunEvents"][0]["events"][0]
    assert event["type"] == "messageRecipientsChanged" and actions[event["actionId"]]["type"] == "executeFunction"
    assert manifest["webApplicationInfo"] == {"id": CLIENT_ID, "resource": f"api://sidebar.example.com/{CLIENT_ID}"}


def _validator() -> Path:
    """Microsoft's validator from npm (tests/e2e/outlook/package.json), installed on first use."""
    if VALIDATOR.exists():
        return VALIDATOR
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot run office-addin-manifest validate")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=VALIDATOR_DIR, capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode != 0 or not VALIDATOR.exists():
        pytest.skip(f"office-addin-manifest could not be installed from npm: {done.stderr.strip()[-300:]}")
    return VALIDATOR


def _validate(validator: Path, manifest: dict[str, Any], path: Path) -> subprocess.CompletedProcess[str]:
    path.write_text(json.dumps(manifest, indent=2))
    return subprocess.run([str(validator), "validate", str(path)], capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_unified_manifest_passes_office_addin_manifest_validate(tmp_path: Path) -> None:
    validator = _validator()
    manifest = render_outlook_json(_settings())
    good = _validate(validator, manifest, tmp_path / "outlook-manifest.json")
    assert good.returncode == 0, good.stdout + good.stderr
    # The validator really checks the schema: a misspelt property is refused.
    manifest["extensions"][0]["runtimes"][0]["actions"][0]["pinable"] = True
    broken = _validate(validator, manifest, tmp_path / "broken.json")
    assert broken.returncode != 0 and "extensions" in broken.stdout + broken.stderr
