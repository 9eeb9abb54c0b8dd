"""England: the Care Planning, Placement and Case Review (England) Regulations 2010 (SI 2010/959)
and the statutory guidance that times the health and education duties.

One block per duty, the regulation's words beside the data. Citation statuses follow
``shared/reference/legal-timescales.md``: ``P`` primary text read, ``S`` secondary sources only,
``UNVERIFIED`` not confirmed. Conventions (A-codes) are described in ``docs/conventions.md``.
"""

from __future__ import annotations

from datetime import date

from lacplan.offsets import Days, Months, Weeks, WorkingDays
from lacplan.rules.schema import (
    AgeCondition,
    AnchorOption,
    AttrCondition,
    Chain,
    ConventionCondition,
    DateBefore,
    DateExpr,
    DateOnOrAfter,
    Ending,
    EventExists,
    EventMatch,
    EventState,
    Exemption,
    InForce,
    Instrument,
    NotCondition,
    OffsetOption,
    Rule,
    RuleStatusCondition,
    Satisfaction,
    Windows,
)

__all__ = ["RULES"]

CPPCR = Instrument(
    code="SI 2010/959",
    title="Care Planning, Placement and Case Review (England) Regulations 2010",
    url="https://www.legislation.gov.uk/uksi/2010/959",
)
SI_2015_495 = Instrument(
    code="SI 2015/495",
    title="Care Planning and Fostering (Miscellaneous Amendments) (England) Regulations 2015",
    url="https://www.legislation.gov.uk/uksi/2015/495",
)
EDUCATION_GUIDANCE_2018 = Instrument(
    code="DfE 2018",
    title="Promoting the education of looked-after children and previously looked-after children",
    url="https://www.gov.uk/government/publications/promoting-the-education-of-looked-after-children",
)

#: CPPCR 2010 came into force on 1 April 2011; earlier clocks ran under the 1991 regulations.
CPPCR_IN_FORCE = InForce(start=date(2011, 4, 1))
VERSION = "2011-04-01"

# Reusable pieces -------------------------------------------------------------------------------
HELD_REVIEW = EventMatch(
    type="review", fields=(("cancelled", False),)
)  # A22: cancelled never count
SW_VISIT = EventMatch(type="visit", fields=(("by", "social_worker"),))
CONSENT_REFUSED = Ending(
    event=EventMatch(type="health_consent_refused"),
    reason="consent_refused",
    on_or_before_due="not_required",
    after_due="met_late",
)
# health-review: "a refusal makes the open one not_required", whenever it comes (the rules issue).
CONSENT_REFUSED_REVIEW = CONSENT_REFUSED.model_copy(update={"after_due": "not_required"})
EMERGENCY_ENTRY = AttrCondition(target="period", field="entry", equals="emergency")
EMERGENCY_PLACEMENT = AttrCondition(target="placement", field="emergency", equals=True)
#: The variant of every rule here; reg 48 short-break variants come in their own module.
STANDARD_REGIME = (AttrCondition(target="period", field="regime", equals="standard"),)
BEFORE_PLACEMENT = OffsetOption(offset=Days(n=0), label="before the placement starts")


def _ref(ref: str, offset: Days | Weeks | Months | WorkingDays | None = None) -> DateExpr:
    return DateExpr(ref=ref, offset=offset)


# Regulation 4: the care plan -----------------------------------------------------------------
CARE_PLAN = Rule(
    id="care-plan",
    title="Care plan prepared",
    scope="period",
    citation=CPPCR.at(
        "reg 4(2)",
        quote=(
            "the care plan must be prepared before C is first placed by the responsible authority "
            "or, if it is not practicable to do so, within ten working days of the start of the "
            "first placement."
        ),
        url="https://www.legislation.gov.uk/uksi/2010/959/regulation/4/made",
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(
        AnchorOption(date=_ref("period.first_placement_start"), label="first placement start"),
    ),
    offsets=(
        OffsetOption(
            offset=WorkingDays(n=10),
            when=(EMERGENCY_ENTRY,),
            label="emergency entry: within 10 working days of the first placement",
        ),
        OffsetOption(offset=Days(n=0), label="planned entry: before the first placement"),
    ),
    satisfied_by=Satisfaction(events=(EventMatch(type="care_plan"),)),
    conventions=("A1", "A7"),
    notes=(
        "The statutory test for the 10-working-day window is 'not practicable'; lacplan reads it "
        "from the period's `entry`. Children to whom s.31A applies (care orders, court care plan) "
        "are outside reg 4(2); the case format does not yet carry legal status."
    ),
)

# Regulations 9 and 13: placement plan and notification --------------------------------------
PLACEMENT_START = (AnchorOption(date=_ref("placement.start"), label="placement start"),)
#: Reg 9(2) and reg 13(1) share a timescale: before the placement, else within 5 working days.
BEFORE_OR_5_WORKING_DAYS = (
    OffsetOption(
        offset=WorkingDays(n=5),
        when=(EMERGENCY_PLACEMENT,),
        label="emergency placement: within 5 working days",
    ),
    BEFORE_PLACEMENT,
)

PLACEMENT_PLAN = Rule(
    id="placement-plan",
    title="Placement plan prepared",
    scope="placement",
    citation=CPPCR.at(
        "reg 9(2)",
        quote=(
            "If it is not reasonably practicable to prepare the placement plan before making the "
            "placement, the placement plan must be prepared within five working days of the start "
            "of the placement."
        ),
        url="https://www.legislation.gov.uk/uksi/2010/959/part/3/made",
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=PLACEMENT_START,
    offsets=BEFORE_OR_5_WORKING_DAYS,
    satisfied_by=Satisfaction(events=(EventMatch(type="placement_plan"),)),
    conventions=("A1", "A18"),
    notes=(
        "The prepared date satisfies reg 9(2) (A18); the signature under reg 9(3) is not checked. "
        "SI 2020/445 replaced the 5 working days with 'as soon as is reasonably practicable' from "
        "24 Apr to 25 Sep 2020; that dated version is not yet declared."
    ),
)

PLACEMENT_NOTIFICATION = Rule(
    id="placement-notification",
    title="Placement notified in writing",
    scope="placement",
    citation=CPPCR.at(
        "reg 13(1)",
        quote=(
            "before the placement is made or, if the placement is made in an emergency, within "
            "five working days of the start of the placement, unless it is not reasonably "
            "practicable to do so."
        ),
        url="https://legislation.gov.uk/uksi/2010/959/regulation/13/made",
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=PLACEMENT_START,
    offsets=BEFORE_OR_5_WORKING_DAYS,
    satisfied_by=Satisfaction(events=(EventMatch(type="placement_notification"),)),
    conventions=("A1",),
)

# Regulation 33: reviews ----------------------------------------------------------------------
REVIEW_FIRST = Rule(
    id="review-first",
    title="First review of the child's case",
    scope="period",
    citation=CPPCR.at(
        "reg 33(1)",
        quote=(
            "The responsible authority must first review C's case within 20 working days of the "
            "date on which C becomes looked after."
        ),
        url="https://legislation.gov.uk/cy/uksi/2010/959/part/6/made",
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(AnchorOption(date=_ref("period.start"), label="became looked after"),),
    offsets=(OffsetOption(offset=WorkingDays(n=20)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), start=_ref("anchor")),
    conventions=("A1", "A2", "A7", "A21", "A22"),
)

_REG_33_2 = CPPCR.at(
    "reg 33(2)",
    quote=(
        "The second review must be carried out not more than three months after the first, and "
        "subsequent reviews must be carried out at intervals of not more than six months."
    ),
    url="https://legislation.gov.uk/cy/uksi/2010/959/part/6/made",
)

REVIEW_SECOND = Rule(
    id="review-second",
    title="Second review",
    scope="period",
    citation=_REG_33_2,
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(AnchorOption(date=_ref("rule:review-first.met_on"), label="first review held"),),
    offsets=(OffsetOption(offset=Months(n=3)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), after=_ref("anchor")),
    conventions=("A3", "A4", "A5"),
)

REVIEW_SUBSEQUENT = Rule(
    id="review-subsequent",
    title="Subsequent reviews",
    scope="period",
    citation=_REG_33_2,
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Chain(),
    anchor=(AnchorOption(date=_ref("rule:review-second.met_on"), label="second review held"),),
    offsets=(OffsetOption(offset=Months(n=6)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,)),
    conventions=("A3", "A4", "A5", "A6"),
)

# Regulation 14: review before the authority ends a placement ---------------------------------
REVIEW_BEFORE_MOVE = Rule(
    id="review-before-move",
    title="Review before the placement is ended by a move",
    scope="placement",
    citation=CPPCR.at(
        "reg 14(1)",
        quote=(
            "the responsible authority may only terminate C's placement following a review of C's "
            "case in accordance with Part 6."
        ),
        url="https://www.legislation.gov.uk/uksi/2010/959/regulation/14/made",
    ),
    also_cites=(
        CPPCR.at(
            "reg 14(3)",
            quote=(
                "Where there is an immediate risk of significant harm to C, or to protect others "
                "from serious injury, the responsible authority must terminate C's placement"
            ),
            url="https://www.legislation.gov.uk/uksi/2010/959/regulation/14/made",
        ),
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    applies=(AttrCondition(target="placement", field="ends_in_move", equals=True),),
    anchor=(AnchorOption(date=_ref("placement.end"), label="move date"),),
    offsets=(OffsetOption(offset=Days(n=0), label="a review before the move"),),
    satisfied_by=Satisfaction(
        events=(HELD_REVIEW,),
        scope="period",
        start=DateExpr(ref="anchor", minus_months_convention="review_before_move_months"),
        end=_ref("anchor"),
        pick="last",
    ),
    exemptions=(
        Exemption(
            when=(AttrCondition(target="placement", field="end_reason", equals="immediate_risk"),),
            status="exempt",
            reason="immediate_risk",
            label="the placement was ended because of an immediate risk of significant harm "
            "(reg 14(3))",
        ),
        Exemption(
            when=(AttrCondition(target="next_placement", field="emergency", equals=True),),
            status="exempt",
            reason="emergency_move",
            label="the child moved to an emergency placement",
        ),
        Exemption(
            when=(AttrCondition(target="placement", field="end_reason", equals="other"),),
            status="not_required",
            reason="not_ended_by_authority",
            label="the responsible authority did not end the placement",
        ),
    ),
    conventions=("A6",),
    notes=(
        "A review counts when held in the window from `review_before_move_months` (default 3) "
        "calendar months before the move up to and including the move date. The reg 14(5) "
        "exclusions (reg 19(c), 23(2), 25(6), s.22D) are not modelled."
    ),
)

# Regulation 7: health assessments -------------------------------------------------------------
_REG_7 = CPPCR.at(
    "reg 7",
    quote="",
    status="S",
    url="https://www.legislation.gov.uk/uksi/2010/959/regulation/7",
    note=(
        "Substance per NYAS, tri.x and local procedures; the regulation's wording and paragraph "
        "numbers are UNVERIFIED."
    ),
)

HEALTH_INITIAL = Rule(
    id="health-initial",
    title="Initial health assessment",
    scope="period",
    citation=_REG_7,
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(
        AnchorOption(date=_ref("rule:review-first.due"), label="first review due date (reg 33(1))"),
    ),
    offsets=(OffsetOption(offset=Days(n=0), label="before the first review"),),
    satisfied_by=Satisfaction(
        events=(EventMatch(type="health_assessment"),),
        start=_ref("period.first_placement_start"),
    ),
    exemptions=(
        Exemption(
            when=(
                EventExists(
                    scope="child",
                    match=EventMatch(type="health_assessment"),
                    start=_ref("period.first_placement_start", Months(n=-3)),
                    before=_ref("period.first_placement_start"),
                ),
            ),
            status="exempt",
            reason="pre_placement_assessment",
            label="a health assessment was made in the 3 months before the first placement",
        ),
    ),
    endings=(CONSENT_REFUSED,),
    conventions=("A7", "A11"),
    notes=(
        "UNVERIFIED: reg 7 wording. Due on the first review's statutory due date (the rules "
        "issue; A11's 'earlier actual review' refinement is not applied). A refusal of consent "
        "dated on or before the due date makes it not required; a later refusal closes it as "
        "met late."
    ),
)

_EXEMPT_INITIAL = RuleStatusCondition(rule="health-initial", status_in=("exempt",))

HEALTH_REVIEW = Rule(
    id="health-review",
    title="Review health assessment",
    scope="period",
    citation=_REG_7,
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Chain(),
    anchor=(
        AnchorOption(
            date=_ref("rule:health-initial.closed_on"),
            label="initial health assessment",
            when=(NotCondition(conditions=(_EXEMPT_INITIAL,)),),
        ),
        AnchorOption(
            date=_ref("rule:health-initial.closed_on"),
            label="pre-placement health assessment (convention: cycle from the assessment)",
            when=(
                ConventionCondition(name="health_cycle_after_pre_placement", equals="assessment"),
            ),
        ),
        AnchorOption(
            date=_ref("rule:review-first.met_on"),
            label="first review (initial assessment exempt)",
            when=(_EXEMPT_INITIAL,),
        ),
        AnchorOption(
            date=_ref("rule:review-first.due"),
            label="first review due date (initial assessment exempt, no review held yet)",
            when=(_EXEMPT_INITIAL,),
        ),
    ),
    offsets=(
        OffsetOption(
            offset=Months(n=6),
            when=(AgeCondition(on="anchor", below=5),),
            label="under 5 at the previous assessment: every 6 months",
        ),
        OffsetOption(
            offset=Months(n=12), label="5 or over at the previous assessment: every 12 months"
        ),
    ),
    satisfied_by=Satisfaction(events=(EventMatch(type="health_assessment"),)),
    endings=(CONSENT_REFUSED_REVIEW,),
    conventions=("A3", "A5", "A9", "A10"),
    notes=(
        "UNVERIFIED: reg 7 wording. The interval is set by the child's age on the date the "
        "interval starts (A9). When health-initial is exempt the cycle starts from the first "
        "review (the seed's reading, UNVERIFIED) unless `health_cycle_after_pre_placement` is "
        "`assessment` (A10). A refusal makes the open review not required (whenever it comes) and "
        "the next falls due one interval after the refusal."
    ),
)

# Personal education plan (reg 5(b)(ii), Sch 1 para 2; DfE 2018 guidance) ---------------------
_PEP_AGES = (AgeCondition(on="due", range_convention="pep_ages"),)

PEP_INITIAL = Rule(
    id="pep-initial",
    title="Personal education plan initiated",
    scope="period",
    citation=CPPCR.at(
        "reg 5(b)(ii), Sch 1 para 2",
        quote="",
        url="https://www.legislation.gov.uk/uksi/2010/959/schedules/made",
        note="The PEP is part of the care plan (P); the 10 working days are guidance (S).",
    ),
    also_cites=(EDUCATION_GUIDANCE_2018.at("PEP initiation", status="S"),),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(AnchorOption(date=_ref("period.start"), label="became looked after"),),
    offsets=(
        OffsetOption(
            offset=WorkingDays(n=10),
            when=(EMERGENCY_ENTRY,),
            label="emergency entry: within 10 working days",
        ),
        OffsetOption(offset=Days(n=0), label="planned entry: before becoming looked after"),
    ),
    satisfied_by=Satisfaction(events=(EventMatch(type="pep"),)),
    exemptions=(
        Exemption(
            when=(NotCondition(conditions=_PEP_AGES),),
            status="not_required",
            reason="outside_pep_ages",
            label="the child's age on the due date is outside the PEP ages (convention pep_ages)",
        ),
    ),
    conventions=("A1",),
    notes=(
        "Ages 3-17 on the due date by default (early-years and post-16 PEPs are common "
        "practice); `pep_ages=(5, 15)` restricts to compulsory school age."
    ),
)

PEP_REVIEW = Rule(
    id="pep-review",
    title="Personal education plan reviewed each term",
    scope="period",
    citation=EDUCATION_GUIDANCE_2018.at(
        "PEP review (paragraph UNVERIFIED)",
        quote="reviewed every school term",
        status="S",
        note="Guidance as relayed by local authorities; paragraph numbers UNVERIFIED.",
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Windows(
        windows_convention="school_terms", starting_after=_ref("rule:pep-initial.due")
    ),
    anchor=(AnchorOption(date=_ref("period.start"), label="school term"),),
    satisfied_by=Satisfaction(events=(EventMatch(type="pep_review"),)),
    exemptions=(
        Exemption(
            when=(NotCondition(conditions=_PEP_AGES),),
            status="not_required",
            reason="outside_pep_ages",
            label="the child's age at the end of term is outside the PEP ages "
            "(convention pep_ages)",
        ),
    ),
    conventions=("A17",),
    notes=(
        "One review per school term (windows from the `school_terms` convention), due at term end."
    ),
)

# Regulation 28: social worker visits ---------------------------------------------------------
_REG_28 = "https://www.legislation.gov.uk/uksi/2010/959/regulation/28/made"

VISIT_FIRST = Rule(
    id="visit-first",
    title="Social worker visit in the first week of a placement",
    scope="placement",
    citation=CPPCR.at(
        "reg 28(2)(a)",
        quote="(a) within one week of the start of any placement,",
        url=_REG_28,
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(AnchorOption(date=_ref("placement.start"), label="placement start"),),
    offsets=(OffsetOption(offset=Days(n=7), label="within one week"),),
    satisfied_by=Satisfaction(events=(SW_VISIT,), start=_ref("anchor")),
    conventions=("A12",),
)

VISIT = Rule(
    id="visit",
    title="Social worker visits",
    scope="placement",
    citation=CPPCR.at(
        "reg 28(2)",
        quote=(
            "(b) at intervals of not more than six weeks for the first year of any placement … "
            "(i) where the placement is intended to last until C is aged 18, at intervals of not "
            "more than three months, (ii) and in any other case, at intervals of not more than "
            "six weeks."
        ),
        url=_REG_28,
    ),
    also_cites=(SI_2015_495.at("reg 28(3A) as inserted", status="S"),),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Chain(),
    anchor=(AnchorOption(date=_ref("rule:visit-first.met_on"), label="first visit"),),
    offsets=(
        OffsetOption(
            offset=Weeks(n=6),
            when=(DateBefore(on="anchor", limit=_ref("placement.start", Months(n=12))),),
            label="the interval starts in the placement's first year: at most 6 weeks",
            citation=CPPCR.at("reg 28(2)(b)", quote="", url=_REG_28),
        ),
        OffsetOption(
            offset=Months(n=6),
            when=(
                AttrCondition(target="placement", field="intended_until_18", equals=True),
                AttrCondition(target="placement", field="long_term_foster", equals=True),
                EventState(
                    scope="child",  # "the child's reduced_visits_agreed" (the rules issue)
                    set=EventMatch(type="reduced_visits_agreed", fields=(("agreed_by", "child"),)),
                    clear=EventMatch(type="reduced_visits_withdrawn"),
                ),
                DateOnOrAfter(date=date(2015, 4, 1)),
            ),
            label="long-term foster placement after its first year, the child agreeing: "
            "at most 6 months",
            citation=CPPCR.at(
                "reg 28(3A)",
                quote=(
                    "has been in that placement for at least one year, and the child being of "
                    "sufficient age and understanding, agrees to be visited less frequently"
                ),
                status="S",
                url="https://hertschildcare.proceduresonline.com/p_stat_visits_lac.html",
                note="Inserted by SI 2015/495 from 1 Apr 2015; the 6-month figure and exact "
                "wording are UNVERIFIED (secondary sources).",
            ),
        ),
        OffsetOption(
            offset=Months(n=3),
            when=(AttrCondition(target="placement", field="intended_until_18", equals=True),),
            label="placement intended to last until 18, after its first year: at most 3 months",
            citation=CPPCR.at("reg 28(2)(c)(i)", quote="", url=_REG_28),
        ),
        OffsetOption(
            offset=Weeks(n=6),
            label="other placements after the first year: at most 6 weeks",
            citation=CPPCR.at("reg 28(2)(c)(ii)", quote="", url=_REG_28),
        ),
    ),
    satisfied_by=Satisfaction(events=(SW_VISIT,)),
    conventions=("A5", "A12", "A13", "A14"),
    notes=(
        "Only visits by the child's social worker count. The regime is chosen when each interval "
        "starts (A13): intervals starting before the placement's first anniversary are 6-weekly."
    ),
)

#: The England statutory rules in catalogue order.
RULES: tuple[Rule, ...] = (
    CARE_PLAN,
    PLACEMENT_PLAN,
    PLACEMENT_NOTIFICATION,
    REVIEW_FIRST,
    REVIEW_SECOND,
    REVIEW_SUBSEQUENT,
    REVIEW_BEFORE_MOVE,
    HEALTH_INITIAL,
    HEALTH_REVIEW,
    PEP_INITIAL,
    PEP_REVIEW,
    VISIT_FIRST,
    VISIT,
)
