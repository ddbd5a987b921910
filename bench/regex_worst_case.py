"""Worst-case time of every regular expression of the mail package on degenerate texts.

Run: .venv/bin/python bench/regex_worst_case.py [--small N] [--large N] [--out DIR]

Each compiled pattern of addin_server/mail (module constants, and those kept in tuples, lists and dicts)
is run with finditer, the widest use, over each text of tests/hostile_text.py at two sizes. The growth
from the small size to the large one tells a linear pattern (x size ratio) from one that backtracks
(x ratio squared or cubed). Writes bench/reports/regex_worst_case.md and .json with the slowest pairs.
A pattern already slow at the small size is not run at the large one (it would run for minutes).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import addin_server.mail as mail_package  # noqa: E402
from tests.hostile_text import hostile_texts, nested_html  # noqa: E402

# Above this a pattern is listed as slow on the large size, whatever its growth.
SLOW_SECONDS = 0.25
# A growth over this many times the size ratio is backtracking, not a long alternation read once.
SUPERLINEAR = 3


def mail_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern of the mail package by a readable name, each once."""
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for info in sorted(pkgutil.iter_modules(mail_package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"addin_server.mail.{info.name}")
        for name, value in vars(module).items():
            items: list[tuple[str, object]] = [(name, value)]
            if isinstance(value, (tuple, list)):
                items = [(f"{name}[{i}]", v) for i, v in enumerate(value)]
            elif isinstance(value, dict):
                items = [(f"{name}[{k!r}]", v) for k, v in value.items()]
            for label, item in items:
                if isinstance(item, re.Pattern) and isinstance(item.pattern, str) and id(item) not in found:
                    found[id(item)] = (f"{info.name}.{label}", item)
    return dict(found.values())


def _time(pattern: re.Pattern[str], text: str) -> float:
    start = time.perf_counter()
    for _ in pattern.finditer(text):
        pass
    return time.perf_counter() - start


def _texts(size: int) -> dict[str, str]:
    return {**hostile_texts(size), "nested html": nested_html(size)}


def measure(small: int, large: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    small_texts, large_texts = _texts(small), _texts(large)
    for label, pattern in mail_patterns().items():
        for text_name, text in small_texts.items():
            at_small = _time(pattern, text)
            # Cubic growth from a quarter second would be minutes: the small figure says enough.
            at_large = _time(pattern, large_texts[text_name]) if at_small < 0.25 else None
            rows.append({"pattern": label, "text": text_name, "small_s": at_small, "large_s": at_large})
    return rows


def _worst(row: dict[str, object]) -> float:
    large = row["large_s"]
    return float(large) if isinstance(large, float) else 1e9 * float(row["small_s"])  # type: ignore[arg-type]


def _slow(row: dict[str, object], ratio: float) -> bool:
    at_small, at_large = float(row["small_s"]), row["large_s"]  # type: ignore[arg-type]
    if not isinstance(at_large, float):
        return True
    return at_large > SLOW_SECONDS or (at_large > 0.01 and at_large > SUPERLINEAR * ratio * at_small)


def write(rows: list[dict[str, object]], small: int, large: int, out: Path, took: float) -> list[dict[str, object]]:
    rows = sorted(rows, key=_worst, reverse=True)
    slow = [r for r in rows if _slow(r, large / small)]
    patterns = len({r["pattern"] for r in rows})
    lines = [
        "# Regular expressions of the mail package on degenerate texts",
        "",
        f"{patterns} patterns x {len({r['text'] for r in rows})} texts (tests/hostile_text.py), finditer over the "
        f"whole text at {small:,} and {large:,} characters; {took:.0f} s in all. Slow = over {SLOW_SECONDS} s at "
        f"{large:,} characters, or growing over {SUPERLINEAR} times faster than the text (and over 0.01 s), or "
        f"not run there because already over 0.25 s at {small:,}. Growth = time ratio "
        f"between the sizes (x{large // small} is linear, x{(large // small) ** 2} quadratic).",
        "",
        f"Slow pairs: {len(slow)}.",
        "",
        "| pattern | text | s at small | s at large | growth |",
        "|---|---|---|---|---|",
    ]
    for row in rows[:25]:
        at_small, at_large = float(row["small_s"]), row["large_s"]  # type: ignore[arg-type]
        large_text = f"{at_large:.3f}" if isinstance(at_large, float) else "not run"
        growth = f"x{at_large / at_small:.0f}" if isinstance(at_large, float) and at_small > 1e-5 else "-"
        lines.append(f"| {row['pattern']} | {row['text']} | {at_small:.4f} | {large_text} | {growth} |")
    out.mkdir(parents=True, exist_ok=True)
    (out / "regex_worst_case.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = {"small": small, "large": large, "patterns": patterns, "slow": slow, "slowest": rows[:25]}
    (out / "regex_worst_case.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return slow


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=16_000)
    parser.add_argument("--out", default=str(REPO / "bench" / "reports"))
    args = parser.parse_args()
    start = time.perf_counter()
    rows = measure(args.small, args.large)
    slow = write(rows, args.small, args.large, Path(args.out), time.perf_counter() - start)
    for row in slow:
        print(f"slow: {row['pattern']} on {row['text']}: {row['small_s']:.3f} s, {row['large_s']}")
    print(f"{len(slow)} slow pairs; report in {args.out}/regex_worst_case.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
