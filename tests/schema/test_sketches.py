"""Sketches of the agency overlays a later issue will add, declared in today's schema.

They are not part of the England pack (its statutory rules, once sketched here, have landed).
This module shows (and CI keeps showing) that the schema expresses them: each one validates, the
ones that use today's event types build into a checked ``RulePack`` and evaluate through the
engine, with hand-computed dates.
"""

from __future__ import annotations

from datetime import date

import pytest

from lacplan import Case, evaluate
from lacplan.errors import RuleSetError
from lacplan.offsets import Days, Months, WorkingDays
from lacplan.rules.conventions import TermWindow
from lacplan.rules.england import ENGLAND
from lacplan.rules.england.before_2011 import REVIEW_FIRST_1991
from lacplan.rules.pack import RulePack
from lacplan.rules.schema import (
    AnchorOption,
    AttrCondition,
    Chain,
    DateExpr,
    EventMatch,
    InForce,
    Instrument,
    OffsetOption,
    PerEvent,
    Rule,
    Satisfaction,
    Windows,
)

AGENCY = Instrument(
    code="Agency policy", title="A fostering agency's policy", url="https://example.org"
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

ALL_SKETCHES = (SSW_VISIT, CONSULTATION, PEP_THREE_A_YEAR)


def test_every_sketch_is_a_valid_declaration() -> None:
    for rule in ALL_SKETCHES:
        assert Rule.model_validate(rule.model_dump()) == rule


def test_sketches_needing_new_event_types_are_refused_by_the_pack() -> None:
    # `consultation` events arrive with the overlays issue; the pack says so by name.
    with pytest.raises(RuleSetError, match="unknown event type 'consultation'"):
        RulePack("sketch", "0", (CONSULTATION,))


def test_pack_refuses_fields_the_case_model_lacks() -> None:
    bad = SSW_VISIT.model_copy(
        update={
            "applies": (AttrCondition(target="placement", field="placed_with_parent", equals=True),)
        }
    )
    with pytest.raises(RuleSetError, match="a placement has no field 'placed_with_parent'"):
        _with_versions(bad)


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
        update={
            "version": "1991-bis",
            "in_force": InForce(start=date(1991, 10, 14), end=date(2012, 1, 1)),
        }
    )
    with pytest.raises(RuleSetError, match="overlap in force"):
        _with_versions(overlapping)
    # A modification chosen by the anchor may overlap the versions chosen by due date.
    tied = overlapping.model_copy(update={"chosen_by": "anchor"})
    assert "review-first" in _with_versions(tied).ids


def _with_versions(*extra: Rule) -> RulePack:
    """The England pack plus extra declarations inserted after same-id rules."""
    rules = list(ENGLAND.rules)
    for rule in extra:
        last = max((i for i, r in enumerate(rules) if r.id == rule.id), default=len(rules) - 1)
        rules.insert(last + 1, rule)
    return RulePack("sketch", "0", rules)


def _case(**kw: object) -> Case:
    return Case.model_validate(kw)


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
