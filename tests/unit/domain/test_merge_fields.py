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


# --- fallbacks and missing fields: one case per promise of domain/merge_fields ---------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from addin_server.domain.merge_fields import FIELDS, fields_used, missing, tokens  # noqa: E402

NO_COMPANY = {"first_name": "Jane", "last_name": "", "company": "", "sender_name": "Ava Reed"}


@pytest.mark.parametrize(("text", "values", "expected"), [
    pytest.param("About {{company | your team}}", VALUES, "About Globex",
                 id="a known field with a value is filled in with that value, not its fallback"),
    pytest.param("About {{company | your team}}", NO_COMPANY, "About your team",
                 id="a known field without a value is filled in with the token's fallback"),
    pytest.param("About {{ company|your team }}", NO_COMPANY, "About your team",
                 id="spaces around the bar and the fallback do not matter"),
    pytest.param("Hi {{first_name | there}}", {**NO_COMPANY, "first_name": "   "}, "Hi there",
                 id="a value of only spaces counts as no value"),
])
def test_fallbacks(text: str, values: dict[str, str], expected: str) -> None:
    assert render(text, values) == expected


@pytest.mark.parametrize(("texts", "values", "expected"), [
    pytest.param(["About {{company}}"], NO_COMPANY, ["company"],
                 id="a known field with neither value nor fallback is missing"),
    pytest.param(["About {{company | }}"], NO_COMPANY, ["company"],
                 id="an empty fallback is no fallback"),
    pytest.param(["About {{company | your team}}"], NO_COMPANY, [],
                 id="a fallback means nothing is missing"),
    pytest.param(["Hi {{title}}"], VALUES, ["title"], id="an unknown field is missing too"),
    pytest.param(["{{company}}", "at {{company}} {{last_name}}"], NO_COMPANY, ["company", "last_name"],
                 id="subject and body are checked together and each field is named once"),
    pytest.param(["No fields at all"], NO_COMPANY, [], id="text without fields misses nothing"),
])
def test_missing(texts: list[str], values: dict[str, str], expected: list[str]) -> None:
    assert missing(texts, values) == expected


def test_the_tokens_a_step_uses_are_listed_in_order_with_their_fallbacks() -> None:
    found = tokens("Hi {{first_name | there}}", "At {{company}}, {{first_name|there}} {{ title }}")
    assert [(x.field, x.fallback, x.known) for x in found] == [
        ("first_name", "there", True), ("company", "", True), ("title", "", False)]
    assert fields_used("{{company}} {{ company | x }}") == ["company"]


# Never a hole: whatever the contact and the template, a text with nothing missing renders with
# every token replaced by non-empty text.
_WORD = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="{}|"), max_size=12)
_TOKEN_TEXT = st.builds(
    lambda field, fallback, pad: "{{" + pad + field + pad + (f"|{fallback}" if fallback is not None else "") + "}}",
    st.sampled_from([*FIELDS, "title", "Company"]), st.one_of(st.none(), _WORD), st.sampled_from(["", " ", "  "]))
_TEMPLATE = st.lists(st.one_of(_WORD, _TOKEN_TEXT), max_size=8).map("".join)
_CONTACT = st.fixed_dictionaries({f: st.one_of(st.none(), st.just(""), st.just("  "), _WORD) for f in FIELDS})


@given(subject=_TEMPLATE, body=_TEMPLATE, values=_CONTACT)
def test_a_text_with_nothing_missing_never_renders_a_hole_or_a_token(subject: str, body: str,
                                                                    values: dict[str, str | None]) -> None:
    if missing((subject, body), values):
        return  # such a step is held, never sent
    for text in (subject, body):
        # Braces in a template come only from its tokens: once rendered, none may be left.
        rendered = render(text, values)
        assert "{{" not in rendered and "}}" not in rendered, (text, rendered)
        # And no token becomes empty text: each renders to something a reader sees.
        for token in tokens(text):
            alone = "{{" + token.field + (f"|{token.fallback}" if token.fallback else "") + "}}"
            assert render(alone, values).strip(), f"{token} would leave a hole"


@given(values=_CONTACT, template=_TEMPLATE)
def test_a_field_the_contact_lacks_without_a_fallback_is_always_named_missing(
        values: dict[str, str | None], template: str) -> None:
    named = missing([template], values)
    for token in tokens(template):
        empty = not (values.get(token.field) or "").strip()
        if not token.known or (empty and not token.fallback):
            assert token.field in named


# --- promise 5: whatever looks like a merge field but is not one is a problem -------------------

from addin_server.domain.merge_fields import problems  # noqa: E402


@pytest.mark.parametrize("text", [
    pytest.param("Hi {{first-name}}", id="a field with a hyphen is not a merge field"),
    pytest.param("Hi {{first name}}", id="a field with a space is not a merge field"),
    pytest.param("Hi {{}}", id="empty braces are not a merge field"),
    pytest.param("Hi {{ }}", id="braces around a space are not a merge field"),
    pytest.param("Hi {{first_name}", id="a token missing a closing brace is not a merge field"),
    pytest.param("Hi {{first_name}}}", id="an extra closing brace beside a token is a problem"),
    pytest.param("Hi {{{first_name}}}", id="a token inside single braces would show braces around the value"),
    pytest.param("At {{company | a|b}}", id="a fallback with a second bar is not a merge field"),
    pytest.param("Hi {{company | {{first_name}}}}", id="a token inside a fallback is not a merge field"),
    pytest.param("<p>{{<b>first_name</b>}}</p>", id="markup inside the braces is not a merge field"),
    pytest.param("Hi {{\ufb01rst_name}}", id="a ligature look-alike in a field name is not a merge field"),
    pytest.param("Hi {{f\u0130rst_name}}", id="a dotted capital I look-alike in a field name is not a merge field"),
    pytest.param("Hi \uff5b\uff5bfirst_name\uff5d\uff5d", id="fullwidth braces are look-alikes of braces"),
    pytest.param("Hi \ufe5bfirst_name\ufe5c", id="small braces are look-alikes of braces"),
    pytest.param("Hi {{first\u200b_name}}", id="a zero-width space inside a field name is not a merge field"),
    pytest.param("Hi %first_name%", id="a field in percent signs is another tool's syntax"),
    pytest.param("Hi ${first_name}", id="a field in dollar braces is another tool's syntax"),
    pytest.param("Hi {first_name}", id="a field in single braces is another tool's syntax"),
    pytest.param("Hi [First Name]", id="a field in square brackets is another tool's syntax"),
    pytest.param("Hi {{ first_name|upper }}", id="a template filter is not a fallback"),
    pytest.param("Hi {{ company | default('you') }}", id="a default filter is not a fallback"),
])
def test_what_looks_like_a_merge_field_but_is_not_is_a_problem_and_held(text: str) -> None:
    found = problems(text)
    assert found, text
    assert all(0 <= p.position < len(text) and p.snippet and p.snippet in text for p in found)
    assert missing([text], VALUES), "a step with a problem is held, never sent"


@pytest.mark.parametrize("text", [
    pytest.param("Hi {{first_name}}, at {{ company | your team }}", id="well-formed tokens are no problem"),
    pytest.param("50% off until 20% of the stock is left", id="percent signs in prose are no problem"),
    pytest.param("use {x} and [note] as you like", id="single braces around other words are no problem"),
    pytest.param("Plain text", id="text without fields is no problem"),
])
def test_text_that_is_not_a_merge_field_is_no_problem(text: str) -> None:
    assert problems(text) == []


def test_a_problem_names_its_position_as_a_reader_counts_and_the_text_as_written() -> None:
    [found] = problems("Hi {{first-name}}!")
    assert (found.position, found.snippet) == (3, "{{first-name}}")
    assert "at character 4: '{{first-name}}'" in found.describe()


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", " \u200b "])
def test_a_value_or_fallback_of_only_invisible_characters_counts_as_empty(invisible: str) -> None:
    assert missing(["Hi {{first_name}}"], {"first_name": invisible}) == ["first_name"]
    assert missing([f"Hi {{{{first_name | {invisible}}}}}"], {"first_name": ""}) == ["first_name"]
    assert render("Hi {{first_name | there}}", {"first_name": invisible}) == "Hi there"


_BRACEY = st.lists(st.sampled_from([*"{}| _%$[]ab", "first_name", "company", "\uff5b", "\uff5d", "\ufe5b",
                                     "\u200b", "\ufb01"]), max_size=30).map("".join)


@given(text=_BRACEY, values=_CONTACT)
def test_a_text_that_would_be_sent_never_shows_braces_or_look_alikes(text: str,
                                                                     values: dict[str, str | None]) -> None:
    if missing([text], values):
        return  # held, never sent
    rendered = render(text, values)
    # Only a value itself could bring braces back; the template's own must all be gone.
    template_part = render(text, {f: "V" for f in FIELDS})
    assert "{{" not in template_part and "}}" not in template_part, (text, rendered)
    assert not any(c in template_part for c in "\uff5b\uff5d\ufe5b\ufe5c"), (text, rendered)


def test_a_fallback_of_only_a_control_character_counts_as_empty() -> None:
    assert missing(["Hi {{first_name | \x7f}}"], {"first_name": ""}) == ["first_name"]


def test_a_control_character_inside_a_fallback_becomes_a_space() -> None:
    assert render("Hi {{first_name | 0\x7f}}!", {"first_name": ""}) == "Hi 0!"
    assert [x.fallback for x in tokens("{{company | your\nteam}}")] == ["your team"]
