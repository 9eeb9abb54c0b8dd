"""Hand-written records shared by the model tests."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from lacplan.errors import InputError
from lacplan.model import parse_case

#: The date of birth of every hand-written record; it must never appear in a message.
DOB = "2009-07-23"
#: Any ISO date: no message may contain one.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_BASE: dict[str, Any] = {
    "child_id": "566910",
    "date_of_birth": DOB,
    "periods": [
        {
            "period_id": "A",
            "start": "2019-03-04",
            "end": "2019-06-28",
            "placements": [{"placement_id": "PL1", "start": "2019-03-04", "end": "2019-06-28"}],
        },
        {
            "period_id": "B",
            "start": "2020-12-18",
            "end": None,
            "entry": "emergency",
            "placements": [
                {"placement_id": "PL2", "start": "2020-12-18", "end": "2021-02-15"},
                {"placement_id": "PL3", "start": "2021-02-15", "end": None},
            ],
        },
    ],
    "events": [{"type": "review", "date": "2021-01-20"}],
}


def make_case() -> dict[str, Any]:
    """A fresh, valid two-period case to mutate."""
    return copy.deepcopy(_BASE)


def assert_private(message: str) -> None:
    """No date (so no date of birth) in a message."""
    assert DOB not in message
    assert not ISO_DATE.search(message), message


def problems_of(obj: object) -> list[dict[str, str]]:
    """The problems ``parse_case`` reports for ``obj`` (which must be invalid), checked private."""
    with pytest.raises(InputError) as info:
        parse_case(obj)
    exc = info.value
    assert exc.problems
    assert_private(str(exc))
    for problem in exc.problems:
        assert set(problem) == {"field", "code", "message"}
        assert_private(problem["message"])
    return exc.problems


def codes_and_fields(obj: object) -> list[tuple[str, str]]:
    return [(p["code"], p["field"]) for p in problems_of(obj)]
