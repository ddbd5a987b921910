"""Browser tests of the web app: a demo-mode app on a loopback port, signed in through its form.

The world: Rita's 'Intro outreach' with Jane, Raj and Lena enrolled by Rita; Otto is a rep with
no part in it; admin@acme.test is the super admin.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from addin_server import create_app
from addin_server.config import Settings
from addin_server.services import accounts, directory, enrollments
from addin_server.services.context import ServiceContext
from addin_server.services.demo import DEMO_API_KEY
from tests.browser import browser_page, live_server, screenshot
from tests.builders import World, make_world


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings.from_env({}, database_url=database_url, public_url="http://127.0.0.1",
                             secret_key="browser-test-secret", demo_mode=True, mail_transport="local")


@dataclass
class BrowserWorld:
    world: World
    enrollment: dict[str, str]  # contact first name -> enrollment id

    @property
    def sequence_id(self) -> str:
        return str(self.world.sequence["id"])

    def status(self, services: ServiceContext, name: str) -> dict[str, Any]:
        return enrollments.get_enrollment(services, self.world.admin, self.enrollment[name])


@pytest.fixture
def browser_world(services: ServiceContext) -> BrowserWorld:
    w = make_world(services)
    # The demo sign-in serves the seeded demo account only: the one holding the demo's API key.
    accounts.install_api_key(services, w.account_id, DEMO_API_KEY, name="demo")
    lena = directory.create_contact(services, w.admin, email="lena@globex-acme.test", first_name="Lena",
                                    last_name="Berg", company_id=w.company["id"])
    rita = w.rep["id"]
    ids = {}
    for name, contact in (("jane", w.contact), ("raj", w.colleague), ("lena", lena)):
        ids[name] = str(enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=contact["id"],
                                           sender_user_id=rita, enrolled_by_user_id=rita)["id"])
    return BrowserWorld(w, ids)


@pytest.fixture
def base_url(settings: Settings, services: ServiceContext, browser_world: BrowserWorld) -> Iterator[str]:
    app = create_app(settings, services=services)
    with live_server(app) as url:
        yield url


@pytest.fixture
def page() -> Iterator[Any]:
    with browser_page() as p:
        yield p


def sign_in(page: Any, base_url: str, email: str, then: str = "/app/sequences") -> None:
    """The demo-only password sign-in, as a person would use it."""
    page.goto(f"{base_url}/app/sign-in?next={then}")
    screenshot(page, "app-sign-in")
    page.select_option("select[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click(".demo-sign-in button[type=submit]")
    page.wait_for_url(f"{base_url}{then}")


AXE_DIR = Path(__file__).resolve().parent
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from npm (tests/e2e/app/package.json; `make test` installs it), installed on first use."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install axe-core for the accessibility checks")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, capture_output=True, text=True,
                              timeout=300, check=False)
        if done.returncode != 0 or not AXE_SCRIPT.exists():
            pytest.skip(f"axe-core could not be installed from npm: {done.stderr.strip()[-300:]}")
    return AXE_SCRIPT.read_text()


def axe_violations(page: Any, axe_source: str) -> list[str]:
    """What axe-core finds wrong on the page as it is now (WCAG A/AA and best practices), one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " at " +
            v.nodes.map(n => n.target.join(" ")).join(", "));
    }""")
    return list(found)
