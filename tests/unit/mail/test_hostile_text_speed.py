"""No message may keep the classifier busy: degenerate bodies of 200 KB are classified within seconds.

The bound is generous (the machine is shared and busy): it guards against patterns that backtrack
quadratically or worse, which take minutes on such bodies, and is no benchmark.
"""

from __future__ import annotations

import time

import pytest

from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage
from tests.hostile_text import hostile_texts, nested_html

SIZE = 200_000
BOUND_SECONDS = 5.0
_HEADERS = (
    "From: a@x.example\r\nTo: Ava Reed <ava.reed@northwind.example>\r\nSubject: Re: hi\r\n"
    "Date: Tue, 08 Dec 2026 10:00:00 +0000\r\nIn-Reply-To: <s@n.example>\r\n"
)


def _message(body: str, content_type: str = "text/plain", extra: str = "") -> InboundMessage:
    raw = f"{_HEADERS}{extra}Content-Type: {content_type}; charset=utf-8\r\n\r\n{body}"
    return InboundMessage.from_bytes(raw.encode())


def _seconds(message: InboundMessage) -> float:
    start = time.perf_counter()
    classify(message)
    return time.perf_counter() - start


@pytest.mark.parametrize("name", list(hostile_texts(1)))
def test_a_reply_made_of_one_character_or_word_repeated_is_classified_within_seconds(name: str) -> None:
    assert _seconds(_message(hostile_texts(SIZE)[name])) < BOUND_SECONDS


@pytest.mark.parametrize("name", ["spaces", "questions", "fullwidth questions", "digits", "absence words"])
def test_an_automatic_reply_of_degenerate_text_is_classified_within_seconds(name: str) -> None:
    # With an automatic header the return date is read too (mail/return_date.py).
    message = _message(hostile_texts(SIZE)[name], extra="Auto-Submitted: auto-replied\r\n")
    assert _seconds(message) < BOUND_SECONDS


@pytest.mark.parametrize("name", ["newlines", "hyphens", "blank lines with spaces"])
def test_a_bounce_of_blank_lines_or_dashes_is_cut_at_its_original_within_seconds(name: str) -> None:
    # The quoted original is looked for in the whole text (signals.ORIGINAL_MARKER): a run of blank lines
    # or of dashes once took minutes. A sender the bounce checks read.
    raw = hostile_texts(SIZE)[name] + "\n-----Original Message-----\nhello"
    message = InboundMessage.from_bytes(
        f"From: MAILER-DAEMON@x.example\r\nTo: ava.reed@northwind.example\r\nSubject: Undelivered\r\n"
        f"Content-Type: text/plain\r\n\r\n{raw}".encode()
    )
    assert _seconds(message) < BOUND_SECONDS


def test_an_html_only_body_of_nested_tags_is_classified_within_seconds() -> None:
    assert _seconds(_message(nested_html(SIZE), "text/html")) < BOUND_SECONDS


def test_a_subject_of_blanks_before_out_of_office_is_read_within_seconds() -> None:
    # Lotus Notes' subject pattern: blanks before the name once cost seconds per kilobyte.
    raw = (
        f"From: a@x.example\r\nTo: ava.reed@northwind.example\r\nSubject: {' ' * 5000}x\r\n"
        "Content-Type: text/plain\r\n\r\nhello"
    )
    assert _seconds(InboundMessage.from_bytes(raw.encode())) < BOUND_SECONDS


@pytest.mark.parametrize(
    "body", [" " * 2000 + "x", "why? " * 300], ids=["2,000 spaces then x", "why? 300 times"]
)
def test_the_reported_bodies_are_classified_well_within_a_second_or_two(body: str) -> None:
    # Issue 14: these took 67 s and 35 s.
    assert _seconds(_message(body)) < BOUND_SECONDS
