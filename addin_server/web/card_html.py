"""Card text as Gmail shows it: the few inline tags Gmail's cards allow survive, everything else is text.

Used by the demo's stand-in Gmail to draw the card JSON the add-on answers.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

# Gmail's card text subset (the "basic HTML" of card widgets).
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "strike", "br", "font", "a"})


class _CardHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            return
        if tag == "font":
            color = next((v for k, v in attrs if k == "color" and v), "")
            self.out.append(f'<font color="{escape(color)}">' if color else "<font>")
        elif tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), "")
            safe = href if urlsplit(href).scheme in ("http", "https") else ""
            self.out.append(f'<a href="{escape(safe)}" target="_blank" rel="noopener">')
        else:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ALLOWED_TAGS and tag != "br":
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(str(escape(data)))


def card_html(value: Any) -> Markup:
    """Card text as HTML a page may show: the allowed tags rendered, the rest as text."""
    parser = _CardHtml()
    parser.feed("" if value is None else str(value))
    parser.close()
    return Markup("".join(parser.out))  # noqa: S704 - every text node was escaped above
