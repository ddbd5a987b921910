"""The Outlook XML manifest against Microsoft's published XSD schemas (OfficeApp 1.1, mail VersionOverrides 1.0/1.1).

The schemas live in tests/fixtures/outlook_xsd (README there: sources and licences). The 1.1 mail schema
available offline predates event-based activation, so exactly two elements it cannot know (`Runtimes` and the
`LaunchEvent` extension point) are removed before validating; the project's own checks cover them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from addin_server.config import Settings
from addin_server.services.outlook_manifest import render_outlook_xml

SCHEMAS = Path(__file__).resolve().parents[2] / "fixtures" / "outlook_xsd"
SETTINGS = Settings(public_url="https://sidebar.example.com", ms_client_id="3f6c6a2e-1111-4222-8333-444455556666")
VO11 = "{http://schemas.microsoft.com/office/mailappversionoverrides/1.1}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    # The OfficeApp schema imports the basic types and the mail overrides from files beside it.
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "OfficeAppManifestV1_1.xsd")))


def _newer_than_the_schema(root: etree._Element) -> list[etree._Element]:
    runtimes = list(root.iter(f"{VO11}Runtimes"))
    launch = [e for e in root.iter(f"{VO11}ExtensionPoint") if e.get(XSI_TYPE) == "LaunchEvent"]
    return runtimes + launch


def schema_errors(schema: etree.XMLSchema, text: str) -> list[str]:
    root = etree.fromstring(text.encode("utf-8"))
    for element in _newer_than_the_schema(root):
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def test_the_rendered_manifest_is_valid_against_microsofts_schemas(schema: etree.XMLSchema) -> None:
    assert schema_errors(schema, render_outlook_xml(SETTINGS)) == []


def test_only_the_runtime_and_the_launch_event_are_left_to_the_projects_own_checks() -> None:
    root = etree.fromstring(render_outlook_xml(SETTINGS).encode("utf-8"))
    removed = _newer_than_the_schema(root)
    assert [etree.QName(e).localname for e in removed] == ["Runtimes", "ExtensionPoint"]
    assert removed[1].find(f"{VO11}LaunchEvents") is not None


def _after(anchor: str, inserted: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert anchor in text
        return text.replace(anchor, anchor + inserted, 1)
    return change


def _swap(original: str, broken: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert original in text
        return text.replace(original, broken, 1)
    return change


MISTAKES: dict[str, Callable[[str], str]] = {
    "an unknown element below a form's desktop settings": _after("<RequestedHeight>250</RequestedHeight>",
                                                                  "<Bogus/>"),
    "an unknown element below the form settings": _after("<FormSettings>", "<Bogus/>"),
    "an unknown element below the activation rule": _after('<Rule xsi:type="RuleCollection" Mode="Or">',
                                                           "<Bogus/>"),
    "an unknown element at the top of the manifest": _swap("<Permissions>", "<Bogus/><Permissions>"),
    "an unknown element in the 1.0 overrides' mail host": _after('<Host xsi:type="MailHost">', "<Bogus/>"),
    "an unknown element in the 1.1 overrides' requirements": _after('<bt:Set Name="Mailbox"/>\n'
                                                                    "        </bt:Sets>\n      </Requirements>",
                                                                    "<Bogus/>"),
    "a permission level that does not exist": _swap("<Permissions>ReadWriteItem</Permissions>",
                                                    "<Permissions>ReadWriteEverything</Permissions>"),
    "a pane taller than a mail app may ask": _swap("<RequestedHeight>250</RequestedHeight>",
                                                   "<RequestedHeight>900</RequestedHeight>"),
    "a form type that does not exist": _swap('<Form xsi:type="ItemRead">', '<Form xsi:type="ItemReed">'),
    # The first task pane action is the 1.0 block's; the 1.1 block pins the same pane legitimately.
    "pinning in the 1.0 overrides (a 1.1 feature)": _after('<SourceLocation resid="Taskpane.Url"/>',
                                                          "<SupportsPinning>true</SupportsPinning>"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES), ids=[f"the schemas catch {m}" for m in MISTAKES])
def test_a_manifest_mistake_is_caught_by_the_schemas(schema: etree.XMLSchema, mistake: str) -> None:
    text = render_outlook_xml(SETTINGS)
    broken = MISTAKES[mistake](text)
    assert broken != text
    assert schema_errors(schema, broken) != []
