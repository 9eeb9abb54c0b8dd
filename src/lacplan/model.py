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

from lacplan.domain.assign import Assignment, assign_events
from lacplan.domain.case import (
    LEGAL_STATUSES,
    PLACEMENT_KINDS,
    Case,
    LegalStatus,
    Period,
    Placement,
)
from lacplan.domain.events import (
    EVENT_TYPES,
    CarePlan,
    DentalCheck,
    Event,
    HealthAssessment,
    HealthConsentRefused,
    NeedsAssessment,
    PathwayPlan,
    PathwayPlanReview,
    Pep,
    PepReview,
    PermanencePlan,
    PlacementNotification,
    PlacementPlan,
    ReducedVisitsAgreed,
    ReducedVisitsWithdrawn,
    Review,
    ReviewConsultation,
    Sdq,
    Visit,
)
from lacplan.domain.fields import Id, IsoDate
from lacplan.domain.findings import FINDING_CODES, Finding
from lacplan.domain.validation import (
    ERROR_CODES,
    Problem,
    RecordError,
    case_json_schema,
    origin_of,
    parse_case,
)

__all__ = [
    "ERROR_CODES",
    "EVENT_TYPES",
    "FINDING_CODES",
    "LEGAL_STATUSES",
    "PLACEMENT_KINDS",
    "Assignment",
    "CarePlan",
    "Case",
    "DentalCheck",
    "Event",
    "Finding",
    "HealthAssessment",
    "HealthConsentRefused",
    "Id",
    "IsoDate",
    "LegalStatus",
    "NeedsAssessment",
    "PathwayPlan",
    "PathwayPlanReview",
    "Pep",
    "PepReview",
    "Period",
    "PermanencePlan",
    "Placement",
    "PlacementNotification",
    "PlacementPlan",
    "Problem",
    "RecordError",
    "ReducedVisitsAgreed",
    "ReducedVisitsWithdrawn",
    "Review",
    "ReviewConsultation",
    "Sdq",
    "Visit",
    "assign_events",
    "case_json_schema",
    "origin_of",
    "parse_case",
]
