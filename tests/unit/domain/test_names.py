"""A name is one line of visible text: refused when it could start a header line or hide itself."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin_server.domain.names import name_problem, one_line


@pytest.mark.parametrize("name", [
    pytest.param("A\r\nBcc: spy@evil.example", id="a CRLF that would start a Bcc header is refused"),
    pytest.param("A\nX-Injected: 1", id="a bare line feed is refused"),
    pytest.param("A\rB", id="a bare carriage return is refused"),
    pytest.param("A\u2028B", id="a Unicode line separator is refused"),
    pytest.param("A\u2029B", id="a Unicode paragraph separator is refused"),
    pytest.param("A\x85B", id="a next-line control is refused"),
    pytest.param("A\tB", id="a tab is refused"),
    pytest.param("A\x00B", id="a NUL is refused"),
    pytest.param("A\u202eB", id="a bidi override is refused"),
    pytest.param("A\u200bB", id="a zero-width space is refused"),
    pytest.param("\ufeffAnna", id="a byte order mark is refused"),
    pytest.param("A\x7fB", id="a delete control is refused"),
])
def test_a_name_that_could_break_a_header_or_hide_itself_is_refused(name: str) -> None:
    problem = name_problem(name)
    assert problem and "U+" in problem


@pytest.mark.parametrize("name", [
    pytest.param("Jane Doe", id="an ordinary name with a space is accepted"),
    pytest.param("José Ñúñez-O'Brien", id="accents, hyphens and apostrophes are accepted"),
    pytest.param("\u0645\u06cc\u200c\u0631\u0636\u0627", id="a Persian name with a zero-width non-joiner is accepted"),
    pytest.param("山田 太郎", id="a name in another script is accepted"),
    pytest.param("", id="an empty name is accepted (the field is optional)"),
])
def test_a_name_of_visible_text_is_accepted(name: str) -> None:
    assert name_problem(name) is None


@given(st.text(max_size=40))
def test_a_folded_name_is_always_one_line_and_accepted_when_not_refused(name: str) -> None:
    folded = one_line(name)
    assert len(folded.splitlines()) <= 1
    assert name_problem(folded) is None


def test_folding_keeps_a_no_break_space_and_other_ordinary_spaces() -> None:
    assert one_line("Jean\u00a0Paul\u2009Sartre\r\nBcc: x") == "Jean\u00a0Paul\u2009Sartre  Bcc: x"
