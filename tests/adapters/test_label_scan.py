"""The label columns read ahead (``scan_label_keys``) are those of the records the loader accepts:
a rejected record's label names appear nowhere, not even as a column header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lacplan import Case, load_cases
from lacplan.adapters import scan_label_keys


def _case(child_id: str, labels: dict[str, Any]) -> dict[str, Any]:
    return {
        "child_id": child_id,
        "date_of_birth": "2010-05-01",
        "labels": labels,
        "periods": [
            {"start": "2020-01-06", "placements": [{"placement_id": "P1", "start": "2020-01-06"}]}
        ],
        "events": [],
    }


def _bad(child_id: str, labels: dict[str, Any]) -> dict[str, Any]:
    """Rejected by validation: a date of birth that is not a date."""
    return {**_case(child_id, labels), "date_of_birth": "2010-13-45"}


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return str(path)


def test_a_rejected_line_adds_no_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "cases.jsonl",
        [json.dumps(_case("A1", {"team": "north"})), json.dumps(_bad("A2", {"secret": "x"}))],
    )
    assert scan_label_keys([path]) == ["team"]


def test_a_key_first_seen_on_a_rejected_line_counts_once_a_valid_record_has_it(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "cases.jsonl",
        [json.dumps(_bad("A1", {"iro": "x"})), json.dumps(_case("A2", {"iro": "y"}))],
    )
    assert scan_label_keys([path]) == ["iro"]


def test_a_label_whose_value_is_not_text_is_a_rejection(tmp_path: Path) -> None:
    path = _write(tmp_path / "cases.jsonl", [json.dumps(_case("A1", {"team": 5}))])
    assert scan_label_keys([path]) == []


def test_an_object_with_a_key_given_twice_is_invalid_json_and_adds_no_key(tmp_path: Path) -> None:
    text = json.dumps(_case("A1", {"team": "north"}))
    twice = text.replace('"child_id": "A1"', '"child_id": "A1", "child_id": "A1"')
    assert twice != text and json.loads(twice)["labels"] == {"team": "north"}
    path = _write(tmp_path / "cases.jsonl", [twice])
    assert scan_label_keys([path]) == []


def test_documents_and_unnamed_json_lines_are_read_as_the_loader_reads_them(
    tmp_path: Path,
) -> None:
    array = tmp_path / "array.json"
    array.write_text(json.dumps([_case("A1", {"team": "n"}), _bad("A2", {"secret": "x"})]))
    pretty = tmp_path / "one.json"
    pretty.write_text(json.dumps(_case("A3", {"iro": "x"}), indent=2))
    lines = _write(
        tmp_path / "lines.json",  # not named as JSON Lines: its first line is a whole object
        [json.dumps(_bad("A4", {"secret": "x"})), json.dumps(_case("A5", {"area": "e"}))],
    )
    assert scan_label_keys([str(array)]) == ["team"]
    assert scan_label_keys([str(pretty)]) == ["iro"]
    assert scan_label_keys([lines]) == ["area"]
    assert scan_label_keys([str(array), str(pretty), lines]) == ["area", "iro", "team"]


def test_a_byte_order_mark_counts_on_the_first_line_only(tmp_path: Path) -> None:
    good = json.dumps(_case("A1", {"team": "n"})).encode()
    other = json.dumps(_case("A2", {"iro": "x"})).encode()
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\n\xef\xbb\xbf" + other + b"\n")
    loaded = [r for r in load_cases(str(path)) if isinstance(r, Case)]
    assert [c.child_id for c in loaded] == ["A1"]  # the loader rejects the second line
    assert scan_label_keys([str(path)]) == ["team"]


_KEYS = st.sampled_from(["team", "iro", "area", "secret", "2010-05-01"])
_VALUES = st.one_of(st.sampled_from(["a", "b"]), st.integers(0, 3))
_RECORD = st.tuples(
    st.sampled_from(["good", "bad", "not_json", "blank"]),
    st.dictionaries(_KEYS, _VALUES, max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(records=st.lists(_RECORD, max_size=8), name=st.sampled_from(["c.jsonl", "c.json"]))
def test_the_keys_are_those_of_the_records_the_loader_accepts(
    tmp_path_factory: Any, records: list[tuple[str, dict[str, Any]]], name: str
) -> None:
    lines = []
    for n, (kind, labels) in enumerate(records):
        if kind == "good":
            lines.append(json.dumps(_case(f"C{n}", labels)))
        elif kind == "bad":
            lines.append(json.dumps(_bad(f"C{n}", labels)))
        elif kind == "not_json":
            lines.append(json.dumps(_case(f"C{n}", labels))[:-1])
        else:
            lines.append("")
    path = _write(tmp_path_factory.mktemp("scan") / name, lines)
    accepted = {k for r in load_cases(path) if isinstance(r, Case) for k in r.labels}
    assert scan_label_keys([path]) == sorted(accepted)


def test_a_file_the_loader_rejects_whole_adds_no_key(tmp_path: Path) -> None:
    # Not named as JSON Lines, and its first line is not one object the loader can read (a key
    # given twice): the loader reads the file as one document, which is not valid JSON, and
    # rejects it whole, the valid second line with it.
    first = json.dumps(_case("A1", {"team": "n"})).replace(
        '"child_id": "A1"', '"child_id": "A1", "child_id": "A1"'
    )
    path = _write(tmp_path / "cases.json", [first, json.dumps(_case("A2", {"iro": "x"}))])
    assert [r for r in load_cases(path) if isinstance(r, Case)] == []
    assert scan_label_keys([path]) == []
