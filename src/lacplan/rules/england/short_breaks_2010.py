"""England: a series of short breaks (CPPCR 2010 reg 48), as variants of the standard rule ids.

Reg 48(3) (read in the primary text, as made) disapplies regs 5 and 9 (care plan contents, the
placement plan), 7 and 13 (health, notification) and 28(2) (the visiting timescale), and puts in
their place visits on days the child is placed at an interval agreed with the IRO and the parents.
Reg 4 (preparing the care plan, and when) still applies, so ``care-plan`` has no variant here.
Reviews follow a 3-month then 6-month cycle from the first short break. ``docs/regimes.md`` (made
from these declarations) shows which rule applies under which regime.
"""

from __future__ import annotations

from lacplan.offsets import Months
from lacplan.rules.england._common import (
    CPPCR,
    CPPCR_IN_FORCE,
    FIRST_REVIEW_IN_DATA,
    HELD_REVIEW,
    NO_FIXED_TIMESCALE,
    NOT_REQUIRED_UNDER_SHORT_BREAKS,
    PLACEMENT_START,
    SHORT_BREAKS_REGIME,
    SW_VISIT,
    VERSION,
    legislation,
    ref,
)
from lacplan.rules.schema import (
    AnchorOption,
    Chain,
    Citation,
    DateExpr,
    EarlierDue,
    EventMatch,
    OffsetOption,
    Rule,
    Satisfaction,
    Scope,
)

__all__ = ["RULES"]

REG_48 = legislation("uksi/2010/959/regulation/48/made")
REG_48_3_A = CPPCR.at(
    "reg 48(3)(a)",
    quote="regulations 5 and 9 do not apply, but instead the care plan must set out the "
    "arrangements made to meet C's needs",
    url=REG_48,
)
REG_48_3_B = CPPCR.at(
    "reg 48(3)(b)", quote="regulations 7, 13 and 49(2)(b) do not apply", url=REG_48
)
REG_48_3_C = CPPCR.at(
    "reg 48(3)(c)",
    quote="R visits C on days when C is in fact placed, at regular intervals to be agreed with "
    "the IRO and C's parents … and recorded in the care plan before the start of the first "
    "placement, and in any event",
    url=REG_48,
    note="The 'in any event' backstops (first visit within 3 months of the first placement, "
    "then at most 6 months) are UNVERIFIED: the copy read stops before the figures.",
)
REG_48_REVIEWS = CPPCR.at(
    "reg 48(3) (reviews; lettering UNVERIFIED)",
    quote="",
    status="S",
    url=REG_48,
    note="First review within 3 months of the first short break, then at most 6 months: local "
    "procedures (Waltham Forest) and the Northern Ireland equivalent (1996 No. 461 reg 11, read "
    "in full); the English wording is UNVERIFIED.",
)
FIRST_BREAK = (
    AnchorOption(
        date=ref("period.first_placement_start"), label="the start of the first short break"
    ),
)
PERIOD_START = (
    AnchorOption(date=ref("period.start"), label="the date the series of short breaks began"),
)


def _not_required(
    rule_id: str,
    title: str,
    scope: Scope,
    citation: Citation,
    what: str,
    event_type: str,
) -> Rule:
    """The short-breaks variant of a duty reg 48(3) disapplies: one ``not_required`` obligation
    per scope, with no timescale."""
    return Rule(
        id=rule_id,
        title=title,
        scope=scope,
        citation=citation,
        variant="short_breaks",
        variant_when=SHORT_BREAKS_REGIME,
        version=VERSION,
        in_force=CPPCR_IN_FORCE,
        anchor=PLACEMENT_START if scope == "placement" else PERIOD_START,
        offsets=NO_FIXED_TIMESCALE,
        satisfied_by=Satisfaction(events=(EventMatch(type=event_type),)),
        exemptions=NOT_REQUIRED_UNDER_SHORT_BREAKS(what),
        conventions=("A8",),
    )


NOT_REQUIRED = (
    _not_required(
        "placement-plan",
        "Placement plan prepared (short breaks)",
        "placement",
        REG_48_3_A,
        "regulation 9 (the placement plan)",
        "placement_plan",
    ),
    _not_required(
        "placement-notification",
        "Placement notified in writing (short breaks)",
        "placement",
        REG_48_3_B,
        "regulation 13 (notification of the placement)",
        "placement_notification",
    ),
    _not_required(
        "health-initial",
        "Initial health assessment (short breaks)",
        "period",
        REG_48_3_B,
        "regulation 7 (health care)",
        "health_assessment",
    ),
    _not_required(
        "health-review",
        "Review health assessment (short breaks)",
        "period",
        REG_48_3_B,
        "regulation 7 (health care)",
        "health_assessment",
    ),
    _not_required(
        "pep-initial",
        "Personal education plan initiated (short breaks)",
        "period",
        REG_48_3_A,
        "regulation 5 (the care plan's contents, the personal education plan among them)",
        "pep",
    ),
    _not_required(
        "pep-review",
        "Personal education plan reviewed each term (short breaks)",
        "period",
        REG_48_3_A,
        "regulation 5 (the care plan's contents, the personal education plan among them)",
        "pep_review",
    ),
    _not_required(
        "permanence-plan",
        "Plan for permanence by the second review (short breaks)",
        "period",
        REG_48_3_A,
        "regulation 5 (the care plan's contents, the plan for permanence among them)",
        "permanence_plan",
    ),
)

REVIEW_FIRST = Rule(
    id="review-first",
    title="First review (short breaks)",
    scope="period",
    citation=REG_48_REVIEWS,
    variant="short_breaks",
    variant_when=SHORT_BREAKS_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=FIRST_BREAK,
    offsets=(OffsetOption(offset=Months(n=3), label="within 3 months of the first short break"),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), start=ref("anchor")),
    conventions=("A3", "A8", "A22"),
)
REVIEW_SECOND = Rule(
    id="review-second",
    title="Second review (short breaks)",
    scope="period",
    citation=REG_48_REVIEWS,
    variant="short_breaks",
    variant_when=SHORT_BREAKS_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(
        AnchorOption(date=ref("rule:review-first.met_on"), label="the date of the first review"),
    ),
    offsets=(OffsetOption(offset=Months(n=6), label="at most 6 months after the first review"),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), after=ref("anchor")),
    conventions=("A3", "A5", "A8"),
)
REVIEW_SUBSEQUENT = Rule(
    id="review-subsequent",
    title="Subsequent reviews (short breaks)",
    scope="period",
    citation=REG_48_REVIEWS,
    variant="short_breaks",
    variant_when=SHORT_BREAKS_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Chain(),
    anchor=(
        AnchorOption(date=ref("rule:review-second.met_on"), label="the date of the second review"),
        FIRST_REVIEW_IN_DATA,
    ),
    offsets=(OffsetOption(offset=Months(n=6), label="at most 6 months after the previous review"),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,)),
    conventions=("A3", "A5", "A8", "A26"),
)

#: The interval agreed with the IRO and the parents, when it comes before the backstop.
AGREED_INTERVAL = EarlierDue(
    date=DateExpr(ref="anchor", plus_days_field="agreed_visit_interval_days"),
    label="the end of the visiting interval agreed with the IRO and the parents "
    "(agreed_visit_interval_days)",
)
VISIT_IN_A_BREAK = Satisfaction(events=(SW_VISIT,), within_placements=True)

VISIT_FIRST = Rule(
    id="visit-first",
    title="First social worker visit (short breaks)",
    scope="period",
    citation=REG_48_3_C,
    variant="short_breaks",
    variant_when=SHORT_BREAKS_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=FIRST_BREAK,
    offsets=(
        OffsetOption(
            offset=Months(n=3),
            label="in any event within 3 months of the first short break (figure UNVERIFIED)",
            earlier_of=(AGREED_INTERVAL,),
        ),
    ),
    satisfied_by=VISIT_IN_A_BREAK.model_copy(update={"start": ref("anchor")}),
    conventions=("A8", "A12"),
    notes="One obligation per series of short breaks; only visits dated inside a break count.",
)
VISIT = Rule(
    id="visit",
    title="Social worker visits (short breaks)",
    scope="period",
    citation=REG_48_3_C,
    variant="short_breaks",
    variant_when=SHORT_BREAKS_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Chain(),
    anchor=(
        AnchorOption(date=ref("rule:visit-first.met_on"), label="the date of the previous visit"),
    ),
    offsets=(
        OffsetOption(
            offset=Months(n=6),
            label="in any event at most 6 months (figure UNVERIFIED)",
            earlier_of=(AGREED_INTERVAL,),
        ),
    ),
    satisfied_by=VISIT_IN_A_BREAK,
    conventions=("A5", "A8", "A12"),
    notes="Only visits dated inside a break count (reg 48(3)(c): 'on days when C is in fact "
    "placed').",
)

#: The short-break variants, in catalogue order of their rule ids.
RULES: tuple[Rule, ...] = (
    NOT_REQUIRED[0],
    NOT_REQUIRED[1],
    REVIEW_FIRST,
    REVIEW_SECOND,
    REVIEW_SUBSEQUENT,
    *NOT_REQUIRED[2:6],
    VISIT_FIRST,
    VISIT,
    NOT_REQUIRED[6],
)
