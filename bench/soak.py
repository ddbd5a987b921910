"""The mailbox pipeline under faults at scale: python bench/soak.py [--n 10000] [--database-url URL].

Prints and writes bench/reports/soak.md|json: lost, ended twice, unexplained (all must be 0).
A report, not a test (tests/e2e/reliability runs the same with a small N).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reliability import as_text, result_dict, run_soak  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='soak-')}/soak.db"
    result = run_soak(args.n, url, seed=args.seed)
    text = as_text(result)
    print(text)
    out = ROOT / "bench" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "soak.json").write_text(json.dumps(result_dict(result), indent=2))
    (out / "soak.md").write_text(f"# Soak, N = {result.n}\n\nMeasured by `python bench/soak.py --n {result.n}`.\n\n"
                                 f"- lost: {result.lost}\n- ended twice: {result.ended_twice}\n"
                                 f"- unexplained: {result.unexplained}\n"
                                 f"- out-of-office replies that unenrolled: {result.out_of_office_unenrolled}\n"
                                 f"- endings by reason: {result.reasons}\n- faults: {result.faults}\n"
                                 f"- duration: {result.seconds} s\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
