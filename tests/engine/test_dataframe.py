"""Report.to_dataframe (the pandas extra)."""

from __future__ import annotations

from datetime import date

import pytest

import lacplan

pd = pytest.importorskip("pandas")


def test_dataframe_columns_and_types() -> None:
    report = lacplan.evaluate(lacplan.load_cases("docs/examples/case.json"), as_of=date(2021, 3, 1))
    df = report.to_dataframe()
    assert len(df) == sum(1 for _ in report.obligations)
    assert list(df.columns[:3]) == ["key", "rule", "title"]
    assert "label_team" in df.columns and set(df["label_team"]) == {"CLA-North"}
    assert str(df["due"].dtype).startswith("datetime64")
    review = df[df["key"] == "612408:2:-:review-first:2020-12-18"].iloc[0]
    assert review["due"] == pd.Timestamp("2021-01-20") and review["status"] == "met_on_time"
    # The status column sorts most urgent first.
    assert df.sort_values("status")["status"].iloc[0] == "overdue"
    assert df["days_late"].dtype == "Int64"
