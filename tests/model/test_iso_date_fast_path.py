"""The case format's dates: the fast path (parse, then prove strict) accepts exactly the strict
``YYYY-MM-DD`` strings the regular expression accepts (issue 12)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from lacplan.domain.fields import _parse_iso_date

_STRICT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Text that looks like a date, in every form date.fromisoformat takes, and near misses.
_DATEISH = st.one_of(
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),  # the basic form fromisoformat takes
    st.dates().map(
        lambda d: f"{d.isocalendar()[0]:04d}-W{d.isocalendar()[1]:02d}-{d.isocalendar()[2]}"
    ),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.text(alphabet="0123456789-W+T: \u0663\uff12", max_size=12),
)


def _reference(value: str) -> date | None:
    """What the strict rule gives: a date, or None for a refusal."""
    if not _STRICT.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@given(_DATEISH)
def test_accepts_exactly_the_strict_form(value: str) -> None:
    expected = _reference(value)
    if expected is None:
        with pytest.raises(PydanticCustomError):
            _parse_iso_date(value)
    else:
        assert _parse_iso_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", date(2024, 2, 29)),  # a leap day
        ("2023-02-29", None),  # no 29 February in 2023
        ("20240105", None),  # the basic form: fromisoformat takes it, the format does not
        ("2024-W01-1", None),  # an ISO week date: likewise
        ("2024-1-05", None),
    ],
)
def test_hand_picked(value: str, expected: date | None) -> None:
    assert _reference(value) == expected
    if expected is None:
        with pytest.raises(PydanticCustomError):
            _parse_iso_date(value)
    else:
        assert _parse_iso_date(value) == expected
