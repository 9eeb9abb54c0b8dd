"""The ``lacplan`` command line: formats, exit statuses, and no tracebacks for bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from lacplan.cli import main
from lacplan.model import case_json_schema
from lacplan.report import OBLIGATION_FIELDS, ROW_FIELDS

EXAMPLE = "docs/examples/case.json"

GOOD = {
    "child_id": "C1",
    "date_of_birth": "2012-04-02",
    "labels": {"team": "T1"},
    "periods": [
        {
            "start": "2020-12-18",
            "entry": "emergency",
            "placements": [{"placement_id": "PL1", "start": "2020-12-18"}],
        }
    ],
    "events": [{"type": "review", "date": "2021-01-20"}],
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def mixed_jsonl(tmp_path: Path) -> Path:
    """Three records: valid, broken JSON, valid but with a bad date."""
    bad_date = dict(GOOD, child_id="C3", date_of_birth="2012-02-30")
    path = tmp_path / "cases.jsonl"
    path.write_text(
        json.dumps(GOOD) + "\n" + '{"child_id": "C2", \n' + json.dumps(bad_date) + "\n",
        encoding="utf-8",
    )
    return path


def test_evaluate_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "evaluate", EXAMPLE, "--as-of", "2021-03-01")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= {
        "as_of",
        "rules",
        "lacplan_version",
        "conventions",
        "calendar",
        "children",
        "errors",
    }
    assert doc["as_of"] == "2021-03-01" and doc["rules"] == "england" and doc["errors"] == []
    (child,) = doc["children"]
    assert set(child) == {"child_id", "labels", "obligations", "findings"}
    first = child["obligations"][0]
    assert list(first) == list(OBLIGATION_FIELDS)
    assert doc["calendar"]["provider_version"]


def test_rejected_records_exit_1_and_the_rest_are_written(
    capsys: pytest.CaptureFixture[str], mixed_jsonl: Path
) -> None:
    code, out, err = _run(capsys, "evaluate", str(mixed_jsonl), "--as-of", "2021-03-01")
    assert code == 1
    doc = json.loads(out)
    assert [c["child_id"] for c in doc["children"]] == ["C1"]
    assert [(e["line"], e["problems"][0]["code"]) for e in doc["errors"]] == [
        (2, "invalid_json"),
        (3, "invalid_date"),
    ]
    assert doc["errors"][1]["child_id"] == "C3"
    assert "Traceback" not in err and "2012-02-30" not in out + err
    assert "2 records rejected" in err


def test_jsonl_streams_children_and_errors(
    capsys: pytest.CaptureFixture[str], mixed_jsonl: Path
) -> None:
    code, out, _ = _run(
        capsys, "evaluate", str(mixed_jsonl), "--as-of", "2021-03-01", "--format", "jsonl"
    )
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["child_id"] == "C1" and "obligations" in lines[0]
    assert [line["error"]["line"] for line in lines[1:]] == [2, 3]


def test_csv_has_one_row_per_obligation_with_labels(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "one.json"
    src.write_text(json.dumps(GOOD), encoding="utf-8")
    out_file = tmp_path / "out.csv"
    code, _, _ = _run(
        capsys,
        "evaluate",
        str(src),
        "--as-of",
        "2021-02-01",
        "--format",
        "csv",
        "-o",
        str(out_file),
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [*ROW_FIELDS, "label_team"]
    review = next(r for r in rows if r["rule"] == "review-first")
    # 20 WD from Fri 18 Dec 2020 skip 25 Dec, 28 Dec (Boxing Day substitute), 1 Jan: 20 Jan 2021.
    assert (review["due"], review["status"], review["label_team"]) == (
        "2021-01-20",
        "met_on_time",
        "T1",
    )
    assert review["placement_id"] == "" and review["days_late"] == ""


def test_table_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "evaluate", EXAMPLE, "--as-of", "2021-03-01", "--format", "table", "--explain"
    )
    assert code == 0
    assert "Child 612408" in out and "review-first" in out
    assert "Christmas Day" in out  # explanations name the skipped bank holidays
    assert "1 child evaluated" in out


def test_fixed_days_month_convention(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "one.json"
    src.write_text(json.dumps(GOOD), encoding="utf-8")
    code, out, _ = _run(
        capsys, "evaluate", str(src), "--as-of", "2021-02-01", "--months", "fixed_days"
    )
    assert code == 0
    doc = json.loads(out)
    second = next(o for o in doc["children"][0]["obligations"] if o["rule"] == "review-second")
    # 20 Jan 2021 + 91 days = 21 Apr 2021 (calendar months would give 20 Apr).
    assert second["due"] == "2021-04-21"
    assert doc["conventions"]["month_arithmetic"] == "fixed_days"


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "no-such-file.json", "--as-of", "2021-01-01"],
        ["evaluate", EXAMPLE, "--as-of", "2021-13-01"],
        ["evaluate", EXAMPLE],
        ["evaluate", EXAMPLE, "--as-of", "2021-01-01", "--format", "xml"],
        ["evaluate", EXAMPLE, "--as-of", "2021-01-01", "--rules", "wales"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error" in err


def test_unwritable_output_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", EXAMPLE, "--as-of", "2021-01-01", "-o", "/no/such/dir/out.json"])
    assert exc.value.code == 2
    assert "cannot write" in capsys.readouterr().err


def test_demo_runs_on_bundled_cases(capsys: pytest.CaptureFixture[str]) -> None:
    """With --format, the landed table; without, the summary and the top of the worklist."""
    code, out, _ = _run(capsys, "demo", "--format", "table")
    assert code == 0
    assert "Child DEMO-001" in out and "6 children evaluated" in out
    assert "short_breaks" in out and "visit-care-order" in out and "pathway-plan-review" in out
    code, out, _ = _run(capsys, "demo")
    assert code == 0
    assert "a synthetic cohort of 300 invented children" in out
    assert "rate = on_time / denominator" in out and "The worklist" in out
    assert "SYN-0" in out and "Next: lacplan demo --format table" in out
    code, out, _ = _run(capsys, "demo", "--cases")
    assert code == 0 and out.strip().endswith("demo_cohort.jsonl")
    code, out, _ = _run(capsys, "demo", "--cases", "--format", "table")
    assert code == 0 and out.strip().endswith("demo_cases.jsonl")


def test_bundled_demo_cohort_is_current() -> None:
    """The shipped cohort is exactly what `lacplan synth` makes (regenerate it if this fails:
    lacplan synth 300 --seed 2024 --as-of 2024-06-03 -o src/lacplan/data/demo_cohort.jsonl)."""
    import io as _io
    from importlib.resources import files

    from lacplan.cli import DEMO_AS_OF, DEMO_COHORT, DEMO_COHORT_SPEC
    from lacplan.synth import write_cohort

    buf = _io.StringIO()
    n, seed = DEMO_COHORT_SPEC
    write_cohort(buf, n, seed=seed, as_of=DEMO_AS_OF)
    shipped = files("lacplan").joinpath(DEMO_COHORT).read_text(encoding="utf-8")
    assert buf.getvalue() == shipped


def test_rules_catalogue_formats(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "rules", "--as-of", "2024-01-01")
    assert code == 0 and "review-first" in out and "SI 2010/959 reg 33(1)" in out
    code, out, _ = _run(capsys, "rules", "--as-of", "2010-01-01")
    # Before the 2010 Regulations: the 1991 versions, and no placement notification duty.
    assert code == 0 and "SI 1991/895 reg 3" in out and "SI 2010/959 reg 33(1)" not in out
    assert "placement-notification" not in out
    code, out, _ = _run(capsys, "rules", "--as-of", "1980-01-01")
    assert code == 0 and "No rule of pack england is in force on 1980-01-01." in out
    code, out, _ = _run(capsys, "rules", "--format", "json")
    ids = [d["id"] for d in json.loads(out)["declarations"]]
    assert list(dict.fromkeys(ids))[:3] == ["care-plan", "placement-plan", "placement-notification"]
    assert ids.count("placement-plan") == 4  # 2011, short breaks, 1991 and 2020 versions


def test_schema_matches_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "schema")
    assert code == 0 and json.loads(out) == case_json_schema()


def test_calendar_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "calendar", "add", "2020-12-18", "20")[1].strip() == "2021-01-20"
    assert _run(capsys, "calendar", "between", "2020-12-18", "2021-01-20")[1].strip() == "20"
    assert "State Funeral" in _run(capsys, "calendar", "check", "2022-09-19")[1]
    out = _run(capsys, "calendar", "explain", "2022-06-01", "5")[1]
    # 5 WD from Wed 1 Jun 2022 skip Thu 2 and Fri 3 Jun (Jubilee bank holidays): Fri 10 Jun.
    assert out.startswith("Fri 10 Jun 2022") and "Platinum Jubilee" in out


def test_stdin_source(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(GOOD) + "\n"))
    code, out, _ = _run(capsys, "evaluate", "-", "--as-of", "2021-02-01", "--format", "jsonl")
    assert code == 0 and json.loads(out)["child_id"] == "C1"


def test_progress_counts_records_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "many.jsonl"
    src.write_text(
        "".join(json.dumps(dict(GOOD, child_id=f"C{i}")) + "\n" for i in range(501)) + "{\n",
        encoding="utf-8",
    )
    code, out, err = _run(
        capsys, "evaluate", str(src), "--as-of", "2021-02-01", "--format", "jsonl", "--progress"
    )
    assert code == 1
    assert len(out.splitlines()) == 502
    assert "502 records read, 1 rejected" in err


def test_csv_columns_option(capsys: pytest.CaptureFixture[str]) -> None:
    """--columns chooses and orders the CSV columns; an unknown one is a usage error."""
    code, out, _ = _run(
        capsys,
        "evaluate",
        EXAMPLE,
        "--as-of",
        "2021-03-01",
        "--format",
        "csv",
        "--columns",
        "key,rule,due,status,as_of",
    )
    assert code == 0
    header, first = out.splitlines()[:2]
    assert header == "key,rule,due,status,as_of" and first.endswith(",2021-03-01")
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "evaluate",
                EXAMPLE,
                "--as-of",
                "2021-03-01",
                "--format",
                "csv",
                "--columns",
                "key,nope",
            ]
        )
    assert exc.value.code == 2
    assert "unknown column(s) nope" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        "evaluate",
        "summary",
        "upcoming",
        "explain",
        "plot",
        "demo",
        "rules",
        "schema",
        "synth",
        "calendar",
    ],
)
def test_every_subcommand_help_has_a_description_an_example_and_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out and "Exit status" in out
    assert out.count("\n") > 5
