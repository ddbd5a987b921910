"""How long to fuzz: FUZZ_EXAMPLES examples per target (small in `make test`, long in `make bench`)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


def fuzzing(examples: int | None = None) -> settings:
    """Hypothesis settings for one fuzz target: no deadline (the first request warms caches), no saved database."""
    return settings(max_examples=examples or EXAMPLES, deadline=None, database=None, derandomize=False,
                    suppress_health_check=list(HealthCheck))
