"""The WSGI entry point logs as the CLI does: INFO by default, LOG_LEVEL obeyed (finding 15-3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

# What gunicorn does: import addin_server.wsgi, then the app's loggers log through the root logger.
_PROBE = """
import logging
import addin_server.wsgi  # noqa: F401
logging.getLogger("addin_server.web.gmail_addon").info("audience line for the operator")
logging.getLogger("addin_server.web.gmail_addon").debug("debug line")
"""


def _run_wsgi(tmp_path: Path, log_level: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "DEMO_MODE")}
    env.update(SECRET_KEY="s" * 40, DATABASE_URL=f"sqlite:///{tmp_path / 'wsgi.db'}")
    if log_level is not None:
        env["LOG_LEVEL"] = log_level
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_under_gunicorn_the_gmail_audience_info_line_is_logged_by_default(tmp_path: Path) -> None:
    logged = _run_wsgi(tmp_path, None)
    assert "INFO addin_server.web.gmail_addon audience line for the operator" in logged
    assert "debug line" not in logged


@pytest.mark.parametrize(("level", "info_shown", "debug_shown"), [
    ("WARNING", False, False),
    ("debug", True, True),
])
def test_under_gunicorn_log_level_is_obeyed(tmp_path: Path, level: str, info_shown: bool, debug_shown: bool) -> None:
    logged = _run_wsgi(tmp_path, level)
    assert ("audience line for the operator" in logged) is info_shown
    assert ("debug line" in logged) is debug_shown


def test_an_unknown_log_level_falls_back_to_info_and_says_so(tmp_path: Path) -> None:
    logged = _run_wsgi(tmp_path, "chatty")
    assert "LOG_LEVEL 'chatty' is not a logging level; using INFO" in logged
    assert "audience line for the operator" in logged and "debug line" not in logged
