"""The case model: one child's periods of care, placements and events, as frozen pydantic models.

A :class:`Case` holds ids and dates only (no names, addresses or free text). Validation happens in
two layers:

* pydantic checks each field's shape (types, required fields, no unknown fields, strict
  ``YYYY-MM-DD`` dates);
* validators on :class:`Placement`, :class:`Period` and :class:`Case` check the relations between
  fields (ends after starts, placements inside their period, no overlaps, unique ids) and then
  normalise: placements and periods are sorted by start, ``period_id`` and ``emergency`` defaults
  are filled in.

:func:`parse_case` turns either kind of failure into an :class:`~lacplan.errors.InputError` whose
``problems`` carry stable codes, field paths and messages that never contain personal values.
:func:`assign_events` says which period and placement each event belongs to, and
:meth:`Case.findings` reports valid but suspicious data. The format is described in
``docs/case-format.md`` and every code in ``docs/errors.md``.
"""

from __future__ import annotations

import difflib
import json
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from lacplan.errors import InputError

__all__ = [
    "ERROR_CODES",
    "EVENT_TYPES",
    "FINDING_CODES",
    "Assignment",
    "CarePlan",
    "Case",
    "Event",
    "Finding",
    "HealthAssessment",
    "HealthConsentRefused",
    "NeedsAssessment",
    "PathwayPlan",
    "PathwayPlanReview",
    "Pep",
    "PepReview",
    "Period",
    "Placement",
    "PlacementNotification",
    "PlacementPlan",
    "Problem",
    "RecordError",
    "ReducedVisitsAgreed",
    "ReducedVisitsWithdrawn",
    "Review",
    "Visit",
    "assign_events",
    "case_json_schema",
    "parse_case",
]

#: Every code a rejected record's problems can carry (documented in ``docs/errors.md``).
ERROR_CODES: Final[tuple[str, ...]] = (
    "invalid_json",
    "not_an_object",
    "missing_field",
    "unknown_field",
    "invalid_value",
    "invalid_date",
    "unknown_event_type",
    "end_before_start",
    "no_placements",
    "placement_outside_period",
    "overlapping_placements",
    "overlapping_periods",
    "duplicate_placement_id",
    "duplicate_period_id",
    "birth_after_entry",
    "unknown_placement",
)

#: Every code :meth:`Case.findings` can report (documented in ``docs/errors.md``).
FINDING_CODES: Final[tuple[str, ...]] = (
    "no_periods",
    "event_outside_period",
    "event_before_birth",
    "placement_of_other_period",
    "duplicate_event",
)

_PROBLEMS: Final = "lacplan_problems"  # pydantic error type carrying relational problems


# --------------------------------------------------------------------------------------------
# Field types
# --------------------------------------------------------------------------------------------

_ISO_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _kind(value: object) -> str:
    """A value's JSON kind, for messages that must not echo the value itself."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


def _parse_iso_date(value: object) -> date:
    """Accept ``date`` objects and strict ``YYYY-MM-DD`` strings; never echo the value."""
    if isinstance(value, datetime):
        raise PydanticCustomError("invalid_date", "expected a date, found a datetime.")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if _ISO_DATE_RE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError(
                    "invalid_date", "is not a real calendar date; check the month and the day."
                ) from None
        if "T" in value or ":" in value:
            raise PydanticCustomError(
                "invalid_date", "is a date and time; give the date only, as YYYY-MM-DD."
            )
        raise PydanticCustomError(
            "invalid_date",
            "is not written as YYYY-MM-DD (four-digit year, two-digit month and day).",
        )
    raise PydanticCustomError(
        "invalid_date", "must be a date written as YYYY-MM-DD, found " + _kind(value) + "."
    )


IsoDate = Annotated[
    date,
    BeforeValidator(_parse_iso_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    ),
]
"""A calendar date; in JSON strictly ``YYYY-MM-DD`` (no times, no other formats)."""

Id = Annotated[str, Strict(), StringConstraints(pattern=r"^\S(?:.*\S)?$")]
"""A non-empty identifier string without leading or trailing spaces (never a number)."""


def _no_default(schema: dict[str, Any]) -> None:
    """Drop a misleading ``default`` from a field's JSON schema (the default is computed)."""
    schema.pop("default", None)


def _require_type(schema: dict[str, Any]) -> None:
    """Mark an event's ``type`` as required in the JSON schema (it has a Python default)."""
    schema.get("properties", {}).get("type", {}).pop("default", None)
    required = schema.setdefault("required", [])
    if "type" not in required:
        required.insert(0, "type")


def _problems_error(problems: list[tuple[str, str, str]]) -> PydanticCustomError:
    """Relational problems ``(code, relative field, detail)`` as one pydantic error."""
    summary = "; ".join(f"{field or 'record'}: {detail}" for _, field, detail in problems)
    return PydanticCustomError(_PROBLEMS, "{summary}", {"problems": problems, "summary": summary})


def _q(identifier: str) -> str:
    return json.dumps(identifier, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Placements and periods
# --------------------------------------------------------------------------------------------


class Placement(BaseModel):
    """A placement within a period of care."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    placement_id: Id = Field(description="Unique within the case.")
    start: IsoDate = Field(description="Date the placement started.")
    end: IsoDate | None = Field(
        default=None,
        description="Date the placement ended; null if it has not ended (an open placement in "
        "a closed period ends with the period).",
    )
    emergency: bool = Field(
        default=False,
        strict=True,
        json_schema_extra=_no_default,
        description="An emergency placement. Defaults to true for the first placement of a "
        "period with entry 'emergency', false otherwise.",
    )
    intended_until_18: bool = Field(
        default=False, strict=True, description="The placement is intended to last until 18."
    )
    long_term_foster: bool = Field(
        default=False, strict=True, description="A long-term foster placement."
    )
    end_reason: Literal["planned", "immediate_risk", "other"] | None = Field(
        default=None, description="Why the placement ended, if it ended."
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise _problems_error(
                [
                    (
                        "end_before_start",
                        "end",
                        f"placement {_q(self.placement_id)} ends before it starts. Expected an "
                        "end on or after the start; correct the dates, or use null if the child "
                        "is still placed there.",
                    )
                ]
            )
        return self


def _placement_key(p: Placement) -> tuple[date, date]:
    return (p.start, p.end if p.end is not None else date.max)


class Period(BaseModel):
    """A period of care: from the day the child became looked after to the day they ceased."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    period_id: Id = Field(
        default="",
        json_schema_extra=_no_default,
        description='Optional; defaults to "1", "2", ... in start order.',
    )
    start: IsoDate = Field(description="Date the child became looked after.")
    end: IsoDate | None = Field(
        default=None, description="Date the child ceased to be looked after; null if still."
    )
    entry: Literal["planned", "emergency"] = Field(
        default="planned", description="How the period began."
    )
    regime: Literal["standard", "short_breaks"] = Field(
        default="standard", description="Which set of timescales applies."
    )
    placements: tuple[Placement, ...] = Field(
        json_schema_extra={"minItems": 1},
        description="At least one; within the period and not overlapping. A move is one "
        "placement's end equal to the next one's start.",
    )

    def placement_end(self, p: Placement) -> date | None:
        """``p``'s end, or the period's end for an open placement (``None`` if both are open)."""
        return p.end if p.end is not None else self.end

    @model_validator(mode="after")
    def _check_and_normalise(self) -> Self:
        problems = _period_problems(self)
        if problems:
            raise _problems_error(problems)
        ordered = sorted(self.placements, key=_placement_key)
        first = ordered[0]
        if self.entry == "emergency" and "emergency" not in first.model_fields_set:
            ordered[0] = first.model_copy(update={"emergency": True})
        object.__setattr__(self, "placements", tuple(ordered))
        return self


def _period_problems(period: Period) -> list[tuple[str, str, str]]:
    """Relational problems of one period, with field paths relative to the period."""
    if period.end is not None and period.end < period.start:
        return [
            (
                "end_before_start",
                "end",
                "the period ends before it starts. Expected an end on or after the start; "
                "correct the dates, or use null if the child is still looked after.",
            )
        ]
    if not period.placements:
        return [
            (
                "no_placements",
                "placements",
                "the period has no placements. Expected at least one placement; add the "
                "placement(s) the child lived in during the period.",
            )
        ]
    problems: list[tuple[str, str, str]] = []
    seen: dict[str, int] = {}
    for i, p in enumerate(period.placements):
        where = f"placements[{i}]"
        name = _q(p.placement_id)
        if p.placement_id in seen:
            problems.append(
                (
                    "duplicate_placement_id",
                    f"{where}.placement_id",
                    f"placement id {name} is also used by placements[{seen[p.placement_id]}]. "
                    "Placement ids must be unique within a case.",
                )
            )
        else:
            seen[p.placement_id] = i
        if p.start < period.start:
            problems.append(
                (
                    "placement_outside_period",
                    f"{where}.start",
                    f"placement {name} starts before its period starts. Expected placements "
                    "within their period; correct the dates or move the placement to the right "
                    "period.",
                )
            )
        if period.end is not None and p.start > period.end:
            problems.append(
                (
                    "placement_outside_period",
                    f"{where}.start",
                    f"placement {name} starts after its period ends. Expected placements within "
                    "their period; correct the dates or move the placement to the right period.",
                )
            )
        elif period.end is not None and p.end is not None and p.end > period.end:
            problems.append(
                (
                    "placement_outside_period",
                    f"{where}.end",
                    f"placement {name} ends after its period ends. Expected placements within "
                    "their period; end it on or before the period's end, or use null to end it "
                    "with the period.",
                )
            )
    order = sorted(
        range(len(period.placements)), key=lambda k: _placement_key(period.placements[k])
    )
    for a, b in pairwise(order):
        pa, pb = period.placements[a], period.placements[b]
        if pa.end is None:
            problems.append(
                (
                    "overlapping_placements",
                    f"placements[{a}].end",
                    f"placement {_q(pa.placement_id)} has no end but placement "
                    f"{_q(pb.placement_id)} (placements[{b}]) starts after it. Only the last "
                    "placement of a period may be open; give it an end (equal to the next "
                    "start for a move).",
                )
            )
        elif pb.start < pa.end:
            problems.append(
                (
                    "overlapping_placements",
                    f"placements[{b}].start",
                    f"placement {_q(pb.placement_id)} starts before placement "
                    f"{_q(pa.placement_id)} (placements[{a}]) ends. Placements must not overlap; "
                    "a move is one placement's end equal to the next one's start.",
                )
            )
    return problems


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


class _EventBase(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, json_schema_extra=_require_type
    )

    type: str
    date: IsoDate = Field(description="Date the event happened.")
    event_id: Id | None = Field(default=None, description="Optional id, passed through.")
    placement_id: Id | None = Field(
        default=None,
        description="The placement the event is about. Must name a placement of the case; "
        "without it the event belongs to the placement covering its date.",
    )


class CarePlan(_EventBase):
    """A care plan was prepared or updated."""

    type: Literal["care_plan"] = "care_plan"


class PlacementPlan(_EventBase):
    """A placement plan was prepared."""

    type: Literal["placement_plan"] = "placement_plan"


class PlacementNotification(_EventBase):
    """The placement was notified to those who must be told."""

    type: Literal["placement_notification"] = "placement_notification"


class Review(_EventBase):
    """A review of the child's case (a cancelled one does not count)."""

    type: Literal["review"] = "review"
    meeting: bool = Field(default=True, strict=True, description="A review meeting was held.")
    cancelled: bool = Field(default=False, strict=True, description="The review was cancelled.")


class HealthAssessment(_EventBase):
    """A health assessment."""

    type: Literal["health_assessment"] = "health_assessment"


class HealthConsentRefused(_EventBase):
    """Consent to a health assessment was refused."""

    type: Literal["health_consent_refused"] = "health_consent_refused"


class Pep(_EventBase):
    """A personal education plan was made."""

    type: Literal["pep"] = "pep"


class PepReview(_EventBase):
    """A personal education plan was reviewed."""

    type: Literal["pep_review"] = "pep_review"


class Visit(_EventBase):
    """A visit to the child."""

    type: Literal["visit"] = "visit"
    by: Literal["social_worker", "supervising_social_worker"] = Field(
        default="social_worker", description="Who visited."
    )
    seen_alone: bool | None = Field(
        default=None, strict=True, description="The child was seen alone; null if not recorded."
    )
    unannounced: bool | None = Field(
        default=None, strict=True, description="The visit was unannounced; null if not recorded."
    )


class ReducedVisitsAgreed(_EventBase):
    """Less frequent visits were agreed (for example in a long-term foster placement)."""

    type: Literal["reduced_visits_agreed"] = "reduced_visits_agreed"
    agreed_by: Literal["child", "agency"] = Field(
        default="child", description="Who agreed to less frequent visits."
    )


class ReducedVisitsWithdrawn(_EventBase):
    """An agreement to less frequent visits was withdrawn."""

    type: Literal["reduced_visits_withdrawn"] = "reduced_visits_withdrawn"


class NeedsAssessment(_EventBase):
    """An assessment of needs (for a pathway plan) was made."""

    type: Literal["needs_assessment"] = "needs_assessment"


class PathwayPlan(_EventBase):
    """A pathway plan was prepared."""

    type: Literal["pathway_plan"] = "pathway_plan"


class PathwayPlanReview(_EventBase):
    """A pathway plan was reviewed."""

    type: Literal["pathway_plan_review"] = "pathway_plan_review"


Event = Annotated[
    CarePlan
    | PlacementPlan
    | PlacementNotification
    | Review
    | HealthAssessment
    | HealthConsentRefused
    | Pep
    | PepReview
    | Visit
    | ReducedVisitsAgreed
    | ReducedVisitsWithdrawn
    | NeedsAssessment
    | PathwayPlan
    | PathwayPlanReview,
    Field(discriminator="type"),
]
"""Any event; the ``type`` field selects the class and so the fields it accepts."""

_EVENT_CLASSES: Final[tuple[type[_EventBase], ...]] = (
    CarePlan,
    PlacementPlan,
    PlacementNotification,
    Review,
    HealthAssessment,
    HealthConsentRefused,
    Pep,
    PepReview,
    Visit,
    ReducedVisitsAgreed,
    ReducedVisitsWithdrawn,
    NeedsAssessment,
    PathwayPlan,
    PathwayPlanReview,
)
_EVENT_CLASS_BY_TYPE: Final[dict[str, type[_EventBase]]] = {
    c.model_fields["type"].default: c for c in _EVENT_CLASSES
}

#: The fields compared to find duplicate events (``event_id`` and ``placement_id`` are not).
_COMPARED_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    t: tuple(f for f in c.model_fields if f not in {"event_id", "placement_id"})
    for t, c in _EVENT_CLASS_BY_TYPE.items()
}

#: Every event ``type`` string, in the order of the format documentation.
EVENT_TYPES: Final[tuple[str, ...]] = tuple(_EVENT_CLASS_BY_TYPE)


# --------------------------------------------------------------------------------------------
# The case
# --------------------------------------------------------------------------------------------


def _period_key(p: Period) -> tuple[date, date]:
    return (p.start, p.end if p.end is not None else date.max)


class Case(BaseModel):
    """One child's record: periods of care with their placements, and dated events."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    child_id: Id = Field(description="The child's id (a string, so leading zeros are kept).")
    date_of_birth: IsoDate = Field(description="The child's date of birth.")
    periods: tuple[Period, ...] = Field(
        default=(), description="Periods of care; must not overlap (sorted by start once loaded)."
    )
    events: tuple[Event, ...] = Field(default=(), description="Dated events, in any order.")
    labels: dict[Id, str] = Field(
        default_factory=dict,
        description="Non-personal ids passed through to outputs (team, worker, IRO, local "
        "authority).",
    )

    @model_validator(mode="after")
    def _check_and_normalise(self) -> Self:
        problems, periods = _case_problems(self)
        if problems:
            raise _problems_error(problems)
        object.__setattr__(self, "periods", periods)
        return self

    def findings(
        self,
        as_of: date | None = None,
        *,
        assignments: Sequence[Assignment] | None = None,
    ) -> tuple[Finding, ...]:
        """Valid but suspicious data (warnings); events dated after ``as_of`` are skipped.

        ``assignments`` may pass :func:`assign_events` of this case if already computed.
        """
        return _findings(self, as_of, assignments)


def _case_problems(case: Case) -> tuple[list[tuple[str, str, str]], tuple[Period, ...]]:
    """Relational problems of a case (input-order paths), and its periods sorted and numbered."""
    problems: list[tuple[str, str, str]] = []
    periods = case.periods
    order = sorted(range(len(periods)), key=lambda k: _period_key(periods[k]))
    for a, b in pairwise(order):
        pa, pb = periods[a], periods[b]
        if pa.end is None:
            problems.append(
                (
                    "overlapping_periods",
                    f"periods[{a}].end",
                    f"periods[{a}] has no end but periods[{b}] starts after it. Only the last "
                    "period may be open; give it the date the child ceased to be looked after.",
                )
            )
        elif pb.start <= pa.end:
            problems.append(
                (
                    "overlapping_periods",
                    f"periods[{b}].start",
                    f"periods[{b}] starts on or before the day periods[{a}] ends. Periods of "
                    "care must not overlap; merge them if the child was looked after throughout.",
                )
            )
    if periods and case.date_of_birth > periods[order[0]].start:
        problems.append(
            (
                "birth_after_entry",
                "date_of_birth",
                f"the date of birth is after the first period of care starts (periods[{order[0]}]"
                ".start). Check both dates.",
            )
        )
    owner: dict[str, int] = {}
    for i, period in enumerate(periods):
        for p in period.placements:
            j = owner.setdefault(p.placement_id, i)
            if j != i:
                problems.append(
                    (
                        "duplicate_placement_id",
                        f"periods[{i}].placements",
                        f"placement id {_q(p.placement_id)} is also used in periods[{j}]. "
                        "Placement ids must be unique within a case.",
                    )
                )
    numbered = list(periods)
    for rank, k in enumerate(order, start=1):
        if "period_id" not in periods[k].model_fields_set:
            numbered[k] = periods[k].model_copy(update={"period_id": str(rank)})
    first_use: dict[str, int] = {}
    for i, period in enumerate(numbered):
        j = first_use.setdefault(period.period_id, i)
        if j != i:
            defaulted = [
                f"periods[{k}]" for k in (j, i) if "period_id" not in periods[k].model_fields_set
            ]
            note = ""
            if defaulted:
                verbs = ("has", "was") if len(defaulted) == 1 else ("have", "were")
                note = (
                    f" ({' and '.join(defaulted)} {verbs[0]} no period_id and {verbs[1]} "
                    "numbered by start order; give every period an explicit id, or none)"
                )
            problems.append(
                (
                    "duplicate_period_id",
                    f"periods[{i}].period_id",
                    f"period id {_q(period.period_id)} is also used by periods[{j}]{note}. "
                    "Period ids must be unique within a case.",
                )
            )
    known = set(owner)
    for k, event in enumerate(case.events):
        if event.placement_id is not None and event.placement_id not in known:
            problems.append(
                (
                    "unknown_placement",
                    f"events[{k}].placement_id",
                    f"the {event.type} event names placement {_q(event.placement_id)}, which is "
                    "not a placement of this case. Use one of the case's placement ids, or leave "
                    "placement_id out to use the placement covering the event's date.",
                )
            )
    return problems, tuple(numbered[k] for k in order)


# --------------------------------------------------------------------------------------------
# Assigning events to periods and placements
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assignment:
    """The period and placement an event belongs to (``None`` when it belongs to none)."""

    period_id: str | None
    placement_id: str | None


def _locate(d: date, starts: list[date], ends: list[date | None]) -> tuple[int | None, bool]:
    """Index of the interval covering ``d`` (``covered=True``) or of the next one to start.

    ``starts`` is sorted and the intervals do not overlap; an interval starting on ``d`` wins over
    one ending on ``d`` (bisect_right finds the last start on or before ``d``).
    """
    i = bisect_right(starts, d) - 1
    if i >= 0:
        end = ends[i]
        if end is None or d <= end:
            return i, True
    nxt = i + 1
    return (nxt if nxt < len(starts) else None), False


def assign_events(case: Case) -> tuple[Assignment, ...]:
    """Assign each event of ``case`` to a period and a placement; parallel to ``case.events``.

    * Period: the one covering the event's date (start and end inclusive); an event in the gap
      before a period (or before the first period) belongs to that upcoming period; an event after
      the last period's end belongs to none.
    * Placement: an explicit ``placement_id`` wins; otherwise the placement of the assigned period
      covering the date, the incoming one on a move day; an event before a placement starts
      (before the first placement, or between placements) belongs to the next placement starting
      after it in the same period.
    """
    periods = case.periods
    p_starts = [p.start for p in periods]
    p_ends: list[date | None] = [p.end for p in periods]
    tables: dict[int, tuple[list[date], list[date | None]]] = {}
    out: list[Assignment] = []
    for event in case.events:
        i, _ = _locate(event.date, p_starts, p_ends)
        if i is None:
            out.append(Assignment(None, event.placement_id))
            continue
        period = periods[i]
        if event.placement_id is not None:
            out.append(Assignment(period.period_id, event.placement_id))
            continue
        table = tables.get(i)
        if table is None:
            table = (
                [pl.start for pl in period.placements],
                [period.placement_end(pl) for pl in period.placements],
            )
            tables[i] = table
        j, _ = _locate(event.date, *table)
        out.append(
            Assignment(period.period_id, None if j is None else period.placements[j].placement_id)
        )
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Findings (warnings)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """Valid but suspicious data: a stable ``code``, the ``field`` path and a ``message``."""

    code: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


def _subject(child_id: str | None, field: str) -> str:
    who = f"case {_q(child_id)}" if child_id is not None else "record"
    return f"{who}, {field}: " if field else f"{who}: "


def _event_name(event: _EventBase) -> str:
    named = f" {_q(event.event_id)}" if event.event_id is not None else ""
    return f"{event.type} event{named}"


def _findings(
    case: Case, as_of: date | None, assignments: Sequence[Assignment] | None = None
) -> tuple[Finding, ...]:
    out: list[Finding] = []

    def add(code: str, field: str, text: str) -> None:
        out.append(Finding(code, field, _subject(case.child_id, field) + text))

    if not case.periods:
        add(
            "no_periods",
            "periods",
            "the case has no periods of care, so no timescale can be computed for it.",
        )
    placement_period = {
        pl.placement_id: period.period_id for period in case.periods for pl in period.placements
    }
    if assignments is None:
        assignments = assign_events(case)
    seen: dict[tuple[Any, ...], int] = {}
    for k, (event, assigned) in enumerate(zip(case.events, assignments, strict=True)):
        if as_of is not None and event.date > as_of:
            continue
        name = _event_name(event)
        if assigned.period_id is None:
            if case.periods:
                add(
                    "event_outside_period",
                    f"events[{k}].date",
                    f"the {name} is dated after the last period of care ended, so it belongs to "
                    "no period and is not used. Check its date, or add the missing period.",
                )
            else:
                add(
                    "event_outside_period",
                    f"events[{k}].date",
                    f"the {name} belongs to no period because the case has no periods of care.",
                )
        if event.date < case.date_of_birth:
            add(
                "event_before_birth",
                f"events[{k}].date",
                f"the {name} is dated before the child's date of birth. Check both dates.",
            )
        if event.placement_id is not None:
            owner = placement_period.get(event.placement_id)
            if owner is not None and owner != assigned.period_id:
                where = (
                    f"in period {_q(assigned.period_id)}"
                    if assigned.period_id is not None
                    else "outside every period"
                )
                add(
                    "placement_of_other_period",
                    f"events[{k}].placement_id",
                    f"the {name} names placement {_q(event.placement_id)} of period "
                    f"{_q(owner)} but is dated {where}. Check the date and the placement_id.",
                )
        key = (
            assigned.placement_id,
            *(getattr(event, name) for name in _COMPARED_FIELDS[event.type]),
        )
        first = seen.setdefault(key, k)
        if first != k:
            add(
                "duplicate_event",
                f"events[{k}]",
                f"the {name} repeats events[{first}] (same type, date, placement and fields). "
                "Remove one if it was recorded twice.",
            )
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Problems, record errors and parse_case
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a record was rejected: ``field`` path, stable ``code``, ``message``."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


def _exception_message(prefix: str, problems: Sequence[Problem]) -> str:
    n = len(problems)
    head = f"{prefix}{n} problem{'s' if n != 1 else ''}: "
    return head + "; ".join(p.message for p in problems)


@dataclass(frozen=True, slots=True)
class RecordError:
    """A rejected record: where it was (``file``, ``line``), its ``child_id`` if readable, why."""

    file: str
    line: int
    child_id: str | None
    problems: tuple[Problem, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "child_id": self.child_id,
            "problems": [p.as_dict() for p in self.problems],
        }

    def to_exception(self) -> InputError:
        """This error as an :class:`~lacplan.errors.InputError` (to raise it)."""
        return InputError(
            _exception_message(f"{self.file}:{self.line}: rejected record, ", self.problems),
            child_id=self.child_id,
            problems=[p.as_dict() for p in self.problems],
        )


def _readable_child_id(obj: object) -> str | None:
    if isinstance(obj, Mapping):
        value = obj.get("child_id")
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for an invalid mapping key
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{_q(part)}]"
    return out


def _join(base: str, rel: str) -> str:
    if not base:
        return rel
    if not rel:
        return base
    return base + rel if rel.startswith("[") else f"{base}.{rel}"


def _model_at(loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class validating the object at ``loc`` (a path into a case), if known."""
    model: type[BaseModel] | None = Case
    i = 0
    while i < len(loc):
        part = loc[i]
        indexed = i + 1 < len(loc) and isinstance(loc[i + 1], int)
        if model is Case and part == "periods" and indexed:
            model, i = Period, i + 2
        elif model is Period and part == "placements" and indexed:
            model, i = Placement, i + 2
        elif model is Case and part == "events" and indexed and i + 2 < len(loc):
            model, i = _EVENT_CLASS_BY_TYPE.get(str(loc[i + 2])), i + 3
        else:
            return None
    return model


def _strip_event_tags(loc: Sequence[int | str]) -> tuple[int | str, ...]:
    out: list[int | str] = []
    for i, part in enumerate(loc):
        if (
            i >= 2
            and loc[i - 2] == "events"
            and isinstance(loc[i - 1], int)
            and part in _EVENT_CLASS_BY_TYPE
        ):
            continue
        out.append(part)
    return tuple(out)


def _suggest(word: str, choices: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {_q(match[0])}?" if match else ""


_ID_FIELDS: Final = frozenset({"child_id", "period_id", "placement_id", "event_id"})


def _translate(err: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """One pydantic error as ``(code, field, detail)`` triples, never echoing input values."""
    raw_loc: tuple[int | str, ...] = tuple(err["loc"])
    etype: str = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    loc = _strip_event_tags(raw_loc)
    field = _path(loc)
    last = loc[-1] if loc else ""
    if etype == _PROBLEMS:
        return [(code, _join(field, rel), detail) for code, rel, detail in ctx["problems"]]
    if etype == "invalid_date":
        return [("invalid_date", field, str(err["msg"]))]
    if etype == "missing":
        return [("missing_field", field, "is required but missing.")]
    if etype == "extra_forbidden":
        key = str(last)
        model = _model_at(raw_loc[:-1])
        text = "is not a known field."
        if model is not None:
            allowed = [f for f in model.model_fields if f != "type"]
            text = f"is not a field of {_describe(model)}."
            if model in _EVENT_CLASSES:
                owners = [t for t, c in _EVENT_CLASS_BY_TYPE.items() if key in c.model_fields]
                if owners:
                    text += f" It is only allowed on {', '.join(owners)} events."
                else:
                    text += _suggest(key, allowed)
            else:
                text += _suggest(key, allowed)
            text += f" Allowed: {', '.join(allowed)}."
        return [("unknown_field", field, text)]
    if etype == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        return [
            (
                "unknown_event_type",
                _join(field, "type"),
                "is not a known event type."
                + _suggest(tag, EVENT_TYPES)
                + " Expected one of: "
                + ", ".join(EVENT_TYPES)
                + ".",
            )
        ]
    if etype == "union_tag_not_found":
        return [
            (
                "missing_field",
                _join(field, "type"),
                "is required: every event needs a type, one of: " + ", ".join(EVENT_TYPES) + ".",
            )
        ]
    if etype in {"model_type", "model_attributes_type", "dict_type"}:
        return [("not_an_object", field, "must be a JSON object.")]
    if etype in {"tuple_type", "list_type"}:
        return [("invalid_value", field, "must be a list.")]
    if etype == "literal_error":
        return [("invalid_value", field, f"must be {ctx.get('expected', 'one of the listed')}.")]
    if etype in {"bool_type", "bool_parsing"}:
        return [("invalid_value", field, "must be true or false.")]
    if etype == "string_type":
        text = "must be a string."
        if last in _ID_FIELDS or (len(loc) >= 2 and loc[0] == "labels"):
            text += ' Write ids as JSON strings (for example "000123"), so leading zeros are kept.'
        return [("invalid_value", field, text)]
    if etype in {"string_pattern_mismatch", "string_too_short"}:
        return [
            ("invalid_value", field, "must be a non-empty id without leading or trailing spaces.")
        ]
    return [("invalid_value", field, f"is not valid here (pydantic error type {etype}).")]


def _describe(model: type[BaseModel]) -> str:
    if model in _EVENT_CLASSES:
        return f"a {model.model_fields['type'].default} event"
    return {Case: "a case", Period: "a period", Placement: "a placement"}.get(model, model.__name__)


def _problems_from(exc: ValidationError, child_id: str | None) -> tuple[Problem, ...]:
    out: list[Problem] = []
    for err in exc.errors(include_url=False, include_input=False):
        for code, field, detail in _translate(err):
            out.append(Problem(field, code, _subject(child_id, field) + detail))
    return tuple(out)


def _not_an_object(child_id: str | None, found: object) -> tuple[Problem, ...]:
    return (
        Problem(
            "",
            "not_an_object",
            _subject(child_id, "") + f"a case must be a JSON object, found {_kind(found)}.",
        ),
    )


def _validate(obj: object) -> Case | tuple[str | None, tuple[Problem, ...]]:
    """A :class:`Case`, or ``(child_id, problems)`` when ``obj`` is not a valid case."""
    if isinstance(obj, Case):
        return obj
    if not isinstance(obj, Mapping):
        return None, _not_an_object(None, obj)
    child_id = _readable_child_id(obj)
    try:
        return Case.model_validate(dict(obj))
    except ValidationError as exc:
        return child_id, _problems_from(exc, child_id)


def parse_case(obj: object) -> Case:
    """Validate one case (a mapping as read from JSON); raise :class:`InputError` if invalid.

    The error's ``problems`` is a list of ``{"field", "code", "message"}`` dicts and its
    ``child_id`` the record's id when readable. Messages never contain personal values.
    """
    result = _validate(obj)
    if isinstance(result, Case):
        return result
    child_id, problems = result
    raise InputError(
        _exception_message("invalid case, ", problems),
        child_id=child_id,
        problems=[p.as_dict() for p in problems],
    )


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case (shipped as ``docs/schema/case.schema.json``)."""
    schema = Case.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
