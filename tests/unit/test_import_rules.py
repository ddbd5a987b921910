"""The layering of DESIGN.md, checked on the source: each layer imports only what it may."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "addin_server"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}

# layer -> project packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "mail": {"domain"},
    "db": {"domain"},
    "providers": {"config", "domain"},
    "auth": {"config"},
    "services": {"domain", "mail", "db", "providers", "auth", "config"},
    "web": {"services", "domain", "config", "auth"},
    "webhooks": {"services", "domain", "config", "auth"},
    "worker": {"services", "domain", "config"},
    "emulator": {"config"},
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    wrong = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "addin_server":
                target = parts[1] if len(parts) > 1 else ""
                if target != layer and target not in ALLOWED[layer]:
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
            elif layer == "domain" and parts[0] not in STDLIB:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {name} (domain is standard library only)")
            elif layer == "services" and parts[0] == "flask":
                wrong.append(f"{path.relative_to(PACKAGE)} imports flask (services never do)")
    assert wrong == []
