"""``lacplan compare``: formats, exit statuses, the stored dates a source carries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import lacplan.cli_compare
from lacplan.adapters import Batch, read_inputs
from lacplan.adapters.sources import StoredDue
from lacplan.cli import main
from lacplan.compare import COMPARISON_FIELDS, SUMMARY_CLASSES
from lacplan.model import Case, RecordError

CASES = "docs/examples/parity/cases.json"
DUE = "docs/examples/parity/due-dates.csv"
AS_OF = "2023-03-31"

# The docs example (docs/parity.md): per class, how many rows.
EXPECTED = {
    "agree": 2,
    "day_count_91_183": 3,
    "holiday_as_working_day": 1,
    "working_day_as_holiday": 1,
    "chain_from_due": 3,
    "no_stored_date": 1,
    "unmatched": 1,
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # usage errors: the parser exits
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "compare", CASES, "--as-of", AS_OF, "--due-dates", DUE)
    assert (code, err) == (0, "")
    assert out.startswith("Due dates stored in due-dates.csv beside lacplan's, as at 2023-03-31")
    assert "10 rows that do not agree" in out
    assert (
        "    why: Fri 30 Sep 2022 is the 20th working day after Sun 4 Sep 2022 if Mon 19 Sep" in out
    )
    assert "    lacplan: Due Mon 3 Oct 2022: 20 working days after Sun 4 Sep 2022" in out


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "compare", CASES, "--as-of", AS_OF, "--due-dates", DUE, "--format", "json"
    )
    doc = json.loads(out)
    assert code == 0 and doc["as_of"] == AS_OF and doc["source"] == "due-dates.csv"
    assert doc["summary"] == {c: EXPECTED.get(c, 0) for c in SUMMARY_CLASSES}
    assert list(doc["rows"][0]) == list(COMPARISON_FIELDS)
    assert sum(doc["summary"].values()) == len(doc["rows"]) == 12


def test_csv_and_excel_safe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = json.loads(Path(CASES).read_text(encoding="utf-8"))
    cases[0]["child_id"] = "=1+1"
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    due = tmp_path / "due.csv"
    due.write_text(Path(DUE).read_text(encoding="utf-8").replace("P-001", "=1+1"), "utf-8")
    argv = ["compare", str(path), "--as-of", AS_OF, "--due-dates", str(due), "--format", "csv"]
    code, out, _ = _run(capsys, *argv)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and list(rows[0]) == list(COMPARISON_FIELDS)
    assert rows[0]["child_id"] == "=1+1"
    # P-003's second review: Fri 30 Dec 2022 is 3 months, and 91 days, after Fri 30 Sep 2022.
    assert {r["class"] for r in rows if r["also"]} == {"agree", "day_count_91_183"}
    assert "anchor_day_counted;chain_from_due" in {r["also"] for r in rows}
    code, out, _ = _run(capsys, *argv, "--excel-safe")
    assert next(csv.DictReader(io.StringIO(out)))["child_id"] == "'=1+1"


def test_xlsx(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "drift.xlsx"
    argv = ["compare", CASES, "--as-of", AS_OF, "--due-dates", DUE, "--format", "xlsx"]
    code, _, err = _run(capsys, *argv, "-o", str(target))
    assert code == 0
    book = openpyxl.load_workbook(target)
    rows = list(book["comparison"].iter_rows(values_only=True))
    assert rows[0] == COMPARISON_FIELDS and len(rows) == 13
    assert isinstance(rows[1][COMPARISON_FIELDS.index("stored_due")], date)
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["chain_from_due"] == 3
    code, _, err = _run(capsys, *argv)
    assert code == 2 and "--format xlsx writes a file: give -o FILE" in err


def test_rejected_records_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = json.loads(Path(CASES).read_text(encoding="utf-8"))
    path = tmp_path / "cases.jsonl"
    lines = [json.dumps(c) for c in cases] + ['{"child_id": "P-009", ']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _run(capsys, "compare", str(path), "--as-of", AS_OF, "--due-dates", DUE)
    assert code == 1
    assert "1 record rejected:" in err and "invalid_json" in err
    assert "10 rows that do not agree" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "no stored due dates to compare: JSON cases carry none; give --due-dates"),
        (["--due-dates", "nothing.csv"], "no such file: nothing.csv"),
        (["--due-dates", DUE, "-o", DUE], "is the input"),
        (["--due-dates", DUE, "--excel-safe"], "--excel-safe applies to --format csv"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, out, err = _run(capsys, "compare", CASES, "--as-of", AS_OF, *extra)
    assert (code, out) == (2, "")
    assert message in err


def test_a_bad_due_dates_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    due = tmp_path / "due.csv"
    due.write_text("child_id,rule,due\nP-001,review-first,31/31/2021\n", encoding="utf-8")
    code, out, err = _run(capsys, "compare", CASES, "--as-of", AS_OF, "--due-dates", str(due))
    assert (code, out) == (2, "")
    assert "due.csv row 2, column due: not a date" in err and "31/31" not in err


def test_a_source_without_stored_dates_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        capsys,
        "compare",
        "docs/examples/ssda903/2024",
        "--input-format",
        "ssda903",
        "--as-of",
        "2024-03-31",
        "--report-accounting",
    )
    assert code == 2
    assert "the inputs carry none" in err
    assert "Episodes" in err  # the accounting is printed all the same


class _Carrying(Batch):
    """A source that carries stored due dates (as the SSD's reviews do)."""

    __slots__ = ("_stored",)

    def __init__(self, inner: Batch, stored: list[StoredDue]) -> None:
        super().__init__([inner])
        self._stored = stored

    def __iter__(self) -> Iterator[Case | RecordError]:
        yield from super().__iter__()
        self.stored_due_dates.extend(self._stored)


def test_the_sources_own_stored_dates_are_used(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # P-003's first review: due Mon 3 Oct 2022 (Mon 19 Sep 2022, the Queen's funeral, skipped);
    # the source stored Fri 30 Sep 2022.
    stored = [StoredDue("P-003", "1", "review-first", 1, date(2022, 9, 30), "reviews row 2")]

    def carrying(paths: Any, **options: Any) -> Batch:
        return _Carrying(read_inputs(paths, input_format="json"), stored)

    monkeypatch.setattr(lacplan.cli_compare, "read_inputs", carrying)
    argv = ["compare", CASES, "--input-format", "auto", "--as-of", AS_OF, "--format", "json"]
    code, out, _ = _run(capsys, *argv)
    doc = json.loads(out)
    assert code == 0 and doc["source"] == f"the inputs ({CASES})"
    assert [(r["child_id"], r["class"], r["where"]) for r in doc["rows"]] == [
        ("P-003", "holiday_as_working_day", "reviews row 2")
    ]
    code, out, _ = _run(capsys, *argv, "--due-dates", DUE)  # a file given wins
    assert json.loads(out)["source"] == "due-dates.csv"


def test_help_lists_compare(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    out = capsys.readouterr().out
    assert "--due-dates FILE.csv" in out and "Exit status: 0 when the run completes" in out
