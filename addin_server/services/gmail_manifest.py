"""The Gmail add-on's deployment document, rendered from manifests/gmail-deployment.json.j2.

Every trigger points at our public URL (PUBLIC_URL), the same URLs whose ID-token audience the
endpoints check, so a deployment rendered for one host cannot be served by another. The cards'
"Open Sequence Sidebar" links lead under PUBLIC_URL too, which the deployment allowlists in
`openLinkUrlPrefixes`: Gmail refuses to open a link outside Google that no prefix covers.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from addin_server.assets import MANIFESTS
from addin_server.config import Settings, manifest_public_url

MANIFESTS_FOLDER = MANIFESTS
ADDON_NAME = "Sequence Sidebar"
COMPOSE_LABEL = "Sequence status of recipients"
# Our own icon, served from static/ under PUBLIC_URL (Google fetches it over https).
LOGO_PATH = "/static/outlook/icons/icon-128.png"
HOMEPAGE_PATH, MESSAGE_PATH, COMPOSE_PATH = "/gmail/homepage", "/gmail/message", "/gmail/compose"
# The trigger endpoints the deployment names (the cards name the action endpoints).
TRIGGER_PATHS = (HOMEPAGE_PATH, MESSAGE_PATH, COMPOSE_PATH)


def open_link_prefix(settings: Settings) -> str:
    """The one link prefix the deployment allowlists: everything under PUBLIC_URL."""
    return settings.public_url.rstrip("/") + "/"


def _environment() -> Environment:
    # JSON, not HTML: every value is written as a JSON literal by finalize.
    return Environment(loader=FileSystemLoader(str(MANIFESTS_FOLDER)), autoescape=False,  # noqa: S701
                       finalize=lambda value: json.dumps(value, ensure_ascii=False), undefined=StrictUndefined)


def render_gmail_deployment(settings: Settings) -> dict[str, Any]:
    """The deployment JSON for `gcloud workspace-add-ons deployments create --deployment-file=...`."""
    settings = settings.with_overrides(public_url=manifest_public_url(settings.public_url))
    text = _environment().get_template("gmail-deployment.json.j2").render(
        name=ADDON_NAME,
        logo_url=str(settings.extra.get("gmail_addon_logo_url") or settings.public_endpoint(LOGO_PATH)),
        homepage_url=settings.public_endpoint(HOMEPAGE_PATH),
        message_url=settings.public_endpoint(MESSAGE_PATH),
        compose_url=settings.public_endpoint(COMPOSE_PATH),
        compose_label=COMPOSE_LABEL,
        link_prefixes=[open_link_prefix(settings)],
    )
    deployment: dict[str, Any] = json.loads(text)
    return deployment
