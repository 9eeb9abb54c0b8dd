"""Time offsets: working days, calendar days, weeks and calendar months.

An offset is data (a pydantic discriminated union on ``unit``) so that rule declarations can say
"20 working days" or "3 months" and the engine, the explanations and the generated rule
catalogue all read the same value. :func:`apply_offset` is the only place an offset becomes a date.

``Months`` honours the ``month_arithmetic`` convention: ``calendar`` (default, Dodds v Walker's
corresponding date, else the month's last day; convention A3) or ``fixed_days`` (3 months = 91
days, 6 = 183, 12 = 365; the approximation some case-system extracts use).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Literal, NamedTuple

from pydantic import ConfigDict, Field

from lacplan.calendar import WorkingDayCalendar, add_months_clamped, fmt_date
from lacplan.domain.base import _Trusted

__all__ = [
    "FIXED_DAYS_PER_MONTHS",
    "Days",
    "Months",
    "Offset",
    "OffsetNote",
    "Shift",
    "Weeks",
    "WorkingDays",
    "apply_offset",
    "describe_offset",
    "fixed_note",
    "shifter",
]

#: The ``fixed_days`` month convention: months -> days (n not listed: round(n * 30.4375)).
FIXED_DAYS_PER_MONTHS = {1: 30, 3: 91, 6: 183, 12: 365}


class _Offset(_Trusted):
    model_config = ConfigDict(frozen=True, extra="forbid")
    n: int
    setting: str | None = None
    """The pack setting ``n`` was read from (rule files: ``{unit = "working_days", setting =
    "emergency_review_working_days"}``), kept so the catalogue can say so."""


class WorkingDays(_Offset):
    """``n`` working days after the anchor (the anchor day itself not counted; A1)."""

    unit: Literal["working_days"] = "working_days"


class Days(_Offset):
    """``n`` calendar days after the anchor."""

    unit: Literal["days"] = "days"


class Weeks(_Offset):
    """``n`` weeks (7 calendar days each) after the anchor (A12)."""

    unit: Literal["weeks"] = "weeks"


class Months(_Offset):
    """``n`` calendar months after the anchor (A3), or fixed days under that convention."""

    unit: Literal["months"] = "months"


Offset = Annotated[WorkingDays | Days | Weeks | Months, Field(discriminator="unit")]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if abs(n) == 1 else f"{n} {word}s"


def describe_offset(offset: Offset) -> str:
    """``"20 working days"``, ``"3 months"``, ``"6 weeks"``."""
    if offset.unit == "working_days":
        return _plural(offset.n, "working day")
    if offset.unit == "days":
        return _plural(offset.n, "day")
    if offset.unit == "weeks":
        return _plural(offset.n, "week")
    return _plural(offset.n, "month")


def offset_date(
    anchor: date,
    offset: Offset,
    calendar: WorkingDayCalendar,
    month_arithmetic: str = "calendar",
) -> date:
    """The date ``offset`` after ``anchor``: :func:`apply_offset` without its note (the
    engine's hot path; the note is written only for an explanation, by :func:`offset_note`)."""
    if offset.unit == "working_days":
        return calendar.add_working_days(anchor, offset.n)
    if offset.unit == "days":
        return anchor + timedelta(days=offset.n)
    if offset.unit == "weeks":
        return anchor + timedelta(weeks=offset.n)
    if month_arithmetic == "fixed_days":
        days = FIXED_DAYS_PER_MONTHS.get(abs(offset.n), round(abs(offset.n) * 30.4375))
        return anchor + timedelta(days=days if offset.n >= 0 else -days)
    return add_months_clamped(anchor, offset.n)[0]


Shift = Callable[[date, WorkingDayCalendar, str], date]
"""``shift(anchor, calendar, month_arithmetic)``: :func:`offset_date` for one fixed offset."""


def shifter(offset: Offset) -> Shift:
    """:func:`offset_date` for ``offset``, its unit decided once (a compiled rule's offsets)."""
    n = offset.n
    if isinstance(offset, WorkingDays):

        def working_days(anchor: date, calendar: WorkingDayCalendar, months: str) -> date:
            return calendar.add_working_days(anchor, n)

        return working_days
    if isinstance(offset, Days | Weeks):
        step = n if isinstance(offset, Days) else 7 * n

        def fixed(anchor: date, calendar: WorkingDayCalendar, months: str) -> date:
            # The calendar's own object for the day: a report keeps one per day, not per date.
            return calendar.add_calendar_days(anchor, step)

        return fixed
    days = FIXED_DAYS_PER_MONTHS.get(abs(n), round(abs(n) * 30.4375))
    approx = days if n >= 0 else -days

    def months_after(anchor: date, calendar: WorkingDayCalendar, months: str) -> date:
        if months == "fixed_days":
            return calendar.add_calendar_days(anchor, approx)
        return calendar.same_day(add_months_clamped(anchor, n)[0])

    return months_after


def fixed_note(offset: Offset) -> str | None:
    """The note :func:`apply_offset` writes for ``offset`` when it is the same whatever the
    anchor (days: none; weeks: how many calendar days), else ``None`` (a compiled rule keeps
    the text instead of a recipe per obligation)."""
    if offset.unit == "days":
        return ""
    if offset.unit == "weeks":
        return f"{7 * offset.n} calendar days"
    return None


def offset_note(
    anchor: date,
    offset: Offset,
    calendar: WorkingDayCalendar,
    month_arithmetic: str = "calendar",
) -> str:
    """How :func:`offset_date` reached its date (the note of :func:`apply_offset`)."""
    return apply_offset(anchor, offset, calendar, month_arithmetic)[1]


class OffsetNote(NamedTuple):
    """:func:`offset_note` of one offset, calendar and month arithmetic, for any anchor: written
    when an explanation asks (:meth:`at`). One is shared by every obligation an offset option
    times under one calendar (a compiled rule keeps them), so a report keeps a reference per
    obligation, not a tuple of the note's arguments."""

    offset: Offset
    calendar: WorkingDayCalendar
    month_arithmetic: str

    def at(self, anchor: date) -> str:
        """The note for the offset applied to ``anchor``."""
        return offset_note(anchor, self.offset, self.calendar, self.month_arithmetic)


def apply_offset(
    anchor: date,
    offset: Offset,
    calendar: WorkingDayCalendar,
    month_arithmetic: str = "calendar",
) -> tuple[date, str]:
    """The date ``offset`` after ``anchor`` and a plain-English note on how it was reached.

    The note covers what the bare offset does not say: the non-working days skipped, a month-end
    clamp, or the fixed-days approximation.
    """
    if offset.unit == "working_days":
        if offset.n == 0:
            result = calendar.add_working_days(anchor, 0)
            note = "" if result == anchor else f"moved to the next working day {fmt_date(result)}"
            return result, note
        step = calendar.explain(anchor, offset.n)
        return step.result, step.describe()
    fixed = fixed_note(offset)
    if fixed is not None:  # days or weeks
        return offset_date(anchor, offset, calendar, month_arithmetic), fixed
    if month_arithmetic == "fixed_days":
        days = FIXED_DAYS_PER_MONTHS.get(abs(offset.n), round(abs(offset.n) * 30.4375))
        days = days if offset.n >= 0 else -days
        return anchor + timedelta(days=days), f"counted as {days} days (fixed_days convention)"
    result, clamped = add_months_clamped(anchor, offset.n)
    if clamped:
        return result, f"no day {anchor.day} in that month, so its last day (A3)"
    return result, "calendar months, corresponding date (A3)"
