"""The web app's Content-Security-Policy in Chromium: every page sends it, and nothing a page needs
(our scripts, stylesheets, dialogs, menus) is refused by it."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.app.conftest import BrowserWorld, sign_in

pytestmark = pytest.mark.browser

# Every refusal the policy makes in the page is recorded where the test can read it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def _violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def test_every_app_page_sends_the_policy_and_breaks_nothing(
        page: Any, base_url: str, browser_world: BrowserWorld) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, base_url, "rita@acme.test")
    seq = browser_world.sequence_id
    contact_id = browser_world.world.contact["id"]
    for path in ("/app/sequences", f"/app/sequences/{seq}/enrollments", f"/app/sequences/{seq}/scheduled",
                 f"/app/sequences/{seq}/performance", f"/app/contacts/{contact_id}", "/app/settings"):
        response = page.goto(base_url + path)
        assert response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px", path  # app.css applied
        assert _violations(page) == [], path

    # The page script still runs under the policy: the confirm dialog opens and closes.
    page.goto(f"{base_url}/app/contacts/{contact_id}")
    page.click("#contact-unenroll")
    assert page.locator("#confirm-dialog").is_visible()
    page.click("#confirm-cancel")
    assert _violations(page) == [] and console == []


def test_the_sign_in_page_allows_exactly_googles_and_microsofts_sign_in_scripts(base_url: str) -> None:
    policy = requests.get(f"{base_url}/app/sign-in", timeout=10).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"].split() == ["'self'", "https://accounts.google.com/gsi/client",
                                                "https://alcdn.msauth.net"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "https://login.microsoftonline.com" in directives["connect-src"]
