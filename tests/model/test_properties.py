"""Properties over generated valid cases (lacplan.testing.strategies)."""

from __future__ import annotations

import io
import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan.loaders import load_cases
from lacplan.model import Case, assign_events, parse_case
from lacplan.testing.strategies import MAX_DATE, MIN_DATE, case_dicts, cases, events

from .factories import assert_private

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(cases())
def test_round_trip(case: Case) -> None:
    assert Case.model_validate(case.model_dump(mode="json")) == case
    assert Case.model_validate_json(case.model_dump_json()) == case


@FAST
@given(case_dicts())
def test_generated_dicts_are_valid_and_normalised(raw: dict[str, Any]) -> None:
    case = parse_case(raw)
    starts = [p.start for p in case.periods]
    assert starts == sorted(starts)
    assert 1 <= len(case.periods) <= 3
    for period in case.periods:
        assert 1 <= len(period.placements) <= 4
        assert [p.start for p in period.placements] == sorted(p.start for p in period.placements)
    every_date = [case.date_of_birth, *starts, *(e.date for e in case.events)]
    assert all(MIN_DATE <= d <= MAX_DATE for d in every_date)
    assert (case.periods[0].start - case.date_of_birth).days <= 17 * 366


@FAST
@given(case_dicts(), st.randoms(use_true_random=False))
def test_input_order_of_periods_and_placements_does_not_matter(
    raw: dict[str, Any], rnd: random.Random
) -> None:
    shuffled = json.loads(json.dumps(raw))
    rnd.shuffle(shuffled["periods"])
    for period in shuffled["periods"]:
        rnd.shuffle(period["placements"])
    assert parse_case(shuffled) == parse_case(raw)


@settings(max_examples=20, deadline=None)
@given(st.lists(cases(), max_size=6))
def test_jsonl_of_generated_cases_loads_back(generated: list[Case]) -> None:
    text = "".join(c.model_dump_json() + "\n" for c in generated)
    assert list(load_cases(io.StringIO(text), name="generated.jsonl")) == generated
    assert list(load_cases(io.StringIO(text))) == generated  # detected


@settings(max_examples=20, deadline=None)
@given(st.lists(cases(), max_size=4))
def test_array_of_generated_cases_loads_back(generated: list[Case]) -> None:
    text = json.dumps([c.model_dump(mode="json") for c in generated], indent=1)
    assert list(load_cases(io.StringIO(text), name="generated.json")) == generated


@FAST
@given(cases())
def test_assignments_are_consistent(case: Case) -> None:
    periods = {p.period_id: p for p in case.periods}
    for event, assigned in zip(case.events, assign_events(case), strict=True):
        if assigned.period_id is None:
            assert case.periods and event.date > case.periods[-1].end  # type: ignore[operator]
            continue
        period = periods[assigned.period_id]
        assert period.end is None or event.date <= period.end
        if event.placement_id is not None:
            assert assigned.placement_id == event.placement_id
        elif assigned.placement_id is not None:
            placement = next(
                p for p in period.placements if p.placement_id == assigned.placement_id
            )
            end = period.placement_end(placement)
            # covered, or the next placement to start (look-ahead)
            assert event.date <= placement.start or end is None or event.date <= end


@FAST
@given(cases())
def test_findings_are_private(case: Case) -> None:
    for finding in case.findings():
        assert_private(finding.message)
        assert case.date_of_birth.isoformat() not in finding.message


@FAST
@given(events(placement_ids=("PL1", "PL2")))
def test_events_strategy(event: Any) -> None:
    assert event.placement_id in (None, "PL1", "PL2")
    assert MIN_DATE <= event.date <= MAX_DATE
