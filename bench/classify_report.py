"""Accuracy report of the message classifier on the labelled corpus (../shared/corpus).

Run: .venv/bin/python bench/classify_report.py [--corpus DIR] [--out DIR]
Prints per-label precision and recall (on real messages, synthetic=no, and on all rows), hard/soft
agreement, return-date hits, a confusion matrix and every misclassified file with the classifier's
evidence; writes bench/reports/classify.md and classify.json.

Return dates: the corpus has no return-date column, so the table below records, for each
out-of-office file whose text states a return date, the date a reader finds there (read by hand
from the file; the classifier never sees this table).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from addin_server.mail.report import classify_file  # noqa: E402

LABEL_TO_KIND = {
    "human_reply": "human_reply",
    "ooo_autoreply": "out_of_office",
    "bounce_hard": "bounce_hard",
    "bounce_soft": "bounce_soft",
    "other_auto": "auto_other",
}
KINDS = ["human_reply", "out_of_office", "bounce_hard", "bounce_soft", "auto_other"]

# file -> the return date its text states (read by hand). Files not listed state none.
STATED_RETURN_DATES: dict[str, str] = {
    "go-sisimai/set-of-emails/maildir/bsd/rfc3834-01.eml": "05-05",  # "returning to the office on May 5th"
    "go-sisimai/set-of-emails/maildir/bsd/rfc3834-04.eml": "07-31",  # "traveling for work on July 10-31"
}


def _label_source(entry: dict) -> str:
    """Whose hard/soft definition a bounce label follows (the corpus README: sources disagree)."""
    how = entry.get("how_label_determined", "")
    if "sisimai" in entry.get("source_repo", "") or "IsExpected" in how:
        return "sisimai (reason-based: only unknown user/host, moved, not-accept are hard)"
    if "test_detectors.py" in how or "flufl" in entry.get("source_repo", ""):
        return "flufl.bounce (permanent vs temporary warning: every non-warning failure is hard)"
    return "other (DSN status class or file name)"


def _agreement_by_source(rows: list[dict]) -> dict[str, dict[str, float | int]]:
    out: dict[str, dict[str, float | int]] = {}
    for row in rows:
        if not (row["expected"].startswith("bounce") and row["kind"].startswith("bounce")):
            continue
        entry = out.setdefault(row["label_source"], {"bounces": 0, "agree": 0})
        entry["bounces"] += 1
        entry["agree"] += int(row["kind"] == row["expected"])
    for entry in out.values():
        entry["agreement"] = round(entry["agree"] / entry["bounces"], 4)
    return out


def _bounce_reason(evidence: list[str]) -> tuple[str, str]:
    """("hard"|"soft", the reason in words without status codes) from a bounce's evidence."""
    for item in evidence:
        if item.startswith(("hard: ", "soft: ")):
            side, reason = item.split(": ", 1)
            reason = re.sub(r"\s*\((?:status|'|\")[^)]*\)", "", reason)
            reason = re.sub(r"\b[245]\.\d{1,3}\.\d{1,3}\b", "X.X.X", reason)
            return side, reason.strip()
    return "", ""


def _temporary(side: str, reason: str) -> bool:
    """Whether a report reads as temporary (a warning, a 4.X.X status, a server still trying)."""
    return side == "soft" and bool(
        re.search(r"delay|temporary|still trying|name servers did not answer|status X\.X\.X is temporary", reason)
    )


def _hard_soft_rules(rows: list[dict]) -> dict:
    """Hard/soft agreement per label source under the product's rule and under the DSN-class rule
    (every failure that is not temporary is hard), and the best any rule deciding per reason can do."""
    bounces = [r for r in rows if r["expected"].startswith("bounce") and r["kind"].startswith("bounce")]
    by_source: dict[str, dict[str, int]] = {}
    by_reason: dict[str, dict[str, int]] = {}
    for row in bounces:
        side, reason = _bounce_reason(row["evidence"])
        label = row["expected"].removeprefix("bounce_")
        source = row["label_source"].split(" ", 1)[0]
        entry = by_source.setdefault(source, {"bounces": 0, "product_rule": 0, "dsn_class_rule": 0})
        entry["bounces"] += 1
        entry["product_rule"] += int(row["kind"] == row["expected"])
        entry["dsn_class_rule"] += int(("soft" if _temporary(side, reason) else "hard") == label)
        counts = by_reason.setdefault(f"{side}: {reason}", {})
        counts[f"{source} {label}"] = counts.get(f"{source} {label}", 0) + 1
    total = len(bounces)
    best = sum(
        max(sum(n for k, n in c.items() if k.endswith(" hard")), sum(n for k, n in c.items() if k.endswith(" soft")))
        for c in by_reason.values()
    )
    return {
        "bounces": total,
        "by_source": by_source,
        "product_rule": round(sum(e["product_rule"] for e in by_source.values()) / total, 4) if total else None,
        "dsn_class_rule": round(sum(e["dsn_class_rule"] for e in by_source.values()) / total, 4) if total else None,
        "best_rule_per_reason": round(best / total, 4) if total else None,
        "by_reason": dict(sorted(by_reason.items(), key=lambda kv: -sum(kv[1].values()))),
    }


def _metrics(rows: list[dict]) -> dict:
    labelled = [r for r in rows if r["expected"]]
    per_label = {}
    for kind in KINDS:
        tp = sum(1 for r in labelled if r["expected"] == kind and r["kind"] == kind)
        fn = sum(1 for r in labelled if r["expected"] == kind and r["kind"] != kind)
        fp = sum(1 for r in labelled if r["expected"] != kind and r["kind"] == kind)
        per_label[kind] = {
            "support": tp + fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        }
    bounces = [r for r in labelled if r["expected"].startswith("bounce")]
    bounce_found = [r for r in bounces if r["kind"].startswith("bounce")]
    ooo = [r for r in labelled if r["expected"] == "out_of_office"]
    humans = [r for r in labelled if r["expected"] == "human_reply"]
    return {
        "rows": len(rows),
        "labelled": len(labelled),
        "per_label": per_label,
        "bounce_recall": round(len(bounce_found) / len(bounces), 4) if bounces else None,
        "hard_soft_agreement": round(sum(1 for r in bounce_found if r["kind"] == r["expected"]) / len(bounce_found), 4)
        if bounce_found
        else None,
        "out_of_office_recall": round(sum(1 for r in ooo if r["kind"] == "out_of_office") / len(ooo), 4)
        if ooo
        else None,
        "human_as_ooo_or_bounce": sum(
            1 for r in humans if r["kind"] == "out_of_office" or r["kind"].startswith("bounce")
        ),
        "hard_soft_by_label_source": _agreement_by_source(labelled),
        "hard_soft_rules": _hard_soft_rules(labelled),
        "human_recall": round(sum(1 for r in humans if r["kind"] == "human_reply") / len(humans), 4)
        if humans
        else None,
        "confusion": {
            exp: {got: sum(1 for r in labelled if r["expected"] == exp and r["kind"] == got) for got in KINDS}
            for exp in KINDS
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(REPO / ".." / "shared" / "corpus"))
    parser.add_argument("--out", default=str(REPO / "bench" / "reports"))
    args = parser.parse_args(argv)
    corpus = Path(args.corpus).resolve()
    manifest = corpus / "MANIFEST.tsv"
    if not manifest.is_file():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 1
    with manifest.open(newline="", encoding="utf-8") as handle:
        entries = list(csv.DictReader(handle, delimiter="\t"))

    rows = []
    errors = []
    started = time.perf_counter()
    for entry in entries:
        path = corpus / "files" / entry["file"]
        try:
            result = classify_file(str(path))
        except Exception as exc:  # noqa: BLE001 - the report counts exceptions instead of stopping
            errors.append(f"{entry['file']}: {type(exc).__name__}: {exc}")
            continue
        if "unparseable" in result["evidence"]:
            errors.append(f"{entry['file']}: unparseable ({'; '.join(result['evidence'])})")
        rows.append(
            {
                "file": entry["file"],
                "label": entry["label"],
                "expected": LABEL_TO_KIND.get(entry["label"], ""),
                "synthetic": entry["synthetic"],
                "label_source": _label_source(entry),
                "kind": result["kind"],
                "evidence": result["evidence"],
                "return_date": result["return_date"],
                "bounced_recipients": result["bounced_recipients"],
                "left_company": result["left_company"],
            }
        )
    elapsed = time.perf_counter() - started

    dates = []
    for row in rows:
        stated = STATED_RETURN_DATES.get(row["file"])
        if stated:
            got = row["return_date"] or ""
            dates.append(
                {"file": row["file"], "stated": stated, "found": got or None, "hit": bool(got) and got.endswith(stated)}
            )
    real = [r for r in rows if r["synthetic"] == "no"]
    report = {
        "seconds": round(elapsed, 2),
        "exceptions_or_unparseable": errors,
        "real_rows": _metrics(real),
        "all_rows": _metrics(rows),
        "return_dates": {
            "stated": len(dates),
            "hits": sum(1 for d in dates if d["hit"]),
            "details": dates,
        },
        "misclassified": [
            {k: r[k] for k in ("file", "label", "synthetic", "kind", "evidence")}
            for r in rows
            if r["expected"] and r["kind"] != r["expected"]
        ],
        "unknown_label": [{k: r[k] for k in ("file", "kind", "evidence")} for r in rows if not r["expected"]],
        # Bounces whose report names hard and soft recipients: each recipient's enrollments follow its own verdict.
        "per_recipient": [
            {"file": r["file"], "label": r["label"], "kind": r["kind"],
             "verdicts": next(e for e in r["evidence"] if e.startswith("per recipient:"))}
            for r in rows
            if any(e.startswith("per recipient:") for e in r["evidence"])
        ],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "classify.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown = _markdown(report)
    (out / "classify.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _markdown(report: dict) -> str:
    lines = ["# Message classifier on the labelled corpus", ""]
    lines.append(
        f"Classified {report['all_rows']['rows']} files in {report['seconds']} s; "
        f"exceptions or unparseable: {len(report['exceptions_or_unparseable'])}."
    )
    per_recipient = report.get("per_recipient", [])
    lines += ["", f"Bounces that name hard and soft recipients, judged per recipient: {len(per_recipient)} "
              "(only the hard recipients' enrollments end; the others count a soft bounce)."]
    lines += [f"- {p['file']} [{p['label']}] -> {p['kind']}; {p['verdicts'][:300]}" for p in per_recipient]
    for scope in ("real_rows", "all_rows"):
        m = report[scope]
        title = "Real messages (synthetic=no)" if scope == "real_rows" else "All rows"
        lines += ["", f"## {title}: {m['labelled']} labelled", ""]
        lines.append(f"- Human replies misread as out-of-office or bounce: {m['human_as_ooo_or_bounce']}")
        lines.append(f"- Out-of-office recall: {_fmt(m['out_of_office_recall'])}")
        lines.append(f"- Bounce recall (hard or soft): {_fmt(m['bounce_recall'])}")
        lines.append(f"- Hard/soft agreement on detected bounces: {_fmt(m['hard_soft_agreement'])}")
        lines.append(f"- Human reply recall: {_fmt(m['human_recall'])}")
        for source, v in m["hard_soft_by_label_source"].items():
            lines.append(
                f"  - hard/soft agreement where labels follow {source}: {_fmt(v['agreement'])} of {v['bounces']}"
            )
        lines += ["", "| label | support | precision | recall |", "|---|---|---|---|"]
        for kind, v in m["per_label"].items():
            lines.append(f"| {kind} | {v['support']} | {_fmt(v['precision'])} | {_fmt(v['recall'])} |")
        lines += [
            "",
            "Confusion (rows: label, columns: classified as)",
            "",
            "| label \\ got | " + " | ".join(KINDS) + " |",
            "|---" * (len(KINDS) + 1) + "|",
        ]
        for exp, counts in m["confusion"].items():
            lines.append(f"| {exp} | " + " | ".join(str(counts[k]) for k in KINDS) + " |")
    rules = report["real_rows"]["hard_soft_rules"]
    lines += [
        "",
        "## Hard or soft: which rule (real messages, bounces detected as bounces)",
        "",
        "Sources label hard and soft differently (see the corpus README). Agreement per label source",
        "under the product's rule (hard only when the address is gone, or a permanent failure gives no",
        "reason) and under the DSN-class rule (every failure that is not temporary is hard); then the best",
        "agreement any rule can reach that decides hard or soft from the reason the classifier read.",
        "",
        "| label source | bounces | product rule | DSN-class rule |",
        "|---|---|---|---|",
    ]
    for source, v in rules["by_source"].items():
        lines.append(
            f"| {source} | {v['bounces']} | {_fmt(round(v['product_rule'] / v['bounces'], 4))} "
            f"| {_fmt(round(v['dsn_class_rule'] / v['bounces'], 4))} |"
        )
    lines.append(
        f"| all | {rules['bounces']} | {_fmt(rules['product_rule'])} | {_fmt(rules['dsn_class_rule'])} |"
    )
    lines += [
        "",
        f"Best agreement of any rule deciding per reason read: {_fmt(rules['best_rule_per_reason'])}.",
        "",
        "| decided: reason read | labels (source label: count) |",
        "|---|---|",
    ]
    for reason, counts in rules["by_reason"].items():
        lines.append(f"| {reason} | " + ", ".join(f"{k}: {n}" for k, n in sorted(counts.items())) + " |")
    rd = report["return_dates"]
    lines += ["", f"## Return dates: {rd['hits']} of {rd['stated']} found where the text states one", ""]
    for d in rd["details"]:
        lines.append(f"- {'ok' if d['hit'] else 'MISS'} {d['file']}: stated {d['stated']}, found {d['found']}")
    lines += ["", f"## Misclassified ({len(report['misclassified'])})", ""]
    for r in report["misclassified"]:
        lines.append(
            f"- {r['file']} [{r['label']}, synthetic={r['synthetic']}] -> {r['kind']}: "
            + "; ".join(r["evidence"])[:300]
        )
    lines += ["", f"## Unlabelled (label unknown): {len(report['unknown_label'])}", ""]
    for r in report["unknown_label"]:
        lines.append(f"- {r['file']} -> {r['kind']}: " + "; ".join(r["evidence"])[:200])
    if report["exceptions_or_unparseable"]:
        lines += ["", "## Exceptions or unparseable", ""] + [f"- {e}" for e in report["exceptions_or_unparseable"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
