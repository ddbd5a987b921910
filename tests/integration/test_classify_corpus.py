"""The classifier on the labelled real corpus (../shared/corpus), when it is present.

The accuracy figures belong in bench/classify_report.py; this test asserts only the cheap,
non-negotiable targets: no exception on any file, no human reply read as out-of-office or bounce,
and recall floors for out-of-office and bounces on real messages.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from addin_server.mail.report import classify_file

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
# Files the corpus labels as bounces that are delay notices (Action: delayed, "still trying"): the
# product counts nothing for a delay (issue 14), so the right reading is auto_other "delivery delayed".
DELAY_NOTICES = Path(__file__).resolve().parents[1] / "fixtures" / "corpus_labels" / "delay_notices.tsv"


def _delay_notices() -> set[str]:
    with DELAY_NOTICES.open(newline="", encoding="utf-8") as handle:
        return {row["file"] for row in csv.DictReader(handle, delimiter="\t")}


def _read_as_delay(result: dict) -> bool:
    return result["kind"] == "auto_other" and bool(result["evidence"]) and result["evidence"][0].startswith(
        "delivery delayed"
    )
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason=f"labelled corpus not found at {CORPUS}"),
]


@pytest.fixture(scope="module")
def results() -> list[tuple[dict[str, str], dict]]:
    with (CORPUS / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(row, classify_file(str(CORPUS / "files" / row["file"]))) for row in rows]


def test_every_corpus_file_is_classified_without_error(results: list[tuple[dict[str, str], dict]]) -> None:
    failures = [row["file"] for row, result in results if "unparseable" in result["evidence"]]
    assert failures == []


def test_no_human_reply_is_read_as_out_of_office_or_bounce(results: list[tuple[dict[str, str], dict]]) -> None:
    wrong = [
        row["file"]
        for row, result in results
        if row["label"] == "human_reply" and result["kind"] in ("out_of_office", "bounce_hard", "bounce_soft")
    ]
    assert wrong == []


def test_out_of_office_and_bounce_recall_on_real_messages(results: list[tuple[dict[str, str], dict]]) -> None:
    real = [(row, result) for row, result in results if row["synthetic"] == "no"]
    delays = _delay_notices()
    ooo = [result["kind"] == "out_of_office" for row, result in real if row["label"] == "ooo_autoreply"]
    bounces = [
        _read_as_delay(result) if row["file"] in delays else result["kind"].startswith("bounce")
        for row, result in real
        if row["label"].startswith("bounce")
    ]
    assert sum(ooo) / len(ooo) >= 0.97
    assert sum(bounces) / len(bounces) >= 0.97


def test_hard_soft_agreement_on_real_bounces_stays_at_its_floor(results: list[tuple[dict[str, str], dict]]) -> None:
    # The sources define hard and soft differently (bench/reports/classify.md shows the split per
    # source); this floor only guards against a reading regression under the product's rule.
    # A delay read as a delay agrees with the source's "soft" (temporary: nothing ends).
    delays = _delay_notices()
    pairs = [
        (row["label"], "bounce_soft" if row["file"] in delays and _read_as_delay(result) else result["kind"])
        for row, result in results
        if row["synthetic"] == "no"
        and row["label"].startswith("bounce")
        and (result["kind"].startswith("bounce") or row["file"] in delays)
    ]
    assert sum(label == kind for label, kind in pairs) / len(pairs) >= 0.86



def test_delay_notices_are_read_as_delays_not_bounces(results: list[tuple[dict[str, str], dict]]) -> None:
    delays = _delay_notices()
    wrong = [row["file"] for row, result in results if row["file"] in delays and not _read_as_delay(result)]
    assert len(delays) >= 30
    assert wrong == []
