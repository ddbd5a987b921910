"""The Outlook manifests, checked here and by Microsoft's own tools from npm (tests/e2e/outlook/package.json).

`office-addin-manifest validate` checks a unified JSON manifest locally against bundled schemas but sends
an XML manifest to a web service; so the XML manifest is converted with Microsoft's
`office-addin-manifest-converter` and the result validated offline, which fails on unreadable XML,
unknown elements and resource ids that name nothing."""

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
from addin_server.services.outlook_manifest import render_outlook_json, render_outlook_xml
from tests.web.outlook.sso_tokens import CLIENT_ID

REPO = Path(__file__).resolve().parents[3]
VALIDATOR_DIR = REPO / "tests" / "e2e" / "outlook"
VALIDATOR = VALIDATOR_DIR / "node_modules" / ".bin" / "office-addin-manifest"
CONVERTER = VALIDATOR_DIR / "node_modules" / ".bin" / "office-addin-manifest-converter"
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


def node_tool(tool: Path) -> Path:
    """One of Microsoft's tools from npm (tests/e2e/outlook/package.json), installed with `npm ci` on first use.

    Without it the manifests and scripts go unchecked, so its absence fails the test (never a skip
    that a green suite would hide): `make test` installs it (`make node-tools`).
    """
    if tool.exists():
        return tool
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(f"npm is not installed: cannot run {tool.name} (install Node.js and npm, then `make node-tools`)")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=VALIDATOR_DIR, capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode != 0 or not tool.exists():
        pytest.fail(f"{tool.name} could not be installed from npm: {done.stderr.strip()[-300:]}")
    return tool


def _validator() -> Path:
    return node_tool(VALIDATOR)


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


# --- Mailbox 1.11, the runtimes, mobile ---------------------------------------------------------


def test_both_manifests_declare_the_recipients_changed_event_at_mailbox_1_11_or_later(xml_root: ET.Element) -> None:
    v11 = xml_root.find(f"{VO}VersionOverrides/{VO11}VersionOverrides")
    assert v11 is not None and v11.find(f".//{VO11}LaunchEvent") is not None
    sets = v11.find(f"{VO11}Requirements/{BT}Sets")
    assert sets is not None and _version(sets.get("DefaultMinVersion")) >= (1, 11)
    extension = render_outlook_json(_settings())["extensions"][0]
    event_runtime = next(r for r in extension["runtimes"] if r["id"] == "EventRuntime")
    for requirements in (event_runtime["requirements"], extension["autoRunEvents"][0]["requirements"]):
        assert [_version(c["minVersion"]) >= (1, 11) for c in requirements["capabilities"]
                if c["name"] == "Mailbox"] == [True]


def _version(text: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in (text or "0").split("."))


def test_the_unified_manifests_task_pane_runtime_is_short_lived_as_in_microsofts_outlook_samples() -> None:
    runtimes = render_outlook_json(_settings())["extensions"][0]["runtimes"]
    assert {r["id"]: r["lifetime"] for r in runtimes} == {"TaskPaneRuntime": "short", "EventRuntime": "short"}


def test_the_xml_manifest_does_not_claim_outlook_mobile(xml_root: ET.Element) -> None:
    # Outlook mobile loads only VersionOverrides requiring Mailbox 1.5 or less; ours needs 1.11.
    assert not [e for e in xml_root.iter() if _local(e.tag) == "MobileFormFactor"]


# --- the XML manifest through Microsoft's converter and validator -------------------------------


def _convert(xml: str, folder: Path) -> tuple[Path | None, str]:
    """office-addin-manifest-converter's unified manifest for an XML manifest, or None and its log."""
    folder.mkdir()
    (folder / "manifest.xml").write_text(xml)
    done = subprocess.run([str(node_tool(CONVERTER)), "convert", str(folder / "manifest.xml"), "--output",
                           str(folder / "out")], capture_output=True, text=True, timeout=120, check=False)
    log = done.stdout + done.stderr
    converted = folder / "out" / "manifest.json"
    # The converter reports XML it cannot read in its log and writes nothing (or exits 0 regardless).
    if done.returncode != 0 or "[xmldom error]" in log or not converted.exists():
        return None, log
    return converted, log


def test_the_xml_manifest_converts_with_microsofts_converter_and_the_result_validates(tmp_path: Path) -> None:
    converted, log = _convert(render_outlook_xml(_settings()), tmp_path / "xml")
    assert converted is not None, log
    checked = subprocess.run([str(_validator()), "validate", str(converted)], capture_output=True, text=True,
                             timeout=120, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    manifest = json.loads(converted.read_text())
    extension = manifest["extensions"][0]
    assert [e["type"] for e in extension["autoRunEvents"][0]["events"]] == ["messageRecipientsChanged"]
    assert f"{PUBLIC_URL}/outlook/taskpane" in {r["code"]["page"] for r in extension["runtimes"]}


XML_MISTAKES = {
    "a resource id that names no url fails validation": lambda xml: xml.replace(
        'SourceLocation resid="Taskpane.Url"', 'SourceLocation resid="Taskpane.Ur"'),
    "xml cut short fails conversion": lambda xml: xml.replace("</OfficeApp>", ""),
    "a misspelt required element fails conversion": lambda xml: xml.replace("ProviderName>", "ProvidrName>"),
    "an unknown permission fails conversion": lambda xml: xml.replace(
        "<Permissions>ReadWriteItem", "<Permissions>ReadWriteEverything"),
}


@pytest.mark.parametrize("mistake", list(XML_MISTAKES), ids=list(XML_MISTAKES))
def test_an_xml_manifest_mistake_fails_the_conversion_or_the_validation(tmp_path: Path, mistake: str) -> None:
    broken = XML_MISTAKES[mistake](render_outlook_xml(_settings()))
    assert broken != render_outlook_xml(_settings())
    converted, _ = _convert(broken, tmp_path / "xml")
    if converted is not None:
        checked = subprocess.run([str(_validator()), "validate", str(converted)], capture_output=True, text=True,
                                 timeout=120, check=False)
        assert checked.returncode != 0
