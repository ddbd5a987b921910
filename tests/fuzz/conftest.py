"""The fuzz tests' world: the security tests' identities, accounts and settings (loopback issuers)."""

from __future__ import annotations

from tests.security.conftest import (  # noqa: F401 - fixtures shared with the security tests
    creds,
    key_servers,
    settings,
    signers,
    world,
)
