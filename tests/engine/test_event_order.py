"""The order of a case's events never changes its result (issue 13): on one day the event with
the smallest ``event_id`` is credited, events without an id after those with one, and ties by
the event's canonical JSON."""

from __future__ import annotations

import json
import os
import random
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import evaluate, parse_case
from lacplan.report import Obligation
from lacplan.rules.state import engine_order
from lacplan.testing.strategies import case_dicts

PROFILE = settings(
    max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
AS_OF = date(2024, 6, 3)


def _case(events: list[dict[str, Any]]) -> dict[str, Any]:
    # Looked after from Monday 8 January 2024 in one foster placement; no bank holiday falls
    # in January 2024 after New Year's Day (Monday 1 January).
    return {
        "child_id": "C1",
        "date_of_birth": "2012-03-04",
        "periods": [
            {
                "period_id": "P1",
                "start": "2024-01-08",
                "legal_status": [{"from": "2024-01-08", "status": "section_20"}],
                "placements": [{"placement_id": "PL1", "start": "2024-01-08", "kind": "foster"}],
            }
        ],
        "events": events,
    }


def _care_plan(rows: list[Obligation]) -> Obligation:
    return next(o for o in rows if o.rule == "care-plan")


def test_the_smallest_id_is_credited_whatever_the_input_order() -> None:
    plans = [
        {"event_id": "CP-2", "type": "care_plan", "date": "2024-01-10"},
        {"event_id": "CP-1", "type": "care_plan", "date": "2024-01-10"},
    ]
    forward = evaluate(parse_case(_case(plans)), as_of=AS_OF).obligations
    backward = evaluate(parse_case(_case(plans[::-1])), as_of=AS_OF).obligations
    assert forward == backward
    plan = _care_plan(forward)
    # Met on Wednesday 10 January 2024, by the care plan with the smaller id.
    assert plan.met_on == date(2024, 1, 10)
    assert "(event CP-1)" in plan.explanation
    assert "CP-2" not in plan.explanation


def test_events_with_an_id_come_before_those_without() -> None:
    plans = [
        {"type": "care_plan", "date": "2024-01-10"},
        {"event_id": "Z9", "type": "care_plan", "date": "2024-01-10"},
    ]
    plan = _care_plan(evaluate(parse_case(_case(plans)), as_of=AS_OF).obligations)
    assert "(event Z9)" in plan.explanation


def test_engine_order_breaks_ties_by_canonical_json() -> None:
    case = parse_case(
        _case(
            [
                {"type": "visit", "date": "2024-01-12", "by": "social_worker", "seen_alone": True},
                {"type": "care_plan", "date": "2024-01-12"},
                {"event_id": "B", "type": "care_plan", "date": "2024-01-11"},
                {"event_id": "A", "type": "care_plan", "date": "2024-01-12"},
            ]
        )
    )
    # 11 Jan first; on 12 Jan the event with an id, then the two without one by their
    # canonical JSON (keys sorted): the visit's starts {"by": ..., the care plan's {"date": ...
    assert engine_order(case.events) == [2, 3, 0, 1]


@PROFILE
@given(raw=case_dicts(), seed=st.integers(0, 2**32 - 1))
def test_shuffling_events_periods_and_placements_changes_nothing(
    raw: dict[str, Any], seed: int
) -> None:
    rnd = random.Random(seed)
    if raw["events"]:  # same-day twins, one with another id and one without: ties to break
        twin = dict(rnd.choice(raw["events"]))
        raw["events"].append({**twin, "event_id": f"{twin.get('event_id') or ''}-twin"})
        raw["events"].append({k: v for k, v in twin.items() if k != "event_id"})
    shuffled = json.loads(json.dumps(raw))
    rnd.shuffle(shuffled["events"])
    rnd.shuffle(shuffled["periods"])
    for period in shuffled["periods"]:
        rnd.shuffle(period["placements"])
    one = evaluate(parse_case(raw), as_of=AS_OF)
    two = evaluate(parse_case(shuffled), as_of=AS_OF)
    assert [o.as_dict() for o in one.obligations] == [o.as_dict() for o in two.obligations]
    # Findings name events by their input position (events[k]); their codes do not move.
    assert sorted(f.code for f in one.children[0].findings) == sorted(
        f.code for f in two.children[0].findings
    )


@PROFILE
@given(raws=st.lists(case_dicts(), min_size=2, max_size=4), seed=st.integers(0, 2**32 - 1))
def test_a_childs_result_does_not_depend_on_its_place_in_the_input(
    raws: list[dict[str, Any]], seed: int
) -> None:
    for n, raw in enumerate(raws):
        raw["child_id"] = f"C{n}"  # distinct children
    order = list(range(len(raws)))
    random.Random(seed).shuffle(order)
    forward = evaluate([parse_case(r) for r in raws], as_of=AS_OF)
    shuffled = evaluate([parse_case(raws[k]) for k in order], as_of=AS_OF)
    assert [c.child_id for c in shuffled.children] == [f"C{k}" for k in order]  # input order
    by_child = {c.child_id: c for c in forward.children}
    for child in shuffled.children:
        assert child.obligations == by_child[child.child_id].obligations
