"""England, 24 April to 25 September 2020: the Adoption and Children (Coronavirus) (Amendment)
Regulations 2020 (SI 2020/445).

Reg 8(4) replaced "within five working days of" in CPPCR reg 9(2) with "as soon as is reasonably
practicable after" for "the relevant period" (reg 2: beginning with 24 April 2020 and ending with
25 September 2020). lacplan reads "not reasonably practicable before the placement" from the
placement's ``emergency`` flag, so an emergency placement made in the window has no fixed
timescale; a planned one is still due before it starts. The version is tied to the placement, so
it is chosen by the placement's start date (``chosen_by="anchor"``), ahead of the 2011 version.
"""

from __future__ import annotations

from datetime import date

from lacplan.offsets import Days
from lacplan.rules.england._common import PLACEMENT_START, STANDARD_REGIME, legislation
from lacplan.rules.england.care_planning_2010 import EMERGENCY_PLACEMENT, PLACEMENT_PLAN
from lacplan.rules.schema import InForce, Instrument, OffsetOption, Rule

__all__ = ["RULES"]

SI_2020_445 = Instrument(
    code="SI 2020/445",
    title="Adoption and Children (Coronavirus) (Amendment) Regulations 2020",
    url=legislation("uksi/2020/445/regulation/8"),
)

PLACEMENT_PLAN_2020 = Rule(
    id="placement-plan",
    title=PLACEMENT_PLAN.title,
    scope="placement",
    citation=SI_2020_445.at(
        "reg 8(4)",
        quote=(
            "In regulation 9(2) (placement plan), for \u201cwithin five working days of\u201d "
            "substitute \u201cas soon as is reasonably practicable after\u201d."
        ),
    ),
    also_cites=(
        SI_2020_445.at(
            "reg 2",
            quote="the period beginning with the 24th April 2020 and ending with the 25th "
            "September 2020",
            url=legislation("uksi/2020/445/regulation/2"),
        ),
    ),
    variant_when=STANDARD_REGIME,
    version="2020-04-24",
    in_force=InForce(start=date(2020, 4, 24), end=date(2020, 9, 25)),
    chosen_by="anchor",
    anchor=PLACEMENT_START,
    offsets=(
        OffsetOption(
            offset=None,
            when=(EMERGENCY_PLACEMENT,),
            label="emergency placement in the coronavirus period: as soon as is reasonably "
            "practicable after the start",
        ),
        OffsetOption(offset=Days(n=0), label="planned placement: before the placement starts"),
    ),
    satisfied_by=PLACEMENT_PLAN.satisfied_by,
    conventions=("A20",),
    notes=(
        "Placements starting 24 Apr to 25 Sep 2020 inclusive. An emergency placement's plan has "
        "no fixed due date: pending until prepared, missed if the placement ends without one."
    ),
)

#: The coronavirus version.
RULES: tuple[Rule, ...] = (PLACEMENT_PLAN_2020,)
