"""Injected 429, 5xx and rate-limit 403 answers, and the client library's own retries over them."""

from __future__ import annotations

import time

import pytest
from googleapiclient.errors import HttpError


def _retrying(request, sleeps: list[float]):
    # The library's backoff hooks: record the sleeps instead of sleeping, keep every other behaviour.
    request._sleep = sleeps.append
    request._rand = lambda: 0.5
    return request


def _statuses(control, path: str) -> list[int]:
    return [r["status"] for r in control.requests() if r["path"] == path]


@pytest.mark.parametrize(
    ("status", "reason", "retry_after"),
    [
        pytest.param(429, None, "7", id="429 with Retry-After is retried and the profile arrives"),
        pytest.param(500, None, None, id="500 is retried and the profile arrives"),
        pytest.param(503, None, "3", id="503 is retried and the profile arrives"),
        pytest.param(403, "rateLimitExceeded", None, id="403 rateLimitExceeded is retried"),
        pytest.param(403, "userRateLimitExceeded", None, id="403 userRateLimitExceeded is retried"),
    ],
)
def test_execute_with_retries_gets_through_injected_failures(mailbox, control, status, reason, retry_after):
    mailbox.gmail.users().labels().list(userId="me").execute()  # refresh the token first
    control.clear_requests()
    control.inject_fault(
        "/gmail/v1/users/*/profile", status, count=2, method="GET", reason=reason, retry_after=retry_after
    )
    sleeps: list[float] = []

    profile = _retrying(mailbox.gmail.users().getProfile(userId="me"), sleeps).execute(num_retries=3)

    assert profile["emailAddress"] == mailbox.address
    assert sleeps == [1.0, 2.0]
    assert _statuses(control, "/gmail/v1/users/me/profile") == [status, status, 200]


def test_a_429_carries_retry_after_and_google_s_error_shape(mailbox, control):
    mailbox.gmail.users().labels().list(userId="me").execute()
    control.inject_fault("/gmail/v1/users/*/messages", 429, retry_after=7)

    with pytest.raises(HttpError) as caught:
        mailbox.gmail.users().messages().list(userId="me").execute()

    error = caught.value
    assert (error.status_code, error.resp["retry-after"]) == (429, "7")
    assert error.error_details == [
        {"message": error.reason, "domain": "usageLimits", "reason": "rateLimitExceeded"}
    ]


def test_a_403_that_is_not_a_rate_limit_is_not_retried(mailbox, control):
    mailbox.gmail.users().labels().list(userId="me").execute()
    control.clear_requests()
    control.inject_fault("/gmail/v1/users/*/labels", 403, reason="forbidden")
    sleeps: list[float] = []

    with pytest.raises(HttpError) as caught:
        _retrying(mailbox.gmail.users().labels().list(userId="me"), sleeps).execute(num_retries=3)

    assert caught.value.status_code == 403 and sleeps == []
    assert _statuses(control, "/gmail/v1/users/me/labels") == [403]


def test_retries_that_run_out_surface_the_last_failure(mailbox, control):
    mailbox.gmail.users().labels().list(userId="me").execute()
    control.inject_fault("/gmail/v1/users/*/profile", 503, count=5)
    sleeps: list[float] = []

    with pytest.raises(HttpError) as caught:
        _retrying(mailbox.gmail.users().getProfile(userId="me"), sleeps).execute(num_retries=2)

    assert caught.value.status_code == 503 and len(sleeps) == 2
    control.clear_faults()


def test_a_fault_matches_only_its_method_and_route(mailbox, control, read_fixture):
    mailbox.gmail.users().labels().list(userId="me").execute()
    control.inject_fault("/gmail/v1/users/*/messages/send", 500, method="POST")

    assert mailbox.gmail.users().getProfile(userId="me").execute()["emailAddress"] == mailbox.address
    with pytest.raises(HttpError) as caught:
        import base64

        raw = base64.urlsafe_b64encode(read_fixture("sequence-step-1.eml")).decode()
        mailbox.gmail.users().messages().send(userId="me", body={"raw": raw}).execute()
    assert caught.value.status_code == 500
    assert control.messages(mailbox.address) == []


def test_a_delay_without_a_status_slows_the_request_and_then_answers_it(mailbox, control):
    mailbox.gmail.users().labels().list(userId="me").execute()
    control.clear_requests()
    control.inject_fault("/gmail/v1/users/*/profile", None, count=1, method="GET", delay_seconds=0.6)

    started = time.monotonic()
    profile = mailbox.gmail.users().getProfile(userId="me").execute()

    assert time.monotonic() - started >= 0.6
    assert profile["emailAddress"] == mailbox.address
    assert _statuses(control, "/gmail/v1/users/me/profile") == [200]
