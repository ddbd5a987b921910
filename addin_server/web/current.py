"""The running app's settings and services, as every web module reads them (one place, typed)."""

from __future__ import annotations

from flask import current_app

from addin_server.config import Settings
from addin_server.services.context import ServiceContext


def settings() -> Settings:
    found: Settings = current_app.extensions["settings"]
    return found


def services() -> ServiceContext:
    found: ServiceContext = current_app.extensions["services"]
    return found
