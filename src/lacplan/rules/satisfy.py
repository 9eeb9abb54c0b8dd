"""Which event meets an obligation: the bounds in which events count, the first (or last)
matching event, and ending events (such as a consent refusal) that close it first. A mixin of
the engine; nothing here knows a rule.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from lacplan.model import Event
from lacplan.rules.state import Scope
from lacplan.rules.windows import Window, Windowing

if TYPE_CHECKING:
    from lacplan.rules.compiled import CompiledRule

__all__ = ["Outcome", "Satisfying"]


class Outcome(NamedTuple):
    met_on: date | None
    event: Event | None
    closed_on: date | None
    status: str | None  # set by an ending
    reason: str | None
    label: str  # the ending's label
    closes: date | None = None  # the last day it could be met (``closes_at_end``)


# Built with ``tuple.__new__`` in the hot path: a NamedTuple's own ``__new__`` is a Python call.
_new = tuple.__new__
_UNMET = Outcome(None, None, None, None, None, "", None)


class Satisfying(Windowing):
    """Finds what met, or closed, one obligation."""

    __slots__ = ()

    def _bounds(
        self,
        cr: CompiledRule,
        scope: Scope,
        local: dict[str, date | None],
        window: Window | None,
    ) -> tuple[date | None, bool, date | None]:
        """(earliest date an event counts, whether that bound is strict, latest date)."""
        lo: date | None = None
        lo_strict = False
        hi = scope.hard_end
        if cr.sat_end is not None:
            e = cr.sat_end(self, scope, local)
            if e is not None:
                hi = e
        if window is not None:
            lo, hi = window.lo, min(window.due, hi) if hi else window.due
        if cr.chain:
            lo, lo_strict = local["anchor"], True
        if cr.sat_start is not None:
            s = cr.sat_start(self, scope, local)
            if s is not None and (lo is None or s > lo):
                lo, lo_strict = s, False
        if cr.sat_after is not None:
            s = cr.sat_after(self, scope, local)
            if s is not None and (lo is None or s >= lo):
                lo, lo_strict = s, True
        return lo, lo_strict, hi

    def _satisfy(
        self,
        cr: CompiledRule,
        scope: Scope,
        local: dict[str, date | None],
        window: Window | None,
    ) -> Outcome:
        idx = self._events(cr.sat_scope, scope)
        lo, lo_strict, hi = self._bounds(cr, scope, local, window)
        events, dates = idx.select(cr.sat_events, cr.sat_events_key)
        if cr.sat_within:
            events, dates = scope.within_placements(cr.sat_key, events, dates)
        i = 0 if lo is None else (bisect_right if lo_strict else bisect_left)(dates, lo)
        j = len(dates) if hi is None else bisect_right(dates, hi)
        need = window.need if window is not None else 1
        hit: tuple[date, int, Event] | None = None
        if j - i >= need:
            if cr.sat_last:  # the latest day's first event (the smallest id that day)
                hit = events[bisect_left(dates, dates[j - 1], i, j)]
            else:
                hit = events[i + need - 1]
        # An ending event (e.g. consent refused) closes the obligation if it comes first.
        due = local.get("due")
        for match, ending, key in cr.endings:
            closers, closer_dates = idx.select(match, key)
            k = 0 if lo is None else (bisect_right if lo_strict else bisect_left)(closer_dates, lo)
            if k == len(closers):
                continue
            d, _, ev = closers[k]  # the first closing event in the bounds, if before any hit
            if (hi is not None and d > hi) or (hit is not None and d >= hit[0]):
                continue
            if due is not None and d <= due:
                return Outcome(None, ev, d, ending.on_or_before_due, ending.reason, ending.label)
            met = d if ending.after_due == "met_late" else None
            return Outcome(met, ev, d, ending.after_due, ending.reason, ending.label)
        if hit is None:
            if cr.sat_closes_at_end and hi is not None:
                return Outcome(None, None, None, None, None, "", hi)
            return _UNMET
        return _new(Outcome, (hit[0], hit[2], hit[0], None, None, "", None))
