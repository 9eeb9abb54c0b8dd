"""The table look-ups against a naive day-by-day walk, over the whole covered range and past it.

The oracle below knows nothing of lacplan's tables: it steps one calendar day at a time over
the holiday list that ``holidays`` computes now (weekday ones, plus any closures), counting
working days as convention A1 says, and raises when it would step outside 1990-2060. Every
operation of the calendar (and of ``with_closures`` calendars) must agree with it exactly,
errors included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lacplan import calendar as calendar_module
from lacplan.calendar import (
    COVERED_FIRST,
    COVERED_LAST,
    WorkingDayCalendar,
    england_and_wales,
    fmt_date,
)
from lacplan.calendar_table import compute
from lacplan.errors import CalendarRangeError

CAL = england_and_wales()
ONE_DAY = timedelta(days=1)

#: Dates a little past both ends, so the range guards are exercised too.
ANY_DATE = st.dates(date(1989, 10, 1), date(2061, 3, 31))
EDGE_DATE = st.one_of(
    st.dates(date(1989, 12, 1), date(1990, 2, 28)),
    st.dates(date(2060, 11, 1), date(2061, 1, 31)),
)
DATES = st.one_of(ANY_DATE, EDGE_DATE)
NS = st.integers(-80, 80)


#: Weekday holidays straight from ``holidays`` (not from the shipped table).
HOLIDAYS = frozenset(d for d, _ in compute().names if d.weekday() < 5)


class RangeOut(Exception):
    """The naive walk left the covered range."""


def covered(d: date) -> None:
    if not COVERED_FIRST <= d <= COVERED_LAST:
        raise RangeOut


def naive_working(d: date, closed: frozenset[date]) -> bool:
    covered(d)
    return d.weekday() < 5 and d not in HOLIDAYS and d not in closed


def naive_add(d: date, n: int, closed: frozenset[date]) -> date:
    covered(d)
    x = d
    if n == 0:
        while not naive_working(x, closed):
            x += ONE_DAY
        return x
    step = ONE_DAY if n > 0 else -ONE_DAY
    left = abs(n)
    while left:
        x += step
        if naive_working(x, closed):
            left -= 1
    return x


def naive_between(a: date, b: date, closed: frozenset[date]) -> int:
    covered(a)
    covered(b)
    lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
    count = 0
    x = lo + ONE_DAY
    while x <= hi:
        count += naive_working(x, closed)
        x += ONE_DAY
    return sign * count


def naive_explain(d: date, n: int, closed: frozenset[date]) -> tuple[list[date], int]:
    """The non-working weekdays and the weekend days passed over (the start day excluded)."""
    result = naive_add(d, n, closed)
    x, end = (d + ONE_DAY, result) if result >= d else (result, d - ONE_DAY)
    skipped: list[date] = []
    weekend = 0
    while x <= end:
        if x.weekday() >= 5:
            weekend += 1
        elif not naive_working(x, closed):
            skipped.append(x)
        x += ONE_DAY
    return skipped, weekend


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except (CalendarRangeError, RangeOut):
        return "out of range", None


def agree(cal: WorkingDayCalendar, closed: frozenset[date], d: date, n: int) -> None:
    assert outcome(cal.add_working_days, d, n) == outcome(naive_add, d, n, closed)
    assert outcome(cal.is_working_day, d) == outcome(naive_working, d, closed)
    got = outcome(cal.explain, d, n)
    want = outcome(naive_explain, d, n, closed)
    if got[0] == "ok":
        step = got[1]
        assert step.result == cal.add_working_days(d, n)
        assert ([s.day for s in step.skipped], step.weekend_days) == want[1]
        assert all(s.statutory == (s.day in HOLIDAYS) for s in step.skipped)
    else:
        assert want[0] == "out of range"


# ------------------------------------------------------------------------ properties
@given(d=DATES, n=NS)
def test_statutory_calendar_agrees_with_a_day_by_day_walk(d: date, n: int) -> None:
    agree(CAL, frozenset(), d, n)


@given(a=DATES, b=DATES)
def test_working_days_between_agrees_with_a_day_by_day_count(a: date, b: date) -> None:
    if abs((b - a).days) > 800:  # keep the naive count short; the range is covered elsewhere
        b = a + timedelta(days=(b - a).days % 800)
    assert outcome(CAL.working_days_between, a, b) == outcome(naive_between, a, b, frozenset())


@settings(max_examples=60)
@given(
    d=DATES,
    n=NS,
    offsets=st.sets(st.integers(-120, 120), max_size=20),
)
def test_closure_calendars_agree_with_a_day_by_day_walk(d: date, n: int, offsets: set[int]) -> None:
    closed = frozenset(d + timedelta(days=k) for k in offsets)
    agree(CAL.with_closures(closed, name="closure"), closed, d, n)


def test_every_covered_day_and_the_pack_offsets() -> None:
    """Every day of 1990-2060 (and a month either side) with n in the pack's offsets, walking
    once through the range rather than once per day."""
    start, stop = date(1989, 12, 1), date(2061, 1, 31)
    working = []  # every covered working day, in order
    x = COVERED_FIRST
    while x <= COVERED_LAST:
        if x.weekday() < 5 and x not in HOLIDAYS:
            working.append(x)
        x += ONE_DAY
    nxt = 0  # index of the first working day after the current day
    x = start
    while x <= stop:
        while nxt < len(working) and working[nxt] <= x:
            nxt += 1
        inside = COVERED_FIRST <= x <= COVERED_LAST
        is_working = inside and x.weekday() < 5 and x not in HOLIDAYS
        for n in (-20, -1, 0, 1, 5, 10, 20):
            if n > 0:
                k = nxt + n - 1
            elif n == 0:
                k = nxt - 1 if is_working else nxt
            else:
                k = nxt - (1 if is_working else 0) + n
            if inside and 0 <= k < len(working):
                assert CAL.add_working_days(x, n) == working[k], (x, n)
            else:
                with pytest.raises(CalendarRangeError):
                    CAL.add_working_days(x, n)
        x += ONE_DAY


def test_explain_from_every_holiday_and_its_neighbours() -> None:
    """A start day that is itself a holiday is never listed as skipped, in either direction."""
    for h in sorted(HOLIDAYS):
        for d in (h - ONE_DAY, h, h + ONE_DAY):
            for n in (-5, -1, 0, 1, 5):
                agree(CAL, frozenset(), d, n)


# --------------------------------------------------------------------- the details
def test_results_are_shared_date_objects_not_new_ones() -> None:
    d = date(2024, 3, 22)
    assert CAL.add_working_days(d, 10) is CAL.add_working_days(date(2024, 3, 21), 11)


def test_range_errors_say_which_end_and_what() -> None:
    with pytest.raises(CalendarRangeError, match=r"^1989-12-31 is outside"):
        CAL.add_working_days(date(1989, 12, 31), 5)
    with pytest.raises(CalendarRangeError, match=r"^2061-01-01 is outside"):
        CAL.add_working_days(date(2061, 1, 1), -5)
    with pytest.raises(CalendarRangeError, match=r"^1990-01-03 - 2 working days is outside"):
        CAL.add_working_days(date(1990, 1, 3), -2)
    with pytest.raises(CalendarRangeError, match=r"^2060-12-30 \+ 2 working days is outside"):
        CAL.add_working_days(date(2060, 12, 30), 2)
    # working_days_between names b first, then a, as it always did.
    with pytest.raises(CalendarRangeError, match=r"^2061-01-01 is outside"):
        CAL.working_days_between(date(1989, 1, 1), date(2061, 1, 1))
    with pytest.raises(CalendarRangeError, match=r"^1989-01-01 is outside"):
        CAL.working_days_between(date(1989, 1, 1), date(2000, 1, 1))


def test_with_closures_gives_the_same_calendar_for_the_same_closures() -> None:
    days = [date(2024, 12, 27), date(2024, 12, 30)]
    a = CAL.with_closures(days, name="council closure")
    assert CAL.with_closures(reversed(days), name="council closure") is a
    assert CAL.with_closures(days, name="other") is not a
    assert CAL.with_closures(days[:1], name="council closure") is not a
    # Mon 23, Tue 24, (25, 26 bank holidays, 27 closed, weekend, 30 closed), 31 Dec, (1 Jan), 2, 3
    assert a.add_working_days(date(2024, 12, 20), 5) == date(2025, 1, 3)


def test_with_closures_remembers_a_bounded_number_of_calendars() -> None:
    base = CAL.with_closures([date(2030, 1, 2)], name="bounded")  # a calendar of its own
    for k in range(3 * calendar_module._DERIVED_MAX):
        base.with_closures([date(2031, 1, 1) + timedelta(days=k)])
        assert len(base._derived) <= calendar_module._DERIVED_MAX


@given(d=st.dates(date(1, 1, 1), date(9999, 12, 31)))
def test_fmt_date_is_the_documented_style(d: date) -> None:
    expected = f"{d.strftime('%a')} {d.day} {d.strftime('%b')} {d.year}"  # C locale in tests
    assert fmt_date(d) == expected
    assert fmt_date(d) == expected  # and again: the same text
