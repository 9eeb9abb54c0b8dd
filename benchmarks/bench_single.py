"""Single-child evaluation: what a case system's screen waits for (issue 12).

    python benchmarks/bench_single.py [--children 300] [--seed 12] [--repeat 5]

Takes the children of a ``lacplan.synth`` cohort with 25 to 35 events (the issue's "child of
about 30 events"), and times one ``evaluate_case`` call per child: each child's best of
``--repeat`` repetitions, then the p50 and p99 of those bests over the children. The baseline,
measured in the same run the same way, is validating the same child (``parse_case`` of its
dict), what a service pays anyway to read the request. Target: p99 under 0.5 ms.

It prints figures, not a verdict: it always exits 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import date

from lacplan import parse_case
from lacplan.calendar import england_and_wales
from lacplan.rules import get_pack
from lacplan.rules.conventions import Conventions
from lacplan.rules.engine import evaluate_case
from lacplan.synth import synth_cases

AS_OF = date(2024, 6, 3)


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _quantiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--children", type=int, default=300)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    raw = [
        d
        for d in synth_cases(args.children * 4, seed=args.seed, as_of=AS_OF)
        if 25 <= len(d.get("events", ())) <= 35
    ][: args.children]
    dicts = [json.loads(json.dumps(d)) for d in raw]
    cases = [parse_case(d) for d in dicts]
    pack = get_pack("england")
    cal = england_and_wales()
    calendars = pack.calendars(cal)
    conv = Conventions()
    evaluate_case(cases[0], pack, as_of=AS_OF, conventions=conv, calendar=cal, calendars=calendars)

    evals, parses, obligations = [], [], []
    for d, case in zip(dicts, cases, strict=True):
        evals.append(
            _best(
                lambda case=case: evaluate_case(
                    case, pack, as_of=AS_OF, conventions=conv, calendar=cal, calendars=calendars
                ),
                args.repeat,
            )
        )
        parses.append(_best(lambda d=d: parse_case(d), args.repeat))
        result = evaluate_case(
            case, pack, as_of=AS_OF, conventions=conv, calendar=cal, calendars=calendars
        )
        obligations.append(len(result.obligations))
    e50, e99 = _quantiles(evals)
    p50, p99 = _quantiles(parses)
    print(
        f"{len(cases)} children of 25-35 events, "
        f"{statistics.mean(obligations):.0f} obligations each on average"
    )
    print(f"  evaluate_case   p50 {e50 * 1e3:.3f} ms   p99 {e99 * 1e3:.3f} ms   (target p99 < 0.5)")
    print(f"  parse_case      p50 {p50 * 1e3:.3f} ms   p99 {p99 * 1e3:.3f} ms   (baseline)")
    print(f"  ratio evaluate/parse  p50 {e50 / p50:.1f}x   p99 {e99 / p99:.1f}x")


if __name__ == "__main__":
    main()
