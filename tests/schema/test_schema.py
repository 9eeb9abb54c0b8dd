"""Schema-level checks that do not need a rule pack."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from lacplan.offsets import Days, WorkingDays
from lacplan.report import STATUS_ORDER
from lacplan.rules.conventions import TermWindow
from lacplan.rules.england.care_planning_2010 import CPPCR
from lacplan.rules.schema import (
    AgeCondition,
    AnchorOption,
    DateExpr,
    EventMatch,
    InForce,
    OffsetOption,
    Rule,
    Satisfaction,
    Status,
)

BASE = {
    "id": "example",
    "title": "Example",
    "scope": "period",
    "citation": CPPCR.at("reg 33(1)"),
    "version": "1",
    "in_force": InForce.model_validate({"start": "2011-04-01"}),
    "anchor": (AnchorOption(date=DateExpr(ref="period.start"), label="start"),),
    "offsets": (OffsetOption(offset=WorkingDays(n=20)),),
    "satisfied_by": Satisfaction(events=(EventMatch(type="review"),)),
}


def test_statuses_in_the_documented_order() -> None:
    # The rules issue: "Statuses, in this order".
    documented = (
        "overdue",
        "missed",
        "met_late",
        "pending",
        "met_on_time",
        "exempt",
        "not_required",
        "not_evaluated",
    )
    assert documented == STATUS_ORDER
    assert get_args(Status) == documented


def test_a_minimal_rule_validates_and_round_trips() -> None:
    rule = Rule(**BASE)
    assert Rule.model_validate_json(rule.model_dump_json()) == rule


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Review First"}, "lower-case words"),
        ({"anchor": ()}, "declares no anchor"),
        ({"offsets": ()}, "declares no offset"),
        (
            {"offsets": (OffsetOption(offset=Days(n=1), when=(AgeCondition(below=5),)),)},
            "last offset option must be unconditional",
        ),
        ({"in_force": {"start": "2011-04-01", "end": "2010-01-01"}}, "before in_force.start"),
    ],
)
def test_inconsistent_rules_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Rule(**{**BASE, **change})  # type: ignore[arg-type]


def test_unknown_date_references_are_refused_with_the_vocabulary() -> None:
    with pytest.raises(ValidationError, match=r"unknown date reference 'period\.begin'"):
        DateExpr(ref="period.begin")
    with pytest.raises(ValidationError, match="unknown date reference"):
        AgeCondition(on="birthday", below=5)
    assert DateExpr(ref="rule:review-first.met_on").rule_ref == ("review-first", "met_on")
    assert DateExpr(ref="fact:birthday_16").fact == "birthday_16"


def test_term_windows_may_cross_the_year_end() -> None:
    year = TermWindow(name="SDQ year", start_month=4, start_day=1, end_month=3, end_day=31)
    assert year.crosses_year
    assert [d.isoformat() for d in year.span(2023)] == ["2023-04-01", "2024-03-31"]
    # 29 February in a non-leap year clamps to the 28th.
    feb = TermWindow(name="Feb", start_month=2, start_day=1, end_month=2, end_day=29)
    assert [d.isoformat() for d in feb.span(2023)] == ["2023-02-01", "2023-02-28"]
