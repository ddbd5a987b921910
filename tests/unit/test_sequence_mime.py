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


# --- a name or subject never starts a second header line ----------------------------------------

import email as _email  # noqa: E402
from datetime import UTC as _UTC  # noqa: E402
from datetime import datetime as _datetime  # noqa: E402

import pytest  # noqa: E402

from addin_server.providers.gmail import build_mime as _build_mime  # noqa: E402


@pytest.mark.parametrize("hostile", [
    pytest.param("Rita\r\nBcc: spy@evil.example", id="a CRLF in a rep's name or the subject adds no Bcc header"),
    pytest.param("Rita\nBcc: spy@evil.example", id="a bare line feed adds no Bcc header"),
    pytest.param("Rita\u2028Bcc: spy@evil.example", id="a Unicode line separator adds no Bcc header"),
])
def test_a_line_break_in_a_name_or_subject_is_folded_never_a_new_header(hostile: str) -> None:
    raw = _build_mime(sender="rita@acme.test", sender_name=hostile, recipient="jane@globex.test", subject=hostile,
                      body="Hello", message_id="<m@acme.test>", in_reply_to=None, references=[],
                      extra_headers={}, sent_at=_datetime(2026, 1, 5, tzinfo=_UTC))
    parsed = _email.message_from_bytes(raw)
    assert parsed["Bcc"] is None
    assert _email.utils.getaddresses([parsed["From"]]) == [("Rita Bcc: spy@evil.example", "rita@acme.test")]


def test_a_name_with_a_comma_is_one_display_name_not_two_addresses() -> None:
    raw = _build_mime(sender="rita@acme.test", sender_name="Rep, Rita <boss@evil.example>", recipient="j@g.test",
                      subject="Hi", body="x", message_id="<m@acme.test>", in_reply_to=None, references=[],
                      extra_headers={}, sent_at=_datetime(2026, 1, 5, tzinfo=_UTC))
    parsed = _email.message_from_bytes(raw)
    assert _email.utils.getaddresses([parsed["From"]]) == [("Rep, Rita <boss@evil.example>", "rita@acme.test")]
