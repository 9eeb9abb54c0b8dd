"""The engine's working state for one case: event indexes, scopes and per-case facts.

Nothing here knows a rule: these are the places a declaration's date references and conditions
are resolved against (``rules/engine.py`` does the resolving).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any, Literal

from lacplan.calendar import WorkingDayCalendar
from lacplan.model import Assignment, Case, Event, Period, Placement
from lacplan.obligation import ScopeFacts
from lacplan.report import Obligation
from lacplan.rules.conventions import Conventions
from lacplan.rules.coverage import Seen
from lacplan.rules.schema import EventMatch

__all__ = [
    "EMPTY_INDEX",
    "EndedBy",
    "EventIndex",
    "EventList",
    "Run",
    "Scope",
    "ended",
    "engine_order",
    "index_events",
    "select_key",
]

#: Events as (date, position in :func:`engine_order`, event), sorted by date then position.
EventList = list[tuple[date, int, Event]]

#: What ended a scope, for the explanations: its period, its placement, the 18th birthday, or
#: the rule's own ``scope_end``.
EndedBy = Literal["period", "placement", "18", "rule"]


@dataclass(slots=True)
class EventIndex:
    """Events by type, each list sorted by (date, input position)."""

    by_type: dict[str, EventList] = field(default_factory=dict)
    # Memo of `select` results, keyed by the identity of the (long-lived) EventMatch objects.
    _memo: dict[int | tuple[int, ...], tuple[EventList, list[date]]] = field(default_factory=dict)

    def finish(self) -> None:
        for lst in self.by_type.values():
            lst.sort(key=_date)  # stable: kept in the order added (index_events: engine order)

    def select(
        self, matches: Sequence[EventMatch], key: int | tuple[int, ...] | None = None
    ) -> tuple[EventList, list[date]]:
        """Events matching any of ``matches`` sorted by (date, position), and their dates
        (``key``: :func:`select_key` of ``matches``, when the caller keeps it)."""
        if not self.by_type:  # no events (and EMPTY_INDEX, shared by every run, keeps no memo)
            return [], []
        if key is None:
            key = select_key(matches)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        out: EventList
        if len(matches) > 1:  # the union of each match's own (memoised) selection
            out = []
            for m in matches:
                out.extend(self.select((m,), id(m))[0])
            out.sort(key=_date_and_position)
        else:
            m = matches[0]
            out = self.by_type.get(m.type) or []
            fields, nulls = m.fields, m.null_fields  # read once (a model's fields read slowly)
            if out and (fields or nulls):
                out = [t for t in out if _fields_match(t[2], fields, nulls)]
        result = (out, [t[0] for t in out])
        self._memo[key] = result
        return result


def select_key(matches: Sequence[EventMatch]) -> int | tuple[int, ...]:
    """The key :meth:`EventIndex.select` keeps its result under: the matches' identities."""
    return id(matches[0]) if len(matches) == 1 else tuple(map(id, matches))


_MISSING = object()
_date = itemgetter(0)
_date_and_position = itemgetter(0, 1)


def _fields_match(
    event: Event, fields: tuple[tuple[str, Any], ...], null_fields: tuple[str, ...]
) -> bool:
    """Whether ``event`` has each of ``fields`` (an ``EventMatch``'s) and ``null_fields`` unset."""
    values = event.__dict__  # a model's fields (an absent one is a field of another event type)
    for k, v in fields:  # plain loops: no generator per call in the hot path
        if values.get(k, _MISSING) != v:
            return False
    for k in null_fields:  # noqa: SIM110
        if values.get(k, _MISSING) is not None:
            return False
    return True


#: The index of a scope with no events, shared by every run: ``select`` writes no memo into it.
EMPTY_INDEX = EventIndex()


@dataclass(slots=True)
class Scope:
    """Where one rule's clock runs: a period, optionally narrowed to a placement."""

    period: Period
    placement: Placement | None
    next_placement: Placement | None
    start: date
    end: date | None  # ended on or before as_of (incl. 18th birthday); None = open
    hard_end: date | None  # last date an event may count (end or 18th birthday, ignoring as_of)
    events: EventIndex
    ended_by: EndedBy
    end_label: str = ""  # how the rule's own scope end is named (ended_by == "rule")
    key_prefix: str = ""  # "child:period:placement-or-dash:", the start of its obligations' keys
    own_end: date | None = None  # the placement's (or period's) own end as at as_of, kept when a
    # rule's scope_end moves ``end`` (``placement.end`` reads it)
    results: dict[str, list[Obligation]] = field(default_factory=dict)  # placement-scoped rules
    dates: dict[int, date | None] = field(default_factory=dict)  # memo of scope-level DateExprs
    inside: dict[int, tuple[EventList, list[date]]] = field(default_factory=dict)
    live: dict[int, Any] = field(default_factory=dict)  # memo of each rule version's options
    # and exemptions whose scope-fixed conditions hold (``CompiledRule.live_options``)
    child_id: str = ""
    # Read once from the (pydantic) period and placement: a model's attribute is slower to read
    # than a slot, and the engine reads these for every obligation.
    period_id: str = field(init=False)
    placement_id: str | None = field(init=False)
    before_data: bool = field(init=False)  # the period started before the data
    facts: ScopeFacts = field(init=False)  # what its obligations share (ids, key prefix, and
    # how the scope ends, which their explanations read: a scope with another end has its own)

    def __post_init__(self) -> None:
        if self.own_end is None:
            self.own_end = self.end
        period = self.period
        self.period_id = period.period_id
        self.placement_id = None if self.placement is None else self.placement.placement_id
        self.before_data = period.started_before_data
        self.facts = ScopeFacts(self.child_id, self.period_id, self.placement_id, self.key_prefix)

    @property
    def kind(self) -> Literal["period", "placement"]:
        return "placement" if self.placement is not None else "period"

    def ending(
        self, end: date | None, hard_end: date | None, ended_by: EndedBy, end_label: str
    ) -> Scope:
        """This scope with another end: ``dataclasses.replace`` with those four fields and an
        empty ``dates`` memo (the other memos are shared), written out, as it runs per case."""
        scope = Scope(
            self.period,
            self.placement,
            self.next_placement,
            self.start,
            end,
            hard_end,
            self.events,
            ended_by,
            end_label,
            self.key_prefix,
            self.own_end,
            self.results,
            {},
            self.inside,
            self.live,
            self.child_id,
        )
        return scope

    def within_placements(
        self, key: int, events: EventList, dates: list[date]
    ) -> tuple[EventList, list[date]]:
        """``events`` dated inside one of the period's placements (memoised under ``key``)."""
        hit = self.inside.get(key)
        if hit is not None:
            return hit
        pls = self.period.placements
        starts = [pl.start for pl in pls]
        kept: EventList = []
        for t in events:
            i = bisect_right(starts, t[0]) - 1
            if i >= 0:
                end = self.period.placement_end(pls[i])
                if end is None or t[0] <= end:
                    kept.append(t)
        result = (kept, [t[0] for t in kept])
        self.inside[key] = result
        return result


@dataclass(slots=True)
class Run:
    """Per-case evaluation state."""

    case: Case
    as_of: date
    conventions: Conventions
    calendar: WorkingDayCalendar
    eighteen: date
    child_events: EventIndex
    period: Period | None = None
    period_scope: Scope | None = None
    period_events: EventIndex = field(default_factory=EventIndex)
    first_placement_start: date | None = None
    results: dict[str, list[Obligation]] = field(default_factory=dict)
    # Whether a period variant of each rule covers the period (``_covered_elsewhere``), asked
    # by every placement no variant of its own covers: kept for the period, like ``results``.
    covered: dict[str, bool] = field(default_factory=dict)
    # The variant each rule runs in the period's placements, where that is the same for all of
    # them (``RuleProgram.picked_per_period``; None: none), kept for the period like ``covered``.
    picked: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, date | None] = field(default_factory=dict)
    seen: Seen | None = None  # what the case's source shows (None: everything)
    clipped: bool = False  # as_of was moved back to the data's last day
    spans: dict[tuple[int, int], list[tuple[date, date, str]]] = field(default_factory=dict)
    # memo of the calendar windows of each convention's terms (``Windowing._spans``)
    phrases: dict[int, str] = field(default_factory=dict)  # each event's phrase, by identity
    # "the date of <phrase>", the anchor label of per-event schedules (several rules may
    # anchor on one event: one text for all of them), by identity
    date_labels: dict[int, str] = field(default_factory=dict)
    child_id: str = field(init=False)  # read once from the (pydantic) case
    months: Literal["calendar", "fixed_days"] = field(init=False)  # month arithmetic (A3)

    def __post_init__(self) -> None:
        self.child_id = self.case.child_id
        self.months = self.conventions.month_arithmetic


def _canonical(event: Event) -> str:
    return json.dumps(event.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def engine_order(events: Sequence[Event]) -> list[int]:
    """Positions of ``events`` in the order the engine reads them: by date; on one day, those
    with an ``event_id`` first, by id, then by their canonical JSON. The order of the input never
    matters, so when several events qualify on one day the one credited (named in the
    explanation) is the one with the smallest id."""
    n = len(events)
    if n < 2:
        return list(range(n))
    fields = [e.__dict__ for e in events]  # each model's fields, read once
    keys = [(v["date"], v["event_id"] is None, v["event_id"] or "") for v in fields]
    order = sorted(range(n), key=keys.__getitem__)
    if len(set(keys)) == n:
        return order  # no two events share a key: no tie to break
    i = 0
    while i < n - 1:  # break ties (same day, same or no id) by canonical JSON
        j = i + 1
        while j < n and keys[order[j]] == keys[order[i]]:
            j += 1
        if j - i > 1:
            order[i:j] = sorted(order[i:j], key=lambda k: _canonical(events[k]))
        i = j
    return order


def index_events(
    case: Case, as_of: date, assignments: Sequence[Assignment]
) -> tuple[EventIndex, dict[str, EventIndex], dict[str, EventIndex]]:
    """Events dated on or before ``as_of`` and not before the child's birth (an impossible event
    satisfies nothing; it is a finding), by child, period and placement."""
    child = EventIndex()
    periods: dict[str, EventIndex] = {}
    placements: dict[str, EventIndex] = {}
    born = case.date_of_birth
    child_types = child.by_type
    events = case.events
    for pos, k in enumerate(engine_order(events)):
        event, where = events[k], assignments[k]
        values = event.__dict__  # the model's fields, read once
        d = values["date"]
        if d > as_of or d < born:
            continue
        entry = (d, pos, event)
        kind = values["type"]
        lst = child_types.get(kind)
        if lst is None:
            child_types[kind] = [entry]
        else:
            lst.append(entry)
        if where.period_id is not None:
            idx = periods.get(where.period_id)
            if idx is None:
                idx = periods[where.period_id] = EventIndex()
            idx.by_type.setdefault(kind, []).append(entry)
        if where.placement_id is not None:
            idx = placements.get(where.placement_id)
            if idx is None:
                idx = placements[where.placement_id] = EventIndex()
            idx.by_type.setdefault(kind, []).append(entry)
    for idx in (child, *periods.values(), *placements.values()):
        idx.finish()
    return child, periods, placements


def ended(
    end: date | None, eighteen: date, as_of: date, own: EndedBy
) -> tuple[date | None, date | None, EndedBy]:
    """(end as at ``as_of`` or None if open, hard end ignoring ``as_of``, what ended it)."""
    if end is None or end >= eighteen:
        return (eighteen if eighteen <= as_of else None), eighteen, "18"
    return (end if end <= as_of else None), end, own
