"""Sketches of the rules later issues will add, declared in today's schema.

They are not part of the England pack. This module shows (and CI keeps showing) that the schema
expresses them: each one validates, the ones that use today's event types build into a checked
``RulePack`` and evaluate through the engine, with hand-computed dates.
"""

from __future__ import annotations

from datetime import date

import pytest

from lacplan import Case, evaluate
from lacplan.errors import RuleSetError
from lacplan.offsets import Days, Months, Weeks, WorkingDays
from lacplan.rules.conventions import TermWindow
from lacplan.rules.england.care_planning_2010 import (
    CPPCR,
    HELD_REVIEW,
    RULES,
    STANDARD_REGIME,
)
from lacplan.rules.pack import RulePack
from lacplan.rules.schema import (
    AgeCondition,
    AnchorOption,
    AttrCondition,
    Chain,
    DateBefore,
    DateExpr,
    EventMatch,
    InForce,
    Instrument,
    LookedAfterFor,
    OffsetOption,
    PerEvent,
    Rule,
    Satisfaction,
    Windows,
)

SHORT_BREAKS = (AttrCondition(target="period", field="regime", equals="short_breaks"),)
AGENCY = Instrument(
    code="Agency policy", title="A fostering agency's policy", url="https://example.org"
)

# Leaving care: needs assessment within 3 months of becoming eligible (reg 42(1)).
NEEDS_ASSESSMENT = Rule(
    id="needs-assessment",
    title="Leaving-care needs assessment",
    scope="period",
    citation=CPPCR.at(
        "reg 42(1)",
        quote="not more than three months after the date on which C "
        "reaches the age of 16 or becomes an eligible child after that age.",
    ),
    version="2011-04-01",
    in_force=InForce(start=date(2011, 4, 1)),
    anchor=(AnchorOption(date=DateExpr(ref="fact:leaving_care_eligibility"), label="eligible"),),
    offsets=(OffsetOption(offset=Months(n=3)),),
    satisfied_by=Satisfaction(events=(EventMatch(type="needs_assessment"),)),
)

# Short-break variants of the review rules (reg 48): first within 3 months, then 6-monthly.
SHORT_BREAK_REVIEW_FIRST = Rule(
    id="review-first",
    title="First review (short breaks)",
    scope="period",
    variant="short_breaks",
    variant_when=SHORT_BREAKS,
    citation=CPPCR.at("reg 48(3)(d)", status="S"),
    version="2011-04-01",
    in_force=InForce(start=date(2011, 4, 1)),
    anchor=(AnchorOption(date=DateExpr(ref="period.start"), label="first short break"),),
    offsets=(OffsetOption(offset=Months(n=3)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), start=DateExpr(ref="anchor")),
)

# Dated version: the 1991 regulations before April 2011 (first review within 4 weeks).
REVIEW_FIRST_1991 = Rule(
    id="review-first",
    title="First review (Review of Children's Cases Regulations 1991)",
    scope="period",
    variant_when=STANDARD_REGIME,
    citation=Instrument(
        code="SI 1991/895",
        title="Review of Children's Cases Regulations 1991",
        url="https://www.legislation.gov.uk/uksi/1991/895",
    ).at("reg 3", status="UNVERIFIED"),
    version="1991",
    in_force=InForce(start=date(1991, 10, 14), end=date(2011, 3, 31)),
    anchor=(AnchorOption(date=DateExpr(ref="period.start"), label="became looked after"),),
    offsets=(OffsetOption(offset=Weeks(n=4)),),
    satisfied_by=Satisfaction(events=(HELD_REVIEW,), start=DateExpr(ref="anchor")),
)

# Dated version: SI 2020/445, placement plan "as soon as is reasonably practicable" (no fixed date).
PLACEMENT_PLAN_2020 = Rule(
    id="placement-plan-coronavirus",
    title="Placement plan (coronavirus modification)",
    scope="placement",
    variant_when=STANDARD_REGIME,
    citation=Instrument(
        code="SI 2020/445",
        title="Adoption and Children (Coronavirus) (Amendment) Regulations 2020",
        url="https://www.legislation.gov.uk/uksi/2020/445/regulation/8",
    ).at("reg 8(4)"),
    version="2020-04-24",
    in_force=InForce(start=date(2020, 4, 24), end=date(2020, 9, 25)),
    anchor=(AnchorOption(date=DateExpr(ref="placement.start"), label="placement start"),),
    offsets=(
        OffsetOption(
            offset=None,
            when=(AttrCondition(target="placement", field="emergency", equals=True),),
            label="as soon as is reasonably practicable",
        ),
        OffsetOption(offset=Days(n=0)),
    ),
    satisfied_by=Satisfaction(events=(EventMatch(type="placement_plan"),)),
)

# Weekly visits for a child placed with parents until the first review (reg 28(3)).
VISIT_WITH_PARENT = Rule(
    id="visit",
    title="Visits, placed with parents before assessment",
    scope="placement",
    variant="placed_with_parent",
    variant_when=(AttrCondition(target="placement", field="placed_with_parent", equals=True),),
    citation=CPPCR.at("reg 28(3)"),
    version="2011-04-01",
    in_force=InForce(start=date(2011, 4, 1)),
    schedule=Chain(),
    anchor=(AnchorOption(date=DateExpr(ref="placement.start"), label="placement start"),),
    offsets=(
        OffsetOption(
            offset=Weeks(n=1),
            when=(DateBefore(on="anchor", limit=DateExpr(ref="rule:review-first.met_on")),),
        ),
        OffsetOption(offset=Weeks(n=6)),
    ),
    satisfied_by=Satisfaction(
        events=(EventMatch(type="visit", fields=(("by", "social_worker"),)),)
    ),
)

# Yearly Strengths and Difficulties Questionnaire: years ending 31 March, ages 4-16, looked
# after continuously for 12 months at 31 March.
SDQ = Rule(
    id="sdq",
    title="Strengths and Difficulties Questionnaire",
    scope="period",
    citation=Instrument(code="DfE SSDA903", title="SSDA903 guidance", url="https://www.gov.uk").at(
        "SDQ", status="S"
    ),
    version="2011-04-01",
    in_force=InForce(start=date(2011, 4, 1)),
    schedule=Windows(
        windows=(TermWindow(name="SDQ year", start_month=4, start_day=1, end_month=3, end_day=31),),
        starting_after=DateExpr(ref="period.start", offset=Days(n=-366)),
    ),
    anchor=(AnchorOption(date=DateExpr(ref="period.start"), label="SDQ year"),),
    applies=(
        AgeCondition(on="due", at_least=4, below=17),
        LookedAfterFor(on="due", months=12),
    ),
    satisfied_by=Satisfaction(events=(EventMatch(type="sdq"),)),
)

# Agency overlays: monthly supervising social worker visits; consultation 20 working days before
# each review meeting; three PEP reviews per school year.
SSW_VISIT = Rule(
    id="ssw-visit",
    title="Supervising social worker visit (agency)",
    scope="placement",
    citation=AGENCY.at("supervision policy", status="S"),
    version="2024",
    in_force=InForce(start=date(2011, 4, 1)),
    schedule=Chain(),
    anchor=(AnchorOption(date=DateExpr(ref="placement.start"), label="placement start"),),
    offsets=(OffsetOption(offset=Months(n=1)),),
    satisfied_by=Satisfaction(
        events=(EventMatch(type="visit", fields=(("by", "supervising_social_worker"),)),)
    ),
)
CONSULTATION = Rule(
    id="consultation",
    title="Child consulted before each review meeting (agency)",
    scope="period",
    citation=AGENCY.at("review consultation", status="S"),
    version="2024",
    in_force=InForce(start=date(2011, 4, 1)),
    schedule=PerEvent(event=EventMatch(type="review", fields=(("meeting", True),))),
    anchor=(AnchorOption(date=DateExpr(ref="anchor"), label="review meeting"),),
    offsets=(OffsetOption(offset=WorkingDays(n=-20)),),
    satisfied_by=Satisfaction(events=(EventMatch(type="consultation"),), end=DateExpr(ref="due")),
)
PEP_THREE_A_YEAR = Rule(
    id="pep-reviews-per-year",
    title="Three PEP reviews per school year (agency)",
    scope="period",
    citation=AGENCY.at("education policy", status="S"),
    version="2024",
    in_force=InForce(start=date(2011, 4, 1)),
    schedule=Windows(
        windows=(
            TermWindow(name="school year", start_month=9, start_day=1, end_month=7, end_day=31),
        ),
        starting_after=DateExpr(ref="period.start", offset=Days(n=-1)),
        min_count=3,
    ),
    anchor=(AnchorOption(date=DateExpr(ref="period.start"), label="school year"),),
    satisfied_by=Satisfaction(events=(EventMatch(type="pep_review"),)),
)

ALL_SKETCHES = (
    NEEDS_ASSESSMENT,
    SHORT_BREAK_REVIEW_FIRST,
    REVIEW_FIRST_1991,
    PLACEMENT_PLAN_2020,
    VISIT_WITH_PARENT,
    SDQ,
    SSW_VISIT,
    CONSULTATION,
    PEP_THREE_A_YEAR,
)


def test_every_sketch_is_a_valid_declaration() -> None:
    for rule in ALL_SKETCHES:
        assert Rule.model_validate(rule.model_dump()) == rule


def test_sketches_needing_new_event_types_are_refused_by_the_pack() -> None:
    # `sdq` and `consultation` events arrive with later issues; the pack says so by name.
    with pytest.raises(RuleSetError, match="unknown event type 'sdq'"):
        RulePack("sketch", "0", (SDQ,))
    with pytest.raises(RuleSetError, match="unknown event type 'consultation'"):
        RulePack("sketch", "0", (CONSULTATION,))


def test_pack_refuses_fields_the_case_model_lacks() -> None:
    # `placed_with_parent` arrives with the placements-with-parents issue.
    with pytest.raises(RuleSetError, match="a placement has no field 'placed_with_parent'"):
        _with_versions(VISIT_WITH_PARENT)


def test_pack_refuses_unknown_rule_references_with_a_suggestion() -> None:
    bad = REVIEW_FIRST_1991.model_copy(
        update={
            "id": "late-review",
            "anchor": (AnchorOption(date=DateExpr(ref="rule:review-frist.due"), label="x"),),
        }
    )
    with pytest.raises(RuleSetError, match="did you mean 'review-first'"):
        _with_versions(bad)


def test_pack_refuses_overlapping_versions() -> None:
    overlapping = REVIEW_FIRST_1991.model_copy(
        update={"in_force": InForce(start=date(1991, 10, 14), end=date(2012, 1, 1))}
    )
    with pytest.raises(RuleSetError, match="overlap in force"):
        _with_versions(overlapping)


def _with_versions(*extra: Rule) -> RulePack:
    """The England pack plus extra declarations inserted after same-id rules."""
    rules = list(RULES)
    for rule in extra:
        last = max((i for i, r in enumerate(rules) if r.id == rule.id), default=len(rules) - 1)
        rules.insert(last + 1, rule)
    return RulePack("sketch", "0", rules)


def _case(**kw: object) -> Case:
    return Case.model_validate(kw)


def test_1991_version_applies_before_april_2011() -> None:
    pack = _with_versions(REVIEW_FIRST_1991)
    case = _case(
        child_id="S1",
        date_of_birth="2005-01-01",
        periods=[
            {"start": "2010-06-01", "placements": [{"placement_id": "A", "start": "2010-06-01"}]}
        ],
        events=[{"type": "review", "date": "2010-06-25"}],
    )
    ob = next(
        o
        for o in evaluate(case, as_of=date(2010, 7, 1), rules=pack).obligations
        if o.rule == "review-first"
    )
    # 4 weeks after Tue 1 Jun 2010 = Tue 29 Jun 2010 (calendar days, no working-day adjustment).
    assert (ob.rule_version, ob.due, ob.status) == ("1991", date(2010, 6, 29), "met_on_time")


def test_short_break_variant_is_chosen_by_regime() -> None:
    pack = _with_versions(SHORT_BREAK_REVIEW_FIRST)
    case = _case(
        child_id="S2",
        date_of_birth="2012-01-01",
        periods=[
            {
                "start": "2024-01-31",
                "regime": "short_breaks",
                "placements": [{"placement_id": "A", "start": "2024-01-31"}],
            }
        ],
    )
    obs = {o.rule: o for o in evaluate(case, as_of=date(2024, 5, 1), rules=pack).obligations}
    # 3 months after 31 Jan 2024: no 31 April, so the month's last day, Tue 30 Apr 2024.
    first = obs["review-first"]
    assert (first.rule_variant, first.due, first.status) == (
        "short_breaks",
        date(2024, 4, 30),
        "overdue",
    )
    # Rules with no short-break variant are not evaluated rather than guessed.
    assert obs["care-plan"].status == "not_evaluated"
    assert obs["care-plan"].reason == "no_variant"


def test_needs_assessment_from_eligibility() -> None:
    pack = _with_versions(NEEDS_ASSESSMENT)
    # Looked after from Mon 1 Jul 2024, aged 16 (born 1 Mar 2008): 13 weeks = 91 days, so
    # eligible on day 91, Sun 29 Sep 2024; needs assessment due 3 months later, Sun 29 Dec 2024.
    case = _case(
        child_id="S3",
        date_of_birth="2008-03-01",
        periods=[
            {"start": "2024-07-01", "placements": [{"placement_id": "A", "start": "2024-07-01"}]}
        ],
        events=[{"type": "needs_assessment", "date": "2024-12-20"}],
    )
    ob = next(
        o
        for o in evaluate(case, as_of=date(2025, 1, 10), rules=pack).obligations
        if o.rule == "needs-assessment"
    )
    assert (ob.anchor, ob.due, ob.status) == (date(2024, 9, 29), date(2024, 12, 29), "met_on_time")


def test_agency_supervising_visits_and_three_pep_reviews_a_year() -> None:
    pack = _with_versions(SSW_VISIT, PEP_THREE_A_YEAR)
    case = _case(
        child_id="S4",
        date_of_birth="2012-05-05",
        periods=[
            {"start": "2023-08-15", "placements": [{"placement_id": "A", "start": "2023-08-15"}]}
        ],
        events=[
            {"type": "visit", "date": "2023-09-14", "by": "supervising_social_worker"},
            {"type": "visit", "date": "2023-09-20"},  # the child's social worker: does not count
            {"type": "pep_review", "date": "2023-10-02"},
            {"type": "pep_review", "date": "2024-02-01"},
            {"type": "pep_review", "date": "2024-06-20"},
        ],
    )
    report = evaluate(case, as_of=date(2024, 9, 2), rules=pack)
    ssw = [o for o in report.obligations if o.rule == "ssw-visit"]
    # 15 Aug + 1 month = 15 Sep (met 14 Sep); then 14 Sep + 1 month = 14 Oct, unmet: overdue.
    assert [(o.due, o.status) for o in ssw] == [
        (date(2023, 9, 15), "met_on_time"),
        (date(2023, 10, 14), "overdue"),
    ]
    years = [o for o in report.obligations if o.rule == "pep-reviews-per-year"]
    # School year 1 Sep 2023-31 Jul 2024: three reviews, the third on 20 Jun 2024 meets it.
    assert (years[0].due, years[0].met_on, years[0].status) == (
        date(2024, 7, 31),
        date(2024, 6, 20),
        "met_on_time",
    )
    # School year starting 1 Sep 2024 is open and pending.
    assert (years[1].anchor, years[1].status) == (date(2024, 9, 1), "pending")


def test_coronavirus_version_has_no_fixed_due_date() -> None:
    pack = RulePack("sketch", "0", (PLACEMENT_PLAN_2020,))
    case = _case(
        child_id="S5",
        date_of_birth="2010-01-01",
        periods=[
            {
                "start": "2020-05-04",
                "entry": "emergency",
                "placements": [{"placement_id": "A", "start": "2020-05-04"}],
            }
        ],
        events=[{"type": "placement_plan", "date": "2020-05-29"}],
    )
    (ob,) = evaluate(case, as_of=date(2020, 6, 1), rules=pack).obligations
    assert (ob.due, ob.met_on, ob.status) == (None, date(2020, 5, 29), "met_on_time")
    assert "No fixed due date" in ob.explanation
