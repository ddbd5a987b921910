"""The MIME of a sequence email as it leaves through Gmail."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

from addin_server.providers.gmail import build_mime

LINK = "https://sidebar.example.com/u/eyJlIjoiMTcifQ.awfYpA.Z83uExrJnj7qxQFoIBoO6e2ga_hnV_uY2e-aj02jem8"


def _mime(**extra: str) -> bytes:
    return build_mime(sender="ava@northwind.example", sender_name="Ava Reed", recipient="jane@globex.example",
                      subject="Quick question", body="Hello Jane", message_id="<seq.1.1.abc@northwind.example>",
                      in_reply_to="<seq.1.0.xyz@northwind.example>", references=[],
                      extra_headers={"List-Unsubscribe": f"<{LINK}>",
                                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", **extra},
                      sent_at=datetime(2026, 3, 2, 9, tzinfo=UTC))


def test_the_unsubscribe_link_is_written_verbatim_so_mail_clients_offer_one_click() -> None:
    raw = _mime()
    assert f"List-Unsubscribe: <{LINK}>".encode() in raw
    assert b"=?utf-8?" not in raw.split(b"\r\n\r\n", 1)[0]
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_our_message_id_and_the_threading_headers_go_out_as_given() -> None:
    parsed = message_from_bytes(_mime(), policy=policy.default)
    assert parsed["Message-ID"] == "<seq.1.1.abc@northwind.example>"
    assert parsed["In-Reply-To"] == "<seq.1.0.xyz@northwind.example>"
    assert parsed["References"] == "<seq.1.0.xyz@northwind.example>"
    assert parsed.get_content().strip() == "Hello Jane"
