"""Each server on a machine has its own gunicorn control socket, also with port 0 and under plain
gunicorn with the shipped config, so no server takes over another's."""

from __future__ import annotations

import importlib
import os

from gunicorn.config import Config

from addin_server.cli import control_socket_path


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
