"""Hypothesis properties of the engine over generated valid cases (England pack)."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from lacplan import Case, evaluate
from lacplan.model import EVENT_TYPES, Event
from lacplan.report import Obligation
from lacplan.rules.england import ENGLAND
from lacplan.rules.schema import STATUSES, Chain
from lacplan.testing.strategies import cases, events

EVENT = TypeAdapter(Event)
AS_OF = st.dates(date(2011, 4, 1), date(2030, 12, 31))
PROFILE = settings(
    max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Event types that satisfy at least one rule, with the fields that make them count.
SATISFYING = {
    "care_plan": {},
    "placement_plan": {},
    "placement_notification": {},
    "review": {"cancelled": False},
    "health_assessment": {},
    "pep": {},
    "pep_review": {},
    "visit": {"by": "social_worker", "seen_alone": True},
    "sdq": {},
    "permanence_plan": {},
    "needs_assessment": {},
    "pathway_plan": {},
    "pathway_plan_review": {},
}
# Rules whose due date may move before the anchor: "before the first (second) review" is due on
# the day the review was held when that came before the review's due date (the anchor).
EARLIER_OF_RULES = frozenset(
    r.id
    for r in ENGLAND.rules
    for o in r.offsets
    if any(e.date.rule_ref is not None for e in o.earlier_of)
)
RANK = {
    "missed": 0,
    "overdue": 0,
    "met_late": 1,
    "pending": 2,
    "met_on_time": 3,
    "exempt": 3,
    "not_required": 3,
}


def _obligations(case: Case, as_of: date) -> list[Obligation]:
    return list(evaluate(case, as_of=as_of).obligations)


def _with_event(case: Case, event: dict[str, object]) -> Case:
    return case.model_copy(update={"events": (*case.events, EVENT.validate_python(event))})


@PROFILE
@given(case=cases(), as_of=AS_OF)
def test_deterministic_and_well_formed(case: Case, as_of: date) -> None:
    first = evaluate(case, as_of=as_of).to_dict()
    assert evaluate(case, as_of=as_of).to_dict() == first
    obs = _obligations(case, as_of)
    keys = [o.key for o in obs]
    assert len(keys) == len(set(keys)), "keys are unique"
    for o in obs:
        assert o.status in STATUSES
        assert o.met_on is None or o.met_on <= as_of
        if o.due is not None and o.anchor is not None and o.rule not in EARLIER_OF_RULES:
            assert o.due >= o.anchor, "no England rule is due before its anchor"
        if o.status in ("met_late", "overdue"):
            assert o.days_late is not None and o.days_late > 0
        else:
            assert o.days_late is None
        assert o.citation and o.explanation


@PROFILE
@given(case=cases(), as_of=AS_OF)
def test_ordering_by_period_catalogue_placement_sequence(case: Case, as_of: date) -> None:
    period_order = {p.period_id: i for i, p in enumerate(case.periods)}
    rule_order = {rid: i for i, rid in enumerate(ENGLAND.ids)}
    placement_order = {
        pl.placement_id: i for p in case.periods for i, pl in enumerate(p.placements)
    }
    obs = _obligations(case, as_of)
    sort_key = [
        (
            period_order[o.period_id],
            rule_order[o.rule],
            -1 if o.placement_id is None else placement_order[o.placement_id],
            o.sequence,
        )
        for o in obs
    ]
    assert sort_key == sorted(sort_key)


@PROFILE
@given(case=cases(), as_of=AS_OF)
def test_chains_end_with_exactly_one_open_obligation(case: Case, as_of: date) -> None:
    chains: dict[tuple[str, str, str | None], list[Obligation]] = defaultdict(list)
    chain_rules = {r.id for r in ENGLAND.rules if isinstance(r.schedule, Chain)}
    for o in _obligations(case, as_of):
        if o.rule in chain_rules:
            chains[(o.rule, o.period_id, o.placement_id)].append(o)
    for chain in chains.values():
        assert [o.sequence for o in chain] == list(range(1, len(chain) + 1))
        assert all(o.closed_on is not None for o in chain[:-1])
        assert chain[-1].closed_on is None or chain[-1].status == "not_evaluated"


@PROFILE
@given(case=cases(), as_of=AS_OF)
def test_as_at_evaluation_ignores_later_events(case: Case, as_of: date) -> None:
    trimmed = case.model_copy(update={"events": tuple(e for e in case.events if e.date <= as_of)})
    # Findings name events by input position, so compare the obligations.
    assert _obligations(case, as_of) == _obligations(trimmed, as_of)


@PROFILE
@given(
    case=cases(),
    as_of=AS_OF,
    kind=st.sampled_from(sorted(SATISFYING)),
    offset=st.integers(-60, 3000),
)
def test_adding_a_satisfying_event_never_worsens_an_obligation(
    case: Case, as_of: date, kind: str, offset: int
) -> None:
    when = case.periods[0].start + timedelta(days=offset)
    before = {o.key: o for o in _obligations(case, as_of)}
    after = {
        o.key: o
        for o in _obligations(
            _with_event(case, {"type": kind, "date": when.isoformat(), **SATISFYING[kind]}), as_of
        )
    }
    for key, old in before.items():
        new = after.get(key)
        if new is None or old.status not in RANK or new.status not in RANK:
            continue
        if kind == "review" and old.rule in EARLIER_OF_RULES:
            continue  # an earlier review brings "before the review" forward: that is the rule
        assert RANK[new.status] >= RANK[old.status], (key, old.status, new.status)


@PROFILE
@given(case=cases(), as_of=AS_OF, offset=st.integers(-60, 3000))
def test_unrelated_history_changes_nothing(case: Case, as_of: date, offset: int) -> None:
    when = (case.periods[0].start + timedelta(days=offset)).isoformat()
    extra = _with_event(
        case, {"type": "health_consent_refused", "date": when, "refused_by": "parent"}
    )
    extra = _with_event(extra, {"type": "visit", "date": when, "by": "supervising_social_worker"})
    extra = _with_event(extra, {"type": "review", "date": when, "cancelled": True})
    old = [(o.key, o.status, o.due, o.met_on) for o in _obligations(case, as_of)]
    new = [(o.key, o.status, o.due, o.met_on) for o in _obligations(extra, as_of)]
    assert new == old


@PROFILE
@given(
    case=cases(),
    as_of=AS_OF,
    event=st.sampled_from(EVENT_TYPES).flatmap(lambda t: events(types=(t,))),
)
def test_adding_an_event_never_creates_a_finding_about_another_event(
    case: Case, as_of: date, event: Event
) -> None:
    before = set(case.findings(as_of))
    extended = case.model_copy(update={"events": (*case.events, event)})
    new_path = f"events[{len(case.events)}]"
    for finding in set(extended.findings(as_of)) - before:
        assert finding.field.startswith(new_path), finding


@PROFILE
@given(case=cases(), as_of=AS_OF)
def test_an_overlay_never_changes_a_statutory_result(case: Case, as_of: date) -> None:
    alone = _obligations(case, as_of)
    stacked = list(evaluate(case, as_of=as_of, rules="england+ifa").obligations)
    assert [o for o in stacked if o.source == "statutory"] == alone
    agency = [o for o in stacked if o.source == "agency"]
    assert all(o.rule.startswith("ifa-") for o in agency)
    keys = [o.key for o in stacked]
    assert len(keys) == len(set(keys))
    for o in agency:
        assert o.status in STATUSES
        assert (o.days_late is not None) == (o.status in ("met_late", "overdue"))
