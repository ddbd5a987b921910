"""Throttling: Retry-After, backoff, bounded retries, and at most four requests at once per mailbox."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from addin_server.config import Settings
from addin_server.providers.graph import MAX_ATTEMPTS, GraphError, GraphMailbox, GraphTokens
from tests.integration.emulator_microsoft.support import MicrosoftSetup, rfc822

MESSAGE_ROUTE = "/graph/v1.0/users/*/messages/*"


def _delivered(setup: MicrosoftSetup, number: int = 1) -> str:
    return str(setup.control.deliver(setup.address, rfc822(f"Re: Quick question {number}", to=setup.address,
                                                           message_id=f"<r{number}@customer.example>"),
                                     kind="note")["id"])


@pytest.mark.parametrize(
    ("status", "retry_after", "at_least_seconds"),
    [
        pytest.param(429, 1, 1.0, id="a 429 with Retry-After is retried after the time Graph asked"),
        pytest.param(429, None, 0.0, id="a 429 without Retry-After is retried after a backoff"),
        pytest.param(503, 1, 1.0, id="a 503 with Retry-After is retried after the time Graph asked"),
        pytest.param(503, None, 0.0, id="a 503 without Retry-After is retried after a backoff"),
    ],
)
def test_a_throttled_fetch_is_retried_and_succeeds(
    setup: MicrosoftSetup, mailbox: GraphMailbox, status: int, retry_after: int | None, at_least_seconds: float
) -> None:
    message_id = _delivered(setup)
    setup.control.inject_fault(MESSAGE_ROUTE, status, count=1, retry_after=retry_after, method="GET")
    started = time.monotonic()
    fetched = mailbox.fetch(message_id)
    assert fetched["internetMessageId"] == "<r1@customer.example>"
    assert time.monotonic() - started >= at_least_seconds
    assert [f["hits"] for f in setup.control.faults()] == [1]


def test_a_throttled_send_is_retried_and_the_email_leaves_once(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    setup.control.inject_fault("/graph/v1.0/users/*/messages/*/send", 429, count=1, retry_after=0, method="POST")
    sent = mailbox.send(subject="Quick question", body="Hi", to="pat@customer.example", message_id="<s1@seq.example>")
    assert [m["immutable_id"] for m in setup.control.messages(setup.address, folder="sentitems")] == [sent.id]


def test_a_server_error_while_sending_is_not_repeated(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    # A 500 may come after Exchange accepted the message: sending again could send it twice.
    setup.control.inject_fault("/graph/v1.0/users/*/messages/*/send", 500, count=1, method="POST")
    with pytest.raises(GraphError) as caught:
        mailbox.send(subject="Quick question", body="Hi", to="pat@customer.example", message_id="<s2@seq.example>")
    assert caught.value.status == 500
    assert [f["hits"] for f in setup.control.faults()] == [1]


def test_retries_are_bounded(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    message_id = _delivered(setup)
    setup.control.inject_fault(MESSAGE_ROUTE, 429, count=50, retry_after=0, method="GET")
    with pytest.raises(GraphError) as caught:
        mailbox.fetch(message_id)
    assert caught.value.status == 429
    assert [f["hits"] for f in setup.control.faults()] == [MAX_ATTEMPTS]


def test_a_retry_after_longer_than_the_worker_waits_is_handed_back(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    message_id = _delivered(setup)
    setup.control.inject_fault(MESSAGE_ROUTE, 429, count=1, retry_after=600, method="GET")
    with pytest.raises(GraphError) as caught:
        mailbox.fetch(message_id)
    assert (caught.value.status, caught.value.retry_after) == (429, 600)


def test_eight_parallel_fetches_never_trip_the_four_request_mailbox_limit(
    setup: MicrosoftSetup, settings: Settings, tokens: GraphTokens
) -> None:
    ids = [_delivered(setup, n) for n in range(8)]
    # Two mailbox objects for the same rep share one limit; each request is held 0.3 s by the emulator.
    mailboxes = [GraphMailbox(settings, setup.user_id, tokens.app_token, retry_base_seconds=30) for _ in range(2)]
    setup.control.inject_fault(MESSAGE_ROUTE, None, count=8, delay_seconds=0.3, method="GET")
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            fetched = list(pool.map(lambda pair: mailboxes[pair[0] % 2].fetch(pair[1]), enumerate(ids)))
    finally:
        for mailbox in mailboxes:
            mailbox.close()
    assert [m["internetMessageId"] for m in fetched] == [f"<r{n}@customer.example>" for n in range(8)]
    assert [f["hits"] for f in setup.control.faults()] == [8]  # no request was answered 429 and sent again


def test_without_the_limit_eight_parallel_requests_would_be_throttled(
    setup: MicrosoftSetup, tokens: GraphTokens
) -> None:
    # The control case for the test above: the emulator enforces Graph's limit.
    ids = [_delivered(setup, n) for n in range(8)]
    setup.control.inject_fault(MESSAGE_ROUTE, None, count=8, delay_seconds=0.3, method="GET")
    headers = {"Authorization": f"Bearer {tokens.app_token()}"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda mid: requests.get(f"{setup.user_url}/messages/{mid}", headers=headers,
                                                          timeout=10).status_code, ids))
    assert 429 in statuses


def test_a_refused_send_leaves_no_draft_behind(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    setup.control.inject_fault("/graph/v1.0/users/*/messages/*/send", 400, count=1, method="POST")
    with pytest.raises(GraphError) as caught:
        mailbox.send(subject="Quick question", body="Hi", to="pat@customer.example", message_id="<s3@seq.example>")
    assert caught.value.status == 400
    assert setup.control.messages(setup.address, folder="drafts") == []
    assert setup.control.messages(setup.address, folder="sentitems") == []


@pytest.mark.parametrize("status", [
    pytest.param(500, id="500"), pytest.param(502, id="502"), pytest.param(504, id="504"),
    pytest.param(503, id="503"), pytest.param(429, id="429")])
def test_a_part_of_a_batch_failing_as_a_get_would_be_retried_is_fetched_again(
        setup: MicrosoftSetup, mailbox: GraphMailbox, status: int) -> None:
    ids = [_delivered(setup, n) for n in range(3)]
    setup.control.inject_fault(MESSAGE_ROUTE, status, count=1, method="GET")
    results = list(mailbox.fetch_many(ids))
    assert [r["internetMessageId"] for r in results if isinstance(r, dict)] == [
        f"<r{n}@customer.example>" for n in range(3)]
    assert [f["hits"] for f in setup.control.faults()] == [1]


def test_a_part_of_a_batch_failing_every_time_is_handed_back_after_bounded_retries(
        setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    ids = [_delivered(setup, n) for n in range(2)]
    setup.control.inject_fault(f"/graph/v1.0/users/*/messages/{ids[1]}", 500, count=50, method="GET")
    first, second = list(mailbox.fetch_many(ids))
    assert isinstance(first, dict) and first["internetMessageId"] == "<r0@customer.example>"
    assert isinstance(second, GraphError) and second.status == 500
    assert [f["hits"] for f in setup.control.faults()] == [MAX_ATTEMPTS]


def test_a_batch_part_asking_to_wait_longer_than_the_worker_waits_is_handed_back(
        setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    ids = [_delivered(setup, n) for n in range(2)]
    setup.control.inject_fault(f"/graph/v1.0/users/*/messages/{ids[0]}", 429, count=1, retry_after=600, method="GET")
    started = time.monotonic()
    first, second = list(mailbox.fetch_many(ids))
    assert isinstance(first, GraphError) and (first.status, first.retry_after) == (429, 600)
    assert isinstance(second, dict) and second["internetMessageId"] == "<r1@customer.example>"
    assert time.monotonic() - started < 30


def test_a_batch_answered_with_a_server_error_is_sent_again(setup: MicrosoftSetup, mailbox: GraphMailbox) -> None:
    # A $batch of GETs changes nothing: sending it again after a 500 is safe.
    ids = [_delivered(setup, n) for n in range(2)]
    setup.control.inject_fault("/graph/v1.0/$batch", 500, count=1, method="POST")
    results = list(mailbox.fetch_many(ids))
    assert [r["internetMessageId"] for r in results if isinstance(r, dict)] == ["<r0@customer.example>",
                                                                               "<r1@customer.example>"]
    assert [f["hits"] for f in setup.control.faults()] == [1]
