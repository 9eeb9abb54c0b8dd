"""Windows of the windowed schedules: calendar windows (school terms, a year ending 31 March,
optionally pro rata for a window looked after in part) and rolling windows (each year of a
placement). A mixin of the engine; nothing here knows a rule.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from lacplan.calendar import fmt_date
from lacplan.offsets import offset_date
from lacplan.rules.conventions import TermWindow
from lacplan.rules.resolve import Resolver
from lacplan.rules.schema import RollingWindows, Windows
from lacplan.rules.state import Scope

__all__ = ["Window", "Windowing"]

_WINDOW_LIMIT = 10_000  # a guard, far above any real count of yearly windows


class Window(NamedTuple):
    """One window of a ``Windows`` or ``RollingWindows`` schedule."""

    start: date
    end: date
    name: str
    due: date  # the window's end, or the scope's end when the scope ended inside it (pro rata)
    need: int  # how many events satisfy it
    lo: date  # events count from here (the window's start, or the scope's start within it)
    note: str  # how many are needed and why, for the explanation


class Windowing(Resolver):
    """The windows of ``Windows`` and ``RollingWindows`` schedules for a scope."""

    __slots__ = ()

    def _windows(self, scope: Scope, schedule: Windows) -> list[Window]:
        """The calendar windows of a ``Windows`` schedule for this scope, in date order."""
        run = self.run
        after = self._date(schedule.starting_after, scope, {})
        if after is None:
            return []
        limit = run.as_of if scope.end is None else min(scope.end, run.as_of)
        terms: tuple[TermWindow, ...] = schedule.windows or getattr(
            run.conventions, schedule.windows_convention or ""
        )
        years = range(after.year - 1, limit.year + 1)
        spans = self._spans(terms, years)
        need = schedule.min_count
        many = f"At least {need} needed in it." if need > 1 else ""
        if schedule.pro_rata_convention is None:
            return [
                Window(start, end, name, end, need, start, many)
                for start, end, name in spans
                if after < start <= limit
            ]
        subs: tuple[TermWindow, ...] = getattr(run.conventions, schedule.pro_rata_convention)
        sub_starts = [start for start, _, _ in self._spans(subs, years)]
        unit = schedule.pro_rata_convention.replace("_", " ").removesuffix("s")
        out: list[Window] = []
        for start, end, name in spans:
            if end <= after or start > limit:
                continue
            lo = max(start, scope.start)
            hi = end if scope.end is None else min(end, scope.end)
            if lo > hi:
                continue
            if lo == start and hi == end:
                out.append(Window(start, end, name, end, need, start, many))
                continue
            count = sum(lo <= d <= hi for d in sub_starts)
            if count:
                cover = f"looked after from {fmt_date(lo)} to {fmt_date(hi)}"
                note = f"At least {count} needed in it: one per {unit} looked after ({cover})."
                out.append(Window(start, end, name, hi, count, lo, note))
        return out

    def _spans(self, terms: tuple[TermWindow, ...], years: range) -> list[tuple[date, date, str]]:
        """Every window of ``terms`` starting in ``years``, as (start, end, name) in date order.

        Each year's windows start in that year, so they are sorted a year at a time and the
        years joined in order; a year's are kept for the case (its scopes ask for the same)."""
        memo = self.run.spans
        terms_id = id(terms)
        out: list[tuple[date, date, str]] = []
        for year in years:
            hit = memo.get((terms_id, year))
            if hit is None:
                hit = memo[terms_id, year] = sorted((*t.span(year), t.name) for t in terms)
            out.extend(hit)
        return out

    def _rolling(self, scope: Scope, schedule: RollingWindows) -> list[Window]:
        """Consecutive windows of ``every`` from ``starting``, each counted from the first start
        (never chained from a clamped date, A3)."""
        run = self.run
        first = self._date(schedule.starting, scope, {})
        if first is None:
            return []
        limit = run.as_of if scope.end is None else min(scope.end, run.as_of)
        need = schedule.min_count
        many = f"At least {need} needed in it." if need > 1 else ""
        every = schedule.every
        out: list[Window] = []
        start = first
        while start <= limit and len(out) < _WINDOW_LIMIT:
            step = type(every)(n=every.n * (len(out) + 1))
            nxt = offset_date(first, step, run.calendar, run.months)
            end = nxt - timedelta(days=1)
            n = len(out) + schedule.number_from
            name = schedule.name.format(n=n, nth=_ordinal(n))
            out.append(Window(start, end, name, end, need, start, many))
            start = nxt
        return out


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``21st``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
