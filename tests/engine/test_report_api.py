"""The Report's interfaces: row columns, the DataFrame, look-ups, counts, repr, and the checks
evaluate() and iter_evaluate() make of their arguments."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import lacplan
from lacplan import Case, RecordError, Report, UsageError, evaluate, iter_evaluate, load_cases
from lacplan.outputs import write_csv
from lacplan.report import OBLIGATION_FIELDS, ROW_FIELDS, STATUS_ORDER

DEMO = Path(lacplan.__file__).parent / "data" / "demo_cases.jsonl"
AS_OF = date(2024, 3, 31)
HOW_TO_READ = r"lacplan\.load_cases.*lacplan\.parse_case"

CASE = Case.model_validate(
    {
        "child_id": "C1",
        "date_of_birth": "2012-04-02",
        "periods": [
            {
                "start": "2020-12-18",
                "entry": "emergency",
                "placements": [{"placement_id": "PL1", "start": "2020-12-18"}],
            }
        ],
        "events": [{"type": "review", "date": "2021-01-20"}],
    }
)


@pytest.fixture(scope="module")
def cases() -> list[Case | RecordError]:
    return list(load_cases(DEMO))


@pytest.fixture(scope="module")
def report(cases: list[Case | RecordError]) -> Report:
    return evaluate(cases, as_of=AS_OF)


def test_row_fields_are_the_obligation_fields_then_the_run() -> None:
    """ROW_FIELDS adds as_of and rules_version after the obligation's own fields."""
    assert (*OBLIGATION_FIELDS, "as_of", "rules_version") == ROW_FIELDS


def test_rows_carry_as_of_and_rules_version_before_the_labels(report: Report) -> None:
    """Each row: the obligation fields, as_of (ISO) and rules_version, then label_<name>."""
    rows = list(report.rows())
    assert len(rows) == len(report.obligations)
    first = rows[0]
    assert list(first) == [*ROW_FIELDS, "label_team", "label_iro"]
    assert {r["as_of"] for r in rows} == {"2024-03-31"}
    assert {r["rules_version"] for r in rows} == {report.rules_version}
    # The obligation's own dict (and so the JSON documents) is unchanged.
    assert list(report.obligations[0].as_dict()) == list(OBLIGATION_FIELDS)


def test_csv_columns_in_order(report: Report) -> None:
    """write_csv: ROW_FIELDS, then the sorted label columns; as_of and rules_version filled."""
    out = io.StringIO()
    write_csv(report, out)
    reader = csv.DictReader(io.StringIO(out.getvalue()))
    assert reader.fieldnames == [*ROW_FIELDS, "label_iro", "label_team"]
    rows = list(reader)
    assert len(rows) == len(report.obligations)
    assert {(r["as_of"], r["rules_version"]) for r in rows} == {
        ("2024-03-31", report.rules_version)
    }


def test_dataframe_columns_and_dtypes(report: Report) -> None:
    """as_of is datetime64, status an ordered categorical, days_late Int64, columns in order."""
    pd = pytest.importorskip("pandas")
    df = report.to_dataframe()
    assert list(df.columns) == [*ROW_FIELDS, "label_iro", "label_team"]
    assert str(df["as_of"].dtype).startswith("datetime64")
    assert (df["as_of"] == pd.Timestamp("2024-03-31")).all()
    assert (df["rules_version"] == report.rules_version).all()
    assert isinstance(df["status"].dtype, pd.CategoricalDtype) and df["status"].cat.ordered
    assert list(df["status"].cat.categories) == list(STATUS_ORDER)
    assert df["days_late"].dtype == "Int64"


def test_obligations_is_a_sequence_in_report_order(report: Report) -> None:
    """len, indexing and slicing agree with iterating the children's obligations."""
    walked = [o for c in report.children for o in c.obligations]
    obs = report.obligations
    assert len(obs) == len(walked) == 204
    assert list(obs) == walked
    assert obs[0] is walked[0] and obs[-1] is walked[-1]
    assert list(obs[3:7]) == walked[3:7]
    assert report.obligations is obs  # built once


def test_child_lookup(report: Report) -> None:
    """child() returns that child's result; an unknown id is a KeyError naming it alone."""
    assert report.child("DEMO-003") is report.children[2]
    with pytest.raises(KeyError) as info:
        report.child("NOPE")
    assert info.value.args == ("NOPE",)


def test_child_lookup_with_a_repeated_id_gives_the_first() -> None:
    """When the input repeats a child, child() returns the first of its results."""
    report = evaluate([CASE, CASE], as_of=date(2021, 2, 1))
    assert report.child("C1") is report.children[0]


def test_obligation_lookup(report: Report) -> None:
    """obligation(key) finds every obligation by its key; a missing key is KeyError(key)."""
    for o in report.obligations:
        assert report.obligation(o.key) is o
    with pytest.raises(KeyError) as info:
        report.obligation("DEMO-001:P1:-:nope:2024-01-01")
    assert info.value.args == ("DEMO-001:P1:-:nope:2024-01-01",)


def test_status_counts_in_status_order(report: Report) -> None:
    """status_counts lists the statuses present, most urgent first, with the same totals."""
    counts = report.status_counts()
    assert list(counts) == [s for s in STATUS_ORDER if s in counts]
    assert sum(counts.values()) == len(report.obligations)
    assert counts == {
        "overdue": 3,
        "missed": 4,
        "met_late": 6,
        "pending": 19,
        "met_on_time": 148,
        "exempt": 2,
        "not_required": 22,
    }
    counts["overdue"] = 0  # a copy: the report's own counts are untouched
    assert report.status_counts()["overdue"] == 3
    child = report.children[0].status_counts()
    assert list(child) == [s for s in STATUS_ORDER if s in child]


def test_repr_is_one_short_line(report: Report) -> None:
    """repr(Report) gives as_of, rules, children, errors and counts in status order."""
    text = repr(report)
    assert text == (
        "<Report as_of=2024-03-31 rules=england 2026.12: 6 children, 0 errors, "
        "204 obligations (3 overdue, 4 missed, 6 met_late, 19 pending, 148 met_on_time, "
        "2 exempt, 22 not_required)>"
    )


def test_repr_stays_short_for_a_big_report(report: Report) -> None:
    """Thousands of children still give one line under 300 characters."""
    many = tuple(dataclasses.replace(report.children[i % 6], child_id=f"K{i}") for i in range(5000))
    big = dataclasses.replace(report, children=many)
    text = repr(big)
    assert "\n" not in text and len(text) < 300
    total = sum(len(c.obligations) for c in many)
    assert "5000 children" in text and f"{total} obligations" in text


def test_child_repr(report: Report) -> None:
    """repr(ChildResult) names the child and counts its obligations and findings."""
    assert repr(report.children[0]) == (
        "<ChildResult 'DEMO-001': 21 obligations "
        "(1 met_late, 3 pending, 16 met_on_time, 1 not_required), 0 findings>"
    )


def test_equality_ignores_the_lookups(cases: list[Case | RecordError]) -> None:
    """Two reports of the same run are equal whether or not their look-ups were built."""
    a = evaluate(cases, as_of=AS_OF)
    b = evaluate(cases, as_of=AS_OF)
    a.obligation(a.obligations[0].key)
    assert a == b


@pytest.mark.parametrize(
    "bad",
    [
        {"child_id": "C1", "date_of_birth": "2012-04-02", "periods": []},
        "docs/examples/case.json",
        b'{"child_id": "C1"}',
        Path("docs/examples/case.json"),
        42,
    ],
    ids=["dict", "str", "bytes", "path", "int"],
)
def test_evaluate_refuses_what_is_not_cases(bad: Any) -> None:
    """A dict, text, bytes, a path or a number is a UsageError naming load_cases and
    parse_case."""
    with pytest.raises(UsageError, match=HOW_TO_READ):
        evaluate(bad, as_of=AS_OF)
    with pytest.raises(UsageError, match=HOW_TO_READ):
        iter_evaluate(bad, as_of=AS_OF)


def test_evaluate_refuses_an_iterable_of_dicts() -> None:
    """An iterable yielding something else names the position of the first bad item."""
    record = {"child_id": "C2", "date_of_birth": "2012-04-02", "periods": []}
    with pytest.raises(UsageError, match=r"item 1 \(counting from 0\) is of type dict") as info:
        evaluate(iter([CASE, record]), as_of=AS_OF)
    assert "lacplan.parse_case" in str(info.value) and "C2" not in str(info.value)


def test_as_of_accepts_a_midnight_pandas_timestamp() -> None:
    """A timezone-naive pandas.Timestamp at midnight is converted to a date."""
    pd = pytest.importorskip("pandas")
    report = evaluate(CASE, as_of=pd.Timestamp("2021-02-01"))
    assert type(report.as_of) is date and report.as_of == date(2021, 2, 1)
    assert report == evaluate(CASE, as_of=date(2021, 2, 1))


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2021-02-01 09:30", "time of day"),
        ("2021-02-01 00:00:00.000000001", "time of day"),
    ],
)
def test_as_of_refuses_a_timestamp_with_a_time(value: str, why: str) -> None:
    """A Timestamp with a time of day (even a nanosecond) is a UsageError."""
    pd = pytest.importorskip("pandas")
    with pytest.raises(UsageError, match=why):
        evaluate(CASE, as_of=pd.Timestamp(value))


def test_as_of_refuses_a_timezone_aware_timestamp() -> None:
    """A timezone-aware Timestamp, even at midnight, is a UsageError."""
    pd = pytest.importorskip("pandas")
    with pytest.raises(UsageError, match="timezone-aware"):
        evaluate(CASE, as_of=pd.Timestamp("2021-02-01", tz="Europe/London"))
    with pytest.raises(UsageError, match=r"as_of must be a datetime\.date"):
        evaluate(CASE, as_of=pd.NaT)


def test_as_of_accepts_a_numpy_day() -> None:
    """numpy.datetime64 of day precision, or finer at midnight, is converted to a date."""
    np = pytest.importorskip("numpy")
    for value in (np.datetime64("2021-02-01"), np.datetime64("2021-02-01T00:00:00", "ns")):
        report = evaluate(CASE, as_of=value)
        assert type(report.as_of) is date and report.as_of == date(2021, 2, 1)


@pytest.mark.parametrize(
    "value", ["2021-02-01T10:00", "2021-02", "NaT"], ids=["time", "month", "nat"]
)
def test_as_of_refuses_other_numpy_values(value: str) -> None:
    """A numpy.datetime64 with a time, a coarser unit or NaT is a UsageError."""
    np = pytest.importorskip("numpy")
    with pytest.raises(UsageError, match=r"as_of must be a datetime\.date"):
        evaluate(CASE, as_of=np.datetime64(value))


@pytest.mark.parametrize("bad", ["2021-02-01", datetime(2021, 2, 1), None])
def test_iter_evaluate_checks_as_of_when_called(bad: Any) -> None:
    """iter_evaluate checks as_of at the call, before anything is iterated."""
    with pytest.raises(UsageError, match=r"as_of must be a datetime\.date"):
        iter_evaluate([CASE], as_of=bad)


def test_iter_evaluate_with_rules_or_pack_gives_the_same(
    cases: list[Case | RecordError], report: Report
) -> None:
    """rules= (a name, with evaluate's defaults) and pack= (a RulePack) stream the same results
    as evaluate()."""
    by_rules = list(iter_evaluate(cases, as_of=AS_OF, rules="england"))
    by_pack = list(
        iter_evaluate(
            cases,
            as_of=AS_OF,
            pack=lacplan.get_pack("england"),
            conventions=lacplan.Conventions(),
            calendar=lacplan.england_and_wales(),
        )
    )
    by_default = list(iter_evaluate(cases, as_of=AS_OF))
    assert tuple(by_rules) == tuple(by_pack) == tuple(by_default) == report.children


def test_iter_evaluate_with_overlays(cases: list[Case | RecordError]) -> None:
    """overlays= stacks on rules= as in evaluate()."""
    streamed = list(iter_evaluate(cases, as_of=AS_OF, overlays=["ifa"]))
    assert tuple(streamed) == evaluate(cases, as_of=AS_OF, rules="england+ifa").children


def test_iter_evaluate_refuses_pack_and_rules() -> None:
    """Giving both pack= and rules= is a UsageError."""
    with pytest.raises(UsageError, match="not both"):
        iter_evaluate([CASE], as_of=AS_OF, rules="england", pack=lacplan.get_pack("england"))


def test_iter_evaluate_passes_rejected_records_to_on_error() -> None:
    """RecordError items go to on_error and yield nothing."""
    bad = RecordError(file="x.jsonl", line=2, child_id=None, problems=())
    seen: list[RecordError] = []
    out = list(iter_evaluate([bad, CASE], as_of=date(2021, 2, 1), on_error=seen.append))
    assert [c.child_id for c in out] == ["C1"] and seen == [bad]
