"""How stored rows are matched with lacplan's obligations: periods, unmatched rows, the outer
join's scope, placements, duplicates, the rule pack and the row order."""

from __future__ import annotations

from datetime import date

import pytest

from lacplan.compare import compare_report, period_spans
from lacplan.errors import UsageError
from lacplan.rules import get_pack

from .helpers import evaluate, review_case

# Two periods of care: C1 looked after Fri 18 Dec 2020 to Wed 31 Mar 2021 (first review due Wed
# 20 Jan 2021, after Christmas Day, Boxing Day (substitute, Mon 28 Dec) and New Year's Day; held
# that day) and again from Mon 1 Nov 2021 (first review due Mon 29 Nov 2021: 20 working days,
# no bank holiday in November). P1's second review (due Tue 20 Apr 2021) fell after it ended.
TWO_PERIODS = {
    "child_id": "C1",
    "date_of_birth": "2012-04-02",
    "periods": [
        {
            "period_id": "P1",
            "start": "2020-12-18",
            "end": "2021-03-31",
            "placements": [{"placement_id": "A", "start": "2020-12-18", "end": "2021-03-31"}],
        },
        {
            "period_id": "P2",
            "start": "2021-11-01",
            "placements": [{"placement_id": "B", "start": "2021-11-01"}],
        },
    ],
    "events": [{"type": "review", "date": "2021-01-20"}],
}
AS_OF = date(2022, 1, 10)


def _rows(*rows: dict[str, object]) -> list[dict[str, object]]:
    return [{"sequence": 1, **r} for r in rows]


def test_a_row_is_placed_by_the_period_holding_its_date() -> None:
    report, cases = evaluate([TWO_PERIODS], AS_OF)
    c = report.compare(
        _rows(
            {"child_id": "C1", "rule": "review-first", "due": "2021-01-20"},
            {"child_id": "C1", "rule": "review-first", "due": "2021-11-29"},
        ),
        cases=cases,
    )
    assert [(r.period_id, r.class_) for r in c.rows if r.rule == "review-first"] == [
        ("P1", "agree"),
        ("P2", "agree"),
    ]


def test_period_id_and_period_start_place_a_row() -> None:
    report, cases = evaluate([TWO_PERIODS], AS_OF)
    c = report.compare(
        _rows(
            {"child_id": "C1", "rule": "review-first", "due": "2021-12-01", "period_id": "P2"},
            {
                "child_id": "C1",
                "rule": "review-first",
                "due": "2021-01-21",
                "period_start": "2020-12-18",
            },
        ),
        cases=cases,
    )
    first = [r for r in c.rows if r.rule == "review-first"]
    assert [(r.period_id, r.difference_days) for r in first] == [("P1", 1), ("P2", 2)]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"child_id": "C9", "rule": "review-first", "due": "2021-01-20"}, "no child with this id"),
        ({"child_id": "C1", "rule": "review-fifth", "due": "2021-01-20"}, "no rule with this id"),
        (
            {"child_id": "C1", "rule": "review-first", "due": "2021-01-20", "period_id": "P7"},
            "the child has no period with this period_id",
        ),
        (
            {
                "child_id": "C1",
                "rule": "review-first",
                "due": "2021-01-20",
                "period_start": "2021-01-01",
            },
            "no period of the child starts on its period_start",
        ),
        # 1 Jun 2021 falls between the two periods.
        (
            {"child_id": "C1", "rule": "review-first", "due": "2021-06-01"},
            "no period of the child holds its due date",
        ),
        (
            {"child_id": "C1", "rule": "review-first", "due": None},
            "no due date or anchor to find its period by",
        ),
    ],
)
def test_unmatched_rows_say_why(row: dict[str, object], reason: str) -> None:
    report, cases = evaluate([TWO_PERIODS], AS_OF)
    c = report.compare([row], cases=cases)
    (unmatched,) = [r for r in c.rows if r.class_ == "unmatched"]
    assert unmatched.reason.startswith(reason)
    assert (unmatched.key, unmatched.explanation, unmatched.where) == (None, None, "<rows> row 1")
    assert c.summary["unmatched"] == 1


def test_an_anchor_places_a_row_without_a_due_date() -> None:
    report, cases = evaluate([TWO_PERIODS], AS_OF)
    c = report.compare(
        [{"child_id": "C1", "rule": "review-first", "due": "", "anchor": "2021-11-01"}],
        cases=cases,
    )
    row = [r for r in c.rows if r.period_id == "P2" and r.rule == "review-first"]
    assert [(r.class_, r.stored_anchor) for r in row] == [("no_stored_date", date(2021, 11, 1))]


def test_a_second_row_for_one_obligation_is_unmatched() -> None:
    report, cases = evaluate([TWO_PERIODS], AS_OF)
    c = report.compare(
        _rows(
            {"child_id": "C1", "rule": "review-first", "due": "2021-01-20"},
            {"child_id": "C1", "rule": "review-first", "due": "2021-01-21"},
        ),
        cases=cases,
    )
    classes = [(r.stored_due, r.class_) for r in c.rows if r.period_id in ("P1", None)]
    assert (date(2021, 1, 20), "agree") in classes
    assert (date(2021, 1, 21), "unmatched") in classes
    (dup,) = [r for r in c.rows if r.class_ == "unmatched"]
    assert dup.reason == "a second row for this child, period, rule and sequence (<rows> row 1)"


def test_the_outer_join_covers_the_stored_children_and_rules_only() -> None:
    # C2 has no stored row, and no stored row names review-second: neither is listed.
    report, cases = evaluate([TWO_PERIODS, review_case("C2", "2021-02-01")], AS_OF)
    c = report.compare(
        [{"child_id": "C1", "rule": "review-first", "due": "2021-01-20"}], cases=cases
    )
    assert {r.child_id for r in c.rows} == {"C1"}
    assert {r.rule for r in c.rows} == {"review-first"}
    # C1's second period's first review (due Mon 29 Nov 2021) has no row.
    assert [(r.period_id, r.class_, r.lacplan_due) for r in c.rows] == [
        ("P1", "agree", date(2021, 1, 20)),
        ("P2", "no_stored_date", date(2021, 11, 29)),
    ]


def test_placement_rules_need_placement_id_when_a_period_has_several() -> None:
    # Two placements in one period, each with its own placement plan (reg 9): without
    # placement_id a row cannot say which it is.
    case = review_case(
        "C1",
        "2021-02-01",
        placements=[("A", "2021-02-01", "2021-03-01"), ("B", "2021-03-01", None)],
    )
    report, cases = evaluate([case], date(2021, 6, 1))
    plans = {o.placement_id: o.due for o in report.obligations if o.rule == "placement-plan"}
    assert set(plans) == {"A", "B"}
    c = report.compare(
        [{"child_id": "C1", "rule": "placement-plan", "due": "2021-02-01"}], cases=cases
    )
    (unmatched,) = [r for r in c.rows if r.class_ == "unmatched"]
    assert unmatched.reason.startswith("2 obligations of this rule and sequence in the period")
    c = report.compare(
        [
            {"child_id": "C1", "rule": "placement-plan", "due": str(plans[p]), "placement_id": p}
            for p in ("A", "B")
        ],
        cases=cases,
    )
    assert [(r.placement_id, r.class_) for r in c.rows] == [("A", "agree"), ("B", "agree")]


def test_without_the_cases_periods_come_from_the_report() -> None:
    # Without cases=, P1 runs from its earliest anchor (Fri 18 Dec 2020) to the day before P2's
    # (Mon 1 Nov 2021): 1 Jun 2021 then falls in P1.
    report, cases = evaluate([TWO_PERIODS], AS_OF)
    row = {"child_id": "C1", "rule": "review-first", "due": "2021-06-01"}
    assert report.compare([row], cases=cases).summary["unmatched"] == 1
    c = report.compare([row])
    assert [r.period_id for r in c.rows if r.stored_due == date(2021, 6, 1)] == ["P1"]
    assert compare_report(report, [row], cases=period_spans(cases)).summary["unmatched"] == 1


def test_rows_are_ordered_by_child_period_rule_and_sequence() -> None:
    report, cases = evaluate([review_case("C2", "2021-02-01"), TWO_PERIODS], AS_OF)
    c = report.compare(
        _rows(
            {"child_id": "C1", "rule": "review-second", "due": "2021-04-20", "period_id": "P1"},
            {"child_id": "C1", "rule": "review-first", "due": "2021-11-29"},
            {"child_id": "C2", "rule": "review-first", "due": "2021-03-01"},
            {"child_id": "C1", "rule": "review-first", "due": "2021-01-20"},
        ),
        cases=cases,
    )
    assert [(r.child_id, r.period_id, r.rule) for r in c.rows] == [
        ("C2", "1", "review-first"),
        ("C1", "P1", "review-first"),
        ("C1", "P1", "review-second"),
        ("C1", "P2", "review-first"),
    ]


def test_the_rules_must_be_the_reports() -> None:
    report, _ = evaluate([TWO_PERIODS], AS_OF)
    row = [{"child_id": "C1", "rule": "review-first", "due": "2021-01-20"}]
    with pytest.raises(UsageError, match="not those the report was evaluated with"):
        report.compare(row, rules=get_pack("england+ifa"))
    assert report.compare(row, rules="england").summary["agree"] == 1
