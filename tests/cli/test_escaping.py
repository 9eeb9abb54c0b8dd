"""Hostile text in ids, labels and paths: the table and every line on standard error escape
control characters and lone surrogates; CSV, xlsx and Parquet never crash on them; xlsx cells
are text, never formulas; ``--excel-safe`` (docs/outputs.md)."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from lacplan.cli import main
from lacplan.escape import FORMULA_STARTS, excel_safe, printable, printable_lines

AS_OF = "2021-03-01"
#: What must never reach a terminal raw: C0 but the line feed, DEL, C1, surrogates.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
ESCAPE = "\x1b[2J\x1b]0;owned\x07"  # clear the screen, retitle the window


def _case(child_id: str, labels: dict[str, str], placement: str = "PL1", **extra: Any) -> Any:
    return {
        "child_id": child_id,
        "date_of_birth": "2012-04-02",
        "labels": labels,
        "periods": [
            {
                "start": "2020-12-18",
                "entry": "emergency",
                "placements": [{"placement_id": placement, "start": "2020-12-18"}],
            }
        ],
        "events": [{"type": "review", "date": "2021-01-20"}],
        **extra,
    }


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """An evaluated child whose id, placement id and labels hold control characters, and a
    rejected record (a bad date) whose id tries to forge an error line."""
    good = _case(
        f"C1{ESCAPE}\u0085\u009bX",
        {"team": '=HYPERLINK("http://x")', "iro": "-X1\t\x00\x7f\nforged: line"},
        placement=f"@PL1\r{ESCAPE}Z",
    )
    bad = _case("B\x1b[1A\x1b[2K  cases.json:9: ok\u2028X", {}, date_of_birth="2012-02-30")
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def surrogates(tmp_path: Path) -> Path:
    """Lone surrogates in a label, a label key and an id (which the model may reject)."""
    one = _case("S1", {"team": "T\ud800", "k\udfff": "v"})
    two = _case("S2\ud83d", {"team": "T"})
    path = tmp_path / "surrogates.jsonl"
    path.write_text(json.dumps(one) + "\n" + json.dumps(two) + "\n", encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _clean(text: str) -> None:
    found = RAW.search(text)
    assert found is None, f"raw {found.group()!r} in {text[max(found.start() - 40, 0) :][:80]!r}"


# ---------------------------------------------------------------------------- the functions
def test_printable_escapes_c0_del_c1_and_surrogates_only() -> None:
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, 0xD800, 0xDFFF]:
        escaped = printable(chr(code))
        assert escaped == (f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")
    kept = "Zoë O'Brien, équipe \\ 3 — 東京 \u00a0 \U0001f600 \u200b"
    assert printable(kept) is kept or printable(kept) == kept
    assert printable("plain id") == "plain id"
    assert printable_lines("a\x1b\nb\tc") == "a\\x1b\nb\\x09c"


def test_excel_safe_prefixes_text_only() -> None:
    for start in FORMULA_STARTS:
        assert excel_safe(f"{start}1+1") == f"'{start}1+1"
    assert [excel_safe(v) for v in (-3, 0, 2.5, None, "", "C1", "2021-01-01")] == [
        -3, 0, 2.5, None, "", "C1", "2021-01-01"
    ]  # fmt: skip


# ---------------------------------------------------------------------------- terminal output
def test_the_table_and_standard_error_escape_everything(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    code, out, err = _run(capsys, "evaluate", str(hostile), "--as-of", AS_OF, "--format",
                          "table", "--explain")  # fmt: skip
    assert code == 1
    _clean(out)
    _clean(err)
    assert "Child C1\\x1b[2J\\x1b]0;owned\\x07\\u0085\\u009bX" in out
    assert "iro=-X1\\x09\\x00\\x7f\\x0aforged: line" in out
    assert "@PL1\\x0d\\x1b[2J" in out
    rejected = [line for line in out.splitlines() if "(child B" in line]
    assert len(rejected) == 1 and "B\\x1b[1A\\x1b[2K  cases.json:9: ok\\u2028X" in rejected[0]
    assert err == ""  # the table lists the rejected records itself


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_error_lines_on_standard_error_are_escaped_for_every_format(
    capsys: pytest.CaptureFixture[str], hostile: Path, fmt: str
) -> None:
    code, _, err = _run(capsys, "evaluate", str(hostile), "--as-of", AS_OF, "--format", fmt)
    assert code == 1
    _clean(err)
    assert all(
        line.startswith(f"  {hostile}:2 ") or line == "1 record rejected:"
        for line in err.splitlines()
    ), err


def test_summary_upcoming_and_explain_tables_are_escaped(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    base = [str(hostile), "--as-of", AS_OF]
    for argv in (
        ["summary", *base, "--by", "label:team"],
        ["upcoming", *base, "--days", "400", "--by", "label:iro"],
        ["explain", *base, "--child", f"C1{ESCAPE}\u0085\u009bX"],
    ):
        code, out, err = _run(capsys, *argv)
        assert code == 1, argv
        _clean(out)
        _clean(err)


def test_usage_errors_are_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / f"no{ESCAPE}\udcff.json")  # \udcff: the byte 0xff, not UTF-8
    for argv in (
        ["evaluate", missing, "--as-of", AS_OF],
        ["evaluate", missing, "--as-of", f"2021{ESCAPE}"],
        ["evaluate", missing, "--as-of", AS_OF, f"--bogus{ESCAPE}"],
        ["evaluate", missing, "--as-of", AS_OF, "-o", missing + "/x"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        _clean(err)
        assert "Traceback" not in err and "\\x1b[2J" in err


# ---------------------------------------------------------------------------- lone surrogates
@pytest.mark.parametrize("fmt", ["table", "csv", "json", "jsonl"])
def test_lone_surrogates_never_crash_a_text_format(
    capsys: pytest.CaptureFixture[str], surrogates: Path, tmp_path: Path, fmt: str
) -> None:
    code, out, err = _run(capsys, "evaluate", str(surrogates), "--as-of", AS_OF, "--format", fmt)
    assert code in (0, 1) and "Traceback" not in err
    _clean(err)
    if fmt in ("table", "json", "jsonl"):
        _clean(out)  # escaped (table) or JSON escapes, ASCII (json, jsonl)
    target = tmp_path / f"out.{fmt}"
    assert main(["evaluate", str(surrogates), "--as-of", AS_OF, "--format", fmt, "-o",
                 str(target)]) == code  # fmt: skip
    text = target.read_bytes().decode("utf-8")  # valid UTF-8 whatever came in
    if fmt in ("json", "jsonl"):
        assert text.isascii()
    if fmt == "csv" and code == 0:
        assert "T\\ud800" in text  # the last line of defence: backslashreplace


def test_json_outputs_keep_their_escapes(capsys: pytest.CaptureFixture[str], hostile: Path) -> None:
    """JSON relies on JSON escaping: the exact strings come back."""
    _, out, _ = _run(capsys, "evaluate", str(hostile), "--as-of", AS_OF, "--format", "jsonl")
    first = json.loads(out.splitlines()[0])
    assert first["child_id"] == f"C1{ESCAPE}\u0085\u009bX" and out.isascii()


# ---------------------------------------------------------------------------- spreadsheets
def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_keeps_exact_strings_and_excel_safe_prefixes_them(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    argv = ["evaluate", str(hostile), "--as-of", AS_OF, "--format", "csv"]
    _, plain, _ = _run(capsys, *argv)
    _, safe, _ = _run(capsys, *argv, "--excel-safe")
    exact, guarded = _csv_rows(plain), _csv_rows(safe)
    placed = next(i for i, row in enumerate(exact) if row["placement_id"])
    assert exact[0]["label_team"] == '=HYPERLINK("http://x")'
    assert exact[placed]["placement_id"] == f"@PL1\r{ESCAPE}Z"
    assert guarded[0]["label_team"] == '\'=HYPERLINK("http://x")'
    assert guarded[0]["label_iro"] == "'-X1\t\x00\x7f\nforged: line"
    assert guarded[placed]["placement_id"] == f"'@PL1\r{ESCAPE}Z"
    for e, g in zip(exact, guarded, strict=True):
        for column, value in e.items():
            risky = value.startswith(FORMULA_STARTS)
            assert g[column] == (f"'{value}" if risky else value), column
            if column in ("sequence", "days_late", "due", "as_of"):
                assert not g[column].startswith("'")  # numbers and dates: never prefixed


def test_excel_safe_applies_to_csv_only(capsys: pytest.CaptureFixture[str], hostile: Path) -> None:
    for fmt in ("json", "jsonl", "table"):
        with pytest.raises(SystemExit) as exc:
            main(["evaluate", str(hostile), "--as-of", AS_OF, "--format", fmt, "--excel-safe"])
        assert exc.value.code == 2
        assert "--excel-safe applies to --format csv" in capsys.readouterr().err
    code, out, _ = _run(capsys, "summary", str(hostile), "--as-of", AS_OF, "--by", "label:team",
                        "--format", "csv", "--excel-safe")  # fmt: skip
    assert code == 1 and "'=HYPERLINK" in out


def test_xlsx_cells_are_text_never_formulas(
    capsys: pytest.CaptureFixture[str], hostile: Path, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "out.xlsx"
    assert main(["evaluate", str(hostile), "--as-of", AS_OF, "--format", "xlsx", "-o",
                 str(out)]) == 1  # fmt: skip
    book = openpyxl.load_workbook(out)
    sheet = book["obligations"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    placed = next(row for row in rows if row[header.index("placement_id")].value)
    cells = {name: rows[0][i] for i, name in enumerate(header)}
    team = cells["label_team"]
    assert team.value == '=HYPERLINK("http://x")' and team.data_type == "s" and team.quotePrefix
    iro = cells["label_iro"]  # no NUL in XML: escaped; tab, line feed and DEL kept
    assert iro.value == "-X1\t\\x00\x7f\nforged: line" and iro.quotePrefix
    placement = placed[header.index("placement_id")]  # XML reads a carriage return as \n
    assert placement.value == "@PL1\n\\x1b[2J\\x1b]0;owned\\x07Z" and placement.quotePrefix
    assert cells["child_id"].value == "C1\\x1b[2J\\x1b]0;owned\\x07\u0085\u009bX"
    assert not cells["child_id"].quotePrefix
    assert cells["sequence"].data_type == "n" and cells["due"].is_date
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    errors = book["errors"]
    assert errors.cell(row=2, column=3).value.startswith("B\\x1b[1A")


def test_xlsx_writer_on_every_awkward_string(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from lacplan.tabular import write_xlsx

    values = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "#N/A", "#DIV/0!", "a\x1bb", "a\ud800b", -3]
    path = tmp_path / "awkward.xlsx"
    write_xlsx(str(path), {"s": ([f"c{i}" for i in range(len(values))], [values])})
    row = next(openpyxl.load_workbook(path)["s"].iter_rows(min_row=2))
    assert [c.value for c in row] == [*values[:5], "\nx", *values[6:8], "a\\x1bb", "a\\ud800b", -3]
    assert [c.data_type for c in row] == ["s"] * 10 + ["n"]
    assert [bool(c.quotePrefix) for c in row] == [True] * 6 + [False] * 5


def test_parquet_never_crashes_on_a_lone_surrogate(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    from lacplan.tabular import write_parquet_rows

    path = tmp_path / "s.parquet"
    write_parquet_rows(str(path), ["child_id", "days_late"], [["S\ud800\x1b", -3], ["ok", None]])
    assert pq.read_table(path).to_pylist() == [
        {"child_id": "S\\ud800\x1b", "days_late": -3},  # control characters kept exactly
        {"child_id": "ok", "days_late": None},
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_file_formats_take_hostile_cases_from_the_command_line(
    capsys: pytest.CaptureFixture[str], hostile: Path, surrogates: Path, tmp_path: Path, fmt: str
) -> None:
    pytest.importorskip({"xlsx": "openpyxl", "parquet": "pyarrow"}[fmt])
    for source in (hostile, surrogates):
        out = tmp_path / f"{source.stem}.{fmt}"
        code = main(["evaluate", str(source), "--as-of", AS_OF, "--format", fmt, "-o", str(out)])
        assert code in (0, 1) and out.stat().st_size > 0
        _clean(capsys.readouterr().err)


def test_names_in_the_escape_table_are_what_unicode_calls_controls() -> None:
    """Every code point escaped is a control (Cc), a surrogate (Cs) or a line or paragraph
    separator (Zl, Zp), and every one of those is."""
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        assert (printable(char) != char) == (category in ("Cc", "Cs", "Zl", "Zp")), hex(code)
