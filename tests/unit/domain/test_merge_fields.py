from __future__ import annotations

import pytest

from addin_server.domain.merge_fields import render

VALUES = {"first_name": "Jane", "last_name": "Doe", "company": "Globex", "sender_name": "Ava Reed"}


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Hi {{first_name}},", "Hi Jane,", id="a contact's first name is filled in"),
    pytest.param("About {{ company }}", "About Globex", id="spaces inside the braces are allowed"),
    pytest.param("{{sender_name}} here", "Ava Reed here", id="the sending rep's name is filled in"),
    pytest.param("Hi {{unknown}}", "Hi {{unknown}}", id="an unknown field stays visible for the rep to fix"),
    pytest.param("No fields", "No fields", id="text without fields is unchanged"),
])
def test_merge_fields(text: str, expected: str) -> None:
    assert render(text, VALUES) == expected


def test_a_known_field_without_a_value_becomes_empty() -> None:
    assert render("At {{company}}.", {"first_name": "Jo"}) == "At ."
