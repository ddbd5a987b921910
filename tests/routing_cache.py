"""Werkzeug compiles two URL builders per route with compile() each time an app is made.

The product makes its app once per process; the tests make one per test (each test has its own
database and settings), and those compiles were most of create_app's time and a large share of the
suite's. A builder's code depends only on the rule's parsed parts and whether unknown arguments are
appended (it reads converters from the rule it is bound to), so one compiled builder serves every
app. Rules with defaults fold converted values into the code: they are compiled as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_compiled: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}
_original = Rule._compile_builder


def _cached_compile_builder(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    if self.defaults:
        return _original(self, append_unknown)
    key = (tuple(self._trace), append_unknown)
    builder = _compiled.get(key)
    if builder is None:
        builder = _compiled[key] = _original(self, append_unknown)
    return builder


def install() -> None:
    Rule._compile_builder = _cached_compile_builder  # type: ignore[method-assign]
