"""Which provider failures are one message's trouble (the message is parked, the mailbox goes on)
and which are the whole mailbox's (the read stops and is retried, the cursor stays)."""

from __future__ import annotations

import json

import httplib2
import pytest
from googleapiclient.errors import HttpError

from addin_server.providers.gmail import _error_from
from addin_server.providers.graph import GraphError
from addin_server.services.graph.mailbox import graph_mailbox_wide


def gmail_http_error(status: int, reason: str = "") -> HttpError:
    body = json.dumps({"error": {"code": status, "errors": [{"reason": reason}]}}).encode()
    return HttpError(httplib2.Response({"status": status}), body)


@pytest.mark.parametrize(("status", "reason", "mailbox_wide"), [
    pytest.param(429, "rateLimitExceeded", True, id="gmail 429: the user's quota, the whole mailbox waits"),
    pytest.param(403, "userRateLimitExceeded", True, id="gmail 403 user rate limit: the whole mailbox waits"),
    pytest.param(403, "rateLimitExceeded", True, id="gmail 403 rate limit: the whole mailbox waits"),
    pytest.param(403, "forbidden", False, id="gmail 403 forbidden on one message: that message is parked"),
    pytest.param(400, "failedPrecondition", False, id="gmail 400 on one message: that message is parked"),
    pytest.param(500, "backendError", False, id="gmail 500 after retries on one message: that message is parked"),
])
def test_gmail_failures_name_the_message_or_the_mailbox(status: int, reason: str, mailbox_wide: bool) -> None:
    error = _error_from(gmail_http_error(status, reason), "Gmail message 1")
    assert (error.status, error.mailbox_wide) == (status, mailbox_wide)


@pytest.mark.parametrize(("error", "mailbox_wide"), [
    pytest.param(GraphError("no answer", status=0), True, id="graph unreachable: the whole mailbox waits"),
    pytest.param(GraphError("throttled", status=429), True, id="graph 429: the whole mailbox waits"),
    pytest.param(GraphError("unavailable", status=503), True, id="graph 503: the whole mailbox waits"),
    pytest.param(GraphError("bad", status=400), False, id="graph 400 on one message: that message is parked"),
    pytest.param(GraphError("broken", status=500), False, id="graph 500 after retries on one message: parked"),
    pytest.param(ConnectionError("reset"), True, id="a network error: the whole mailbox waits"),
])
def test_graph_failures_name_the_message_or_the_mailbox(error: BaseException, mailbox_wide: bool) -> None:
    assert graph_mailbox_wide(error) is mailbox_wide
