"""What a case's source can show: the event types it records and the dates it covers.

A case read from JSON sees everything (``Case.coverage`` is null). A case built from a source
that records only some duties (the SSDA903 return shows reviews, and SDQs for some children, but
no plans, visits or health assessments) carries a :class:`Coverage`: for each event type the
spans of dates in which the source shows *every* such event, and the last day the data covers.
The engine reports a duty whose events the source cannot show as ``not_evaluated``, never as
overdue or missed (``docs/ssda903.md`` walks through the reasons).
"""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from lacplan.domain.base import _Deferred
from lacplan.domain.events import EVENT_TYPES
from lacplan.domain.fields import FROM_ALIAS_CONFIG, Id, IsoDate, _problems_error

__all__ = ["Coverage", "ObservedSpan", "SourceFinding"]


class ObservedSpan(_Deferred):
    """From ``from`` to ``to`` (inclusive) the source shows every event of type ``type``."""

    model_config = FROM_ALIAS_CONFIG

    type: str = Field(description="An event type (see the event list).")
    from_: IsoDate = Field(alias="from", description="First day of the span.")
    to: IsoDate = Field(description="Last day of the span.")

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in EVENT_TYPES:
            raise ValueError(f"is not an event type; expected one of {', '.join(EVENT_TYPES)}")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.to < self.from_:
            raise _problems_error(
                [("end_before_start", "to", "the span ends before it starts; check its dates.")]
            )
        return self


class Coverage(_Deferred):
    """What the case's source shows (null on a case: the source shows everything)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    source: Id = Field(description="The source format, e.g. 'ssda903'.")
    observed: tuple[ObservedSpan, ...] = Field(
        default=(),
        description="Spans in which the source shows every event of a type. Event types with "
        "no span are not in the source: their duties are not evaluated (reason "
        "'not_in_source').",
    )
    until: IsoDate = Field(
        description="The last day the data covers. An obligation due after it and not met by "
        "then is not evaluated (reason 'after_data'); with a later as-of date, the others are "
        "judged on the day after it (what was not done by then is known)."
    )

    def spans(self, event_type: str) -> list[tuple[date, date]]:
        """The spans of ``event_type``, sorted and with touching or overlapping spans merged."""
        raw = sorted((s.from_, s.to) for s in self.observed if s.type == event_type)
        merged: list[tuple[date, date]] = []
        for lo, hi in raw:
            if merged and lo.toordinal() <= merged[-1][1].toordinal() + 1:
                if hi > merged[-1][1]:
                    merged[-1] = (merged[-1][0], hi)
            else:
                merged.append((lo, hi))
        return merged


class SourceFinding(_Deferred):
    """Something an adapter noticed while building the case (reported with its findings)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    code: Id = Field(description="A stable code (see docs/errors.md).")
    field: str = Field(
        default="", description="Where: a table, row and column, or a field of the case."
    )
    message: str = Field(description="What was noticed; never quotes personal values.")
