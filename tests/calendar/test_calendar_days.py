"""``add_calendar_days`` and ``same_day`` (issue 12): plain date arithmetic whose results are the
calendar's own date objects, so that a report holds one object per day, not one per due date."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lacplan.calendar import england_and_wales

CAL = england_and_wales()


def test_hand_worked_days_ignore_holidays_and_share_objects() -> None:
    # Calendar days count every day: Fri 18 Dec 2020 + 14 = Fri 1 Jan 2021 (New Year's Day, a
    # bank holiday, is still the answer), and 6 weeks after Mon 4 Jan 2021 is Mon 15 Feb 2021.
    new_year = CAL.add_calendar_days(date(2020, 12, 18), 14)
    assert new_year == date(2021, 1, 1)
    assert CAL.add_calendar_days(date(2021, 1, 4), 42) == date(2021, 2, 15)
    assert CAL.add_calendar_days(date(2021, 1, 15), -14) == date(2021, 1, 1)
    # One object per covered day, whichever way it was reached.
    assert CAL.add_calendar_days(date(2021, 1, 15), -14) is new_year
    assert CAL.same_day(date(2021, 1, 1)) is new_year
    # A working-day result is the same object too (Fri 1 Jan 2021 is skipped: Thu 31 Dec + 1
    # working day is Mon 4 Jan 2021).
    monday = CAL.add_working_days(date(2020, 12, 31), 1)
    assert monday == date(2021, 1, 4) and CAL.same_day(date(2021, 1, 4)) is monday


def test_past_the_covered_range_it_is_plain_arithmetic() -> None:
    # 1 Jan 1990 - 1 day and 31 Dec 2060 + 1 day are outside the table: no error, a new date.
    assert CAL.add_calendar_days(date(1990, 1, 1), -1) == date(1989, 12, 31)
    assert CAL.add_calendar_days(date(2060, 12, 31), 1) == date(2061, 1, 1)
    assert CAL.same_day(date(2061, 1, 1)) == date(2061, 1, 1)
    assert CAL.same_day(date(1989, 12, 31)) == date(1989, 12, 31)


@given(st.dates(date(1985, 1, 1), date(2065, 12, 31)), st.integers(-800, 800))
def test_it_is_timedelta_arithmetic(d: date, n: int) -> None:
    got = CAL.add_calendar_days(d, n)
    assert got == d + timedelta(days=n)
    assert CAL.same_day(got) == got
    if CAL.first <= got <= CAL.last:
        assert CAL.same_day(got) is got  # the calendar's own object for the day
