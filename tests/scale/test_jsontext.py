"""lacplan.jsontext writes exactly the standard library's JSON text, with orjson or without."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lacplan import jsontext

# What the outputs hold: no floats (see the module's docstring).
_SCALARS = st.none() | st.booleans() | st.integers() | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def test_orjson_is_in_use() -> None:
    # The dependency is installed wherever the tests run, so the fast path is what they test.
    assert jsontext.FAST


@settings(max_examples=500)
@given(_VALUES)
def test_compact_is_json_dumps(value: Any) -> None:
    assert jsontext.compact(value) == json.dumps(value, separators=(",", ":"))


@settings(max_examples=300)
@given(_VALUES)
def test_indented_is_json_dumps(value: Any) -> None:
    assert jsontext.indented(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize(
    "value",
    [
        {"id": "caf\u00e9"},  # non-ASCII: json escapes it, orjson would not
        {"id": "a\x7fb"},  # DEL: json escapes it
        {"id": "\ud800"},  # a lone surrogate: orjson refuses it
        {"n": 2**70},  # past 64 bits: orjson refuses it
        {1: "a", None: "b"},  # keys json converts and orjson refuses
        ["\u2028\u2029", '\t\n\r\x00\x1f"\\/'],
        [(1, 2), {"t": ()}],  # tuples are arrays in both
    ],
)
def test_the_cases_orjson_writes_differently_or_refuses(value: Any) -> None:
    assert jsontext.compact(value) == json.dumps(value, separators=(",", ":"))
    assert jsontext.indented(value) == json.dumps(value, indent=2)


@dataclasses.dataclass
class _Point:
    x: int


@pytest.mark.parametrize("value", [{"d": date(2024, 1, 1)}, [_Point(1)], {"s": {1, 2}}])
def test_what_json_refuses_is_still_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        jsontext.compact(value)
    with pytest.raises(TypeError):
        jsontext.indented(value)


def test_without_orjson_json_writes_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsontext, "_dumps", None)
    value = {"a": ["caf\u00e9", 1, None, True], "b": {}}
    assert jsontext.compact(value) == json.dumps(value, separators=(",", ":"))
    assert jsontext.indented(value) == json.dumps(value, indent=2)
