"""`classify --json`: one object per file read, never a crash; exit 0, or 1 when a path names no readable file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from addin_server.mail.report import classify_file, run_classify

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
KEYS = {"file", "kind", "evidence", "return_date", "bounced_recipients", "left_company"}


def test_classify_file_gives_the_design_shape() -> None:
    path = str(FIXTURES / "mail" / "ooo_gmail_vacation_responder.eml")
    result = classify_file(path)
    assert set(result) == KEYS
    assert result["file"] == path
    assert result["kind"] == "out_of_office"
    assert result["return_date"] == "2024-03-12"
    assert result["left_company"] is False


def test_a_graph_json_file_is_read_through_from_graph() -> None:
    result = classify_file(str(FIXTURES / "graph_messages" / "ndr_message_class.json"))
    assert result["kind"] == "bounce_hard"
    assert result["bounced_recipients"] == ["missing.person@buyer.example"]


BAD_INPUTS = [
    ("a missing file", "missing"),
    ("a directory", "directory"),
    ("binary junk", "junk"),
    ("an empty file", "empty"),
    ("json that is not a message", "json"),
]


@pytest.mark.parametrize(
    "kind", [c[1] for c in BAD_INPUTS], ids=[f"{c[0]} is unparseable auto_other" for c in BAD_INPUTS]
)
def test_bad_input_is_reported_not_raised(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "input"
    if kind == "directory":
        path.mkdir()
    elif kind == "junk":
        path.write_bytes(bytes(range(256)) * 10)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "json":
        path.write_text("[1, 2, 3]")
    result = classify_file(str(path))
    assert result["kind"] == "auto_other"
    assert "unparseable" in result["evidence"]


def test_run_classify_prints_one_json_line_per_file_and_returns_zero(tmp_path: Path) -> None:
    junk = tmp_path / "junk.eml"
    junk.write_bytes(bytes(range(256)))
    paths = [str(FIXTURES / "mail" / "bounce_postfix_mailbox_full.eml"), str(junk)]
    out = io.StringIO()
    assert run_classify(paths, True, out) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["kind"] for line in lines] == ["bounce_soft", "auto_other"]
    assert lines[0]["bounced_recipients"] == ["full.box@buyer.example"]


# Outside attack r14, finding 8: a typo in a path must not read as a verdict on a message.
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
# The command's contract stays: one line per file and exit 0 whatever the input.
def test_a_missing_file_or_a_directory_is_named_on_stderr_and_its_line_says_it_was_not_read(
        tmp_path: Path, as_json: bool) -> None:
    missing, directory = str(tmp_path / "nope.eml"), str(tmp_path)
    good = str(FIXTURES / "mail" / "bounce_postfix_mailbox_full.eml")
    out, err = io.StringIO(), io.StringIO()
    assert run_classify([missing, good, directory], as_json, out, err) == 0
    assert err.getvalue().splitlines() == [
        f"addin-server classify: {missing}: no such file",
        f"addin-server classify: {directory}: is a directory",
    ]
    assert "not read: no such file" in out.getvalue() and "not read: is a directory" in out.getvalue()
    assert "bounce_soft" in out.getvalue()
    if as_json:
        assert [json.loads(line)["file"] for line in out.getvalue().splitlines()] == [missing, good, directory]


def test_run_classify_text_output_names_kind_and_evidence() -> None:
    out = io.StringIO()
    assert run_classify([str(FIXTURES / "mail" / "ooo_left_company.eml")], False, out) == 0
    text = out.getvalue()
    assert "out_of_office" in text and "left the company" in text and "because:" in text
