"""SSDA903 adapter benchmark: rows per second, against parsing the same files with ``csv``.

    python benchmarks/bench_ssda903.py [--sample DIR] [--copies 20] [--repeat 5]

Reads the largest fake sample (``tests/data/ssda903-samples/d2i-validator-fake``, every
table) as it is and scaled up (``--copies`` copies of it with the child ids suffixed, written to
a temporary directory), and times, best of ``--repeat``:

* baseline: ``csv.reader`` over every file (what reading the text costs anyway);
* ``read_ssda903``: tables, years, episodes -> periods, cases validated, accounting;
* ``evaluate`` of the resulting cases as at the last collection year's 31 March.

It prints rows per second and the ratios adapter / baseline and (adapter + evaluate) /
baseline, and the accounting of the unscaled sample. It is a report, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from lacplan import evaluate, read_ssda903
from lacplan.adapters.ssda903.readers import files_in

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLE = ROOT / "tests" / "data" / "ssda903-samples" / "d2i-validator-fake"
AS_OF = date(2018, 3, 31)


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _scaled(sample: Path, copies: int, out: Path) -> None:
    for f in sorted(sample.glob("*.csv")):
        text = f.read_text(encoding="utf-8-sig").splitlines()
        header, rows = text[0], [r for r in text[1:] if r.strip()]
        lines = [header]
        for k in range(copies):
            lines += [r.replace(",", f"-{k},", 1) for r in rows]  # CHILD is the first column
        (out / f.name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _csv_rows(paths: list[str]) -> int:
    n = 0
    for p in paths:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            n += sum(1 for _ in csv.reader(fh)) - 1
    return n


def _run(label: str, directory: Path, repeat: int) -> None:
    paths = files_in(str(directory))
    rows = _csv_rows(paths)
    base = _best(lambda: _csv_rows(paths), repeat)
    read = _best(lambda: list(read_ssda903([str(directory)], years={str(directory): 2018})), repeat)

    def both() -> None:
        evaluate(read_ssda903([str(directory)], years={str(directory): 2018}), as_of=AS_OF)

    total = _best(both, repeat)
    print(
        f"{label}: {rows:,} rows in {len(paths)} files | csv baseline {rows / base:,.0f} rows/s | "
        f"read_ssda903 {rows / read:,.0f} rows/s ({read / base:.1f}x baseline) | "
        f"read + evaluate {rows / total:,.0f} rows/s ({total / base:.1f}x baseline)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not args.sample.is_dir():
        print(f"sample directory not found: {args.sample}")
        return
    _run("sample", args.sample, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        _scaled(args.sample, args.copies, Path(tmp))
        _run(f"sample x{args.copies}", Path(tmp), max(1, args.repeat // 2))
    batch = read_ssda903([str(args.sample)], years={str(args.sample): 2018})
    report = evaluate(batch, as_of=AS_OF)
    print(f"children {len(report.children)}, rejected records {len(report.errors)}")
    print(batch.accounting.render(), end="")


if __name__ == "__main__":
    main()
