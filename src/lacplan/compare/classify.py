"""The classes of the parity report: how a stored due date differs from lacplan's.

Each test reads only how lacplan timed the obligation (a :class:`Clock`: its anchor, due date,
the offset its rule declares, the working-day calendar, the month convention and the due dates
of the obligation it is chained from), never a rule id. ``S`` is the stored date, ``A`` the
anchor, ``L`` lacplan's due date and ``O`` the declared offset (``n`` units):

``agree``
    ``S == L``.
``day_count_91_183``
    ``O`` is in months and ``S`` is ``A`` plus the fixed day count standing for them
    (:data:`~lacplan.offsets.FIXED_DAYS_PER_MONTHS`: 3 months 91 days, 6 months 183 days):
    days counted, not calendar months.
``anchor_day_counted``
    ``n > 0`` and ``S`` is ``O`` after the day before ``A``: the anchor day itself counted as
    day 1 (convention A1 counts from the day after).
``holiday_as_working_day``
    ``O`` is in working days and ``S``, a weekday after ``A`` and before ``L``, is the ``n``-th
    working day after ``A`` once between 1 and all of the non-working weekdays (bank holidays,
    closure days) in ``(A, S]`` are taken for working days: a holiday list that lacks one (Mon
    19 Sep 2022, the Queen's funeral).
``working_day_as_holiday``
    ``O`` is in working days and ``S``, a weekday after ``L``, is the ``n``-th working day
    after ``A`` once 1 to :data:`MOST_EXTRA_HOLIDAYS` working days in ``(A, S)`` are taken for
    holidays (``S`` itself counted as a working day: it may be the real date of a moved holiday
    the list lacks): a list with a non-working day the statutory calendar does not have (Mon 4
    May instead of Fri 8 May 2020).
``chain_from_due``
    ``S`` is ``O`` after the due date of the obligation this one is chained from (as the case
    system stored it, or lacplan's), where lacplan runs it from the date that obligation was met
    (convention A5).
``no_stored_date``
    lacplan has the obligation and the case system no date for it.
``no_lacplan_date``
    the case system has a date and lacplan no obligation, or one without a due date.
``other``
    none of the above.

A row's class is the first that fits in this order; ``also`` lists the others that fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from lacplan.calendar import WorkingDayCalendar, fmt_date
from lacplan.errors import CalendarRangeError
from lacplan.offsets import Months, Offset, WorkingDays, describe_offset, offset_date

__all__ = [
    "CLASSES",
    "MOST_EXTRA_HOLIDAYS",
    "SUMMARY_CLASSES",
    "UNMATCHED",
    "Clock",
    "Verdict",
    "classify",
    "fitting",
]

#: The classes, in the order they are tried.
CLASSES: Final[tuple[str, ...]] = (
    "agree",
    "day_count_91_183",
    "anchor_day_counted",
    "holiday_as_working_day",
    "working_day_as_holiday",
    "chain_from_due",
    "no_stored_date",
    "no_lacplan_date",
    "other",
)
#: The class of a stored row that could not be placed (no such child, period, rule...).
UNMATCHED: Final = "unmatched"
#: Every class a summary counts, in order.
SUMMARY_CLASSES: Final[tuple[str, ...]] = (*CLASSES, UNMATCHED)
#: Most working days a case system's holiday list may add for ``working_day_as_holiday``: a
#: list differs from the statutory one by a day or two (a moved holiday on its usual date, a
#: substitute day); a date later by more is ``other``.
MOST_EXTRA_HOLIDAYS: Final = 2

_DAY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Clock:
    """How lacplan timed one obligation: its ``anchor`` and ``due`` date, the ``offset`` its
    rule declares (``None``: none applies, such as a window's end), the ``calendar`` of its rule,
    the month convention, the due dates of the obligation it is chained from (each with how to
    name it) and its status (quoted when it has no due date)."""

    anchor: date | None
    due: date | None
    offset: Offset | None
    calendar: WorkingDayCalendar
    month_arithmetic: str = "calendar"
    chained_from: tuple[tuple[date, str], ...] = ()
    status: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A row's class, the other classes that fit (in order) and the reason for the class."""

    class_: str
    also: tuple[str, ...]
    reason: str


Test = Callable[[date, Clock], str | None]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _agree(s: date, c: Clock) -> str | None:
    return "the stored date is lacplan's due date" if s == c.due else None


def _day_count(s: date, c: Clock) -> str | None:
    o, a = c.offset, c.anchor
    if not isinstance(o, Months) or o.n <= 0 or a is None:
        return None
    counted = offset_date(a, o, c.calendar, "fixed_days")
    if s != counted:
        return None
    months = f" (calendar months give {fmt_date(c.due)})" if c.due is not None else ""
    return (
        f"{fmt_date(s)} is {_days((s - a).days)} after {fmt_date(a)}: the case system counted "
        f"days where the rule says {describe_offset(o)}{months}"
    )


def _anchor_counted(s: date, c: Clock) -> str | None:
    o, a = c.offset, c.anchor
    if o is None or o.n <= 0 or a is None:
        return None
    if s != offset_date(a - _DAY, o, c.calendar, c.month_arithmetic):
        return None
    return (
        f"{fmt_date(s)} is {describe_offset(o)} after {fmt_date(a)} counting {fmt_date(a)} "
        "itself as the first day; the count starts the day after (convention A1)"
    )


def _non_working_weekdays(cal: WorkingDayCalendar, a: date, b: date) -> list[date]:
    """The weekdays in ``(a, b]`` that are not working days (holidays, closure days)."""
    out: list[date] = []
    d = a + _DAY
    while d <= b:
        if d.weekday() < 5 and not cal.is_working_day(d):
            out.append(d)
        d += _DAY
    return out


def _named(cal: WorkingDayCalendar, days: list[date]) -> str:
    names = [f"{fmt_date(d)} ({cal.holiday_name(d) or 'a closure day'})" for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _holiday_as_working(s: date, c: Clock) -> str | None:
    o, a, due, cal = c.offset, c.anchor, c.due, c.calendar
    if not isinstance(o, WorkingDays) or o.n <= 0 or a is None or due is None:
        return None
    if not (a < s < due) or s.weekday() >= 5:
        return None
    holidays = _non_working_weekdays(cal, a, s)
    short = o.n - cal.working_days_between(a, s)
    if not 1 <= short <= len(holidays):
        return None
    which = (
        f"{_named(cal, holidays)} {'was a working day' if short == 1 else 'were working days'}"
        if short == len(holidays)
        else f"{short} of {_named(cal, holidays)} were working days"
    )
    return (
        f"{fmt_date(s)} is the {_ordinal(o.n)} working day after {fmt_date(a)} if {which}: the "
        "case system's holiday list lacks what the statutory calendar has"
    )


def _working_as_holiday(s: date, c: Clock) -> str | None:
    o, a, due, cal = c.offset, c.anchor, c.due, c.calendar
    if not isinstance(o, WorkingDays) or o.n <= 0 or a is None or due is None:
        return None
    if s <= due or s.weekday() >= 5:
        return None
    itself = not cal.is_working_day(s)
    extra = cal.working_days_between(a, s) + int(itself) - o.n
    if not 1 <= extra <= MOST_EXTRA_HOLIDAYS:
        return None
    more = "1 more working day" if extra == 1 else f"{extra} more working days"
    moved = (
        f", and {_named(cal, [s])} a working day (a moved holiday on its usual date?)"
        if itself
        else ""
    )
    return (
        f"{fmt_date(s)} is the {_ordinal(o.n)} working day after {fmt_date(a)} if {more} "
        f"before it {'was a holiday' if extra == 1 else 'were holidays'}{moved}: the case "
        "system's holiday list has a non-working day the statutory calendar does not"
    )


def _chain_from_due(s: date, c: Clock) -> str | None:
    o, a = c.offset, c.anchor
    if o is None or a is None:
        return None
    for d, name in c.chained_from:
        if d != a and s == offset_date(d, o, c.calendar, c.month_arithmetic):
            return (
                f"{fmt_date(s)} is {describe_offset(o)} after {fmt_date(d)}, {name}; lacplan "
                f"counts from {fmt_date(a)}, the date that obligation was met (convention A5)"
            )
    return None


#: The tests of the classes that compare two dates, in order.
_DATE_TESTS: Final[tuple[tuple[str, Test], ...]] = (
    ("agree", _agree),
    ("day_count_91_183", _day_count),
    ("anchor_day_counted", _anchor_counted),
    ("holiday_as_working_day", _holiday_as_working),
    ("working_day_as_holiday", _working_as_holiday),
    ("chain_from_due", _chain_from_due),
)


def fitting(stored: date | None, clock: Clock | None, *, row: bool = True) -> list[tuple[str, str]]:
    """Every class that fits, in :data:`CLASSES` order, each with its reason. ``clock`` is
    ``None`` when lacplan has no obligation; ``row=False`` when the case system has no row for
    it (and so ``stored`` is ``None``)."""
    out: list[tuple[str, str]] = []
    if stored is not None and clock is not None and clock.due is not None:
        for name, test in _DATE_TESTS:
            try:
                reason = test(stored, clock)
            except CalendarRangeError:  # a date outside the calendar: that test cannot fit
                reason = None
            if reason is not None:
                out.append((name, reason))
    if clock is not None and stored is None:
        out.append(
            (
                "no_stored_date",
                "the stored row has no due date" if row else "no stored row for this obligation",
            )
        )
    if clock is None:
        out.append(
            ("no_lacplan_date", "lacplan has no obligation of this rule and sequence in the period")
        )
    elif clock.due is None:
        status = f" (it is {clock.status})" if clock.status else ""
        out.append(("no_lacplan_date", f"lacplan's obligation has no due date{status}"))
    if not out:
        assert stored is not None and clock is not None and clock.due is not None
        days = (stored - clock.due).days
        out.append(
            (
                "other",
                f"the stored date is {_days(abs(days))} {'after' if days > 0 else 'before'} "
                "lacplan's, and none of the known drifts gives it",
            )
        )
    return out


def classify(stored: date | None, clock: Clock | None, *, row: bool = True) -> Verdict:
    """The first class that fits (:func:`fitting`), the others that fit and its reason."""
    fits = fitting(stored, clock, row=row)
    return Verdict(fits[0][0], tuple(name for name, _ in fits[1:]), fits[0][1])
