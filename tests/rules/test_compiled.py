"""The compiled pack (``rules/compiled.py``): every closure answers as the resolver's generic
test of the same declaration does, and compiling is done once per pack."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import compiled_modules, evaluate
from lacplan.rules import compiled, get_pack
from lacplan.rules.compiled import Program, program, split, static
from lacplan.rules.conditions import (
    AgeCondition,
    AllCondition,
    AttrCondition,
    ConventionCondition,
    EventExists,
    NotCondition,
)
from lacplan.rules.resolve import Resolver
from lacplan.rules.state import Scope
from lacplan.rules.terms import DateExpr, EventMatch
from lacplan.testing.strategies import cases

#: In the native build (docs/compiled.md) ``compiled.condition`` and its siblings are bound when
#: the module is compiled, so the wrappers below would never be called: the two tests that
#: swap them in run on the pure-Python build, whose results the native build's must equal
#: byte for byte (.ci/native; tests/packaging/test_native_build.py checks which build runs).
PURE_ONLY = pytest.mark.skipif(
    "lacplan.rules.compiled" in compiled_modules(),
    reason="the native build binds module functions at compile time",
)
PROFILE = settings(
    max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
KIND = AttrCondition(target="placement", field="kind", equals="placed_with_parents")
AGE = AgeCondition(below=16)
EXISTS = EventExists(
    scope="period",
    match=EventMatch(type="review"),
    start=DateExpr(ref="period.start"),
    before=DateExpr(ref="anchor"),
)


def test_a_pack_is_compiled_once() -> None:
    pack = get_pack("england+ifa")
    first = program(pack)
    assert program(pack) is first
    assert [rp.id for rp in first.rules] == list(pack.ids)
    assert isinstance(first, Program)


def test_scope_fixed_conditions() -> None:
    assert static(KIND)
    assert static(ConventionCondition(name="month_arithmetic", equals="calendar"))
    assert static(AllCondition(conditions=(KIND, NotCondition(conditions=(KIND,)))))
    assert not static(AGE)
    assert not static(EXISTS)
    assert not static(AllCondition(conditions=(KIND, AGE)))


def test_split_takes_only_the_leading_fixed_conditions() -> None:
    """Order is kept: a fixed condition after a changing one stays in the remainder."""
    fixed, rest = split((KIND, KIND, AGE, KIND))
    assert fixed is not None and rest is not None
    assert split(()) == (None, None)
    assert split((AGE,))[0] is None
    assert split((KIND,))[1] is None


@contextmanager
def checked_closures(log: Counter[str]) -> Iterator[None]:
    """Compile packs whose every closure also asks the resolver's generic code and fails on
    any difference (``local`` included: an existence test records the event it matched)."""
    real_condition, real_ref, real_expr = compiled.condition, compiled.date_ref, compiled.date_expr

    def condition(c: Any) -> compiled.Test:
        fast = real_condition(c)

        def both(r: Resolver, s: Scope, local: dict[str, date | None]) -> bool:
            mine = dict(local)
            expected = r._holds1(c, s, mine)
            got = fast(r, s, local)
            assert bool(got) == bool(expected), c
            assert local == mine, c
            log[type(c).__name__] += 1
            return got

        return both

    def date_ref(ref: str) -> compiled.DateFn:
        fast = real_ref(ref)

        def both(r: Resolver, s: Scope, local: dict[str, date | None]) -> date | None:
            got = fast(r, s, local)
            assert got == r._ref(ref, s, local), ref
            log["ref"] += 1
            return got

        return both

    def date_expr(expr: DateExpr) -> compiled.DateFn:
        fast = real_expr(expr)

        def both(r: Resolver, s: Scope, local: dict[str, date | None]) -> date | None:
            got = fast(r, s, local)
            assert got == r._date(expr, s, dict(local)), expr
            log["date"] += 1
            return got

        return both

    compiled.condition, compiled.date_ref, compiled.date_expr = condition, date_ref, date_expr
    try:
        yield
    finally:
        compiled.condition, compiled.date_ref, compiled.date_expr = (
            real_condition,
            real_ref,
            real_expr,
        )


@PURE_ONLY
@PROFILE
@given(case=cases(), as_of=st.dates(date(2011, 4, 1), date(2030, 12, 31)))
def test_closures_answer_as_the_generic_resolver(case: Any, as_of: date) -> None:
    log: Counter[str] = Counter()
    with checked_closures(log):
        pack = get_pack("england+ifa")
        checked = Program(pack)
    saved = pack._program
    pack._program = checked
    try:
        with_checks = evaluate(case, as_of=as_of, rules=pack)
    finally:
        pack._program = saved
    assert with_checks.obligations == evaluate(case, as_of=as_of, rules=pack).obligations


@PURE_ONLY
def test_the_checks_run() -> None:
    """The property above exercises conditions of several kinds (so it can fail)."""
    from lacplan import parse_case
    from lacplan.synth import synth_cases

    log: Counter[str] = Counter()
    with checked_closures(log):
        pack = get_pack("england")
        checked = Program(pack)
    saved = pack._program
    pack._program = checked
    try:
        for raw in synth_cases(20, seed=5):
            evaluate(parse_case(raw), as_of=date(2024, 6, 3), rules=pack)
    finally:
        pack._program = saved
    assert {"AttrCondition", "AgeCondition", "ref"} <= set(log)
    assert sum(log.values()) > 1000
