"""The mailbox pipeline under faults on both providers (small N): nothing lost, nothing ended twice,
every ending explained, no out-of-office reply unenrolled."""

from __future__ import annotations

from tests.reliability import as_text, run_soak


def test_duplicates_reordering_drops_throttling_lifecycle_events_and_a_dead_worker_lose_nothing_on_gmail_and_outlook(
        database_url: str) -> None:
    result = run_soak(80, database_url, seed=11)
    print(as_text(result))
    for provider, tally in result.providers.items():
        assert tally.delivered == 40, provider
        assert tally.lost == 0, as_text(result)
        assert tally.ended_twice == 0, as_text(result)
        assert tally.unexplained == 0, as_text(result)
        assert tally.out_of_office_unenrolled == 0, as_text(result)
        assert tally.faults.get("duplicated notifications", 0) > 0, provider
        assert tally.faults.get("notifications dropped (emulator)", 0) > 0, provider
        assert tally.faults.get("leases held by a dead worker", 0) > 0, provider
    outlook = result.providers["outlook"].faults
    assert outlook["lifecycle: missed"] == outlook["lifecycle: subscription removed"] == 1
    assert result.providers["gmail"].faults["history expired"] == 1
