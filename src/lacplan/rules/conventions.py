"""``Conventions``: every reading the engine makes where the law is silent or councils differ.

One frozen object; its defaults are the readings documented in ``docs/conventions.md`` (conventions
A1-A22 of the legal reference, as amended by the rules issue). Pass another to
:func:`lacplan.evaluate` to compute under a different reading; the report records which one was
used. Local *targets* (e.g. first review in 15 working days) are not conventions: they are overlays.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from pydantic import ConfigDict, Field

from lacplan.domain.base import _Trusted, trusted_construction
from lacplan.rules.terms import _json_value

__all__ = ["Conventions", "TermWindow"]

#: A window's (first day, last day).
Span = tuple[date, date]

#: Frozen, no unknown fields; validators built on first use (the defaults below, and so a
#: default evaluation, need none).
_CONFIG = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class TermWindow(_Trusted):
    """A yearly window from (month, day) to (month, day), both inclusive. A window whose end comes
    before its start in the calendar (1 Apr to 31 Mar) ends in the following year."""

    model_config = _CONFIG

    name: str
    start_month: int = Field(ge=1, le=12)
    start_day: int = Field(ge=1, le=31)
    end_month: int = Field(ge=1, le=12)
    end_day: int = Field(ge=1, le=31)

    @property
    def crosses_year(self) -> bool:
        return _crosses(self.start_month, self.start_day, self.end_month, self.end_day)

    def span(self, year: int) -> tuple[date, date]:
        """The window starting in ``year``: (first day, last day), clamping 29 Feb to 28 Feb."""
        return _span(year, self.start_month, self.start_day, self.end_month, self.end_day)


@lru_cache(maxsize=4_096)  # a pure function: every child asks for the same few terms' years
def _span(year: int, start_month: int, start_day: int, end_month: int, end_day: int) -> Span:
    end_year = year + 1 if _crosses(start_month, start_day, end_month, end_day) else year
    return _day(year, start_month, start_day), _day(end_year, end_month, end_day)


def _crosses(start_month: int, start_day: int, end_month: int, end_day: int) -> bool:
    """Whether a window ending on (month, day) before it starts ends in the following year."""
    return (end_month, end_day) < (start_month, start_day)


def _day(year: int, month: int, day: int) -> date:
    if day <= 28:  # every month has it: no month length to look up
        return date(year, month, day)
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


with trusted_construction():  # validated in tests/rules/test_builtin_declarations.py
    _DEFAULT_TERMS = (
        TermWindow(name="autumn term", start_month=9, start_day=1, end_month=12, end_day=31),
        TermWindow(name="spring term", start_month=1, start_day=1, end_month=3, end_day=31),
        TermWindow(name="summer term", start_month=4, start_day=1, end_month=7, end_day=31),
    )


class Conventions(_Trusted):
    """The engine's documented readings; every field is a place where councils may differ."""

    model_config = _CONFIG

    month_arithmetic: Literal["calendar", "fixed_days"] = "calendar"
    """A3: ``calendar`` months (corresponding date, else month end) or ``fixed_days``
    (3/6/12 months = 91/183/365 days)."""

    health_cycle_after_pre_placement: Literal["first_review", "assessment"] = "first_review"
    """When health-initial is exempt (pre-placement assessment), the health-review cycle starts
    from the first review (the rules issue) or from the relied-on assessment (A10)."""

    review_before_move_months: int = Field(default=3, ge=0)
    """A review counts for review-before-move when held this many months before the move or later
    (up to and including the move date)."""

    school_terms: tuple[TermWindow, ...] = _DEFAULT_TERMS
    """A17: PEP review windows (default 1 Sep-31 Dec, 1 Jan-31 Mar, 1 Apr-31 Jul)."""

    pep_ages: tuple[int, int] = (3, 17)
    """Ages (completed years, inclusive, on the due date) for which PEP duties apply. The default
    covers early-years and post-16 PEPs (common practice); ``(5, 15)`` approximates compulsory
    school age, the statutory core."""

    def as_dict(self) -> dict[str, Any]:
        """The conventions as JSON values: ``model_dump(mode="json")`` (built without pydantic's
        serializer, which a default evaluation then never needs)."""
        try:
            out: dict[str, Any] = _json_value(self)
        except TypeError:  # pragma: no cover - the fields hold only the types _json_value knows
            out = self.model_dump(mode="json")
        return out


with trusted_construction():
    #: ``Conventions()``: what :func:`lacplan.evaluate` uses when given none (frozen, so shared).
    _DEFAULT_CONVENTIONS = Conventions()
