"""The engine (``lacplan.evaluate``) over generated valid cases at random as-of dates.

Inputs come from hypothesis (:func:`engine_inputs`, built on ``lacplan.testing.strategies``):
one to four valid cases, some born on the sentinel date, sometimes every date of one case moved
by decades (beyond the calendar's range, 1990 to 2060), an as-of date anywhere in the calendar's
range (or at its edges), the England pack or England with the fostering agency overlay.

Properties: no undocumented exception; every case is a child or a rejection (with a documented
code, never ``internal_error``); children in input order; every obligation's status is one of
the documented statuses; no rejection or finding holds the sentinel date of birth; with
``repeat``, evaluating again gives the same report, byte for byte.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from fuzz.checks import SENTINEL_DOB, PropertyFailure, sentinel_places_json
from fuzz.jsonmut import shift_dates
from fuzz.targets.base import Outcome, Target
from fuzz.targets.loaders import check_report

__all__ = ["EngineInput", "EngineTarget", "engine_inputs"]

_EDGES: Final = (date(1990, 1, 1), date(1990, 1, 2), date(2060, 12, 30), date(2060, 12, 31))
_SHIFTS: Final = (0, 0, 0, 0, 0, 0, 40 * 365, -30 * 365, 60 * 365, -60 * 365, 7, -7)


@dataclass(frozen=True, slots=True)
class EngineInput:
    """Cases (JSON-ready dicts), the as-of date (ISO) and the rule pack's name."""

    cases: tuple[dict[str, Any], ...]
    as_of: str
    rules: str


def _with_sentinel(case: dict[str, Any]) -> dict[str, Any]:
    """``case`` born on the sentinel date, if that leaves it valid (born before it entered)."""
    from lacplan.errors import InputError
    from lacplan.model import parse_case

    changed = {**case, "date_of_birth": SENTINEL_DOB.isoformat()}
    try:
        parse_case(changed)
    except InputError:
        return case
    return changed


def engine_inputs() -> Any:
    """The hypothesis strategy of :class:`EngineInput`."""
    from hypothesis import strategies as st

    from lacplan.testing.strategies import case_dicts

    @st.composite
    def build(draw: st.DrawFn) -> EngineInput:
        cases = draw(st.lists(case_dicts(max_events=10), min_size=1, max_size=4))
        out = []
        for case in cases:
            if draw(st.booleans()):
                case = _with_sentinel(case)
            shift = draw(st.sampled_from(_SHIFTS))
            out.append(shift_dates(case, shift) if shift else case)
        as_of = draw(
            st.one_of(
                st.dates(date(2005, 1, 1), date(2040, 12, 31)),
                st.dates(date(1990, 1, 1), date(2060, 12, 31)),
                st.sampled_from(_EDGES),
            )
        )
        rules = draw(st.sampled_from(("england", "england", "england+ifa")))
        return EngineInput(tuple(out), as_of.isoformat(), rules)

    return build()


class EngineTarget(Target[EngineInput]):
    name = "engine"
    suffixes = (".json",)

    def __init__(self, *, repeat: bool = False) -> None:
        super().__init__()
        self.repeat = repeat

    def strategy(self) -> Any:
        return engine_inputs()

    def seeds(self) -> list[EngineInput]:
        from lacplan.synth import synth_cases

        records = synth_cases(3, seed=1)
        return [
            EngineInput(tuple(records), "2024-03-31", "england"),
            EngineInput(tuple(_with_sentinel(r) for r in records), "2024-03-31", "england+ifa"),
        ]

    def mutate(
        self, item: EngineInput, rnd: random.Random, pool: Sequence[EngineInput]
    ) -> EngineInput:
        """Another as-of date, order, pack or date shift (the runner draws from hypothesis)."""
        cases = list(item.cases)
        rnd.shuffle(cases)
        if cases and rnd.random() < 0.3:
            k = rnd.randrange(len(cases))
            cases[k] = shift_dates(cases[k], rnd.choice(_SHIFTS))
        as_of = date.fromordinal(
            rnd.randrange(date(1990, 1, 1).toordinal(), date(2060, 12, 31).toordinal() + 1)
        )
        return EngineInput(tuple(cases), as_of.isoformat(), rnd.choice(("england", "england+ifa")))

    def check(self, item: EngineInput) -> Outcome:
        from lacplan import evaluate
        from lacplan.errors import CalendarRangeError, CaseError
        from lacplan.model import Case
        from lacplan.report import STATUS_ORDER

        try:
            cases = [Case.model_validate(c) for c in item.cases]
        except CaseError as exc:
            code = exc.problems[0]["code"]
            raise PropertyFailure(f"a generated valid case is rejected: {code}") from None
        as_of = date.fromisoformat(item.as_of)
        try:
            report = evaluate(cases, as_of=as_of, rules=item.rules)
        except CalendarRangeError:
            return Outcome("calendar_range_raised", ("calendar_range_raised",))
        _, private = sentinel_places_json(json.dumps(list(item.cases)).encode())
        check_report(report, [c.child_id for c in cases], sentinel_dob=private)
        statuses = {o.status for child in report.children for o in child.obligations}
        if not statuses <= set(STATUS_ORDER):
            raise PropertyFailure("an obligation has an undocumented status")
        if self.repeat:
            again = evaluate(cases, as_of=as_of, rules=item.rules)
            if again.to_json() != report.to_json():
                raise PropertyFailure("evaluating twice gives different reports")
        label = "rejected" if report.errors else "evaluated"
        codes = {p.code for e in report.errors for p in e.problems}
        findings = {f.code for child in report.children for f in child.findings}
        return Outcome(label, (label, item.rules, *sorted(statuses), *sorted(codes | findings)))

    def save(self, item: EngineInput, directory: Path, stem: str) -> Path:
        path = directory / f"{stem}.json"
        doc = {"as_of": item.as_of, "rules": item.rules, "cases": list(item.cases)}
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
        return path

    def load(self, path: Path) -> EngineInput:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return EngineInput(tuple(doc["cases"]), doc["as_of"], doc["rules"])

    def size(self, item: EngineInput) -> int:
        return len(json.dumps(list(item.cases)))
