"""The statutory calendar against a hand-written list of England & Wales bank holidays.

``BANK_HOLIDAYS`` is typed out from the GOV.UK list (https://www.gov.uk/bank-holidays), not
derived from the ``holidays`` package or from lacplan's tables, so it is an independent oracle:
every date from 2019-01-01 to 2027-12-31 is checked against it by a naive day-by-day loop.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lacplan.calendar import england_and_wales

ONE_DAY = timedelta(days=1)

# Official England & Wales bank holidays (GOV.UK), 2019-2027 inclusive. Christmas Day and Good
# Friday are common-law holidays rather than 1971 Act bank holidays, but GOV.UK lists them and
# they are excluded from working days either way. A holiday falling at a weekend is not listed;
# its substitute weekday is.
BANK_HOLIDAYS: frozenset[date] = frozenset(
    {
        # 2019
        date(2019, 1, 1),  # New Year's Day
        date(2019, 4, 19),  # Good Friday
        date(2019, 4, 22),  # Easter Monday
        date(2019, 5, 6),  # Early May bank holiday
        date(2019, 5, 27),  # Spring bank holiday
        date(2019, 8, 26),  # Summer bank holiday
        date(2019, 12, 25),  # Christmas Day
        date(2019, 12, 26),  # Boxing Day
        # 2020
        date(2020, 1, 1),  # New Year's Day
        date(2020, 4, 10),  # Good Friday
        date(2020, 4, 13),  # Easter Monday
        date(2020, 5, 8),  # Early May bank holiday moved from Mon 4 May to Fri for VE Day 75
        date(2020, 5, 25),  # Spring bank holiday
        date(2020, 8, 31),  # Summer bank holiday
        date(2020, 12, 25),  # Christmas Day (Fri)
        date(2020, 12, 28),  # Boxing Day substitute (26 Dec is a Saturday)
        # 2021
        date(2021, 1, 1),  # New Year's Day
        date(2021, 4, 2),  # Good Friday
        date(2021, 4, 5),  # Easter Monday
        date(2021, 5, 3),  # Early May bank holiday
        date(2021, 5, 31),  # Spring bank holiday
        date(2021, 8, 30),  # Summer bank holiday
        date(2021, 12, 27),  # Christmas Day substitute (25 Dec is a Saturday)
        date(2021, 12, 28),  # Boxing Day substitute (26 Dec is a Sunday)
        # 2022
        date(2022, 1, 3),  # New Year's Day substitute (1 Jan is a Saturday)
        date(2022, 4, 15),  # Good Friday
        date(2022, 4, 18),  # Easter Monday
        date(2022, 5, 2),  # Early May bank holiday
        date(2022, 6, 2),  # Spring bank holiday moved from Mon 30 May (Platinum Jubilee)
        date(2022, 6, 3),  # Platinum Jubilee bank holiday (one-off, proclaimed)
        date(2022, 8, 29),  # Summer bank holiday
        date(2022, 9, 19),  # Bank holiday for the State Funeral of Queen Elizabeth II (one-off)
        date(2022, 12, 26),  # Boxing Day (Mon)
        date(2022, 12, 27),  # Christmas Day substitute (25 Dec is a Sunday)
        # 2023
        date(2023, 1, 2),  # New Year's Day substitute (1 Jan is a Sunday)
        date(2023, 4, 7),  # Good Friday
        date(2023, 4, 10),  # Easter Monday
        date(2023, 5, 1),  # Early May bank holiday
        date(2023, 5, 8),  # Bank holiday for the Coronation of King Charles III (one-off)
        date(2023, 5, 29),  # Spring bank holiday
        date(2023, 8, 28),  # Summer bank holiday
        date(2023, 12, 25),  # Christmas Day
        date(2023, 12, 26),  # Boxing Day
        # 2024
        date(2024, 1, 1),  # New Year's Day
        date(2024, 3, 29),  # Good Friday
        date(2024, 4, 1),  # Easter Monday
        date(2024, 5, 6),  # Early May bank holiday
        date(2024, 5, 27),  # Spring bank holiday
        date(2024, 8, 26),  # Summer bank holiday
        date(2024, 12, 25),  # Christmas Day
        date(2024, 12, 26),  # Boxing Day
        # 2025
        date(2025, 1, 1),  # New Year's Day
        date(2025, 4, 18),  # Good Friday
        date(2025, 4, 21),  # Easter Monday
        date(2025, 5, 5),  # Early May bank holiday
        date(2025, 5, 26),  # Spring bank holiday
        date(2025, 8, 25),  # Summer bank holiday
        date(2025, 12, 25),  # Christmas Day
        date(2025, 12, 26),  # Boxing Day
        # 2026
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # Early May bank holiday
        date(2026, 5, 25),  # Spring bank holiday
        date(2026, 8, 31),  # Summer bank holiday
        date(2026, 12, 25),  # Christmas Day (Fri)
        date(2026, 12, 28),  # Boxing Day substitute (26 Dec is a Saturday)
        # 2027
        date(2027, 1, 1),  # New Year's Day
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 5, 3),  # Early May bank holiday
        date(2027, 5, 31),  # Spring bank holiday
        date(2027, 8, 30),  # Summer bank holiday
        date(2027, 12, 27),  # Christmas Day substitute (25 Dec is a Saturday)
        date(2027, 12, 28),  # Boxing Day substitute (26 Dec is a Sunday)
    }
)

# The only bank holidays in the margins the oracle may walk into when counting 20 working days
# past either end of 2019-2027 (the next ones are Mon 27 Aug 2018 and Fri 14 Apr 2028).
MARGIN_HOLIDAYS: frozenset[date] = frozenset(
    {
        date(2018, 12, 25),  # Christmas Day
        date(2018, 12, 26),  # Boxing Day
        date(2028, 1, 3),  # New Year's Day substitute (1 Jan 2028 is a Saturday)
    }
)

FIRST = date(2019, 1, 1)
LAST = date(2027, 12, 31)
ORACLE_FIRST = date(2018, 8, 28)
ORACLE_LAST = date(2028, 4, 13)
YEARS = range(FIRST.year, LAST.year + 1)
NS = (1, 5, 10, 20, -20)
SPANS = (1, 3, 7, 14, 31, 92, -31)


# ------------------------------------------------------------------ naive oracle
def naive_is_working(d: date) -> bool:
    if not ORACLE_FIRST <= d <= ORACLE_LAST:
        raise AssertionError(f"oracle walked outside its table: {d}")
    return d.weekday() < 5 and d not in BANK_HOLIDAYS and d not in MARGIN_HOLIDAYS


def naive_add(d: date, n: int) -> date:
    """Walk day by day: the n-th working day strictly after (n > 0) or before (n < 0) d."""
    step = ONE_DAY if n > 0 else -ONE_DAY
    remaining = abs(n)
    cur = d
    while remaining:
        cur += step
        if naive_is_working(cur):
            remaining -= 1
    return cur


def naive_between(a: date, b: date) -> int:
    """Working days in (a, b], negated when b < a."""
    if b < a:
        return -naive_between(b, a)
    count = 0
    cur = a
    while cur < b:
        cur += ONE_DAY
        count += naive_is_working(cur)
    return count


def days_of(year: int) -> list[date]:
    d = date(year, 1, 1)
    out = []
    while d.year == year:
        out.append(d)
        d += ONE_DAY
    return out


# ------------------------------------------------------------------------ tests
def test_table_is_well_formed() -> None:
    assert all(d.weekday() < 5 for d in BANK_HOLIDAYS)
    assert all(FIRST <= d <= LAST for d in BANK_HOLIDAYS)
    # Eight a year, plus the 2020 none, 2022 Jubilee and State Funeral, 2023 Coronation.
    per_year = {y: sum(d.year == y for d in BANK_HOLIDAYS) for y in YEARS}
    assert per_year == {y: 8 for y in YEARS} | {2022: 10, 2023: 9}


@pytest.mark.parametrize("year", YEARS)
def test_is_working_day_every_date(year: int) -> None:
    cal = england_and_wales()
    wrong = [
        d
        for d in days_of(year)
        if cal.is_working_day(d) != (d.weekday() < 5 and d not in BANK_HOLIDAYS)
    ]
    assert wrong == []


@pytest.mark.parametrize("year", YEARS)
def test_holiday_name_only_on_listed_weekdays(year: int) -> None:
    cal = england_and_wales()
    named = {d for d in days_of(year) if cal.holiday_name(d) is not None}
    assert named == {d for d in BANK_HOLIDAYS if d.year == year}


@pytest.mark.parametrize("year", YEARS)
def test_add_working_days_every_date(year: int) -> None:
    cal = england_and_wales()
    wrong = [
        (d, n, cal.add_working_days(d, n), naive_add(d, n))
        for d in days_of(year)
        for n in NS
        if cal.add_working_days(d, n) != naive_add(d, n)
    ]
    assert wrong == []


@pytest.mark.parametrize("year", YEARS)
def test_working_days_between_every_date(year: int) -> None:
    cal = england_and_wales()
    wrong = [
        (d, k)
        for d in days_of(year)
        for k in SPANS
        if cal.working_days_between(d, d + timedelta(days=k))
        != naive_between(d, d + timedelta(days=k))
    ]
    assert wrong == []


def test_working_days_between_running_total() -> None:
    """Working days in (FIRST, d] for every d, kept as a running total over the table."""
    cal = england_and_wales()
    total = 0
    d = FIRST
    while d <= LAST:
        assert cal.working_days_between(FIRST, d) == total, d
        d += ONE_DAY
        total += d <= LAST and d.weekday() < 5 and d not in BANK_HOLIDAYS
    # 2019-2027 is 3,287 days: 469 weeks (2,345 weekdays) and Tue 1 to Fri 4 Jan 2019 (4 more);
    # 75 of those 2,349 weekdays are bank holidays.
    assert cal.working_days_between(FIRST - ONE_DAY, LAST) == 2349 - 75


@pytest.mark.parametrize(
    "day",
    [
        date(1995, 5, 8),  # Early May bank holiday moved from 1 May for VE Day 50
        date(1999, 12, 31),  # Millennium bank holiday
        date(2000, 1, 3),  # New Year's Day substitute (1 Jan 2000 is a Saturday)
        date(2002, 6, 3),  # Golden Jubilee bank holiday
        date(2002, 6, 4),  # Spring bank holiday moved from 27 May (Golden Jubilee)
        date(2011, 4, 29),  # Royal Wedding bank holiday
        date(2012, 6, 4),  # Spring bank holiday moved from 28 May (Diamond Jubilee)
        date(2012, 6, 5),  # Diamond Jubilee bank holiday
    ],
)
def test_one_off_days_before_2019_are_not_working(day: date) -> None:
    cal = england_and_wales()
    assert day.weekday() < 5
    assert not cal.is_working_day(day)
    assert cal.holiday_name(day) is not None


@pytest.mark.parametrize(
    "day",
    [
        date(1995, 5, 1),  # first Monday of May 1995: the holiday moved to 8 May
        date(2002, 5, 27),  # last Monday of May 2002: the holiday moved to 4 Jun
        date(2012, 5, 28),  # last Monday of May 2012: the holiday moved to 4 Jun
        date(2019, 12, 24),  # Christmas Eve is a working day
        date(2020, 5, 4),  # first Monday of May 2020: the holiday moved to Fri 8 May
        date(2022, 5, 30),  # last Monday of May 2022: the holiday moved to Thu 2 Jun
        date(2023, 12, 29),  # between Christmas and New Year: a working day (no closures)
    ],
)
def test_days_that_look_like_holidays_are_working(day: date) -> None:
    cal = england_and_wales()
    assert cal.is_working_day(day)
    assert cal.holiday_name(day) is None
