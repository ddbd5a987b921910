"""The Gmail add-on's deployment document, rendered from manifests/gmail-deployment.json.j2.

Every trigger points at our public URL (PUBLIC_URL), the same URLs whose ID-token audience the
endpoints check, so a deployment rendered for one host cannot be served by another.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from addin_server.config import Settings

MANIFESTS_FOLDER = Path(__file__).resolve().parents[2] / "manifests"
ADDON_NAME = "Sequence Sidebar"
COMPOSE_LABEL = "Sequence status of recipients"
# Our own icon, served from static/ under PUBLIC_URL (Google fetches it over https).
LOGO_PATH = "/static/outlook/icons/icon-128.png"


def _environment() -> Environment:
    # JSON, not HTML: every value is written as a JSON literal by finalize.
    return Environment(loader=FileSystemLoader(str(MANIFESTS_FOLDER)), autoescape=False,  # noqa: S701
                       finalize=lambda value: json.dumps(value, ensure_ascii=False), undefined=StrictUndefined)


def render_gmail_deployment(settings: Settings) -> dict[str, Any]:
    """The deployment JSON for `gcloud workspace-add-ons deployments create --deployment-file=...`."""
    text = _environment().get_template("gmail-deployment.json.j2").render(
        name=ADDON_NAME,
        logo_url=str(settings.extra.get("gmail_addon_logo_url") or settings.public_endpoint(LOGO_PATH)),
        homepage_url=settings.public_endpoint("/gmail/homepage"),
        message_url=settings.public_endpoint("/gmail/message"),
        compose_url=settings.public_endpoint("/gmail/compose"),
        compose_label=COMPOSE_LABEL,
    )
    deployment: dict[str, Any] = json.loads(text)
    return deployment
