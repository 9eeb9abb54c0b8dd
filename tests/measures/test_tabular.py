"""xlsx and Parquet outputs round-trip the report's rows (columns, dates, integers, nulls)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from lacplan import evaluate, load_cases
from lacplan.cli import main
from lacplan.outputs import write_csv
from lacplan.tabular import report_columns

DEMO = "src/lacplan/data/demo_cases.jsonl"


def _report():  # type: ignore[no-untyped-def]
    return evaluate(load_cases(DEMO), as_of=date(2024, 6, 3))


def test_parquet_round_trip(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    report = _report()
    out = tmp_path / "o.parquet"
    assert (
        main(["evaluate", DEMO, "--as-of", "2024-06-03", "--format", "parquet", "-o", str(out)])
        == 0
    )
    table = pq.read_table(out)
    assert table.column_names == report_columns(report)
    assert str(table.schema.field("due").type) == "date32[day]"
    assert str(table.schema.field("days_late").type) == "int64"
    rows = table.to_pylist()
    expected = list(report.rows())
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        assert got["key"] == want["key"]
        assert (got["due"].isoformat() if got["due"] else None) == want["due"]
        assert got["days_late"] == want["days_late"]
        assert got["as_of"] == date(2024, 6, 3)
    assert report.to_arrow().num_rows == len(expected)


def test_xlsx_round_trip(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    report = _report()
    out = tmp_path / "o.xlsx"
    assert (
        main(["evaluate", DEMO, "--as-of", "2024-06-03", "--format", "xlsx", "-o", str(out)]) == 0
    )
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["obligations", "errors"]
    rows = list(book["obligations"].iter_rows(values_only=True))
    assert list(rows[0]) == report_columns(report)
    buf = io.StringIO()
    write_csv(report, buf)
    csv_rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert len(rows) - 1 == len(csv_rows)
    due = rows[0].index("due")
    first = rows[1][due]
    assert isinstance(first, datetime) and first.date().isoformat() == csv_rows[0]["due"]


def test_file_formats_need_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("xlsx", "parquet"):
        with pytest.raises(SystemExit) as exc:
            main(["evaluate", DEMO, "--as-of", "2024-06-03", "--format", fmt])
        assert exc.value.code == 2
    assert "give -o FILE" in capsys.readouterr().err


def test_summary_and_upcoming_as_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    for command in ("summary", "upcoming"):
        out = tmp_path / f"{command}.xlsx"
        assert (
            main([command, DEMO, "--as-of", "2024-06-03", "--format", "xlsx", "-o", str(out)]) == 0
        )
        header = next(openpyxl.load_workbook(out)["rows"].iter_rows(values_only=True))
        assert header[0] in ("source", "child_id")


def test_streamed_csv_equals_the_report_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """evaluate --format csv streams child by child (labels read ahead) and writes exactly the
    CSV the whole report would; standard input falls back to the report (same output)."""
    report = _report()
    whole = io.StringIO()
    write_csv(report, whole)
    out = tmp_path / "o.csv"
    assert main(["evaluate", DEMO, "--as-of", "2024-06-03", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == whole.getvalue()


def test_scan_label_keys() -> None:
    from lacplan.adapters import scan_label_keys

    assert scan_label_keys([DEMO]) == ["iro", "team"]
    assert scan_label_keys(["-"]) is None
    assert scan_label_keys(["docs/examples/ssda903/2023"], input_format="ssda903") == []
    assert scan_label_keys(["docs/examples/case.json"]) == sorted(
        next(iter(load_cases("docs/examples/case.json"))).labels  # type: ignore[union-attr]
    )
