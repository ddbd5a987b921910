"""The demo's stand-in Gmail: the add-on's own card responses, for a rep and a draft chosen in a form.

The routes live in the demo blueprint (web/demo.py); this module turns the form into the event
Gmail would have sent and runs the add-on's real handlers on it, without Google.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, render_template

from addin_server.auth.google_tokens import GoogleUser
from addin_server.services import gmail_addon as gmail_service
from addin_server.services.app_pages import demo_account_id
from addin_server.web import cards
from addin_server.web.current import services as _ctx
from addin_server.web.gmail_addon import (
    ACTIONS,
    NOT_CONNECTED,
    VIEWS,
    Caller,
    failure_response,
    run,
    view_card,
)
from addin_server.web.gmail_event import AddonEvent


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


# The preview reads participants from its form, never from Gmail: its "tokens" open nothing.
PREVIEW_TOKEN = "preview-has-no-token"  # noqa: S105
PREVIEW_DEFAULTS = {
    "rep": "ava.reed@northwind.example", "view": "compose",
    "to": "jane.doe@globex.com, raj.patel@globex.com, peter@initech.com", "cc": "someone@unknown.example",
    "bcc": "", "sender": "jane.doe@globex.com", "time_zone": "UTC",
}


@dataclass(frozen=True)
class PreviewContext:
    """What a developer chose in the preview: who they are and what Gmail would have sent."""

    rep: str
    view: str
    to: str = ""
    cc: str = ""
    bcc: str = ""
    sender: str = ""
    time_zone: str = "UTC"

    @classmethod
    def from_values(cls, values: Any) -> PreviewContext:
        """From the preview's form or query string; an empty query shows a draft to two demo contacts."""
        chosen = {**PREVIEW_DEFAULTS, **{k: str(v) for k, v in values.items() if k in PREVIEW_DEFAULTS}}
        if chosen["view"] not in VIEWS:
            chosen["view"] = "compose"
        return cls(**{k: v.strip() for k, v in chosen.items()})

    def event(self, parameters: dict[str, str] | None = None) -> AddonEvent:
        return AddonEvent(time_zone_id=self.time_zone, parameters=parameters or {}, to=_split(self.to),
                          cc=_split(self.cc), bcc=_split(self.bcc), message_id="preview-message",
                          access_token=PREVIEW_TOKEN, user_oauth_token=PREVIEW_TOKEN,
                          recipients_given=True)  # the stand-in Gmail always sends the draft's fields

    def reader(self) -> gmail_service.StaticMessageReader:
        known = [gmail_service.Participant("From", a) for a in _split(self.sender)]
        known += [gmail_service.Participant("To", a) for a in _split(self.to)]
        known += [gmail_service.Participant("Cc", a) for a in _split(self.cc)]
        return gmail_service.StaticMessageReader(tuple(known))

    def fields(self) -> dict[str, str]:
        return {"rep": self.rep, "view": self.view, "to": self.to, "cc": self.cc, "bcc": self.bcc,
                "sender": self.sender, "time_zone": self.time_zone}


def _preview_caller(preview: PreviewContext) -> Caller | None:
    principal = gmail_service.preview_principal(_ctx(), preview.rep, demo_account_id(_ctx()))
    if principal is None:
        return None
    return Caller(principal, GoogleUser(sub="preview", email=preview.rep))


def _preview_view(preview: PreviewContext) -> Callable[[Caller, AddonEvent], dict[str, Any]]:
    return lambda c, e: view_card(c, e, preview.view)


def action_name(function: str) -> str:
    """The add-on action a card button's function URL names ("" for anything else)."""
    path = urlsplit(function).path
    return path.rsplit("/", 1)[-1] if path.startswith("/gmail/actions/") else ""


def preview_page(preview: PreviewContext, response: dict[str, Any], *, pressed: str = "") -> str:
    shown = cards.cards_in(response)
    action_part = response.get("action") or (response.get("renderActions") or {}).get("action") or {}
    notification = (action_part.get("notification") or {}).get("text")
    return render_template(
        "dev/gmail_preview.html", preview=preview, card=shown[-1] if shown else None, notification=notification,
        response_json=json.dumps(response, indent=2, ensure_ascii=False), pressed=pressed,
        reps=gmail_service.preview_reps(_ctx(), demo_account_id(_ctx())), action_name=action_name,
    )


def preview_response(preview: PreviewContext, name: str = "",
                     parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """What the add-on answers to the preview's event: the view's card, or a button's (404 for no such button)."""
    caller = _preview_caller(preview)
    view_response = _preview_view(preview)
    g.gmail_message_reader = preview.reader()
    if caller is None:
        return failure_response(NOT_CONNECTED, preview.view, False)
    if not name:
        return run(view_response, caller, preview.event(), view=preview.view, is_action=False)
    handler = ACTIONS.get(name)
    if handler is None:
        abort(404)
    response = run(handler, caller, preview.event(parameters), view=preview.view, is_action=True)
    navigations = (response.get("renderActions") or {}).get("action", {}).get("navigations", [])
    if navigations and not cards.cards_in(response):
        # pop / popToRoot alone: the panel goes back to the view's own card, as Gmail would show it.
        root = run(view_response, caller, preview.event(), view=preview.view, is_action=False)
        response = cards.render_actions([*navigations, {"updateCard": cards.cards_in(root)[0]}],
                                        (response["renderActions"]["action"].get("notification") or {}).get("text"))
    return response


def button_parameters(raw: str) -> dict[str, str]:
    """A pressed button's parameters from the preview's form (400 for anything but a JSON object)."""
    try:
        parameters = json.loads(raw)
    except (ValueError, RecursionError):
        abort(400)
    if not isinstance(parameters, dict):
        abort(400)
    return {str(k): str(v) for k, v in parameters.items()}


def card_parameters(parameters: Any) -> str:
    """A button's parameter list as the JSON object the preview's form posts back."""
    pairs = parameters if isinstance(parameters, list) else []
    return json.dumps({p.get("key", ""): p.get("value", "") for p in pairs if isinstance(p, dict)})
