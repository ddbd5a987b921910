"""Settings read from the environment take the type of their field."""

from __future__ import annotations

from addin_server.config import Settings


def test_seconds_given_in_the_environment_are_numbers() -> None:
    settings = Settings.from_env({"PRESEND_READ_TIMEOUT_SECONDS": "2.5", "PRESEND_MAILBOX_DEADLINE_SECONDS": "7",
                                  "PRESEND_PARALLEL_READS": "3"})
    assert (settings.presend_read_timeout_seconds, settings.presend_mailbox_deadline_seconds,
            settings.presend_parallel_reads) == (2.5, 7.0, 3)
