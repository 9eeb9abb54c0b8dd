"""Resolving a declaration's date references and conditions against one case (no rule-specific
code): the part of the engine that answers "what date is ``placement.start + 12 months``?" and
"does this condition hold?" for a scope. ``rules/engine.py`` builds obligations on top of it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from lacplan.calendar import add_months, age_on
from lacplan.model import Placement
from lacplan.offsets import Months, offset_date
from lacplan.rules.facts import DATE_FACTS
from lacplan.rules.pack import RulePack
from lacplan.rules.schema import (
    AgeCondition,
    AllCondition,
    AnyCondition,
    AttrCondition,
    Condition,
    ConventionCondition,
    DateBefore,
    DateExpr,
    DateOnOrAfter,
    EventExists,
    EventState,
    InPeriod,
    LegalStatusIs,
    LookedAfterFor,
    NotCondition,
    RuleStatusCondition,
)
from lacplan.rules.state import EMPTY_INDEX, EventIndex, Run, Scope

__all__ = ["SCOPE_REFS", "Resolver", "ends_in_move"]

_DAY = timedelta(days=1)

#: Date references fixed for a scope (not depending on the obligation being computed).
SCOPE_REFS = frozenset(
    {"period.start", "period.first_placement_start", "placement.start", "placement.end"}
)


class Resolver:
    """Date references and conditions of one rule pack over one case (``run``)."""

    __slots__ = ("pack", "run")

    def __init__(self, pack: RulePack, run: Run) -> None:
        self.pack = pack
        self.run = run

    # ------------------------------------------------------------ date references
    def _ref(self, ref: str, scope: Scope, local: dict[str, date | None]) -> date | None:
        if ref in local:
            return local[ref]
        run = self.run
        if ref == "period.start":
            return scope.period.start
        if ref == "period.first_placement_start":
            return run.first_placement_start
        if ref == "placement.start":
            return scope.placement.start if scope.placement else None
        if ref == "placement.end":
            return scope.own_end if scope.placement else None
        if ref == "data.start":
            return None  # set in ``local`` for a case with a coverage (engine ``_timing``)
        if ref.startswith("fact:"):
            name = ref[5:]
            if name not in run.facts:
                run.facts[name] = DATE_FACTS[name](run.case, run.as_of)
            return run.facts[name]
        if ref.startswith("legal_status:"):
            return self._status_change(ref[13:], scope)
        rule_id, _, fld = ref[5:].partition(".")
        obs = scope.results.get(rule_id) or run.results.get(rule_id)
        if not obs:
            return None
        first = obs[0]
        if fld == "due":
            return first.due
        if fld == "met_on":
            return first.met_on
        return first.closed_on

    def _status_change(self, status: str, scope: Scope) -> date | None:
        """The first date in the scope (on or before ``as_of``) the legal status became
        ``status``."""
        last = self.run.as_of if scope.hard_end is None else min(scope.hard_end, self.run.as_of)
        previous: str | None = None
        for entry in scope.period.legal_status:
            if entry.from_ > last:
                break
            if entry.status == status and previous != status and entry.from_ >= scope.start:
                return entry.from_
            previous = entry.status
        return None

    def _date(self, expr: DateExpr, scope: Scope, local: dict[str, date | None]) -> date | None:
        if (
            expr.offset is None
            and expr.minus_months_convention is None
            and expr.plus_days_field is None
            and expr.not_before is None
            and expr.latest_before is None
            and expr.first_on_or_after is None
        ):
            return self._ref(expr.ref, scope, local)
        # Offsets from scope-level dates (e.g. placement start + 12 months) are computed once.
        fixed = (
            expr.ref in SCOPE_REFS
            and (expr.not_before is None or expr.not_before in SCOPE_REFS)
            and expr.latest_before is None
            and expr.first_on_or_after is None
        )
        if fixed and id(expr) in scope.dates:
            return scope.dates[id(expr)]
        d = self._ref(expr.ref, scope, local)
        if d is not None and expr.latest_before is not None:
            _, dates = self.run.period_events.select((expr.latest_before,))
            k = bisect_left(dates, d)
            d = dates[k - 1] if k else None
        if d is not None and expr.first_on_or_after is not None:
            _, dates = self.run.period_events.select((expr.first_on_or_after,))
            k = bisect_left(dates, d)
            d = dates[k] if k < len(dates) else None
        if d is not None:
            d = self._shift(expr, d, scope)
        if d is not None and expr.not_before is not None:
            floor = self._ref(expr.not_before, scope, local)
            if floor is not None and floor > d:
                d = floor
        if fixed:
            scope.dates[id(expr)] = d
        return d

    def _shift(self, expr: DateExpr, d: date, scope: Scope) -> date | None:
        run = self.run
        if expr.offset is not None:
            d = offset_date(d, expr.offset, run.calendar, run.conventions.month_arithmetic)
        if expr.minus_months_convention is not None:
            months = int(getattr(run.conventions, expr.minus_months_convention))
            d = offset_date(d, _months_before(months), run.calendar, run.months)
        if expr.plus_days_field is not None:
            days = getattr(scope.period, expr.plus_days_field)
            if days is None:
                return None
            d = d + timedelta(days=int(days))
        return d

    # ------------------------------------------------------------------ conditions
    def _events(self, scope_name: str, scope: Scope) -> EventIndex:
        if scope_name == "placement":
            return scope.events if scope.placement else EMPTY_INDEX
        if scope_name == "child":
            return self.run.child_events
        return self.run.period_events

    def _holds(
        self, conds: Sequence[Condition], scope: Scope, local: dict[str, date | None]
    ) -> bool:
        tests = _TESTS
        for c in conds:  # noqa: SIM110 - a plain loop: no generator per call in the hot path
            if not tests[type(c)](self, c, scope, local):
                return False
        return True

    def _holds1(self, c: Condition, scope: Scope, local: dict[str, date | None]) -> bool:
        test: Callable[[Resolver, Any, Scope, dict[str, date | None]], bool] = _TESTS[type(c)]
        return test(self, c, scope, local)

    def _c_attr_condition(
        self, c: AttrCondition, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        return self._attr(c, scope) == c.equals

    def _c_age_condition(
        self, c: AgeCondition, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        run = self.run
        on = self._ref(c.on, scope, local)
        if on is None:
            return False
        age = age_on(run.case.date_of_birth, on)
        if c.below is not None and not age < c.below:
            return False
        if c.at_least is not None and not age >= c.at_least:
            return False
        if c.range_convention is not None:
            lo, hi = getattr(run.conventions, c.range_convention)
            return bool(lo <= age <= hi)
        return True

    def _c_date_before(self, c: DateBefore, scope: Scope, local: dict[str, date | None]) -> bool:
        on = self._ref(c.on, scope, local)
        limit = self._date(c.limit, scope, local)
        return on is not None and limit is not None and on < limit

    def _c_date_on_or_after(
        self, c: DateOnOrAfter, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        on = self._ref(c.on, scope, local)
        return on is not None and on >= c.date

    def _c_event_state(self, c: EventState, scope: Scope, local: dict[str, date | None]) -> bool:
        on = self._ref(c.on, scope, local)
        if on is None:
            return False
        idx = self._events(c.scope, scope)
        latest: tuple[date, int, bool] | None = None
        for match, value in ((c.set, True), (c.clear, False)):
            found, dates = idx.select((match,))
            k = bisect_right(dates, on)
            if k and (latest is None or found[k - 1][:2] > latest[:2]):
                latest = (found[k - 1][0], found[k - 1][1], value)
        return latest is not None and latest[2]

    def _c_event_exists(self, c: EventExists, scope: Scope, local: dict[str, date | None]) -> bool:
        start = self._date(c.start, scope, local)
        before = self._date(c.before, scope, local)
        if start is None or before is None:
            return False
        _, days = self._events(c.scope, scope).select((c.match,))
        lo, hi = bisect_left(days, start), bisect_left(days, before)
        if lo < hi:
            local["matched"] = days[hi - 1]  # the latest such event: an exemption relies on it
        return lo < hi

    def _c_looked_after_for(
        self, c: LookedAfterFor, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        run = self.run
        on = self._ref(c.on, scope, local)
        p = scope.period
        if on is None or on < p.start:
            return False
        if p.end is not None and p.end <= run.as_of and on > p.end:
            return False
        return add_months(p.start, c.months) <= on + _DAY

    def _c_in_period(self, c: InPeriod, scope: Scope, local: dict[str, date | None]) -> bool:
        on = self._ref(c.on, scope, local)
        p = scope.period
        return on is not None and p.start <= on and (p.end is None or on <= p.end)

    def _c_legal_status_is(
        self, c: LegalStatusIs, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        on = self._ref(c.on, scope, local)
        return on is not None and scope.period.legal_status_on(on) in c.status_in

    def _c_rule_status_condition(
        self, c: RuleStatusCondition, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        run = self.run
        prior = scope.results.get(c.rule) or run.results.get(c.rule)
        if not prior:
            return False
        status: str = prior[0].status
        if c.reason_in and prior[0].reason not in c.reason_in:
            return False
        return any(status == s for s in c.status_in)

    def _c_convention_condition(
        self, c: ConventionCondition, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        run = self.run
        return bool(getattr(run.conventions, c.name) == c.equals)

    def _c_not_condition(
        self, c: NotCondition, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        return not self._holds(c.conditions, scope, local)

    def _c_any_condition(
        self, c: AnyCondition, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        return any(self._holds1(x, scope, local) for x in c.conditions)

    def _c_all_condition(
        self, c: AllCondition, scope: Scope, local: dict[str, date | None]
    ) -> bool:
        return self._holds(c.conditions, scope, local)

    def _attr(self, c: AttrCondition, scope: Scope) -> object:
        if c.target == "period":
            return getattr(scope.period, c.field)
        target = scope.placement if c.target == "placement" else scope.next_placement
        if target is None:
            return None
        if c.field == "first_in_period":
            return target is scope.period.placements[0]
        if c.field == "ends_in_move":
            nxt = scope.next_placement if c.target == "placement" else None
            run = self.run
            return ends_in_move(target, nxt, run.as_of, run.eighteen)
        return getattr(target, c.field)

    # ------------------------------------------------------------------ obligations


#: Each condition class's test (a dict look-up instead of a chain of ``isinstance``).
_TESTS: dict[type, Callable[[Resolver, Any, Scope, dict[str, date | None]], bool]] = {
    AttrCondition: Resolver._c_attr_condition,
    AgeCondition: Resolver._c_age_condition,
    DateBefore: Resolver._c_date_before,
    DateOnOrAfter: Resolver._c_date_on_or_after,
    EventState: Resolver._c_event_state,
    EventExists: Resolver._c_event_exists,
    LookedAfterFor: Resolver._c_looked_after_for,
    InPeriod: Resolver._c_in_period,
    LegalStatusIs: Resolver._c_legal_status_is,
    RuleStatusCondition: Resolver._c_rule_status_condition,
    ConventionCondition: Resolver._c_convention_condition,
    NotCondition: Resolver._c_not_condition,
    AnyCondition: Resolver._c_any_condition,
    AllCondition: Resolver._c_all_condition,
}


def ends_in_move(placement: Placement, nxt: Placement | None, as_of: date, eighteen: date) -> bool:
    """A placement's ``ends_in_move``: it ended, on or before ``as_of`` and while the child was
    under 18, on the day the next placement of the same period (``nxt``) started."""
    end = placement.end
    return (
        end is not None and end <= as_of and end < eighteen and nxt is not None and nxt.start == end
    )


@lru_cache(maxsize=64)
def _months_before(months: int) -> Months:
    """``Months(n=-months)``, validated once per number (a convention's months, such as
    ``review_before_move_months``), not once per obligation."""
    return Months(n=-months)
