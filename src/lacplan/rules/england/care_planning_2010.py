"""England: the Care Planning, Placement and Case Review (England) Regulations 2010 (SI 2010/959)
and the statutory guidance that times the health and education duties: care and placement plans,
notification, reviews, review before a move, health assessments and personal education plans.

One block per duty, the regulation's words beside the data. Citation statuses follow
``shared/reference/legal-timescales.md``: ``P`` primary text read, ``S`` secondary sources only,
``UNVERIFIED`` not confirmed. Conventions (A-codes) are described in ``docs/conventions.md``. The
visits (Part 5) are in ``visits_2010.py``; the short-break variants (reg 48), the versions before
April 2011 and the 2020 coronavirus version live in modules of their own.
"""

from __future__ import annotations

from lacplan.offsets import Days, Months, WorkingDays
from lacplan.rules.england._common import (
    CPPCR,
    CPPCR_IN_FORCE,
    FIRST_REVIEW_IN_DATA,
    HELD_REVIEW,
    PLACEMENT_START,
    STANDARD_REGIME,
    VERSION,
    legislation,
    ref,
)
from lacplan.rules.schema import (
    AgeCondition,
    AnchorOption,
    AttrCondition,
    Chain,
    ConventionCondition,
    DateExpr,
    EarlierDue,
    Ending,
    EventExists,
    EventMatch,
    Exemption,
    Instrument,
    NotCondition,
    OffsetOption,
    Rule,
    RuleStatusCondition,
    Satisfaction,
    Windows,
)

__all__ = ["RULES"]

EDUCATION_GUIDANCE_2018 = Instrument(
    code="DfE 2018",
    title="Promoting the education of looked-after children and previously looked-after children",
    url="https://www.gov.uk/government/publications/promoting-the-education-of-looked-after-children",
)

# Only the child's own refusal ("of sufficient age and understanding") ends a health duty; a
# parent's or anyone else's refusal is a finding (consent_refused_by_other) and the duty stands.
CONSENT_REFUSED = Ending(
    event=EventMatch(type="health_consent_refused", fields=(("refused_by", "child"),)),
    reason="consent_refused",
    on_or_before_due="not_required",
    after_due="met_late",
    label="the child, of sufficient age and understanding, refused consent to the assessment",
)
# health-review: "a refusal makes the open one not_required", whenever it comes (the rules issue).
CONSENT_REFUSED_REVIEW = CONSENT_REFUSED.model_copy(update={"after_due": "not_required"})
EMERGENCY_ENTRY = AttrCondition(target="period", field="entry", equals="emergency")
EMERGENCY_PLACEMENT = AttrCondition(target="placement", field="emergency", equals=True)
BEFORE_PLACEMENT = OffsetOption(offset=Days(n=0), label="before the placement starts")

# Regulation 4: the care plan -----------------------------------------------------------------
#: The 2011 version of the care plan's timescale (the version before April 2011 is in
#: ``before_2011.py``).
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
        url=legislation("uksi/2010/959/regulation/4/made"),
    ),
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(
        AnchorOption(
            date=ref("period.first_placement_start"), label="the start of the first placement"
        ),
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
    conventions=("A1", "A7", "A8"),
    notes=(
        "The statutory test for the 10-working-day window is 'not practicable'; lacplan reads it "
        "from the period's `entry`. Reg 4 applies to a series of short breaks too (reg 48(3) "
        "replaces the plan's contents, reg 5, not its timing). Children to whom s.31A applies "
        "(care orders, court care plan) are outside reg 4(2); lacplan does not yet read that "
        "from the legal status."
    ),
)

# Regulations 9 and 13: placement plan and notification --------------------------------------
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
        url=legislation("uksi/2010/959/regulation/9/made"),
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=PLACEMENT_START,
    offsets=BEFORE_OR_5_WORKING_DAYS,
    satisfied_by=Satisfaction(events=(EventMatch(type="placement_plan"),)),
    conventions=("A1", "A18", "A20"),
    notes=(
        "The prepared date satisfies reg 9(2) (A18); the signature under reg 9(3) is not checked. "
        "Emergency placements made from 24 Apr to 25 Sep 2020 follow SI 2020/445 (version "
        "2020-04-24); placements before 1 Apr 2011 have no fixed timescale (version 1991-10-14)."
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
        url=legislation("uksi/2010/959/regulation/13/made"),
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
REG_33 = legislation("uksi/2010/959/regulation/33/made")

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
        url=REG_33,
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(
        AnchorOption(date=ref("period.start"), label="the date the child became looked after"),
    ),
    offsets=(OffsetOption(offset=WorkingDays(n=20)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), start=ref("anchor")),
    conventions=("A1", "A2", "A7", "A20", "A21", "A22"),
)

REG_33_2 = CPPCR.at(
    "reg 33(2)",
    quote=(
        "The second review must be carried out not more than three months after the first, and "
        "subsequent reviews must be carried out at intervals of not more than six months."
    ),
    url=REG_33,
)

REVIEW_SECOND = Rule(
    id="review-second",
    title="Second review",
    scope="period",
    citation=REG_33_2,
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(
        AnchorOption(date=ref("rule:review-first.met_on"), label="the date of the first review"),
    ),
    offsets=(OffsetOption(offset=Months(n=3)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), after=ref("anchor")),
    conventions=("A3", "A4", "A5"),
)

REVIEW_SUBSEQUENT = Rule(
    id="review-subsequent",
    title="Subsequent reviews",
    scope="period",
    citation=REG_33_2,
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Chain(),
    anchor=(
        AnchorOption(date=ref("rule:review-second.met_on"), label="the date of the second review"),
        FIRST_REVIEW_IN_DATA,
    ),
    offsets=(OffsetOption(offset=Months(n=6)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,)),
    conventions=("A3", "A4", "A5", "A6", "A26"),
)

# Regulation 14: review before the authority ends a placement ---------------------------------
REG_14 = legislation("uksi/2010/959/regulation/14/made")
_END_REASON_NONE = AttrCondition(target="placement", field="end_reason", equals=None)

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
        url=REG_14,
    ),
    also_cites=(
        CPPCR.at(
            "reg 14(3)",
            quote=(
                "Where there is an immediate risk of significant harm to C, or to protect others "
                "from serious injury, the responsible authority must terminate C's placement"
            ),
            url=REG_14,
        ),
    ),
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    applies=(AttrCondition(target="placement", field="ends_in_move", equals=True),),
    anchor=(AnchorOption(date=ref("placement.end"), label="the move date"),),
    offsets=(OffsetOption(offset=Days(n=0), label="a review before the move"),),
    satisfied_by=Satisfaction(
        events=(HELD_REVIEW,),
        scope="period",
        start=DateExpr(
            ref="anchor",
            minus_months_convention="review_before_move_months",
            not_before="placement.start",
        ),
        end=ref("anchor"),
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
            when=(
                _END_REASON_NONE,
                AttrCondition(target="next_placement", field="emergency", equals=True),
            ),
            status="exempt",
            reason="emergency_move",
            label="the child moved to an emergency placement and no end reason was recorded",
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
        "Arises for a placement that ended, on or before `as_of` and before the 18th birthday, on "
        "the day the next placement of the period started. The latest review counts when held in "
        "the window from `review_before_move_months` (default 3) calendar months before the move, "
        "but not before the placement started, up to and including the move date. An explicit "
        "`end_reason: planned` is never exempt; with no end reason recorded, a move into an "
        "emergency placement is (the agency policy's 'except in case of emergencies'). The reg "
        "14(5) exclusions (reg 19(c), 23(2), 25(6), s.22D) are not modelled."
    ),
)

# Regulation 7: health assessments -------------------------------------------------------------
_REG_7 = CPPCR.at(
    "reg 7",
    quote="",
    status="S",
    url=legislation("uksi/2010/959/regulation/7"),
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
        AnchorOption(
            date=ref("rule:review-first.due"), label="the first review's due date (reg 33(1))"
        ),
    ),
    offsets=(
        OffsetOption(
            offset=Days(n=0),
            label="before the first review",
            earlier_of=(
                EarlierDue(
                    date=ref("rule:review-first.met_on"),
                    label="the date the first review was held",
                ),
            ),
        ),
    ),
    satisfied_by=Satisfaction(
        events=(EventMatch(type="health_assessment"),),
        start=ref("period.first_placement_start"),
    ),
    exemptions=(
        Exemption(
            when=(
                EventExists(
                    scope="child",
                    match=EventMatch(type="health_assessment"),
                    start=ref("period.first_placement_start", Months(n=-3)),
                    before=ref("period.first_placement_start"),
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
        "UNVERIFIED: reg 7 wording. Due 'before the first review' (A11): on the first review's "
        "statutory due date, or on the day the first review was actually held if that came "
        "first (the anchor, and so the key, stays the statutory due date). Only the child's own "
        "refusal of consent ends the duty: dated on or before the due date it is not required, "
        "later it closes the duty as met late."
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
            date=ref("rule:health-initial.closed_on"),
            label="the date of the initial health assessment",
            when=(NotCondition(conditions=(_EXEMPT_INITIAL,)),),
        ),
        AnchorOption(
            date=ref("rule:health-initial.closed_on"),
            label="the date of the pre-placement health assessment (convention: the cycle runs "
            "from the assessment)",
            when=(
                ConventionCondition(name="health_cycle_after_pre_placement", equals="assessment"),
            ),
        ),
        AnchorOption(
            date=ref("rule:review-first.met_on"),
            label="the date of the first review (the initial assessment was exempt)",
            when=(_EXEMPT_INITIAL,),
        ),
        AnchorOption(
            date=ref("rule:review-first.due"),
            label="the first review's due date (the initial assessment was exempt and no review "
            "has been held)",
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
        "`assessment` (A10). The child's own refusal makes the open review not required (whenever "
        "it comes) and the next falls due one interval after the refusal."
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
        url=legislation("uksi/2010/959/schedules/made"),
        note="The PEP is part of the care plan (P); the 10 working days are guidance (S).",
    ),
    also_cites=(EDUCATION_GUIDANCE_2018.at("PEP initiation", status="S"),),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(
        AnchorOption(date=ref("period.start"), label="the date the child became looked after"),
    ),
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
    schedule=Windows(windows_convention="school_terms", starting_after=ref("rule:pep-initial.due")),
    anchor=(AnchorOption(date=ref("period.start"), label="school term"),),
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

#: The rules of this module in catalogue order (visits follow, from ``visits_2010.py``).
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
)
