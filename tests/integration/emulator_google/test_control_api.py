"""The control API's own promises: how mail is delivered into a mailbox, and ids under concurrency."""

from __future__ import annotations

import base64
import threading

import pytest
import requests

from addin_emulator.google.client import GoogleEmulatorControl
from addin_emulator.runner import start_emulator


@pytest.mark.parametrize(
    ("how"),
    [
        pytest.param("rfc822", id="a reply posted as message/rfc822 from a file is delivered"),
        pytest.param("text", id="a reply posted as JSON text is delivered"),
        pytest.param("base64", id="a reply posted as JSON base64 is delivered"),
    ],
)
def test_a_reply_can_be_delivered_in_each_accepted_encoding(mailbox, control, read_fixture, how):
    raw = read_fixture("reply-from-prospect.eml")
    url = f"{control.base_url}/_control/google/mailboxes/{mailbox.address}/deliver"
    if how == "rfc822":
        answer = requests.post(url, data=raw, headers={"Content-Type": "message/rfc822"}, timeout=10)
    elif how == "text":
        answer = requests.post(url, json={"text": raw.decode()}, timeout=10)
    else:
        answer = requests.post(url, json={"raw": base64.b64encode(raw).decode()}, timeout=10)

    assert answer.status_code == 201
    [stored] = control.messages(mailbox.address)
    assert stored["messageIdHeader"] == "<CAPat-reply-0001@mail.prospect.example>"
    assert stored["raw"].encode() == raw


def test_delivering_to_an_unknown_mailbox_is_not_found(control, read_fixture):
    answer = requests.post(
        f"{control.base_url}/_control/google/mailboxes/nobody@acme-sales.example/deliver",
        data=read_fixture("reply-from-prospect.eml"),
        headers={"Content-Type": "message/rfc822"},
        timeout=10,
    )
    assert answer.status_code == 404


def test_concurrent_deliveries_get_distinct_ids_and_increasing_history(mailbox, control, read_fixture):
    raw = read_fixture("unrelated-newsletter.eml")
    results: list[dict] = []

    def deliver() -> None:
        # One handle per thread: a requests.Session is not meant to be shared across threads.
        results.append(GoogleEmulatorControl(control.base_url).deliver(mailbox.address, raw))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({r["id"] for r in results}) == 8
    assert len({r["historyId"] for r in results}) == 8
    profile = mailbox.gmail.users().getProfile(userId="me").execute()
    assert profile["historyId"] == max(results, key=lambda r: int(r["historyId"]))["historyId"]


def test_reset_forgets_mailboxes_but_a_new_one_works_at_once(read_fixture):
    private = start_emulator()
    try:
        control = GoogleEmulatorControl(private.base_url)
        control.create_mailbox("one@acme-sales.example")
        control.reset()

        assert requests.get(f"{private.base_url}/_control/google/mailboxes", timeout=10).json() == {"mailboxes": []}
        control.create_mailbox("one@acme-sales.example")
        assert control.deliver("one@acme-sales.example", read_fixture("unrelated-newsletter.eml"))["id"]
    finally:
        private.stop()
