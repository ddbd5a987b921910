"""The product as operators install it: `pip wheel .`, installed without the checkout, then the README's
commands. The wheel must carry everything the app reads at run time (static assets, Gmail card templates,
manifest templates), since nothing beside site-packages is there to fall back on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests

from tests.e2e.serve.support import serving

REPO = Path(__file__).resolve().parents[3]
# What a build never needs from the checkout (and what would make copying it slow).
_NOT_BUILT = shutil.ignore_patterns(".git", ".venv", "node_modules", "build", "*.egg-info", "__pycache__", "tests",
                                    "bench", "instance", ".*_cache", "test-artifacts", ".hypothesis")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout, unpacked as pip would install it (pure Python)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(REPO, source, ignore=_NOT_BUILT)
    # No build isolation: the tests never reach a package index; the development requirements hold setuptools.
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(base / "dist")], check=True, capture_output=True, timeout=300)
    [wheel] = (base / "dist").glob("addin_server-*.whl")
    site = base / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def _env(site: Path, home: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "MAIL_", "DEMO_", "PYTHON", "TEST_"))}
    return {**base, "PYTHONPATH": str(site), "DATABASE_URL": f"sqlite:///{home / 'wheel.db'}",
            "SECRET_KEY": "wheel-test-secret", "PUBLIC_URL": "https://sidebar.test", "MAIL_TRANSPORT": "local",
            "XDG_RUNTIME_DIR": str(home)}


def _run(env: dict[str, str], home: Path, *args: str) -> str:
    # From a folder outside the checkout, so only the installed wheel can answer.
    done = subprocess.run([sys.executable, *args], env=env, cwd=home, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_installed_wheel_is_the_one_running(installed: Path, tmp_path: Path) -> None:
    where = _run(_env(installed, tmp_path), tmp_path, "-c", "import addin_server; print(addin_server.__file__)")
    assert Path(where.strip()).is_relative_to(installed)


def test_the_wheel_carries_the_cards_and_renders_them(installed: Path, tmp_path: Path) -> None:
    script = ("import json; from addin_server.web import cards; "
              "print(json.dumps([sorted(cards.environment().list_templates()), "
              "cards.render_card('error.json.j2', title='T', message='M', advice='A', link=None, retry=None)]))")
    names, card = json.loads(_run(_env(installed, tmp_path), tmp_path, "-c", script))
    assert names == sorted(p.name for p in (REPO / "cards").iterdir())
    assert card["header"]["title"] == "T"


def test_the_wheel_writes_the_manifests_with_their_icons(installed: Path, tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    _run(_env(installed, tmp_path), tmp_path, "-m", "addin_server", "manifests",
         "--public-url", "https://sidebar.test", "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["gmail-deployment.json", "icon-192.png", "outline-32.png",
                                                     "outlook-manifest.json", "outlook-manifest.xml"]
    assert "https://sidebar.test/outlook/taskpane" in (out / "outlook-manifest.xml").read_text()


def test_the_wheel_serves_the_readme_start(installed: Path, tmp_path: Path) -> None:
    env = _env(installed, tmp_path)
    _run(env, tmp_path, "-m", "addin_server", "db", "upgrade")
    made = json.loads(_run(env, tmp_path, "-m", "addin_server", "accounts", "create", "--name", "Acme",
                           "--plan", "enterprise", "--admin-email", "admin@acme.test"))
    with serving(env, tmp_path / "serve.log", cwd=tmp_path) as url:
        icon = requests.get(url + "/favicon.ico", timeout=10)
        assert (icon.status_code, icon.content) == (200, (REPO / "static/outlook/icons/icon-32.png").read_bytes())
        assets = [p for p in sorted((REPO / "static").rglob("*")) if p.is_file() and not p.name.startswith(".")]
        assert len(assets) > 10
        for asset in assets:
            served = requests.get(f"{url}/static/{asset.relative_to(REPO / 'static').as_posix()}", timeout=10)
            assert (asset.name, served.status_code, served.content) == (asset.name, 200, asset.read_bytes())
        assert requests.get(url + "/outlook/taskpane", timeout=10).status_code == 200
        assert requests.get(url + "/outlook/events.js", timeout=10).status_code == 200
        status = requests.get(url + "/api/v1/recipients/status?email=jane@globex.test",
                              headers={"Authorization": f"Bearer {made['api_key']}"}, timeout=10)
        assert status.status_code == 200
