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
from datetime import date, timedelta
from typing import cast

from lacplan.calendar import WorkingDayCalendar, birthday
from lacplan.model import Case, Event, assign_events
from lacplan.obligation import _Fields
from lacplan.offsets import Offset, OffsetNote
from lacplan.report import ChildResult, Obligation
from lacplan.rules.compiled import (
    CHAIN,
    PER_EVENT,
    ROLLING,
    WINDOWS,
    CompiledRule,
    CompiledVariant,
    Notes,
    RuleProgram,
    program,
)
from lacplan.rules.conventions import Conventions
from lacplan.rules.coverage import Seen, unknown_start
from lacplan.rules.explain import (
    Label,
    Note,
    Tail,
    Timing,
    ending_tail,
    event_phrase,
    explanation,
    itself,
    not_in_force_tail,
    outcome_explanation,
    outcome_tail,
    too_late_tail,
)
from lacplan.rules.pack import RulePack
from lacplan.rules.satisfy import Satisfying
from lacplan.rules.schema import PerEvent, RollingWindows, ScopeEnd, Windows
from lacplan.rules.state import (
    EMPTY_INDEX,
    EndedBy,
    Run,
    Scope,
    ended,
    index_events,
)
from lacplan.rules.status import status_of
from lacplan.rules.windows import Window

__all__ = ["evaluate_case"]

# Timings are built with ``tuple.__new__``: a NamedTuple's own ``__new__`` is a Python call.
_new = tuple.__new__

_CHAIN_LIMIT = 10_000  # a guard, far above any real chain (weekly visits for 18 years = 940)


class _Evaluator(Satisfying):
    """Evaluates one compiled rule pack over one case. No rule-specific code: only
    declarations, compiled once per pack (``rules/compiled.py``)."""

    __slots__ = ()

    def _phrase(self, event: Event) -> str:
        """:func:`event_phrase` of one of the case's events, written once per case."""
        phrases = self.run.phrases
        key = id(event)  # the case (so the event) outlives the run
        phrase = phrases.get(key)
        if phrase is None:
            phrase = phrases[key] = event_phrase(event)
        return phrase

    def _anchor(
        self, cr: CompiledRule, scope: Scope, local: dict[str, date | None]
    ) -> tuple[date, Label] | None:
        for when, resolve, label, carried in cr.anchors:
            if when is not None and not when(self, scope, local):
                continue
            d = resolve(self, scope, local)
            if d is None:
                continue
            if carried is not None:
                # Carry over how the referenced due date was reached (its skipped holidays),
                # read only when an explanation is written.
                prior = scope.results.get(carried) or self.run.results.get(carried)
                if prior:
                    return d, (itself, label, prior[0])
            return d, label
        return None

    def _timing(
        self,
        cr: CompiledRule,
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
        run = self.run
        seen = run.seen
        if seen is not None or scope.before_data:
            start = scope.period.start
            first = seen.start(cr.reads) if seen is not None else None
            local["data.start"] = start if first is None else max(first, start)
        anchor = anchor_override or self._anchor(cr, scope, local)
        if anchor is None:
            return None
        local["anchor"] = anchor[0]
        offsets = cr.offsets
        index = len(offsets) - 1  # the last option is unconditional
        options = cr.options
        if options is None:
            options = cr.live_options(self, scope)
        for i, rest in options:
            if rest is None or rest(self, scope, local):
                index = i
                break
        _, option, earliers, _, shift, offset, fixed, notes = offsets[index]
        if offset is None or shift is None:
            return _new(Timing, (anchor, None, "", option, index, None, -1, None))
        months = run.months
        calendar = run.calendar
        due = shift(anchor[0], calendar, months)
        note: Note
        if fixed is not None:
            note = fixed
        else:  # written when an explanation asks, from the anchor (one shared per option)
            shared = notes.get(calendar)
            if shared is None or shared.month_arithmetic != months:
                shared = _offset_note(notes, offset, calendar, months)
            note = shared
        capped: tuple[str, date, Note] | None = None
        capped_index = -1
        for k, (when, resolve, earlier) in enumerate(earliers):
            if when is not None and not when(self, scope, local):
                continue
            d = resolve(self, scope, local)
            if d is not None and d < due:
                capped = (
                    earlier.label,
                    capped[1] if capped else due,
                    capped[2] if capped else note,
                )
                capped_index = k
                due = d
        return _new(Timing, (anchor, due, note, option, index, capped, capped_index, None))

    def _choose(
        self,
        versions: Sequence[CompiledRule],
        scope: Scope,
        anchor_override: tuple[date, str] | None,
        window: Window | None,
    ) -> tuple[CompiledRule, Timing, bool] | None:
        """The version that applies (A20) with its timing, and whether it is in force.

        Versions tied to an event (``chosen_by="anchor"``) come first and apply when in force on
        the anchor; then each other version computes its own due date and the first in force on
        it (or, with no fixed due date, on its anchor) applies. With none in force, the first
        ``due`` version's timing (else the first version's) is reported as ``not_evaluated``.
        """
        fallback: tuple[CompiledRule, Timing] | None = None
        for cr in versions:
            t = self._timing(cr, scope, anchor_override, window)
            if t is None:
                continue
            by_anchor = cr.by_anchor
            if fallback is None or (fallback[0].by_anchor and not by_anchor):
                fallback = (cr, t)
            if cr.in_force(t.anchor[0] if by_anchor else t.due or t.anchor[0]):
                return cr, t, True
        if fallback is None:
            return None  # no anchor: the duty has not started (e.g. its chain never began)
        return fallback[0], fallback[1], False

    def _obligation(
        self,
        versions: Sequence[CompiledRule],
        scope: Scope,
        sequence: int,
        anchor_override: tuple[date, str] | None = None,
        window: Window | None = None,
    ) -> Obligation | None:
        run = self.run
        if len(versions) == 1:  # what _choose does with one version, without its tuples
            cr = versions[0]
            fixed = cr.applies_fixed  # the scope alone may say the duty does not arise here
            if fixed is not None and not fixed(self, scope, {}):
                return None
            t = self._timing(cr, scope, anchor_override, window)
            if t is None:
                return None
            in_force = cr.in_force(t.anchor[0] if cr.by_anchor else t.due or t.anchor[0])
            applies = cr.applies_rest
        else:
            chosen = self._choose(versions, scope, anchor_override, window)
            if chosen is None:
                return None
            cr, t, in_force = chosen
            applies = cr.applies
        due = t.due
        local: dict[str, date | None] = {"anchor": t.anchor[0], "due": due}
        if applies is not None and not applies(self, scope, local):
            return None
        if not in_force:
            decls = tuple(v.decl for v in versions)
            return self._build(
                cr,
                scope,
                sequence,
                t,
                None,
                None,
                "not_evaluated",
                "not_in_force",
                (not_in_force_tail, decls, due or t.anchor[0]),
                "not_in_force",
            )
        seen = run.seen
        if seen is not None:
            blind = seen.blind_to(cr.reads)
            if blind is not None:
                return self._unjudged(cr, scope, sequence, t, blind)
        exemptions = cr.unfixed_exemptions
        if exemptions is None:
            exemptions = cr.live_exemptions(self, scope)
        for when, ex, text, branch in exemptions:
            if when is None or when(self, scope, local):
                return self._build(
                    cr,
                    scope,
                    sequence,
                    t,
                    None,
                    local.get("matched"),
                    ex.status,
                    ex.reason,
                    text,
                    branch,
                )
        if scope.before_data and t.anchor[0] <= (start := scope.period.start):
            return self._unjudged(cr, scope, sequence, t, unknown_start(start, seen))
        if seen is not None:
            lo, _, hi = self._bounds(cr, scope, local, window)
            judged = seen.judge(
                cr.reads,
                lo or scope.start,
                run.as_of if hi is None else min(hi, run.as_of),
            )
            if judged is not None:
                return self._unjudged(cr, scope, sequence, t, judged)
        out = self._satisfy(cr, scope, local, window)
        status: str
        reason: str | None
        tail: Tail
        if out.status is not None:
            status, reason = out.status, out.reason
            phrase = self._phrase(out.event) if out.event is not None else None
            tail = (ending_tail, status, out.label, phrase, out.closed_on)
            branch = cr.ending_branches.get(reason) or f"ending:{reason}"
        elif (
            seen is not None
            and out.met_on is None
            and ((due is not None and due > seen.until) or (due is None and run.clipped))
            and not (scope.end is not None and due is not None and scope.end < due)
        ):
            return self._unjudged(cr, scope, sequence, t, seen.after_data())
        elif out.met_on is None and out.closes is not None and out.closes <= run.as_of:
            status, reason, branch = "missed", None, _branch(cr, t)
            tail = (too_late_tail, out.closes)
        else:
            status, reason = status_of(out.met_on, due, scope.end, run.as_of)
            branch = _branch(cr, t)
            until = seen.until if status == "overdue" and seen is not None and run.clipped else None
            phrase = self._phrase(out.event) if out.event is not None else None
            facts = scope.facts
            if facts.close is None:  # how the scope ends, which its explanations read
                facts.close = (run.as_of, scope.ended_by, scope.end, scope.end_label)
            # Read by _build, which writes the recipe of outcome_explanation from it.
            tail = (outcome_tail, phrase, until)
        return self._build(
            cr, scope, sequence, t, out.met_on, out.closed_on, status, reason, tail, branch
        )

    def _unjudged(
        self, cr: CompiledRule, scope: Scope, sequence: int, t: Timing, why: tuple[str, str]
    ) -> Obligation:
        """``not_evaluated``: the case's source cannot show whether it was met (``why``)."""
        reason, tail = why
        return self._build(
            cr, scope, sequence, t, None, None, "not_evaluated", reason, tail, reason
        )

    def _build(
        self,
        cr: CompiledRule,
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
        anchor = timing.anchor
        a_date = anchor[0]
        due = timing.due
        facts = cr.offsets[timing.option_index][3] if timing.option is not None else cr.cite
        if status == "met_late" and met_on and due:
            days_late: int | None = (met_on - due).days
        elif status == "overdue" and due:
            days_late = (run.as_of - due).days
        else:
            days_late = None
        # The recipe: what the explanation reads besides the obligation (its anchor, due date,
        # status, branch and facts). Most obligations' is outcome_explanation's, with its
        # trailing Nones left out; of those most are (function, label, note[, event]), which
        # the obligation keeps in three slots of its own instead of a tuple.
        label = anchor[1]
        note = timing.note
        shape = timing.capped or timing.window
        said: object
        in_slots: tuple[object, object, str | None] = (None, None, None)
        if type(tail) is tuple and tail[0] is outcome_tail:
            _, phrase, until = tail
            if until is not None:
                said = (outcome_explanation, label, note, phrase, shape, until)
            elif shape is not None:
                said = (outcome_explanation, label, note, phrase, shape)
            else:
                said, in_slots = outcome_explanation, (label, note, phrase)
        else:  # explanation's, the tail's own parts last
            said = (explanation, label, note, shape) + (tail if type(tail) is tuple else (tail,))
        # What ``facts_obligation`` does, inlined (the engine's hottest constructor). The key
        # is left to be written from the scope's prefix, the rule and the anchor when read.
        ob = _Fields(
            facts,
            scope.facts,
            sequence,
            a_date,
            due,
            met_on,
            status,
            reason,
            days_late,
            closed_on,
            branch,
            said,
            *in_slots,
        )
        ob.__class__ = Obligation
        return ob  # type: ignore[return-value]  # an Obligation now (no call to typing.cast)

    # ------------------------------------------------------------------ schedules
    def _pick(self, rp: RuleProgram, scope: Scope, kind: str) -> CompiledVariant | None:
        """The first variant of ``rp`` of the scope's kind whose conditions hold (None: none)."""
        for var in rp.variants:
            if var.scope == kind and (var.when is None or var.when(self, scope, {})):
                return var
        return None

    def _picked(self, rp: RuleProgram, scope: Scope) -> CompiledVariant | None:
        """:meth:`_pick` for a placement, once per period where that is the same for all."""
        if not rp.picked_per_period:
            return self._pick(rp, scope, "placement")
        picked = self.run.picked
        rule_id = rp.id
        if rule_id in picked:  # not a sentinel: the native build checks the declared type
            chosen: CompiledVariant | None = picked[rule_id]
        else:
            chosen = picked[rule_id] = self._pick(rp, scope, "placement")
        return chosen

    def idle_in_placements(self, rp: RuleProgram, first: Scope) -> bool:
        """Whether ``rp`` gives nothing in any placement of the period (``first`` is the
        first's scope): no placement variant applies in any of them, and a period variant
        covers the period."""
        return (
            rp.picked_per_period
            and self._picked(rp, first) is None
            and rp.other_kinds["placement"]
            and self._covered_elsewhere(rp, first)
        )

    def rule(self, rp: RuleProgram, scope: Scope) -> list[Obligation]:
        kind = scope.kind
        chosen: CompiledVariant | None
        if kind != "placement":
            chosen = self._pick(rp, scope, kind)
        elif rp.picked_per_period:  # picked once, in the period's first placement
            picked = self.run.picked
            rule_id = rp.id
            chosen = picked[rule_id] if rule_id in picked else self._picked(rp, scope)
        else:
            chosen = self._pick(rp, scope, kind)
        if chosen is None:
            if rp.other_kinds[kind] and self._covered_elsewhere(rp, scope):
                return []
            if kind == "placement" or rp.period_only:
                return [self._no_variant(rp, scope)]
            return []
        versions = chosen.versions
        if chosen.scope_end is not None:
            scope = self._own_end(chosen.scope_end, scope)
        schedule = chosen.schedule
        kind_of = chosen.kind
        # ``kind`` was read from the schedule's class when compiled (an isinstance test of a
        # pydantic model is a Python-level call: not repeated per scope).
        if kind_of == WINDOWS:
            windows = self._windows(scope, cast(Windows, schedule))
            return self._each_window(versions, scope, windows)
        if kind_of == ROLLING:
            windows = self._rolling(scope, cast(RollingWindows, schedule))
            return self._each_window(versions, scope, windows)
        if kind_of == PER_EVENT:
            return self._per_event(chosen, scope, cast(PerEvent, schedule))
        ob = self._obligation(versions, scope, 1)
        if ob is None:
            return []
        out = [ob]
        if kind_of == CHAIN:
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

    def _covered_elsewhere(self, rp: RuleProgram, scope: Scope) -> bool:
        """A variant of the other scope kind covers this period (it reports the duty)."""
        if scope.kind == "placement":
            run = self.run
            covered = run.covered.get(rp.id)
            if covered is None:  # the same for every placement of the period: asked once
                period_scope = run.period_scope
                assert period_scope is not None
                covered = run.covered[rp.id] = any(
                    var.scope == "period" and (var.when is None or var.when(self, period_scope, {}))
                    for var in rp.variants
                )
            return covered
        return True  # period pass: the placement pass decides (and reports no_variant there)

    def _no_variant(self, rp: RuleProgram, scope: Scope) -> Obligation:
        cr = rp.variants[0].versions[0]
        return self._build(
            cr,
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

    def _own_end(self, own: ScopeEnd, scope: Scope) -> Scope:
        if own.period:  # the clock runs with the period of care, not the placement
            ps = self.run.period_scope
            assert ps is not None
            return scope.ending(ps.end, ps.hard_end, ps.ended_by, scope.end_label)
        assert own.date is not None
        d = self._date(own.date, scope, {})
        if d is None:
            return scope
        end = d if d <= self.run.as_of else None
        return scope.ending(end, d, "rule", own.label)

    def _each_window(
        self, versions: Sequence[CompiledRule], scope: Scope, windows: Sequence[Window]
    ) -> list[Obligation]:
        out: list[Obligation] = []
        for window in windows:
            ob = self._obligation(versions, scope, len(out) + 1, window=window)
            if ob is not None:
                out.append(ob)
        return out

    def _per_event(
        self, var: CompiledVariant, scope: Scope, schedule: PerEvent
    ) -> list[Obligation]:
        out: list[Obligation] = []
        events, dates = self._events(var.scope, scope).select((schedule.event,))
        for d, _, ev in events[bisect_left(dates, scope.start) :]:
            if scope.hard_end is not None and d > scope.hard_end:
                break
            if out and out[-1].anchor == d:
                continue  # two such events on one day make one obligation
            labels = self.run.date_labels
            label = labels.get(id(ev))
            if label is None:
                label = labels[id(ev)] = f"the date of {self._phrase(ev)}"
            anchor = (d, label)
            ob = self._obligation(var.versions, scope, len(out) + 1, anchor_override=anchor)
            if ob is not None:
                out.append(ob)
        return out


#: How many calendars an offset option keeps notes for. A note holds its calendar, so the memo
#: is bounded as a calendar's own cache of derived calendars is (``with_closures``, 16): a
#: service meeting more calendars than that starts the memo afresh rather than keep them all.
_NOTES_MAX = 16


def _offset_note(
    notes: Notes, offset: Offset, calendar: WorkingDayCalendar, months: str
) -> OffsetNote:
    """The shared :class:`OffsetNote` of one option under ``calendar``, made and kept."""
    if len(notes) >= _NOTES_MAX:
        notes.clear()
    note = notes[calendar] = OffsetNote(offset, calendar, months)
    return note


def _branch(cr: CompiledRule, t: Timing) -> str:
    """Which part of the declaration timed the obligation (for ``docs/explanations.md``)."""
    if t.option is None:
        return "window"
    if t.capped is not None:
        return cr.earlier_branches[t.option_index][t.capped_index]
    return cr.offset_branches[t.option_index]


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
    rules = program(pack).rules
    child_prefix = f"{case.child_id}:"
    obligations: list[Obligation] = []
    for period in case.periods:
        if period.start > as_of or period.start >= eighteen:
            continue
        run.period = period
        run.period_events = period_idx.get(period.period_id, EMPTY_INDEX)
        run.first_placement_start = period.placements[0].start if period.placements else None
        run.results = {}
        run.covered = {}
        run.picked = {}
        p_end, p_hard, p_by = ended(period.end, eighteen, as_of, "period")
        period_prefix = f"{child_prefix}{period.period_id}:"
        period_scope = Scope(
            period,
            None,
            None,
            period.start,
            p_end,
            p_hard,
            run.period_events,
            p_by,
            key_prefix=f"{period_prefix}-:",
            child_id=case.child_id,
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
                    key_prefix=f"{period_prefix}{pl.placement_id or '-'}:",
                    child_id=case.child_id,
                )
            )
        for rp in rules:
            run.calendar = calendars[rp.layer]
            if rp.on_period:
                obs = ev.rule(rp, period_scope)
                run.results[rp.id] = obs
                obligations.extend(obs)
            if rp.on_placement and placement_scopes:
                if ev.idle_in_placements(rp, placement_scopes[0]):
                    for sc in placement_scopes:
                        sc.results[rp.id] = []
                    continue
                for sc in placement_scopes:
                    obs = ev.rule(rp, sc)
                    sc.results[rp.id] = obs
                    obligations.extend(obs)
    return ChildResult(
        child_id=case.child_id,
        labels=case.labels,
        obligations=tuple(obligations),
        findings=findings,
    )
