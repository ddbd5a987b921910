"""The mailbox pipeline under faults (small N): nothing lost, nothing ended twice, all explained."""

from __future__ import annotations

from tests.reliability import as_text, run_soak


def test_duplicates_reordering_drops_expiry_429s_and_a_dead_worker_lose_nothing(database_url: str) -> None:
    result = run_soak(60, database_url, seed=11)
    print(as_text(result))
    assert result.lost == 0, as_text(result)
    assert result.ended_twice == 0, as_text(result)
    assert result.unexplained == 0, as_text(result)
    assert result.out_of_office_unenrolled == 0, as_text(result)
    assert result.faults.get("duplicated pushes", 0) > 0 and result.faults.get("dropped pushes", 0) > 0
