"""``lacplan.load_cases`` fuzzed: arbitrary bytes, mutated seeds (``lacplan synth 5 --seed 1``),
and each kind of hostile input placed on purpose.

Every input goes through the ``loaders`` target (``fuzz/targets/loaders.py``), which checks that
nothing escapes, that records in == cases + rejected, that codes are documented and that no
message holds the sentinel date of birth (2009-07-13).
"""

from __future__ import annotations

import io
import json
from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz.checks import SENTINEL_FORMS, check_no_sentinel
from fuzz.jsonmut import doubled_key, put_at_random, write_records
from fuzz.mutate import BOM, HUGE_NUMBER, Pairs, Raw, deep, encode
from fuzz.targets import Target
from fuzz.targets.loaders import JsonFile, seed_records
from lacplan import load_cases
from lacplan.model import Case, RecordError
from tests.fuzz import examples

NAMES = ("cases.jsonl", "cases.json", None)

#: One hostile value of each kind the issue lists (and a few more).
HOSTILE: dict[str, Any] = {
    "huge_number": Raw(HUGE_NUMBER),
    "huge_negative_number": Raw("-" + HUGE_NUMBER),
    "huge_float": Raw("1" + "0" * 5000 + ".5"),
    "nan": Raw("NaN"),
    "infinity": Raw("-Infinity"),
    "overflowing_exponent": Raw("1e999"),
    "deep_arrays": deep(100_000),
    "deep_objects": deep(20_000, objects=True),
    "nesting_60": deep(60),
    "lone_surrogate": "\ud800",
    "reversed_surrogates": "\udc00\ud800",
    "escape_sequence": "\x1b]0;title\x07\x1b[2J",
    "nul": "\x00",
    "list": [],
    "object": {},
    "number": 20090713,
    "null": None,
    "boolean": True,
    "long_string": "x" * 100_000,
}


@cache
def _records() -> tuple[dict[str, Any], ...]:
    return tuple(seed_records())


@cache
def _seeds(target: Target[Any]) -> tuple[JsonFile, ...]:
    return tuple(target.seeds())


@examples(600)
@given(data=st.binary(max_size=2_000), name=st.sampled_from(NAMES))
def test_arbitrary_bytes(loaders: Target[Any], data: bytes, name: str | None) -> None:
    loaders.check(JsonFile(data, name))


@examples(800)
@given(rnd=st.randoms(use_true_random=False), k=st.integers(0, 20), rounds=st.integers(1, 3))
def test_mutated_seeds(loaders: Target[Any], rnd: Any, k: int, rounds: int) -> None:
    seeds = _seeds(loaders)
    item = seeds[k % len(seeds)]
    for _ in range(rounds):
        item = loaders.mutate(item, rnd, seeds)
    loaders.check(item)


@examples(500)
@given(
    kind=st.sampled_from(sorted(HOSTILE)),
    which=st.integers(0, 4),
    rnd=st.randoms(use_true_random=False),
    layout=st.sampled_from(("jsonl", "array")),
    name=st.sampled_from(NAMES),
)
def test_each_hostile_value_anywhere(
    loaders: Target[Any], kind: str, which: int, rnd: Any, layout: str, name: str | None
) -> None:
    records: list[Any] = list(_records())
    records[which] = put_at_random(records[which], rnd, HOSTILE[kind])
    loaders.check(JsonFile(write_records(records, rnd, layout), name))


@examples(200)
@given(which=st.integers(0, 4), rnd=st.randoms(use_true_random=False))
def test_duplicate_keys_anywhere(loaders: Target[Any], which: int, rnd: Any) -> None:
    records: list[Any] = list(_records())
    records[which] = doubled_key(records[which], rnd)
    loaders.check(JsonFile(write_records(records, rnd, "jsonl"), "cases.jsonl"))


@pytest.mark.parametrize("mark", [BOM, BOM + BOM, b"\xff\xfe", b"\xfe\xff", b"\x00"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("where", ["start", "second line"])
def test_byte_order_marks(loaders: Target[Any], mark: bytes, name: str | None, where: str) -> None:
    lines = [json.dumps(r).encode() for r in _records()]
    if where == "start":
        lines[0] = mark + lines[0]
    else:
        lines[1] = mark + lines[1]
    loaders.check(JsonFile(b"\n".join(lines), name))


def _small() -> bytes:
    record = {
        "child_id": "C1",
        "date_of_birth": "2009-07-13",
        "periods": [
            {"start": "2020-12-18", "placements": [{"placement_id": "P", "start": "2020-12-18"}]}
        ],
        "events": [{"type": "review", "date": "2021-01-22"}],
    }
    return json.dumps(record, separators=(",", ":")).encode()


@pytest.mark.parametrize("name", NAMES)
def test_truncated_at_every_length(loaders: Target[Any], name: str | None) -> None:
    data = _small() + b"\n" + _small()
    for n in range(len(data) + 1):
        loaders.check(JsonFile(data[:n], name))


def test_every_bit_flip_of_a_small_record(loaders: Target[Any]) -> None:
    data = _small()
    for k in range(len(data)):
        for bit in (0, 2, 5, 7):
            flipped = bytearray(data)
            flipped[k] ^= 1 << bit
            loaders.check(JsonFile(bytes(flipped) + b"\n" + data, "cases.jsonl"))


def test_a_huge_number_rejects_only_its_line() -> None:
    good = _small()
    bad = good.replace(b'"2021-01-22"}', b'"2021-01-22","x":' + HUGE_NUMBER.encode() + b"}")
    items = list(load_cases(io.BytesIO(b"\n".join([good, bad, good])), name="c.jsonl"))
    assert [type(x).__name__ for x in items] == ["Case", "RecordError", "Case"]
    assert isinstance(items[1], RecordError) and items[1].line == 2
    assert items[1].problems[0].code == "invalid_json"


@pytest.mark.parametrize(
    "dob", [*SENTINEL_FORMS, "2009-07-13T00:00:00", "2009-7-13", " 2009-07-13"]
)
def test_a_date_of_birth_in_any_form_is_never_echoed(dob: str) -> None:
    record = json.loads(_small())
    record["date_of_birth"] = dob
    items = list(load_cases(io.BytesIO(json.dumps(record).encode()), name="c.jsonl"))
    assert len(items) == 1
    if isinstance(items[0], Case):
        assert dob == "2009-07-13"
        return
    error = items[0]
    assert error.problems[0].code == "invalid_date"
    check_no_sentinel([str(error.to_exception()), *(p.message for p in error.problems)], "dob")


def test_the_sentinel_check_can_fail() -> None:
    with pytest.raises(AssertionError, match="sentinel"):
        check_no_sentinel(["case 'C1': born 13/07/2009"], "a message")
    assert encode({"a": Raw("NaN")}) == b'{"a": NaN}'


@pytest.mark.parametrize("layout", ["duplicate", "unknown", "label"])
def test_a_key_that_is_a_date_of_birth_is_never_echoed(layout: str) -> None:
    record: Any = json.loads(_small())
    if layout == "duplicate":
        data = encode(Pairs((*record.items(), ("2009-07-13", 1), ("2009-07-13", 2))))
    elif layout == "unknown":
        data = encode({**record, "13/07/2009": 1})
    else:
        data = encode({**record, "labels": {"2009-07-13": 1}})
    items = list(load_cases(io.BytesIO(data), name="c.jsonl"))
    assert len(items) == 1 and isinstance(items[0], RecordError)
    error = items[0]
    texts = [str(error.to_exception()), *(p.message for p in error.problems)]
    check_no_sentinel([*texts, *(p.field for p in error.problems)], "a key")
