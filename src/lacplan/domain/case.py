"""Placements, periods of care and the case, with the relational checks their validators run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from lacplan.domain.base import _Deferred
from lacplan.domain.coverage import Coverage, SourceFinding
from lacplan.domain.events import Event
from lacplan.domain.fields import (
    FROM_ALIAS_CONFIG,
    Id,
    IsoDate,
    Text,
    _CaseErrors,
    _no_default,
    _problems_error,
    _q,
)

PlacementKind = Literal[
    "foster", "residential", "placed_with_parents", "connected_person_temporary", "other"
]
LegalStatusCode = Literal[
    "interim_care_order", "care_order", "section_20", "placement_order", "other"
]

if TYPE_CHECKING:
    from lacplan.domain.assign import Assignment
    from lacplan.domain.findings import Finding


class Placement(_CaseErrors):
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
        default=None,
        description="Why the placement ended, if it ended: 'planned' (ended by the responsible "
        "authority as planned), 'immediate_risk' (ended because of an immediate risk of "
        "significant harm, reg 14(3)) or 'other' (not ended by the authority).",
    )
    kind: PlacementKind = Field(
        default="other",
        description="What kind of placement it is, where the visiting timescales depend on it "
        "(reg 28(3)-(5)): 'placed_with_parents' (with a parent or person with parental "
        "responsibility), 'connected_person_temporary' (a connected person with temporary "
        "approval under reg 24), 'foster', 'residential' or 'other'.",
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


#: Placement kinds (``Placement.kind``).
PLACEMENT_KINDS: tuple[str, ...] = (
    "foster",
    "residential",
    "placed_with_parents",
    "connected_person_temporary",
    "other",
)
#: Legal statuses (``LegalStatus.status``).
LEGAL_STATUSES: tuple[str, ...] = (
    "interim_care_order",
    "care_order",
    "section_20",
    "placement_order",
    "other",
)


class LegalStatus(_Deferred):
    """The child's legal status from a date (until the next entry of the period's list)."""

    # JSON says "from" (a Python keyword): validated and serialised by that alias; Python code
    # may also pass ``from_``.
    model_config = FROM_ALIAS_CONFIG

    from_: IsoDate = Field(alias="from", description="Date this legal status began.")
    status: LegalStatusCode = Field(description="The legal status from that date.")


def _placement_key(p: Placement) -> tuple[date, date, str]:
    # The id breaks ties (two one-day placements on the same day), so input order never matters.
    return (p.start, p.end if p.end is not None else date.max, p.placement_id)


class Period(_CaseErrors):
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
    legal_status: tuple[LegalStatus, ...] = Field(
        default=(),
        description="The child's legal status during the period, as dated entries (each "
        "applies from its date until the next); sorted by date once loaded. Used for the "
        "visiting timescales of children placed with parents (reg 28(4)-(5)).",
    )
    started_before_data: bool = Field(
        default=False,
        strict=True,
        description="The period began before the source's data does (an SSDA903 return without "
        "the episode that started it): 'start' is the first date the data shows, and clocks "
        "anchored on the real start are not evaluated (reason 'start_before_data').",
    )
    agreed_visit_interval_days: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=3660,
        description="Short breaks (reg 48): the interval between visits, in days (1 to 3,660), "
        "agreed with the IRO and the parents and recorded in the care plan. Ignored for other "
        "regimes.",
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
        object.__setattr__(
            self, "legal_status", tuple(sorted(self.legal_status, key=lambda s: s.from_))
        )
        return self

    def legal_status_on(self, d: date) -> str | None:
        """The legal status in force on ``d`` (the latest entry dated on or before it)."""
        found: str | None = None
        for entry in self.legal_status:
            if entry.from_ > d:
                break
            found = entry.status
        return found


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
        pid = p.placement_id  # quoted into a message only when there is one
        if pid in seen:
            problems.append(
                (
                    "duplicate_placement_id",
                    f"placements[{i}].placement_id",
                    f"placement id {_q(pid)} is also used by placements[{seen[pid]}]. "
                    "Placement ids must be unique within a case.",
                )
            )
        else:
            seen[pid] = i
        if p.start < period.start:
            problems.append(
                (
                    "placement_outside_period",
                    f"placements[{i}].start",
                    f"placement {_q(pid)} starts before its period starts. Expected placements "
                    "within their period; correct the dates or move the placement to the right "
                    "period.",
                )
            )
        if period.end is not None and p.start > period.end:
            problems.append(
                (
                    "placement_outside_period",
                    f"placements[{i}].start",
                    f"placement {_q(pid)} starts after its period ends. Expected placements within "
                    "their period; correct the dates or move the placement to the right period.",
                )
            )
        elif period.end is not None and p.end is not None and p.end > period.end:
            problems.append(
                (
                    "placement_outside_period",
                    f"placements[{i}].end",
                    f"placement {_q(pid)} ends after its period ends. Expected placements within "
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
    first_dated: dict[date, int] = {}
    for i, entry in enumerate(period.legal_status):
        where = f"legal_status[{i}].from"
        j = first_dated.setdefault(entry.from_, i)
        if j != i:
            problems.append(
                (
                    "duplicate_legal_status",
                    where,
                    f"legal_status[{i}] has the same date as legal_status[{j}]. Give one legal "
                    "status per date; the later entry replaces the earlier one from its date.",
                )
            )
        if period.end is not None and entry.from_ > period.end:
            problems.append(
                (
                    "legal_status_outside_period",
                    where,
                    f"legal_status[{i}] starts after the period ends. Record it in the period of "
                    "care it belongs to.",
                )
            )
    return problems


def _period_key(p: Period) -> tuple[date, date]:
    return (p.start, p.end if p.end is not None else date.max)


class Case(_CaseErrors):
    """One child's record: periods of care with their placements, and dated events."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    child_id: Id = Field(description="The child's id (a string, so leading zeros are kept).")
    date_of_birth: IsoDate = Field(description="The child's date of birth.")
    periods: tuple[Period, ...] = Field(
        default=(), description="Periods of care; must not overlap (sorted by start once loaded)."
    )
    events: tuple[Event, ...] = Field(default=(), description="Dated events, in any order.")
    labels: dict[Id, Text] = Field(
        default_factory=dict,
        description="Non-personal ids passed through to outputs (team, worker, IRO, local "
        "authority).",
    )
    coverage: Coverage | None = Field(
        default=None,
        description="What the case's source can show; null (the default) means everything, as "
        "for a case written in this format by hand or by a case system.",
    )
    source_findings: tuple[SourceFinding, ...] = Field(
        default=(),
        description="Findings an adapter made while building the case (reported with the "
        "case's own findings).",
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
        from lacplan.domain.findings import case_findings

        return case_findings(self, as_of, assignments)


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
