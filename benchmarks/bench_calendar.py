"""Working-day addition: lacplan's scalar and batch paths against numpy's ``busday_offset``.

Usage::

    python benchmarks/bench_calendar.py [--n 200000] [--repeat 5] [--seed 20240131]

Builds ``--n`` random (date, n) pairs (fixed seed; dates 2000-01-01..2040-12-31, n in -60..60)
and times, best of ``--repeat`` with ``time.perf_counter``:

(a) ``cal.add_working_days`` in a Python loop over the pairs (Python ``date`` objects);
(b) ``numpy.busday_offset`` vectorised over the same pairs, with a ``busdaycalendar`` built from
    the same ``holidays`` list (GB, subdiv ENG, 1990-2060). To give exactly lacplan's semantics
    in one call it is fed ``(d + 1, n - 1)`` where ``n > 0`` and ``(d, n)`` otherwise, with
    ``roll="forward"``; that input shift is prepared outside the timed region, so numpy is
    timed at its cheapest;
(c) ``cal.add_working_days_many`` over the same ``datetime64[D]`` / ``int64`` arrays.

All three results are checked to agree on every pair. It prints ns/op and the ratios
scalar/numpy (target <= 5) and vectorised/numpy (target <= 0.2), with PASS/FAIL for each,
and always exits 0: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from importlib.metadata import version
from typing import Any

import holidays
import numpy as np

from lacplan.calendar import england_and_wales

FIRST = date(2000, 1, 1)
LAST = date(2040, 12, 31)
SCALAR_TARGET = 5.0
VECTOR_TARGET = 0.2


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time over ``repeat`` runs, and the last run's result."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="number of (date, n) pairs")
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=20240131)
    args = parser.parse_args(argv)
    size: int = args.n

    rng = random.Random(args.seed)
    span = (LAST - FIRST).days
    py_dates = [FIRST + timedelta(days=rng.randrange(span + 1)) for _ in range(size)]
    py_ns = [rng.randint(-60, 60) for _ in range(size)]
    np_dates = np.array(py_dates, dtype="datetime64[D]")
    np_ns = np.array(py_ns, dtype=np.int64)

    cal = england_and_wales()
    table = holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2061))
    bdc = np.busdaycalendar(holidays=np.array(sorted(table), dtype="datetime64[D]"))
    positive = np_ns > 0
    np_dates_adj = np_dates + positive.astype("timedelta64[D]")
    np_ns_adj = np_ns - positive

    add = cal.add_working_days

    def scalar() -> list[date]:
        return [add(d, n) for d, n in zip(py_dates, py_ns, strict=True)]

    def numpy_offset() -> Any:
        return np.busday_offset(np_dates_adj, np_ns_adj, roll="forward", busdaycal=bdc)

    def vectorised() -> Any:
        return cal.add_working_days_many(np_dates, np_ns)

    vectorised()  # builds the numpy tables once, outside the timings
    t_scalar, r_scalar = best_of(args.repeat, scalar)
    t_numpy, r_numpy = best_of(args.repeat, numpy_offset)
    t_vector, r_vector = best_of(args.repeat, vectorised)

    scalar_arr = np.array(r_scalar, dtype="datetime64[D]")
    mismatch_numpy = int((scalar_arr != r_numpy).sum())
    mismatch_vector = int((scalar_arr != r_vector).sum())

    ns_scalar, ns_numpy, ns_vector = (t / size * 1e9 for t in (t_scalar, t_numpy, t_vector))
    ratio_scalar = t_scalar / t_numpy
    ratio_vector = t_vector / t_numpy

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print(f"lacplan calendar benchmark: {size:,} pairs, best of {args.repeat}, seed {args.seed}")
    print(
        f"Python {platform.python_version()} on {platform.machine()}; numpy {np.__version__}; "
        f"holidays {version('holidays')}"
    )
    print(f"  (a) scalar add_working_days loop  {ns_scalar:9.1f} ns/op")
    print(f"  (b) numpy busday_offset           {ns_numpy:9.1f} ns/op")
    print(f"  (c) add_working_days_many         {ns_vector:9.1f} ns/op")
    print(
        f"  results agree: numpy vs scalar {size - mismatch_numpy:,}/{size:,}, "
        f"vectorised vs scalar {size - mismatch_vector:,}/{size:,}"
    )
    print(
        f"  scalar/numpy     = {ratio_scalar:6.2f}  (target <= {SCALAR_TARGET:g}): "
        f"{verdict(ratio_scalar <= SCALAR_TARGET)}"
    )
    print(
        f"  vectorised/numpy = {ratio_vector:6.3f}  (target <= {VECTOR_TARGET:g}): "
        f"{verdict(ratio_vector <= VECTOR_TARGET)}"
    )
    if mismatch_numpy or mismatch_vector:
        print("  WARNING: results disagree; the timings above compare different answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
