"""Notebook path: a cohort into a pandas DataFrame, time and memory against the frame's size.

    python benchmarks/bench_notebook.py [--cohort FILE] [--children 20000] [--seed 12]
                                        [--as-of 2024-06-03] [--paths rows,to_dataframe,...]

Without ``--cohort`` it writes one with ``lacplan synth N --seed S --as-of D -o FILE`` into a
temporary directory. Each path then runs once in a fresh Python process (as a notebook would),
which imports everything first (lacplan, pandas, numpy, pyarrow), notes its resident memory,
and does:

* ``rows``: ``evaluate(load_cases(F), as_of=D)`` then the row-based frame ``to_dataframe()``
  built before issue 12 (``pandas.DataFrame(list(report.rows()))`` and per-column conversions;
  copied here as the baseline);
* ``to_dataframe``: ``evaluate(load_cases(F), as_of=D).to_dataframe()`` (whatever the installed
  ``Report.to_dataframe`` does);
* ``report_frame``: ``lacplan.frames.report_frame(evaluate(load_cases(F), as_of=D))``;
* ``stream``: ``lacplan.frames.children_frame(iter_evaluate(load_cases(F), as_of=D), ...)``,
  which never holds a ``Report``.

For each it prints the seconds to evaluate and to build the frame, the frame's own size
(``df.memory_usage(deep=True).sum()``), peak RSS minus RSS after imports (``VmHWM``, else
``ru_maxrss``) and its ratio to the frame's size (target: at most 2x), and the peak's growth
while the frame was built (peak minus RSS once the report existed) over the frame's size. The
frames of every path are checked to hold the same values. A report, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

PATHS = ("rows", "to_dataframe", "report_frame", "stream")
TARGET = 2.0
MB = 1 << 20


def _memory() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process in bytes."""
    now = peak = 0
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    now = int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) * 1024
    except OSError:  # not Linux: ru_maxrss only (KB on Linux, bytes on macOS)
        scale = 1 if sys.platform == "darwin" else 1024
        peak = now = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    return now, peak


def rows_frame(report: Any) -> Any:
    """The row-based ``Report.to_dataframe`` as it was before issue 12 (the baseline)."""
    import pandas as pd

    from lacplan.report import ROW_FIELDS, STATUS_ORDER

    labels = sorted({k for c in report.children for k in c.labels})
    columns = [*ROW_FIELDS, *(f"label_{k}" for k in labels)]
    df = pd.DataFrame(list(report.rows()), columns=columns)
    for col in ("anchor", "due", "met_on", "as_of"):
        df[col] = pd.to_datetime(df[col], format="ISO8601")
    df["status"] = pd.Categorical(df["status"], categories=STATUS_ORDER, ordered=True)
    df["days_late"] = df["days_late"].astype("Int64")
    df["sequence"] = df["sequence"].astype("int64")
    return df


def _fingerprint(df: Any) -> str:
    """A hash of the frame's values (types aside): equal for every path when they agree."""
    import pandas as pd

    plain = pd.DataFrame({c: df[c].astype(object).where(df[c].notna(), None) for c in df})
    return str(pd.util.hash_pandas_object(plain, index=True).sum())


def child(path: str, cohort: str, as_of: str) -> dict[str, Any]:
    """Run one path in this (fresh) process; the figures as a dict."""
    import numpy  # noqa: F401  (imported before the baseline reading, like a notebook)
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    import lacplan
    from lacplan.adapters import scan_label_keys
    from lacplan.frames import children_frame, report_frame

    day = date.fromisoformat(as_of)
    base, _ = _memory()
    t0 = time.perf_counter()
    if path == "stream":
        pack = lacplan.get_pack("england")
        keys = scan_label_keys([cohort])
        t1 = t0
        results = lacplan.iter_evaluate(lacplan.load_cases(cohort), as_of=day, rules=pack)
        df = children_frame(results, as_of=day, rules_version=pack.version, label_keys=keys)
        after_report = base
    else:
        report = lacplan.evaluate(lacplan.load_cases(cohort), as_of=day)
        t1 = time.perf_counter()
        after_report, _ = _memory()
        if path == "rows":
            df = rows_frame(report)
        elif path == "to_dataframe":
            df = report.to_dataframe()
        else:
            df = report_frame(report)
    t2 = time.perf_counter()
    _, peak = _memory()
    return {
        "path": path,
        "rows": len(df),
        "evaluate_s": t1 - t0,
        "frame_s": t2 - t1,
        "frame_bytes": int(df.memory_usage(deep=True).sum()),
        "base_bytes": base,
        "after_report_bytes": after_report,
        "peak_bytes": peak,
        "fingerprint": _fingerprint(df),
    }


def _run(path: str, cohort: str, as_of: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", path, "--cohort", cohort, "--as-of", as_of]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{path}: exit status {done.returncode}\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _report(results: list[dict[str, Any]]) -> None:
    print(
        f"{'path':<13} {'evaluate':>9} {'frame':>8} {'report MB':>10} {'df MB':>7} "
        f"{'peak-imports':>13} {'ratio':>6} {'frame growth':>13}"
    )
    for r in results:
        frame = r["frame_bytes"]
        grown = r["peak_bytes"] - r["base_bytes"]
        ratio = grown / frame
        # "stream" holds no report: its growth while building the frame is the whole peak.
        held = r["after_report_bytes"] - r["base_bytes"]
        built = (r["peak_bytes"] - r["after_report_bytes"]) / frame
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        print(
            f"{r['path']:<13} {r['evaluate_s']:>8.1f}s {r['frame_s']:>7.1f}s "
            f"{held / MB if held else 0:>10.0f} {frame / MB:>7.0f} {grown / MB:>10.0f} MB "
            f"{ratio:>5.2f}x {built:>12.2f}x  {verdict}"
        )
    print(
        f"ratio = (peak - RSS after imports) / df.memory_usage(deep=True).sum(); target {TARGET}x"
    )
    base = next((r for r in results if r["path"] == "rows"), None)
    if base is not None:
        base_grown = base["peak_bytes"] - base["base_bytes"]
        for r in results:
            if r is not base:
                grown = r["peak_bytes"] - r["base_bytes"]
                print(
                    f"{r['path']} against rows: frame time {r['frame_s'] / base['frame_s']:.2f}x, "
                    f"frame size {r['frame_bytes'] / base['frame_bytes']:.2f}x, "
                    f"peak-imports {grown / base_grown:.2f}x"
                )
    same = len({r["fingerprint"] for r in results}) == 1
    print("values: " + ("identical in every path" if same else "DIFFER between paths"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohort", help="a JSON Lines cohort (default: synthesise one)")
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--as-of", default="2024-06-03")
    parser.add_argument(
        "--paths", default=",".join(PATHS), help="comma-separated: " + ", ".join(PATHS)
    )
    parser.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.cohort, args.as_of)))
        return 0
    paths = [p for p in args.paths.split(",") if p]
    unknown = sorted(set(paths) - set(PATHS))
    if unknown:
        parser.error(f"unknown path(s): {', '.join(unknown)}")
    with tempfile.TemporaryDirectory() as tmp:
        cohort = args.cohort
        if cohort is None:
            cohort = str(Path(tmp) / "cohort.jsonl")
            synth = [sys.executable, "-m", "lacplan.cli", "synth", str(args.children)]
            synth += ["--seed", str(args.seed), "--as-of", args.as_of, "-o", cohort]
            subprocess.run(synth, check=True)
        size = os.path.getsize(cohort) / MB
        print(
            f"cohort {cohort} ({size:.0f} MB), as of {args.as_of}; Python "
            f"{platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
        )
        results = []
        for path in paths:
            results.append(_run(path, cohort, args.as_of))
            print(f"  {path}: {results[-1]['rows']:,} rows", flush=True)
    _report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
