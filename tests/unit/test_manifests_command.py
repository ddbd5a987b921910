"""`addin-server manifests`: PUBLIC_URL is checked before anything is written (finding 15-7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from addin_server.cli import main
from addin_server.config import manifest_public_url

FILES = {"gmail-deployment.json", "outlook-manifest.xml", "outlook-manifest.json"}


@pytest.mark.parametrize(("raw", "expected"), [
    ("https://sidebar.example.com", "https://sidebar.example.com"),
    ("https://sidebar.example.com/", "https://sidebar.example.com"),
    ("https://sidebar.example.com:8443/addins", "https://sidebar.example.com:8443/addins"),
    ("http://127.0.0.1:8160", "http://127.0.0.1:8160"),
    ("http://localhost:8160/", "http://localhost:8160"),
    ("http://[::1]:8160", "http://[::1]:8160"),
], ids=["an https host is accepted", "a trailing slash is dropped", "a port and a path prefix are kept",
        "http on 127.0.0.1 serves the demo", "http on localhost serves the demo", "http on ::1 serves the demo"])
def test_a_public_url_the_manifests_may_name(raw: str, expected: str) -> None:
    assert manifest_public_url(raw) == expected


@pytest.mark.parametrize(("raw", "reason"), [
    ("", "is empty"),
    ("   ", "is empty"),
    ("sidebar.example.com", "must be an absolute https:// URL"),
    ("http://sidebar.example.com", "must use https://"),
    ("ftp://sidebar.example.com", "must be an absolute https:// URL"),
    ("HTTPS://sidebar.example.com", "must be an absolute https:// URL"),
    ("https://", "must be an absolute https:// URL"),
    ("https:/sidebar.example.com", "must be an absolute https:// URL"),
    ("https://x/?q=1", "must not have a query or a fragment"),
    ("https://x/#top", "must not have a query or a fragment"),
    ("https://x/?", "must not have a query or a fragment"),
    ("https://x:port", "is not a URL"),
    ("https://admin:hunter2@x", "must not carry a user name or password"),
    ("https://x/my sidebar", "must not contain spaces"),
], ids=["an empty url", "a blank url", "a bare host name", "http on a public host (Google requires https)",
        "another scheme", "an upper-case scheme", "no host", "a scheme with one slash", "a query",
        "a fragment", "an empty query", "a port that is not a number", "credentials in the url", "a space"])
def test_a_public_url_the_manifests_refuse(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        manifest_public_url(raw)


@pytest.mark.parametrize("raw", [
    'https://ex.com/a"b', "https://ex.com/a<x>", "https://ex.com/a{b}", "https://ex.com/a|b", "https://ex.com/a^b",
    "https://ex.com/a`b", "https://ex.com/a\\b", "https://ex.com/caf\u00e9", "https://ex.com/a%zz",
], ids=repr)
def test_a_public_url_with_characters_a_url_may_not_hold_is_refused_naming_the_character(raw: str) -> None:
    """Token audiences are compared with exactly these URLs, and Google and Microsoft call them as
    written: a character RFC 3986 does not allow (or a broken %-escape) is refused, not written."""
    with pytest.raises(ValueError, match="may not hold"):
        manifest_public_url(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("https://v\u00ed.example", "https://xn--v-jga.example"),
    ("https://V\u00cd.example:8443/addins", "https://xn--v-jga.example:8443/addins"),
    ("https://sidebar.example.com/a%20b/~x_y-z.(1)", "https://sidebar.example.com/a%20b/~x_y-z.(1)"),
], ids=["a non-ASCII host is written as IDNA", "with a port and a path", "escapes and allowed marks are kept"])
def test_a_public_url_is_written_as_it_will_be_called(raw: str, expected: str) -> None:
    assert manifest_public_url(raw) == expected


def test_credentials_in_a_public_url_are_not_repeated_in_the_message() -> None:
    with pytest.raises(ValueError) as refused:
        manifest_public_url("https://admin:hunter2@x")
    assert "hunter2" not in str(refused.value)


def test_the_manifests_command_writes_all_three_documents_for_an_https_url(tmp_path: Path) -> None:
    assert main(["manifests", "--public-url", "https://sidebar.example.com/", "--out", str(tmp_path)]) == 0
    assert FILES <= {p.name for p in tmp_path.iterdir()}
    deployment = json.loads((tmp_path / "gmail-deployment.json").read_text())
    assert deployment["addOns"]["common"]["openLinkUrlPrefixes"] == ["https://sidebar.example.com/"]
    assert "https://sidebar.example.com/outlook/taskpane" in (tmp_path / "outlook-manifest.xml").read_text()


@pytest.mark.parametrize("public_url", [
    "http://sidebar.example.com", "https://x/?q=1", "sidebar.example.com", "",
], ids=["http on a public host", "a url with a query", "a bare host name", "an empty url"])
def test_the_manifests_command_refuses_a_bad_public_url_and_writes_nothing(
        tmp_path: Path, public_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["manifests", "--public-url", public_url, "--out", str(out)]) == 2
    assert not out.exists()
    error = capsys.readouterr().err
    assert "PUBLIC_URL" in error and "nothing was written" in error and "Traceback" not in error


def test_the_manifests_command_refuses_a_client_id_that_is_no_guid_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MS_CLIENT_ID", "not-a-guid")
    out = tmp_path / "out"
    assert main(["manifests", "--public-url", "https://sidebar.example.com", "--out", str(out)]) == 2
    assert not out.exists()
    assert "MS_CLIENT_ID 'not-a-guid' is not a GUID" in capsys.readouterr().err
