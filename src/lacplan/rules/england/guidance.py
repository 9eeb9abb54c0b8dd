"""England: duties timed by statutory guidance or the DfE's data collection rather than by a
regulation: the plan for permanence by the second review, and the yearly Strengths and
Difficulties Questionnaire (SDQ) of the SSDA903 return.
"""

from __future__ import annotations

from datetime import date

from lacplan.offsets import Days
from lacplan.rules.conventions import TermWindow
from lacplan.rules.england._common import (
    CPPCR,
    CPPCR_IN_FORCE,
    STANDARD_REGIME,
    VERSION,
    legislation,
    ref,
)
from lacplan.rules.schema import (
    AgeCondition,
    AnchorOption,
    AttrCondition,
    EarlierDue,
    EventMatch,
    InForce,
    Instrument,
    LookedAfterFor,
    OffsetOption,
    Rule,
    Satisfaction,
    Windows,
)

__all__ = ["RULES"]

VOLUME_2 = Instrument(
    code="DfE Volume 2",
    title="The Children Act 1989 guidance and regulations, Volume 2: care planning, placement "
    "and case review",
    url="https://www.gov.uk/government/publications/children-act-1989-care-planning-placement-and-case-review",
)
SSDA903_GUIDE = Instrument(
    code="DfE SSDA903 guide",
    title="Children looked after by local authorities in England: guide to the SSDA903 collection",
    url="https://www.gov.uk/government/publications/children-looked-after-return-2016-to-2017-guide",
)

PERMANENCE_PLAN = Rule(
    id="permanence-plan",
    title="Plan for permanence by the second review",
    scope="period",
    citation=VOLUME_2.at(
        "permanence plan by the second review (paragraph UNVERIFIED)",
        quote="",
        status="S",
        note="By the second review the care plan must contain a plan for permanence: statutory "
        "guidance as relayed by local procedures (proceduresonline glossary) and by the agency "
        "policy among the project's sources; paragraph number UNVERIFIED.",
    ),
    also_cites=(
        CPPCR.at(
            "reg 5(a)",
            quote="the long term plan for C's upbringing (\u201cthe plan for permanence\u201d)",
            url=legislation("uksi/2010/959/regulation/5/made"),
        ),
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(
        AnchorOption(date=ref("rule:review-second.due"), label="the second review's due date"),
    ),
    offsets=(
        OffsetOption(
            offset=Days(n=0),
            label="by the second review",
            earlier_of=(
                EarlierDue(
                    date=ref("rule:review-second.met_on"),
                    label="the date the second review was held",
                ),
            ),
        ),
    ),
    satisfied_by=Satisfaction(events=(EventMatch(type="permanence_plan"),)),
    conventions=("A11",),
    notes=(
        "Due on the second review's due date, or on the day the second review was held if that "
        "came first (the anchor, and so the key, stays the due date). Arises once the second "
        "review's clock has started (a first review was held)."
    ),
)

SDQ = Rule(
    id="sdq",
    title="Strengths and Difficulties Questionnaire each year",
    scope="period",
    citation=SSDA903_GUIDE.at(
        "SDQ (children looked after for at least 12 months at 31 March)",
        quote="",
        status="S",
        note="DfE wording as reproduced by Essex and Wirral: children looked after continuously "
        "for at least 12 months on 31 March, aged 4 to 16; children on an agreed series of short "
        "breaks excluded. The DfE tests the age on the date of the last assessment; lacplan (the "
        "rules issue) tests it on 31 March.",
    ),
    version=VERSION,
    in_force=InForce(start=date(2011, 4, 1)),
    schedule=Windows(
        windows=(
            TermWindow(
                name="year ending 31 March", start_month=4, start_day=1, end_month=3, end_day=31
            ),
        ),
        starting_after=ref("period.start", Days(n=-1)),
    ),
    anchor=(AnchorOption(date=ref("period.start"), label="year ending 31 March"),),
    applies=(
        AttrCondition(target="period", field="regime", equals="standard"),
        AgeCondition(on="due", at_least=4, below=17),
        LookedAfterFor(on="due", months=12),
    ),
    satisfied_by=Satisfaction(events=(EventMatch(type="sdq"),)),
    notes=(
        "One obligation for each year ending 31 March on which the child is aged 4 to 16 and has "
        "been looked after throughout the 12 months ending that day in this period of care "
        "(from 1 April of the year before at the latest, as the DfE's cohort counts); met by an "
        "`sdq` event dated in those 12 months. An unmet year stays overdue while the period is "
        "open. Short-break periods have no SDQ."
    ),
)

#: The rules of this module in catalogue order.
RULES: tuple[Rule, ...] = (PERMANENCE_PLAN, SDQ)
