"""Working-day calendars and calendar-unit date arithmetic.

A *working day* (CPPCR 2010 reg 2(1), substance; see ``docs/calendar.md``) is a day other than a
Saturday, a Sunday, Christmas Day, Good Friday or a bank holiday in England and Wales under the
Banking and Financial Dealings Act 1971, including substitute days and one-off proclaimed days.

:func:`england_and_wales` builds that calendar once per process from a holiday table shipped
with lacplan and generated from the ``holidays`` package (country ``GB``, subdivision ``ENG``;
see :mod:`lacplan.calendar_table`), or from ``holidays`` itself when the installed version is
not the one the table came from. It keeps, for the ``i``-th covered day:

* ``_working[i]``: whether it is a working day;
* ``_up[i]``: the working days in ``[first, day i]``, minus one; ``_down[i]``: those before it;

and ``_dates[k]``, the ``k``-th working day (0-based) as a ``date`` object.

With them every operation is a range check and two list look-ups, with no loop over
days and no new ``date`` object::

    >>> from datetime import date
    >>> cal = england_and_wales()
    >>> cal.add_working_days(date(2020, 12, 18), 20)   # skips 25, 28 Dec 2020 and 1 Jan 2021
    datetime.date(2021, 1, 20)
    >>> cal.working_days_between(date(2020, 12, 18), date(2021, 1, 20))
    20

Counting follows Dodds v Walker (convention A1): the day of the event is not counted, so
``add_working_days(d, n)`` is the n-th working day strictly after ``d`` and
``working_days_between(a, b)`` counts working days in ``(a, b]``. In numpy terms these are
``busday_offset(d, n, roll="backward")`` for a working ``d`` and ``busday_count(a + 1, b + 1)``
for ``a <= b`` (numpy's count for ``begin > end`` is not the mirror image of ``(a, b]``).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from itertools import accumulate, compress
from typing import Any

from lacplan.errors import CalendarRangeError

__all__ = [
    "COVERED_FIRST",
    "COVERED_LAST",
    "CalendarSource",
    "SkippedDay",
    "WorkingDayCalendar",
    "WorkingDayStep",
    "add_days",
    "add_months",
    "add_months_clamped",
    "add_weeks",
    "age_on",
    "birthday",
    "england_and_wales",
    "month_end_clamped",
]

#: First and last dates of the statutory calendar's tables (inclusive).
COVERED_FIRST = date(1990, 1, 1)
COVERED_LAST = date(2060, 12, 31)

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CalendarSource:
    """What a calendar was built from, recorded in every report for reproducibility."""

    name: str
    provider: str
    provider_version: str
    first: date
    last: date
    closures: tuple[date, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "provider": self.provider,
            "provider_version": self.provider_version,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "closures": [d.isoformat() for d in self.closures],
        }


@dataclass(frozen=True, slots=True)
class SkippedDay:
    """A non-working weekday passed over while counting, with its name."""

    day: date
    name: str
    statutory: bool = True


@dataclass(frozen=True, slots=True)
class WorkingDayStep:
    """The account of one working-day addition: where it started, ended and what it skipped."""

    start: date
    n: int
    result: date
    skipped: tuple[SkippedDay, ...]
    weekend_days: int

    def describe(self) -> str:
        """Plain English, e.g. ``"skipping Fri 25 Dec 2020 (Christmas Day) and 4 weekend days"``."""
        parts = [f"{fmt_date(s.day)} ({s.name})" for s in self.skipped]
        if self.weekend_days:
            parts.append(f"{self.weekend_days} weekend day{'s' if self.weekend_days != 1 else ''}")
        if not parts:
            return "no non-working days skipped"
        if len(parts) == 1:
            return "skipping " + parts[0]
        return "skipping " + ", ".join(parts[:-1]) + " and " + parts[-1]


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


@lru_cache(maxsize=16_384)  # a pure function: a report writes the same few dates many times
def iso_date(d: date) -> str:
    """``d.isoformat()`` (``2021-01-20``), remembered: each obligation's key and its rows'
    anchor, due and met_on are written with it (``date.isoformat`` costs more than the lookup)."""
    return d.isoformat()


@lru_cache(maxsize=16_384)  # a pure function: explanations name the same few dates often
def fmt_date(d: date) -> str:
    """``Wed 20 Jan 2021``: the date style used in every explanation (locale-independent)."""
    return f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month]} {d.year}"


#: How many derived (``with_closures``) calendars each calendar remembers.
_DERIVED_MAX = 16


class WorkingDayCalendar:
    """An immutable working-day calendar over a fixed, covered date range.

    Build one with :func:`england_and_wales` (cached) or :meth:`with_closures`; the constructor is
    public for other jurisdictions: pass the non-working weekdays with their names.
    """

    __slots__ = (
        "_dates",
        "_days",
        "_derived",
        "_down",
        "_first_ord",
        "_last_ord",
        "_names",
        "_np",
        "_skip_ords",
        "_skips",
        "_statutory",
        "_up",
        "_working",
        "source",
    )

    def __init__(
        self,
        non_working: Mapping[date, str],
        *,
        first: date,
        last: date,
        source: CalendarSource,
        statutory: frozenset[date] | None = None,
    ) -> None:
        if last < first:
            raise ValueError("calendar range is empty: last < first")
        first_ord = first.toordinal()
        last_ord = last.toordinal()
        size = last_ord - first_ord + 1
        names: dict[int, str] = {}
        for d, name in non_working.items():
            o = d.toordinal()
            if first_ord <= o <= last_ord and d.weekday() < 5:
                names[o] = name
        # The weekday pattern from the first day's weekday, repeated, then the holidays cleared:
        # every table below is built by C-level list operations, not a Python loop over days.
        start = first.weekday()
        week = (True, True, True, True, True, False, False)
        working = list((week[start:] + week[:start]) * (size // 7 + 1))[:size]
        for o in names:
            working[o - first_ord] = False
        up = list(accumulate(working, initial=-1))
        del up[0]  # up[i] = working days in [first, day i], minus one (the base for n > 0)
        down = list(accumulate(working, initial=0))
        down.pop()  # down[i] = working days in [first, day i) (the base for n <= 0)
        statutory_ords = (
            frozenset(d.toordinal() for d in statutory)
            if statutory is not None
            else frozenset(names)
        )
        skip_ords = sorted(names)
        self._first_ord = first_ord
        self._last_ord = last_ord
        self._working = working
        self._up = up
        self._down = down
        # Every covered day's date object, and the working days' among them: results are
        # these objects, so a report holding a million due dates holds one object per day.
        self._days = tuple(map(date.fromordinal, range(first_ord, last_ord + 1)))
        self._dates = tuple(compress(self._days, working))
        self._names = names
        self._skip_ords = skip_ords  # the holidays and closures (weekdays), in date order
        self._skips: tuple[SkippedDay, ...] | None = None  # built by the first explain()
        self._np: tuple[Any, Any] | None = None
        self._derived: dict[tuple[frozenset[date], str], WorkingDayCalendar] = {}
        self._statutory = statutory_ords
        self.source = source

    # ------------------------------------------------------------------ basics
    def __repr__(self) -> str:
        s = self.source
        return f"WorkingDayCalendar({s.name!r}, {s.first.isoformat()}..{s.last.isoformat()})"

    def __setattr__(self, key: str, value: object) -> None:
        if hasattr(self, "source"):
            raise AttributeError("WorkingDayCalendar is immutable")
        object.__setattr__(self, key, value)

    @property
    def first(self) -> date:
        """First covered date."""
        return self.source.first

    @property
    def last(self) -> date:
        """Last covered date."""
        return self.source.last

    def _index(self, d: date) -> int:
        # Explicit guard on both ends: a negative list index would silently wrap around.
        o = d.toordinal()
        if o < self._first_ord or o > self._last_ord:
            raise CalendarRangeError(d.isoformat(), self.source.first, self.source.last)
        return o - self._first_ord

    def is_working_day(self, d: date) -> bool:
        """True unless ``d`` is a Saturday, Sunday, holiday or closure day."""
        i = d.toordinal() - self._first_ord
        if i >= 0:  # the upper end: the list look-up raises IndexError
            try:
                return self._working[i]
            except IndexError:
                pass
        raise CalendarRangeError(d.isoformat(), self.source.first, self.source.last)

    def holiday_name(self, d: date) -> str | None:
        """Name of the holiday or closure on weekday ``d``; ``None`` for working days, weekends."""
        self._index(d)
        return self._names.get(d.toordinal())

    # -------------------------------------------------------------- arithmetic
    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``d`` itself not counted).

        If ``d`` is not a working day, the first working day after it is day 1. Negative ``n``
        counts back: the ``|n|``-th working day before ``d``. ``n == 0`` gives ``d`` itself when
        it is a working day, else the next working day.
        """
        # The guard is one comparison and the list look-ups themselves: a day or a result past
        # the upper end raises IndexError; only the lower end (a negative index) is compared.
        i = d.toordinal() - self._first_ord
        if i >= 0:
            try:
                k = self._up[i] + n if n > 0 else self._down[i] + n
                if k >= 0:
                    return self._dates[k]
            except IndexError:
                pass
        raise self._range_error(d, n)

    def add_calendar_days(self, d: date, n: int) -> date:
        """``n`` calendar days after ``d`` (before it for negative ``n``), as
        ``d + timedelta(days=n)`` gives it: the calendar's own date object when the result is
        a covered day (so that results share one object per day), else a new one (never an
        error)."""
        i = d.toordinal() + n - self._first_ord
        if i >= 0:
            try:
                return self._days[i]
            except IndexError:
                pass
        return d + timedelta(days=n)

    def same_day(self, d: date) -> date:
        """``d`` itself, as the calendar's own object for that day when it is covered."""
        i = d.toordinal() - self._first_ord
        if i >= 0:
            try:
                return self._days[i]
            except IndexError:
                pass
        return d

    def _range_error(self, d: date, n: int) -> CalendarRangeError:
        """The error :meth:`add_working_days` raises: the day itself, or the result, is outside."""
        try:
            self._index(d)
        except CalendarRangeError as exc:
            return exc
        return CalendarRangeError(
            f"{d.isoformat()} {'+' if n >= 0 else '-'} {abs(n)} working days",
            self.source.first,
            self.source.last,
        )

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``(a, b]``; negative (minus those in ``(b, a]``) when ``b < a``.

        ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n > 0``, and for
        ``n <= 0`` whenever ``d`` is a working day.
        """
        first = self._first_ord
        ia, ib = a.toordinal() - first, b.toordinal() - first
        if ia >= 0 and ib >= 0:
            try:
                return self._up[ib] - self._up[ia]
            except IndexError:
                pass
        return self._up[self._index(b)] - self._up[self._index(a)]  # raises for b, then a

    def explain(self, d: date, n: int) -> WorkingDayStep:
        """:meth:`add_working_days` with an account of the non-working days it passed over."""
        result = self.add_working_days(d, n)
        first = self._first_ord
        d_o, r_o = d.toordinal(), result.toordinal()
        i, j = d_o - first, r_o - first  # both covered: the result exists
        ords = self._skip_ords
        skips = self._skips if self._skips is not None else self._skipped_days()
        # The start day is never counted, so it is never "skipped" either: forwards the days
        # passed over are (d, result], backwards [result, d) (result itself is a working day).
        # Their weekdays that are not working days are the holidays in that span; the rest of
        # the non-working days are weekend days.
        if j >= i:
            skipped = skips[bisect_right(ords, d_o) : bisect_right(ords, r_o)]
            weekend = (j - i) - (self._up[j] - self._up[i]) - len(skipped)
        else:
            skipped = skips[bisect_left(ords, r_o) : bisect_left(ords, d_o)]
            weekend = (i - j) - (self._down[i] - self._down[j]) - len(skipped)
        return WorkingDayStep(d, n, result, skipped, weekend)

    def _skipped_days(self) -> tuple[SkippedDay, ...]:
        # A pure cache of derived data (as the numpy tables): the holidays and closures on
        # weekdays as ``SkippedDay`` objects, in date order, for explanations only.
        statutory = self._statutory
        skips = tuple(
            SkippedDay(date.fromordinal(o), self._names[o], o in statutory) for o in self._skip_ords
        )
        object.__setattr__(self, "_skips", skips)
        return skips

    # ------------------------------------------------------------ derivation
    def with_closures(self, dates: Iterable[date], name: str | None = None) -> WorkingDayCalendar:
        """A new calendar that also treats ``dates`` (e.g. 27-31 Dec) as non-working.

        The closures are labelled non-statutory in explanations; ``self`` is not changed. The
        same closures asked for again give the same (immutable) calendar, not a rebuilt one.
        """
        label = name or "local authority closure"
        key = (frozenset(dates), label)
        derived = self._derived.get(key)
        if derived is not None:
            return derived
        extra = sorted(key[0])
        names = {date.fromordinal(o): nm for o, nm in self._names.items()}
        for d in extra:
            names.setdefault(d, label)
        statutory = frozenset(date.fromordinal(o) for o in self._statutory)
        src = self.source
        source = CalendarSource(
            name=f"{src.name}+{label}",
            provider=src.provider,
            provider_version=src.provider_version,
            first=src.first,
            last=src.last,
            closures=tuple(sorted(set(src.closures) | set(extra))),
        )
        derived = WorkingDayCalendar(
            names, first=src.first, last=src.last, source=source, statutory=statutory
        )
        if len(self._derived) >= _DERIVED_MAX:
            self._derived.clear()
        self._derived[key] = derived
        return derived

    # ------------------------------------------------------------ batch path
    def add_working_days_many(self, dates: Any, ns: Any) -> Any:
        """Vectorised :meth:`add_working_days` over numpy arrays (needs the ``numpy`` extra).

        ``dates`` is a ``datetime64[D]`` array (or anything ``numpy.asarray`` turns into one) and
        ``ns`` an integer array of the same shape; returns a ``datetime64[D]`` array.
        """
        import numpy as np

        step, ords = self._numpy_tables()
        d = np.asarray(dates, dtype="datetime64[D]").view(np.int64)  # days since 1970-01-01
        n = np.asarray(ns, dtype=np.int64)
        i = np.asarray(d - (self._first_ord - _EPOCH_ORDINAL))
        # One unsigned comparison guards both ends: a negative index (or NaT) wraps to a huge one.
        if i.size and (i.view(np.uint64) > self._last_ord - self._first_ord).any():
            raise CalendarRangeError("a date in the batch", self.source.first, self.source.last)
        # As in add_working_days: k = up[i] + n for n > 0, else k = down[i] + n.
        k = np.asarray(step[2 * i + (n <= 0)] + n)
        if k.size and (k.view(np.uint64) >= ords.size).any():
            raise CalendarRangeError("a result in the batch", self.source.first, self.source.last)
        return ords[k].view("datetime64[D]")

    def _numpy_tables(self) -> tuple[Any, Any]:
        # A pure cache of derived data, built on first batch call: step[2i] = up[i] and
        # step[2i + 1] = down[i] (the base index for n > 0 and n <= 0), and the working days
        # as days since 1970-01-01.
        if self._np is None:
            import numpy as np

            step = np.empty(2 * len(self._up), dtype=np.int64)
            step[0::2] = self._up
            step[1::2] = self._down
            working = np.flatnonzero(np.asarray(self._working, dtype=bool))
            tables = (step, working + (self._first_ord - _EPOCH_ORDINAL))
            object.__setattr__(self, "_np", tables)
            return tables
        return self._np


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@cache
def england_and_wales() -> WorkingDayCalendar:
    """The statutory England & Wales working-day calendar, 1990-2060 (built once, cached).

    Source: ``holidays.country_holidays("GB", subdiv="ENG")``: bank holidays under the 1971 Act
    with substitute days and one-off proclaimed days (2020-05-08, 2022-06-02/03, 2022-09-19,
    2023-05-08, ...), Christmas Day and Good Friday. lacplan ships that table, generated from a
    recorded ``holidays`` version, and uses it when the installed ``holidays`` is that version
    (so ``holidays`` is not imported); otherwise it asks ``holidays``. ``source`` names the
    installed version either way.
    """
    from lacplan.calendar_table import holiday_names

    names, provider_version = holiday_names()
    source = CalendarSource(
        name="england-and-wales",
        provider="holidays (GB, subdiv ENG)",
        provider_version=provider_version,
        first=COVERED_FIRST,
        last=COVERED_LAST,
    )
    return WorkingDayCalendar(names, first=COVERED_FIRST, last=COVERED_LAST, source=source)


# ---------------------------------------------------------------- calendar units
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months_clamped(d: date, n: int) -> tuple[date, bool]:
    """:func:`add_months` and whether it fell back to the month's last day, in one step."""
    total = d.year * 12 + (d.month - 1) + n
    y, m0 = divmod(total, 12)
    last = 29 if m0 == 1 and _stdlib_calendar.isleap(y) else _MONTH_DAYS[m0]
    if d.day > last:
        return date(y, m0 + 1, last), True
    return date(y, m0 + 1, d.day), False


def add_months(d: date, n: int) -> date:
    """``n`` calendar months after ``d``: the corresponding date, else the month's last day.

    Dodds v Walker's corresponding-date rule (convention A3)::

        >>> add_months(date(2024, 1, 31), 3)
        datetime.date(2024, 4, 30)
        >>> add_months(date(2023, 8, 31), 6)
        datetime.date(2024, 2, 29)
        >>> add_months(date(2024, 3, 31), -1)
        datetime.date(2024, 2, 29)

    Always computed from the original date, never chained from a clamped one.
    """
    return add_months_clamped(d, n)[0]


def month_end_clamped(d: date, n: int) -> bool:
    """True when ``add_months(d, n)`` had no corresponding date and fell back to the month end."""
    return add_months_clamped(d, n)[1]


def add_weeks(d: date, n: int) -> date:
    """``7 * n`` calendar days after ``d`` ("within one week" = by day 7, convention A12)."""
    return d + timedelta(weeks=n)


def add_days(d: date, n: int) -> date:
    """``n`` calendar days after ``d``."""
    return d + timedelta(days=n)


def birthday(date_of_birth: date, years: int) -> date:
    """The date of the ``years``-th birthday; a 29 February birthday falls on 1 March.

    Convention A19: in a year without 29 February the birthday is taken to be 1 March (the day
    after 28 February), when the person has completed that year of age.

        >>> birthday(date(2008, 2, 29), 18)
        datetime.date(2026, 3, 1)

    Beyond the year 9999 it raises :class:`~lacplan.errors.CalendarRangeError` (a
    ``ValueError``), never a bare ``ValueError``.
    """
    y = date_of_birth.year + years
    if not 1 <= y <= 9999:
        raise CalendarRangeError(f"the {years}th birthday", date.min, date.max)
    if date_of_birth.month == 2 and date_of_birth.day == 29 and not _stdlib_calendar.isleap(y):
        return date(y, 3, 1)
    return date_of_birth.replace(year=y)


def age_on(date_of_birth: date, d: date) -> int:
    """Completed years of age on ``d`` (a 29 February birthday counts from 1 March; see
    :func:`birthday`).

        >>> age_on(date(2012, 4, 2), date(2017, 4, 1)), age_on(date(2012, 4, 2), date(2017, 4, 2))
        (4, 5)
    """
    years = d.year - date_of_birth.year
    # Comparing (month, day) implements the 1 March convention: in a non-leap year
    # 28 Feb < (2, 29) is before the birthday and 1 Mar is not.
    if (d.month, d.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
