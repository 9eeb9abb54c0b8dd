"""load_cases: format detection, streaming, positions and line numbers, bad records."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from lacplan.errors import UsageError
from lacplan.loaders import load_cases
from lacplan.model import Case, RecordError

from .factories import DOB, assert_private, make_case


def _case(child_id: str) -> dict[str, Any]:
    case = make_case()
    case["child_id"] = child_id
    return case


def _bad(child_id: str) -> dict[str, Any]:
    case = _case(child_id)
    case["periods"][0]["end"] = "2019-01-01"
    return case


def _line(obj: object) -> str:
    return json.dumps(obj) + "\n"


def _summary(results: list[Case | RecordError]) -> list[tuple[str, int | None, str | None]]:
    out: list[tuple[str, int | None, str | None]] = []
    for r in results:
        if isinstance(r, Case):
            out.append(("case", None, r.child_id))
        else:
            out.append(("error", r.line, r.child_id))
            for problem in r.problems:
                assert_private(problem.message)
    return out


def _valid_ids(items: Iterable[Case | RecordError]) -> list[str]:
    out = []
    for item in items:
        assert isinstance(item, Case)
        out.append(item.child_id)
    return out


class StrictLines:
    """A text file that fails the test if more than ``allowed`` lines are read."""

    name = "strict.txt"

    def __init__(self, text: str, allowed: int) -> None:
        self._lines = text.splitlines(keepends=True)
        self.allowed = allowed
        self.read = 0

    def readline(self) -> str:
        if self.read >= self.allowed:
            raise AssertionError(f"read line {self.read + 1}; only {self.allowed} were needed")
        self.read += 1
        return self._lines[self.read - 1] if self.read <= len(self._lines) else ""


def test_jsonl_line_numbers_count_blank_lines() -> None:
    text = "\n" + _line(_case("1")) + "   \n\n" + _line(_bad("2")) + "{oops\n" + _line(_case("4"))
    results = list(load_cases(io.StringIO(text), name="in.jsonl"))
    assert _summary(results) == [
        ("case", None, "1"),
        ("error", 5, "2"),
        ("error", 6, None),
        ("case", None, "4"),
    ]
    assert {r.file for r in results if isinstance(r, RecordError)} == {"in.jsonl"}


def test_jsonl_detected_without_extension() -> None:
    text = "\n\n" + _line(_case("1")) + "\n" + _line(_bad("2"))
    assert _summary(list(load_cases(io.StringIO(text)))) == [("case", None, "1"), ("error", 5, "2")]


def test_jsonl_is_streamed_with_extension() -> None:
    lines = "".join(_line(_case(str(n))) for n in range(1, 6))
    source = StrictLines(lines, allowed=2)
    loaded = load_cases(source, name="cases.ndjson")  # type: ignore[arg-type]
    assert _valid_ids(islice(loaded, 2)) == ["1", "2"]
    assert source.read == 2
    source.allowed = 6
    assert _valid_ids(loaded) == ["3", "4", "5"]


def test_jsonl_is_streamed_when_detected() -> None:
    lines = "".join(_line(_case(str(n))) for n in range(1, 6))
    source = StrictLines(lines, allowed=2)  # detection looks one line ahead
    loaded = load_cases(source)  # type: ignore[arg-type]
    assert _valid_ids(islice(loaded, 2)) == ["1", "2"]
    source.allowed = 3
    assert _valid_ids(islice(loaded, 1)) == ["3"]


def test_array_positions() -> None:
    text = json.dumps([_case("1"), _bad("2"), 7, _case("4"), {"child_id": "5"}], indent=2)
    results = list(load_cases(io.StringIO(text), name="batch.json"))
    assert _summary(results) == [
        ("case", None, "1"),
        ("error", 2, "2"),
        ("error", 3, None),
        ("case", None, "4"),
        ("error", 5, "5"),
    ]
    assert [p.code for p in results[2].problems] == ["not_an_object"]  # type: ignore[union-attr]
    assert [p.code for p in results[4].problems] == ["missing_field"]  # type: ignore[union-attr]


def test_single_pretty_printed_object() -> None:
    text = "\n" + json.dumps(_bad("9"), indent=2) + "\n"
    assert _summary(list(load_cases(io.StringIO(text)))) == [("error", 1, "9")]


def test_single_object_on_one_line() -> None:
    text = "\n  " + _line(_case("9")) + "\n\n"
    assert _summary(list(load_cases(io.StringIO(text)))) == [("case", None, "9")]


def test_file_that_is_not_json() -> None:
    [error] = load_cases(io.StringIO("child_id,date_of_birth\n0042,23/07/2009\n"), name="x.csv")
    assert isinstance(error, RecordError)
    assert (error.line, [p.code for p in error.problems]) == (1, ["invalid_json"])
    assert "line 1, column 1" in error.problems[0].message
    assert "23/07/2009" not in error.problems[0].message


def test_broken_array_is_one_rejected_record() -> None:
    text = "[\n" + json.dumps(_case("1")) + ",\n{\n"
    [error] = load_cases(io.StringIO(text))
    assert isinstance(error, RecordError)
    assert (error.line, error.child_id, error.problems[0].code) == (1, None, "invalid_json")


def test_jsonl_line_that_is_not_an_object() -> None:
    text = _line(_case("1")) + "[1, 2]\n" + '"566910"\n'
    results = list(load_cases(io.StringIO(text)))
    assert _summary(results) == [("case", None, "1"), ("error", 2, None), ("error", 3, None)]
    assert [r.problems[0].code for r in results[1:]] == ["not_an_object"] * 2  # type: ignore[union-attr]


def test_empty_inputs() -> None:
    assert list(load_cases(io.StringIO(""))) == []
    assert list(load_cases(io.StringIO("\n  \n"))) == []
    assert list(load_cases(io.StringIO("[]"))) == []


def test_records_in_equal_valid_plus_rejected() -> None:
    records = [_case("1"), _bad("2"), {"child_id": "3"}, _case("4"), "x", _bad("6")]
    text = "".join(_line(r) for r in records) + "not json\n"
    results = list(load_cases(io.StringIO(text)))
    valid = [r for r in results if isinstance(r, Case)]
    rejected = [r for r in results if isinstance(r, RecordError)]
    assert len(records) + 1 == len(results) == len(valid) + len(rejected)
    assert (len(valid), len(rejected)) == (2, 5)


def test_paths_and_names(tmp_path: Path) -> None:
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text(_line(_bad("1")), encoding="utf-8")
    [error] = load_cases(jsonl)
    assert isinstance(error, RecordError)
    assert error.file == str(jsonl)
    [error] = load_cases(str(jsonl), name="upload.jsonl")
    assert error.file == "upload.jsonl"  # type: ignore[union-attr]
    with jsonl.open(encoding="utf-8") as fh:
        [error] = load_cases(fh)
        assert error.file == str(jsonl)  # type: ignore[union-attr]
    [error] = load_cases(io.StringIO(_line(_bad("1"))))
    assert error.file == "<stream>"  # type: ignore[union-attr]


def test_jsonl_extension_reads_every_line_as_a_record(tmp_path: Path) -> None:
    path = tmp_path / "pretty.jsonl"
    path.write_text(json.dumps(_case("1"), indent=2), encoding="utf-8")
    results = list(load_cases(path))
    assert all(isinstance(r, RecordError) for r in results)
    assert len(results) == len(path.read_text().splitlines())


def test_bytes_bom_and_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + _line(_case("1")).encode()
        + b'{"child_id": "\xff"}\n'
        + _line(_case("3")).encode()
    )
    assert _summary(list(load_cases(path))) == [
        ("case", None, "1"),
        ("error", 2, None),
        ("case", None, "3"),
    ]
    with path.open("rb") as fh:
        assert len(list(load_cases(fh))) == 3
    single = tmp_path / "case.json"
    single.write_bytes(b"\xef\xbb\xbf" + json.dumps(_case("1"), indent=2).encode())
    assert _summary(list(load_cases(single))) == [("case", None, "1")]


def test_paths_are_opened_lazily_and_closed(tmp_path: Path) -> None:
    missing = load_cases(tmp_path / "missing.json")
    with pytest.raises(FileNotFoundError):
        next(missing)
    path = tmp_path / "cases.jsonl"
    path.write_text(_line(_case("1")) + _line(_case("2")), encoding="utf-8")
    loaded = load_cases(path)
    next(loaded)
    loaded.close()  # type: ignore[attr-defined]


def test_bad_source_type() -> None:
    with pytest.raises(UsageError):
        load_cases(42)  # type: ignore[arg-type]


def test_date_of_birth_never_in_errors() -> None:
    bad = _case("1")
    bad["date_of_birth"] = "23-07-2009"
    worse = _case("2")
    worse["date_of_birth"] = DOB + "T08:00:00Z"
    text = _line(bad) + _line(worse)
    for error in load_cases(io.StringIO(text)):
        assert isinstance(error, RecordError)
        rendered = json.dumps(error.as_dict()) + str(error.to_exception())
        assert "23-07-2009" not in rendered
        assert DOB not in rendered
