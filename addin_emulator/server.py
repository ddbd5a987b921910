"""The emulator's HTTP application: Google's side and Microsoft's side mounted on one server."""

from __future__ import annotations

from flask import Flask

from addin_emulator.clock import Clock


def create_emulator_app(public_base_url: str = "http://127.0.0.1:8090", clock: Clock | None = None) -> Flask:
    """Build the emulator. `public_base_url` is how clients reach it (used in URLs it hands out)."""
    app = Flask("addin_emulator")
    app.config["EMULATOR_BASE_URL"] = public_base_url.rstrip("/")
    clock = clock or Clock()
    app.extensions["emulator_clock"] = clock

    from addin_emulator.google import register as register_google
    from addin_emulator.microsoft import register as register_microsoft

    register_google(app, clock)
    register_microsoft(app, clock)
    return app
