"""Real messages kept in the project (tests/fixtures/mail_public, provenance in its MANIFEST.tsv):
each is classified as what it is. Labels were decided by reading each message, not by running the code.

github_comments/ holds automatic replies that people's mailboxes posted to public issue threads by
email (reply-by-email drops every header, so they arrive as the product meets notices sent without
automatic headers), in nine languages, and people's comments beside them, some about being away.
Their bodies are the real words, redacted (names, logins, addresses, phone numbers and companies
replaced by fictional ones, see the folder's README.md); the headers are the project's (synthetic=derived)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from addin_server.mail.report import classify_file

PUBLIC = Path(__file__).resolve().parents[2] / "fixtures" / "mail_public"
LABEL_TO_KIND = {
    "human_reply": "human_reply",
    "ooo_autoreply": "out_of_office",
    "bounce_hard": "bounce_hard",
    "bounce_soft": "bounce_soft",
    "other_auto": "auto_other",
}


def _rows() -> list[dict[str, str]]:
    with (PUBLIC / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.parametrize("row", _rows(), ids=lambda row: f"{row['file']} is {row['label']}")
def test_public_message_is_classified_as_what_it_is(row: dict[str, str]) -> None:
    result = classify_file(str(PUBLIC / row["file"]))
    assert result["kind"] == LABEL_TO_KIND[row["label"]], result["evidence"]
    assert result["left_company"] is False
    if row["address_gone"] == "yes":
        assert result["kind"] == "bounce_hard"
    if row["return_date"]:
        assert result["return_date"] == row["return_date"]


def test_every_public_fixture_has_its_provenance() -> None:
    rows = _rows()
    assert {row["file"] for row in rows} == {
        str(p.relative_to(PUBLIC))
        for p in PUBLIC.rglob("*")
        if p.is_file() and p.name not in ("MANIFEST.tsv", "README.md", "LICENSE")
    }
    for row in rows:
        assert row["source_repo"] and row["source_path"] and row["how_label_determined"] and row["license"]
        # A file from a repository names its commit; a message quoted from an issue thread names its address.
        assert len(row["commit"]) == 40 or row["source_path"].startswith(f"https://github.com/{row['source_repo']}/")
        # A message whose headers the project wrote (or stripped) says so.
        assert row["synthetic"] in ("no", "derived")
