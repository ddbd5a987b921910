"""The layering of DESIGN.md, checked on the source: each module imports only what its layer may.

Every module of the package is covered, the top-level ones (the app factory, cli, wsgi, config)
included. Imports inside functions count like any other: an import moved into a function still
runs, so it cannot hide a circle or a forbidden layer.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "addin_server"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
MIGRATIONS = PACKAGE / "db" / "migrations"
MAX_LINES = 700

# A module's layer: its folder under addin_server/, or its own name for the top-level modules
# ("" is the package itself: __init__.py, the application factory).
# layer -> the project layers it may import (besides its own)
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "mail": {"domain"},
    "db": {"domain"},
    "providers": {"config", "domain"},
    "auth": {"config"},
    "services": {"domain", "mail", "db", "providers", "auth", "config", "assets"},
    "web": {"services", "domain", "config", "auth", "assets"},
    "webhooks": {"services", "domain", "config", "auth"},
    "worker": {"services", "domain", "config"},
    "config": set(),
    # Where static/, cards/ and manifests/ are (the checkout's, or the wheel's copy): standard library only.
    "assets": set(),
    # The application factory assembles the layers; it is what every entry point starts from.
    "": {"config", "assets", "services", "auth", "web", "webhooks", "worker", "domain"},
    # The commands call services; `serve` and `worker` start the worker loop, `db upgrade` runs the
    # migrations, `classify` prints the classifier's report. Never web: the app comes from create_app.
    "cli": {"", "config", "assets", "services", "auth", "domain", "mail", "db", "worker"},
    "__main__": {"cli"},
    "wsgi": {"", "config"},
    "gunicorn_conf": {"cli"},
}

# What a module may take from the package itself (`from addin_server import ...`).
FROM_PACKAGE_ROOT = {"create_app", "configure_logging"}

# The emulator is a stand-in for Google and Microsoft: the product reaches it only from the
# commands that start it (`demo`, `emulator`), never from a layer.
EMULATOR_PACKAGES = {"addin_emulator"}
EMULATOR = ROOT / "addin_emulator"
EMULATOR_COMMANDS = {"cmd_demo", "cmd_emulator"}

# HTTP and vendor clients: calls to Google and Microsoft live in providers/ and auth/, so services
# and domain can be read (and tested) without them.
VENDOR_CLIENTS = ("requests", "httplib2", "urllib.request", "urllib3", "http.client", "httpx", "aiohttp",
                  "googleapiclient", "google.auth", "google.oauth2", "google_auth_oauthlib", "google_auth_httplib2",
                  "msal", "O365", "jwt")
NO_VENDOR_CLIENTS = ("services", "domain")


@dataclass(frozen=True)
class Import:
    module: str  # the absolute module named (for `from a import b`, a)
    names: tuple[str, ...]  # the names taken by `from a import ...`; () for `import a`
    in_function: str | None  # the enclosing function, None at module level
    type_only: bool  # under `if TYPE_CHECKING:`
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name, type_only)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, function, True)
            elif isinstance(child, ast.Import):
                found.extend(Import(a.name, (), function, type_only, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.append(Import(_resolve(path, child), tuple(a.name for a in child.names), function,
                                    type_only, child.lineno))
            else:
                visit(child, function, type_only)

    visit(tree, None, False)
    return found


def _product_files() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    if len(parts) > 1:
        return parts[0]
    return "" if parts[0] == "__init__.py" else parts[0].removesuffix(".py")


def _target_layer(module: str) -> str | None:
    """The layer of addin_server a module name points into, or None outside the package."""
    parts = module.split(".")
    if parts[0] != "addin_server":
        return None
    return parts[1] if len(parts) > 1 else ""


def _where(path: Path, imp: Import) -> str:
    return f"{path.relative_to(ROOT)}:{imp.line}"


def test_every_module_has_a_layer() -> None:
    assert sorted({_layer(p) for p in _product_files()} - set(ALLOWED)) == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    wrong = []
    for path in _product_files():
        if _layer(path) != layer:
            continue
        for imp in _imports(path):
            target = _target_layer(imp.module)
            top = imp.module.split(".")[0]
            if top in EMULATOR_PACKAGES:
                if not (layer == "cli" and imp.in_function in EMULATOR_COMMANDS):
                    wrong.append(f"{_where(path, imp)} imports {imp.module} (only the demo and emulator commands may)")
            elif target is not None:
                if target == "" and layer != "":
                    if not set(imp.names) <= FROM_PACKAGE_ROOT or "" not in ALLOWED[layer]:
                        wrong.append(f"{_where(path, imp)} imports {', '.join(imp.names)} from the package")
                elif target != layer and target not in ALLOWED[layer]:
                    wrong.append(f"{_where(path, imp)} imports {imp.module}")
            elif layer == "domain" and top not in STDLIB:
                wrong.append(f"{_where(path, imp)} imports {imp.module} (domain is standard library only)")
            elif layer == "services" and top == "flask":
                wrong.append(f"{_where(path, imp)} imports flask (services never do)")
    assert wrong == []


def _is_vendor_client(module: str) -> bool:
    return any(module == banned or module.startswith(banned + ".") for banned in VENDOR_CLIENTS)


@pytest.mark.parametrize("layer", NO_VENDOR_CLIENTS)
def test_no_http_or_vendor_client_outside_providers_and_auth(layer: str) -> None:
    wrong = [f"{_where(path, imp)} imports {imp.module}"
             for path in _product_files() if _layer(path) == layer
             for imp in _imports(path)
             if _is_vendor_client(imp.module) or any(_is_vendor_client(f"{imp.module}.{n}") for n in imp.names)]
    assert wrong == []


SERVICES = "addin_server.services"


def _service_modules() -> dict[str, Path]:
    """Every service module by its dotted name under services/ ("inbox", "gmail.sync", "gmail" for a
    package's __init__)."""
    base = PACKAGE / "services"
    found = {}
    for p in sorted(base.rglob("*.py")):
        parts = list(p.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            found[".".join(parts)] = p
    return found


def _service_imports(path: Path) -> Iterator[tuple[str, Import]]:
    """The service modules a service module imports (by short name), with the import that does it."""
    known = _service_modules()
    for imp in _imports(path):
        if imp.module != SERVICES and not imp.module.startswith(SERVICES + "."):
            continue
        base = imp.module.removeprefix(SERVICES).lstrip(".")
        # `from addin_server.services.gmail import sync` names a module; `... import record_gmail_push` a name.
        modules = [f"{base}.{name}" if base else name for name in imp.names if (f"{base}.{name}" if base else name) in known]
        if modules:
            yield from ((m, imp) for m in modules)
        elif base in known:
            yield base, imp


def _service_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in _service_modules().items():
        graph[module] = {target for target, imp in _service_imports(path)
                         if target != module and not imp.type_only}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_service_modules_import_each_other_without_circles() -> None:
    # Imports inside functions count: they run too, and hiding one there is how a circle is dodged.
    assert _circles(_service_graph()) == []


def test_the_circle_check_sees_circles() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_service_modules_import_each_other_at_the_top() -> None:
    """No import of one service module by another hides inside a function or a TYPE_CHECKING block."""
    hidden = [f"{_where(path, imp)} imports services.{target}"
              + (f" inside {imp.in_function}()" if imp.in_function else " for type checking only")
              for module, path in _service_modules().items()
              for target, imp in _service_imports(path)
              if (imp.in_function is not None or imp.type_only)]
    assert hidden == []


def test_no_product_module_is_over_the_line_limit() -> None:
    long = []
    for path in _product_files():
        # Migrations are history.
        if path.is_relative_to(MIGRATIONS):
            continue
        name = path.relative_to(PACKAGE).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long.append(f"{name}: {lines} lines")
    assert long == []


def test_the_emulator_imports_nothing_of_the_product() -> None:
    wrong = [f"{path.relative_to(ROOT)}:{imp.line} imports {imp.module}"
             for path in sorted(EMULATOR.rglob("*.py")) for imp in _imports(path)
             if imp.module.split(".")[0] == "addin_server"]
    assert wrong == []


def test_the_import_check_sees_the_commands_that_use_the_emulator() -> None:
    # Guards the emulator rule against passing because it found nothing at all.
    used = {imp.in_function for imp in _imports(PACKAGE / "cli.py") if imp.module.split(".")[0] in EMULATOR_PACKAGES}
    assert used == EMULATOR_COMMANDS
