"""README's configuration table lists every setting config.py reads, and each is read as its type."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from pathlib import Path

import pytest

from addin_server.config import Settings

REPO = Path(__file__).resolve().parents[2]


def _settings_read_in_config() -> set[str]:
    """Every Settings field (read as its upper-case name) and any variable config.py names itself."""
    names = {f.name.upper() for f in fields(Settings) if f.name != "extra"}
    tree = ast.parse((REPO / "addin_server" / "config.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"get", "getenv"}:
            names |= {arg.value for arg in node.args[:1]
                      if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                      and re.fullmatch(r"[A-Z][A-Z0-9_]+", arg.value)}
    return names


def _readme_configuration_table() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_readme_lists_every_setting_config_reads() -> None:
    assert _settings_read_in_config() - _readme_configuration_table() == set()


def test_readme_lists_no_setting_config_does_not_read() -> None:
    assert _readme_configuration_table() - _settings_read_in_config() == set()


@pytest.mark.parametrize(("variable", "raw", "field", "value"), [
    ("a number of seconds with a fraction is read as one", "2.5", "presend_read_timeout_seconds", 2.5),
    ("a whole number is read as an integer", "7", "sweep_minutes", 7),
    ("a yes is read as true", "yes", "demo_mode", True),
    ("text stays text", "DEBUG", "log_level", "DEBUG"),
])
def test_each_setting_is_read_as_its_type(variable: str, raw: str, field: str, value: object) -> None:
    settings = Settings.from_env({field.upper(): raw})
    assert getattr(settings, field) == value
    assert type(getattr(settings, field)) is type(value)
