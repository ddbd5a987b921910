"""Each server on a machine has its own gunicorn control socket, also with port 0 and under plain
gunicorn with the shipped config, so no server takes over another's."""

from __future__ import annotations

import importlib
import os

import pytest
from gunicorn.config import Config

from addin_server.cli import control_socket_path, gunicorn_log_level


def test_two_servers_on_port_0_get_different_control_sockets() -> None:
    assert control_socket_path("127.0.0.1", 0, 1111) != control_socket_path("127.0.0.1", 0, 2222)
    assert control_socket_path("127.0.0.1", 0, 1111).endswith("addin-server-pid1111.ctl")


def test_a_server_on_a_fixed_port_is_named_after_its_address() -> None:
    assert control_socket_path("127.0.0.1", 8120).endswith("addin-server-127.0.0.1-8120.ctl")


def test_plain_gunicorn_with_the_shipped_config_gets_its_own_control_socket_and_redacting_log() -> None:
    conf = importlib.import_module("addin_server.gunicorn_conf")
    cfg = Config()
    for name in ("control_socket", "logger_class", "accesslog"):
        cfg.set(name, getattr(conf, name))
    assert cfg.control_socket.endswith(f"addin-server-pid{os.getpid()}.ctl")
    assert cfg.control_socket != Config().control_socket
    assert cfg.logger_class.__name__ == "RedactingAccessLog"


@pytest.mark.parametrize(("case", "log_level", "gunicorn_level"), [
    ("the default shows gunicorn's start and worker lines", "INFO", "info"),
    ("an operator asking for errors only hides gunicorn's info lines", "ERROR", "error"),
    ("lower case is the same level", "warning", "warning"),
    ("Python's alias WARN is warning", "WARN", "warning"),
    ("Python's alias FATAL is critical", "FATAL", "critical"),
    ("debug shows gunicorn's debug lines", "DEBUG", "debug"),
    ("a name Python does not know means info, as for the app's lines", "verbose", "info"),
])
def test_gunicorn_logs_at_the_operators_log_level(case: str, log_level: str, gunicorn_level: str) -> None:
    assert gunicorn_log_level(log_level) == gunicorn_level


def test_plain_gunicorn_with_the_shipped_config_logs_at_log_level(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    conf = importlib.reload(importlib.import_module("addin_server.gunicorn_conf"))
    cfg = Config()
    cfg.set("loglevel", conf.loglevel)
    assert cfg.loglevel == "error"
    monkeypatch.delenv("LOG_LEVEL")
    assert importlib.reload(conf).loglevel == "info"
