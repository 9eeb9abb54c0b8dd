"""England: social worker visits, CPPCR 2010 Part 5 (regs 28 and 29).

Reg 28(2) sets the default (within a week of any placement, then 6-weekly in its first year, then
3-monthly or 6-weekly); reg 28(3)-(5) replace it for children placed with parents or with a
temporarily approved connected person; reg 28(3A) relaxes it for long-term foster placements; reg
29 requires the child to be seen alone. The regime is chosen when each interval starts (A13).
"""

from __future__ import annotations

from datetime import date

from lacplan.offsets import Days, Months, Weeks
from lacplan.rules.england._common import (
    CPPCR,
    CPPCR_IN_FORCE,
    HELD_REVIEW,
    STANDARD_REGIME,
    SW_VISIT,
    VERSION,
    legislation,
    ref,
)
from lacplan.rules.schema import (
    AnchorOption,
    AttrCondition,
    Chain,
    DateBefore,
    DateOnOrAfter,
    Ending,
    EventExists,
    EventMatch,
    EventState,
    Instrument,
    LegalStatusIs,
    NotCondition,
    OffsetOption,
    PerEvent,
    Rule,
    Satisfaction,
)

__all__ = ["RULES"]

SI_2015_495 = Instrument(
    code="SI 2015/495",
    title="Care Planning and Fostering (Miscellaneous Amendments) (England) Regulations 2015",
    url=legislation("uksi/2015/495/contents/made"),
)
REG_28 = legislation("uksi/2010/959/regulation/28/made")

VISIT_FIRST = Rule(
    id="visit-first",
    title="Social worker visit in the first week of a placement",
    scope="placement",
    citation=CPPCR.at(
        "reg 28(2)(a)",
        quote="(a) within one week of the start of any placement,",
        url=REG_28,
    ),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    anchor=(AnchorOption(date=ref("placement.start"), label="the start of the placement"),),
    offsets=(OffsetOption(offset=Days(n=7), label="within one week"),),
    satisfied_by=Satisfaction(events=(SW_VISIT,), start=ref("anchor")),
    conventions=("A12", "A23"),
    notes="Applies to every placement, placements with parents included (A23).",
)

# Placements with parents and connected persons (reg 28(3)-(5)) --------------------------------
_KIND = "kind"
WITH_PARENTS = AttrCondition(target="placement", field=_KIND, equals="placed_with_parents")
CONNECTED_PERSON = AttrCondition(
    target="placement", field=_KIND, equals="connected_person_temporary"
)
INTERIM_CARE_ORDER = LegalStatusIs(on="anchor", status_in=("interim_care_order",))
CARE_ORDER = LegalStatusIs(on="anchor", status_in=("care_order",))
#: No review held after the placement started, up to and including the interval's start (A15).
BEFORE_FIRST_REVIEW = NotCondition(
    conditions=(
        EventExists(
            scope="period",
            match=HELD_REVIEW,
            start=ref("placement.start", Days(n=1)),
            before=ref("anchor", Days(n=1)),
        ),
    )
)
_28_3 = "at least once a week until the first review carried out in accordance with Part 6"
_28_4_B = "thereafter at intervals of not more than four weeks."


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
        url=REG_28,
    ),
    also_cites=(SI_2015_495.at("reg 28(3A) as inserted", status="S"),),
    variant_when=STANDARD_REGIME,
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=Chain(),
    anchor=(
        AnchorOption(date=ref("rule:visit-first.met_on"), label="the date of the first visit"),
    ),
    offsets=(
        OffsetOption(
            offset=Weeks(n=1),
            when=(CONNECTED_PERSON, BEFORE_FIRST_REVIEW),
            label="a connected person with temporary approval (reg 24), before the first review "
            "after the placement started: at least once a week",
            citation=CPPCR.at("reg 28(4)(a)", quote=_28_3, url=REG_28),
        ),
        OffsetOption(
            offset=Weeks(n=1),
            when=(WITH_PARENTS, INTERIM_CARE_ORDER, BEFORE_FIRST_REVIEW),
            label="placed with parents under an interim care order, before the first review after "
            "the placement started: at least once a week",
            citation=CPPCR.at("reg 28(4)(a)", quote=_28_3, url=REG_28),
        ),
        OffsetOption(
            offset=Weeks(n=6),
            when=(WITH_PARENTS, CARE_ORDER),
            label="placed with parents under a care order: at most 6 weeks",
            citation=CPPCR.at(
                "reg 28(5)(b)",
                quote="thereafter at intervals of not more than six weeks.",
                url=REG_28,
            ),
        ),
        OffsetOption(
            offset=Weeks(n=1),
            when=(WITH_PARENTS, BEFORE_FIRST_REVIEW),
            label="placed with parents, before the first review after the placement started: at "
            "least once a week",
            citation=CPPCR.at("reg 28(3)(a)", quote=_28_3, url=REG_28),
        ),
        OffsetOption(
            offset=Weeks(n=4),
            when=(CONNECTED_PERSON,),
            label="a connected person with temporary approval (reg 24), after the first review: "
            "at most 4 weeks",
            citation=CPPCR.at("reg 28(4)(b)", quote=_28_4_B, url=REG_28),
        ),
        OffsetOption(
            offset=Weeks(n=4),
            when=(WITH_PARENTS, INTERIM_CARE_ORDER),
            label="placed with parents under an interim care order, after the first review: at "
            "most 4 weeks",
            citation=CPPCR.at("reg 28(4)(b)", quote=_28_4_B, url=REG_28),
        ),
        OffsetOption(
            offset=Weeks(n=6),
            when=(WITH_PARENTS,),
            label="placed with parents, after the first review: at most 6 weeks",
            citation=CPPCR.at(
                "reg 28(3)(b)",
                quote="thereafter at intervals of not more than six weeks.",
                url=REG_28,
            ),
        ),
        OffsetOption(
            offset=Weeks(n=6),
            when=(DateBefore(on="anchor", limit=ref("placement.start", Months(n=12))),),
            label="the interval starts in the placement's first year: at most 6 weeks",
            citation=CPPCR.at(
                "reg 28(2)(b)",
                quote="at intervals of not more than six weeks for the first year of any placement",
                url=REG_28,
            ),
        ),
        OffsetOption(
            offset=Months(n=6),
            when=(
                AttrCondition(target="placement", field="intended_until_18", equals=True),
                AttrCondition(target="placement", field="long_term_foster", equals=True),
                EventState(
                    scope="child",  # "the child's reduced_visits_agreed" (the rules issue)
                    set=EventMatch(type="reduced_visits_agreed", fields=(("agreed_by", "child"),)),
                    clear=EventMatch(
                        type="reduced_visits_withdrawn", fields=(("agreed_by", "child"),)
                    ),
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
                url=legislation("uksi/2010/959/regulation/28"),
                note="Inserted by SI 2015/495 from 1 Apr 2015. Wording as quoted by "
                "Hertfordshire's procedures; the 6-month figure from Nottinghamshire's and "
                "Cumbria's procedures and the DfE consultation response; exact wording "
                "UNVERIFIED.",
            ),
        ),
        OffsetOption(
            offset=Months(n=3),
            when=(AttrCondition(target="placement", field="intended_until_18", equals=True),),
            label="placement intended to last until 18, after its first year: at most 3 months",
            citation=CPPCR.at(
                "reg 28(2)(c)(i)",
                quote="where the placement is intended to last until C is aged 18, at intervals "
                "of not more than three months",
                url=REG_28,
            ),
        ),
        OffsetOption(
            offset=Weeks(n=6),
            label="other placements after the first year: at most 6 weeks",
            citation=CPPCR.at(
                "reg 28(2)(c)(ii)",
                quote="and in any other case, at intervals of not more than six weeks.",
                url=REG_28,
            ),
        ),
    ),
    satisfied_by=Satisfaction(events=(SW_VISIT,)),
    conventions=("A5", "A12", "A13", "A14", "A15", "A24"),
    notes=(
        "Only visits by the child's social worker count. The regime is chosen when each interval "
        "starts (A13): intervals starting before the placement's first anniversary are 6-weekly; "
        "for a child placed with parents or a temporarily approved connected person, intervals "
        "starting before the first review held after the placement started are weekly (A15), and "
        "the legal status on the interval's start decides between reg 28(3), (4) and (5) (A24)."
    ),
)

VISIT_CARE_ORDER = Rule(
    id="visit-care-order",
    title="Visit within a week of a care order, placed with parents",
    scope="placement",
    citation=CPPCR.at(
        "reg 28(5)(a)",
        quote=(
            "Where a care order has been made in relation to C under section 31 … and C is living "
            "with P … (a) within one week of the making of the care order"
        ),
        url=REG_28,
    ),
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    applies=(WITH_PARENTS,),
    anchor=(
        AnchorOption(
            date=ref("legal_status:care_order"),
            label="the date the care order was made while the child was placed with parents",
        ),
    ),
    offsets=(OffsetOption(offset=Weeks(n=1), label="within one week of the making of the order"),),
    satisfied_by=Satisfaction(events=(SW_VISIT,), start=ref("anchor")),
    conventions=("A12", "A23"),
    notes=(
        "Arises when, during a placement with parents, the period's legal status becomes "
        "`care_order`; a care order already in force when the placement began makes no such "
        "obligation (visit-first covers the first week of the placement, A23)."
    ),
)

# Regulation 29: the child seen alone --------------------------------------------------------
REG_29 = legislation("uksi/2010/959/regulation/29")


def _not_alone(reason: str | None) -> EventMatch:
    if reason is None:
        return EventMatch(
            type="visit",
            fields=(("by", "social_worker"), ("seen_alone", False)),
            null_fields=("not_seen_alone_reason",),
        )
    return EventMatch(
        type="visit",
        fields=(("by", "social_worker"), ("seen_alone", False), ("not_seen_alone_reason", reason)),
    )


VISIT_SEEN_ALONE = Rule(
    id="visit-seen-alone",
    title="Child seen alone on each visit",
    scope="placement",
    citation=CPPCR.at(
        "reg 29",
        quote=(
            "On each visit, R must speak to C in private unless— (a) C, being of sufficient age "
            "and understanding to do so, refuses, (b) R considers it inappropriate … or (c) R is "
            "unable to do so."
        ),
        url=REG_29,
    ),
    version=VERSION,
    in_force=CPPCR_IN_FORCE,
    schedule=PerEvent(event=SW_VISIT),
    anchor=(AnchorOption(date=ref("anchor"), label="the date of the visit"),),
    offsets=(OffsetOption(offset=Days(n=0), label="on each visit"),),
    satisfied_by=Satisfaction(
        events=(EventMatch(type="visit", fields=(("by", "social_worker"), ("seen_alone", True))),),
        start=ref("anchor"),
        end=ref("anchor"),
    ),
    endings=(
        Ending(
            event=_not_alone("child_refused"),
            reason="child_refused",
            on_or_before_due="exempt",
            label="the child, of sufficient age and understanding, refused to be seen alone "
            "(reg 29(a))",
        ),
        Ending(
            event=_not_alone("inappropriate"),
            reason="inappropriate",
            on_or_before_due="exempt",
            label="the social worker considered it inappropriate to see the child alone "
            "(reg 29(b))",
        ),
        Ending(
            event=_not_alone("unable"),
            reason="unable",
            on_or_before_due="exempt",
            label="the social worker was unable to see the child alone (reg 29(c))",
        ),
        Ending(
            event=_not_alone(None),
            reason="not_seen_alone",
            on_or_before_due="missed",
            label="the child was not seen alone and no reason was recorded",
        ),
        Ending(
            event=EventMatch(
                type="visit", fields=(("by", "social_worker"),), null_fields=("seen_alone",)
            ),
            reason="not_recorded",
            on_or_before_due="not_evaluated",
            label="whether the child was seen alone was not recorded",
        ),
    ),
    notes=(
        "One obligation per day with a visit by the child's social worker, dated inside the "
        "placement: met when the child was seen alone on a visit that day; otherwise the "
        "recorded reason decides (in the order listed)."
    ),
)

#: The rules of this module in catalogue order.
RULES: tuple[Rule, ...] = (VISIT_FIRST, VISIT, VISIT_CARE_ORDER, VISIT_SEEN_ALONE)
