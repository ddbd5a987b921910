"""Random and mangled MIME never raises and always gives one of the five kinds."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin_server.domain.model import InboundKind
from addin_server.mail.classify import classify
from addin_server.mail.message import InboundMessage

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEEDS = [p.read_bytes() for p in sorted((FIXTURES / "mail").glob("*.eml"))]
KINDS = set(InboundKind)

HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Auto-Submitted",
        "Content-Type",
        "X-Failed-Recipients",
        "Return-Path",
        "Precedence",
        "X-Autoreply",
        "X-Auto-Response-Suppress",
        "Content-Transfer-Encoding",
        "X-MS-Exchange-Message-Class",
        "List-Id",
    ]
)
HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "multipart/report; report-type=delivery-status; boundary=x",
            "auto-replied",
            "<>",
            "=?utf-8?B?////?=",
            "=?bogus?Q?=ZZ?=",
            "message/rfc822",
            "base64",
            "REPORT.IPM.Note.NDR",
            "a@b.c, <d@e.f>",
            "multipart/mixed",
        ]
    ),
)


def check(message: InboundMessage) -> None:
    result = classify(message)
    assert result.kind in KINDS
    assert isinstance(result.evidence, tuple)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes(raw: bytes) -> None:
    check(InboundMessage.from_bytes(raw))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=12), st.text(max_size=500))
def test_random_headers_and_body(headers: list[tuple[str, str]], body: str) -> None:
    lines = "".join(f"{name}: {value}\r\n".replace("\n\n", "\n") for name, value in headers)
    raw = (lines + "\r\n" + body).encode("utf-8", "surrogatepass")
    check(InboundMessage.from_bytes(raw))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SEEDS),
    st.integers(min_value=0, max_value=4000),
    st.integers(min_value=0, max_value=400),
    st.binary(max_size=60),
)
def test_mangled_fixture(seed: bytes, cut: int, length: int, junk: bytes) -> None:
    cut = min(cut, len(seed))
    mangled = seed[:cut] + junk + seed[cut + length :]
    check(InboundMessage.from_bytes(mangled))


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40)),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(
                st.sampled_from(
                    [
                        "from",
                        "subject",
                        "body",
                        "bodyPreview",
                        "internetMessageHeaders",
                        "singleValueExtendedProperties",
                        "toRecipients",
                        "emailAddress",
                        "address",
                        "name",
                        "value",
                        "id",
                        "content",
                        "contentType",
                    ]
                ),
                children,
                max_size=5,
            ),
        ),
        max_leaves=20,
    )
)
def test_random_graph_json(data: object) -> None:
    message = InboundMessage.from_graph(data if isinstance(data, dict) else {"subject": json.dumps(data)})
    check(message)
