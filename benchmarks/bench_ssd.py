"""SSD adapter benchmark: rows per second, against parsing the same files with ``csv``.

    python benchmarks/bench_ssd.py [--sample DIR] [--copies 25] [--repeat 5]

Reads the fake SSD extract (``docs/examples/ssd``, every table) as it is and scaled up
(``--copies`` copies of it with every id suffixed, written to a temporary directory), and
times, best of ``--repeat``:

* baseline: ``csv.reader`` over every file (what reading the text costs anyway);
* ``read_ssd``: tables read, rows joined by person and period, periods built, cases validated,
  accounting;
* ``evaluate`` of the resulting cases as at the extract's date.

It prints rows per second, the ratios adapter / baseline and (adapter + evaluate) / baseline,
and the accounting of the unscaled extract. It is a report, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from lacplan import evaluate, read_ssd
from lacplan.adapters.ssd.readers import files_in

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLE = ROOT / "docs" / "examples" / "ssd"
EXTRACT = date(2025, 6, 30)


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _is_id(column: str) -> bool:
    return column.endswith("_id") and not column.endswith("_worker_id")


def _scaled(sample: Path, copies: int, out: Path) -> None:
    for f in sorted(sample.glob("*.csv")):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        ids = [i for i, c in enumerate(header) if _is_id(c)]
        with open(out / f.name, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for k in range(copies):
                for row in rows:
                    w.writerow(
                        [
                            f"{v}-{k}" if i in ids and v not in ("", "NULL") else v
                            for i, v in enumerate(row)
                        ]
                    )


def _csv_rows(paths: list[str]) -> int:
    n = 0
    for p in paths:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            n += sum(1 for _ in csv.reader(fh)) - 1
    return n


def _measure(folder: Path, repeat: int) -> dict[str, float]:
    paths = files_in(str(folder))
    rows = _csv_rows(paths)
    cases: list[object] = []

    def adapter() -> None:
        cases[:] = list(read_ssd([str(folder)], extract_date=EXTRACT))

    base = _best(lambda: _csv_rows(paths), repeat)
    read = _best(adapter, repeat)
    ev = _best(lambda: evaluate(cases, as_of=EXTRACT), repeat)  # type: ignore[arg-type]
    return {"rows": rows, "base": base, "read": read, "evaluate": ev}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    ap.add_argument("--copies", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    batch = read_ssd([str(args.sample)], extract_date=EXTRACT)
    report = evaluate(batch, as_of=EXTRACT)
    print(f"accounting of {args.sample} ({len(report.children)} children):")
    print(batch.accounting.render(), end="")
    with tempfile.TemporaryDirectory() as tmp:
        _scaled(args.sample, args.copies, Path(tmp))
        for label, folder in (("sample", args.sample), (f"x{args.copies}", Path(tmp))):
            m = _measure(folder, args.repeat)
            rate = m["rows"] / m["read"]
            print(
                f"{label:>8}: {m['rows']:,.0f} rows; csv.reader {m['base'] * 1e3:.1f} ms; "
                f"read_ssd {m['read'] * 1e3:.1f} ms ({rate:,.0f} rows/s, "
                f"{m['read'] / m['base']:.1f}x csv); evaluate {m['evaluate'] * 1e3:.1f} ms; "
                f"read + evaluate {(m['read'] + m['evaluate']) / m['base']:.1f}x csv"
            )


if __name__ == "__main__":
    main()
