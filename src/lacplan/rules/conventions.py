"""``Conventions``: every reading the engine makes where the law is silent or councils differ.

One frozen object; its defaults are the readings documented in ``docs/decisions/`` (conventions
A1-A22 of the legal reference, as amended by the rules issue). Pass another to
:func:`lacplan.evaluate` to compute under a different reading; the report records which one was
used. Local *targets* (e.g. first review in 15 working days) are not conventions: they are overlays.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Conventions", "TermWindow"]


class TermWindow(BaseModel):
    """A yearly window from (month, day) to (month, day), both inclusive, in one calendar year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    start_month: int = Field(ge=1, le=12)
    start_day: int = Field(ge=1, le=31)
    end_month: int = Field(ge=1, le=12)
    end_day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _ordered(self) -> TermWindow:
        if (self.end_month, self.end_day) < (self.start_month, self.start_day):
            raise ValueError(f"term window {self.name!r} ends before it starts")
        return self


_DEFAULT_TERMS = (
    TermWindow(name="autumn", start_month=9, start_day=1, end_month=12, end_day=31),
    TermWindow(name="spring", start_month=1, start_day=1, end_month=3, end_day=31),
    TermWindow(name="summer", start_month=4, start_day=1, end_month=7, end_day=31),
)


class Conventions(BaseModel):
    """The engine's documented readings; every field is a place where councils may differ."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
        return self.model_dump(mode="json")
