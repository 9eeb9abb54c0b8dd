"""The rule engine: turns a validated :class:`~lacplan.model.Case` and a rule pack into obligations.

The engine reads rule declarations (``rules/schema.py``) and nothing else: there is no branch on a
rule id anywhere in this module. For each period of care (and each placement, for
placement-scoped rules) it walks the pack in catalogue order, so a rule may refer to the result of
an earlier rule in the same period (``rule:<id>.due`` and friends).

Status semantics (the rules issue), for an obligation with due date ``due`` as at ``as_of``:

* met by an event: ``met_on_time`` when ``met_on <= due`` (or there is no fixed due), else
  ``met_late``;
* unmet, scope ended (on or before ``as_of``): ``not_required`` when it ended before ``due``,
  ``missed`` when it ended on or after ``due`` or the duty has no fixed due date;
* unmet, scope open: ``overdue`` when ``as_of > due``, else ``pending``.

A period's scope ends at its end date or the child's 18th birthday, whichever is first; ends
after ``as_of`` count as open. Events dated after ``as_of`` are ignored.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from lacplan.calendar import WorkingDayCalendar, add_months, age_on, birthday, fmt_date
from lacplan.model import Assignment, Case, Event, Period, Placement, assign_events
from lacplan.offsets import Months, apply_offset, describe_offset
from lacplan.report import ChildResult, Obligation
from lacplan.rules.conventions import Conventions, TermWindow
from lacplan.rules.facts import DATE_FACTS, looked_after_since
from lacplan.rules.pack import RulePack
from lacplan.rules.schema import (
    AgeCondition,
    AnchorOption,
    AttrCondition,
    Chain,
    Condition,
    ConventionCondition,
    DateBefore,
    DateExpr,
    DateOnOrAfter,
    EventExists,
    EventMatch,
    EventState,
    LookedAfterFor,
    NotCondition,
    OffsetOption,
    PerEvent,
    Rule,
    RuleStatusCondition,
    Windows,
)

__all__ = ["evaluate_case"]

_CHAIN_LIMIT = 10_000  # a guard, far above any real chain (weekly visits for 18 years = 940)

_EventList = list[tuple[date, int, Event]]


@dataclass(slots=True)
class _EventIndex:
    """Events by type, each list sorted by (date, input position)."""

    by_type: dict[str, _EventList] = field(default_factory=dict)
    # Memo of `select` results, keyed by the identity of the (long-lived) EventMatch objects.
    _memo: dict[tuple[int, ...], tuple[_EventList, list[date]]] = field(default_factory=dict)

    def add(self, pos: int, event: Event) -> None:
        self.by_type.setdefault(event.type, []).append((event.date, pos, event))

    def finish(self) -> None:
        for lst in self.by_type.values():
            lst.sort(key=lambda t: (t[0], t[1]))

    def select(self, matches: Sequence[EventMatch]) -> tuple[_EventList, list[date]]:
        """Events matching any of ``matches`` sorted by (date, position), and their dates."""
        key = tuple(map(id, matches))
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        out: _EventList = []
        for m in matches:
            lst = self.by_type.get(m.type)
            if not lst:
                continue
            if m.fields:
                out.extend(t for t in lst if _fields_match(t[2], m))
            else:
                out.extend(lst)
        if len(matches) > 1:
            out.sort(key=lambda t: (t[0], t[1]))
        result = (out, [t[0] for t in out])
        self._memo[key] = result
        return result

    def matching(self, matches: Sequence[EventMatch]) -> _EventList:
        """Events matching any of ``matches``, sorted by (date, position)."""
        return self.select(matches)[0]


def _fields_match(event: Event, match: EventMatch) -> bool:
    return all(getattr(event, k, _MISSING) == v for k, v in match.fields)


_MISSING = object()
# Date references fixed for a scope (not depending on the obligation being computed).
_SCOPE_REFS = frozenset(
    {"period.start", "period.first_placement_start", "placement.start", "placement.end"}
)
_EMPTY_INDEX = _EventIndex()


@dataclass(slots=True)
class _Scope:
    """Where one rule's clock runs: a period, optionally narrowed to a placement."""

    period: Period
    placement: Placement | None
    next_placement: Placement | None
    start: date
    end: date | None  # ended on or before as_of (incl. 18th birthday); None = open
    hard_end: date | None  # last date an event may count (end or 18th birthday, ignoring as_of)
    events: _EventIndex
    results: dict[str, list[Obligation]] = field(default_factory=dict)  # placement-scoped rules
    dates: dict[int, date | None] = field(default_factory=dict)  # memo of scope-level DateExprs


class _Timing(NamedTuple):
    anchor: tuple[date, str]
    due: date | None
    due_text: str
    option: OffsetOption | None


@dataclass(slots=True)
class _Run:
    """Per-case evaluation state."""

    case: Case
    as_of: date
    conventions: Conventions
    calendar: WorkingDayCalendar
    eighteen: date
    child_events: _EventIndex
    period: Period | None = None
    period_events: _EventIndex = field(default_factory=_EventIndex)
    first_placement_start: date | None = None
    results: dict[str, list[Obligation]] = field(default_factory=dict)
    facts: dict[str, date | None] = field(default_factory=dict)


def _status_of(
    met_on: date | None, due: date | None, scope_end: date | None, as_of: date
) -> tuple[str, str | None]:
    if met_on is not None:
        return ("met_on_time" if due is None or met_on <= due else "met_late"), None
    if scope_end is not None:
        if due is None:
            return "missed", "no_fixed_timescale"
        return ("not_required", "scope_ended") if scope_end < due else ("missed", None)
    if due is None:
        return "pending", "no_fixed_timescale"
    return ("overdue", None) if as_of > due else ("pending", None)


class _Evaluator:
    """Evaluates one rule pack over one case. No rule-specific code: only declarations."""

    __slots__ = ("pack", "run")

    def __init__(self, pack: RulePack, run: _Run) -> None:
        self.pack = pack
        self.run = run

    # ------------------------------------------------------------ date references
    def _ref(self, ref: str, scope: _Scope, local: dict[str, date | None]) -> date | None:
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
            return scope.end if scope.placement else None
        if ref.startswith("fact:"):
            name = ref[5:]
            if name not in run.facts:
                run.facts[name] = DATE_FACTS[name](run.case, run.as_of)
            return run.facts[name]
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

    def _date(self, expr: DateExpr, scope: _Scope, local: dict[str, date | None]) -> date | None:
        if expr.offset is None and expr.minus_months_convention is None:
            return self._ref(expr.ref, scope, local)
        # Offsets from scope-level dates (e.g. placement start + 12 months) are computed once.
        fixed = expr.ref in _SCOPE_REFS
        if fixed and id(expr) in scope.dates:
            return scope.dates[id(expr)]
        d = self._ref(expr.ref, scope, local)
        if d is not None:
            d = self._shift(expr, d)
        if fixed:
            scope.dates[id(expr)] = d
        return d

    def _shift(self, expr: DateExpr, d: date) -> date:
        run = self.run
        if expr.offset is not None:
            d = apply_offset(d, expr.offset, run.calendar, run.conventions.month_arithmetic)[0]
        if expr.minus_months_convention is not None:
            months = int(getattr(run.conventions, expr.minus_months_convention))
            back = Months(n=-months)
            d = apply_offset(d, back, run.calendar, run.conventions.month_arithmetic)[0]
        return d

    # ------------------------------------------------------------------ conditions
    def _events(self, scope_name: str, scope: _Scope) -> _EventIndex:
        if scope_name == "placement":
            return scope.events if scope.placement else _EMPTY_INDEX
        if scope_name == "child":
            return self.run.child_events
        return self.run.period_events

    def _holds(
        self, conds: Sequence[Condition], scope: _Scope, local: dict[str, date | None]
    ) -> bool:
        for c in conds:  # noqa: SIM110 - a plain loop: no generator per call in the hot path
            if not self._holds1(c, scope, local):
                return False
        return True

    def _holds1(self, c: Condition, scope: _Scope, local: dict[str, date | None]) -> bool:
        run = self.run
        if isinstance(c, AttrCondition):
            return self._attr(c, scope) == c.equals
        if isinstance(c, AgeCondition):
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
        if isinstance(c, DateBefore):
            on = self._ref(c.on, scope, local)
            limit = self._date(c.limit, scope, local)
            return on is not None and limit is not None and on < limit
        if isinstance(c, DateOnOrAfter):
            on = self._ref(c.on, scope, local)
            return on is not None and on >= c.date
        if isinstance(c, EventState):
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
        if isinstance(c, EventExists):
            start = self._date(c.start, scope, local)
            before = self._date(c.before, scope, local)
            if start is None or before is None:
                return False
            _, days = self._events(c.scope, scope).select((c.match,))
            lo, hi = bisect_left(days, start), bisect_left(days, before)
            if lo < hi:
                local["matched"] = days[hi - 1]  # the latest such event: an exemption relies on it
            return lo < hi
        if isinstance(c, LookedAfterFor):
            on = self._ref(c.on, scope, local)
            if on is None:
                return False
            since = looked_after_since(run.case, on, run.as_of)
            return since is not None and add_months(since, c.months) <= on
        if isinstance(c, RuleStatusCondition):
            prior = scope.results.get(c.rule) or run.results.get(c.rule)
            if not prior:
                return False
            status: str = prior[0].status
            return any(status == s for s in c.status_in)
        if isinstance(c, ConventionCondition):
            return bool(getattr(run.conventions, c.name) == c.equals)
        if isinstance(c, NotCondition):
            return not self._holds(c.conditions, scope, local)
        raise TypeError(f"unsupported condition {type(c).__name__}")  # pragma: no cover

    def _attr(self, c: AttrCondition, scope: _Scope) -> object:
        if c.target == "period":
            return getattr(scope.period, c.field)
        target = scope.placement if c.target == "placement" else scope.next_placement
        if target is None:
            return None
        if c.field == "ends_in_move":
            nxt = scope.next_placement if c.target == "placement" else None
            return (
                scope.end is not None
                and target.end is not None
                and nxt is not None
                and nxt.start == target.end
            )
        return getattr(target, c.field)

    # ------------------------------------------------------------------ obligations
    def _anchor(
        self, decl: Rule, scope: _Scope, local: dict[str, date | None]
    ) -> tuple[date, str] | None:
        opt: AnchorOption
        for opt in decl.anchor:
            if not self._holds(opt.when, scope, local):
                continue
            d = self._date(opt.date, scope, local)
            if d is None:
                continue
            rule_ref = opt.date.rule_ref
            if rule_ref and rule_ref[1] == "due" and opt.date.offset is None:
                # Carry over how the referenced due date was reached (its skipped holidays).
                prior = scope.results.get(rule_ref[0]) or self.run.results.get(rule_ref[0])
                if prior and prior[0].basis:
                    return d, f"{opt.label}: {prior[0].basis}"
            return d, opt.label
        return None

    def _offset(self, decl: Rule, scope: _Scope, local: dict[str, date | None]) -> OffsetOption:
        for opt in decl.offsets:
            if self._holds(opt.when, scope, local):
                return opt
        return decl.offsets[-1]  # the validator makes the last option unconditional

    def _timing(
        self,
        decl: Rule,
        scope: _Scope,
        anchor_override: tuple[date, str] | None,
        window: tuple[date, date, str] | None,
    ) -> _Timing | None:
        """Anchor and due date of one obligation under one rule version (None: no anchor)."""
        if window is not None:
            return _Timing((window[0], window[2]), window[1], "", None)
        local: dict[str, date | None] = {}
        anchor = anchor_override or self._anchor(decl, scope, local)
        if anchor is None:
            return None
        local["anchor"] = anchor[0]
        option = self._offset(decl, scope, local)
        if option.offset is None:
            return _Timing(anchor, None, "", option)
        run = self.run
        due, text = apply_offset(
            anchor[0], option.offset, run.calendar, run.conventions.month_arithmetic
        )
        return _Timing(anchor, due, text, option)

    def _obligation(
        self,
        versions: Sequence[Rule],
        scope: _Scope,
        sequence: int,
        anchor_override: tuple[date, str] | None = None,
        window: tuple[date, date, str] | None = None,
    ) -> Obligation | None:
        run = self.run
        # A20: each version computes its own dates; the first in force on its due date (or, with
        # no fixed due date, its anchor) applies.
        chosen: tuple[Rule, _Timing] | None = None
        first: tuple[Rule, _Timing] | None = None
        for decl in versions:
            t = self._timing(decl, scope, anchor_override, window)
            if t is None:
                continue
            if first is None:
                first = (decl, t)
            if decl.in_force.contains(t.due or t.anchor[0]):
                chosen = (decl, t)
                break
        in_force = chosen is not None
        if chosen is None:
            if first is None:
                return None  # no anchor: the duty has not started (e.g. its chain never began)
            chosen = first
        decl, t = chosen
        due = t.due
        local: dict[str, date | None] = {"anchor": t.anchor[0], "due": due}
        if decl.applies and not self._holds(decl.applies, scope, local):
            return None
        if in_force:
            for ex in decl.exemptions:
                if self._holds(ex.when, scope, local):
                    verdict = "Exempt" if ex.status == "exempt" else "Not required"
                    return self._build(
                        decl,
                        scope,
                        sequence,
                        t,
                        None,
                        local.get("matched"),
                        ex.status,
                        ex.reason,
                        f"{verdict}: {ex.label}.",
                    )
        met_on, event, closed_on, ending_status, ending_reason = self._satisfy(
            decl, scope, local, window
        )
        status: str
        reason: str | None
        if not in_force:
            status, reason = "not_evaluated", "not_in_force"
        elif ending_status is not None:
            status, reason = ending_status, ending_reason
        else:
            status, reason = _status_of(met_on, due, scope.end, run.as_of)
        if event is not None and closed_on is not None:
            verb = "Closed" if ending_status is not None else "Met"
            ref = f" (event {event.event_id})" if event.event_id else ""
            tail = f"{verb} on {fmt_date(closed_on)} by {event.type}{ref}."
        elif status == "overdue":
            tail = f"Not met as at {fmt_date(run.as_of)}."
        elif status == "pending":
            tail = f"Not yet met as at {fmt_date(run.as_of)}."
        elif status == "missed":
            tail = (
                f"Not met before the {self._scope_word(scope)} ended on "
                f"{fmt_date(scope.end or run.as_of)}."
            )
        elif status == "not_required":
            tail = (
                f"The {self._scope_word(scope)} ended on {fmt_date(scope.end or run.as_of)}, "
                "before the due date."
            )
        else:
            tail = ""
        if not in_force:
            starts = ", ".join(fmt_date(v.in_force.start) for v in versions)
            tail = (
                f"Not evaluated: no version of this rule was in force on "
                f"{fmt_date(due or t.anchor[0])} (versions start {starts}). {tail}"
            ).rstrip()
        return self._build(decl, scope, sequence, t, met_on, closed_on, status, reason, tail)

    def _satisfy(
        self,
        decl: Rule,
        scope: _Scope,
        local: dict[str, date | None],
        window: tuple[date, date, str] | None,
    ) -> tuple[date | None, Event | None, date | None, str | None, str | None]:
        """(met_on, event, closed_on, ending status, ending reason)."""
        sat = decl.satisfied_by
        idx = self._events(sat.scope or decl.scope, scope)
        lo: date | None = None
        lo_strict = False
        hi = scope.hard_end
        if window is not None:
            lo, hi = window[0], min(window[1], hi) if hi else window[1]
        if isinstance(decl.schedule, Chain):
            lo, lo_strict = local["anchor"], True
        if sat.start is not None:
            s = self._date(sat.start, scope, local)
            if s is not None and (lo is None or s > lo):
                lo, lo_strict = s, False
        if sat.after is not None:
            s = self._date(sat.after, scope, local)
            if s is not None and (lo is None or s >= lo):
                lo, lo_strict = s, True
        if sat.end is not None:
            e = self._date(sat.end, scope, local)
            if e is not None and (hi is None or e < hi):
                hi = e
        events, dates = idx.select(sat.events)
        i = 0 if lo is None else (bisect_right if lo_strict else bisect_left)(dates, lo)
        j = len(dates) if hi is None else bisect_right(dates, hi)
        need = decl.schedule.min_count if isinstance(decl.schedule, Windows) else 1
        hit: tuple[date, int, Event] | None = None
        if j - i >= need:
            hit = events[j - 1] if sat.pick == "last" else events[i + need - 1]
        # An ending event (e.g. consent refused) closes the obligation if it comes first.
        due = local.get("due")
        for ending in decl.endings:
            closers, closer_dates = idx.select((ending.event,))
            k = 0 if lo is None else (bisect_right if lo_strict else bisect_left)(closer_dates, lo)
            if k == len(closers):
                continue
            d, _, ev = closers[k]  # the first closing event in the bounds, if before any hit
            if (hi is not None and d > hi) or (hit is not None and d >= hit[0]):
                continue
            if due is not None and d <= due:
                return None, ev, d, ending.on_or_before_due, ending.reason
            met = d if ending.after_due == "met_late" else None
            return met, ev, d, ending.after_due, ending.reason
        if hit is None:
            return None, None, None, None, None
        return hit[0], hit[2], hit[0], None, None

    @staticmethod
    def _scope_word(scope: _Scope) -> str:
        return "placement" if scope.placement else "period of care"

    def _build(
        self,
        decl: Rule,
        scope: _Scope,
        sequence: int,
        timing: _Timing,
        met_on: date | None,
        closed_on: date | None,
        status: str,
        reason: str | None,
        tail: str,
    ) -> Obligation:
        anchor, due, due_text, option = timing
        run = self.run
        basis = ""
        a_date, a_label = anchor
        if option is None and due is not None:
            span = f"{fmt_date(a_date)} to {fmt_date(due)}"
            head = f"Due {fmt_date(due)}: the end of the {a_label} ({span})."
        elif due is None:
            what = option.label if option and option.label else "no fixed timescale"
            head = f"No fixed due date ({what}); clock started {fmt_date(a_date)} ({a_label})."
        else:
            assert option is not None and option.offset is not None
            if option.offset.n == 0 and due == a_date:
                head = f"Due {fmt_date(due)}, the {a_label}."
            else:
                basis = f"{describe_offset(option.offset)} after {fmt_date(a_date)} ({a_label})"
                if due_text:
                    basis += f", {due_text}"
                head = f"Due {fmt_date(due)}: {basis}."
            if option.label:
                head += f" Interval: {option.label}."
        cite = option.citation if option is not None and option.citation else decl.citation
        explanation = f"{head} {tail} {cite.label}."
        if status == "met_late" and met_on and due:
            days_late: int | None = (met_on - due).days
        elif status == "overdue" and due:
            days_late = (run.as_of - due).days
        else:
            days_late = None
        period_id = scope.period.period_id
        placement_id = scope.placement.placement_id if scope.placement else None
        key = (
            f"{run.case.child_id}:{period_id}:{placement_id or '-'}:{decl.id}:{a_date.isoformat()}"
        )
        return Obligation(
            key=key,
            rule=decl.id,
            title=decl.title,
            source=self.pack.source,
            rule_version=decl.version,
            rule_variant=decl.variant,
            child_id=run.case.child_id,
            period_id=period_id,
            placement_id=placement_id,
            sequence=sequence,
            anchor=a_date,
            due=due,
            met_on=met_on,
            status=status,
            reason=reason,
            days_late=days_late,
            citation=cite.label,
            citation_url=cite.url,
            explanation=explanation,
            closed_on=closed_on,
            basis=basis,
        )

    # ------------------------------------------------------------------ schedules
    def rule(self, rule_id: str, scope: _Scope) -> list[Obligation]:
        variants = self.pack.variants(rule_id)
        versions: Sequence[Rule] | None = None
        for vs in variants:
            if self._holds(vs[0].variant_when, scope, {}):
                versions = vs
                break
        if versions is None:
            decl = variants[0][0]
            return [
                self._build(
                    decl,
                    scope,
                    1,
                    _Timing((scope.start, "scope start"), None, "", None),
                    None,
                    None,
                    "not_evaluated",
                    "no_variant",
                    "Not evaluated: no variant of this rule covers this case "
                    f"(regime {scope.period.regime}).",
                )
            ]
        schedule = versions[0].schedule
        if isinstance(schedule, Windows):
            return self._windows(versions, scope, schedule)
        if isinstance(schedule, PerEvent):
            return self._per_event(versions, scope, schedule)
        first = self._obligation(versions, scope, 1)
        if first is None:
            return []
        out = [first]
        if isinstance(schedule, Chain):
            prev = first
            while prev.closed_on is not None and len(out) < _CHAIN_LIMIT:
                label = (
                    f"previous {prev.rule} closed" if prev.met_on is None else "previous one met"
                )
                nxt = self._obligation(
                    versions, scope, prev.sequence + 1, anchor_override=(prev.closed_on, label)
                )
                if nxt is None or (nxt.anchor and prev.anchor and nxt.anchor <= prev.anchor):
                    break
                out.append(nxt)
                prev = nxt
        return out

    def _windows(
        self, versions: Sequence[Rule], scope: _Scope, schedule: Windows
    ) -> list[Obligation]:
        run = self.run
        after = self._date(schedule.starting_after, scope, {})
        if after is None:
            return []
        limit = run.as_of if scope.end is None else min(scope.end, run.as_of)
        terms: tuple[TermWindow, ...] = schedule.windows or getattr(
            run.conventions, schedule.windows_convention or ""
        )
        spans = sorted(
            (*t.span(year), t.name) for year in range(after.year, limit.year + 1) for t in terms
        )
        out: list[Obligation] = []
        for start, end, name in spans:
            if after < start <= limit:
                ob = self._obligation(versions, scope, len(out) + 1, window=(start, end, name))
                if ob is not None:
                    out.append(ob)
        return out

    def _per_event(
        self, versions: Sequence[Rule], scope: _Scope, schedule: PerEvent
    ) -> list[Obligation]:
        out: list[Obligation] = []
        for d, _, ev in self._events(versions[0].scope, scope).matching((schedule.event,)):
            if scope.hard_end is not None and d > scope.hard_end:
                break
            if out and out[-1].anchor == d:
                continue  # two such events on one day make one obligation
            ob = self._obligation(versions, scope, len(out) + 1, anchor_override=(d, ev.type))
            if ob is not None:
                out.append(ob)
        return out


def _index_events(
    case: Case, as_of: date, assignments: Sequence[Assignment]
) -> tuple[_EventIndex, dict[str, _EventIndex], dict[str, _EventIndex]]:
    child = _EventIndex()
    periods: dict[str, _EventIndex] = {}
    placements: dict[str, _EventIndex] = {}
    for pos, (event, where) in enumerate(zip(case.events, assignments, strict=True)):
        if event.date > as_of:
            continue
        child.add(pos, event)
        if where.period_id is not None:
            periods.setdefault(where.period_id, _EventIndex()).add(pos, event)
        if where.placement_id is not None:
            placements.setdefault(where.placement_id, _EventIndex()).add(pos, event)
    for idx in (child, *periods.values(), *placements.values()):
        idx.finish()
    return child, periods, placements


def _ended(end: date | None, eighteen: date, as_of: date) -> tuple[date | None, date | None]:
    """(end as at as_of or None if open, hard end ignoring as_of)."""
    hard = eighteen if end is None else min(end, eighteen)
    return (hard if hard <= as_of else None), hard


def evaluate_case(
    case: Case,
    pack: RulePack,
    *,
    as_of: date,
    conventions: Conventions,
    calendar: WorkingDayCalendar,
) -> ChildResult:
    """Evaluate every rule of ``pack`` for one child as at ``as_of``."""
    eighteen = birthday(case.date_of_birth, 18)
    assignments = assign_events(case)
    child_idx, period_idx, placement_idx = _index_events(case, as_of, assignments)
    run = _Run(case, as_of, conventions, calendar, eighteen, child_idx)
    ev = _Evaluator(pack, run)
    obligations: list[Obligation] = []
    for period in case.periods:
        if period.start > as_of or period.start >= eighteen:
            continue
        run.period = period
        run.period_events = period_idx.get(period.period_id, _EMPTY_INDEX)
        run.first_placement_start = period.placements[0].start if period.placements else None
        run.results = {}
        p_end, p_hard = _ended(period.end, eighteen, as_of)
        period_scope = _Scope(period, None, None, period.start, p_end, p_hard, run.period_events)
        placements = [p for p in period.placements if p.start <= as_of and p.start < eighteen]
        placement_scopes: list[_Scope] = []
        for i, pl in enumerate(placements):
            nxt = period.placements[i + 1] if i + 1 < len(period.placements) else None
            pl_end, pl_hard = _ended(period.placement_end(pl), eighteen, as_of)
            placement_scopes.append(
                _Scope(
                    period,
                    pl,
                    nxt,
                    pl.start,
                    pl_end,
                    pl_hard,
                    placement_idx.get(pl.placement_id, _EMPTY_INDEX),
                )
            )
        for rule_id in pack.ids:
            if pack.scope(rule_id) == "period":
                obs = ev.rule(rule_id, period_scope)
                run.results[rule_id] = obs
                obligations.extend(obs)
            else:
                for sc in placement_scopes:
                    obs = ev.rule(rule_id, sc)
                    sc.results[rule_id] = obs
                    obligations.extend(obs)
    return ChildResult(
        child_id=case.child_id,
        labels=case.labels,
        obligations=tuple(obligations),
        findings=case.findings(as_of, assignments=assignments),
    )
