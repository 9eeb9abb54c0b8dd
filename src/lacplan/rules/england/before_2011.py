"""England before 1 April 2011: the versions of the rules in force under the 1991 regulations.

* Reviews: the Review of Children's Cases Regulations 1991 (SI 1991/895) reg 3, in force from
  14 October 1991: first review within four weeks of becoming looked after, the second within
  three months of the first, then at most six months apart. Reg 3's text was not readable; the
  timings are stated consistently by local procedures of the time (status S).
* Care and placement plans: no fixed timescale ("as soon as reasonably practicable"). CPPCR 2010
  reg 4(6) says so for a child first placed before 1 April 2011; the Arrangements for Placement
  of Children (General) Regulations 1991 (SI 1991/890) reg 3 wording is UNVERIFIED. These
  versions are tied to the placement, so they are chosen by the anchor (``chosen_by="anchor"``).

Each version sits beside the 2011 one under the same rule id and variant (A20).
"""

from __future__ import annotations

from datetime import date

from lacplan.offsets import Months, Weeks
from lacplan.rules.england._common import (
    CPPCR,
    FIRST_REVIEW_IN_DATA,
    HELD_REVIEW,
    PLACEMENT_START,
    STANDARD_REGIME,
    legislation,
    ref,
)
from lacplan.rules.england.care_planning_2010 import CARE_PLAN, PLACEMENT_PLAN
from lacplan.rules.schema import (
    AnchorOption,
    Chain,
    EventMatch,
    InForce,
    Instrument,
    OffsetOption,
    Rule,
    Satisfaction,
)

__all__ = ["RULES"]

REVIEWS_1991 = Instrument(
    code="SI 1991/895",
    title="Review of Children's Cases Regulations 1991",
    url=legislation("uksi/1991/895/contents/made"),
)
PLACEMENTS_1991 = Instrument(
    code="SI 1991/890",
    title="Arrangements for Placement of Children (General) Regulations 1991",
    url=legislation("uksi/1991/890/made"),
)
IN_FORCE_1991 = InForce(start=date(1991, 10, 14), end=date(2011, 3, 31))
VERSION_1991 = "1991-10-14"
_REG_3 = legislation("uksi/1991/895/regulation/3/made")
_REVIEW_NOTE = (
    "Reg 3 ('Time when case is to be reviewed') was not readable; the timings are stated by "
    "local procedures of the time (Oxfordshire, Hampshire)."
)

REVIEW_FIRST_1991 = Rule(
    id="review-first",
    title="First review of the child's case",
    scope="period",
    citation=REVIEWS_1991.at(
        "reg 3", status="S", url=_REG_3, note="Within four weeks (28 days). " + _REVIEW_NOTE
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION_1991,
    in_force=IN_FORCE_1991,
    anchor=(
        AnchorOption(date=ref("period.start"), label="the date the child became looked after"),
    ),
    offsets=(OffsetOption(offset=Weeks(n=4), label="within four weeks"),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), start=ref("anchor")),
    conventions=("A20", "A22"),
)
REVIEW_SECOND_1991 = Rule(
    id="review-second",
    title="Second review",
    scope="period",
    citation=REVIEWS_1991.at(
        "reg 3", status="S", url=_REG_3, note="Within three months of the first. " + _REVIEW_NOTE
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION_1991,
    in_force=IN_FORCE_1991,
    anchor=(
        AnchorOption(date=ref("rule:review-first.met_on"), label="the date of the first review"),
    ),
    offsets=(OffsetOption(offset=Months(n=3)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), after=ref("anchor")),
    conventions=("A3", "A5", "A20"),
)
REVIEW_SUBSEQUENT_1991 = Rule(
    id="review-subsequent",
    title="Subsequent reviews",
    scope="period",
    citation=REVIEWS_1991.at(
        "reg 3", status="S", url=_REG_3, note="At most six months apart. " + _REVIEW_NOTE
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION_1991,
    in_force=IN_FORCE_1991,
    schedule=Chain(),
    anchor=(
        AnchorOption(date=ref("rule:review-second.met_on"), label="the date of the second review"),
        FIRST_REVIEW_IN_DATA,
    ),
    offsets=(OffsetOption(offset=Months(n=6)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,)),
    conventions=("A3", "A5", "A20", "A26"),
)

_AS_SOON_AS_PRACTICABLE = (
    OffsetOption(
        offset=None,
        label="as soon as reasonably practicable: no fixed timescale before 1 April 2011",
    ),
)

CARE_PLAN_1991 = Rule(
    id="care-plan",
    title=CARE_PLAN.title,
    scope="period",
    citation=CPPCR.at(
        "reg 4(6)",
        quote=(
            "Where C was first placed by the responsible authority before 1st April 2011, the "
            "care plan must be prepared as soon as reasonably practicable."
        ),
        url=legislation("uksi/2010/959/part/2/made"),
    ),
    also_cites=(PLACEMENTS_1991.at("reg 3", status="UNVERIFIED"),),
    version=VERSION_1991,
    in_force=IN_FORCE_1991,
    chosen_by="anchor",
    anchor=CARE_PLAN.anchor,
    offsets=_AS_SOON_AS_PRACTICABLE,
    satisfied_by=CARE_PLAN.satisfied_by,
    conventions=("A20",),
    notes=(
        "Chosen by the first placement's date: a child first placed before 1 Apr 2011 has no "
        "fixed timescale (pending until a plan is recorded, missed if the period ends without "
        "one)."
    ),
)
PLACEMENT_PLAN_1991 = Rule(
    id="placement-plan",
    title=PLACEMENT_PLAN.title,
    scope="placement",
    citation=PLACEMENTS_1991.at(
        "reg 3",
        status="UNVERIFIED",
        note="'As soon as reasonably practicable' for placements before 1 April 2011, as for the "
        "care plan under CPPCR reg 4(6); the 1991 wording was not readable.",
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION_1991,
    in_force=IN_FORCE_1991,
    chosen_by="anchor",
    anchor=PLACEMENT_START,
    offsets=_AS_SOON_AS_PRACTICABLE,
    satisfied_by=Satisfaction(events=(EventMatch(type="placement_plan"),)),
    conventions=("A20",),
    notes="Chosen by the placement's start date.",
)

#: The 1991 versions, in catalogue order of their rule ids.
RULES: tuple[Rule, ...] = (
    CARE_PLAN_1991,
    PLACEMENT_PLAN_1991,
    REVIEW_FIRST_1991,
    REVIEW_SECOND_1991,
    REVIEW_SUBSEQUENT_1991,
)
