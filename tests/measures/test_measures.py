"""Measures (summary rates, per-child measures, the worklist) on hand-counted cohorts."""

from __future__ import annotations

import json
from datetime import date

import pytest

from lacplan.cli import main
from lacplan.errors import UsageError
from lacplan.measures import (
    SUMMARY_COLUMNS,
    child_measures,
    council_year,
    parse_period,
    summary_rows,
    upcoming_rows,
)
from lacplan.report import ChildResult, Obligation

AS_OF = date(2024, 3, 31)


def ob(
    rule: str,
    due: date | None,
    status: str,
    *,
    source: str = "statutory",
    n: int = 1,
    anchor: date | None = None,
) -> Obligation:
    """A hand-made obligation (only the fields the measures read matter)."""
    a = anchor or due or date(2023, 1, 1)
    return Obligation(
        key=f"C:{rule}:{n}:{a.isoformat()}",
        rule=rule,
        title=rule,
        source=source,
        rule_version="v",
        rule_variant=None,
        child_id="C",
        period_id="1",
        placement_id=None,
        sequence=n,
        anchor=a,
        due=due,
        met_on=None,
        status=status,
        reason=None,
        days_late=None,
        citation="",
        citation_url="",
        explanation="",
    )


def child(cid: str, *obs: Obligation, team: str = "T1") -> ChildResult:
    return ChildResult(cid, {"team": team}, tuple(obs), ())


def cohort() -> list[ChildResult]:
    """Hand-counted: reviews due in 2023-24 (1 Apr 2023 .. 31 Mar 2024)."""
    return [
        child(
            "A",
            ob("review-first", date(2023, 4, 1), "met_on_time"),  # first day of the year
            ob("review-second", date(2024, 3, 31), "met_late"),  # last day of the year
            ob("review-subsequent", date(2024, 4, 1), "pending"),  # next year: left out
            ob("care-plan", None, "pending", anchor=date(2023, 6, 1)),  # no fixed due date
        ),
        child(
            "B",
            ob("review-first", date(2023, 3, 31), "missed"),  # previous year: left out
            ob("review-first", date(2023, 9, 1), "overdue", n=2),
            ob("review-second", date(2023, 12, 1), "exempt"),
            ob("review-second", date(2024, 1, 1), "not_evaluated", n=2),
            team="T2",
        ),
        child(
            "C",
            ob("review-first", date(2023, 5, 5), "met_on_time"),
            ob("review-first", date(2023, 6, 5), "missed", n=2),
            ob("ifa-visit", date(2023, 7, 1), "met_on_time", source="agency"),
            ob("review-second", date(2024, 2, 1), "not_required"),
            team="T2",
        ),
    ]


def rows_by_rule(rows: list[dict[str, object]]) -> dict[tuple[object, object], dict[str, object]]:
    return {(r["source"], r["rule"]): r for r in rows}


def test_council_year_boundaries() -> None:
    """31 March belongs to the year it ends; 1 April starts the next."""
    assert council_year(date(2024, 3, 31)) == (date(2023, 4, 1), date(2024, 3, 31))
    assert council_year(date(2024, 4, 1)) == (date(2024, 4, 1), date(2025, 3, 31))


def test_on_time_denominator_hand_counted() -> None:
    """review-first 2023-24: A on time, B overdue, C on time + missed -> 2 of 4."""
    rows = rows_by_rule(summary_rows(cohort(), as_of=AS_OF))
    first = rows["statutory", "review-first"]
    assert (first["on_time"], first["met_late"], first["overdue"], first["missed"]) == (2, 0, 1, 1)
    assert first["denominator"] == 4 and first["rate"] == 0.5
    second = rows["statutory", "review-second"]
    # A met late (31 Mar counts), B exempt and not evaluated, C not required: 0 of 1.
    assert second["denominator"] == 1 and second["rate"] == 0.0
    assert (second["exempt"], second["not_evaluated"], second["not_required"]) == (1, 1, 1)
    assert ("statutory", "review-subsequent") not in rows  # due 1 April 2024: next year
    assert rows["statutory", "care-plan"]["no_fixed_due"] == 1
    assert rows["statutory", "care-plan"]["rate"] is None
    assert rows["agency", "ifa-visit"]["on_time"] == 1  # overlay results kept apart
    assert list(summary_rows(cohort(), as_of=AS_OF)[0])[:2] == ["source", "rule"]
    assert set(summary_rows(cohort(), as_of=AS_OF)[0]) == set(SUMMARY_COLUMNS)


def test_statutory_rows_come_before_overlay_rows() -> None:
    rows = summary_rows(cohort(), as_of=AS_OF)
    sources = [r["source"] for r in rows]
    assert sources == sorted(sources, key=lambda s: {"statutory": 0, "agency": 1}[s])


def test_period_and_groups() -> None:
    """A custom period, a monthly series and a label cut."""
    prev = rows_by_rule(
        summary_rows(cohort(), as_of=AS_OF, period=parse_period("2022-04-01..2023-03-31"))
    )
    assert prev["statutory", "review-first"]["missed"] == 1
    monthly = summary_rows(cohort(), as_of=AS_OF, by="month")
    months = {(r["month"], r["rule"]): r for r in monthly}
    assert months["2023-04", "review-first"]["on_time"] == 1
    assert months["2024-03", "review-second"]["met_late"] == 1
    teams = {
        (r["label_team"], r["rule"]): r
        for r in summary_rows(cohort(), as_of=AS_OF, by="label:team")
    }
    assert teams["T2", "review-first"]["denominator"] == 3
    assert teams["T1", "review-first"]["denominator"] == 1
    assert next(iter(next(iter(teams.values())))) == "label_team"


def test_bad_period_and_group() -> None:
    with pytest.raises(UsageError):
        parse_period("2024-03-31..2023-04-01")
    with pytest.raises(UsageError):
        parse_period("2023-04-01")
    with pytest.raises(UsageError):
        summary_rows(cohort(), as_of=AS_OF, by="team")


def test_child_measures_all_reviews_on_time() -> None:
    rows = {r["child_id"]: r for r in child_measures(cohort(), as_of=AS_OF)}
    assert rows["A"]["all_on_time"] is False  # one met late
    assert rows["B"]["all_on_time"] is False  # one overdue
    assert rows["C"]["on_time"] == 1 and rows["C"]["not_on_time"] == 1
    only = child_measures(
        [child("D", ob("review-first", date(2024, 1, 1), "not_evaluated"))], as_of=AS_OF
    )
    assert only[0]["all_on_time"] is None and only[0]["not_judged"] == 1


def test_worklist_most_urgent_first() -> None:
    """Overdue (most days first), then pending due within the horizon (soonest first)."""
    kids = [
        child(
            "A",
            ob("visit", date(2024, 4, 20), "pending"),
            ob("pep-review", date(2024, 3, 1), "overdue"),
        ),
        child(
            "B",
            ob("visit", date(2024, 4, 5), "pending"),
            ob("sdq", date(2023, 3, 31), "overdue"),
            ob("visit", date(2024, 5, 1), "pending", n=2),
        ),
    ]
    rows = upcoming_rows(kids, as_of=AS_OF, days=30)
    assert [(r["child_id"], r["rule"], r["days_overdue"]) for r in rows] == [
        ("B", "sdq", 366),
        ("A", "pep-review", 30),
        ("B", "visit", None),
        ("A", "visit", None),
    ]  # B's visit due 1 May 2024 is 31 days ahead: left out
    by_team = upcoming_rows(kids, as_of=AS_OF, days=30, by="label:team")
    assert all("label_team" in r for r in by_team)
    with pytest.raises(UsageError):
        upcoming_rows(kids, as_of=AS_OF, days=-1)


def test_cli_summary_upcoming_explain(capsys: pytest.CaptureFixture[str]) -> None:
    """The commands read inputs like evaluate and write the documented shapes."""
    demo = "src/lacplan/data/demo_cases.jsonl"
    assert main(["summary", demo, "--as-of", "2024-06-03", "--format", "csv"]) == 0
    head = capsys.readouterr().out.splitlines()[0].split(",")
    assert head == list(SUMMARY_COLUMNS)
    assert (
        main(["summary", demo, "--as-of", "2024-06-03", "--by", "label:team", "--format", "json"])
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert rows and all("label_team" in r for r in rows)
    assert main(["upcoming", demo, "--as-of", "2024-06-03", "--days", "14"]) == 0
    assert "most urgent first" in capsys.readouterr().out
    assert (
        main(
            [
                "explain",
                "docs/examples/case.json",
                "--as-of",
                "2021-03-01",
                "--rule",
                "review-first",
                "--sequence",
                "1",
            ]
        )
        == 0
    )
    assert "20 working days after" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["explain", demo, "--as-of", "2024-06-03"])  # several children, no --child
    assert exc.value.code == 2
    ssda = ["docs/examples/ssda903/2023", "docs/examples/ssda903/2024"]
    assert (
        main(
            [
                "summary",
                *ssda,
                "--input-format",
                "ssda903",
                "--as-of",
                "2024-03-31",
                "--period",
                "2022-04-01..2024-03-31",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rf = {r["rule"]: r for r in json.loads(capsys.readouterr().out)}["review-first"]
    # docs/ssda903.md: A001 on time, B002 late and overdue, D004 on time; C003 before the data.
    assert (rf["on_time"], rf["met_late"], rf["overdue"], rf["denominator"]) == (2, 1, 1, 4)


def test_report_summary_and_upcoming_dataframes() -> None:
    """The DataFrame wrappers keep the plain rows' columns and give typed columns."""
    pytest.importorskip("pandas")
    from lacplan import evaluate, load_cases

    report = evaluate(load_cases("src/lacplan/data/demo_cases.jsonl"), as_of=date(2024, 6, 3))
    df = report.summary(by="label:team")
    assert list(df.columns) == ["label_team", *SUMMARY_COLUMNS]
    assert str(df["rate"].dtype) == "Float64"
    plain = summary_rows(report.children, as_of=report.as_of, by="label:team")
    assert len(df) == len(plain) and int(df["denominator"].sum()) == sum(
        r["denominator"] for r in plain
    )
    up = report.upcoming(14)
    assert list(up.columns)[:3] == ["child_id", "source", "rule"]
    assert str(up["days_overdue"].dtype) == "Int64" and up["due"].dtype.kind == "M"
    assert len(up) == len(upcoming_rows(report.children, as_of=report.as_of, days=14))
