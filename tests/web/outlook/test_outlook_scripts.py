"""The task pane's and the event-based runtime's JavaScript, checked with Microsoft's own types and bundle.

`tsc --checkJs` (TypeScript from tests/e2e/outlook/package.json) type-checks the plain JS against
@types/office-js and @azure/msal-browser's types, so a misspelt Office.js call or a wrong MSAL.js
argument fails the suite. The MSAL.js bundle the app serves must be the one npm's lock file pins.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.web.outlook.test_outlook_manifest import REPO, VALIDATOR_DIR, node_tool

TSC = VALIDATOR_DIR / "node_modules" / ".bin" / "tsc"
STATIC = REPO / "static" / "outlook"
VENDOR_BUNDLE = STATIC / "vendor" / "msal-browser.min.js"
NPM_BUNDLE = VALIDATOR_DIR / "node_modules" / "@azure" / "msal-browser" / "lib" / "msal-browser.min.js"
TSC_OPTIONS = ["--noEmit", "--allowJs", "--checkJs", "--target", "ES2017", "--lib", "ES2017,DOM",
               "--types", "office-js", "--skipLibCheck", "--moduleResolution", "node", "--pretty", "false"]


def _tsc(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(node_tool(TSC)), *TSC_OPTIONS, str(VALIDATOR_DIR / "globals.d.ts"),
                           *map(str, files)], capture_output=True, text=True, timeout=300, check=False,
                          cwd=VALIDATOR_DIR)


@pytest.fixture
def event_script(client: Any, tmp_path: Path) -> Path:
    """/outlook/events.js as Outlook receives it (a template: the API's address and the info bar inside)."""
    response = client.get("/outlook/events.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    begins, ends = "/* @azure/msal-browser bundle begins */", "/* @azure/msal-browser bundle ends */"
    bundle = script[script.index(begins) + len(begins):script.index(ends)]
    assert bundle.strip() == VENDOR_BUNDLE.read_text().strip()
    # The minified bundle is Microsoft's (typed by its own .d.ts): our code around it is what is checked.
    path = tmp_path / "events.js"
    path.write_text(script.replace(bundle, "\n"))
    return path


def test_the_task_pane_script_type_checks_against_office_js_and_msal(tmp_path: Path) -> None:
    checked = _tsc(STATIC / "infobar.js", STATIC / "taskpane.js")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_event_based_runtime_type_checks_against_office_js(event_script: Path) -> None:
    checked = _tsc(event_script)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("mistake", [
    pytest.param(("Office.context.mailbox.item", "Office.context.mailbox.itme"), id="a misspelt office.js name fails"),
    pytest.param(("app.acquireTokenSilent(request)", "app.acquireTokenSilently(request)"),
                 id="a misspelt msal.js call fails"),
    pytest.param(("supportsSet(\"NestedAppAuth\", \"1.1\")", "supportsSet(\"NestedAppAuth\", 1.1)"),
                 id="a wrong argument type fails"),
    # The open item is typed as a message, not `any`: a misspelt call on it fails too (finding 15-6).
    pytest.param(("item.addHandlerAsync(Office.EventType.RecipientsChanged",
                  "item.addHandlerAsyncc(Office.EventType.RecipientsChanged"),
                 id="a misspelt call on the open item fails"),
    pytest.param(("item[field].getAsync(", "item[field].getAsyn("), id="a misspelt recipients call fails"),
])
def test_a_mistake_in_the_pane_script_fails_the_type_check(tmp_path: Path, mistake: tuple[str, str]) -> None:
    original, broken = mistake
    source = (STATIC / "taskpane.js").read_text()
    assert original in source
    (tmp_path / "taskpane.js").write_text(source.replace(original, broken, 1))
    checked = _tsc(STATIC / "infobar.js", tmp_path / "taskpane.js")
    assert checked.returncode != 0 and "error TS" in checked.stdout


@pytest.mark.parametrize("mistake", [
    pytest.param(("messages.replaceAsync(", "messages.replaceAsyn("), id="a misspelt replaceAsync fails"),
    pytest.param(("messages.removeAsync(", "messages.remov("), id="a misspelt removeAsync fails"),
    pytest.param(("InformationalMessage", "InformationMessage"), id="a misspelt message type fails"),
])
def test_a_mistake_in_the_information_bar_script_fails_the_type_check(
        tmp_path: Path, mistake: tuple[str, str]) -> None:
    original, broken = mistake
    source = (STATIC / "infobar.js").read_text()
    assert original in source
    (tmp_path / "infobar.js").write_text(source.replace(original, broken, 1))
    checked = _tsc(tmp_path / "infobar.js", STATIC / "taskpane.js")
    assert checked.returncode != 0 and "error TS" in checked.stdout


def test_a_misspelt_call_on_the_draft_in_the_event_based_runtime_fails_the_type_check(
        event_script: Path) -> None:
    source = event_script.read_text()
    assert "recipients.getAsync(" in source
    event_script.write_text(source.replace("recipients.getAsync(", "recipients.getAsyn(", 1))
    checked = _tsc(event_script)
    assert checked.returncode != 0 and "error TS" in checked.stdout


def test_the_served_msal_bundle_is_the_one_the_npm_lock_file_pins() -> None:
    node_tool(TSC)  # npm ci, if it has not run
    lock = json.loads((VALIDATOR_DIR / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/@azure/msal-browser"]["version"]
    assert json.loads((VALIDATOR_DIR / "package.json").read_text())["devDependencies"]["@azure/msal-browser"] == pinned
    assert VENDOR_BUNDLE.read_bytes() == NPM_BUNDLE.read_bytes()
    assert VENDOR_BUNDLE.read_text()[:80].startswith(f"/*! @azure/msal-browser v{pinned} ")
    assert (STATIC / "vendor" / "msal-browser.LICENSE").read_text().startswith("MIT License")


def test_the_pane_loads_office_js_from_microsofts_cdn_and_msal_from_this_server(client: Any) -> None:
    html = client.get("/outlook/taskpane").get_data(as_text=True)
    assert '<script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>' in html
    assert 'src="/static/outlook/vendor/msal-browser.min.js"' in html
    assert html.index("msal-browser.min.js") < html.index("taskpane.js")
    with client.get("/static/outlook/vendor/msal-browser.min.js") as bundle:
        assert bundle.status_code == 200 and bundle.mimetype == "text/javascript"
