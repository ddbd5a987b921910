"""Card text drawn as Gmail draws it: Gmail's few inline tags survive, everything else is plain text."""

from __future__ import annotations

import pytest

from addin_server.web.card_html import card_html

CASES = [
    ("bold, italic and a line break are Gmail's own", "<b>Jane</b> <i>Doe</i><br>", "<b>Jane</b> <i>Doe</i><br>"),
    ("a script tag is dropped and its text shown as text", "<script>alert(1)</script>", "alert(1)"),
    ("text that looks like markup after decoding stays text", "&lt;b&gt;x", "&lt;b&gt;x"),
    ("a coloured font keeps its colour, escaped", '<font color="#f00">red</font>', '<font color="#f00">red</font>'),
    ("a quote in a colour cannot leave the attribute", '<font color=\'"x\'>t</font>',
     '<font color="&#34;x">t</font>'),
    ("a web link opens in a new tab", '<a href="https://example.com/a">go</a>',
     '<a href="https://example.com/a" target="_blank" rel="noopener">go</a>'),
    ("a javascript link loses its address", '<a href="javascript:alert(1)">go</a>',
     '<a href="" target="_blank" rel="noopener">go</a>'),
    ("an attribute of an allowed tag other than its own is dropped", '<b onclick="x()">b</b>', "<b>b</b>"),
    ("nothing is nothing", None, ""),
]


@pytest.mark.parametrize(("case", "text", "html"), CASES, ids=[c[0] for c in CASES])
def test_card_text_as_gmail_shows_it(case: str, text: str | None, html: str) -> None:
    assert str(card_html(text)) == html
