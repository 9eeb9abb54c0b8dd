"""``null`` for an optional field means the same as leaving it out (issue 13), on every way of
validating data; ``null`` for a required field is still an error."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import InputError, load_cases, parse_case
from lacplan.errors import CaseError
from lacplan.model import Case
from lacplan.testing.strategies import case_dicts

PROFILE = settings(
    max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CLEAN: dict[str, Any] = {
    "child_id": "N1",
    "date_of_birth": "2012-03-04",
    "periods": [
        {"start": "2024-01-08", "placements": [{"placement_id": "PL1", "start": "2024-01-08"}]}
    ],
    "events": [{"type": "review", "date": "2024-02-01"}, {"type": "visit", "date": "2024-02-02"}],
}
NULLS: dict[str, Any] = {
    "child_id": "N1",
    "date_of_birth": "2012-03-04",
    "labels": None,
    "coverage": None,
    "source_findings": None,
    "periods": [
        {
            "period_id": None,
            "start": "2024-01-08",
            "entry": None,
            "regime": None,
            "legal_status": None,
            "started_before_data": None,
            "placements": [
                {
                    "placement_id": "PL1",
                    "start": "2024-01-08",
                    "end": None,
                    "kind": None,
                    "emergency": None,
                    "intended_until_18": None,
                }
            ],
        }
    ],
    "events": [
        {"type": "review", "date": "2024-02-01", "meeting": None, "cancelled": None},
        {"type": "visit", "date": "2024-02-02", "by": None, "event_id": None},
    ],
}


def test_null_is_the_default_on_every_path(tmp_path: Any) -> None:
    want = parse_case(CLEAN)
    assert parse_case(NULLS) == want
    assert Case.model_validate(NULLS) == want
    assert Case.model_validate_json(json.dumps(NULLS)) == want
    path = tmp_path / "nulls.jsonl"
    path.write_text(json.dumps(NULLS) + "\n")
    assert list(load_cases(path)) == [want]
    assert want.periods[0].entry == "planned" and want.events[0].meeting is True


@pytest.mark.parametrize("field", ["child_id", "date_of_birth"])
def test_null_for_a_required_field_is_still_an_error(field: str) -> None:
    bad = {**NULLS, field: None}
    with pytest.raises(InputError) as caught:
        parse_case(bad)
    assert [p["field"] for p in caught.value.problems] == [field]
    with pytest.raises(CaseError):
        Case.model_validate_json(json.dumps(bad))


@PROFILE
@given(raw=case_dicts(), data=st.data())
def test_nulling_any_defaulted_field_changes_nothing(raw: dict[str, Any], data: Any) -> None:
    want = parse_case(raw)
    periods = raw["periods"]
    if periods:
        period = data.draw(st.sampled_from(periods))
        for key in ("entry", "regime", "legal_status", "started_before_data", "period_id"):
            if key not in period and data.draw(st.booleans()):
                period[key] = None  # left out before: null must mean the same
    for event in raw["events"]:
        if "event_id" not in event and data.draw(st.booleans()):
            event["event_id"] = None
    if "labels" not in raw or not raw["labels"]:
        raw["labels"] = None
    assert parse_case(raw) == want
