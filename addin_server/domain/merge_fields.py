"""Merge fields in sequence emails: {{first_name}}, {{last_name}}, {{company}}, {{sender_name}}."""

from __future__ import annotations

import re
from collections.abc import Mapping

FIELDS = ("first_name", "last_name", "company", "sender_name")
_TOKEN = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill known fields; a known field with no value becomes empty, unknown tokens stay visible."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in FIELDS:
            return match.group(0)
        return values.get(name, "") or ""

    return _TOKEN.sub(fill, text)
