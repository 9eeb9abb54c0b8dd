"""The rule engine: turns a validated :class:`~lacplan.model.Case` and a rule pack into obligations.

The engine reads rule declarations (``rules/schema.py``) and nothing else: there is no branch on a
rule id anywhere in this module. For each period of care (and each placement, for
placement-scoped variants) it walks the pack in catalogue order, so a rule may refer to the result
of an earlier rule in the same period (``rule:<id>.due`` and friends).

Status semantics (the rules issue), for an obligation with due date ``due`` as at ``as_of``:

* met by an event: ``met_on_time`` when ``met_on <= due`` (or there is no fixed due), else
  ``met_late``;
* unmet, scope ended (on or before ``as_of``): ``not_required`` when it ended before ``due``,
  ``missed`` when it ended on or after ``due`` or the duty has no fixed due date;
* unmet, scope open: ``overdue`` when ``as_of > due``, else ``pending``.

A period's scope ends at its end date or the child's 18th birthday, whichever is first (a rule may
declare its own end instead, such as the 21st birthday); ends after ``as_of`` count as open. Events
dated after ``as_of``, or before the child's birth, are ignored.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from lacplan.calendar import WorkingDayCalendar, birthday, fmt_date
from lacplan.model import Case, assign_events
from lacplan.obligation import lazy_obligation
from lacplan.offsets import offset_date, offset_note
from lacplan.report import ChildResult, Obligation
from lacplan.rules.conventions import Conventions
from lacplan.rules.coverage import Seen, unknown_start
from lacplan.rules.explain import (
    Note,
    Tail,
    Timing,
    ending_tail,
    event_phrase,
    explanation,
    outcome_tail,
    too_late_tail,
    verdict,
)
from lacplan.rules.pack import RulePack
from lacplan.rules.satisfy import Satisfying
from lacplan.rules.schema import (
    AnchorOption,
    Chain,
    OffsetOption,
    PerEvent,
    RollingWindows,
    Rule,
    Windows,
)
from lacplan.rules.state import (
    EMPTY_INDEX,
    EndedBy,
    Run,
    Scope,
    ended,
    index_events,
)
from lacplan.rules.windows import Window

__all__ = ["evaluate_case"]

_CHAIN_LIMIT = 10_000  # a guard, far above any real chain (weekly visits for 18 years = 940)


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


class _Evaluator(Satisfying):
    """Evaluates one rule pack over one case. No rule-specific code: only declarations."""

    __slots__ = ()

    def _anchor(
        self, decl: Rule, scope: Scope, local: dict[str, date | None]
    ) -> tuple[date, str] | None:
        opt: AnchorOption
        for opt in decl.anchor:
            if opt.when and not self._holds(opt.when, scope, local):
                continue
            d = self._date(opt.date, scope, local)
            if d is None:
                continue
            rule_ref = opt.date.rule_ref
            if rule_ref and rule_ref[1] == "due" and opt.date.offset is None:
                # Carry over how the referenced due date was reached (its skipped holidays).
                prior = scope.results.get(rule_ref[0]) or self.run.results.get(rule_ref[0])
                if prior and prior[0].basis:
                    return d, f"{opt.label}, itself {prior[0].basis}"
            return d, opt.label
        return None

    def _offset(
        self, decl: Rule, scope: Scope, local: dict[str, date | None]
    ) -> tuple[int, OffsetOption]:
        for i, opt in enumerate(decl.offsets):
            if not opt.when or self._holds(opt.when, scope, local):
                return i, opt
        return len(decl.offsets) - 1, decl.offsets[-1]  # the last option is unconditional

    def _timing(
        self,
        decl: Rule,
        scope: Scope,
        anchor_override: tuple[date, str] | None,
        window: Window | None,
    ) -> Timing | None:
        """Anchor and due date of one obligation under one rule version (None: no anchor)."""
        if window is not None:
            return Timing(
                (window.start, window.name), window.due, window.note, None, -1, None, -1, window
            )
        local: dict[str, date | None] = {}
        seen, period = self.run.seen, scope.period
        if seen is not None or period.started_before_data:
            first = seen.start(self.pack.reads(decl)) if seen is not None else None
            local["data.start"] = period.start if first is None else max(first, period.start)
        anchor = anchor_override or self._anchor(decl, scope, local)
        if anchor is None:
            return None
        local["anchor"] = anchor[0]
        index, option = self._offset(decl, scope, local)
        if option.offset is None:
            return Timing(anchor, None, "", option, index, None, -1)
        run = self.run
        months = run.conventions.month_arithmetic
        due = offset_date(anchor[0], option.offset, run.calendar, months)
        note = (offset_note, anchor[0], option.offset, run.calendar, months)
        capped: tuple[str, date, Note] | None = None
        capped_index = -1
        for k, earlier in enumerate(option.earlier_of):
            if earlier.when and not self._holds(earlier.when, scope, local):
                continue
            d = self._date(earlier.date, scope, local)
            if d is not None and d < due:
                capped = (
                    earlier.label,
                    capped[1] if capped else due,
                    capped[2] if capped else note,
                )
                capped_index = k
                due = d
        return Timing(anchor, due, note, option, index, capped, capped_index)

    def _choose(
        self,
        versions: Sequence[Rule],
        scope: Scope,
        anchor_override: tuple[date, str] | None,
        window: Window | None,
    ) -> tuple[Rule, Timing, bool] | None:
        """The version that applies (A20) with its timing, and whether it is in force.

        Versions tied to an event (``chosen_by="anchor"``) come first and apply when in force on
        the anchor; then each other version computes its own due date and the first in force on
        it (or, with no fixed due date, on its anchor) applies. With none in force, the first
        ``due`` version's timing (else the first version's) is reported as ``not_evaluated``.
        """
        fallback: tuple[Rule, Timing] | None = None
        for decl in versions:
            t = self._timing(decl, scope, anchor_override, window)
            if t is None:
                continue
            by_anchor = decl.chosen_by == "anchor"
            if fallback is None or (fallback[0].chosen_by == "anchor" and not by_anchor):
                fallback = (decl, t)
            if decl.in_force.contains(t.anchor[0] if by_anchor else t.due or t.anchor[0]):
                return decl, t, True
        if fallback is None:
            return None  # no anchor: the duty has not started (e.g. its chain never began)
        return fallback[0], fallback[1], False

    def _obligation(
        self,
        versions: Sequence[Rule],
        scope: Scope,
        sequence: int,
        anchor_override: tuple[date, str] | None = None,
        window: Window | None = None,
    ) -> Obligation | None:
        run = self.run
        chosen = self._choose(versions, scope, anchor_override, window)
        if chosen is None:
            return None
        decl, t, in_force = chosen
        due = t.due
        local: dict[str, date | None] = {"anchor": t.anchor[0], "due": due}
        if decl.applies and not self._holds(decl.applies, scope, local):
            return None
        if not in_force:
            return self._build(
                decl,
                scope,
                sequence,
                t,
                None,
                None,
                "not_evaluated",
                "not_in_force",
                (_not_in_force_tail, versions, due or t.anchor[0]),
                "not_in_force",
            )
        seen = run.seen
        if seen is not None:
            blind = seen.blind_to(self.pack.reads(decl))
            if blind is not None:
                return self._unjudged(decl, scope, sequence, t, blind)
        for ex in decl.exemptions:
            if self._holds(ex.when, scope, local):
                return self._build(
                    decl,
                    scope,
                    sequence,
                    t,
                    None,
                    local.get("matched"),
                    ex.status,
                    ex.reason,
                    f"{verdict(ex.status)}: {ex.label}.",
                    f"exemption:{ex.reason}",
                )
        period = scope.period
        if period.started_before_data and t.anchor[0] <= period.start:
            return self._unjudged(decl, scope, sequence, t, unknown_start(period.start, seen))
        if seen is not None:
            lo, _, hi = self._bounds(decl, scope, local, window)
            judged = seen.judge(
                self.pack.reads(decl),
                lo or scope.start,
                run.as_of if hi is None else min(hi, run.as_of),
            )
            if judged is not None:
                return self._unjudged(decl, scope, sequence, t, judged)
        out = self._satisfy(decl, scope, local, window)
        status: str
        reason: str | None
        tail: Tail
        if out.status is not None:
            status, reason = out.status, out.reason
            phrase = event_phrase(out.event) if out.event is not None else None
            tail = (ending_tail, status, out.label, phrase, out.closed_on)
            branch = f"ending:{reason}"
        elif (
            seen is not None
            and out.met_on is None
            and ((due is not None and due > seen.until) or (due is None and run.clipped))
            and not (scope.end is not None and due is not None and scope.end < due)
        ):
            return self._unjudged(decl, scope, sequence, t, seen.after_data())
        elif out.met_on is None and out.closes is not None and out.closes <= run.as_of:
            status, reason, branch = "missed", None, _branch(t)
            tail = (too_late_tail, out.closes)
        else:
            status, reason = _status_of(out.met_on, due, scope.end, run.as_of)
            branch = _branch(t)
            until = seen.until if status == "overdue" and seen is not None and run.clipped else None
            phrase = event_phrase(out.event) if out.event is not None else None
            tail = (outcome_tail, status, phrase, out.closed_on, until, run.as_of)
            tail += (scope.ended_by, scope.end, scope.end_label)
        return self._build(
            decl, scope, sequence, t, out.met_on, out.closed_on, status, reason, tail, branch
        )

    def _unjudged(
        self, decl: Rule, scope: Scope, sequence: int, t: Timing, why: tuple[str, str]
    ) -> Obligation:
        """``not_evaluated``: the case's source cannot show whether it was met (``why``)."""
        reason, tail = why
        return self._build(
            decl, scope, sequence, t, None, None, "not_evaluated", reason, tail, reason
        )

    def _build(
        self,
        decl: Rule,
        scope: Scope,
        sequence: int,
        timing: Timing,
        met_on: date | None,
        closed_on: date | None,
        status: str,
        reason: str | None,
        tail: Tail,
        branch: str,
    ) -> Obligation:
        run = self.run
        a_date = timing.anchor[0]
        due = timing.due
        option = timing.option
        cite = option.citation if option is not None and option.citation else decl.citation
        layer = self.pack.layer(decl.id)
        if status == "met_late" and met_on and due:
            days_late: int | None = (met_on - due).days
        elif status == "overdue" and due:
            days_late = (run.as_of - due).days
        else:
            days_late = None
        period_id = scope.period.period_id
        placement = scope.placement
        placement_id = placement.placement_id if placement is not None else None
        child_id = run.case.child_id
        key = f"{child_id}:{period_id}:{placement_id or '-'}:{decl.id}:{a_date.isoformat()}"
        no_head = due is None and branch.startswith("exemption:")
        return lazy_obligation(
            key,
            decl.id,
            decl.title,
            layer.source,
            decl.version,
            decl.variant,
            child_id,
            period_id,
            placement_id,
            sequence,
            a_date,
            due,
            met_on,
            status,
            reason,
            days_late,
            cite.label,
            cite.url,
            decl.base_rule,
            closed_on,
            branch,
            (explanation, timing, no_head, tail, decl, layer),
        )

    # ------------------------------------------------------------------ schedules
    def rule(self, rule_id: str, scope: Scope) -> list[Obligation]:
        kind = scope.kind
        versions: Sequence[Rule] | None = None
        other_kinds = False
        for vs in self.pack.variants(rule_id):
            if vs[0].scope != kind:
                other_kinds = True
            elif versions is None and (
                not vs[0].variant_when or self._holds(vs[0].variant_when, scope, {})
            ):
                versions = vs
        if versions is None:
            if other_kinds and self._covered_elsewhere(rule_id, scope):
                return []
            return [self._no_variant(rule_id, scope)] if self._reports_here(rule_id, kind) else []
        first = versions[0]
        if first.scope_end is not None:
            scope = self._own_end(first, scope)
        schedule = first.schedule
        if isinstance(schedule, Windows):
            return self._each_window(versions, scope, self._windows(scope, schedule))
        if isinstance(schedule, RollingWindows):
            return self._each_window(versions, scope, self._rolling(scope, schedule))
        if isinstance(schedule, PerEvent):
            return self._per_event(versions, scope, schedule)
        ob = self._obligation(versions, scope, 1)
        if ob is None:
            return []
        out = [ob]
        if isinstance(schedule, Chain):
            prev = ob
            while prev.closed_on is not None and len(out) < _CHAIN_LIMIT:
                label = (
                    "the date the previous one was closed"
                    if prev.met_on is None
                    else "the date the previous one was met"
                )
                nxt = self._obligation(
                    versions, scope, prev.sequence + 1, anchor_override=(prev.closed_on, label)
                )
                if nxt is None or (nxt.anchor and prev.anchor and nxt.anchor <= prev.anchor):
                    break
                out.append(nxt)
                prev = nxt
        return out

    def _covered_elsewhere(self, rule_id: str, scope: Scope) -> bool:
        """A variant of the other scope kind covers this period (it reports the duty)."""
        if scope.kind == "placement":
            period_scope = self.run.period_scope
            assert period_scope is not None
            return any(
                vs[0].scope == "period" and self._holds(vs[0].variant_when, period_scope, {})
                for vs in self.pack.variants(rule_id)
            )
        return True  # period pass: the placement pass decides (and reports no_variant there)

    def _reports_here(self, rule_id: str, kind: str) -> bool:
        return kind == "placement" or self.pack.scopes(rule_id) == {"period"}

    def _no_variant(self, rule_id: str, scope: Scope) -> Obligation:
        decl = self.pack.variants(rule_id)[0][0]
        return self._build(
            decl,
            scope,
            1,
            Timing((scope.start, "the start of the scope"), None, "", None, -1, None, -1),
            None,
            None,
            "not_evaluated",
            "no_variant",
            "Not evaluated: no variant of this rule covers this case "
            f"(regime {scope.period.regime}).",
            "no_variant",
        )

    def _own_end(self, decl: Rule, scope: Scope) -> Scope:
        own = decl.scope_end
        assert own is not None
        if own.period:  # the clock runs with the period of care, not the placement
            ps = self.run.period_scope
            assert ps is not None
            return replace(scope, end=ps.end, hard_end=ps.hard_end, ended_by=ps.ended_by, dates={})
        assert own.date is not None
        d = self._date(own.date, scope, {})
        if d is None:
            return scope
        end = d if d <= self.run.as_of else None
        return replace(scope, end=end, hard_end=d, ended_by="rule", end_label=own.label, dates={})

    def _each_window(
        self, versions: Sequence[Rule], scope: Scope, windows: Sequence[Window]
    ) -> list[Obligation]:
        out: list[Obligation] = []
        for window in windows:
            ob = self._obligation(versions, scope, len(out) + 1, window=window)
            if ob is not None:
                out.append(ob)
        return out

    def _per_event(
        self, versions: Sequence[Rule], scope: Scope, schedule: PerEvent
    ) -> list[Obligation]:
        out: list[Obligation] = []
        events, dates = self._events(versions[0].scope, scope).select((schedule.event,))
        for d, _, ev in events[bisect_left(dates, scope.start) :]:
            if scope.hard_end is not None and d > scope.hard_end:
                break
            if out and out[-1].anchor == d:
                continue  # two such events on one day make one obligation
            anchor = (d, f"the date of {event_phrase(ev)}")
            ob = self._obligation(versions, scope, len(out) + 1, anchor_override=anchor)
            if ob is not None:
                out.append(ob)
        return out


def _not_in_force_tail(versions: Sequence[Rule], on: date) -> str:
    starts = ", ".join(fmt_date(v.in_force.start) for v in versions)
    return (
        f"Not evaluated: no version of this rule was in force on {fmt_date(on)} "
        f"(versions start {starts})."
    )


def _branch(t: Timing) -> str:
    """Which part of the declaration timed the obligation (for ``docs/explanations.md``)."""
    if t.option is None:
        return "window"
    if t.capped is not None:
        return f"earlier:{t.option_index}.{t.capped_index}"
    return f"offset:{t.option_index}"


def evaluate_case(
    case: Case,
    pack: RulePack,
    *,
    as_of: date,
    conventions: Conventions,
    calendar: WorkingDayCalendar,
    calendars: Mapping[str, WorkingDayCalendar] | None = None,
) -> ChildResult:
    """Evaluate every rule of ``pack`` for one child as at ``as_of``.

    ``calendars`` (``pack.calendars(calendar)``, computed once per batch) gives each layer's
    calendar with its own closure days; without it they are computed here.
    """
    if calendars is None:
        calendars = pack.calendars(calendar)
    eighteen = birthday(case.date_of_birth, 18)
    assignments = assign_events(case)
    findings = case.findings(as_of, assignments=assignments)
    seen = Seen(case) if case.coverage is not None else None
    clipped = seen is not None and seen.until < as_of
    events_until = as_of
    if seen is not None and clipped:
        # Judged on the day after the data ends, when what was not done by its last day is
        # known; nothing after that day is (findings use the real as_of).
        events_until = seen.until
        as_of = seen.until + timedelta(days=1)
    child_idx, period_idx, placement_idx = index_events(case, events_until, assignments)
    run = Run(case, as_of, conventions, calendar, eighteen, child_idx, seen=seen, clipped=clipped)
    ev = _Evaluator(pack, run)
    obligations: list[Obligation] = []
    for period in case.periods:
        if period.start > as_of or period.start >= eighteen:
            continue
        run.period = period
        run.period_events = period_idx.get(period.period_id, EMPTY_INDEX)
        run.first_placement_start = period.placements[0].start if period.placements else None
        run.results = {}
        p_end, p_hard, p_by = ended(period.end, eighteen, as_of, "period")
        period_scope = Scope(
            period, None, None, period.start, p_end, p_hard, run.period_events, p_by
        )
        run.period_scope = period_scope
        placements = [p for p in period.placements if p.start <= as_of and p.start < eighteen]
        placement_scopes: list[Scope] = []
        for i, pl in enumerate(placements):
            nxt = period.placements[i + 1] if i + 1 < len(period.placements) else None
            own: EndedBy = "placement" if pl.end is not None else "period"
            pl_end, pl_hard, pl_by = ended(period.placement_end(pl), eighteen, as_of, own)
            placement_scopes.append(
                Scope(
                    period,
                    pl,
                    nxt,
                    pl.start,
                    pl_end,
                    pl_hard,
                    placement_idx.get(pl.placement_id, EMPTY_INDEX),
                    pl_by,
                )
            )
        for rule_id in pack.ids:
            run.calendar = calendars[pack.layer(rule_id).name]
            kinds = pack.scopes(rule_id)
            if "period" in kinds:
                obs = ev.rule(rule_id, period_scope)
                run.results[rule_id] = obs
                obligations.extend(obs)
            if "placement" in kinds:
                for sc in placement_scopes:
                    obs = ev.rule(rule_id, sc)
                    sc.results[rule_id] = obs
                    obligations.extend(obs)
    return ChildResult(
        child_id=case.child_id,
        labels=case.labels,
        obligations=tuple(obligations),
        findings=findings,
    )
