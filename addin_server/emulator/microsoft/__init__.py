"""Microsoft Graph, its change notifications and Microsoft's token issuer."""

from __future__ import annotations

from flask import Flask

from addin_server.emulator.clock import Clock


def register(app: Flask, clock: Clock) -> None:
    """Mount Microsoft's routes on the emulator app."""
