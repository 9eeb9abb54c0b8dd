"""Working-day addition: lacplan's scalar and batch paths against numpy's ``busday_offset``.

Usage::

    python benchmarks/bench_calendar.py [--n 50000] [--rounds 21] [--seed 20240131]

Two workloads of ``--n`` random (date, n) pairs each (fixed seed; dates 2000-01-01..2040-12-31):
**pack offsets**, n drawn from the England pack's working-day offsets (5, 10, 20), and
**-60..60**, n uniform in that range. For each workload it runs ``--rounds`` rounds; every round
times each path once, one after the other (so a load change on the machine hits all of them),
and each path keeps its best round (``time.perf_counter``). Many short rounds rather than a few
long ones: on a shared machine a short round is less likely to be interrupted.

(a) ``cal.add_working_days`` in a Python loop over the pairs (Python ``date`` objects in and
    out);
(b) ``numpy.busday_offset`` vectorised over the same pairs, with a ``busdaycalendar`` built from
    the same ``holidays`` list (GB, subdiv ENG, 1990-2060). To give exactly lacplan's semantics
    in one call it is fed ``(d + 1, n - 1)`` where ``n > 0`` and ``(d, n)`` otherwise, with
    ``roll="forward"``; that input shift is prepared outside the timed region, so numpy is
    timed at its cheapest;
(c) ``cal.add_working_days_many`` over the same ``datetime64[D]`` / ``int64`` arrays;
(d) ``cal.explain(d, n).describe()`` in a Python loop (what the engine's working-day offsets
    call; no target, for comparison between versions).

All of (a)-(c) are checked to agree on every pair. It prints ns per element, the ratios
scalar/numpy (target <= 5) and vectorised/numpy (target <= 0.2) with PASS/FAIL, and always
exits 0: it is a report, not a test. It uses only the public calendar API, so the same script
measures an older checkout (``PYTHONPATH=/path/to/old/src python benchmarks/bench_calendar.py``).
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

from lacplan.calendar import WorkingDayCalendar, england_and_wales

FIRST = date(2000, 1, 1)
LAST = date(2040, 12, 31)
PACK_OFFSETS = (5, 10, 20)
SCALAR_TARGET = 5.0
VECTOR_TARGET = 0.2


def interleaved(rounds: int, paths: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Best wall time of each path over ``rounds`` rounds, each round running every path once."""
    best = dict.fromkeys(paths, float("inf"))
    for _ in range(rounds):
        for name, fn in paths.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def workload(
    label: str,
    py_dates: list[date],
    py_ns: list[int],
    cal: WorkingDayCalendar,
    bdc: Any,
    rounds: int,
) -> None:
    """Time and cross-check the paths on one set of pairs, and print the figures."""
    size = len(py_dates)
    np_dates = np.array(py_dates, dtype="datetime64[D]")
    np_ns = np.array(py_ns, dtype=np.int64)
    positive = np_ns > 0
    np_dates_adj = np_dates + positive.astype("timedelta64[D]")
    np_ns_adj = np_ns - positive
    add = cal.add_working_days
    explain = cal.explain
    pairs = list(zip(py_dates, py_ns, strict=True))

    paths: dict[str, Callable[[], Any]] = {
        "scalar": lambda: [add(d, n) for d, n in pairs],
        "numpy": lambda: np.busday_offset(np_dates_adj, np_ns_adj, roll="forward", busdaycal=bdc),
        "vectorised": lambda: cal.add_working_days_many(np_dates, np_ns),
        "explain": lambda: [explain(d, n).describe() for d, n in pairs],
    }
    results = {name: fn() for name, fn in paths.items()}  # warm-up (numpy tables), and answers
    best = interleaved(rounds, paths)

    scalar_arr = np.array(results["scalar"], dtype="datetime64[D]")
    mismatch_numpy = int((scalar_arr != results["numpy"]).sum())
    mismatch_vector = int((scalar_arr != results["vectorised"]).sum())
    ns = {name: t / size * 1e9 for name, t in best.items()}
    ratio_scalar = best["scalar"] / best["numpy"]
    ratio_vector = best["vectorised"] / best["numpy"]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print(f"{label}: {size:,} pairs, best of {rounds} interleaved rounds")
    print(f"  (a) scalar add_working_days loop  {ns['scalar']:9.1f} ns/op")
    print(f"  (b) numpy busday_offset           {ns['numpy']:9.1f} ns/op")
    print(f"  (c) add_working_days_many         {ns['vectorised']:9.1f} ns/op")
    print(f"  (d) explain(d, n).describe() loop {ns['explain']:9.1f} ns/op")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="(date, n) pairs per workload")
    parser.add_argument("--rounds", type=int, default=21, help="interleaved rounds; best of each")
    parser.add_argument("--seed", type=int, default=20240131)
    args = parser.parse_args(argv)
    size: int = args.n

    rng = random.Random(args.seed)
    span = (LAST - FIRST).days
    py_dates = [FIRST + timedelta(days=rng.randrange(span + 1)) for _ in range(size)]
    pack_ns = [rng.choice(PACK_OFFSETS) for _ in range(size)]
    wide_ns = [rng.randint(-60, 60) for _ in range(size)]

    cal = england_and_wales()
    table = holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2061))
    bdc = np.busdaycalendar(holidays=np.array(sorted(table), dtype="datetime64[D]"))

    print(
        f"lacplan calendar benchmark, seed {args.seed}: Python {platform.python_version()} on "
        f"{platform.machine()}; numpy {np.__version__}; holidays {version('holidays')}"
    )
    workload("pack offsets (n in 5, 10, 20)", py_dates, pack_ns, cal, bdc, args.rounds)
    workload("n in -60..60", py_dates, wide_ns, cal, bdc, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
