"""The Outlook add-in's manifests, rendered for one PUBLIC_URL from the templates in manifests/.

Two manifests describe the same add-in: the add-in-only XML manifest (Outlook on Windows, Mac and
the web) and the unified JSON manifest (Microsoft 365 app manifest; Windows and the web). Neither
claims Outlook mobile: mobile clients load only XML VersionOverrides requiring Mailbox 1.5 or less,
while the recipients-changed event the add-in is built around needs 1.11.
Both name the same pages, icons and SSO application, built here once.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from addin_server.assets import MANIFESTS
from addin_server.config import Settings, manifest_public_url

XML_TEMPLATE = "outlook-manifest.xml.j2"
JSON_TEMPLATE = "outlook-manifest.json.j2"
# Bump with every manifest change: Outlook caches manifests by version.
XML_VERSION = "1.0.0.0"
JSON_VERSION = "1.0.0"
_ADDIN_ID_NAMESPACE = uuid.UUID("5b0f6d2a-3c1e-4f7a-9d2b-8e6c4a1f0b37")

_environment = Environment(
    loader=FileSystemLoader(str(MANIFESTS)),
    # XML attribute values are escaped; the JSON template encodes every value with tojson instead.
    autoescape=select_autoescape(enabled_extensions=("xml.j2",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def outlook_addin_id(settings: Settings) -> str:
    """The add-in's GUID: fixed for a deployment (derived from PUBLIC_URL unless OUTLOOK_ADDIN_ID is given)."""
    given = settings.extra.get("outlook_addin_id")
    if given:
        return str(uuid.UUID(str(given)))
    return str(uuid.uuid5(_ADDIN_ID_NAMESPACE, settings.public_url.rstrip("/").lower()))


def _sso(settings: Settings, host: str) -> dict[str, str] | None:
    """WebApplicationInfo: the Entra ID app whose access_as_user scope the pane asks tokens for.

    Without MS_CLIENT_ID there is no SSO application: the manifests leave it out and the pane signs
    in through the Office dialog instead.
    """
    if not settings.ms_client_id:
        return None
    try:
        client_id = str(uuid.UUID(settings.ms_client_id))
    except ValueError:
        raise ValueError(f"MS_CLIENT_ID {settings.ms_client_id!r} is not a GUID (the Entra ID application "
                         "(client) ID)") from None
    return {"client_id": client_id, "resource": f"api://{host}/{client_id}"}


def sso_scope(settings: Settings) -> str | None:
    """The delegated scope the pane asks Microsoft for (NAA, getAccessToken): access_as_user of our API."""
    sso = _sso(settings, urlsplit(settings.public_url.rstrip("/")).netloc)
    return f"{sso['resource']}/access_as_user" if sso else None


def manifest_values(settings: Settings) -> dict[str, Any]:
    """Everything both manifests say, from the settings."""
    parts = urlsplit(manifest_public_url(settings.public_url))

    def at(path: str) -> str:
        return settings.public_endpoint(path)

    url = {
        "origin": f"{parts.scheme}://{parts.netloc}",
        "host": parts.netloc,
        "taskpane": at("/outlook/taskpane"),
        "commands": at("/outlook/commands"),
        "event_page": at("/outlook/events"),
        "event_script": at("/outlook/events.js"),
        "support": at("/"),
        "privacy": at("/privacy"),
        "terms": at("/terms"),
        **{f"icon_{size}": at(f"/static/outlook/icons/icon-{size}.png") for size in (16, 32, 64, 80, 128)},
    }
    return {
        "addin_id": outlook_addin_id(settings),
        "provider": "Sequence Sidebar",
        "name": "Sequence Sidebar",
        "full_name": "Sequence Sidebar for Outlook",
        "short_description": "See whether each recipient is in a sales sequence; unenroll in one click.",
        "description": (
            "Shows, for every recipient of the message you are writing or reading, whether the contact is "
            "enrolled in a sales email sequence, at which step and by whom, and lets you unenroll them."
        ),
        "group_label": "Sales tools",
        "button_label": "Sequence status",
        "button_tooltip": "Open Sequence Sidebar: the sequence status of each recipient of this message.",
        "groups": {"MessageComposeCommandSurface": "salesToolsCompose",
                   "MessageReadCommandSurface": "salesToolsRead"},
        "buttons": {"MessageComposeCommandSurface": "openSequenceSidebarCompose",
                    "MessageReadCommandSurface": "openSequenceSidebarRead"},
        "sso": _sso(settings, parts.netloc),
        "url": url,
    }


def render_outlook_xml(settings: Settings) -> str:
    """The add-in-only XML manifest (outlook-manifest.xml)."""
    return _environment.get_template(XML_TEMPLATE).render(version=XML_VERSION, **manifest_values(settings))


def render_outlook_json(settings: Settings) -> dict[str, Any]:
    """The unified manifest (outlook-manifest.json). Its icons are package-relative: ship
    static/outlook/icons/icon-192.png and outline-32.png beside it in the app package."""
    text = _environment.get_template(JSON_TEMPLATE).render(version=JSON_VERSION, **manifest_values(settings))
    manifest: dict[str, Any] = json.loads(text)
    return manifest
