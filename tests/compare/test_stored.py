"""Reading stored due dates: a CSV path, a DataFrame, mappings or StoredDue rows; and the
errors, which name file, row and column, never a value."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from lacplan.adapters.sources import StoredDue
from lacplan.compare import StoredDatesError, StoredRow, read_stored
from lacplan.errors import UsageError

from .helpers import evaluate, review_case, row_of

SECRET = "Jane-Doe-1999"  # stands for whatever a bad cell holds: never in a message


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "due.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_every_column(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "\ufeffChild_ID,Rule,Due,Sequence,Period_ID,Period_Start,Anchor,Placement_ID,Notes\n"
        "C1,Review-First,2021-01-20,,1,18/12/2020,2020-12-18 00:00:00,,anything\n"
        "\n"
        "C1,review-subsequent,20/10/2021,2,,,,PL1,\n",
    )
    assert read_stored(path) == [
        StoredRow(
            "C1",
            "review-first",
            1,
            date(2021, 1, 20),
            period_id="1",
            period_start=date(2020, 12, 18),
            anchor=date(2020, 12, 18),
            where="due.csv row 2",
        ),
        StoredRow(
            "C1",
            "review-subsequent",
            2,
            date(2021, 10, 20),
            placement_id="PL1",
            where="due.csv row 4",
        ),
    ]


def test_csv_in_windows_1252(tmp_path: Path) -> None:
    path = _csv(tmp_path, "child_id,rule,due,note\nC1,review-first,2021-01-20,caf\xe9\n", "cp1252")
    (row,) = read_stored(str(path))
    assert row.due == date(2021, 1, 20)


def test_csv_problems_name_file_row_and_column_never_the_value(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "child_id,rule,due,sequence,anchor\n"
        f"C1,review-first,{SECRET},1,\n"
        f"C1,review-second,2021-04-20,{SECRET},\n"
        f",review-second,2021-04-20,0,{SECRET}\n"
        "C1,review-second,2021-02-30,1.5,\n",
    )
    with pytest.raises(StoredDatesError) as caught:
        read_stored(path)
    problems = [(p.file, p.row, p.column) for p in caught.value.problems]
    assert sorted(problems) == sorted(
        [
            ("due.csv", 2, "due"),
            ("due.csv", 3, "sequence"),
            ("due.csv", 4, "sequence"),
            ("due.csv", 4, "anchor"),
            ("due.csv", 4, "child_id"),
            ("due.csv", 5, "due"),
            ("due.csv", 5, "sequence"),
        ]
    )
    message = str(caught.value)
    assert SECRET not in message and "2021-02-30" not in message
    assert "due.csv row 2, column due: not a date (expected YYYY-MM-DD or DD/MM/YYYY)" in message
    assert "due.csv row 4, column child_id: empty" in message
    assert isinstance(caught.value, UsageError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "due.csv: no header row"),
        ("child_id,rule\nC1,review-first\n", "due.csv, column due: no such column"),
        (
            "child_id,rule,due,Due\nC1,review-first,2021-01-20,x\n",
            "due.csv, column due: the column appears twice in the header row",
        ),
    ],
)
def test_csv_header_problems(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(StoredDatesError, match=expected):
        read_stored(_csv(tmp_path, text))


def test_many_problems_are_counted(tmp_path: Path) -> None:
    rows = "".join(f"C{i},review-first,bad\n" for i in range(25))
    with pytest.raises(StoredDatesError, match=r"have 25 problems: .*; and 15 more$"):
        read_stored(_csv(tmp_path, "child_id,rule,due\n" + rows))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        read_stored(tmp_path / "nothing.csv")


def test_dataframe() -> None:
    df = pd.DataFrame(
        {
            "child_id": ["C1", "C2", "C3"],
            "rule": ["review-first", "review-first", "review-second"],
            "due": [pd.Timestamp("2021-01-20"), pd.NaT, pd.Timestamp("2021-04-20")],
            "sequence": [1.0, float("nan"), 1.0],  # (a column with a gap is float)
        }
    )
    assert [(r.child_id, r.due, r.sequence, r.where) for r in read_stored(df)] == [
        ("C1", date(2021, 1, 20), 1, "<DataFrame> row 1"),
        ("C2", None, 1, "<DataFrame> row 2"),
        ("C3", date(2021, 4, 20), 1, "<DataFrame> row 3"),
    ]


def test_dataframe_problems() -> None:
    df = pd.DataFrame(
        {
            "child_id": [1.5, "C2"],
            "rule": ["review-first", "review-first"],
            "due": [pd.Timestamp("2021-01-20 10:30"), "2021-01-20"],
        }
    )
    with pytest.raises(StoredDatesError) as caught:
        read_stored(df)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        ("<DataFrame>", 1, "child_id"),
        ("<DataFrame>", 1, "due"),
    ]
    with pytest.raises(StoredDatesError, match="<DataFrame>, column due: no such column"):
        read_stored(df.drop(columns=["due"]))


def test_mappings() -> None:
    rows = [
        {"child_id": "C1", "rule": "review-first", "due": date(2021, 1, 20)},
        {"CHILD_ID": 123, "RULE": "review-first", "DUE": datetime(2021, 1, 20), "SEQUENCE": "2"},
    ]
    assert [(r.child_id, r.due, r.sequence) for r in read_stored(rows)] == [
        ("C1", date(2021, 1, 20), 1),
        ("123", date(2021, 1, 20), 2),
    ]
    with pytest.raises(StoredDatesError) as caught:
        read_stored([{"child_id": "C1", "rule": "review-first"}, "text", {}])
    assert [str(p) for p in caught.value.problems] == [
        "<rows> row 1, column due: missing",
        "<rows> row 2: a str, not a mapping or StoredDue",
        "<rows> row 3, column child_id: missing",
        "<rows> row 3, column rule: missing",
        "<rows> row 3, column due: missing",
    ]


def test_stored_due_rows_keep_their_period_and_place() -> None:
    stored = [StoredDue("C1", "1", "review-first", 1, date(2021, 1, 20), "ssd_cla_reviews row 2")]
    assert read_stored(stored) == [
        StoredRow(
            "C1", "review-first", 1, date(2021, 1, 20), period_id="1", where="ssd_cla_reviews row 2"
        )
    ]


@pytest.mark.parametrize("bad", [{"child_id": "C1"}, b"child_id,rule,due", 42])
def test_what_is_not_stored_dates(bad: object) -> None:
    with pytest.raises(UsageError, match="stored due dates must be"):
        read_stored(bad)


def test_the_three_kinds_compare_alike(tmp_path: Path) -> None:
    # Became looked after Fri 18 Dec 2020: first review due Wed 20 Jan 2021 (Christmas Day,
    # Boxing Day (substitute, Mon 28 Dec) and New Year's Day skipped); the system says Thu 21
    # Jan, one working day later.
    report, cases = evaluate([review_case("C1", "2020-12-18")], date(2021, 3, 1))
    path = _csv(tmp_path, "child_id,rule,due\nC1,review-first,2021-01-21\n")
    mapping = [{"child_id": "C1", "rule": "review-first", "due": "2021-01-21"}]
    frame = pd.DataFrame(mapping)
    stored_due = [StoredDue("C1", "1", "review-first", 1, date(2021, 1, 21), "table row 2")]
    seen = set()
    for stored in (path, str(path), mapping, frame, stored_due):
        row = row_of(report.compare(stored, cases=cases), "C1", "review-first")
        seen.add((row.class_, row.difference_days, row.lacplan_due))
    assert seen == {("working_day_as_holiday", 1, date(2021, 1, 20))}
    assert report.compare(path).source == "due.csv"
    assert report.compare(frame).source == "<DataFrame>"
