"""The mailbox pipeline under faults on both providers (small N): nothing lost, nothing ended twice,
every ending explained, no out-of-office reply unenrolled, and each message counted once."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import text

from addin_server.db.engine import make_engine
from addin_server.db.tables import Base
from tests.reliability import SoakResult, as_text, run_soak

N = 80


@pytest.fixture(scope="module")
def soak(_template_database: str, database_kind: str, tmp_path_factory: pytest.TempPathFactory) -> SoakResult:
    """One run for the module's tests, on a fresh copy of the migrated database (or a truncated one)."""
    if database_kind == "sqlite":
        path = tmp_path_factory.mktemp("soak") / "soak.db"
        shutil.copyfile(_template_database, path)
        url = f"sqlite:///{path}"
    else:
        engine = make_engine(_template_database)
        with engine.begin() as conn:  # what earlier tests of this process left behind
            conn.execute(text("TRUNCATE " + ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
                              + " RESTART IDENTITY CASCADE"))
        engine.dispose()
        url = _template_database
    result = run_soak(N, url, seed=11)
    print(as_text(result))
    return result


def test_duplicates_reordering_drops_throttling_lifecycle_events_and_a_dead_worker_lose_nothing_on_gmail_and_outlook(
        soak: SoakResult) -> None:
    for provider, tally in soak.providers.items():
        assert tally.delivered == N // 2, provider
        assert tally.lost == 0, as_text(soak)
        assert tally.ended_twice == 0, as_text(soak)
        assert tally.unexplained == 0, as_text(soak)
        assert tally.out_of_office_unenrolled == 0, as_text(soak)
        assert tally.faults.get("duplicated notifications", 0) > 0, provider
        assert tally.faults.get("notifications dropped (emulator)", 0) > 0, provider
        assert tally.faults.get("leases held by a dead worker", 0) > 0, provider
        assert tally.faults.get("poison messages", 0) > 0, provider
        assert tally.faults.get("notifications pending", 0) == tally.faults.get("notifications dead", 0) == 0, provider
    outlook = soak.providers["outlook"].faults
    assert outlook["lifecycle: missed"] == outlook["lifecycle: subscription removed"] == 1
    assert soak.providers["gmail"].faults["history expired"] == 1


def test_each_message_counts_once_on_both_providers_whichever_way_it_was_read(soak: SoakResult) -> None:
    for provider, tally in soak.providers.items():
        assert tally.applied_twice == 0, f"{provider}: {as_text(soak)}"


def test_a_report_that_arrives_again_counts_once_and_a_delay_notice_counts_nothing(soak: SoakResult) -> None:
    for provider, tally in soak.providers.items():
        assert tally.reports_counted_twice == 0, f"{provider}: {as_text(soak)}"
        assert tally.delays_counted == 0, f"{provider}: {as_text(soak)}"
    copies = sum(t.faults.get("report copies delivered again", 0) for t in soak.providers.values())
    delays = sum(t.faults.get("delay notices", 0) for t in soak.providers.values())
    assert copies > 0 and delays > 0, as_text(soak)
