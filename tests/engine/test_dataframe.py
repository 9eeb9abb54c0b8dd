"""Report.to_dataframe (the pandas extra): the frame of lacplan.frames.report_frame."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import lacplan
from lacplan.frames import report_frame
from lacplan.report import ROW_FIELDS, STATUS_ORDER

pd = pytest.importorskip("pandas")


def test_dataframe_columns_and_types() -> None:
    report = lacplan.evaluate(lacplan.load_cases("docs/examples/case.json"), as_of=date(2021, 3, 1))
    df = report.to_dataframe()
    assert len(df) == sum(1 for _ in report.obligations)
    labels = sorted({f"label_{k}" for c in report.children for k in c.labels})
    assert list(df.columns) == [*ROW_FIELDS, *labels]
    assert list(df.columns[:3]) == ["key", "rule", "title"]
    assert "label_team" in df.columns and set(df["label_team"]) == {"CLA-North"}
    assert str(df["due"].dtype).startswith("datetime64")
    assert df["as_of"].dtype == df["due"].dtype and (df["as_of"] == pd.Timestamp(2021, 3, 1)).all()
    review = df[df["key"] == "612408:2:-:review-first:2020-12-18"].iloc[0]
    assert review["due"] == pd.Timestamp("2021-01-20") and review["status"] == "met_on_time"
    # The status column sorts most urgent first.
    assert df.sort_values("status")["status"].iloc[0] == "overdue"
    assert df["days_late"].dtype == "Int64"
    assert df["sequence"].dtype == "int64"


def test_dataframe_categoricals() -> None:
    report = lacplan.evaluate(lacplan.load_cases("docs/examples/case.json"), as_of=date(2021, 3, 1))
    df = report.to_dataframe()
    status = df["status"].dtype
    assert isinstance(status, pd.CategoricalDtype) and status.ordered
    assert list(status.categories) == list(STATUS_ORDER)
    for column in ("rule", "label_team", "source", "reason", "citation", "rules_version"):
        assert isinstance(df[column].dtype, pd.CategoricalDtype), column
    for column in ("key", "child_id", "explanation"):
        assert df[column].dtype == pd.Series(["a"]).dtype, column  # str (pandas 3) or object


def test_to_dataframe_is_the_columnar_frame() -> None:
    cohort = Path(lacplan.__file__).parent / "data" / "demo_cohort.jsonl"
    report = lacplan.evaluate(lacplan.load_cases(cohort), as_of=date(2024, 6, 3))
    pd.testing.assert_frame_equal(report.to_dataframe(), report_frame(report), check_exact=True)
