"""Events: one frozen class per event type, and the discriminated union ``Event``."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from pydantic import ConfigDict, Field

from lacplan.domain.fields import Id, IsoDate, _CaseErrors, _require_type


class _EventBase(_CaseErrors):
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
    date_precision: Literal["day", "year"] = Field(
        default="day",
        description="'day': the event happened on 'date'. 'year': the source shows only that it "
        "happened in the year ending on 'date', a 31 March (an SDQ in the SSDA903 OC2 table). "
        "Clocks treat it as dated on that day; explanations say the date is the year's end.",
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
    refused_by: Literal["child", "parent", "other"] = Field(
        default="child",
        description="Who refused: 'child' (the child, of sufficient age and understanding: the "
        "health duty is then not required), 'parent' or 'other' (reported as a finding; the "
        "duty stands).",
    )


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
    not_seen_alone_reason: Literal["child_refused", "inappropriate", "unable"] | None = Field(
        default=None,
        description="Why the child was not seen alone (reg 29): the child, of sufficient age "
        "and understanding, refused; the social worker considered it inappropriate; or was "
        "unable to. Only read when seen_alone is false.",
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
    agreed_by: Literal["child", "agency"] = Field(
        default="child",
        description="Whose agreement is withdrawn: the child's (the statutory reduced visits) "
        "or the agency's (an agency's reduced supervising visits). Each withdrawal clears only "
        "the agreement of the same party.",
    )


class NeedsAssessment(_EventBase):
    """An assessment of needs (for a pathway plan) was made."""

    type: Literal["needs_assessment"] = "needs_assessment"


class PathwayPlan(_EventBase):
    """A pathway plan was prepared."""

    type: Literal["pathway_plan"] = "pathway_plan"


class PathwayPlanReview(_EventBase):
    """A pathway plan was reviewed."""

    type: Literal["pathway_plan_review"] = "pathway_plan_review"


class ReviewConsultation(_EventBase):
    """The child was consulted about a coming review meeting (who attends, where it is held)."""

    type: Literal["review_consultation"] = "review_consultation"


class Sdq(_EventBase):
    """A Strengths and Difficulties Questionnaire was completed (the score is not recorded)."""

    type: Literal["sdq"] = "sdq"


class DentalCheck(_EventBase):
    """The child's teeth were checked by a dentist (the DfE's dental-check indicator)."""

    type: Literal["dental_check"] = "dental_check"


class PermanencePlan(_EventBase):
    """A plan for permanence was recorded in the care plan."""

    type: Literal["permanence_plan"] = "permanence_plan"


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
    | PathwayPlanReview
    | Sdq
    | DentalCheck
    | PermanencePlan
    | ReviewConsultation,
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
    Sdq,
    DentalCheck,
    PermanencePlan,
    ReviewConsultation,
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

#: Event types of the leaving-care duties, which run after care ends up to the 21st birthday
#: (relevant and former relevant children): such events are used, and never reported as
#: outside a period, up to that birthday.
LEAVING_CARE_EVENT_TYPES: Final[frozenset[str]] = frozenset(
    {"needs_assessment", "pathway_plan", "pathway_plan_review"}
)
