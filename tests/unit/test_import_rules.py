"""The layering of DESIGN.md, checked on the source: each layer imports only what it may."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "addin_server"
EMULATOR = REPO / "addin_emulator"
# The product may import the emulator only inside these commands of cli.py (DESIGN.md's one exception).
EMULATOR_COMMANDS = {"cmd_demo", "cmd_emulator"}
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


def test_emulator_imports_nothing_of_the_product() -> None:
    wrong = [f"{path.relative_to(REPO)} imports {name}"
             for path in sorted(EMULATOR.rglob("*.py")) for name in _imports(path)
             if name.split(".")[0] == "addin_server"]
    assert wrong == []


def _emulator_imports_by_function(path: Path) -> list[tuple[str | None, str]]:
    """(enclosing function or None at module level, module) for every import of addin_emulator."""
    found: list[tuple[str | None, str]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
                continue
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [child.module]
            found.extend((function, name) for name in names if name.split(".")[0] == "addin_emulator")
            visit(child, function)

    visit(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def test_the_product_imports_the_emulator_only_in_the_demo_and_emulator_commands() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for function, name in _emulator_imports_by_function(path):
            if path != PACKAGE / "cli.py" or function not in EMULATOR_COMMANDS:
                wrong.append(f"{path.relative_to(REPO)} imports {name} in {function or 'the module'}")
    assert wrong == []


def test_the_import_check_sees_the_commands_that_use_the_emulator() -> None:
    # Guards the check above against passing because it found nothing at all.
    functions = {function for function, _ in _emulator_imports_by_function(PACKAGE / "cli.py")}
    assert functions == EMULATOR_COMMANDS
