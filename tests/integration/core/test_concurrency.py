"""Real concurrency: two callers racing on the same enrollment or the same contact."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from addin_server.db import tables as t
from addin_server.services import enrollments, sequences
from addin_server.services.context import ServiceContext
from addin_server.services.errors import Conflict
from addin_server.services.sequences import StepInput
from tests.builders import make_world


def _race(n: int, fn: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_two_concurrent_unenrolls_produce_exactly_one_event(services: ServiceContext, round_: int) -> None:
    w = make_world(services)
    e = enrollments.enroll(services, w.admin, sequence_id=w.sequence["id"], contact_id=w.contact["id"],
                           sender_user_id=w.rep["id"])
    surfaces = ["gmail_addon", "outlook_addin", "contact_record", "bulk"]
    results = _race(4, lambda i: enrollments.unenroll(services, w.admin, e["id"], surface=surfaces[i]))
    assert all(isinstance(r, dict) for r in results), results
    with services.session() as s:
        events = s.scalar(select(func.count()).select_from(t.EnrollmentEvent).where(
            t.EnrollmentEvent.enrollment_id == int(e["id"]), t.EnrollmentEvent.type == "unenrolled"))
    assert events == 1
    # Every caller sees the one outcome that won.
    assert len({r["end_surface"] for r in results}) == 1


def test_concurrent_enrollments_of_one_contact_leave_one_open(services: ServiceContext) -> None:
    w = make_world(services)
    seqs = [w.sequence["id"]] + [
        sequences.create_sequence(services, w.admin, name=f"S{i}", owner_user_id=w.rep["id"],
                                  steps=[StepInput("task", 0, "t", ""), StepInput("task", 1, "t", "")])["id"]
        for i in range(3)
    ]
    results = _race(4, lambda i: enrollments.enroll(services, w.admin, sequence_id=seqs[i],
                                                    contact_id=w.contact["id"], sender_user_id=w.rep["id"]))
    ok = [r for r in results if isinstance(r, dict)]
    assert len(ok) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, dict)), results
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(t.Enrollment).where(
            t.Enrollment.status.in_(["active", "paused"]))) == 1
