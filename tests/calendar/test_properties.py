"""Properties of working-day arithmetic, with numpy's ``busday_offset`` as an independent oracle.

numpy equivalence (checked exhaustively in the tests below): ``add_working_days(d, n)`` is
``busday_offset(d, n, roll="backward")`` for ``n > 0`` (rolling a non-working ``d`` back to the
previous working day does not change which day is the n-th working day after it) and
``busday_offset(d, n, roll="forward")`` for ``n <= 0`` (a non-working ``d`` rolls on to the next
working day, so ``n = 0`` gives that day and ``n = -1`` the last working day before ``d``).
``working_days_between(a, b)`` is ``busday_count(a + 1, b + 1)`` for ``a <= b`` and minus
``busday_count(b + 1, a + 1)`` for ``b < a`` (numpy's own count for ``begin > end`` covers
``[end + 1, begin]``, not the mirror of the half-open interval).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lacplan.calendar import england_and_wales

CAL = england_and_wales()

DATES = st.dates(date(1995, 1, 1), date(2055, 12, 31))
NS = st.integers(-60, 60)
POSITIVE = st.integers(1, 60)
NON_POSITIVE = st.integers(-60, 0)


@cache
def numpy_calendar() -> tuple[Any, Any]:
    """numpy and a ``busdaycalendar`` built straight from ``holidays``, not from lacplan."""
    np = pytest.importorskip("numpy")
    table = holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2061))
    return np, np.busdaycalendar(holidays=np.array(sorted(table), dtype="datetime64[D]"))


# ------------------------------------------------------------------------ inverses
@given(d=DATES, n=POSITIVE)
def test_count_inverts_add_for_positive_n(d: date, n: int) -> None:
    assert CAL.working_days_between(d, CAL.add_working_days(d, n)) == n


@given(d=DATES, n=NON_POSITIVE)
def test_count_inverts_add_for_non_positive_n(d: date, n: int) -> None:
    result = CAL.working_days_between(d, CAL.add_working_days(d, n))
    if CAL.is_working_day(d):
        assert result == n
    else:
        # From a non-working day, day 0 is the next working day and day -1 the previous one,
        # so the half-open count (d, result] is off by one.
        assert result == n + 1


@given(d=DATES, n=NS)
def test_result_is_a_working_day(d: date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(d, n))


@given(d=DATES)
def test_n_zero_is_identity_on_working_days(d: date) -> None:
    r = CAL.add_working_days(d, 0)
    assert (r == d) == CAL.is_working_day(d)
    assert r >= d
    assert all(not CAL.is_working_day(d + timedelta(days=k)) for k in range((r - d).days))


# ---------------------------------------------------------------------- monotonicity
@given(d=DATES, n=st.integers(-60, 59))
def test_monotone_in_n(d: date, n: int) -> None:
    a, b = CAL.add_working_days(d, n), CAL.add_working_days(d, n + 1)
    if n == 0 and not CAL.is_working_day(d):
        assert a == b  # from a non-working day, day 0 and day 1 are the same day
    else:
        assert a < b


@given(d1=DATES, d2=DATES, n=NS)
def test_monotone_in_d(d1: date, d2: date, n: int) -> None:
    lo, hi = sorted((d1, d2))
    assert CAL.add_working_days(lo, n) <= CAL.add_working_days(hi, n)


# -------------------------------------------------------------------------- closures
@settings(max_examples=50)
@given(
    d=DATES,
    n=NS,
    offsets=st.sets(st.integers(-90, 90), max_size=15),
)
def test_closures_never_make_a_result_earlier(d: date, n: int, offsets: set[int]) -> None:
    closed = CAL.with_closures(d + timedelta(days=k) for k in offsets)
    statutory, local = CAL.add_working_days(d, n), closed.add_working_days(d, n)
    if n >= 0:
        assert local >= statutory
    else:  # counting back, extra non-working days push the result further back
        assert local <= statutory
    assert closed.is_working_day(local)
    assert CAL.is_working_day(local)


# --------------------------------------------------------------------- batch path
@given(pairs=st.lists(st.tuples(DATES, NS), max_size=40))
def test_add_working_days_many_agrees_with_scalar(pairs: list[tuple[date, int]]) -> None:
    np, _ = numpy_calendar()
    dates = np.array([d for d, _ in pairs], dtype="datetime64[D]")
    ns = np.array([n for _, n in pairs], dtype=np.int64)
    got = CAL.add_working_days_many(dates, ns)
    assert got.dtype == np.dtype("datetime64[D]")
    assert got.shape == (len(pairs),)
    assert got.tolist() == [CAL.add_working_days(d, n) for d, n in pairs]


def test_add_working_days_many_raises_out_of_range() -> None:
    from lacplan.errors import CalendarRangeError

    np, _ = numpy_calendar()
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days_many(np.array(["1989-12-31"], dtype="datetime64[D]"), [1])
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days_many(np.array(["2060-12-31"], dtype="datetime64[D]"), [1])
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days_many(np.array(["1990-01-02"], dtype="datetime64[D]"), [-1])


# ---------------------------------------------------------------- numpy as an oracle
@given(d=DATES, n=POSITIVE)
def test_add_matches_numpy_for_positive_n(d: date, n: int) -> None:
    np, bdc = numpy_calendar()
    expected = np.busday_offset(np.datetime64(d, "D"), n, roll="backward", busdaycal=bdc)
    assert CAL.add_working_days(d, n) == expected.item()
    # Equivalently: roll back to a working day first, then offset.
    rolled = np.busday_offset(np.datetime64(d, "D"), 0, roll="backward", busdaycal=bdc)
    assert CAL.add_working_days(d, n) == np.busday_offset(rolled, n, busdaycal=bdc).item()


@given(d=DATES, n=NS)
def test_add_matches_numpy_for_all_n(d: date, n: int) -> None:
    np, bdc = numpy_calendar()
    roll = "backward" if n > 0 else "forward"
    expected = np.busday_offset(np.datetime64(d, "D"), n, roll=roll, busdaycal=bdc)
    assert CAL.add_working_days(d, n) == expected.item()


@given(d=DATES)
def test_is_working_day_matches_numpy(d: date) -> None:
    np, bdc = numpy_calendar()
    assert CAL.is_working_day(d) == bool(np.is_busday(np.datetime64(d, "D"), busdaycal=bdc))


@given(a=DATES, b=DATES)
def test_count_matches_numpy(a: date, b: date) -> None:
    np, bdc = numpy_calendar()
    one = np.timedelta64(1, "D")
    lo, hi = sorted((a, b))
    # numpy's count for begin > end is not the mirror of (a, b], so order the pair first.
    count = int(np.busday_count(np.datetime64(lo) + one, np.datetime64(hi) + one, busdaycal=bdc))
    assert CAL.working_days_between(a, b) == (count if a <= b else -count)


def test_add_matches_numpy_exhaustively_2020_to_2023() -> None:
    """Every start day of 2020-2023 and every n in -60..60, vectorised on the numpy side."""
    np, bdc = numpy_calendar()
    starts = np.arange("2020-01-01", "2024-01-01", dtype="datetime64[D]")
    for n in range(-60, 61):
        roll = "backward" if n > 0 else "forward"
        expected = np.busday_offset(starts, n, roll=roll, busdaycal=bdc)
        got = CAL.add_working_days_many(starts, np.full(starts.shape, n))
        assert (got == expected).all(), n
