"""Conditions: when an option, a variant, an exemption or a whole duty applies.

Each is a frozen model with a ``kind`` tag (the discriminated union ``Condition``); the engine's
``rules/resolve.py`` decides whether one holds for a scope, ``rules/catalogue.py`` describes it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from lacplan.domain.case import LegalStatusCode
from lacplan.report import Status
from lacplan.rules.terms import DateExpr, DateRef, EventMatch, EventScope, _Frozen

__all__ = [
    "AgeCondition",
    "AllCondition",
    "AnyCondition",
    "AttrCondition",
    "Condition",
    "ConventionCondition",
    "DateBefore",
    "DateOnOrAfter",
    "EventExists",
    "EventState",
    "InPeriod",
    "LegalStatusIs",
    "LookedAfterFor",
    "NotCondition",
    "RuleStatusCondition",
]


class AttrCondition(_Frozen):
    """An attribute of the period, the placement or the next placement equals a value.

    Besides the model's fields, placements expose ``ends_in_move`` (the placement ended, on or
    before ``as_of`` and before the 18th birthday, on the day the next placement of the same
    period started) and ``first_in_period``.
    """

    kind: Literal["attr"] = "attr"
    target: Literal["period", "placement", "next_placement"]
    field: str
    equals: str | bool | int | None = None
    """The value; null (in a rule file: no ``equals`` key) when the field must be null."""


class AgeCondition(_Frozen):
    """The child's completed age on a date is below ``below`` / at least ``at_least`` / inside
    the inclusive range named by a ``Conventions`` field (``range_convention``)."""

    kind: Literal["age"] = "age"
    on: DateRef = "anchor"
    below: int | None = None
    at_least: int | None = None
    range_convention: str | None = None


class DateBefore(_Frozen):
    """``on`` is strictly before ``limit`` (e.g. the interval starts in the first year)."""

    kind: Literal["date_before"] = "date_before"
    on: DateRef = "anchor"
    limit: DateExpr


class DateOnOrAfter(_Frozen):
    """``on`` is on or after a fixed date (e.g. an amendment's commencement)."""

    kind: Literal["date_on_or_after"] = "date_on_or_after"
    on: DateRef = "anchor"
    date: date


class EventState(_Frozen):
    """The latest of the ``set``/``clear`` events dated on or before ``on`` is a ``set`` event."""

    kind: Literal["event_state"] = "event_state"
    scope: EventScope
    on: DateRef = "anchor"
    set: EventMatch
    clear: EventMatch


class EventExists(_Frozen):
    """An event matching ``match`` is dated in ``[start, before)`` (``scope`` ``child`` searches
    every period)."""

    kind: Literal["event_exists"] = "event_exists"
    scope: EventScope
    match: EventMatch
    start: DateExpr
    before: DateExpr


class LookedAfterFor(_Frozen):
    """The child has been looked after continuously, in this period of care, throughout the
    ``months`` calendar months ending on ``on`` (both days counted): for "12 months at 31 March"
    (the SDQ cohort of the SSDA903 return), a period that began on or before 1 April of the year
    before and had not ended before 31 March."""

    kind: Literal["looked_after_for"] = "looked_after_for"
    on: DateRef = "due"
    months: int


class InPeriod(_Frozen):
    """``on`` resolves and falls within the period of care (from its start to its end; an open
    period has no end): e.g. the leaving-care eligibility date falls in this period."""

    kind: Literal["in_period"] = "in_period"
    on: DateRef


class LegalStatusIs(_Frozen):
    """The period's legal status on ``on`` (the latest ``legal_status`` entry dated on or before
    it) is one of ``status_in``."""

    kind: Literal["legal_status"] = "legal_status"
    on: DateRef = "anchor"
    status_in: tuple[LegalStatusCode, ...]


class RuleStatusCondition(_Frozen):
    """The first obligation of an earlier rule in the same period has one of these statuses (and,
    if ``reason_in`` is given, one of these reasons)."""

    kind: Literal["rule_status"] = "rule_status"
    rule: str
    status_in: tuple[Status, ...]
    reason_in: tuple[str, ...] = ()
    """If given, the obligation's ``reason`` must also be one of these."""


class ConventionCondition(_Frozen):
    """A ``Conventions`` field equals a value (where councils read the law differently)."""

    kind: Literal["convention"] = "convention"
    name: str
    equals: str | bool | int


class NotCondition(_Frozen):
    """All of ``conditions`` do not hold together."""

    kind: Literal["not"] = "not"
    conditions: tuple[Condition, ...]


class AnyCondition(_Frozen):
    """At least one of ``conditions`` holds."""

    kind: Literal["any"] = "any"
    conditions: tuple[Condition, ...]


class AllCondition(_Frozen):
    """Every one of ``conditions`` holds (to group conditions inside ``any``)."""

    kind: Literal["all"] = "all"
    conditions: tuple[Condition, ...]


Condition = Annotated[
    AttrCondition
    | AgeCondition
    | DateBefore
    | DateOnOrAfter
    | EventState
    | EventExists
    | LookedAfterFor
    | InPeriod
    | LegalStatusIs
    | RuleStatusCondition
    | ConventionCondition
    | NotCondition
    | AnyCondition
    | AllCondition,
    Field(discriminator="kind"),
]

# The recursive conditions (not, any, all) resolve ``Condition`` when first built (the schema
# models build on first use, ``defer_build``): no ``model_rebuild()`` at import.
