"""Reading the add-on's card responses in tests: find cards, buttons, parameters; validate cards."""

from __future__ import annotations

import base64
import html
import json
import re
import zlib
from typing import Any

from google.apps import card_v1
from google.protobuf import json_format

from addin_server.web import cards

# --- reading card responses ------------------------------------------------------------------


def only_card(response: dict[str, Any]) -> dict[str, Any]:
    found = cards.cards_in(response)
    assert len(found) == 1, response
    return found[0]


def validate_card(card: dict[str, Any]) -> None:
    """The card parses as google.apps.card.v1.Card (unknown fields rejected) and respects our limits."""
    json_format.ParseDict(card, card_v1.Card.pb()(), ignore_unknown_fields=False)
    assert cards.count_widgets(card) <= cards.MAX_WIDGETS_PER_CARD
    for button in buttons(card):
        action = (button.get("onClick") or {}).get("action")
        if action:
            assert all(isinstance(p["value"], str) and isinstance(p["key"], str) for p in action["parameters"])


def widgets(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for section in card.get("sections", []) for w in section.get("widgets", [])]


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for widget in widgets(card):
        found += (widget.get("buttonList") or {}).get("buttons", [])
        if "button" in (widget.get("decoratedText") or {}):
            found.append(widget["decoratedText"]["button"])
    return found


def button(card: dict[str, Any], text: str) -> dict[str, Any]:
    matches = [b for b in buttons(card) if b["text"] == text]
    assert matches, f"no {text!r} button in {[b['text'] for b in buttons(card)]}"
    return matches[0]


def parameters(button_: dict[str, Any]) -> dict[str, str]:
    return {p["key"]: p["value"] for p in button_["onClick"]["action"]["parameters"]}


def view_parameters(button_: dict[str, Any]) -> dict[str, str]:
    """A button's parameters but the draft's recipients it carries (see `carried`)."""
    return {k: v for k, v in parameters(button_).items() if k != "recipients"}


def carried(button_: dict[str, Any]) -> dict[str, list[str]] | None:
    """The draft's recipients a compose button carries, decoded; None when it carries none."""
    raw = parameters(button_).get("recipients")
    if raw is None:
        return None
    assert raw.startswith("z."), raw  # zlib-compressed, then base64url
    decoded: dict[str, list[str]] = json.loads(zlib.decompress(base64.urlsafe_b64decode(raw[2:])))
    return decoded


def card_text(card: dict[str, Any]) -> str:
    """Everything a rep can read on a card, as one string (for 'it says ...' assertions)."""
    return json.dumps(card, ensure_ascii=False)


def sections_by_email(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Recipient sections by address: a contact's address is under their name, a stranger's is the text."""
    out = {}
    for section in card["sections"]:
        if section.get("header") not in ("To", "Cc", "Bcc", "From"):
            continue
        first = section["widgets"][0]["decoratedText"]
        address = first.get("bottomLabel") or html.unescape(re.sub(r"</?b>|[\u2068\u2069]", "", first["text"]))
        out[address.lower()] = section
    return out
