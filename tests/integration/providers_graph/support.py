"""Helpers for the Graph provider tests: settings pointing at the emulator, inbound fixtures."""

from __future__ import annotations

from pathlib import Path

from addin_server.config import Settings
from tests.integration.emulator_microsoft.support import MicrosoftSetup

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_GRAPH_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "graph"


def settings_for(setup: MicrosoftSetup) -> Settings:
    """What GRAPH_API_ENDPOINT, MS_AUTHORITY, MS_CLIENT_* and CA_BUNDLE would say for the emulator."""
    assert setup.emulator.tls_base_url and setup.emulator.ca_bundle
    return Settings(graph_api_endpoint=setup.graph, ms_client_id=setup.client_id,
                    ms_client_secret=setup.client_secret, ms_authority=f"{setup.emulator.tls_base_url}/ms/common",
                    ca_bundle=setup.emulator.ca_bundle)


def inbound(name: str, **values: str) -> bytes:
    """An inbound message fixture with its {placeholders} filled in."""
    text = (FIXTURES / name).read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.encode()
