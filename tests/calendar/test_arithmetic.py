"""Hand-computed date arithmetic, with the non-working days skipped named in comments.

Working days follow convention A1 (Dodds v Walker: the day of the event is excluded); months
follow A3 (corresponding date, else the month's last day); weeks A12; 29 Feb birthdays A19.
The first eight cases are the worked examples of legal-timescales.md section 2.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
from datetime import date, timedelta

import pytest

from lacplan.calendar import (
    COVERED_FIRST,
    COVERED_LAST,
    SkippedDay,
    add_days,
    add_months,
    add_weeks,
    age_on,
    birthday,
    england_and_wales,
    fmt_date,
    month_end_clamped,
)
from lacplan.errors import CalendarRangeError, LacplanError

CAL = england_and_wales()

# 27-31 Dec 2024: a council Christmas closure (Sat 28 and Sun 29 are weekend days anyway).
CLOSURE_2024 = [date(2024, 12, 27) + timedelta(days=i) for i in range(5)]


# --------------------------------------------------------- worked examples (section 2)
@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Fri 18 Dec 2020 + 20: skips Fri 25 Dec (Christmas Day), Mon 28 Dec (Boxing Day
        # substitute), Fri 1 Jan 2021 (New Year's Day) and five weekends.
        (date(2020, 12, 18), 20, date(2021, 1, 20)),
        # Mon 5 Sep 2022 + 20: skips Mon 19 Sep 2022 (State Funeral of Queen Elizabeth II).
        (date(2022, 9, 5), 20, date(2022, 10, 4)),
        # Fri 1 May 2020 + 20: skips Fri 8 May 2020 (early May holiday moved for VE Day 75)
        # and Mon 25 May (spring bank holiday).
        (date(2020, 5, 1), 20, date(2020, 6, 2)),
        # Fri 22 Mar 2024 + 10: skips Fri 29 Mar (Good Friday), Mon 1 Apr (Easter Monday).
        (date(2024, 3, 22), 10, date(2024, 4, 9)),
        # Wed 1 Jun 2022 + 5: skips Thu 2 Jun (spring bank holiday, moved) and Fri 3 Jun 2022
        # (Platinum Jubilee).
        (date(2022, 6, 1), 5, date(2022, 6, 10)),
        # Sat 21 Dec 2024 + 10: day 1 is Mon 23 Dec; skips Wed 25 Dec (Christmas Day), Thu 26 Dec
        # (Boxing Day), Wed 1 Jan 2025 (New Year's Day).
        (date(2024, 12, 21), 10, date(2025, 1, 8)),
    ],
)
def test_worked_examples_working_days(start: date, n: int, due: date) -> None:
    assert CAL.add_working_days(start, n) == due
    assert CAL.working_days_between(start, due) == n


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2024, 1, 31), 3, date(2024, 4, 30)),  # no 31 Apr: last day of April
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # no 31 Feb: 29 Feb in a leap year
    ],
)
def test_worked_examples_months(start: date, months: int, due: date) -> None:
    assert add_months(start, months) == due
    assert month_end_clamped(start, months)


# ------------------------------------------------------------------- working days
@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Counting back is the inverse when the start is a working day.
        (date(2021, 1, 20), -20, date(2020, 12, 18)),  # skips 1 Jan, 28 Dec, 25 Dec
        (date(2022, 10, 4), -20, date(2022, 9, 5)),  # skips Mon 19 Sep 2022 (State Funeral)
        (date(2023, 5, 9), -1, date(2023, 5, 5)),  # skips Mon 8 May 2023 (Coronation), weekend
        # From a non-working day, the working day before it is day -1.
        (date(2021, 1, 2), -1, date(2020, 12, 31)),  # Sat; skips Fri 1 Jan 2021
        (date(2020, 12, 27), -1, date(2020, 12, 24)),  # Sun; skips Sat 26, Fri 25 Dec
        (date(2020, 12, 28), -1, date(2020, 12, 24)),  # Boxing Day substitute itself
        (date(2020, 12, 28), -2, date(2020, 12, 23)),
    ],
)
def test_negative_n(start: date, n: int, due: date) -> None:
    assert CAL.add_working_days(start, n) == due


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2020, 12, 2), date(2020, 12, 2)),  # Wed, a working day: itself
        (date(2020, 12, 24), date(2020, 12, 24)),  # Christmas Eve is a working day
        (date(2020, 12, 25), date(2020, 12, 29)),  # Christmas Day -> Tue (28th is substitute)
        (date(2020, 12, 26), date(2020, 12, 29)),  # Sat -> Tue 29 Dec
        (date(2023, 5, 6), date(2023, 5, 9)),  # Sat -> Tue (Mon 8 May 2023, Coronation)
    ],
)
def test_n_zero(start: date, due: date) -> None:
    assert CAL.add_working_days(start, 0) == due


def test_non_working_start_day_one_is_first_working_day() -> None:
    # Sat 26 Dec 2020: Sun 27 weekend, Mon 28 Boxing Day substitute, so day 1 is Tue 29 Dec.
    assert CAL.add_working_days(date(2020, 12, 26), 1) == date(2020, 12, 29)
    assert CAL.add_working_days(date(2020, 12, 25), 1) == date(2020, 12, 29)
    # Sat 21 Dec 2024: day 1 is Mon 23 Dec, day 2 Tue 24 Dec, day 3 Fri 27 Dec.
    assert CAL.add_working_days(date(2024, 12, 21), 1) == date(2024, 12, 23)
    assert CAL.add_working_days(date(2024, 12, 21), 3) == date(2024, 12, 27)


def test_working_days_between_is_half_open_and_signed() -> None:
    assert CAL.working_days_between(date(2020, 12, 18), date(2020, 12, 18)) == 0
    # (Fri 18 Dec, Mon 21 Dec]: only Mon 21 Dec.
    assert CAL.working_days_between(date(2020, 12, 18), date(2020, 12, 21)) == 1
    # (Thu 24 Dec, Tue 29 Dec 2020]: only Tue 29 Dec.
    assert CAL.working_days_between(date(2020, 12, 24), date(2020, 12, 29)) == 1
    assert CAL.working_days_between(date(2021, 1, 20), date(2020, 12, 18)) == -20


def test_is_working_day_and_holiday_name() -> None:
    assert not CAL.is_working_day(date(2023, 5, 8))  # Coronation
    assert CAL.holiday_name(date(2023, 5, 8)) is not None
    assert not CAL.is_working_day(date(2023, 5, 6))  # Saturday
    assert CAL.holiday_name(date(2023, 5, 6)) is None  # weekends carry no holiday name
    assert CAL.is_working_day(date(2023, 5, 9))
    assert CAL.holiday_name(date(2023, 5, 9)) is None


# -------------------------------------------------------------------------- explain
def test_explain_names_skipped_holidays() -> None:
    step = CAL.explain(date(2020, 12, 18), 20)
    assert step.result == date(2021, 1, 20)
    assert step.start == date(2020, 12, 18)
    assert step.n == 20
    assert [s.day for s in step.skipped] == [
        date(2020, 12, 25),  # Christmas Day
        date(2020, 12, 28),  # Boxing Day substitute
        date(2021, 1, 1),  # New Year's Day
    ]
    assert "Christmas" in step.skipped[0].name
    assert "Boxing" in step.skipped[1].name
    assert "New Year" in step.skipped[2].name
    assert all(s.statutory for s in step.skipped)
    assert step.weekend_days == 10  # 19/20 Dec, 26/27 Dec, 2/3, 9/10, 16/17 Jan
    text = step.describe()
    assert text.startswith("skipping Fri 25 Dec 2020 (Christmas Day), Mon 28 Dec 2020 (")
    assert text.endswith("Fri 1 Jan 2021 (New Year's Day) and 10 weekend days")


def test_explain_never_lists_the_start_day() -> None:
    # Forwards from a holiday: Fri 25 Dec 2020 + 1 = Tue 29 Dec; 25 Dec is the start.
    forward = CAL.explain(date(2020, 12, 25), 1)
    assert forward.result == date(2020, 12, 29)
    assert [s.day for s in forward.skipped] == [date(2020, 12, 28)]  # Boxing Day substitute
    assert forward.weekend_days == 2
    # Backwards from a holiday: Mon 28 Dec 2020 - 1 = Thu 24 Dec; 28 Dec is the start.
    back = CAL.explain(date(2020, 12, 28), -1)
    assert back.result == date(2020, 12, 24)
    assert [s.day for s in back.skipped] == [date(2020, 12, 25)]  # Christmas Day
    assert back.weekend_days == 2
    # Backwards from a Saturday: Sat 26 Dec 2020 - 1 = Thu 24 Dec, skipping only 25 Dec.
    sat = CAL.explain(date(2020, 12, 26), -1)
    assert [s.day for s in sat.skipped] == [date(2020, 12, 25)]
    assert sat.weekend_days == 0


def test_explain_with_nothing_skipped() -> None:
    step = CAL.explain(date(2024, 6, 3), 4)  # Mon -> Fri, same week
    assert step.result == date(2024, 6, 7)
    assert step.skipped == ()
    assert step.weekend_days == 0
    assert step.describe() == "no non-working days skipped"
    assert CAL.explain(date(2024, 6, 7), 1).describe() == "skipping 2 weekend days"


def test_fmt_date() -> None:
    assert fmt_date(date(2021, 1, 20)) == "Wed 20 Jan 2021"
    assert fmt_date(date(2024, 2, 9)) == "Fri 9 Feb 2024"


# ------------------------------------------------------------------------- closures
def test_closures_push_due_date_later() -> None:
    # Fri 20 Dec 2024 + 5, statutory: Mon 23, Tue 24, (25, 26 skipped) Fri 27, Mon 30, Tue 31.
    assert CAL.add_working_days(date(2024, 12, 20), 5) == date(2024, 12, 31)
    closed = CAL.with_closures(CLOSURE_2024)
    # With 27-31 Dec closed: Mon 23, Tue 24, (1 Jan skipped) Thu 2, Fri 3, Mon 6 Jan 2025.
    assert closed.add_working_days(date(2024, 12, 20), 5) == date(2025, 1, 6)
    assert not closed.is_working_day(date(2024, 12, 30))
    assert closed.holiday_name(date(2024, 12, 30)) == "local authority closure"
    assert closed.holiday_name(date(2024, 12, 25)) == CAL.holiday_name(date(2024, 12, 25))


def test_closures_leave_the_statutory_calendar_unchanged() -> None:
    before = CAL.add_working_days(date(2024, 12, 20), 5)
    closed = CAL.with_closures(CLOSURE_2024, name="Council Christmas closure")
    assert closed is not CAL
    assert england_and_wales() is CAL
    assert CAL.add_working_days(date(2024, 12, 20), 5) == before == date(2024, 12, 31)
    assert CAL.is_working_day(date(2024, 12, 27))
    assert CAL.source.closures == ()
    assert closed.source.closures == tuple(CLOSURE_2024)
    assert closed.source.provider_version == CAL.source.provider_version
    assert closed.holiday_name(date(2024, 12, 27)) == "Council Christmas closure"


def test_closure_days_are_marked_non_statutory() -> None:
    step = CAL.with_closures(CLOSURE_2024).explain(date(2024, 12, 20), 5)
    assert [(s.day, s.statutory) for s in step.skipped] == [
        (date(2024, 12, 25), True),  # Christmas Day
        (date(2024, 12, 26), True),  # Boxing Day
        (date(2024, 12, 27), False),  # closure
        (date(2024, 12, 30), False),  # closure
        (date(2024, 12, 31), False),  # closure
        (date(2025, 1, 1), True),  # New Year's Day
    ]
    assert SkippedDay(date(2024, 12, 27), "local authority closure", False) in step.skipped
    assert step.weekend_days == 6  # 21/22 Dec, 28/29 Dec, 4/5 Jan


def test_closure_on_a_bank_holiday_keeps_the_statutory_name() -> None:
    closed = CAL.with_closures([date(2024, 12, 25), date(2024, 12, 24)])
    step = closed.explain(date(2024, 12, 23), 1)
    assert step.result == date(2024, 12, 27)
    assert [(s.day, s.statutory) for s in step.skipped] == [
        (date(2024, 12, 24), False),  # Christmas Eve closure
        (date(2024, 12, 25), True),  # Christmas Day stays statutory
        (date(2024, 12, 26), True),  # Boxing Day
    ]


# ------------------------------------------------------------------- calendar units
@pytest.mark.parametrize(
    ("start", "months", "due", "clamped"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29), True),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28), True),  # non-leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28), True),  # leap day, next year
        (date(2024, 2, 29), 48, date(2028, 2, 29), False),  # leap day, next leap year
        (date(2024, 2, 29), 3, date(2024, 5, 29), False),  # A3: 29 Feb + 3 m = 29 May
        (date(2023, 11, 30), 3, date(2024, 2, 29), True),  # 30 Nov + 3 m, leap
        (date(2024, 11, 30), 3, date(2025, 2, 28), True),  # 30 Nov + 3 m, non-leap
        (date(2024, 1, 31), 2, date(2024, 3, 31), False),  # from the original, not chained
        (date(2024, 1, 15), 0, date(2024, 1, 15), False),
        (date(2023, 12, 31), 2, date(2024, 2, 29), True),  # across a year end
        # Negative months clamp the same way.
        (date(2024, 3, 31), -1, date(2024, 2, 29), True),
        (date(2023, 5, 31), -3, date(2023, 2, 28), True),
        (date(2024, 12, 31), -6, date(2024, 6, 30), True),
        (date(2024, 1, 31), -2, date(2023, 11, 30), True),
        (date(2024, 3, 15), -14, date(2023, 1, 15), False),
    ],
)
def test_add_months(start: date, months: int, due: date, clamped: bool) -> None:
    assert add_months(start, months) == due
    assert month_end_clamped(start, months) is clamped


def test_add_months_is_not_chained() -> None:
    # Six-monthly reviews from 31 Aug 2023 (A5 anchors on the actual review; here no review
    # moves): each due date is computed from the original, so Aug comes back as 31 Aug.
    reviews = [add_months(date(2023, 8, 31), 6 * k) for k in range(1, 4)]
    assert reviews == [date(2024, 2, 29), date(2024, 8, 31), date(2025, 2, 28)]


@pytest.mark.parametrize(
    ("start", "weeks", "due"),
    [
        (date(2024, 1, 1), 1, date(2024, 1, 8)),  # "within one week" = by day 7
        (date(2024, 1, 1), 6, date(2024, 2, 12)),  # six weeks = 42 days
        (date(2024, 2, 1), 4, date(2024, 2, 29)),  # four weeks = 28 days, leap year
        (date(2023, 2, 1), 4, date(2023, 3, 1)),  # four weeks = 28 days, non-leap
        (date(2024, 12, 25), 1, date(2025, 1, 1)),  # no working-day adjustment
        (date(2024, 1, 8), -1, date(2024, 1, 1)),
    ],
)
def test_add_weeks(start: date, weeks: int, due: date) -> None:
    assert add_weeks(start, weeks) == due


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2024, 2, 28), 1, date(2024, 2, 29)),
        (date(2023, 2, 28), 1, date(2023, 3, 1)),
        (date(2024, 1, 31), 91, date(2024, 5, 1)),  # the +91-day reading of "three months"
        (date(2023, 8, 31), 183, date(2024, 3, 1)),  # the +183-day reading of "six months"
        (date(2024, 3, 1), -1, date(2024, 2, 29)),
    ],
)
def test_add_days(start: date, days: int, due: date) -> None:
    assert add_days(start, days) == due


@pytest.mark.parametrize(
    ("born", "years", "on"),
    [
        (date(2008, 2, 29), 18, date(2026, 3, 1)),  # A19: 1 March in a non-leap year
        (date(2008, 2, 29), 16, date(2024, 2, 29)),  # leap year: the day itself
        (date(2008, 2, 29), 0, date(2008, 2, 29)),
        (date(2010, 6, 15), 18, date(2028, 6, 15)),
        (date(2007, 12, 31), 5, date(2012, 12, 31)),
        (date(2008, 2, 28), 1, date(2009, 2, 28)),  # 28 Feb is not a leap-day birthday
    ],
)
def test_birthday(born: date, years: int, on: date) -> None:
    assert birthday(born, years) == on
    assert age_on(born, on) == years
    assert age_on(born, on - timedelta(days=1)) == years - 1


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # non-leap: not yet 18 on 28 Feb
        (date(2008, 2, 29), date(2026, 3, 1), 18),  # turns 18 on 1 March
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),  # leap year: on 29 Feb
        (date(2008, 2, 29), date(2008, 2, 29), 0),
        (date(2012, 4, 2), date(2017, 4, 1), 4),
        (date(2012, 4, 2), date(2017, 4, 2), 5),
        (date(2012, 4, 2), date(2017, 12, 31), 5),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


# --------------------------------------------------------------------- range errors
@pytest.mark.parametrize("day", [date(1989, 12, 31), date(1900, 1, 1), date(2061, 1, 1)])
def test_dates_outside_the_range_raise(day: date) -> None:
    with pytest.raises(CalendarRangeError) as info:
        CAL.is_working_day(day)
    assert "1990-01-01..2060-12-31" in str(info.value)
    assert info.value.code == "calendar_range"
    assert (info.value.first, info.value.last) == (COVERED_FIRST, COVERED_LAST)
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(day, 1)
    with pytest.raises(CalendarRangeError):
        CAL.holiday_name(day)
    with pytest.raises(CalendarRangeError):
        CAL.working_days_between(date(2000, 1, 1), day)
    with pytest.raises(CalendarRangeError):
        CAL.working_days_between(day, date(2000, 1, 1))


def test_results_running_off_the_end_raise() -> None:
    # Fri 31 Dec 2060 is the last covered day (and a working day).
    assert CAL.add_working_days(COVERED_LAST, 0) == COVERED_LAST
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(COVERED_LAST, 1)
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(date(2060, 12, 1), 30)
    # Mon 1 Jan 1990 is New Year's Day; the first working day is Tue 2 Jan 1990.
    assert CAL.add_working_days(COVERED_FIRST, 1) == date(1990, 1, 2)
    assert CAL.add_working_days(date(1990, 1, 3), -1) == date(1990, 1, 2)
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(date(1990, 1, 2), -1)
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(date(1990, 1, 3), -2)


def test_range_error_is_a_lacplan_error_and_value_error() -> None:
    with pytest.raises(LacplanError):
        CAL.is_working_day(date(1989, 1, 1))
    with pytest.raises(ValueError):
        CAL.is_working_day(date(1989, 1, 1))


# ------------------------------------------------------------- object and provenance
def test_calendar_is_immutable() -> None:
    with pytest.raises(AttributeError):
        CAL.source = CAL.source
    with pytest.raises(AttributeError):
        CAL._cum = []
    with pytest.raises(AttributeError):
        CAL.extra = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAL.source.provider_version = "0"  # type: ignore[misc]


def test_factory_is_cached() -> None:
    assert england_and_wales() is england_and_wales()


def test_source_records_the_holidays_version() -> None:
    src = CAL.source
    assert src.provider_version == importlib.metadata.version("holidays")
    assert (src.first, src.last) == (date(1990, 1, 1), date(2060, 12, 31))
    assert (CAL.first, CAL.last) == (src.first, src.last)
    assert src.as_dict() == {
        "name": "england-and-wales",
        "provider": "holidays (GB, subdiv ENG)",
        "provider_version": importlib.metadata.version("holidays"),
        "first": "1990-01-01",
        "last": "2060-12-31",
        "closures": [],
    }
    assert repr(CAL) == "WorkingDayCalendar('england-and-wales', 1990-01-01..2060-12-31)"
