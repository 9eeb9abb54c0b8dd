"""The DfE's 12-month indicators on a hand-counted cohort (year ending 31 March 2024)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lacplan import Case, evaluate
from lacplan.errors import UsageError
from lacplan.indicators import dfe_indicators

YEAR_END = date(2024, 3, 31)


def case(cid: str, dob: str, start: str, events: list[tuple[str, str]], **period: Any) -> Case:
    return Case.model_validate(
        {
            "child_id": cid,
            "date_of_birth": dob,
            "periods": [
                {"start": start, "placements": [{"placement_id": "P", "start": start}], **period}
            ],
            "events": [{"type": t, "date": d} for t, d in events],
        }
    )


def cohort() -> list[Case]:
    return [
        # In the cohort (started 1 April 2023 exactly: looked after 12 months at 31 March 2024).
        case(
            "A",
            "2012-05-01",
            "2023-04-01",
            [
                ("health_assessment", "2023-06-01"),
                ("dental_check", "2024-03-31"),
                ("sdq", "2023-04-01"),
            ],
        ),
        # In the cohort; health assessment a year too early, no dental check; aged 3: no SDQ.
        case("B", "2020-06-01", "2021-01-01", [("health_assessment", "2023-03-31")]),
        # Not in the cohort: started 2 April 2023 (under 12 months).
        case("C", "2012-05-01", "2023-04-02", [("health_assessment", "2023-06-01")]),
        # Not in the cohort: the period ended on 31 March 2024.
        case("D", "2012-05-01", "2020-01-01", [("sdq", "2023-06-01")], end="2024-03-31"),
        # Not in the cohort: an agreed series of short breaks.
        case("E", "2012-05-01", "2020-01-01", [], regime="short_breaks"),
        # In the cohort, aged 17 on 31 March: health and dental counted, SDQ not (4 to 16).
        case("F", "2006-06-01", "2019-01-01", [("sdq", "2023-09-01")]),
    ]


def test_dfe_indicators_hand_counted() -> None:
    rows = {r["indicator"]: r for r in dfe_indicators(cohort(), year_end=YEAR_END)}
    assert (rows["health_assessment"]["cohort"], rows["health_assessment"]["met"]) == (3, 1)
    assert (rows["dental_check"]["cohort"], rows["dental_check"]["met"]) == (3, 1)
    assert (rows["sdq"]["cohort"], rows["sdq"]["met"]) == (1, 1)  # only A is aged 4 to 16
    assert rows["health_assessment"]["rate"] == round(1 / 3, 4)
    assert rows["dental_check"]["lacplan_rule"] is None


def test_events_after_as_of_are_not_used_and_lacplan_beside() -> None:
    cases = cohort()
    rows = {
        r["indicator"]: r for r in dfe_indicators(cases, year_end=YEAR_END, as_of=date(2024, 3, 30))
    }
    assert rows["dental_check"]["met"] == 0  # A's check is dated 31 March
    report = evaluate(cases, as_of=YEAR_END)
    beside = {
        r["indicator"]: r for r in dfe_indicators(cases, year_end=YEAR_END, results=report.children)
    }
    assert beside["sdq"]["lacplan_rule"] == "sdq"
    assert beside["sdq"]["lacplan_denominator"] is not None


def test_year_must_end_on_31_march() -> None:
    with pytest.raises(UsageError):
        dfe_indicators(cohort(), year_end=date(2024, 4, 1))
