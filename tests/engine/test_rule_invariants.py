"""Hypothesis properties, rule by rule: each England rule's due date keeps its invariant on
generated cases (an independent restatement of the rule table, using the calendar directly)."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import Case, Period, Placement, evaluate
from lacplan.calendar import add_months, age_on, birthday, england_and_wales
from lacplan.report import Obligation
from lacplan.rules.england import ENGLAND
from lacplan.rules.facts import leaving_care_eligibility
from lacplan.testing.strategies import case_dicts, cases

CAL = england_and_wales()
AS_OF = st.dates(date(2012, 1, 1), date(2030, 12, 31))
PROFILE = settings(
    max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Standard-regime periods from 2012 keep every obligation in force (CPPCR from 1 Apr 2011).
CASES = cases().filter(lambda c: c.periods[0].start >= date(2011, 6, 1))


def _by_rule(case: Case, as_of: date, variant: str = "standard") -> dict[str, list[Obligation]]:
    """Evaluated obligations of one variant (``standard`` by default), by rule."""
    out: dict[str, list[Obligation]] = defaultdict(list)
    for o in evaluate(case, as_of=as_of).obligations:
        if o.status != "not_evaluated" and o.rule_variant == variant:
            out[o.rule].append(o)
    return out


def _period(case: Case, period_id: str) -> Period:
    return next(p for p in case.periods if p.period_id == period_id)


def _placement(case: Case, placement_id: str | None) -> Placement:
    return next(pl for p in case.periods for pl in p.placements if pl.placement_id == placement_id)


@PROFILE
@given(case=CASES, as_of=AS_OF)
def test_period_start_rules(case: Case, as_of: date) -> None:
    obs = _by_rule(case, as_of)
    for o in obs["review-first"]:
        # reg 33(1): the 20th working day after becoming looked after.
        assert o.anchor == _period(case, o.period_id).start
        assert o.due is not None and CAL.is_working_day(o.due)
        assert CAL.working_days_between(o.anchor, o.due) == 20
    for rule in ("care-plan", "pep-initial"):
        for o in obs[rule]:
            p = _period(case, o.period_id)
            expected = p.placements[0].start if rule == "care-plan" else p.start
            assert o.anchor == expected
            if p.entry == "emergency":
                assert o.due == CAL.add_working_days(expected, 10)
            else:
                assert o.due == expected
    for o in obs["pep-initial"]:
        assert o.due is not None
        in_ages = 3 <= age_on(case.date_of_birth, o.due) <= 17
        assert (o.reason == "outside_pep_ages") == (not in_ages)


@PROFILE
@given(case=CASES, as_of=AS_OF)
def test_review_chain_intervals(case: Case, as_of: date) -> None:
    obs = _by_rule(case, as_of)
    first = {o.period_id: o for o in obs["review-first"]}
    for o in obs["review-second"]:
        assert o.anchor is not None and o.anchor == first[o.period_id].met_on
        assert o.due == add_months(o.anchor, 3)
    for o in obs["review-subsequent"]:
        assert o.anchor is not None
        assert o.due == add_months(o.anchor, 6)
        assert o.met_on is None or o.met_on > o.anchor
    for o in obs["health-initial"]:
        # "Before the first review": its due date, or the day it was held if that came first.
        review = first[o.period_id]
        assert o.anchor == review.due
        assert o.due == min(d for d in (review.due, review.met_on) if d is not None)


@PROFILE
@given(case=CASES, as_of=AS_OF)
def test_health_review_interval_by_age(case: Case, as_of: date) -> None:
    for o in _by_rule(case, as_of)["health-review"]:
        assert o.anchor is not None
        months = 6 if age_on(case.date_of_birth, o.anchor) < 5 else 12
        assert o.due == add_months(o.anchor, months)


@PROFILE
@given(case=CASES, as_of=AS_OF)
def test_placement_rules(case: Case, as_of: date) -> None:
    obs = _by_rule(case, as_of)
    for rule in ("placement-plan", "placement-notification"):
        for o in obs[rule]:
            pl = _placement(case, o.placement_id)
            assert o.anchor == pl.start
            if rule == "placement-plan" and o.rule_version == "2020-04-24":
                # SI 2020/445: emergency placements made in its window have no fixed timescale.
                assert date(2020, 4, 24) <= pl.start <= date(2020, 9, 25)
                assert o.due == (None if pl.emergency else pl.start)
                continue
            assert o.due == (CAL.add_working_days(pl.start, 5) if pl.emergency else pl.start)
    for o in obs["visit-first"]:
        assert o.anchor is not None and o.due == o.anchor + timedelta(days=7)
    for o in obs["visit"]:
        pl = _placement(case, o.placement_id)
        period = _period(case, o.period_id)
        assert o.anchor is not None and o.due is not None
        status = period.legal_status_on(o.anchor)
        reviewed = any(
            e.type == "review"
            and not getattr(e, "cancelled", False)
            and pl.start < e.date <= o.anchor
            and case.date_of_birth <= e.date <= as_of
            for e in case.events
        )
        if pl.kind == "connected_person_temporary" or (
            pl.kind == "placed_with_parents" and status == "interim_care_order"
        ):
            # reg 28(4): weekly until the first review after the placement started, then 4-weekly.
            assert o.due == o.anchor + timedelta(weeks=4 if reviewed else 1)
        elif pl.kind == "placed_with_parents":
            # reg 28(5)(b) under a care order; reg 28(3) otherwise: weekly until that review.
            weekly = status != "care_order" and not reviewed
            assert o.due == o.anchor + timedelta(weeks=1 if weekly else 6)
        elif o.anchor < add_months(pl.start, 12):
            assert o.due == o.anchor + timedelta(weeks=6)
        elif pl.intended_until_18:
            assert o.due in (add_months(o.anchor, 3), add_months(o.anchor, 6))
            if not pl.long_term_foster:
                assert o.due == add_months(o.anchor, 3)
        else:
            assert o.due == o.anchor + timedelta(weeks=6)
    for o in obs["visit-care-order"]:
        pl = _placement(case, o.placement_id)
        assert pl.kind == "placed_with_parents" and o.anchor is not None
        assert _period(case, o.period_id).legal_status_on(o.anchor) == "care_order"
        assert pl.start <= o.anchor and o.due == o.anchor + timedelta(weeks=1)
    for o in obs["visit-seen-alone"]:
        pl = _placement(case, o.placement_id)
        assert o.anchor is not None and o.due == o.anchor and pl.start <= o.anchor
        assert o.status in ("met_on_time", "exempt", "missed")
    eighteen = birthday(case.date_of_birth, 18)
    for o in obs["review-before-move"]:
        pl = _placement(case, o.placement_id)
        assert pl.end is not None and o.due == o.anchor == pl.end
        assert pl.end < eighteen and pl.end <= as_of
        assert o.met_on is None or max(add_months(pl.end, -3), pl.start) <= o.met_on <= pl.end
        if pl.end_reason == "planned":
            assert o.status != "exempt"


@PROFILE
@given(case=CASES, as_of=AS_OF)
def test_pep_reviews_are_one_per_term_after_the_first_pep(case: Case, as_of: date) -> None:
    obs = _by_rule(case, as_of)
    initial = {o.period_id: o for o in obs["pep-initial"]}
    terms = {(9, 1): (12, 31), (1, 1): (3, 31), (4, 1): (7, 31)}
    seen = set()
    for o in obs["pep-review"]:
        assert o.anchor is not None and o.due is not None
        assert (o.due.month, o.due.day) == terms[(o.anchor.month, o.anchor.day)]
        first_due = initial[o.period_id].due
        assert first_due is not None and o.anchor > first_due
        assert o.anchor <= as_of
        assert o.met_on is None or o.anchor <= o.met_on <= o.due
        assert (o.period_id, o.anchor) not in seen
        seen.add((o.period_id, o.anchor))


@PROFILE
@given(case=CASES, as_of=AS_OF)
def test_short_break_variants(case: Case, as_of: date) -> None:
    obs = _by_rule(case, as_of, "short_breaks")
    for rule in (
        "placement-plan",
        "placement-notification",
        "health-initial",
        "health-review",
        "pep-initial",
        "pep-review",
        "permanence-plan",
    ):
        for o in obs[rule]:
            assert (o.status, o.reason, o.due) == ("not_required", "short_breaks", None)
    for o in obs["review-first"]:
        first = _period(case, o.period_id).placements[0].start
        assert o.anchor == first and o.due == add_months(first, 3)
    for rule in ("review-second", "review-subsequent"):
        for o in obs[rule]:
            assert o.anchor is not None and o.due == add_months(o.anchor, 6)
    for rule, months in (("visit-first", 3), ("visit", 6)):
        for o in obs[rule]:
            period = _period(case, o.period_id)
            assert o.placement_id is None and o.anchor is not None
            backstop = add_months(o.anchor, months)
            agreed = period.agreed_visit_interval_days
            expected = backstop if agreed is None else min(backstop, o.anchor + timedelta(agreed))
            assert o.due == expected
            if o.met_on is not None:  # only visits on days the child is placed count
                assert any(
                    pl.start <= o.met_on <= (period.placement_end(pl) or date.max)
                    for pl in period.placements
                )


@PROFILE
@given(case=CASES, as_of=AS_OF)
def test_sdq_years(case: Case, as_of: date) -> None:
    for o in _by_rule(case, as_of)["sdq"]:
        period = _period(case, o.period_id)
        assert o.due is not None and (o.due.month, o.due.day) == (3, 31)
        assert o.anchor == date(o.due.year - 1, 4, 1)
        assert 4 <= age_on(case.date_of_birth, o.due) <= 16
        assert period.regime == "standard" and period.start <= o.anchor
        assert o.met_on is None or o.anchor <= o.met_on <= o.due


@PROFILE
@given(case=cases(), as_of=AS_OF)
def test_a_version_never_applies_outside_its_dates(case: Case, as_of: date) -> None:
    versions = {(r.id, r.variant, r.version): r for r in ENGLAND.rules}
    for o in evaluate(case, as_of=as_of).obligations:
        if o.reason in ("not_in_force", "no_variant"):
            continue
        decl = versions[(o.rule, o.rule_variant or "", o.rule_version or "")]
        assert o.anchor is not None
        on = o.anchor if decl.chosen_by == "anchor" or o.due is None else o.due
        assert decl.in_force.contains(on), (o.key, decl.version, on)


def _teenager(case: dict[str, object], years: int) -> Case:
    """The generated case, with the child born ``years`` years before the first period starts."""
    periods = case["periods"]
    assert isinstance(periods, list)
    first = min(date.fromisoformat(p["start"]) for p in periods)
    dob = first - timedelta(days=int(years * 365.25))
    return Case.model_validate({**case, "date_of_birth": dob.isoformat()})


TEENAGERS = st.builds(_teenager, case_dicts(), st.integers(14, 17)).filter(
    lambda c: c.periods[0].start >= date(2011, 6, 1)
)


@PROFILE
@given(case=TEENAGERS, as_of=AS_OF)
def test_leaving_care_duties(case: Case, as_of: date) -> None:
    obs = _by_rule(case, as_of)
    eligible = leaving_care_eligibility(case, as_of)
    assert bool(obs["needs-assessment"]) == (eligible is not None)
    for o in obs["needs-assessment"]:
        period = _period(case, o.period_id)
        assert o.anchor == eligible and o.due == add_months(o.anchor, 3)
        assert period.start <= o.anchor and (period.end is None or o.anchor < period.end)
        assert birthday(case.date_of_birth, 16) <= o.anchor
    needs = {o.period_id: o for o in obs["needs-assessment"]}
    for o in obs["pathway-plan"]:
        assert o.due == needs[o.period_id].due
    for o in obs["pathway-plan-review"]:
        assert o.anchor is not None and o.due == add_months(o.anchor, 6)
        assert o.anchor <= birthday(case.date_of_birth, 21)
