"""The engine's shortcuts change no result (issue 12).

Three shortcuts skip work whose outcome is already known:

* a rule version's leading scope-fixed ``applies`` conditions (a placement's type, whether it
  ends in a move) are tested before the obligation is timed, the rest after;
* whether a period variant covers a rule for the period, which every placement that no variant
  of its own covers asks, is worked out once per period;
* which placement variant of a rule runs, where each placement variant's conditions read only
  the period (``RuleProgram.picked_per_period``), is worked out once per period, and a rule
  that then gives nothing in any placement (none applies, a period variant covers the period)
  is not asked of each placement.

Each test here evaluates the same cases with the shortcuts and with the plain order they replace
(every ``applies`` condition tested after the timing; the period's and the placement's variants
asked again for every placement), and requires the same obligations, on generated cases and on a
synthetic cohort that includes children with dozens of short-break placements.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import evaluate, parse_case
from lacplan.model import Case
from lacplan.rules import RulePack, get_pack
from lacplan.rules.compiled import period_fixed, program
from lacplan.rules.engine import _Evaluator
from lacplan.rules.files import loads_rule_file
from lacplan.rules.schema import (
    AgeCondition,
    AllCondition,
    AttrCondition,
    ConventionCondition,
    NotCondition,
)
from lacplan.rules.state import Scope
from lacplan.synth import synth_cases
from lacplan.testing.strategies import cases

PACKS = ("england", "england+ifa")
PROFILE = settings(
    max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _covered_every_time(self: _Evaluator, rp: object, scope: Scope) -> bool:
    """``_covered_elsewhere`` without its memo: the period's variants asked for each placement."""
    if scope.kind == "placement":
        period_scope = self.run.period_scope
        assert period_scope is not None
        return any(
            var.scope == "period" and (var.when is None or var.when(self, period_scope, {}))
            for var in rp.variants  # type: ignore[attr-defined]
        )
    return True


@contextmanager
def plain_order(*others: RulePack) -> Iterator[None]:
    """Every compiled rule of the packs (the built-in ones and ``others``) tests all of
    ``applies`` after timing, and placements ask the period's variants every time; put back
    afterwards."""
    saved = []
    per_period = []
    for pack in (*map(get_pack, PACKS), *others):
        for rp in program(pack).rules:
            per_period.append((rp, rp.picked_per_period))
            rp.picked_per_period = False
            for var in rp.variants:
                for cr in var.versions:
                    saved.append((cr, cr.applies_fixed, cr.applies_rest))
                    cr.applies_fixed, cr.applies_rest = None, cr.applies
    covered = _Evaluator._covered_elsewhere
    _Evaluator._covered_elsewhere = _covered_every_time  # type: ignore[method-assign]
    try:
        yield
    finally:
        _Evaluator._covered_elsewhere = covered  # type: ignore[method-assign]
        for cr, fixed, rest in saved:
            cr.applies_fixed, cr.applies_rest = fixed, rest
        for rp, picked in per_period:
            rp.picked_per_period = picked


def _results(batch: list[Case], as_of: date, rules: str | RulePack) -> list[dict[str, object]]:
    return [o.as_dict() for o in evaluate(batch, as_of=as_of, rules=rules).obligations]


def _same_both_ways(batch: list[Case], as_of: date, rules: str | RulePack) -> None:
    fast = _results(batch, as_of, rules)
    with plain_order(*([rules] if isinstance(rules, RulePack) else [])):
        plain = _results(batch, as_of, rules)
    assert fast == plain


def test_some_rule_tests_a_fixed_condition_first() -> None:
    """The shortcut is not idle: the pack has rules whose ``applies`` starts scope-fixed."""
    compiled = [
        cr
        for rp in program(get_pack("england")).rules
        for var in rp.variants
        for cr in var.versions
    ]
    assert any(cr.applies_fixed is not None for cr in compiled)
    assert all(
        (cr.applies is None) == (cr.applies_fixed is cr.applies_rest is None) for cr in compiled
    )


def test_placement_variants_are_picked_once_per_period() -> None:
    """The shortcut is not idle: the short-breaks and standard variants of the placement plan
    are told apart by the period's regime; a variant that reads the placement is not."""
    rules = {rp.id: rp for rp in program(get_pack("england")).rules}
    assert rules["placement-plan"].picked_per_period
    assert rules["visit"].other_kinds == {"period": True, "placement": True}
    two_kinds = loads_rule_file(TWO_KINDS, file="two-kinds.toml", base=get_pack("england"))
    (t_plan,) = [rp for rp in program(two_kinds).rules if rp.id == "t-plan"]
    assert not t_plan.picked_per_period  # its placement variant reads `placement.emergency`


def test_period_fixed_conditions() -> None:
    period = AttrCondition(target="period", field="regime", equals="short_breaks")
    placement = AttrCondition(target="placement", field="emergency", equals=True)
    assert period_fixed(period)
    assert period_fixed(ConventionCondition(name="send_pep_reviews", equals=True))
    assert period_fixed(NotCondition(conditions=(period,)))
    assert not period_fixed(placement)
    assert not period_fixed(AllCondition(conditions=(period, placement)))
    assert not period_fixed(AgeCondition(on="anchor", below=16))


def test_a_cohort_with_many_short_break_placements() -> None:
    as_of = date(2024, 6, 3)
    batch = [parse_case(d) for d in synth_cases(400, seed=12, as_of=as_of)]
    assert max(sum(len(p.placements) for p in c.periods) for c in batch) >= 30
    for rules in PACKS:
        _same_both_ways(batch, as_of, rules)


@PROFILE
@given(case=cases(), as_of=st.dates(date(2012, 1, 1), date(2030, 12, 31)))
def test_generated_cases(case: Case, as_of: date) -> None:
    for rules in PACKS:
        _same_both_ways([case], as_of, rules)


# A duty with a period variant (planned periods) and a placement variant (emergency placements):
# a placement that neither covers is reported ``no_variant``. Which variants cover is asked
# afresh in each period of care.
TWO_KINDS = """\
[pack]
name = "t"
title = "Test overlay: one duty with a period variant and a placement variant"
version = "1"
source = "local"
prefix = "t"
base = "england"
in_force = { start = 2011-04-01 }

[[rules]]
id = "t-plan"
title = "A plan for each planned period"
scope = "period"
variant = "planned"
version = "1"
variant_when = [{ kind = "attr", target = "period", field = "entry", equals = "planned" }]
anchor = [{ date = { ref = "period.start" }, label = "the start of the period" }]
offsets = [{ offset = { unit = "working_days", n = 5 }, label = "within 5 working days" }]
satisfied_by = { events = [{ type = "care_plan" }], start = { ref = "anchor" } }

[rules.citation]
instrument = "Test"
instrument_title = "A test standard"
provision = "1"
url = "https://example.org/standard"
status = "P"

[[rules]]
id = "t-plan"
title = "A plan for each planned period"
scope = "placement"
variant = "emergency_placement"
version = "1"
variant_when = [{ kind = "attr", target = "placement", field = "emergency", equals = true }]
anchor = [{ date = { ref = "placement.start" }, label = "the start of the placement" }]
offsets = [{ offset = { unit = "working_days", n = 5 }, label = "within 5 working days" }]
satisfied_by = { events = [{ type = "care_plan" }], start = { ref = "anchor" } }

[rules.citation]
instrument = "Test"
instrument_title = "A test standard"
provision = "1"
url = "https://example.org/standard"
status = "P"
"""


def test_which_variant_covers_is_asked_again_in_each_period() -> None:
    pack = loads_rule_file(TWO_KINDS, file="two-kinds.toml", base=get_pack("england"))
    case = parse_case(
        {
            "child_id": "C1",
            "date_of_birth": "2010-01-01",
            "periods": [
                {
                    "period_id": "P1",
                    "start": "2020-01-06",
                    "end": "2020-06-01",
                    "entry": "planned",
                    "placements": [{"placement_id": "A", "start": "2020-01-06"}],
                },
                {
                    "period_id": "P2",
                    "start": "2021-01-04",
                    "entry": "emergency",
                    "placements": [
                        {"placement_id": "B", "start": "2021-01-04", "end": "2021-02-01"},
                        {"placement_id": "C", "start": "2021-02-01"},
                    ],
                },
            ],
        }
    )
    as_of = date(2021, 6, 1)
    got = [
        (o.key, o.rule_variant, o.due, o.status, o.reason)
        for o in evaluate(case, as_of=as_of, rules=pack).obligations
        if o.rule == "t-plan"
    ]
    assert got == [
        # Mon 6 Jan 2020 + 5 working days (no bank holiday that week): Mon 13 Jan 2020.
        ("C1:P1:-:t-plan:2020-01-06", "planned", date(2020, 1, 13), "missed", None),
        # Mon 4 Jan 2021 + 5 working days (New Year's Day, Fri 1 Jan, is before the start).
        ("C1:P2:B:t-plan:2021-01-04", "emergency_placement", date(2021, 1, 11), "missed", None),
        # An emergency period's later placement: neither variant covers it.
        ("C1:P2:C:t-plan:2021-02-01", "planned", None, "not_evaluated", "no_variant"),
    ]
    _same_both_ways([case], as_of, pack)


# One duty whose placement variant and period variant are told apart by the period alone: the
# placement variant is picked once per period, and in a period where it does not apply (the
# period variant covers it) the placements are not asked. A third period checks the choice is
# made afresh in each period of care.
BY_PERIOD = """\
[pack]
name = "t"
title = "Test overlay: one duty, its variant chosen by the period's entry"
version = "1"
source = "local"
prefix = "t"
base = "england"
in_force = { start = 2011-04-01 }

[[rules]]
id = "t-notice"
title = "A notice for each placement of a planned period"
scope = "placement"
variant = "planned"
version = "1"
variant_when = [{ kind = "attr", target = "period", field = "entry", equals = "planned" }]
anchor = [{ date = { ref = "placement.start" }, label = "the start of the placement" }]
offsets = [{ offset = { unit = "working_days", n = 5 }, label = "within 5 working days" }]
satisfied_by = { events = [{ type = "care_plan" }], start = { ref = "anchor" } }

[rules.citation]
instrument = "Test"
instrument_title = "A test standard"
provision = "1"
url = "https://example.org/standard"
status = "P"

[[rules]]
id = "t-notice"
title = "A notice for each placement of a planned period"
scope = "period"
variant = "emergency_period"
version = "1"
variant_when = [{ kind = "attr", target = "period", field = "entry", equals = "emergency" }]
anchor = [{ date = { ref = "period.start" }, label = "the start of the period" }]
offsets = [{ offset = { unit = "working_days", n = 5 }, label = "within 5 working days" }]
satisfied_by = { events = [{ type = "care_plan" }], start = { ref = "anchor" } }

[rules.citation]
instrument = "Test"
instrument_title = "A test standard"
provision = "1"
url = "https://example.org/standard"
status = "P"
"""


def test_a_placement_variant_picked_by_the_period() -> None:
    pack = loads_rule_file(BY_PERIOD, file="by-period.toml", base=get_pack("england"))
    (t_notice,) = [rp for rp in program(pack).rules if rp.id == "t-notice"]
    assert t_notice.picked_per_period
    case = parse_case(
        {
            "child_id": "C1",
            "date_of_birth": "2010-01-01",
            "periods": [
                {
                    "period_id": "P1",
                    "start": "2020-01-06",
                    "end": "2020-06-01",
                    "entry": "planned",
                    "placements": [
                        {"placement_id": "A", "start": "2020-01-06", "end": "2020-03-02"},
                        {"placement_id": "B", "start": "2020-03-02"},
                    ],
                },
                {
                    "period_id": "P2",
                    "start": "2021-01-04",
                    "end": "2021-03-01",
                    "entry": "emergency",
                    "placements": [
                        {"placement_id": "C", "start": "2021-01-04", "end": "2021-02-01"},
                        {"placement_id": "D", "start": "2021-02-01"},
                    ],
                },
                {
                    "period_id": "P3",
                    "start": "2022-01-10",
                    "entry": "planned",
                    "placements": [{"placement_id": "E", "start": "2022-01-10"}],
                },
            ],
        }
    )
    as_of = date(2022, 6, 1)
    got = [
        (o.key, o.rule_variant, o.due, o.status)
        for o in evaluate(case, as_of=as_of, rules=pack).obligations
        if o.rule == "t-notice"
    ]
    assert got == [
        # Mon 6 Jan 2020 + 5 working days (no bank holiday that week): Mon 13 Jan 2020.
        ("C1:P1:A:t-notice:2020-01-06", "planned", date(2020, 1, 13), "missed"),
        # Mon 2 Mar 2020 + 5 working days (none that week either): Mon 9 Mar 2020.
        ("C1:P1:B:t-notice:2020-03-02", "planned", date(2020, 3, 9), "missed"),
        # An emergency period: the period variant, from Mon 4 Jan 2021 (New Year's Day, Fri 1
        # Jan, is before it): Mon 11 Jan 2021; placements C and D give nothing.
        ("C1:P2:-:t-notice:2021-01-04", "emergency_period", date(2021, 1, 11), "missed"),
        # Planned again: Mon 10 Jan 2022 + 5 working days: Mon 17 Jan 2022, open and unmet.
        ("C1:P3:E:t-notice:2022-01-10", "planned", date(2022, 1, 17), "overdue"),
    ]
    _same_both_ways([case], as_of, pack)
