"""Outgoing webhooks attacked from outside: brand-new endpoints that stall, receivers that trickle
or redirect inside, hosts written to look public, and a secret rotated mid-delivery. Every receiver
verifies with the `standardwebhooks` library."""

from __future__ import annotations

import time
from contextlib import ExitStack

from addin_server.providers.webhook_http import WebhookPoster
from addin_server.services import enrollments, outgoing_webhooks
from addin_server.services.context import ServiceContext
from tests.builders import World
from tests.integration.webhooks_out.support import deliver, enroll, subscribe
from tests.webhook_receiver import WebhookReceiver

# --- lanes: an endpoint with no history that stalls is a failing one at once ---------------


def _wait(condition: object, seconds: float) -> float:
    """Seconds until `condition()` held (or `seconds` passed)."""
    started = time.perf_counter()
    while not condition() and time.perf_counter() - started < seconds:  # type: ignore[operator]
        time.sleep(0.02)
    return time.perf_counter() - started


def test_a_burst_of_brand_new_stalling_endpoints_never_delays_a_proven_endpoints_delivery(
        services: ServiceContext, world: World, receiver: WebhookReceiver) -> None:
    """Twelve endpoints added a moment ago, each stalling until the cut: none has failed yet, and
    still they share at most half of the lanes, so an endpoint that has answered before hears of an
    ending at once, although its delivery is the newest of all."""
    subscribe(services, world, receiver, events=["enrollment.unenrolled"])
    enrollments.unenroll(services, world.admin, enroll(services, world)["id"])
    assert deliver(services) == {"delivered": 1}  # the endpoint has answered before
    with ExitStack() as stack:
        stalling = [stack.enter_context(WebhookReceiver(mode="trickle", slow_seconds=0.2)) for _ in range(12)]
        for each in stalling:
            subscribe(services, world, each)  # brand new: no success, no failure yet
        e = enroll(services, world, world.colleague)
        enrollments.pause(services, world.admin, e["id"], until=None)
        enrollments.unenroll(services, world.admin, e["id"])  # the proven endpoint's delivery: the newest
        lanes = outgoing_webhooks.DeliveryLanes(services, "test-worker", size=8,
                                                poster=WebhookPoster(allow_private=True, total_seconds=3.0))
        started = time.perf_counter()
        try:
            lanes.start_due()
            heard = _wait(lambda: len(receiver.received) == 2, 5)
            _wait(lambda: sum(each.requests for each in stalling) >= 4, 5)
            in_flight = sum(each.requests for each in stalling)
        finally:
            lanes.close()
            _wait(lambda: not lanes.busy, 10)  # every stalled lane ends by its cut
    assert [r.payload["type"] for r in receiver.received] == ["enrollment.unenrolled"] * 2
    assert heard < 1.0
    assert in_flight == 4  # half of the eight lanes for endpoints with no success yet
    assert time.perf_counter() - started < 10
