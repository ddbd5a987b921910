"""Gmail batch requests as google-api-python-client's BatchHttpRequest sends them."""

from __future__ import annotations

from googleapiclient.http import BatchHttpRequest


def _batch(control, results: dict) -> BatchHttpRequest:
    # build() keeps Google's batch URI whatever api_endpoint says, so name the emulator's.
    return BatchHttpRequest(
        callback=lambda request_id, response, error: results.__setitem__(request_id, (response, error)),
        batch_uri=control.gmail_batch_uri,
    )


def test_a_batch_get_answers_each_message_under_its_request_id(mailbox, control, read_fixture):
    delivered = [control.deliver(mailbox.address, read_fixture(name)) for name in
                 ("reply-from-prospect.eml", "unrelated-newsletter.eml")]
    results: dict = {}
    batch = _batch(control, results)
    for item in delivered:
        batch.add(
            mailbox.gmail.users().messages().get(
                userId="me", id=item["id"], format="metadata", metadataHeaders=["Subject", "In-Reply-To"]
            ),
            request_id=item["id"],
        )
    batch.add(mailbox.gmail.users().messages().get(userId="me", id="0000000000000000"), request_id="missing")

    batch.execute()

    assert set(results) == {delivered[0]["id"], delivered[1]["id"], "missing"}
    reply, reply_error = results[delivered[0]["id"]]
    assert reply_error is None
    assert {h["name"] for h in reply["payload"]["headers"]} == {"Subject", "In-Reply-To"}
    assert results["missing"][0] is None and results["missing"][1].status_code == 404


def test_a_rate_limited_part_fails_alone_and_the_rest_of_the_batch_succeeds(mailbox, control, read_fixture):
    ids = [control.deliver(mailbox.address, read_fixture("unrelated-newsletter.eml"))["id"] for _ in range(3)]
    mailbox.gmail.users().getProfile(userId="me").execute()
    control.inject_fault(f"/gmail/v1/users/me/messages/{ids[1]}", 429, retry_after=1)
    results: dict = {}
    batch = _batch(control, results)
    for message_id in ids:
        batch.add(mailbox.gmail.users().messages().get(userId="me", id=message_id, format="minimal"),
                  request_id=message_id)

    batch.execute()

    assert results[ids[0]][0]["id"] == ids[0] and results[ids[2]][0]["id"] == ids[2]
    assert results[ids[1]][1].status_code == 429
