"""``lacplan.partitions`` on plain pandas frames (no Dask): the rows and rejections of each
partition are those of ``lacplan.evaluate`` over the same records, row for row."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import lacplan  # noqa: E402
from lacplan.partitions import (  # noqa: E402
    CASES_COLUMNS,
    ERROR_COLUMNS,
    cases_meta,
    errors_meta,
    evaluate_partition,
    label_names,
    obligations_meta,
    obligations_schema,
    partition_errors,
    read_cases,
)
from lacplan.report import ROW_FIELDS  # noqa: E402
from lacplan.tabular import to_arrow  # noqa: E402

from .cohort import (  # noqa: E402
    AS_OF,
    case_texts,
    frame_rows,
    report_errors,
    report_rows,
    write_messy_jsonl,
)

LABELS = ("iro", "la", "team")


def _records(errors: list[dict[str, object]]) -> list[tuple[object, object]]:
    """The rejected records (file, line) of error rows, in order (a row per problem)."""
    return list(dict.fromkeys((e["file"], e["line"]) for e in errors))


def _cases(texts: list[str]) -> list[lacplan.Case]:
    return [lacplan.parse_case(json.loads(t)) for t in texts]


def test_rows_equal_evaluate_row_for_row() -> None:
    texts = case_texts(24)
    frame = pd.DataFrame({"case": texts})
    expected = report_rows(lacplan.evaluate(_cases(texts), AS_OF), LABELS)
    got = evaluate_partition(frame, as_of=AS_OF, labels=LABELS)
    assert list(got.columns) == [*ROW_FIELDS, *(f"label_{n}" for n in LABELS)]
    assert len(expected) > 24 * 10
    assert frame_rows(got) == expected


def test_partitions_concatenate_to_the_whole() -> None:
    texts = case_texts(15)
    frame = pd.DataFrame({"case": texts})
    whole = frame_rows(evaluate_partition(frame, as_of=AS_OF, labels=("team",)))
    parts = [frame.iloc[:4], frame.iloc[4:5], frame.iloc[5:5], frame.iloc[5:]]
    pieces = [evaluate_partition(p, as_of=AS_OF, labels=("team",)) for p in parts]
    assert [r for p in pieces for r in frame_rows(p)] == whole


def test_messy_jsonl_file_is_read_as_load_cases_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "messy.jsonl"
    write_messy_jsonl(path, case_texts(6))
    frame = read_cases(path)
    assert list(frame.columns) == list(CASES_COLUMNS)
    report = lacplan.evaluate(lacplan.load_cases(path), AS_OF)
    assert len(report.children) == 6 and len(report.errors) == 6

    rows = evaluate_partition(frame, as_of=AS_OF, labels=LABELS)
    assert frame_rows(rows) == report_rows(report, LABELS)

    errors = frame_rows(partition_errors(frame))
    expected = report_errors(report.errors)
    assert [e["line"] for e in errors] == [5, 6, 8, 10, 11, 14]
    # Every rejection as load_cases gives it, file, line, code, field and message; a line
    # that is not UTF-8 (carried as a null text) has a message of its own.
    for got, want in zip(errors, expected, strict=True):
        if got["line"] == 10:
            assert got["code"] == want["code"] == "invalid_json"
            assert got["message"].startswith("line 10 holds no case text")
        else:
            assert got == want
    # Nothing is lost: every non-blank line is evaluated or rejected.
    assert len(frame) == len(report.children) + len({(e["file"], e["line"]) for e in errors})


def test_rejected_lines_are_renumbered_to_their_rows() -> None:
    frame = pd.DataFrame(
        {
            "file": ["a.jsonl", "a.jsonl", "b.jsonl", None],
            "line": [40, 41, 3, None],
            "case": ['{"x": ', '{"child_id": "C9"}', "oops", "{}"],
        }
    )
    errors = partition_errors(frame, partition_info={"number": 3})
    got = frame_rows(errors)
    assert _records(got) == [("a.jsonl", 40), ("a.jsonl", 41), ("b.jsonl", 3), ("<partition 3>", 4)]
    assert got[0]["message"].startswith("line 40 is not valid JSON: ")
    (oops,) = [e for e in got if e["file"] == "b.jsonl"]
    assert oops["message"].startswith("line 3 is not valid JSON: ")
    assert {e["child_id"] for e in got if e["line"] == 41} == {"C9"}
    assert list(errors.columns) == list(ERROR_COLUMNS)
    assert errors.dtypes.equals(errors_meta().dtypes)


def test_frames_without_file_or_line_name_the_partition() -> None:
    frame = pd.DataFrame({"case": [*case_texts(2), None, "  ", "[]"]})
    errors = frame_rows(partition_errors(frame))
    assert [(e["file"], e["line"], e["code"]) for e in errors] == [
        ("<partition>", 3, "invalid_json"),
        ("<partition>", 4, "invalid_json"),
        ("<partition>", 5, "not_an_object"),
    ]
    assert len(evaluate_partition(frame, as_of=AS_OF)["child_id"].unique()) == 2


def test_parquet_input_with_multiline_and_null_texts(tmp_path: Path) -> None:
    texts = case_texts(5, start=30)
    pretty = json.dumps(json.loads(texts[1]), indent=2)  # a case over many lines
    broken = '{"child_id": "NL1",\n "date_of_birth": "2010-01-\n01"}'  # a line break in a string
    column = [texts[0], pretty, None, broken, *texts[2:]]
    path = tmp_path / "cohort.parquet"
    pq.write_table(pa.table({"case": column, "other": list(range(len(column)))}), path)

    frame = read_cases(str(path))
    assert frame["line"].tolist() == list(range(1, 8))
    assert set(frame["file"]) == {str(path)}
    rows = evaluate_partition(frame, as_of=AS_OF)
    assert frame_rows(rows) == report_rows(lacplan.evaluate(_cases(texts), AS_OF))
    errors = frame_rows(partition_errors(frame))
    assert [(e["line"], e["code"]) for e in errors] == [(3, "invalid_json"), (4, "invalid_json")]
    assert errors[1]["message"].startswith("line 4 is not valid JSON: Invalid control character")


def test_parquet_input_keeps_its_own_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.parquet"
    table = pa.table(
        {"file": ["src.jsonl", "src.jsonl"], "line": [7, 9], "case": [b'{"a": 1}', b"\xff"]}
    )
    pq.write_table(table, path)
    errors = frame_rows(partition_errors(read_cases(path)))
    assert _records(errors) == [("src.jsonl", 7), ("src.jsonl", 9)]
    assert errors[-1]["message"].startswith("line 9 holds no case text")


def test_types_match_meta_and_the_cli_parquet_schema(tmp_path: Path) -> None:
    texts = case_texts(8)
    report = lacplan.evaluate(_cases(texts), AS_OF)
    got = evaluate_partition(pd.DataFrame({"case": texts}), as_of=AS_OF, labels=LABELS)
    assert got.dtypes.equals(obligations_meta(LABELS).dtypes)
    assert list(obligations_meta(LABELS).columns) == list(got.columns)
    assert obligations_schema(LABELS) == to_arrow(report).schema
    arrow = pa.Table.from_pandas(got, preserve_index=False)
    assert arrow.schema.remove_metadata() == to_arrow(report).schema
    empty = evaluate_partition(cases_meta(), as_of=AS_OF, labels=LABELS)
    assert empty.empty and empty.dtypes.equals(got.dtypes)
    assert partition_errors(cases_meta()).dtypes.equals(errors_meta().dtypes)


def test_columns_and_rules_options() -> None:
    texts = case_texts(6)
    frame = pd.DataFrame({"case": texts})
    chosen = ["key", "child_id", "due", "status", "as_of"]
    got = evaluate_partition(frame, as_of=AS_OF, columns=chosen, labels=("team",))
    full = report_rows(lacplan.evaluate(_cases(texts), AS_OF), ("team",))
    assert frame_rows(got) == [{c: r[c] for c in [*chosen, "label_team"]} for r in full]

    ifa = evaluate_partition(frame, as_of=AS_OF, rules="england", overlays=("ifa",))
    expected = lacplan.evaluate(_cases(texts), AS_OF, overlays=("ifa",))
    assert frame_rows(ifa) == report_rows(expected)
    assert len(ifa) > len(got)


def test_as_of_is_converted_as_evaluate_converts_it() -> None:
    frame = pd.DataFrame({"case": case_texts(2)})
    by_date = evaluate_partition(frame, as_of=AS_OF)
    by_timestamp = evaluate_partition(frame, as_of=pd.Timestamp(AS_OF))
    assert by_timestamp.equals(by_date)
    with pytest.raises(lacplan.UsageError, match="as_of"):
        evaluate_partition(frame, as_of="2024-06-03")  # type: ignore[arg-type]


def test_usage_errors_name_columns_not_values() -> None:
    frame = pd.DataFrame({"record": ['{"child_id": "SECRET-ID"}']})
    with pytest.raises(lacplan.UsageError, match="'case' column") as caught:
        evaluate_partition(frame, as_of=AS_OF)
    assert "SECRET" not in str(caught.value) and "'record'" in str(caught.value)
    with pytest.raises(lacplan.UsageError, match="ROW_FIELDS"):
        obligations_meta(columns=["key", "nope"])
    with pytest.raises(lacplan.UsageError):
        obligations_meta(labels="team")
    with pytest.raises(lacplan.UsageError, match="neither"):
        read_cases("cohort.csv")


def test_label_names_are_the_labels_used() -> None:
    texts = case_texts(20)
    frame = pd.DataFrame({"case": [*texts, "not json", '{"labels": {"extra": "x"}}', None]})
    names = label_names(frame)
    assert names["label"].tolist() == ["extra", *LABELS]
    report = lacplan.evaluate(_cases(texts), AS_OF)
    assert sorted({k for c in report.children for k in c.labels}) == list(LABELS)


def test_dates_in_rows_are_dates() -> None:
    got = evaluate_partition(pd.DataFrame({"case": case_texts(1)}), as_of=AS_OF)
    assert set(got["as_of"].tolist()) == {date(2024, 6, 3)}
