"""Engine benchmark: evaluating a cohort, against validating the same cases (the baseline).

    python benchmarks/bench_engine.py [--children 2000] [--seed 7]

Builds a synthetic cohort (fixed seed: 1-2 periods, 1-3 placements, reviews, visits, health
assessments and PEP reviews over several years), then times, best of 5:

* baseline: ``Case.model_validate`` of every case dict (what loading costs anyway);
* ``evaluate`` of the whole cohort as at one date;
* one child at a time (a case system's call), per call.

It prints microseconds per child and the ratio evaluate / validate. It is a report, not a test:
it always exits 0.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from lacplan import Case, evaluate
from lacplan.calendar import england_and_wales

AS_OF = date(2024, 3, 31)


def _cohort(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = date(2016, 1, 1) + timedelta(days=rng.randrange(0, 2500))
        dob = start - timedelta(days=rng.randrange(200, 16 * 365))
        placements = []
        cursor = start
        for j in range(rng.randint(1, 3)):
            end = cursor + timedelta(days=rng.randrange(30, 700))
            placements.append(
                {
                    "placement_id": f"P{i}-{j}",
                    "start": cursor.isoformat(),
                    "end": end.isoformat(),
                    "intended_until_18": rng.random() < 0.3,
                }
            )
            cursor = end
        placements[-1]["end"] = None
        events: list[dict[str, Any]] = [
            {"type": "care_plan", "date": start.isoformat()},
            {"type": "pep", "date": (start + timedelta(days=5)).isoformat()},
        ]
        d = start
        while d < AS_OF:
            d += timedelta(days=rng.randrange(20, 60))
            events.append({"type": "visit", "date": d.isoformat()})
        d = start + timedelta(days=25)
        while d < AS_OF:
            events.append({"type": "review", "date": d.isoformat()})
            events.append({"type": "health_assessment", "date": d.isoformat()})
            events.append({"type": "pep_review", "date": d.isoformat()})
            d += timedelta(days=rng.randrange(80, 190))
        out.append(
            {
                "child_id": f"B{i:06d}",
                "date_of_birth": dob.isoformat(),
                "periods": [
                    {
                        "start": start.isoformat(),
                        "entry": rng.choice(["planned", "emergency"]),
                        "placements": placements,
                    }
                ],
                "events": events,
            }
        )
    return out


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    england_and_wales()  # build the calendar outside the timings
    raw = _cohort(args.children, args.seed)
    cases = [Case.model_validate(c) for c in raw]
    n = len(cases)
    obligations = sum(1 for _ in evaluate(cases, as_of=AS_OF).obligations)
    events = sum(len(c.events) for c in cases)

    t_validate = _best(lambda: [Case.model_validate(c) for c in raw])
    t_cohort = _best(lambda: evaluate(cases, as_of=AS_OF))
    t_single = _best(lambda: [evaluate(c, as_of=AS_OF) for c in cases])

    per = 1e6 / n
    print(f"cohort: {n} children, {events} events, {obligations} obligations, as at {AS_OF}")
    print(f"baseline  Case.model_validate        {t_validate * per:9.1f} us/child")
    print(f"evaluate  whole cohort                {t_cohort * per:9.1f} us/child")
    print(f"evaluate  one child per call          {t_single * per:9.1f} us/call")
    print(f"ratio evaluate / validate (cohort):   {t_cohort / t_validate:9.2f}x")
    print(f"ratio evaluate / validate (per call): {t_single / t_validate:9.2f}x")
    print(
        f"throughput: {n / t_cohort:,.0f} children/s, {obligations / t_cohort:,.0f} obligations/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
