"""Audit commands at cohort scale: wall time and peak memory of ``lacplan demo``,
``lacplan summary`` and ``lacplan upcoming`` on a synthetic cohort, against a baseline.

    python benchmarks/bench_audit.py [--children 20000] [--seed 7]

Writes the cohort with ``lacplan.synth.write_cohort`` to a temporary file, then runs each
command once as a separate process (as a user would), and the baseline: a Python process that
reads the same file with ``json.loads`` line by line. It prints seconds, the ratio to the
baseline and each process's peak resident memory (``ru_maxrss`` of the child). A report, not a
test: it exits 0.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lacplan.synth import write_cohort

AS_OF = "2024-06-03"


def _run(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process."""
    t0 = time.perf_counter()
    pid = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(pid.pid, 0)
    seconds = time.perf_counter() - t0
    if status != 0:
        print(f"  (exit status {status >> 8}: {' '.join(cmd[:3])} ...)")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    lacplan = [sys.executable, "-m", "lacplan.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        cohort = Path(tmp) / "cohort.jsonl"
        write_cohort(cohort, args.children, seed=args.seed)
        size = cohort.stat().st_size / 1e6
        print(f"{args.children:,} children, {size:.0f} MB of JSON Lines")
        reader = "import json,sys\nfor line in open(sys.argv[1]): json.loads(line)"
        base = [sys.executable, "-c", reader, str(cohort)]
        runs = {
            "baseline (json.loads)": base,
            "lacplan summary": [*lacplan, "summary", str(cohort), "--as-of", AS_OF],
            "lacplan upcoming": [*lacplan, "upcoming", str(cohort), "--as-of", AS_OF],
            "lacplan evaluate --format jsonl": [
                *lacplan,
                "evaluate",
                str(cohort),
                "--as-of",
                AS_OF,
                "--format",
                "jsonl",
            ],
            "lacplan demo (bundled 300)": [*lacplan, "demo"],
        }
        base_s = None
        for name, cmd in runs.items():
            seconds, mb = _run(cmd)
            base_s = base_s or seconds
            print(f"{name:<34} {seconds:8.2f} s  {seconds / base_s:6.1f}x  peak {mb:7.0f} MB")


if __name__ == "__main__":
    main()
