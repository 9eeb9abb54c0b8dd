"""A rule pack compiled once into plain closures and tuples, so evaluation does no generic work.

:func:`program` turns a :class:`~lacplan.rules.pack.RulePack` into a :class:`Program` the first
time the pack is evaluated and keeps it on the pack (a pack is immutable, so its program never
changes; nothing is cached on disk). Each declaration becomes a :class:`CompiledRule`: its
conditions are closures ``test(resolver, scope, local) -> bool``, its date references closures
``date(resolver, scope, local) -> date | None``, and what the engine would otherwise look up per
obligation (the layer, the event types it reads, the citation of each offset option, whether it
chains) is resolved here. The closures do what ``rules/resolve.py`` does for the same
declaration, in the same order; the conditions that matter for speed are specialised, the rest
call the resolver's own test. Still no branch on a rule id: only on the shape of declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from lacplan.calendar import WorkingDayCalendar, age_on
from lacplan.obligation import RuleFacts
from lacplan.offsets import Offset, OffsetNote, Shift, fixed_note, shifter
from lacplan.rules.explain import cited, verdict
from lacplan.rules.facts import DATE_FACTS
from lacplan.rules.resolve import _TESTS, SCOPE_REFS, Resolver, ends_in_move
from lacplan.rules.schema import (
    AgeCondition,
    AllCondition,
    AnchorOption,
    AttrCondition,
    Chain,
    Condition,
    ConventionCondition,
    DateBefore,
    DateExpr,
    DateOnOrAfter,
    EarlierDue,
    Ending,
    EventMatch,
    Exemption,
    InPeriod,
    NotCondition,
    OffsetOption,
    PerEvent,
    RollingWindows,
    Rule,
    RuleStatusCondition,
    Schedule,
    Windows,
)
from lacplan.rules.state import Scope, select_key

if TYPE_CHECKING:
    from lacplan.rules.pack import Layer, RulePack

__all__ = ["CompiledRule", "CompiledVariant", "Program", "RuleProgram", "program"]

Local = dict[str, "date | None"]
Test = Callable[[Resolver, Scope, Local], bool]
DateFn = Callable[[Resolver, Scope, Local], "date | None"]
#: One offset option's :class:`~lacplan.offsets.OffsetNote` for each calendar it has timed
#: obligations under (a calendar is hashed by identity), with the month arithmetic it was made
#: for: written by the engine as evaluations meet them, so the obligations an option times
#: share one.
Notes = dict[WorkingDayCalendar, OffsetNote]
#: An exemption that may apply in a scope: the test that remains, the exemption, and the text
#: and branch its obligations are given.
LiveExemption = tuple[Test | None, Exemption, str, str]

#: Schedule kinds, as small ints the engine compares (no ``isinstance`` per obligation).
ONCE, CHAIN, WINDOWS, ROLLING, PER_EVENT = range(5)

# References the engine keeps in ``local`` (every other reference is never put there).
_LOCAL_REFS = frozenset({"anchor", "due", "matched", "data.start"})


# ---------------------------------------------------------------------------- dates
def date_ref(ref: str) -> DateFn:
    """A closure resolving one date reference, as ``Resolver._ref`` does."""
    if ref in _LOCAL_REFS:

        def from_local(r: Resolver, s: Scope, local: Local) -> date | None:
            return local.get(ref)

        return from_local
    if ref == "period.start":
        return _period_start
    if ref == "placement.start":
        return _placement_start
    if ref == "placement.end":
        return _placement_end
    if ref == "period.first_placement_start":
        return _first_placement_start

    if ref.startswith("rule:"):
        return _rule_field(ref)
    if ref.startswith("fact:"):
        return _fact(ref[5:])

    def generic(r: Resolver, s: Scope, local: Local) -> date | None:
        return r._ref(ref, s, local)

    return generic


def _rule_field(ref: str) -> DateFn:
    """``rule:<id>.due|met_on|closed_on``: the field of the first obligation of an earlier rule
    in this scope (else in the period), as ``Resolver._ref`` reads it."""
    rule_id, _, fld = ref[5:].partition(".")
    get = attrgetter(fld if fld in ("due", "met_on") else "closed_on")

    def rule_field(r: Resolver, s: Scope, local: Local) -> date | None:
        obs = s.results.get(rule_id) or r.run.results.get(rule_id)
        if not obs:
            return None
        found: date | None = get(obs[0])
        return found

    return rule_field


def _fact(name: str) -> DateFn:
    """``fact:<name>``: a derived fact of the case, computed once per case."""
    compute = DATE_FACTS[name]

    def fact(r: Resolver, s: Scope, local: Local) -> date | None:
        run = r.run
        facts = run.facts
        if name not in facts:
            facts[name] = compute(run.case, run.as_of)
        return facts[name]

    return fact


def _period_start(r: Resolver, s: Scope, local: Local) -> date | None:
    return s.period.start


def _placement_start(r: Resolver, s: Scope, local: Local) -> date | None:
    return s.placement.start if s.placement else None


def _placement_end(r: Resolver, s: Scope, local: Local) -> date | None:
    return s.own_end if s.placement else None


def _first_placement_start(r: Resolver, s: Scope, local: Local) -> date | None:
    return r.run.first_placement_start


def date_expr(expr: DateExpr) -> DateFn:
    """A closure resolving a date expression, as ``Resolver._date`` does."""
    if (
        expr.offset is None
        and expr.minus_months_convention is None
        and expr.plus_days_field is None
        and expr.not_before is None
        and expr.latest_before is None
        and expr.first_on_or_after is None
    ):
        return date_ref(expr.ref)

    if (
        expr.offset is not None
        and expr.minus_months_convention is None
        and expr.plus_days_field is None
        and expr.not_before is None
        and expr.latest_before is None
        and expr.first_on_or_after is None
    ):
        return _offset_only(expr, expr.offset)

    def shifted(r: Resolver, s: Scope, local: Local) -> date | None:
        return r._date(expr, s, local)

    return shifted


def _offset_only(expr: DateExpr, offset: Offset) -> DateFn:
    """A reference plus an offset, as ``Resolver._date`` resolves it: from a scope-level date
    (``placement.start + 12 months``) computed once per scope and kept in ``scope.dates``."""
    base, shift, key = date_ref(expr.ref), shifter(offset), id(expr)

    def plus_offset(r: Resolver, s: Scope, local: Local) -> date | None:
        d = base(r, s, local)
        if d is None:
            return None
        run = r.run
        return shift(d, run.calendar, run.months)

    if expr.ref not in SCOPE_REFS:
        return plus_offset

    def scope_plus_offset(r: Resolver, s: Scope, local: Local) -> date | None:
        dates = s.dates
        if key in dates:
            return dates[key]
        d = dates[key] = plus_offset(r, s, local)
        return d

    return scope_plus_offset


def optional_date(expr: DateExpr | None) -> DateFn | None:
    return None if expr is None else date_expr(expr)


# ------------------------------------------------------------------------ conditions
def conditions(conds: Sequence[Condition]) -> Test | None:
    """One closure testing every condition in order (``None``: there are none, so it holds)."""
    if not conds:
        return None
    tests = tuple(condition(c) for c in conds)
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests

        def both(r: Resolver, s: Scope, local: Local) -> bool:
            return first(r, s, local) and second(r, s, local)

        return both

    def every(r: Resolver, s: Scope, local: Local) -> bool:
        for t in tests:  # noqa: SIM110 - a plain loop: no generator per call
            if not t(r, s, local):
                return False
        return True

    return every


def static(c: Condition) -> bool:
    """Whether a condition's verdict is fixed for a scope (it reads only the period, the
    placements and the conventions), so it can be tested once per scope."""
    if isinstance(c, AttrCondition | ConventionCondition):
        return True
    if isinstance(c, AllCondition | NotCondition):
        return all(static(x) for x in c.conditions)
    return False


def period_fixed(c: Condition) -> bool:
    """Whether a condition's verdict is fixed for a period of care (it reads only the period
    and the conventions), so it is the same for every placement of the period."""
    if isinstance(c, AttrCondition):
        return c.target == "period"
    if isinstance(c, ConventionCondition):
        return True
    if isinstance(c, AllCondition | NotCondition):
        return all(period_fixed(x) for x in c.conditions)
    return False


def split(conds: Sequence[Condition]) -> tuple[Test | None, Test | None]:
    """``conds`` as (its leading scope-fixed conditions, the rest), each ``None`` when empty.

    Testing the first once per scope, then the rest, is testing them all in order: a false
    fixed condition stops the test before any other runs, as it does in order.
    """
    k = 0
    while k < len(conds) and static(conds[k]):
        k += 1
    return conditions(conds[:k]), conditions(conds[k:])


def condition(c: Condition) -> Test:
    """A closure testing one condition, as the resolver's test for its class does."""
    if isinstance(c, AttrCondition):
        return _attr(c)
    if isinstance(c, ConventionCondition):
        get, equals = attrgetter(c.name), c.equals

        def convention(r: Resolver, s: Scope, local: Local) -> bool:
            return bool(get(r.run.conventions) == equals)

        return convention
    if isinstance(c, RuleStatusCondition):
        return _rule_status(c)
    if isinstance(c, AllCondition):
        inner = conditions(c.conditions)
        return inner if inner is not None else _always
    if isinstance(c, NotCondition):
        negated = conditions(c.conditions)
        if negated is None:
            return _never

        def not_(r: Resolver, s: Scope, local: Local) -> bool:
            return not negated(r, s, local)

        return not_
    if isinstance(c, AgeCondition):
        return _age(c)
    if isinstance(c, DateOnOrAfter):
        on, limit = date_ref(c.on), c.date

        def on_or_after(r: Resolver, s: Scope, local: Local) -> bool:
            d = on(r, s, local)
            return d is not None and d >= limit

        return on_or_after
    if isinstance(c, DateBefore):
        on, before = date_ref(c.on), date_expr(c.limit)

        def date_before(r: Resolver, s: Scope, local: Local) -> bool:
            d = on(r, s, local)
            b = before(r, s, local)
            return d is not None and b is not None and d < b

        return date_before
    if isinstance(c, InPeriod):
        on = date_ref(c.on)

        def in_period(r: Resolver, s: Scope, local: Local) -> bool:
            d = on(r, s, local)
            p = s.period
            return d is not None and p.start <= d and (p.end is None or d <= p.end)

        return in_period
    test: Callable[[Resolver, Any, Scope, Local], bool] = _TESTS[type(c)]

    def generic(r: Resolver, s: Scope, local: Local) -> bool:
        return test(r, c, s, local)

    return generic


def _age(c: AgeCondition) -> Test:
    """``AgeCondition``, as the resolver's test: completed years on a date."""
    on, below, at_least, convention = date_ref(c.on), c.below, c.at_least, c.range_convention

    def age(r: Resolver, s: Scope, local: Local) -> bool:
        d = on(r, s, local)
        if d is None:
            return False
        years = age_on(r.run.case.date_of_birth, d)
        if below is not None and not years < below:
            return False
        if at_least is not None and not years >= at_least:
            return False
        if convention is not None:
            lo, hi = getattr(r.run.conventions, convention)
            return bool(lo <= years <= hi)
        return True

    return age


def _always(r: Resolver, s: Scope, local: Local) -> bool:
    return True


def _never(r: Resolver, s: Scope, local: Local) -> bool:
    return False


def _attr(c: AttrCondition) -> Test:
    equals = c.equals
    if c.field == "ends_in_move" and c.target == "placement":

        def placement_ends_in_move(r: Resolver, s: Scope, local: Local) -> bool:
            p = s.placement
            if p is None:
                return equals is None
            run = r.run
            return ends_in_move(p, s.next_placement, run.as_of, run.eighteen) == equals

        return placement_ends_in_move
    if c.field in ("first_in_period", "ends_in_move"):

        def special(r: Resolver, s: Scope, local: Local) -> bool:
            return r._attr(c, s) == equals

        return special
    get = attrgetter(c.field)
    if c.target == "period":

        def of_period(r: Resolver, s: Scope, local: Local) -> bool:
            return bool(get(s.period) == equals)

        return of_period
    if c.target == "placement":

        def of_placement(r: Resolver, s: Scope, local: Local) -> bool:
            p = s.placement
            return bool((None if p is None else get(p)) == equals)

        return of_placement

    def of_next(r: Resolver, s: Scope, local: Local) -> bool:
        p = s.next_placement
        return bool((None if p is None else get(p)) == equals)

    return of_next


def _rule_status(c: RuleStatusCondition) -> Test:
    rule, statuses, reasons = c.rule, frozenset(c.status_in), c.reason_in

    def rule_status(r: Resolver, s: Scope, local: Local) -> bool:
        prior = s.results.get(rule) or r.run.results.get(rule)
        if not prior:
            return False
        if reasons and prior[0].reason not in reasons:
            return False
        return prior[0].status in statuses

    return rule_status


# ------------------------------------------------------------------------- rules
class CompiledRule:
    """One rule version, with everything the engine needs per obligation resolved once."""

    __slots__ = (
        "anchors",
        "applies",
        "applies_fixed",
        "applies_rest",
        "base_rule",
        "by_anchor",
        "chain",
        "cite",
        "decl",
        "earlier_branches",
        "ending_branches",
        "endings",
        "exemptions",
        "id",
        "in_force_end",
        "in_force_start",
        "layer",
        "offset_branches",
        "offsets",
        "options",
        "reads",
        "sat_after",
        "sat_closes_at_end",
        "sat_end",
        "sat_events",
        "sat_events_key",
        "sat_key",
        "sat_last",
        "sat_scope",
        "sat_start",
        "sat_within",
        "title",
        "unfixed_exemptions",
        "variant",
        "version",
    )

    def __init__(self, decl: Rule, layer: Layer, reads: frozenset[str]) -> None:
        self.decl = decl
        self.id = decl.id
        # What every obligation carries, read once (a slot reads faster than a model's field).
        self.title = decl.title
        self.version = decl.version
        self.variant = decl.variant
        self.base_rule = decl.base_rule
        self.layer = layer
        self.reads = reads
        self.chain = isinstance(decl.schedule, Chain)
        self.by_anchor = decl.chosen_by == "anchor"
        self.in_force_start = decl.in_force.start
        self.in_force_end = decl.in_force.end
        # What every obligation shares with its rule version and citation: one RuleFacts per
        # offset option (in ``offsets``) and this one, under the rule's own citation.
        self.cite = _facts(
            decl,
            layer,
            decl.citation.label,
            decl.citation.url,
            None,
            cited(decl.citation, decl, layer),
        )
        self.applies = conditions(decl.applies)
        # The same, as (its leading scope-fixed conditions, the rest): the engine tests the
        # first before it times an obligation (most scopes a rule does not arise in are told
        # apart by their placement or period alone), the rest once the timing is known.
        self.applies_fixed, self.applies_rest = split(decl.applies)
        # Each exemption with its explanation's text and its branch, written once here.
        self.exemptions: tuple[tuple[Test | None, Test | None, Exemption, str, str], ...] = tuple(
            (*split(ex.when), ex, f"{verdict(ex.status)}: {ex.label}.", f"exemption:{ex.reason}")
            for ex in decl.exemptions
        )
        self.anchors: tuple[tuple[Test | None, DateFn, str, str | None], ...] = tuple(
            (conditions(opt.when), date_expr(opt.date), opt.label, _carried(opt))
            for opt in decl.anchor
        )
        self.offsets: tuple[
            tuple[
                tuple[Test | None, Test | None],
                OffsetOption,
                tuple[tuple[Test | None, DateFn, EarlierDue], ...],
                RuleFacts,
                Shift | None,
                Offset | None,
                str | None,
                Notes,
            ],
            ...,
        ] = tuple(
            (
                split(opt.when),
                opt,
                tuple((conditions(e.when), date_expr(e.date), e) for e in opt.earlier_of),
                _facts(
                    decl,
                    layer,
                    *_cite(opt, decl),
                    opt,
                    cited(opt.citation or decl.citation, decl, layer),
                ),
                None if opt.offset is None else shifter(opt.offset),
                opt.offset,
                None if opt.offset is None else fixed_note(opt.offset),
                {},  # the option's OffsetNotes by calendar (engine: ``_offset_note``)
            )
            for opt in decl.offsets
        )
        self.offset_branches = tuple(f"offset:{i}" for i in range(len(self.offsets)))
        self.earlier_branches = tuple(
            tuple(f"earlier:{i}.{k}" for k in range(len(opt.earlier_of)))
            for i, opt in enumerate(decl.offsets)
        )
        # With no scope-fixed conditions, every scope binds the same options and exemptions.
        self.options = (
            None
            if any(fixed is not None for (fixed, _), *_ in self.offsets)
            else tuple((i, rest) for i, ((_, rest), *_) in enumerate(self.offsets))
        )
        self.unfixed_exemptions: tuple[LiveExemption, ...] | None = (
            None
            if any(fixed is not None for fixed, *_ in self.exemptions)
            else tuple((rest, ex, text, branch) for _, rest, ex, text, branch in self.exemptions)
        )
        sat = decl.satisfied_by
        self.sat_scope = sat.scope or decl.scope
        self.sat_events: tuple[EventMatch, ...] = sat.events
        self.sat_key = id(sat)
        self.sat_start = optional_date(sat.start)
        self.sat_after = optional_date(sat.after)
        self.sat_end = optional_date(sat.end)
        self.sat_within = sat.within_placements
        self.sat_closes_at_end = sat.closes_at_end
        self.sat_last = sat.pick == "last"
        self.sat_events_key = select_key(sat.events) if sat.events else 0
        self.endings: tuple[tuple[tuple[EventMatch], Ending, int], ...] = tuple(
            ((e.event,), e, id(e.event)) for e in decl.endings
        )
        # Each ending's branch (``ending:<reason>``), written once here.
        self.ending_branches: dict[str | None, str] = {
            e.reason: f"ending:{e.reason}" for e in decl.endings
        }

    def live_options(self, r: Resolver, scope: Scope) -> tuple[tuple[int, Test | None], ...]:
        """The offset options whose scope-fixed conditions hold in ``scope`` (tested once per
        scope), each with the test that remains."""
        key = id(self)
        hit: tuple[tuple[int, Test | None], ...] | None = scope.live.get(key)
        if hit is None:
            hit = scope.live[key] = tuple(
                [
                    (i, rest)
                    for i, ((fixed, rest), *_) in enumerate(self.offsets)
                    if fixed is None or fixed(r, scope, {})
                ]
            )
        return hit

    def live_exemptions(self, r: Resolver, scope: Scope) -> tuple[LiveExemption, ...]:
        """The exemptions whose scope-fixed conditions hold in ``scope``, as above."""
        key = -id(self)
        hit: tuple[LiveExemption, ...] | None = scope.live.get(key)
        if hit is None:
            hit = scope.live[key] = tuple(
                [
                    (rest, ex, text, branch)
                    for fixed, rest, ex, text, branch in self.exemptions
                    if fixed is None or fixed(r, scope, {})
                ]
            )
        return hit

    def in_force(self, d: date) -> bool:
        end = self.in_force_end
        return self.in_force_start <= d and (end is None or d <= end)


def _carried(opt: AnchorOption) -> str | None:
    """The rule whose due date this anchor takes unchanged (its basis is carried over)."""
    rule_ref = opt.date.rule_ref
    if rule_ref and rule_ref[1] == "due" and opt.date.offset is None:
        return rule_ref[0]
    return None


def _facts(
    decl: Rule, layer: Layer, label: str, url: str, option: OffsetOption | None, citing: str
) -> RuleFacts:
    """What the obligations of ``decl`` under one citation share, with the offset ``option``
    and the ``citing`` sentence their explanations read."""
    return RuleFacts(
        decl.id,
        decl.title,
        layer.source,
        decl.version,
        decl.variant,
        label,
        url,
        decl.base_rule,
        option,
        citing,
    )


def _cite(opt: OffsetOption, decl: Rule) -> tuple[str, str]:
    cite = opt.citation if opt.citation else decl.citation
    return cite.label, cite.url


def _kind(schedule: Schedule) -> int:
    if isinstance(schedule, Chain):
        return CHAIN
    if isinstance(schedule, Windows):
        return WINDOWS
    if isinstance(schedule, RollingWindows):
        return ROLLING
    if isinstance(schedule, PerEvent):
        return PER_EVENT
    return ONCE


class CompiledVariant:
    """One variant of a rule: its versions, the scope it runs in and when it applies."""

    __slots__ = ("kind", "period_fixed", "schedule", "scope", "scope_end", "versions", "when")

    def __init__(self, versions: tuple[CompiledRule, ...]) -> None:
        first = versions[0].decl
        self.versions = versions
        self.scope = first.scope
        self.when = conditions(first.variant_when)
        # Whether it applies or not is the same for every placement of a period of care.
        self.period_fixed = all(period_fixed(c) for c in first.variant_when)
        self.schedule = first.schedule
        self.kind = _kind(first.schedule)
        self.scope_end = first.scope_end


class RuleProgram:
    """Every variant of one rule id, the layer (calendar) it uses and where it runs."""

    __slots__ = (
        "id",
        "layer",
        "on_period",
        "on_placement",
        "other_kinds",
        "period_only",
        "picked_per_period",
        "variants",
    )

    def __init__(self, pack: RulePack, rule_id: str, compiled: dict[int, CompiledRule]) -> None:
        self.id = rule_id
        self.layer = pack.layer(rule_id).name
        kinds = pack.scopes(rule_id)
        self.on_period = "period" in kinds
        self.on_placement = "placement" in kinds
        self.period_only = kinds == {"period"}
        self.variants = tuple(
            CompiledVariant(tuple(compiled[id(v)] for v in vs)) for vs in pack.variants(rule_id)
        )
        # For each kind of scope, whether a variant runs in the other kind.
        self.other_kinds = {
            kind: any(v.scope != kind for v in self.variants) for kind in ("period", "placement")
        }
        # The variant a placement runs is the same for every placement of a period when each
        # placement variant's conditions read only the period: chosen once per period.
        self.picked_per_period = all(
            v.period_fixed for v in self.variants if v.scope == "placement"
        )


class Program:
    """A rule pack compiled: its rules in catalogue order."""

    __slots__ = ("rules",)

    def __init__(self, pack: RulePack) -> None:
        compiled: dict[int, CompiledRule] = {}
        for rule_id in pack.ids:
            layer = pack.layer(rule_id)
            for vs in pack.variants(rule_id):
                for decl in vs:
                    compiled[id(decl)] = CompiledRule(decl, layer, pack.reads(decl))
        self.rules = tuple(RuleProgram(pack, rule_id, compiled) for rule_id in pack.ids)


def program(pack: RulePack) -> Program:
    """The pack's compiled program, built on first use and kept with the (immutable) pack."""
    prog: Program | None = pack._program
    if prog is None:
        prog = Program(pack)
        pack._program = prog
    return prog
