"""The mailbox pipeline under faults at scale, Gmail and Outlook: python bench/soak.py [--n 10000] [--database-url URL].

Prints and writes bench/reports/soak.md|json: per provider and together, lost, ended twice,
unexplained and out-of-office unenrolled (all must be 0), endings by reason, the faults injected and
what the emulators say they did, and the duration. A report, not a test (tests/e2e/reliability runs
the same with a small N).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reliability import SWEEP_EVERY, SoakResult, Tally, as_text, result_dict, run_soak  # noqa: E402

INVARIANTS = (("lost", "lost"), ("ended twice", "ended_twice"), ("unexplained", "unexplained"),
              ("out-of-office replies that unenrolled", "out_of_office_unenrolled"),
              ("messages applied more than once", "applied_twice"),
              ("reports counted again when they arrived again", "reports_counted_twice"),
              ("delay notices counted as bounces", "delays_counted"))


def verdict(result: SoakResult) -> str:
    broken = [f"{label} {getattr(tally, attr)} ({provider})" for provider, tally in result.providers.items()
              for label, attr in INVARIANTS if getattr(tally, attr)]
    return "all invariants 0" if not broken else "not met: " + ", ".join(broken)


def markdown(result: SoakResult, database: str, command: str) -> str:
    columns = {**result.providers, "both": result.total}
    head = "| | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns) + "\n"
    rows = [("contacts (one message each)", "delivered"), ("expected endings", "expected_endings"), *INVARIANTS]
    table = head + "".join(f"| {label} | " + " | ".join(str(getattr(t, attr)) for t in columns.values()) + " |\n"
                           for label, attr in rows)
    reasons = sorted({r for t in columns.values() for r in t.reasons})
    endings = head + "".join(f"| {r} | " + " | ".join(str(t.reasons.get(r, 0)) for t in columns.values()) + " |\n"
                             for r in reasons)

    def faults(name: str, tally: Tally) -> str:
        return f"- {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.faults.items())) + "\n"

    blocks = result.block_seconds
    per_delivery = (f"{blocks[0] / SWEEP_EVERY * 1000:.0f} ms in the first block, "
                    f"{blocks[-1] / SWEEP_EVERY * 1000:.0f} ms in the last" if blocks else "n/a")
    return (
        f"# Soak, N = {result.n}, Gmail and Outlook\n\n"
        f"Measured by `{command}` on {database} ({platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}).\n"
        f"Result: **{verdict(result)}**.\n\n"
        f"Half the contacts were enrolled from a Gmail rep's mailbox and half from an Outlook rep's (both "
        f"emulated); each answers once (reply, out-of-office, bounce, another address on the thread, an "
        f"email outside the sequence, or a stranger writes, a delay notice; some bounce reports arrive "
        f"again later: a soft one three times, a hard one twice, each copy under a new provider id), in "
        f"shuffled order, under the faults below; a message now and then cannot be served for a while "
        f"(poison, parked alone and applied later).\n\n"
        f"{table}\n## Endings by reason\n\n{endings}\n## Faults\n\n"
        + "".join(faults(p, t) for p, t in result.providers.items())
        + f"\n## Time\n\n- duration: {result.seconds} s (setup: enrolling and sending {result.n} first emails, "
        f"{result.setup_seconds} s)\n- seconds per {SWEEP_EVERY} deliveries (with their notifications, the "
        f"worker and a sweep): {blocks}\n- per delivery: {per_delivery}\n"
        f"- processed messages: {result.processed_messages}\n"
        + ("\n## Notifications the worker did not finish\n\n" + "".join(f"- {line}\n" for line in result.not_done)
           if result.not_done else "")
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='soak-')}/soak.db"
    result = run_soak(args.n, url, seed=args.seed)
    print(as_text(result))
    out = ROOT / "bench" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    command = f"python bench/soak.py --n {args.n}" + (" --database-url postgresql://..." if database == "PostgreSQL"
                                                      else "")
    (out / "soak.json").write_text(json.dumps({**result_dict(result), "database": database}, indent=2) + "\n")
    (out / "soak.md").write_text(markdown(result, database, command))
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
