"""The project's own checks of both Outlook manifests, for what Microsoft's offline validator lets through.

`office-addin-manifest validate` accepts misspelt event names, events below the requirement set that
introduced them, versions like "banana", http URLs and resource ids naming nothing (finding 15-2).
These checks say what is wrong, one sentence a problem; an empty list means none was found.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema

REPO = Path(__file__).resolve().parents[3]
SCHEMAS = REPO / "tests" / "e2e" / "outlook" / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas"
ICONS = REPO / "static" / "outlook" / "icons"

# Microsoft's event-based activation events and the Mailbox requirement set each begins at
# (learn.microsoft.com, "Configure your Outlook add-in for event-based activation"): the ones this
# add-in could use. XML names, then the unified manifest's names.
XML_EVENTS = {"OnNewMessageCompose": (1, 10), "OnMessageRecipientsChanged": (1, 11),
              "OnMessageAttachmentsChanged": (1, 11), "OnMessageFromChanged": (1, 13), "OnMessageSend": (1, 12)}
JSON_EVENTS = {"newMessageComposeCreated": (1, 10), "messageRecipientsChanged": (1, 11),
               "messageAttachmentsChanged": (1, 11), "messageFromChanged": (1, 13), "messageSending": (1, 12)}
_MAILBOX_VERSION = re.compile(r"1\.(?:[0-9]|1[0-9])")  # Mailbox 1.0 to 1.19
_XML_VERSION = re.compile(r"\d{1,5}(?:\.\d{1,5}){0,3}")
_JSON_VERSION = re.compile(r"\d{1,5}\.\d{1,5}\.\d{1,5}")

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# The OfficeApp children of a MailApp, in the order of the schema (appforoffice 1.1 XSD).
OFFICE_APP_ORDER = ["Id", "AlternateId", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description",
                    "IconUrl", "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements",
                    "FormSettings", "Permissions", "Rule", "DisableEntityHighlighting", "Dictionary",
                    "VersionOverrides"]


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, f"{path}[{i}]")]
    return []


def json_manifest_problems(manifest: dict[str, Any], icons: Path = ICONS) -> list[str]:
    """Problems of a unified (JSON) manifest: Microsoft's JSON schema, then what the schema cannot say."""
    problems = []
    schema_file = SCHEMAS / "teams" / f"v{manifest.get('manifestVersion')}" / "MicrosoftTeams.schema.json"
    if not schema_file.exists():
        return [f"no JSON schema for manifestVersion {manifest.get('manifestVersion')!r}"]
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    problems += [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                 for e in validator.iter_errors(manifest)]
    if not _JSON_VERSION.fullmatch(str(manifest.get("version", ""))):
        problems.append(f"version {manifest.get('version')!r} is not major.minor.patch")
    for name in ("color", "outline"):
        icon = (manifest.get("icons") or {}).get(name)
        if not icon or not (icons / str(icon)).is_file():
            problems.append(f"the {name} icon {icon!r} is no file beside the manifest")
    for where, text in _strings(manifest):
        if text.startswith("http://") or (text.startswith("https:") and not text.startswith("https://")):
            problems.append(f"{where} is not an https URL: {text}")
    for extension in manifest.get("extensions", []):
        actions = {a.get("id") for r in extension.get("runtimes", []) for a in r.get("actions", [])}
        for runtime in extension.get("runtimes", []):
            if runtime.get("lifetime", "short") != "short":
                problems.append(f"runtime {runtime.get('id')} is {runtime.get('lifetime')!r}: Outlook runtimes are short")
        blocks = [extension, *extension.get("runtimes", []), *extension.get("autoRunEvents", [])]
        for block in blocks:
            for capability in (block.get("requirements") or {}).get("capabilities", []):
                if capability.get("name") == "Mailbox" and not _MAILBOX_VERSION.fullmatch(
                        str(capability.get("minVersion", ""))):
                    problems.append(f"Mailbox minVersion {capability.get('minVersion')!r} is no requirement set")
        for auto in extension.get("autoRunEvents", []):
            versions = [str(c.get("minVersion", "")) for c in (auto.get("requirements") or {}).get("capabilities", [])
                        if c.get("name") == "Mailbox"]
            declared = _version(versions[0]) if versions and _MAILBOX_VERSION.fullmatch(versions[0]) else (1, 0)
            for event in auto.get("events", []):
                kind = event.get("type")
                if kind not in JSON_EVENTS:
                    problems.append(f"event {kind!r} is no event Outlook raises")
                elif declared < JSON_EVENTS[kind]:
                    problems.append(f"event {kind} is declared at Mailbox {versions[0] if versions else 'none'}, "
                                    f"it begins at 1.{JSON_EVENTS[kind][1]}")
                if event.get("actionId") not in actions:
                    problems.append(f"event {kind} names the action {event.get('actionId')!r}, which no runtime has")
    return problems


def xml_manifest_problems(text: str) -> list[str]:
    """Problems of an add-in-only (XML) manifest that Microsoft's converter and validator let through."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return [f"not XML: {exc}"]
    problems = []
    children = [_local(child.tag) for child in root]
    unknown = [name for name in children if name not in OFFICE_APP_ORDER]
    problems += [f"OfficeApp has an element the schema does not know: {name}" for name in unknown]
    known = [OFFICE_APP_ORDER.index(name) for name in children if name in OFFICE_APP_ORDER]
    if known != sorted(known):
        problems.append(f"OfficeApp's elements are out of the schema's order: {', '.join(children)}")
    version = root.findtext("{http://schemas.microsoft.com/office/appforoffice/1.1}Version") or ""
    if not _XML_VERSION.fullmatch(version):
        problems.append(f"Version {version!r} is not n.n.n.n")
    resources = {el.get("id") for el in root.iter() if el.get("id") and el.get("DefaultValue") is not None}
    for el in root.iter():
        tag, kind = _local(el.tag), el.get(XSI_TYPE)
        resid = el.get("resid")
        if resid is not None and resid not in resources:
            problems.append(f"{tag} names the resource {resid!r}, which Resources does not declare")
        for attribute in ("DefaultValue", "Value"):
            value = el.get(attribute) or ""
            if value.startswith("http:") or (value.startswith("https:") and not value.startswith("https://")):
                problems.append(f"{tag} {attribute} is not an https URL: {value}")
        if tag in ("AppDomain", "SourceLocation") and (el.text or "").strip().startswith("http:"):
            problems.append(f"{tag} is not an https URL: {el.text}")
        for attribute in ("MinVersion", "DefaultMinVersion"):
            if el.get(attribute) is not None and not _MAILBOX_VERSION.fullmatch(el.get(attribute, "")):
                problems.append(f"{tag} {attribute} {el.get(attribute)!r} is no Mailbox requirement set")
        if tag == "Host" and el.get("Name") is not None and el.get("Name") != "Mailbox":
            problems.append(f"Host {el.get('Name')!r}: an Outlook add-in runs in Mailbox")
        if tag == "SupportsPinning" and (el.text or "").strip() not in ("true", "false"):
            problems.append(f"SupportsPinning {el.text!r} is not true or false")
        if tag == "Form" and kind not in ("ItemRead", "ItemEdit"):
            problems.append(f"Form type {kind!r} is not ItemRead or ItemEdit")
        if tag == "Override" and el.get("type") != "javascript":
            problems.append(f"Override type {el.get('type')!r} is not javascript")
    for overrides in (el for el in root.iter() if _local(el.tag) == "VersionOverrides"):
        sets = [s for s in overrides.iter() if _local(s.tag) == "Sets"]
        declared_text = sets[0].get("DefaultMinVersion", "1.1") if sets else "1.1"
        declared = _version(declared_text) if _MAILBOX_VERSION.fullmatch(declared_text) else (1, 0)
        own = [ev for ev in overrides.iter() if _local(ev.tag) == "LaunchEvent"
               and _nearest_overrides(overrides, ev)]
        for event in own:
            kind = event.get("Type", "")
            if kind not in XML_EVENTS:
                problems.append(f"LaunchEvent {kind!r} is no event Outlook raises")
            elif declared < XML_EVENTS[kind]:
                problems.append(f"LaunchEvent {kind} is declared at Mailbox {declared_text}, it begins at "
                                f"1.{XML_EVENTS[kind][1]}")
    return problems


def _nearest_overrides(overrides: ET.Element, event: ET.Element) -> bool:
    """Whether `event` belongs to `overrides` itself, not to a VersionOverrides nested inside it."""
    def walk(node: ET.Element, inside: bool) -> bool | None:
        for child in node:
            if child is event:
                return inside
            nested = walk(child, inside and _local(child.tag) != "VersionOverrides")
            if nested is not None:
                return nested
        return None
    return bool(walk(overrides, True))
