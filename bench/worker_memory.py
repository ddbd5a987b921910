"""Resident memory of `addin-server worker` while it works through a loaded inbox.

    python bench/worker_memory.py [--n 2000] [--mailboxes 8]

Loads the database as bench/pipeline.py does (replies waiting in emulated Gmail mailboxes), starts
the real worker command in its own process with the same settings, samples VmRSS from
/proc/<pid>/status (psutil when installed) every 100 ms until the inbox is done, and reports the
peak. Target: <= 150 MB. Writes bench/reports/worker_memory.md and .json. A report, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline import load  # noqa: E402

TARGET_MB = 150


def resident_mb(pid: int) -> float | None:
    """VmRSS of one process in MB, or None once it has gone."""
    try:
        import psutil  # optional

        return float(psutil.Process(pid).memory_info().rss) / 2**20
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - the process ended between two samples
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run(n: int, mailboxes: int, database_url: str, timeout: float) -> dict[str, Any]:
    loaded = load(n, mailboxes, database_url)
    env = {**os.environ, **loaded.environment, "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen([str(Path(sys.executable).parent / "addin-server"), "worker", "--poll", "0.2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples: list[float] = []
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            rss = resident_mb(worker.pid)
            if rss is None or worker.poll() is not None:
                break
            samples.append(rss)
            if loaded.processed() >= n:
                break
            time.sleep(0.1)
        idle_until = time.perf_counter() + 1.0  # a few samples after the work: memory kept, not just peaked
        while time.perf_counter() < idle_until and worker.poll() is None:
            rss = resident_mb(worker.pid)
            if rss is not None:
                samples.append(rss)
            time.sleep(0.1)
        processed = loaded.processed()
    finally:
        worker.terminate()
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
        loaded.close()
    peak = max(samples) if samples else None
    return {"messages": n, "processed": processed, "samples": len(samples),
            "peak_rss_mb": round(peak, 1) if peak else None, "final_rss_mb": round(samples[-1], 1) if samples else None,
            "seconds": round(time.perf_counter() - started, 1), "target_mb": TARGET_MB,
            "met": peak is not None and peak <= TARGET_MB and processed >= n}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--mailboxes", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args(argv)
    url = f"sqlite:///{tempfile.mkdtemp(prefix='worker-memory-')}/worker.db"
    result = run(args.n, args.mailboxes, url, args.timeout)
    out = ROOT / "bench" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "worker_memory.json").write_text(json.dumps(result, indent=2))
    (out / "worker_memory.md").write_text(
        f"# Worker resident memory\n\n- `addin-server worker` processed {result['processed']:,} of "
        f"{result['messages']:,} inbound messages in {result['seconds']} s\n- peak VmRSS {result['peak_rss_mb']} MB, "
        f"after the work {result['final_rss_mb']} MB (target <= {TARGET_MB} MB: "
        f"{'met' if result['met'] else 'not met'})\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
