"""The local emulator's control API, as the demo seeding uses it: make mailboxes, deliver mail.

Only the demo calls this, with EMULATOR_URL pointing at the emulator the `demo` command started.
"""

from __future__ import annotations

from typing import Any

import requests

from addin_server.config import Settings

CONTROL_TIMEOUT_SECONDS = 10


def control(settings: Settings, method: str, path: str, **kwargs: Any) -> Any:
    """Call the emulator's control API at EMULATOR_URL; its JSON answer ({} when empty).
    Raises requests' errors: the demo cannot go on without its emulator."""
    response = requests.request(method, settings.emulator_url.rstrip("/") + path,
                                timeout=CONTROL_TIMEOUT_SECONDS, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else {}
