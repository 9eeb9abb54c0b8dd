"""The command line with SSDA903 inputs: ``--input-format``, ``--year``, ``--report-accounting``
and the accounting in each output format, on the docs example return and small files."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from lacplan.cli import main
from lacplan.report import ROW_FIELDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "ssda903"
YEAR_2023, YEAR_2024 = str(EXAMPLE / "2023"), str(EXAMPLE / "2024")
CASE_JSON = ROOT / "docs" / "examples" / "case.json"
CHILDREN = ["A001", "B002", "C003", "D004"]

#: The docs example's accounting, counted by hand from its eight CSV files.
EXAMPLE_ACCOUNTING = {
    "Episodes": {"rows": 12, "used": 10, "ignored": {"repeated_in_other_year": 2}, "rejected": 0},
    "Header": {"rows": 8, "used": 4, "ignored": {"repeated_in_other_year": 4}, "rejected": 0},
    "Reviews": {"rows": 13, "used": 13, "ignored": {}, "rejected": 0},
    "OC2": {"rows": 2, "used": 2, "ignored": {}, "rejected": 0},
}

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,"
    "URN\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``lacplan`` (a usage error's SystemExit included)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


def example(*extra: str) -> list[str]:
    return ["evaluate", YEAR_2023, YEAR_2024, "--as-of", "2024-03-31", *extra]


def small_return(folder: Path) -> Path:
    """One child (K1) in a header and an episodes file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "header.csv").write_bytes((HEADER + "K1,1,14/05/2012,WBRI,,,\n").encode())
    (folder / "episodes.csv").write_bytes(
        (EPISODES + "K1,06/06/2023,S,C2,N1,U4,PR1,,,,,,\n").encode()
    )
    return folder


# --------------------------------------------------------------------------- --input-format
@pytest.mark.parametrize("suffix", [".csv", ".xml", ".xlsx", ".CSV"])
def test_return_file_without_input_format_exits_2_listing_the_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """A ``.csv``/``.xml``/``.xlsx`` file with the default (json) input format is exit 2."""
    path = tmp_path / f"return{suffix}"
    shutil.copy(EXAMPLE / "2024" / "header.csv", path)
    code, out, err = run(capsys, "evaluate", str(path), "--as-of", "2024-03-31")
    assert code == 2 and out == ""
    assert "json, ssda903, ssd, auto" in err
    assert "--input-format" in err and "Traceback" not in err


def test_directory_without_input_format_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A directory needs ``--input-format ssda903`` or ``auto``."""
    code, _, err = run(capsys, *example())
    assert code == 2 and "directory" in err


def test_unknown_input_format_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse refuses an input format that does not exist."""
    code, _, err = run(capsys, *example("--input-format", "sdda903"))
    assert code == 2 and "ssda903" in err


def test_auto_reads_json_and_ssda903_files_given_together(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``auto``: a JSON case file beside SSDA903 CSV files, each recognised by content."""
    csvs = sorted(str(p) for p in (EXAMPLE / "2024").glob("*.csv"))
    code, out, _ = run(
        capsys,
        "evaluate",
        str(CASE_JSON),
        *csvs,
        "--input-format",
        "auto",
        "--as-of",
        "2024-03-31",
    )
    assert code == 0
    doc = json.loads(out)
    json_ids = {json.loads(CASE_JSON.read_text())["child_id"]}
    assert {c["child_id"] for c in doc["children"]} == json_ids | set(CHILDREN)
    assert doc["errors"] == []
    assert doc["accounting"]["Episodes"] == {
        "rows": 6,
        "used": 6,
        "ignored": {},
        "rejected": 0,
    }


def test_auto_reads_a_directory_with_json_and_csv_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``auto`` on a directory: its JSON cases and its return files (subfolders too)."""
    shutil.copytree(EXAMPLE / "2024", tmp_path / "mixed" / "return")
    shutil.copy(CASE_JSON, tmp_path / "mixed" / "case.json")
    code, out, _ = run(
        capsys,
        "evaluate",
        str(tmp_path / "mixed"),
        "--input-format",
        "auto",
        "--as-of",
        "2024-03-31",
    )
    assert code == 0
    doc = json.loads(out)
    assert len(doc["children"]) == 5
    assert set(doc["accounting"]) == {"Header", "Episodes", "Reviews", "OC2"}
    assert doc["accounting"]["Header"]["rows"] == 4


def test_auto_on_json_alone_has_no_accounting(capsys: pytest.CaptureFixture[str]) -> None:
    """``auto`` with only a JSON file evaluates it as JSON (empty accounting)."""
    code, out, _ = run(
        capsys, "evaluate", str(CASE_JSON), "--input-format", "auto", "--as-of", "2024-03-31"
    )
    assert code == 0
    doc = json.loads(out)
    assert len(doc["children"]) == 1 and doc["accounting"] == {}


def test_ssda903_cannot_read_standard_input(capsys: pytest.CaptureFixture[str]) -> None:
    """``-`` with ``--input-format ssda903`` is a usage error."""
    code, _, err = run(
        capsys, "evaluate", "-", "--input-format", "ssda903", "--as-of", "2024-03-31"
    )
    assert code == 2 and "standard input" in err


# --------------------------------------------------------------------------- missing paths
@pytest.mark.parametrize("fmt", ["json", "ssda903", "auto"])
def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """A path that does not exist is exit 2 with its name, whatever the input format."""
    missing = tmp_path / "nope" / "episodes.csv"
    code, out, err = run(
        capsys, "evaluate", str(missing), "--input-format", fmt, "--as-of", "2024-03-31"
    )
    assert code == 2 and out == ""
    assert str(missing) in err and "Traceback" not in err


def test_missing_path_among_good_ones_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One missing path is enough: nothing is evaluated."""
    code, out, err = run(capsys, *example("--input-format", "ssda903"), str(tmp_path / "2025"))
    assert code == 2 and out == "" and "2025" in err


# --------------------------------------------------------------------------- --report-accounting
def test_report_accounting_prints_the_table_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--report-accounting``: one line per table on stderr; stdout stays the report."""
    code, out, err = run(
        capsys, *example("--input-format", "ssda903", "--format", "table", "--report-accounting")
    )
    assert code == 0
    assert "Child A001" in out and "rows" not in out.splitlines()[0]
    lines = err.splitlines()
    assert lines[0].split() == ["table", "rows", "used", "ignored", "rejected", "reasons"]
    by_table = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert by_table == {
        "Episodes": ["12", "10", "2", "0", "repeated_in_other_year", "2"],
        "Header": ["8", "4", "4", "0", "repeated_in_other_year", "4"],
        "Reviews": ["13", "13", "0", "0"],
        "OC2": ["2", "2", "0", "0"],
    }


def test_no_accounting_on_stderr_without_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """Without ``--report-accounting`` stderr is empty for a clean return."""
    code, _, err = run(capsys, *example("--input-format", "ssda903"))
    assert code == 0 and err == ""


# --------------------------------------------------------------------------- --year
@pytest.mark.parametrize(
    "spec",
    [
        "2024",
        "=2024",
        f"{YEAR_2024}=",
        f"{YEAR_2024}=24",
        f"{YEAR_2024}=20x4",
        f"{YEAR_2024}=20245",
    ],
)
def test_bad_year_value_exits_2(capsys: pytest.CaptureFixture[str], spec: str) -> None:
    """``--year`` must be PATH=YYYY: anything else is a usage error."""
    code, out, err = run(capsys, *example("--input-format", "ssda903", "--year", spec))
    assert code == 2 and out == ""
    assert "--year" in err and "Traceback" not in err


@pytest.mark.parametrize("year", ["0000", "0001"])
def test_impossible_year_exits_2_without_a_traceback(
    capsys: pytest.CaptureFixture[str], year: str
) -> None:
    """Four digits that are no collection year (0000, 0001) are a usage error too."""
    code, out, err = run(
        capsys, *example("--input-format", "ssda903", "--year", f"{YEAR_2024}={year}")
    )
    assert code == 2 and out == ""
    assert "Traceback" not in err


def test_year_option_sets_the_end_of_the_data(capsys: pytest.CaptureFixture[str]) -> None:
    """``--year DIR=2025`` makes the data end on 31 Mar 2025 (so no after-data finding)."""
    code, out, _ = run(
        capsys,
        "evaluate",
        YEAR_2024,
        "--input-format",
        "ssda903",
        "--as-of",
        "2024-09-30",
        "--year",
        f"{YEAR_2024}=2025",
    )
    assert code == 0
    doc = json.loads(out)
    codes = {f["code"] for c in doc["children"] for f in c["findings"]}
    assert "as_of_after_data" not in codes
    code, out, _ = run(
        capsys, "evaluate", YEAR_2024, "--input-format", "ssda903", "--as-of", "2024-09-30"
    )
    codes = {f["code"] for c in json.loads(out)["children"] for f in c["findings"]}
    assert "as_of_after_data" in codes


# --------------------------------------------------------------------------- output formats
def test_json_report_carries_the_accounting_of_the_docs_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--format json``: ``accounting`` with the hand-counted totals, ``source_findings``."""
    code, out, err = run(capsys, *example("--input-format", "ssda903", "--format", "json"))
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["accounting"] == EXAMPLE_ACCOUNTING
    assert doc["source_findings"] == []
    assert [c["child_id"] for c in doc["children"]] == CHILDREN
    assert doc["errors"] == []
    for table in doc["accounting"].values():
        assert table["rows"] == table["used"] + sum(table["ignored"].values()) + table["rejected"]


def test_json_report_lists_source_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Header file whose DOBs are on the 1st: ``source_findings`` has the finding."""
    folder = small_return(tmp_path / "r")
    (folder / "header.csv").write_bytes(
        (HEADER + "K1,1,01/05/2012,WBRI,,,\nK2,2,01/09/2013,WBRI,,,\n").encode()
    )
    code, out, _ = run(
        capsys, "evaluate", str(folder), "--input-format", "ssda903", "--as-of", "2024-03-31"
    )
    assert code == 0
    doc = json.loads(out)
    assert [f["code"] for f in doc["source_findings"]] == ["dob_first_of_month"]
    assert "header.csv" in doc["source_findings"][0]["field"]


def test_jsonl_ends_with_the_accounting_line(capsys: pytest.CaptureFixture[str]) -> None:
    """``--format jsonl``: one line per child, then one ``{"accounting": ...}`` line."""
    code, out, _ = run(capsys, *example("--input-format", "ssda903", "--format", "jsonl"))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1] == {"accounting": EXAMPLE_ACCOUNTING}
    assert [line["child_id"] for line in lines[:-1]] == CHILDREN
    assert sum("accounting" in line for line in lines) == 1


def test_jsonl_puts_source_findings_before_the_accounting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Children, then ``{"source_finding": ...}`` lines, then the accounting line last."""
    folder = small_return(tmp_path / "r")
    (folder / "header.csv").write_bytes(
        (HEADER + "K1,1,01/05/2012,WBRI,,,\nK2,2,01/09/2013,WBRI,,,\n").encode()
    )
    code, out, _ = run(
        capsys,
        "evaluate",
        str(folder),
        "--input-format",
        "ssda903",
        "--format",
        "jsonl",
        "--as-of",
        "2024-03-31",
    )
    assert code == 0
    kinds = [next(iter(json.loads(line))) for line in out.splitlines()]
    assert kinds[-2:] == ["source_finding", "accounting"]
    assert kinds.count("source_finding") == 1
    assert all(k == "child_id" for k in kinds[:-2])


def test_jsonl_with_a_rejected_row_exits_1_and_still_accounts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rejected row in jsonl: an error line, exit 1, the row counted ``rejected``."""
    folder = small_return(tmp_path / "r")
    (folder / "episodes.csv").write_bytes(
        (
            EPISODES + "K1,06/06/2023,S,C2,N1,U4,PR1,,,,,,\nK2,2023-13-01,S,C2,N1,U4,PR1,,,,,,\n"
        ).encode()
    )
    (folder / "header.csv").write_bytes(
        (HEADER + "K1,1,14/05/2012,WBRI,,,\nK2,2,10/02/2009,WBRI,,,\n").encode()
    )
    code, out, err = run(
        capsys,
        "evaluate",
        str(folder),
        "--input-format",
        "ssda903",
        "--format",
        "jsonl",
        "--as-of",
        "2024-03-31",
    )
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1]["accounting"]["Episodes"] == {
        "rows": 2,
        "used": 1,
        "ignored": {},
        "rejected": 1,
    }
    assert lines[-1]["accounting"]["Header"]["ignored"] == {"child_rejected": 1}
    assert "2023-13-01" not in out and "2023-13-01" not in err
    assert "10/02/2009" not in out + err and "2009-02-10" not in out + err


def test_csv_format_on_the_docs_example(capsys: pytest.CaptureFixture[str]) -> None:
    """``--format csv``: the obligation columns, one row per obligation of the JSON report."""
    code, out, _ = run(capsys, *example("--input-format", "ssda903", "--format", "csv"))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and list(rows[0]) == list(ROW_FIELDS)
    assert {r["child_id"] for r in rows} == set(CHILDREN)
    code, out, _ = run(capsys, *example("--input-format", "ssda903", "--format", "json"))
    doc = json.loads(out)
    assert len(rows) == sum(len(c["obligations"]) for c in doc["children"])
    first = next(r for r in rows if r["key"] == "A001:1:-:review-first:2022-06-06")
    assert (first["due"], first["met_on"], first["status"]) == (
        "2022-07-04",
        "2022-06-30",
        "met_on_time",
    )


def test_table_format_on_the_docs_example(capsys: pytest.CaptureFixture[str]) -> None:
    """``--format table``: a block per child and the summary line."""
    code, out, _ = run(capsys, *example("--input-format", "ssda903", "--format", "table"))
    assert code == 0
    for child in CHILDREN:
        assert f"Child {child}" in out
    assert "4 children evaluated" in out
    assert "not_in_source" in out


def test_output_file_gets_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``-o FILE`` writes the JSON report (with its accounting) to the file."""
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, *example("--input-format", "ssda903", "-o", str(target)))
    assert code == 0 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["accounting"] == EXAMPLE_ACCOUNTING


def test_unreadable_table_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV that matches no table, inside a return folder, is exit 2 naming it."""
    folder = small_return(tmp_path / "r")
    (folder / "notes.csv").write_bytes(b"WHO,WHAT\nme,a note\n")
    code, out, err = run(
        capsys, "evaluate", str(folder), "--input-format", "ssda903", "--as-of", "2024-03-31"
    )
    assert code == 2 and out == ""
    assert "notes.csv" in err and "Traceback" not in err


def test_doctype_xml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An XML return with a DOCTYPE is refused on the CLI (exit 2), nothing expanded."""
    xml = tmp_path / "r.xml"
    xml.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE EXPSSDA903 [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"\n<EXPSSDA903><CHILD><HEADER><CHILDID>&x;</CHILDID></HEADER></CHILD></EXPSSDA903>\n"
    )
    code, out, err = run(
        capsys, "evaluate", str(xml), "--input-format", "auto", "--as-of", "2024-03-31"
    )
    assert code == 2 and out == ""
    assert "document type declaration" in err and "root:" not in err
