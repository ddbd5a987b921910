"""InboundMessage: the same normalised shape from raw MIME and from Graph fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from addin_server.mail.message import InboundMessage, normalize_message_id

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_mime_fields_are_normalised() -> None:
    message = InboundMessage.from_bytes(
        (FIXTURES / "mail" / "ooo_gmail_vacation_responder.eml").read_bytes(), provider_thread_id="t-1"
    )
    assert message.message_id == "CAFv1vacation0001@mail.gmail.com"
    assert message.in_reply_to == ("seq-step1-0001@seller.example",)
    assert message.references == ("seq-step1-0001@seller.example",)
    assert message.from_address == "maria.lopez@gmail.com"
    assert message.from_name == "Maria Lopez"
    assert message.to == ("rep@seller.example",)
    assert message.date == datetime(2024, 3, 4, 8, 12, 44, tzinfo=UTC)
    assert message.headers.get("auto-submitted") == "auto-replied"
    assert message.provider_thread_id == "t-1"
    assert not message.unparseable


def test_graph_fields_are_normalised() -> None:
    data = json.loads((FIXTURES / "graph_messages" / "human_reply_with_headers.json").read_text(encoding="utf-8"))
    message = InboundMessage.from_graph(data)
    assert message.source == "graph"
    assert message.message_id == "human-graph-0001@buyer.example"
    assert message.in_reply_to == ("seq-step1-0030@seller.example",)
    assert message.from_address == "olivia.chen@buyer.example"
    assert message.cc == ("finance@buyer.example",)
    assert message.reply_to == ("olivia@buyer.example",)
    assert message.message_class == "IPM.Note"
    assert message.provider_thread_id == "AAQkAGI2conv0003="
    assert message.date == datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


def test_graph_html_body_is_stripped_to_text() -> None:
    data = json.loads((FIXTURES / "graph_messages" / "oof_message_class_thin_headers.json").read_text("utf-8"))
    message = InboundMessage.from_graph(data)
    assert "<p>" not in message.text
    assert "out of the office" in message.text
    assert message.from_address == "olivia.chen@buyer.example"


def test_delivery_report_parts_are_read() -> None:
    message = InboundMessage.from_bytes((FIXTURES / "mail" / "bounce_gmail_dsn_user_unknown.eml").read_bytes())
    assert message.report.report_type == "delivery-status"
    entry = message.report.delivery_status[0]
    assert (entry.final_recipient, entry.action, entry.status) == ("old.contact@buyer.example", "failed", "5.1.1")
    assert message.report.original_headers.get("Message-ID") == "<seq-step1-0009@seller.example>"
    # the attached original is the rep's text, not the report's
    assert "15 minutes" not in message.text


def test_a_nested_multipart_that_lost_its_boundary_is_still_read_as_text() -> None:
    message = InboundMessage.from_bytes((FIXTURES / "mail" / "bounce_lost_inner_boundary.eml").read_bytes())
    assert "no such user here" in message.text


ID_CASES = [
    ("angle brackets are removed", "<abc@host>", "abc@host"),
    ("surrounding space is removed", "  <abc@host>  ", "abc@host"),
    ("a bare id is kept", "abc@host", "abc@host"),
    ("empty gives none", "", None),
    ("whitespace inside gives none", "a b@host", None),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in ID_CASES], ids=[c[0] for c in ID_CASES])
def test_normalize_message_id(raw: str, expected: str | None) -> None:
    assert normalize_message_id(raw) == expected


UNPARSEABLE_CASES = [
    ("empty bytes", b""),
    ("only whitespace", b"   \r\n\r\n"),
    ("binary junk", bytes(range(256)) * 4),
    ("text without any header", b"hello there, no headers at all"),
]


@pytest.mark.parametrize("raw", [c[1] for c in UNPARSEABLE_CASES], ids=[c[0] for c in UNPARSEABLE_CASES])
def test_unreadable_bytes_are_flagged_unparseable(raw: bytes) -> None:
    assert InboundMessage.from_bytes(raw).unparseable


GRAPH_JUNK = [
    ("not a dict", []),
    ("a string", "x"),
    ("wrong types", {"from": 3, "body": 7, "internetMessageHeaders": 9}),
]


@pytest.mark.parametrize("data", [c[1] for c in GRAPH_JUNK], ids=[c[0] for c in GRAPH_JUNK])
def test_from_graph_never_raises(data: object) -> None:
    InboundMessage.from_graph(data)  # type: ignore[arg-type]


def test_a_flufl_bounce_exception_only_loses_that_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    import flufl.bounce

    from addin_server.domain.model import InboundKind
    from addin_server.mail.classify import classify

    def explode(_message: object) -> None:
        raise AttributeError("detector broke on an Exchange report")

    monkeypatch.setattr(flufl.bounce, "all_failures", explode)
    message = InboundMessage.from_bytes((FIXTURES / "mail" / "bounce_exchange_ndr_text.eml").read_bytes())
    assert message.report.library_error == "AttributeError"
    result = classify(message)
    assert result.kind == InboundKind.BOUNCE_HARD
    assert result.bounced_recipients == ("gone.person@buyer.example",)


def test_graphs_short_property_ids_still_carry_the_message_class() -> None:
    """Graph answers the extended property as "String 0x1a"; it is the same 0x001A message class."""
    from addin_server.domain.model import InboundKind
    from addin_server.mail.classify import classify
    from addin_server.mail.message import InboundMessage

    for prop_id in ("String 0x1a", "String 0x001A", "string   0x001a"):
        message = InboundMessage.from_graph(
            {
                "subject": "Intro",
                "from": {"emailAddress": {"address": "jane@globex.example"}},
                "body": {"contentType": "text", "content": "Thanks for your message."},
                "singleValueExtendedProperties": [{"id": prop_id, "value": "IPM.Note.Rules.OofTemplate.Microsoft"}],
            }
        )
        assert message.message_class == "IPM.Note.Rules.OofTemplate.Microsoft", prop_id
        assert classify(message).kind is InboundKind.OUT_OF_OFFICE, prop_id


def test_a_plain_reply_is_not_read_by_the_bounce_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """flufl.bounce runs only on messages that could be delivery reports; a person's reply is spared."""
    import flufl.bounce

    calls: list[object] = []

    def spy(message: object) -> tuple[set[str], set[str]]:
        calls.append(message)
        return set(), set()

    monkeypatch.setattr(flufl.bounce, "all_failures", spy)
    InboundMessage.from_bytes((FIXTURES / "mail" / "human_reply_outlook_xars.eml").read_bytes())
    InboundMessage.from_bytes((FIXTURES / "mail" / "human_reply_mentions_holiday.eml").read_bytes())
    assert calls == []
    InboundMessage.from_bytes((FIXTURES / "mail" / "bounce_exim_textual_user_unknown.eml").read_bytes())
    assert len(calls) == 1


def _with_subject(subject: bytes) -> bytes:
    return (
        b"From: Kim Lee <kim@buyer.example>\r\nTo: Ava Rep <ava@seller.example>\r\nSubject: " + subject + b"\r\n"
        b"Date: Sun, 06 Dec 2026 10:00:00 +0000\r\nMessage-ID: <s-1@buyer.example>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"Gracias por su mensaje. Le responder\xc3\xa9 lo antes posible.\r\n"
    )


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        pytest.param("Respuesta automática: Pilot".encode(), "Respuesta automática: Pilot", id="raw UTF-8 (RFC 6532)"),
        pytest.param(b"=?utf-8?q?Respuesta_autom=C3=A1tica=3A_Pilot?=", "Respuesta automática: Pilot",
                     id="RFC 2047 encoded"),
        pytest.param("自動応答: Pilot".encode(), "自動応答: Pilot", id="raw UTF-8 in a CJK script"),
        pytest.param(b"Respuesta autom\xe1tica: Pilot", "Respuesta automática: Pilot", id="raw latin-1 bytes"),
    ],
)
def test_a_subject_reads_the_same_raw_in_utf8_or_encoded(subject: bytes, expected: str) -> None:
    assert InboundMessage.from_bytes(_with_subject(subject)).subject == expected
