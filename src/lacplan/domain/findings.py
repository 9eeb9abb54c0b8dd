"""Findings: valid but suspicious data, reported beside the results (the case is still used)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import Any, Final

from lacplan.calendar import birthday, fmt_date
from lacplan.domain.assign import Assignment, assign_events
from lacplan.domain.case import Case
from lacplan.domain.events import _COMPARED_FIELDS, LEAVING_CARE_EVENT_TYPES, _EventBase
from lacplan.domain.fields import _q
from lacplan.domain.records import Finding

__all__ = ["FINDING_CODES", "Finding", "case_findings"]

#: Each event type's compared fields as one getter of the event's field values (its
#: ``__dict__``: one read of a model rather than one per field; every type has at least two
#: compared fields, so the getter gives a tuple).
_COMPARED_OF: Final[dict[str, itemgetter[Any]]] = {
    t: itemgetter(*names) for t, names in _COMPARED_FIELDS.items()
}

FINDING_CODES: Final[tuple[str, ...]] = (
    "no_periods",
    "event_outside_period",
    "event_before_birth",
    "placement_of_other_period",
    "duplicate_event",
    "period_after_18",
    "placement_after_18",
    "event_after_scope_end",
    "consent_refused_by_other",
    "as_of_after_data",
)


_REFUSER: Final = {"parent": "a parent", "other": "someone other than the child"}


def _subject(child_id: str | None, field: str) -> str:
    who = f"case {_q(child_id)}" if child_id is not None else "record"
    return f"{who}, {field}: " if field else f"{who}: "


def _event_name(event: _EventBase) -> str:
    named = f" {_q(event.event_id)}" if event.event_id is not None else ""
    return f"{event.type} event{named}"


class _EventName:
    """An event's name in a message, written only if a message uses it."""

    __slots__ = ("event",)

    def __init__(self, event: _EventBase) -> None:
        self.event = event

    def __format__(self, spec: str) -> str:
        return format(_event_name(self.event), spec)

    def __str__(self) -> str:  # what an f-string field without a spec asks of it when compiled
        return _event_name(self.event)


def _birthday_or_never(date_of_birth: date, years: int) -> date:
    """The birthday, or the last representable day when it falls after the year 9999 (the
    case is then rejected at evaluation as ``calendar_range``)."""
    from lacplan.errors import CalendarRangeError

    try:
        return birthday(date_of_birth, years)
    except CalendarRangeError:
        return date.max


def case_findings(
    case: Case, as_of: date | None, assignments: Sequence[Assignment] | None = None
) -> tuple[Finding, ...]:
    out: list[Finding] = [Finding(f.code, f.field, f.message) for f in case.source_findings]

    def add(code: str, field: str, text: str) -> None:
        out.append(Finding(code, field, _subject(case.child_id, field) + text))

    cov = case.coverage
    if cov is not None and as_of is not None and as_of > cov.until:
        add(
            "as_of_after_data",
            "coverage.until",
            f"the {cov.source} data ends on {fmt_date(cov.until)}, before the as-of date, so "
            "obligations are judged on the day after it: one due by then and not met is "
            "overdue, one due later and not met by then is not evaluated (reason after_data), "
            "as the data cannot show what happened later.",
        )

    if not case.periods:
        add(
            "no_periods",
            "periods",
            "the case has no periods of care, so no timescale can be computed for it.",
        )
    b18 = _birthday_or_never(case.date_of_birth, 18)
    b21 = _birthday_or_never(case.date_of_birth, 21)
    for i, period in enumerate(case.periods):
        if as_of is not None and period.start > as_of:
            continue
        if period.start >= b18:
            add(
                "period_after_18",
                f"periods[{i}].start",
                f"period {_q(period.period_id)} starts on or after the child's 18th birthday, "
                "when care ends, so none of its clocks is computed and its placements and "
                "events are not used. Check the dates of birth and of the period.",
            )
            continue
        for j, pl in enumerate(period.placements):
            if pl.start >= b18 and (as_of is None or pl.start <= as_of):
                add(
                    "placement_after_18",
                    f"periods[{i}].placements[{j}].start",
                    f"placement {_q(pl.placement_id)} starts on or after the child's 18th "
                    "birthday, when care ends, so none of its clocks is computed. Check its "
                    "start and the date of birth.",
                )
    period_start = {period.period_id: period.start for period in case.periods}
    placement_period = {
        pl.placement_id: period.period_id for period in case.periods for pl in period.placements
    }
    if assignments is None:
        assignments = assign_events(case)
    seen: dict[tuple[Any, ...], int] = {}
    born = case.date_of_birth
    for k, (event, assigned) in enumerate(zip(case.events, assignments, strict=True)):
        values = event.__dict__  # the model's fields, read once
        day, kind = values["date"], values["type"]
        if as_of is not None and day > as_of:
            continue
        name = _EventName(event)  # written only into a finding's message
        # Leaving-care duties run to the 21st birthday, after care has ended.
        leaving_care = kind in LEAVING_CARE_EVENT_TYPES and day <= b21
        if (
            assigned.period_id is not None
            and day > b18
            and not leaving_care
            and period_start[assigned.period_id] < b18
        ):
            add(
                "event_after_scope_end",
                f"events[{k}].date",
                f"the {name} is dated after the child's 18th birthday, when care ended, so it "
                "is not used. Check its date and the date of birth.",
            )
        if assigned.period_id is None and not leaving_care:
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
        if day < born:
            add(
                "event_before_birth",
                f"events[{k}].date",
                f"the {name} is dated before the child's date of birth. Check both dates.",
            )
        if (
            kind == "health_consent_refused"
            and (refused_by := event.__dict__.get("refused_by", "child")) != "child"
        ):
            add(
                "consent_refused_by_other",
                f"events[{k}].refused_by",
                f"the {name} records a refusal by {_REFUSER[refused_by]}. Only the child's own "
                "refusal (of sufficient age and understanding) ends a health duty, so the "
                "assessment is still due.",
            )
        if (placement_id := values["placement_id"]) is not None:
            owner = placement_period.get(placement_id)
            if owner is not None and owner != assigned.period_id:
                where = (
                    f"in period {_q(assigned.period_id)}"
                    if assigned.period_id is not None
                    else "outside every period"
                )
                add(
                    "placement_of_other_period",
                    f"events[{k}].placement_id",
                    f"the {name} names placement {_q(placement_id)} of period "
                    f"{_q(owner)} but is dated {where}. Check the date and the placement_id.",
                )
        key = (assigned.placement_id, _COMPARED_OF[kind](values))
        first = seen.setdefault(key, k)
        if first != k:
            add(
                "duplicate_event",
                f"events[{k}]",
                f"the {name} repeats events[{first}] (same type, date, placement and fields). "
                "Remove one if it was recorded twice.",
            )
    return tuple(out)
