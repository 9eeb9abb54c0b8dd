"""Offsets: each unit applied and described (hand-computed dates)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lacplan.calendar import england_and_wales
from lacplan.offsets import (
    Days,
    Months,
    Offset,
    Weeks,
    WorkingDays,
    apply_offset,
    describe_offset,
    fixed_note,
    offset_date,
    offset_note,
    shifter,
)

CAL = england_and_wales()


@pytest.mark.parametrize(
    ("anchor", "offset", "months", "due", "note_has"),
    [
        # Fri 18 Dec 2020 + 20 WD skips 25 Dec, 28 Dec (Boxing Day substitute), 1 Jan 2021.
        (date(2020, 12, 18), WorkingDays(n=20), "calendar", date(2021, 1, 20), "Christmas Day"),
        # Zero working days from Mon 8 May 2023 (Coronation bank holiday): the next working day.
        (date(2023, 5, 8), WorkingDays(n=0), "calendar", date(2023, 5, 9), "next working day"),
        (date(2023, 5, 9), WorkingDays(n=0), "calendar", date(2023, 5, 9), ""),
        (date(2024, 2, 20), Days(n=7), "calendar", date(2024, 2, 27), ""),
        (date(2024, 2, 20), Weeks(n=6), "calendar", date(2024, 4, 2), "42 calendar days"),
        (date(2024, 1, 31), Months(n=3), "calendar", date(2024, 4, 30), "last day"),
        (date(2024, 1, 15), Months(n=3), "calendar", date(2024, 4, 15), "corresponding date"),
        # Fixed days: 31 Jan 2024 + 91 days = 1 May 2024; 31 Aug 2023 + 183 days = 1 Mar 2024.
        (date(2024, 1, 31), Months(n=3), "fixed_days", date(2024, 5, 1), "91 days"),
        (date(2023, 8, 31), Months(n=6), "fixed_days", date(2024, 3, 1), "183 days"),
        (date(2024, 6, 30), Months(n=-3), "fixed_days", date(2024, 3, 31), "-91 days"),
    ],
)
def test_apply_offset(
    anchor: date, offset: WorkingDays | Days | Weeks | Months, months: str, due: date, note_has: str
) -> None:
    result, note = apply_offset(anchor, offset, CAL, months)
    assert result == due
    assert note_has in note


def test_describe_offset() -> None:
    assert describe_offset(WorkingDays(n=20)) == "20 working days"
    assert describe_offset(Days(n=1)) == "1 day"
    assert describe_offset(Weeks(n=6)) == "6 weeks"
    assert describe_offset(Months(n=1)) == "1 month"


@given(
    anchor=st.dates(min_value=date(1995, 1, 1), max_value=date(2055, 12, 31)),
    unit=st.sampled_from([WorkingDays, Days, Weeks, Months]),
    n=st.integers(min_value=-60, max_value=60),
    months=st.sampled_from(["calendar", "fixed_days"]),
)
def test_offset_date_and_note_are_apply_offset_in_two_halves(
    anchor: date, unit: type[WorkingDays | Days | Weeks | Months], n: int, months: str
) -> None:
    """The engine's hot path (date now, note when an explanation asks) gives exactly what
    ``apply_offset`` gives (issue 12)."""
    offset = unit(n=n)
    due, note = apply_offset(anchor, offset, CAL, months)
    assert offset_date(anchor, offset, CAL, months) == due
    assert offset_note(anchor, offset, CAL, months) == note
    # A compiled rule's offsets are shifted by ``shifter``: the same date.
    assert shifter(offset)(anchor, CAL, months) == due


@pytest.mark.parametrize(
    ("anchor", "offset", "months", "due"),
    [
        # Fri 18 Dec 2020 + 20 working days passes Christmas Day, Mon 28 Dec (the Boxing Day
        # substitute) and New Year's Day 2021: Wed 20 Jan 2021.
        (date(2020, 12, 18), WorkingDays(n=20), "calendar", date(2021, 1, 20)),
        # Fri 30 Aug 2024 - 5 working days, counted back: Thu 29, Wed 28, Tue 27, (Mon 26 Aug,
        # the Summer bank holiday, skipped), Fri 23, Thu 22 Aug 2024.
        (date(2024, 8, 30), WorkingDays(n=-5), "calendar", date(2024, 8, 22)),
        (date(2024, 2, 29), Months(n=12), "calendar", date(2025, 2, 28)),  # no 29 Feb 2025
        (date(2024, 2, 29), Months(n=12), "fixed_days", date(2025, 2, 28)),  # + 365 days
        (date(2024, 2, 20), Weeks(n=-2), "calendar", date(2024, 2, 6)),
    ],
)
def test_shifter_hand_computed(anchor: date, offset: Offset, months: str, due: date) -> None:
    assert shifter(offset)(anchor, CAL, months) == due


def test_fixed_note_hand_computed() -> None:
    # The note of a days or weeks offset names no date: 6 weeks after Mon 23 Dec 2024 is
    # Mon 3 Feb 2025 whatever the holidays between (Christmas Day, Boxing Day, New Year's Day).
    assert fixed_note(Weeks(n=6)) == "42 calendar days"
    assert apply_offset(date(2024, 12, 23), Weeks(n=6), CAL) == (
        date(2025, 2, 3),
        "42 calendar days",
    )
    assert fixed_note(Days(n=28)) == ""
    assert fixed_note(WorkingDays(n=20)) is None  # names the holidays skipped: per anchor
    assert fixed_note(Months(n=3)) is None  # may name a month-end clamp: per anchor


@given(
    anchor=st.dates(date(1995, 1, 1), date(2055, 12, 31)),
    offset=st.one_of(
        st.builds(Days, n=st.integers(-400, 400)), st.builds(Weeks, n=st.integers(-60, 60))
    ),
    months=st.sampled_from(["calendar", "fixed_days"]),
)
def test_a_fixed_note_is_the_note_apply_offset_writes_for_every_anchor(
    anchor: date, offset: Offset, months: str
) -> None:
    assert apply_offset(anchor, offset, CAL, months)[1] == fixed_note(offset)
