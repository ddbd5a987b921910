"""Gmail add-on cards: Jinja2 templates (top-level cards/) that produce card JSON, safely.

Every `{{ }}` in a card template passes through the environment's `finalize`, which writes the value
as a JSON literal. A template therefore cannot forget to encode: a contact named `"}]}` becomes a
string, not a structure, and an interpolation placed inside a JSON string literal makes the card
unparseable (caught by the tests) instead of silently wrong.

Google renders a small HTML subset in most card text fields (section headers, decorated text,
paragraphs), so strings are HTML-escaped by default as well. Values Google shows verbatim (card
titles, button text, notifications, action parameters, URLs) are marked `|plain` in the templates;
our own formatting is `markupsafe.Markup`, built with `Markup.format`, which escapes what it wraps.
Forgetting `|plain` costs a visible `&amp;`, never an injection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from addin_server.assets import CARDS

CARDS_FOLDER = CARDS
# Google's limit is generous but a card with hundreds of widgets is unusable; recipient lists page.
MAX_WIDGETS_PER_CARD = 100
# Unicode isolates keep a right-to-left name from reordering the words around it.
_FSI, _PDI = "\u2068", "\u2069"

REASON_LABELS = {
    "replied": "Replied",
    "emailed_outside_sequence": "Emailed you outside the sequence",
    "replied_from_other_address": "Replied from another address",
    "emailed_from_alias": "Emailed from an alias",
    "company_contact_replied": "Someone at their company replied",
    "meeting_booked": "Booked a meeting",
    "company_contact_booked_meeting": "Someone at their company booked a meeting",
    "unsubscribed": "Unsubscribed",
    "bounced": "Email bounced",
    "workflow": "Unenrolled by a workflow",
    "automation_trigger": "Automation trigger",
    "completed": "Finished the sequence",
    "manual": "Unenrolled by hand",
    "user_removed": "The sending rep was removed",
}


class Plain(str):
    """A string Google shows verbatim (titles, button text, parameters, URLs): JSON-encoded, not escaped."""


def _finalize(value: Any) -> str:
    if isinstance(value, Plain | Markup):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, str):
        return json.dumps(str(escape(value)), ensure_ascii=False)
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    # Structures would bypass the escaping of their strings: templates spell them out instead.
    raise TypeError(f"a card template may only interpolate scalars, not {type(value).__name__}")


def _plain(value: Any) -> Plain:
    return Plain("" if value is None else str(value))


def isolate(value: Any) -> Markup:
    """A name as formatted text, escaped and isolated from the direction of the text around it."""
    return Markup(f"{_FSI}{escape(value)}{_PDI}")  # noqa: S704 - the value is escaped


def bold(value: Any) -> Markup:
    return Markup("<b>{}</b>").format(isolate(value))


def _make_environment(folder: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=False,  # noqa: S701 - the output is JSON; finalize encodes (and HTML-escapes) every value
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["plain"] = _plain
    env.filters["isolate"] = isolate
    env.filters["bold"] = bold
    env.filters["reason"] = lambda code: REASON_LABELS.get(str(code), str(code).replace("_", " ").capitalize())
    return env


_environment: Environment | None = None


def environment() -> Environment:
    """The process-wide card environment (templates are compiled once)."""
    global _environment
    if _environment is None:
        _environment = _make_environment(CARDS_FOLDER)
    return _environment


def render_card(template: str, **values: Any) -> dict[str, Any]:
    """Render one card template to a card dict; refuses output that is not JSON or is too big."""
    text = environment().get_template(template).render(**values)
    card: dict[str, Any] = json.loads(text)
    widgets = count_widgets(card)
    if widgets > MAX_WIDGETS_PER_CARD:
        raise ValueError(f"card {template} has {widgets} widgets (at most {MAX_WIDGETS_PER_CARD})")
    return card


def count_widgets(card: Mapping[str, Any]) -> int:
    return sum(len(section.get("widgets", [])) for section in card.get("sections", []))


# --- the response wrappers Google expects ----------------------------------------------------


def push_card(card: dict[str, Any]) -> dict[str, Any]:
    """The answer to a trigger (homepage, message opened, compose): show this card."""
    return {"action": {"navigations": [{"pushCard": card}]}}


def render_actions(navigations: list[dict[str, Any]], notification: str | None = None) -> dict[str, Any]:
    """The answer to a button: navigate (update, push, pop) and optionally show a notification."""
    action: dict[str, Any] = {"navigations": navigations}
    if notification:
        action["notification"] = {"text": notification}
    return {"renderActions": {"action": action}}


def update_card(card: dict[str, Any], notification: str | None = None) -> dict[str, Any]:
    return render_actions([{"updateCard": card}], notification)


def cards_in(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every card inside a trigger or action response (what the preview and the validation tests read)."""
    action = response.get("action") or (response.get("renderActions") or {}).get("action") or {}
    found = []
    for navigation in action.get("navigations", []):
        for key in ("pushCard", "updateCard"):
            if key in navigation:
                found.append(navigation[key])
    return found


# --- words and times as a rep reads them -----------------------------------------------------


def user_zone(time_zone_id: str | None) -> ZoneInfo:
    """The rep's time zone from the event (commonEventObject.timeZone.id), UTC when absent or unknown."""
    if time_zone_id:
        try:
            return ZoneInfo(time_zone_id)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def when(moment: str | datetime | None, now: datetime, zone: ZoneInfo) -> str:
    """'today at 14:00', 'tomorrow at 09:00', 'Tue 3 Mar at 09:00' (with the zone when it is UTC)."""
    if moment is None:
        return "not scheduled"
    at = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    local, today = at.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%H:%M") + (" UTC" if zone.key == "UTC" else "")
    if local.date() <= today:
        return f"today at {clock}" if local.date() == today else f"overdue since {_day(local.date())} {clock}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    return f"{_day(local.date())} at {clock}"


def at_time(moment: str | datetime | None, zone: ZoneInfo) -> str:
    """A past moment as 'Tue 3 Mar at 09:00' in the rep's zone (with UTC named when it is UTC)."""
    if moment is None:
        return ""
    local = (datetime.fromisoformat(moment) if isinstance(moment, str) else moment).astimezone(zone)
    return f"{_day(local.date())} at {local.strftime('%H:%M')}" + (" UTC" if zone.key == "UTC" else "")


def _day(day: date) -> str:
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"


def evidence_lines(evidence: Mapping[str, Any] | None, limit: int = 4) -> list[str]:
    """A few 'key: value' lines of an automatic ending's evidence, scalars only, in the order recorded."""
    lines: list[str] = []
    for key, value in (evidence or {}).items():
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            lines.append(f"{str(key).replace('_', ' ')}: {value}")
        elif isinstance(value, Iterable) and not isinstance(value, str | Mapping):
            items = [str(v) for v in value if isinstance(v, str | int | float)]
            if items:
                lines.append(f"{str(key).replace('_', ' ')}: {', '.join(items)}")
        if len(lines) >= limit:
            break
    return lines
