"""`addin-server serve` as a new team starts it from the README: `db upgrade`, `accounts create`,
then the API over HTTP. Also what operators see: an access log with no capability token in it,
and a gunicorn control socket of each server's own."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.serve.support import CLI, eventually, serving


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "MAIL_", "DEMO_"))}
    # XDG_RUNTIME_DIR: where gunicorn puts control sockets; this test's own folder.
    return {**base, "DATABASE_URL": database_url, "SECRET_KEY": "serve-test-secret",
            "PUBLIC_URL": "https://sidebar.test", "XDG_RUNTIME_DIR": str(tmp_path)}


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout




def _readme_calls(url: str, key: str) -> tuple[dict[str, str], dict[str, Any]]:
    h = {"Authorization": f"Bearer {key}"}
    rep = requests.post(f"{url}/api/v1/users", json={"email": "rita@acme.test", "name": "Rita Rep", "role": "user",
                                                     "mailbox_provider": "gmail", "mailbox_address": "rita@acme.test"},
                        headers=h, timeout=10).json()
    contact = requests.post(f"{url}/api/v1/contacts", json={"email": "jane@globex.test", "first_name": "Jane"},
                            headers=h, timeout=10).json()
    seq = requests.post(f"{url}/api/v1/sequences", json={"name": "Intro", "owner_user_id": rep["id"], "steps": [
        {"type": "automated_email", "delay_days": 0, "subject": "Hi", "body": "Hello",
         "thread_with_previous": False}]}, headers=h, timeout=10).json()
    return h, {"sequence_id": seq["id"], "contact_id": contact["id"], "sender_user_id": rep["id"]}


def test_a_fresh_serve_answers_the_first_enrollment_with_a_clear_409(env: dict[str, str], tmp_path: Path) -> None:
    _run(env, "db", "upgrade")
    made = json.loads(_run(env, "accounts", "create", "--name", "Acme", "--plan", "professional",
                           "--admin-email", "admin@acme.test"))
    with serving(env, tmp_path / "serve.log") as url:
        h, body = _readme_calls(url, made["api_key"])
        refused = requests.post(f"{url}/api/v1/enrollments", json=body, headers=h, timeout=10)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "mailbox_not_connected"
        assert "Rita Rep" in refused.json()["error"]["message"]
        listed = requests.get(f"{url}/api/v1/enrollments", headers=h, timeout=10).json()
        assert listed["enrollments"] == []


def test_the_access_log_carries_no_capability_token(env: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    secrets = ["eyJlIjoiMSJ9.unsubscribe-secret", "meeting-secret-42", "oauth-code-secret", "oauth-state-secret"]
    with serving(env, log) as url:
        requests.get(f"{url}/u/{secrets[0]}", timeout=10)
        requests.post(f"{url}/u/{secrets[0]}", timeout=10)
        requests.get(f"{url}/meet/7.abcdef?t={secrets[1]}", timeout=10)
        requests.get(f"{url}/app/settings/mailbox/callback?code={secrets[2]}&state={secrets[3]}", timeout=10,
                     headers={"Referer": f"https://mail.example/u/{secrets[0]}"})
    written = log.read_text()
    assert "GET /u/[redacted]" in written and "t=[redacted]" in written  # the requests were logged
    for secret in secrets:
        assert secret not in written


@pytest.mark.parametrize(("log_level", "gunicorn_info_shown"), [("INFO", True), ("ERROR", False)])
def test_gunicorns_own_lines_follow_log_level(env: dict[str, str], tmp_path: Path, log_level: str,
                                              gunicorn_info_shown: bool) -> None:
    log = tmp_path / "serve.log"
    with serving({**env, "LOG_LEVEL": log_level}, log) as url:
        requests.get(url + "/healthz", timeout=10)
    written = log.read_text()
    assert ("Starting gunicorn" in written) is gunicorn_info_shown
    assert ("Booting worker" in written) is gunicorn_info_shown
    assert "GET /healthz" in written  # the access log (stdout) is a record of requests, kept at any level


def test_two_servers_on_one_machine_each_keep_their_own_control_socket(env: dict[str, str], tmp_path: Path) -> None:
    with serving(env, tmp_path / "one.log") as one, serving(env, tmp_path / "two.log") as two:
        ports = [u.rsplit(":", 1)[1] for u in (one, two)]
        expected = {f"addin-server-127.0.0.1-{port}.ctl" for port in ports}
        # gunicorn's master opens its control socket from a thread started after the worker, which
        # can answer first: wait for the sockets, then check they are exactly these.
        eventually(lambda: expected <= {p.name for p in tmp_path.glob("*.ctl")}, f"control sockets {expected}")
        sockets = {p.name for p in tmp_path.glob("*.ctl")}
        assert sockets == expected
        assert not (tmp_path / "gunicorn.ctl").exists()


def test_accounts_create_before_db_upgrade_says_what_to_run(env: dict[str, str], tmp_path: Path) -> None:
    fresh = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'never-upgraded.db'}"}
    done = subprocess.run([*CLI, "accounts", "create", "--name", "Acme", "--plan", "professional",
                           "--admin-email", "admin@acme.test"], env=fresh, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    error = json.loads(done.stderr.strip().splitlines()[-1])["error"]
    assert error["code"] == "database_not_ready" and "addin-server db upgrade" in error["message"]
    assert "Traceback" not in done.stderr
