"""lacplan.frames: the column-by-column DataFrame against the row-based one (the oracle)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lacplan
from lacplan import frames
from lacplan.frames import CATEGORICAL_COLUMNS, DATE_COLUMNS, TEXT_COLUMNS
from lacplan.report import (
    OBLIGATION_FIELDS,
    ROW_FIELDS,
    STATUS_ORDER,
    ChildResult,
    Obligation,
    Report,
)
from lacplan.testing.strategies import cases

pd = pytest.importorskip("pandas")

DEMO = Path(lacplan.__file__).parent / "data" / "demo_cohort.jsonl"
AS_OF = date(2024, 6, 3)
#: What pandas makes of a column of strings (``str`` under pandas 3, object under pandas 2).
TEXT = pd.Series(["a"]).dtype
#: What ``pd.to_datetime`` makes of ISO dates (``datetime64[us]`` under pandas 3, else ns).
DATES = pd.to_datetime(pd.Series(["2000-01-01"]), format="ISO8601").dtype
PROFILE = settings(
    max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def rows_frame(report: Report) -> Any:
    """The oracle: ``Report.to_dataframe`` as it was before the columnar path (row dicts)."""
    labels = sorted({k for c in report.children for k in c.labels})
    columns = [*ROW_FIELDS, *(f"label_{k}" for k in labels)]
    df = pd.DataFrame(list(report.rows()), columns=columns)
    for col in ("anchor", "due", "met_on", "as_of"):
        df[col] = pd.to_datetime(df[col], format="ISO8601")
    df["status"] = pd.Categorical(df["status"], categories=STATUS_ORDER, ordered=True)
    df["days_late"] = df["days_late"].astype("Int64")
    df["sequence"] = df["sequence"].astype("int64")
    return df


def plain_rows(df: Any) -> list[dict[str, Any]]:
    """The frame back as JSON-like rows: ISO date strings, ints, None for every missing value."""
    dates = {*DATE_COLUMNS, "as_of"}

    def plain(column: str, value: Any) -> Any:
        if value is None or value is pd.NA or value != value:  # None, <NA>, NaN or NaT
            return None
        return value.date().isoformat() if column in dates else value

    return [
        {k: plain(k, v) for k, v in row.items()} for row in df.astype(object).to_dict("records")
    ]


def expected_rows(report: Report) -> list[dict[str, Any]]:
    """``report.rows()`` with every label column present (None where a child has none)."""
    columns = list(rows_frame(report).columns)
    return [{c: row.get(c) for c in columns} for row in report.rows()]


def assert_same_as_rows(df: Any, report: Report) -> None:
    """``df`` holds exactly the rows of ``report.rows()``, and equals the row-based frame once
    that is given the same dtypes."""
    oracle = rows_frame(report)
    assert list(df.columns) == list(oracle.columns)
    assert plain_rows(df) == expected_rows(report)
    pd.testing.assert_frame_equal(df, oracle.astype(dict(df.dtypes)), check_exact=True)


@pytest.fixture(scope="module")
def demo() -> Report:
    return lacplan.evaluate(lacplan.load_cases(DEMO), as_of=AS_OF)


@pytest.fixture(scope="module")
def demo_ifa() -> Report:
    return lacplan.evaluate(lacplan.load_cases(DEMO), as_of=AS_OF, rules="england+ifa")


def empty_report(children: tuple[ChildResult, ...] = ()) -> Report:
    return Report(
        as_of=AS_OF,
        rules="england",
        rules_version="2026.12",
        lacplan_version=lacplan.__version__,
        conventions={},
        calendar={},
        children=children,
    )


def expected_dtype(column: str) -> Any:
    """The contract: each column's dtype (categories aside)."""
    if column == "status":
        return pd.CategoricalDtype(pd.Index(STATUS_ORDER, dtype=TEXT), ordered=True)
    if column in TEXT_COLUMNS:
        return TEXT
    if column in DATE_COLUMNS or column == "as_of":
        return DATES
    return {"sequence": "int64", "days_late": "Int64"}.get(column, "category")


def test_demo_cohort_equals_the_row_based_frame(demo: Report) -> None:
    df = frames.report_frame(demo)
    assert len(df) == len(demo.obligations) > 10_000
    assert_same_as_rows(df, demo)


def test_overlay_columns_equal_the_row_based_frame(demo_ifa: Report) -> None:
    df = frames.report_frame(demo_ifa)
    assert set(df["source"]) == {"statutory", "agency"} and df["base_rule"].notna().any()
    assert_same_as_rows(df, demo_ifa)


def test_columns_and_dtypes(demo: Report) -> None:
    df = frames.report_frame(demo)
    assert list(df.columns) == [*ROW_FIELDS, "label_iro", "label_la", "label_team"]
    for column in df.columns:
        assert df[column].dtype == expected_dtype(column), column
    assert isinstance(df.index, pd.RangeIndex) and df.index.equals(pd.RangeIndex(len(df)))


def test_categoricals(demo: Report) -> None:
    df = frames.report_frame(demo)
    status = df["status"].dtype
    assert status.ordered and list(status.categories) == list(STATUS_ORDER)
    assert df.sort_values("status", kind="stable")["status"].iloc[0] == "overdue"
    for column in (*CATEGORICAL_COLUMNS, "rules_version", "label_iro", "label_la", "label_team"):
        dtype = df[column].dtype
        assert not dtype.ordered, column
        assert list(dtype.categories) == sorted(set(df[column].dropna())), column
        assert dtype.categories.dtype == TEXT, column
        # One small integer a row, whatever the strings.
        assert df[column].cat.codes.dtype.itemsize <= 2, column
    assert list(df["rule_variant"].cat.categories) == ["short_breaks", "standard"]
    assert df["base_rule"].isna().all() and len(df["base_rule"].cat.categories) == 0


def test_run_columns(demo: Report) -> None:
    df = frames.report_frame(demo)
    assert (df["as_of"] == pd.Timestamp(AS_OF)).all()
    assert list(df["rules_version"].cat.categories) == [demo.rules_version]
    assert (df["rules_version"] == demo.rules_version).all()


def test_empty_report_has_the_same_dtypes() -> None:
    df = frames.report_frame(empty_report())
    assert list(df.columns) == list(ROW_FIELDS) and len(df) == 0
    for column in df.columns:
        assert df[column].dtype == expected_dtype(column), column
    assert_same_as_rows(df, empty_report())


def test_children_without_obligations_keep_their_label_columns() -> None:
    child = ChildResult(child_id="C1", labels={"team": "T1"}, obligations=(), findings=())
    report = empty_report((child,))
    df = frames.report_frame(report)
    assert list(df.columns) == [*ROW_FIELDS, "label_team"] and len(df) == 0
    assert df["label_team"].dtype == "category"
    assert_same_as_rows(df, report)


def test_missing_labels_are_nan(demo: Report) -> None:
    # The first child loses its labels, another gains one nobody else has.
    first, second, *rest = demo.children
    children = (
        ChildResult(first.child_id, {}, first.obligations, first.findings),
        ChildResult(second.child_id, {**second.labels, "zone": "Z9"}, second.obligations, ()),
        *rest,
    )
    report = empty_report(tuple(children))
    df = frames.report_frame(report)
    assert df["label_team"].isna().sum() == len(first.obligations)
    assert df["label_zone"].notna().sum() == len(second.obligations)
    assert list(df["label_zone"].cat.categories) == ["Z9"]
    assert_same_as_rows(df, report)


def test_streamed_children_give_the_same_frame(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.jsonl"
    cohort.write_text("".join(DEMO.read_text().splitlines(keepends=True)[:40]))
    pack = lacplan.get_pack("england")
    results = lacplan.iter_evaluate(lacplan.load_cases(cohort), as_of=AS_OF, rules=pack)
    df = frames.children_frame(results, as_of=AS_OF, rules_version=pack.version)
    report = lacplan.evaluate(lacplan.load_cases(cohort), as_of=AS_OF, rules=pack)
    pd.testing.assert_frame_equal(df, frames.report_frame(report), check_exact=True)
    assert_same_as_rows(df, report)


def test_label_keys_fix_the_label_columns(demo: Report) -> None:
    df = frames.children_frame(
        demo.children, as_of=AS_OF, rules_version="v", label_keys=["team", "absent"]
    )
    assert list(df.columns) == [*ROW_FIELDS, "label_team", "label_absent"]
    assert df["label_absent"].isna().all() and df["label_absent"].dtype == "category"
    whole = frames.report_frame(demo)
    pd.testing.assert_series_equal(df["label_team"], whole["label_team"])
    assert (df["rules_version"] == "v").all()


def test_chunks_join_into_the_same_frame(demo: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = frames.report_frame(demo)
    monkeypatch.setattr(frames, "CHUNK_ROWS", 997)  # 16 chunks
    chunked = frames.report_frame(demo)
    pd.testing.assert_frame_equal(chunked, whole, check_exact=True)


def test_no_row_dicts_are_built(demo: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a row dict was built")

    monkeypatch.setattr(Obligation, "as_dict", refuse)
    monkeypatch.setattr(Report, "rows", refuse)
    monkeypatch.setattr("lacplan.report.child_rows", refuse)
    assert len(frames.report_frame(demo)) == len(demo.obligations)


@PROFILE
@given(
    case_list=st.lists(cases(), max_size=4),
    as_of=st.dates(date(2011, 4, 1), date(2030, 12, 31)),
)
def test_generated_cases_equal_the_row_based_frame(
    case_list: list[lacplan.Case], as_of: date
) -> None:
    report = lacplan.evaluate(case_list, as_of=as_of)
    assert_same_as_rows(frames.report_frame(report), report)


def test_every_field_has_one_column_type() -> None:
    kinds = [*TEXT_COLUMNS, *CATEGORICAL_COLUMNS, *DATE_COLUMNS, "status", "sequence", "days_late"]
    assert sorted(kinds) == sorted(OBLIGATION_FIELDS)


def test_label_keys_must_be_a_list(demo: Report) -> None:
    with pytest.raises(lacplan.UsageError, match="not one string"):
        frames.children_frame(demo.children, as_of=AS_OF, rules_version="v", label_keys="team")
