"""The comparison as data: plain rows (the HTTP service's), a DataFrame, the table's escaping."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd

from lacplan.compare import COMPARISON_FIELDS, SUMMARY_CLASSES, Comparison
from lacplan.compare.render import write_table

from .helpers import evaluate, review_case

# Became looked after Fri 18 Dec 2020: the first review is due Wed 20 Jan 2021 (Christmas Day,
# Boxing Day (substitute, Mon 28 Dec) and New Year's Day skipped).
STORED = [
    {"child_id": "C1", "rule": "review-first", "due": "2021-01-20"},
    {"child_id": "C\x1b[2J", "rule": "review-first", "due": "2021-01-20"},
]


def _comparison() -> Comparison:
    report, cases = evaluate([review_case("C1", "2020-12-18")], date(2021, 3, 1))
    return report.compare(STORED, cases=cases)


def test_as_rows_is_plain_json() -> None:
    rows = _comparison().as_rows()
    assert json.loads(json.dumps(rows)) == rows
    assert [list(r) for r in rows] == [list(COMPARISON_FIELDS)] * 2
    first = rows[0]
    assert (first["stored_due"], first["lacplan_due"], first["class"], first["also"]) == (
        "2021-01-20",
        "2021-01-20",
        "agree",
        [],
    )
    assert first["key"] == "C1:1:-:review-first:2020-12-18"


def test_to_dataframe() -> None:
    df = _comparison().to_dataframe()
    assert list(df.columns) == list(COMPARISON_FIELDS)
    assert list(df["class"].cat.categories) == list(SUMMARY_CLASSES)
    assert df["stored_due"].iloc[0] == pd.Timestamp("2021-01-20")
    assert str(df["difference_days"].dtype) == "Int64"
    assert df["difference_days"].isna().tolist() == [False, True]


def test_the_table_escapes_what_it_prints() -> None:
    out = io.StringIO()
    write_table(_comparison(), out)
    text = out.getvalue()
    assert "\x1b" not in text and "C\\x1b[2J" in text
    assert "why: no child with this id in the report" in text
    assert repr(_comparison()) == "<Comparison <rows>: 2 rows (1 agree, 1 unmatched)>"
