"""JSON Lines validated by pydantic's JSON parser give exactly what the reference path gives.

The reference below is a frozen copy of the landed algorithm (``json.loads`` with a hook that
rejects duplicate keys, then validation from Python objects), with the one deliberate change:
an integer too long for ``int()`` is rejected as ``invalid_json`` instead of escaping as a
``ValueError``. Every line of a hostile corpus, every synthetic child and every hypothesis case
(valid, or with a key doubled, dropped, retyped or a character broken) must load to the same
``Case`` (equal, same fields given, same dump) or the same ``RecordError`` (file, line, child
id, codes, fields and messages).
"""

from __future__ import annotations

import copy
import io
import json
import random
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import lacplan.domain
from lacplan.adapters.json import _fast_case
from lacplan.domain.validation import Problem, _validate
from lacplan.loaders import load_cases
from lacplan.model import Case, RecordError
from lacplan.synth import synth_cases
from lacplan.testing.strategies import case_dicts

from .factories import make_case
from .test_errors import BAD_RECORDS

# --- The reference: the landed algorithm, frozen ------------------------------------------------


class _Bad(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    where: dict[str, int] = {}
    for n, (key, value) in enumerate(pairs, 1):
        if key in obj:
            raise _Bad(
                f"keys {where[key]} and {n} of one object have the same name (a key may "
                "appear only once)"
            )
        obj[key] = value
        where[key] = n
    return obj


def _reference_line(text: str | None, file: str, line: int) -> Case | RecordError:
    def rejected(detail: str) -> RecordError:
        return RecordError(file, line, None, (Problem("", "invalid_json", detail),))

    if text is None:
        return rejected(f"line {line} is not valid UTF-8; save the file as UTF-8.")
    try:
        try:
            obj = json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise _Bad(f"{exc.msg} at column {exc.colno}") from None
        except RecursionError:
            raise _Bad("it is nested too deeply") from None
        except ValueError:  # the deliberate change: the landed loader let this escape
            raise _Bad("a number has too many digits") from None
    except _Bad as exc:
        return rejected(
            f"line {line} is not valid JSON: {exc.detail}. Each line must hold one complete "
            "case object."
        )
    result = _validate(obj)
    if isinstance(result, Case):
        return result
    child_id, problems = result
    return RecordError(file, line, child_id, problems)


def _reference(data: bytes, file: str) -> list[Case | RecordError]:
    out: list[Case | RecordError] = []
    for number, raw in enumerate(io.BytesIO(data).readlines(), start=1):
        text: str | None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if number == 1 and text is not None:
            text = text.removeprefix("\ufeff")
        if text is not None and not text.strip():
            continue
        out.append(_reference_line(text, file, number))
    return out


# --- Comparing ----------------------------------------------------------------------------------


def _given(value: object) -> object:
    """Every model's class and given fields, recursively (``==`` ignores the fields given)."""
    if isinstance(value, BaseModel):
        return (
            type(value).__name__,
            sorted(value.model_fields_set),
            [(name, _given(getattr(value, name))) for name in type(value).model_fields],
        )
    if isinstance(value, tuple | list):
        return [_given(v) for v in value]
    if isinstance(value, dict):
        return {k: _given(v) for k, v in value.items()}
    return (type(value).__name__, value)


def assert_same(got: list[Case | RecordError], want: list[Case | RecordError]) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert type(a) is type(b), (a, b)
        if isinstance(a, RecordError):
            assert a == b
        else:
            assert isinstance(b, Case)
            assert a == b
            assert _given(a) == _given(b)
            assert a.model_dump(mode="json") == b.model_dump(mode="json")


def assert_loads_like_reference(data: bytes, tmp_path: Path | None = None) -> None:
    """The file loads identically from a binary stream, a text stream and a path."""
    want = _reference(data, "in.jsonl")
    assert_same(list(load_cases(io.BytesIO(data), name="in.jsonl")), want)
    if tmp_path is not None:
        path = tmp_path / "in.jsonl"
        path.write_bytes(data)
        assert_same(list(load_cases(path, name="in.jsonl")), want)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    if "\r" in text:
        return  # a text stream also ends lines at a carriage return: other physical lines
    stream = io.StringIO(text, newline="")  # the same physical lines as the bytes
    assert_same(list(load_cases(stream, name="in.jsonl")), want)


# --- The hostile corpus -------------------------------------------------------------------------


def _line(obj: object, **dumps: Any) -> str:
    return json.dumps(obj, **dumps)


def _base() -> str:
    return _line(make_case())


_COVERED: dict[str, Any] = {
    **make_case(),
    "coverage": {
        "source": "ssda903",
        "until": "2022-03-31",
        "observed": [
            {"type": "review", "from": "2019-03-04", "to": "2022-03-31"},
            {"type": "sdq", "from": "2021-03-31", "to": "2022-03-31"},
        ],
    },
    "source_findings": [{"code": "missing_episode", "field": "episodes", "message": "a: b"}],
}

_DEEP = '{"child_id": "1", "date_of_birth": "2009-07-23", "labels": {"x": ' + "[" * 100_000


def _corpus() -> list[str]:
    base = _base()
    valid = make_case()
    lines = [
        base,
        _line(valid, separators=(",", ":")),
        _line(valid, separators=(" , ", " : ")),
        _line(valid, ensure_ascii=False).replace('"566910"', '"é€😀"'),
        base.replace('"566910"', '"\\u00e9\\ud83d\\ude00"'),
        base.replace('"566910"', '"\\ud800"'),  # a lone surrogate: json.loads reads it
        base.replace('"566910"', '"a\\udc00b"'),
        base.replace('"566910"', '"a\\u003ab"'),  # an escaped colon
        base.replace('"566910"', '"a:b"'),  # a colon in a string
        base.replace('"566910"', '"a\\u003ab", "labels": {"x": "y:z"}'),
        base.replace('"566910"', '"a\\u003ab", "child_id": "a\\u003ab"'),  # a hidden colon
        base.replace('"566910"', '"a\\":b"'),
        base.replace('"566910"', '"a\\\\"'),
        base.replace('"566910"', '"a\tb"'),  # raw control characters
        base.replace('"566910"', '"a\x00b"'),
        base.replace('"566910"', '"a\x7fb"'),
        base.replace('"566910"', '"a\\/b"'),
        base.replace('"566910"', '"\\x41"'),
        base.replace('"566910"', "566910"),
        base.replace('"566910"', "NaN"),
        base.replace('"566910"', "1" * 5000),
        base.replace('"566910"', "null"),
        base.replace('"566910"', "true"),
        base.replace('"566910"', "[]"),
        base.replace('"566910"', "{}"),
        "\ufeff" + base,  # a byte order mark on a line other than the first
        base + " x",
        base + base,
        base + "\r",
        "\t " + base + " \t\x0c",
        base.replace(": ", ":\u00a0", 1),
        base.replace("{", "{,", 1),
        base[:-1] + ",}",
        base.replace('"', "'"),
        base[: len(base) // 2],
        "[" + base + "]",
        '"566910"',
        "566910",
        "null",
        "{}",
        "[]",
        "  ",
        "\x0c",
        "\u2028",
        _DEEP,
        '{"child_id": "1", "date_of_birth": "2009-07-23", "labels": {"x": '
        + "[" * 300
        + "]" * 300
        + "}}",
        _line(_COVERED),
        _line({**_COVERED, "coverage": {**_COVERED["coverage"], "until": "2022-02-30"}}),
    ]
    # Duplicate keys, at every level, with the same or another value.
    dup = [
        ('"child_id": "566910"', '"child_id": "566910", "child_id": "566910"'),
        ('"child_id": "566910"', '"child_id": "x", "child_id": "566910"'),
        ('"date_of_birth": "2009-07-23"', '"date_of_birth": 1, "date_of_birth": "2009-07-23"'),
        ('"period_id": "A", ', '"period_id": "A", "period_id": "A", '),
        ('"period_id": "B", ', '"period_id": "C", "period_id": "B", '),
        ('"entry": "emergency"', '"entry": "emergency", "entry": "emergency"'),
        ('"placement_id": "PL2"', '"placement_id": "PL2", "placement_id": "PL2"'),
        ('"placement_id": "PL1"', '"placement_id": "PL1", "emergency": true, "emergency": false'),
        ('"type": "review"', '"type": "review", "type": "review"'),
        ('"date": "2021-01-20"', '"date": "2021-01-20", "date": "2021-01-20"'),
        ('"events": [', '"events": [], "events": ['),
        ('"child_id": "566910"', '"child_id": "a:b", "child_id": "566910"'),
        ('"child_id": "566910"', '"labels": {"a": "1:2"}, "child_id": "566910", "labels": {}'),
        ('"periods": [', '"periods": [], "periods": ['),
    ]
    for old, new in dup:
        assert old in base, old
        lines.append(base.replace(old, new, 1))
    # A key left out where lacplan fills it in, and one doubled elsewhere: the counts balance.
    emergency = make_case()
    emergency["periods"][0]["placements"][0]["emergency"] = False
    emergency["periods"][0]["placements"][0]["long_term_foster"] = True
    text = _line(emergency).replace(
        '"long_term_foster": true', '"long_term_foster": true, "long_term_foster": true'
    )
    lines.append(text)
    numbered = make_case()
    del numbered["periods"][0]["period_id"]
    numbered["periods"][1]["period_id"] = "2"
    text = _line(numbered).replace(
        '"entry": "emergency"', '"entry": "emergency", "regime": "standard"'
    )
    lines.append(text.replace('"regime": "standard"', '"regime": "standard", "regime": "standard"'))
    lines.append(_line(numbered))
    del numbered["periods"][1]["period_id"]
    lines.append(_line(numbered))
    # A period numbered by lacplan (no emergency period), and a key doubled elsewhere.
    planned = make_case()
    del planned["periods"][0]["period_id"]
    del planned["periods"][1]["entry"]
    lines.append(_line(planned))
    lines.append(_line(planned).replace('"end": null', '"end": null, "end": null', 1))
    # Labels: a key spelt with an escape is the same key.
    labels = make_case()
    labels["labels"] = {"team": "T1", "iro": "10:30"}
    lines.append(_line(labels))
    lines.append(_line(labels).replace('"iro"', '"te\\u0061m"'))
    lines.append(_line(labels).replace('"iro": "10:30"', '"iro": "x", "iro": "y"'))
    # Legal status: "from" and its Python name.
    status = make_case()
    status["periods"][1]["legal_status"] = [{"from": "2020-12-18", "status": "care_order"}]
    lines.append(_line(status))
    lines.append(_line(status).replace('"from"', '"from_"'))
    lines.append(_line(status).replace('"from": ', '"from": "2020-12-18", "from_": '))
    lines.append(_line(status).replace('"from": ', '"from": "2020-12-18", "from": '))
    # Numbers where a whole number of days is expected.
    for number in ["7", "7.0", "7e0", "-0", "0", "1E400", "-Infinity", "NaN", "true", '"7"']:
        interval = make_case()
        interval["periods"][1]["regime"] = "short_breaks"
        interval["periods"][1]["agreed_visit_interval_days"] = 424242
        lines.append(_line(interval).replace("424242", number))
    for number in [str(2**70), "9" * 19, "9" * 4300, "9" * 4301]:
        lines.append(_line(interval).replace("424242", number))
    # Every hand-written bad record of the error tests.
    for _code, _field, mutate in BAD_RECORDS:
        case = make_case()
        mutate(case)
        lines.append(_line(case))
    return lines


CORPUS = _corpus()


def test_the_corpus_holds_what_the_fast_path_must_refuse() -> None:
    refused = [line for line in CORPUS if _fast_case(line) is None]
    assert len(refused) > len(CORPUS) // 2  # most lines are hostile
    assert _fast_case(_base()) is not None  # and a plain valid line is read fast
    assert _fast_case(_line(_COVERED)) is not None  # colons in strings too
    escaped = _base().replace('"566910"', '"a\\u003ab", "labels": {"x": "y:z"}')
    assert escaped in CORPUS
    assert _fast_case(escaped) is None  # unless a \u escape could hide one


@pytest.mark.parametrize("number", range(len(CORPUS)))
def test_each_corpus_line(number: int) -> None:
    text = CORPUS[number]
    want = _reference((text + "\n").encode("utf-8", "surrogatepass"), "in.jsonl")
    got = list(
        load_cases(io.BytesIO((text + "\n").encode("utf-8", "surrogatepass")), name="in.jsonl")
    )
    assert_same(got, want)
    if "\n" not in text and "\r" not in text:
        assert_same(list(load_cases(io.StringIO(text + "\n"), name="in.jsonl")), want)


def test_the_whole_corpus_as_one_file(tmp_path: Path) -> None:
    parts = [b"\xef\xbb\xbf"]  # a byte order mark before the first line
    for text in CORPUS:
        parts.append(text.replace("\r", " ").replace("\u2028", " ").encode())
        parts.append(b"\n")
    parts += [b"\n", b'{"child_id": "\xff"}\n', b"\xed\xa0\x80\n", b"\xc0\xaf\n", b"\n"]
    parts.append(_base().encode())  # no line end at the end of the file
    assert_loads_like_reference(b"".join(parts), tmp_path)


def test_the_fields_lacplan_sets_itself_are_the_ones_the_fast_path_knows() -> None:
    """``_keys_given`` counts the fields each model was given; a validator that sets another
    field (``model_copy(update=...)``) must be taught to it, or duplicates could slip through."""
    domain = Path(lacplan.domain.__file__).parent
    source = "".join(p.read_text(encoding="utf-8") for p in sorted(domain.glob("*.py")))
    assert source.count("model_copy(") == 2
    assert set(re.findall(r'model_copy\(update=\{"(\w+)"', source)) == {"emergency", "period_id"}
    assert "model_construct(" not in source


def test_huge_numbers_are_invalid_json_not_an_exception(tmp_path: Path) -> None:
    text = _base().replace('"566910"', "1" * 5000)
    [error] = load_cases(io.StringIO(text), name="in.jsonl")
    assert isinstance(error, RecordError)
    assert [p.code for p in error.problems] == ["invalid_json"]
    assert "too many digits" in error.problems[0].message
    assert "1111" not in error.problems[0].message
    document = tmp_path / "cases.json"
    document.write_text("[" + text + "]", encoding="utf-8")
    [error] = load_cases(document)
    assert isinstance(error, RecordError)
    assert [p.code for p in error.problems] == ["invalid_json"]


def test_a_lower_int_digit_limit_is_honoured() -> None:
    interval = make_case()
    interval["periods"][1]["regime"] = "short_breaks"
    interval["periods"][1]["agreed_visit_interval_days"] = int("9" * 700)
    data = (_line(interval) + "\n").encode()
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        want = _reference(data, "in.jsonl")
        assert_same(list(load_cases(io.BytesIO(data), name="in.jsonl")), want)
    finally:
        sys.set_int_max_str_digits(limit)
    assert isinstance(want[0], RecordError)
    assert [p.code for p in want[0].problems] == ["invalid_json"]


def test_synthetic_cohort(tmp_path: Path) -> None:
    lines = [_line(c) for c in synth_cases(300, seed=12, as_of=date(2024, 6, 3))]
    assert all(_fast_case(line) is not None for line in lines)
    data = "".join(line + "\n" for line in lines).encode()
    assert_loads_like_reference(data, tmp_path)


# --- Hypothesis ---------------------------------------------------------------------------------

PROFILE = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _objects(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        found.append(value)
        for v in value.values():
            found += _objects(v)
    elif isinstance(value, list):
        for v in value:
            found += _objects(v)
    return found


def _dumps_with_duplicate(value: Any, target: int, key: str, extra: str) -> str:
    """``value`` as JSON, object number ``target`` holding ``key`` twice (first ``extra``)."""
    counter = [0]

    def dump(v: Any) -> str:
        if isinstance(v, dict):
            number = counter[0]
            counter[0] += 1
            members = [f"{json.dumps(k)}: {dump(x)}" for k, x in v.items()]
            if number == target:
                members.insert(0, f"{json.dumps(key)}: {extra}")
            return "{" + ", ".join(members) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(dump(x) for x in v) + "]"
        return json.dumps(v)

    return dump(value)


_VALUES = st.sampled_from(
    [
        *('"x"', '"2020-01-01"', "1", "true", "null", "[]", "{}", '"P1"', '"emergency"'),
        *("false", '"a:b"', '":"', '{"a": "b"}', '[{"x": 1}]'),
    ]
)


@st.composite
def lines(draw: st.DrawFn) -> str:
    """A JSON Lines line: a valid case, often broken in one way."""
    case = draw(case_dicts(max_events=8))
    rng = random.Random(draw(st.integers(0, 2**32)))
    if draw(st.booleans()):  # the first placement of each period: emergency given or not
        for period in case["periods"]:
            if period.get("entry") == "emergency" and draw(st.booleans()):
                first = min(period["placements"], key=lambda p: (p["start"], p["placement_id"]))
                first["emergency"] = draw(st.booleans())
    if draw(st.booleans()):  # colons in strings (and a duplicate key may hold one too)
        case["labels"] = {"team": draw(st.sampled_from(["a:b", "10:30", ":", "x", "\\u003a"]))}
    how = draw(st.sampled_from(["valid", "duplicate", "drop", "retype", "char", "spacing"]))
    objects = _objects(case)
    if how == "duplicate":
        target = rng.randrange(len(objects))
        keys = list(objects[target]) or ["child_id"]
        key = draw(st.sampled_from([*keys, "emergency", "period_id", "labels"]))
        return _dumps_with_duplicate(case, target, key, draw(_VALUES))
    if how == "drop":
        target = objects[rng.randrange(len(objects))]
        if target:
            del target[rng.choice(list(target))]
    elif how == "retype":
        target = objects[rng.randrange(len(objects))]
        if target:
            target[rng.choice(list(target))] = json.loads(draw(_VALUES))
    text = json.dumps(
        copy.deepcopy(case),
        separators=draw(st.sampled_from([(", ", ": "), (",", ":"), (" ,", " : ")])),
        ensure_ascii=draw(st.booleans()),
    )
    if how == "char" and text:
        at = rng.randrange(len(text))
        replacement = draw(st.sampled_from(["", '"', ":", ",", "}", "\\", "\x01", "é", " "]))
        text = text[:at] + replacement + text[at + 1 :]
    if how == "spacing":
        text = text.replace(",", draw(st.sampled_from([",\t", " ,", ",\r"])))
    return text


@PROFILE
@given(lines())
def test_hypothesis_lines(text: str) -> None:
    data = text.encode("utf-8") + b"\n"
    assert_same(list(load_cases(io.BytesIO(data), name="in.jsonl")), _reference(data, "in.jsonl"))


@PROFILE
@given(st.lists(lines(), min_size=1, max_size=5), st.booleans())
def test_hypothesis_files(texts: list[str], bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + b"".join(t.encode() + b"\n\n" for t in texts)
    assert_loads_like_reference(data)
