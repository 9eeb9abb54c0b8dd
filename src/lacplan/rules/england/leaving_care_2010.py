"""England: leaving care. CPPCR 2010 Part 7 (eligible children: needs assessment and pathway plan)
and the Care Leavers (England) Regulations 2010 (SI 2010/2571: pathway plan reviews for relevant
and former relevant children, to the 21st birthday).

The three duties belong to the period of care covering the date the young person became an
*eligible child* (``fact:leaving_care_eligibility``, see ``rules/facts.py``) and to no other;
their events count up to the 21st birthday, after care has ended. Support to 25 on request and
personal adviser visits (Care Leavers Regulations reg 8) are not modelled yet.
"""

from __future__ import annotations

from lacplan.offsets import Days, Months
from lacplan.rules.england._common import CPPCR, CPPCR_IN_FORCE, VERSION, legislation, ref
from lacplan.rules.schema import (
    AnchorOption,
    AttrCondition,
    Chain,
    EventMatch,
    InPeriod,
    Instrument,
    OffsetOption,
    Rule,
    Satisfaction,
    ScopeEnd,
)

__all__ = ["RULES"]

CARE_LEAVERS_2010 = Instrument(
    code="SI 2010/2571",
    title="Care Leavers (England) Regulations 2010",
    url=legislation("uksi/2010/2571/made"),
)
#: The duties belong to the period covering the eligibility date, never a series of short breaks
#: (reg 40(2): a child to whom reg 48 applies is not an eligible child).
IN_ELIGIBILITY_PERIOD = (
    AttrCondition(target="period", field="regime", equals="standard"),
    InPeriod(on="fact:leaving_care_eligibility"),
)
#: Their events count from the period's start up to the 21st birthday.
UNTIL_21 = ref("fact:birthday_21")

NEEDS_ASSESSMENT = Rule(
    id="needs-assessment",
    title="Leaving-care needs assessment",
    scope="period",
    citation=CPPCR.at(
        "reg 42(1)",
        quote=(
            "not more than three months after the date on which C reaches the age of 16 or "
            "becomes an eligible child after that age."
        ),
        url=legislation("uksi/2010/959/regulation/42/made"),
    ),
    also_cites=(
        CPPCR.at(
            "reg 40(1)",
            quote="the prescribed period is 13 weeks and the prescribed age is 14.",
            url=legislation("uksi/2010/959/regulation/40/made"),
        ),
    ),
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    applies=IN_ELIGIBILITY_PERIOD,
    anchor=(
        AnchorOption(
            date=ref("fact:leaving_care_eligibility"),
            label="the date the young person became an eligible child (reg 40)",
        ),
    ),
    offsets=(OffsetOption(offset=Months(n=3), label="not more than three months"),),
    satisfied_by=Satisfaction(
        events=(EventMatch(type="needs_assessment"),),
        scope="child",
        start=ref("period.start"),
        end=UNTIL_21,
    ),
    conventions=("A3", "A25"),
    notes=(
        "Eligibility: the first day from the 16th birthday on which the young person is looked "
        "after having been looked after for 91 days (13 weeks) in total since the 14th birthday, "
        "short breaks excluded (A25). An assessment dated from the period's start up to the 21st "
        "birthday counts."
    ),
)

PATHWAY_PLAN = Rule(
    id="pathway-plan",
    title="Pathway plan prepared",
    scope="period",
    citation=CPPCR.at(
        "reg 43",
        quote="",
        status="S",
        url=legislation("uksi/2010/959/regulation/43"),
        note="'As soon as possible after the assessment' per local procedures (Gateshead) and "
        "the Northern Ireland equivalent (2005 No. 221 reg 7(1), read in full); the English "
        "wording is UNVERIFIED.",
    ),
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    applies=IN_ELIGIBILITY_PERIOD,
    anchor=(
        AnchorOption(
            date=ref("rule:needs-assessment.due"), label="the needs assessment's due date"
        ),
    ),
    offsets=(
        OffsetOption(
            offset=Days(n=0),
            label="as soon as possible after the assessment (convention: by the assessment's "
            "due date)",
        ),
    ),
    satisfied_by=Satisfaction(
        events=(EventMatch(type="pathway_plan"),),
        scope="child",
        start=ref("period.start"),
        end=UNTIL_21,
    ),
    conventions=("A25",),
)

PATHWAY_PLAN_REVIEW = Rule(
    id="pathway-plan-review",
    title="Pathway plan reviewed",
    scope="period",
    citation=CARE_LEAVERS_2010.at(
        "reg 7",
        quote="",
        status="S",
        url=legislation("uksi/2010/2571/regulation/7/made"),
        note="Reviews at intervals of not more than six months (and on request) per local "
        "procedures (Norfolk, Durham); reg 8(2) of the same Regulations refers to reviews 'under "
        "regulation 7(3)'. The wording, and the interval for eligible children still looked "
        "after, are UNVERIFIED.",
    ),
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Chain(),
    scope_end=ScopeEnd(date=UNTIL_21, label="the leaving-care duties ended at 21"),
    applies=IN_ELIGIBILITY_PERIOD,
    anchor=(
        AnchorOption(
            date=ref("rule:pathway-plan.met_on"), label="the date the pathway plan was prepared"
        ),
    ),
    offsets=(OffsetOption(offset=Months(n=6), label="at most 6 months after the previous one"),),
    satisfied_by=Satisfaction(events=(EventMatch(type="pathway_plan_review"),), scope="child"),
    conventions=("A3", "A5", "A25"),
    notes=(
        "Runs while the young person is looked after and, once care has ended (at 16 or later), "
        "until the 21st birthday: its scope ends then, not at the period's end or at 18. Not "
        "modelled yet: support to 25 on request, personal adviser visits (Care Leavers "
        "Regulations reg 8) and reviews on request."
    ),
)

#: The rules of this module in catalogue order.
RULES: tuple[Rule, ...] = (NEEDS_ASSESSMENT, PATHWAY_PLAN, PATHWAY_PLAN_REVIEW)
