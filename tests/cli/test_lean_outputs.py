"""``lacplan evaluate --columns all|compact|A,B,...`` in every format, and every format written as
it is produced: the JSON document streamed child by child (byte for byte the report's), standard
input copied aside for the label pass, xlsx past a sheet's last row, the collector put back."""

from __future__ import annotations

import csv
import gc
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lacplan import evaluate, load_cases, read_inputs
from lacplan.adapters import scan_label_keys
from lacplan.cli import main
from lacplan.columns import COMPACT_COLUMNS, obligation_picker, row_maker, select_columns
from lacplan.errors import UsageError
from lacplan.outputs import write_csv, write_json
from lacplan.report import OBLIGATION_FIELDS, ROW_FIELDS, Obligation

DEMO = "src/lacplan/data/demo_cases.jsonl"
AS_OF = "2024-06-03"
COMPACT_FIELDS = [c for c in COMPACT_COLUMNS if c in OBLIGATION_FIELDS]


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    """The six demo cases, a line that is not JSON and a case with a bad date (exit 1)."""
    lines = Path(DEMO).read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[0])
    bad["child_id"], bad["date_of_birth"] = "BAD-1", "2012-02-30"
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join([*lines, '{"child_id": "X", ', json.dumps(bad)]) + "\n", "utf-8")
    return path


def _evaluate(
    capsys: pytest.CaptureFixture[str], src: str, fmt: str, *extra: str, out: Path | None = None
) -> tuple[int, str]:
    argv = ["evaluate", src, "--as-of", AS_OF, "--format", fmt, *extra]
    if out is not None:
        argv += ["-o", str(out)]
    code = main(argv)
    return code, capsys.readouterr().out


def _restricted(rows: list[dict[str, Any]], fields: list[str]) -> list[dict[str, Any]]:
    return [{f: r[f] for f in fields} for r in rows]


def test_compact_preset_is_the_issue_s_list() -> None:
    issue = (
        "key, rule, rule_version, rule_variant, child_id, period_id, placement_id, sequence, "
        "anchor, due, met_on, status, reason, days_late, as_of, rules_version"
    )
    assert list(COMPACT_COLUMNS) == issue.split(", ")
    assert select_columns("compact", ["team", "iro"]) == [
        *COMPACT_COLUMNS,
        "label_iro",
        "label_team",
    ]
    assert select_columns(None, ["t"]) == select_columns("all", ["t"]) == [*ROW_FIELDS, "label_t"]
    assert select_columns("key, status,key,label_team") == ["key", "status", "label_team"]
    assert select_columns("compact,explanation")[-1] == "explanation"
    for bad in ("key,nope", " , "):
        with pytest.raises(UsageError, match="unknown column"):
            select_columns(bad)


def test_jsonl_compact_lines_are_the_default_lines_restricted(
    capsys: pytest.CaptureFixture[str], cohort: Path
) -> None:
    code, full = _evaluate(capsys, str(cohort), "jsonl")
    assert code == 1
    code, compact = _evaluate(capsys, str(cohort), "jsonl", "--columns", "compact")
    assert code == 1
    full_lines = [json.loads(line) for line in full.splitlines()]
    compact_lines = [json.loads(line) for line in compact.splitlines()]
    assert len(full_lines) == len(compact_lines) == 8
    for f, c in zip(full_lines, compact_lines, strict=True):
        if "error" in f:
            assert c == f
            continue
        assert list(c) == ["child_id", "labels", "obligations", "findings"]
        assert {k: v for k, v in c.items() if k != "obligations"} == {
            k: v for k, v in f.items() if k != "obligations"
        }
        assert c["obligations"] and all(list(o) == COMPACT_FIELDS for o in c["obligations"])
        assert c["obligations"] == _restricted(f["obligations"], COMPACT_FIELDS)


def test_json_compact_document_is_the_default_restricted_with_the_catalogue(
    capsys: pytest.CaptureFixture[str], cohort: Path
) -> None:
    code, full = _evaluate(capsys, str(cohort), "json")
    code_c, compact = _evaluate(capsys, str(cohort), "json", "--columns", "compact")
    assert code == code_c == 1
    f, c = json.loads(full), json.loads(compact)
    assert main(["rules", "--format", "json"]) == 0
    assert c.pop("catalogue") == json.loads(capsys.readouterr().out)
    assert list(c) == list(f) and "catalogue" not in f
    assert {k: v for k, v in c.items() if k != "children"} == {
        k: v for k, v in f.items() if k != "children"
    }
    assert len(c["errors"]) == 2
    for fc, cc in zip(f["children"], c["children"], strict=True):
        assert cc["obligations"] == _restricted(fc["obligations"], COMPACT_FIELDS)
        assert (cc["child_id"], cc["labels"], cc["findings"]) == (
            fc["child_id"],
            fc["labels"],
            fc["findings"],
        )
    # as_of and rules_version are the run's: in the header, once, not in each obligation.
    assert c["as_of"] == AS_OF and "as_of" not in c["children"][0]["obligations"][0]


def test_csv_compact_rows_are_the_default_rows_restricted(
    capsys: pytest.CaptureFixture[str], cohort: Path
) -> None:
    _, full = _evaluate(capsys, str(cohort), "csv")
    _, compact = _evaluate(capsys, str(cohort), "csv", "--columns", "compact")
    full_rows = list(csv.DictReader(io.StringIO(full)))
    compact_rows = list(csv.DictReader(io.StringIO(compact)))
    columns = [*COMPACT_COLUMNS, "label_iro", "label_team"]
    assert list(compact_rows[0]) == columns
    assert compact_rows == _restricted(full_rows, columns)


def test_parquet_compact_rows_are_the_default_rows_restricted(
    capsys: pytest.CaptureFixture[str], cohort: Path, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    _evaluate(capsys, str(cohort), "parquet", out=tmp_path / "a.parquet")
    _evaluate(capsys, str(cohort), "parquet", "--columns", "compact", out=tmp_path / "c.parquet")
    full, compact = pq.read_table(tmp_path / "a.parquet"), pq.read_table(tmp_path / "c.parquet")
    columns = [*COMPACT_COLUMNS, "label_iro", "label_team"]
    assert compact.column_names == columns
    assert compact.schema == full.select(columns).schema
    assert compact.to_pylist() == _restricted(full.to_pylist(), columns)
    assert compact.num_rows > 50


def _sheet_rows(path: Path, prefix: str = "obligations") -> tuple[list[str], list[list[Any]]]:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path, read_only=True)
    header: list[str] = []
    rows: list[list[Any]] = []
    for name in book.sheetnames:
        if name == prefix or name.startswith(prefix + "_"):
            first, *rest = book[name].iter_rows(values_only=True)
            assert not header or list(first) == header  # every sheet has the header row
            header = list(first)
            rows += [list(r) for r in rest]
    return header, rows


def test_xlsx_compact_rows_are_the_default_rows_restricted(
    capsys: pytest.CaptureFixture[str], cohort: Path, tmp_path: Path
) -> None:
    pytest.importorskip("openpyxl")
    _evaluate(capsys, str(cohort), "xlsx", out=tmp_path / "a.xlsx")
    _evaluate(capsys, str(cohort), "xlsx", "--columns", "compact", out=tmp_path / "c.xlsx")
    header, full = _sheet_rows(tmp_path / "a.xlsx")
    c_header, compact = _sheet_rows(tmp_path / "c.xlsx")
    columns = [*COMPACT_COLUMNS, "label_iro", "label_team"]
    assert c_header == columns
    full_dicts = [dict(zip(header, r, strict=True)) for r in full]
    assert [dict(zip(c_header, r, strict=True)) for r in compact] == _restricted(
        full_dicts, columns
    )
    assert (
        _sheet_rows(tmp_path / "c.xlsx", "errors")[1]
        == _sheet_rows(tmp_path / "a.xlsx", "errors")[1]
    )


@pytest.fixture
def no_explanations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading an obligation's explanation fails (compact output must never ask for it)."""
    if not isinstance(Obligation.__dict__.get("explanation"), property):
        pytest.skip("the explanation is not a computed attribute here")

    def refuse(self: Obligation) -> str:
        raise AssertionError(f"explanation of {self.key} was read")

    monkeypatch.setattr(Obligation, "explanation", property(refuse))


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "parquet", "xlsx"])
def test_compact_never_reads_the_explanation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str, no_explanations: None
) -> None:
    if fmt in ("parquet", "xlsx"):
        pytest.importorskip({"parquet": "pyarrow", "xlsx": "openpyxl"}[fmt])
    out = tmp_path / f"o.{fmt}"
    assert _evaluate(capsys, DEMO, fmt, "--columns", "compact", out=out)[0] == 0
    assert out.stat().st_size > 1000


def test_chosen_fields_in_json_and_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    """A list picks each obligation's fields in its order; run fields and labels stay where
    they are (header, ``labels``)."""
    spec = "status,key,as_of,label_team,due"
    _, lines = _evaluate(capsys, DEMO, "jsonl", "--columns", spec)
    first = json.loads(lines.splitlines()[0])
    assert list(first["obligations"][0]) == ["status", "key", "due"] and first["labels"]
    _, doc = _evaluate(capsys, DEMO, "json", "--columns", spec)
    parsed = json.loads(doc)
    assert list(parsed["children"][0]["obligations"][0]) == ["status", "key", "due"]
    assert parsed["catalogue"]["rules"] == parsed["rules"] and parsed["as_of"] == AS_OF


def test_pickers_match_the_obligation_and_its_rows() -> None:
    report = evaluate(load_cases(DEMO), as_of=date(2024, 6, 3))
    pick = obligation_picker(OBLIGATION_FIELDS)
    assert all(pick(o) == o.as_dict() for o in report.obligations)
    columns = select_columns(None, ["iro", "team"])
    rows_of = row_maker(columns, as_of=report.as_of, rules_version=report.rules_version)
    made = [dict(zip(columns, r, strict=True)) for c in report.children for r in rows_of(c)]
    assert made == [{c: r.get(c) for c in columns} for r in report.rows()]
    shuffled = ["label_team", "due", "as_of", "key", "label_none", "sequence"]
    rows_of = row_maker(shuffled, as_of=report.as_of, rules_version="v", iso=False)
    child = report.children[0]
    row = next(rows_of(child))
    o = child.obligations[0]
    assert row == [child.labels.get("team"), o.due, report.as_of, o.key, None, o.sequence]


def test_streamed_json_document_is_byte_for_byte_the_report_s(
    capsys: pytest.CaptureFixture[str], cohort: Path
) -> None:
    _, streamed = _evaluate(capsys, str(cohort), "json")
    buf = io.StringIO()
    write_json(evaluate(load_cases(str(cohort)), as_of=date(2024, 6, 3)), buf)
    assert streamed == buf.getvalue()


def test_streamed_json_of_a_return_keeps_its_accounting_and_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = ["docs/examples/ssda903/2023", "docs/examples/ssda903/2024"]
    code = main(["evaluate", *paths, "--input-format", "ssda903", "--as-of", "2024-03-31"])
    streamed = capsys.readouterr().out
    buf = io.StringIO()
    report = evaluate(read_inputs(paths, input_format="ssda903"), as_of=date(2024, 3, 31))
    write_json(report, buf)
    assert code == (1 if report.errors else 0)
    assert streamed == buf.getvalue() and json.loads(streamed)["accounting"]


def test_empty_input_gives_the_empty_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    _, streamed = _evaluate(capsys, str(empty), "json")
    buf = io.StringIO()
    write_json(evaluate([], as_of=date(2024, 6, 3)), buf)
    assert streamed == buf.getvalue()
    assert _evaluate(capsys, str(empty), "csv")[1] == ",".join(ROW_FIELDS) + "\n"


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temporary directory, watched (standard input's copy goes there)."""
    import tempfile

    where = tmp_path / "tmp"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    yield where


def test_stdin_is_copied_aside_for_the_labels_and_the_copy_removed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cohort: Path,
    spool_dir: Path,
) -> None:
    text = cohort.read_text(encoding="utf-8")
    _, from_file = _evaluate(capsys, str(cohort), "csv")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code = main(["evaluate", "-", "--as-of", AS_OF, "--format", "csv"])
    from_stdin, err = capsys.readouterr()
    assert code == 1 and from_stdin == from_file
    assert "<stdin>:7" in err and str(spool_dir) not in err  # named as standard input
    assert not list(spool_dir.iterdir())
    report = evaluate(load_cases(io.StringIO(text), name="<stdin>"), as_of=date(2024, 6, 3))
    buf = io.StringIO()
    write_csv(report, buf)
    assert from_stdin == buf.getvalue()


def test_stdin_copy_is_removed_after_an_error(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cohort: Path,
    spool_dir: Path,
) -> None:
    pytest.importorskip("pyarrow")
    monkeypatch.setattr("sys.stdin", io.StringIO(cohort.read_text(encoding="utf-8")))
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "-", "--as-of", AS_OF, "--format", "parquet", "-o", "/no/such/o.pq"])
    assert exc.value.code == 2 and "cannot write" in capsys.readouterr().err
    assert not list(spool_dir.iterdir())


def test_stdin_without_label_columns_is_not_copied(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cohort: Path,
    spool_dir: Path,
) -> None:
    """JSON, JSON Lines and a chosen list of columns need no first pass."""
    import tempfile

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("standard input was copied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    text = cohort.read_text(encoding="utf-8")
    for fmt, extra in [("json", ()), ("jsonl", ()), ("csv", ("--columns", "key,label_team"))]:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))
        assert main(["evaluate", "-", "--as-of", AS_OF, "--format", fmt, *extra]) == 1
        assert capsys.readouterr().out


def _labelled(child_id: str, labels: dict[str, str]) -> dict[str, object]:
    """A valid case with ``labels`` (only accepted records' label keys are read ahead)."""
    period = {"start": "2020-01-06", "placements": [{"placement_id": "P", "start": "2020-01-06"}]}
    return {
        "child_id": child_id,
        "date_of_birth": "2010-05-01",
        "labels": labels,
        "periods": [period],
    }


def test_scan_label_keys_reads_the_copy_of_stdin(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    lines = [_labelled("A", {"b": "1"}), _labelled("B", {"a": "2"}), {"labels": {"c": "3"}}]
    copy.write_text("".join(json.dumps(r) + "\n" for r in lines), "utf-8")
    assert scan_label_keys(["-"]) is None
    assert scan_label_keys(["-"], stdin=str(copy)) == ["a", "b"]  # not c: that record is rejected
    pretty = tmp_path / "cases.json"
    pretty.write_text(
        json.dumps([_labelled("C", {"z": "1"}), _labelled("D", {"y": "2"})], indent=2)
    )
    one = tmp_path / "one.json"
    one.write_text(json.dumps(_labelled("E", {"x": "1"}), indent=2), encoding="utf-8")
    assert scan_label_keys([str(pretty), str(one), "-"], stdin=str(copy)) == [
        *("a", "b", "x", "y", "z")
    ]


def test_xlsx_continues_on_further_sheets(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cohort: Path,
    tmp_path: Path,
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import lacplan.tabular

    _evaluate(capsys, str(cohort), "xlsx", out=tmp_path / "one.xlsx")
    header, rows = _sheet_rows(tmp_path / "one.xlsx")
    monkeypatch.setattr(lacplan.tabular, "XLSX_MAX_ROWS", 7)
    _evaluate(capsys, str(cohort), "xlsx", out=tmp_path / "many.xlsx")
    names = openpyxl.load_workbook(tmp_path / "many.xlsx", read_only=True).sheetnames
    n = -(-len(rows) // 7)
    assert names == ["obligations", *(f"obligations_{i}" for i in range(2, n + 1)), "errors"]
    assert _sheet_rows(tmp_path / "many.xlsx") == (header, rows)
    names_of = lacplan.tabular.sheet_names("x" * 40)
    assert [next(names_of) for _ in range(3)] == ["x" * 31, "x" * 29 + "_2", "x" * 29 + "_3"]


def test_columns_do_not_apply_to_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", DEMO, "--as-of", AS_OF, "--format", "table", "--columns", "compact"])
    assert exc.value.code == 2 and "--columns applies to" in capsys.readouterr().err


def test_demo_takes_the_presets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--format", "csv", "--columns", "compact"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header == ",".join([*COMPACT_COLUMNS, "label_iro", "label_team"])


def test_the_collector_is_put_back_after_main(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import lacplan.cli_evaluate as cli_evaluate

    monkeypatch.setattr(cli_evaluate, "BATCH_GC_THRESHOLD", 12_345)
    seen: list[tuple[int, ...]] = []
    real = cli_evaluate.run_evaluate

    def spy(*args: Any, **kwargs: Any) -> int:
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(cli_evaluate, "run_evaluate", spy)
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    assert main(["evaluate", DEMO, "--as-of", AS_OF, "--format", "jsonl"]) == 0
    capsys.readouterr()
    assert seen == [(12_345, *before[0][1:])]
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before
    with pytest.raises(SystemExit):
        main(["evaluate", DEMO, "--as-of", AS_OF, "--format", "parquet", "-o", "/no/such/o.pq"])
    capsys.readouterr()
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_an_unknown_column_is_refused_before_stdin_is_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Unread(io.StringIO):
        def read(self, *args: Any) -> str:
            raise AssertionError("standard input was read")

        readline = read  # type: ignore[assignment]

    monkeypatch.setattr("sys.stdin", Unread())
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "-", "--as-of", AS_OF, "--format", "csv", "--columns", "key,nope"])
    assert exc.value.code == 2 and "unknown column(s) nope" in capsys.readouterr().err
