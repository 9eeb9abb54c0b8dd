"""A series of short breaks (reg 48): the breaks as placements and their visits."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from datetime import date, timedelta

from lacplan.calendar import add_months
from lacplan.synth.duties import _care_plan, _reviews
from lacplan.synth.model import _ONE, _P_LATE, _Child, _Period, _Placement, _ri


def _short_breaks_period(
    child: _Child,
    period_id: str,
    start: date,
    end: date | None,
    numbers: Iterator[int],
    floor: date,
) -> _Period:
    rng = child.rng
    kind = "foster" if rng.random() < 0.55 else "residential"
    period = _Period(period_id, start, end, "planned", "short_breaks")
    if rng.random() < 0.35:
        period.agreed_visit_interval_days = rng.choice((28, 42, 56, 84, 91))
    limit = end if end is not None else child.as_of
    breaks: list[tuple[date, date]] = []  # first and last day of each break
    cursor = start
    # A break starts on or before as_of in an open series, before the last day of a closed one.
    stop = limit if end is None else limit - _ONE
    while cursor <= stop and len(breaks) < 60:
        nights = rng.choices((1, 2, 3, 4, 7), (30, 35, 15, 10, 10))[0]
        b_end = cursor + timedelta(nights)
        if b_end > limit:
            if end is not None:
                b_end = limit
            else:  # a break under way on as_of
                period.placements.append(_Placement(f"PL{next(numbers):02d}", cursor, None, kind))
                breaks.append((cursor, limit))
                break
        period.placements.append(_Placement(f"PL{next(numbers):02d}", cursor, b_end, kind))
        breaks.append((cursor, b_end))
        cursor = b_end + timedelta(_ri(rng, 10, 45))
    if end is not None or (len(breaks) == 60 and period.placements[-1].end is not None):
        # the series ended with its last break
        last_end = period.placements[-1].end
        assert last_end is not None
        if end is not None or last_end < child.as_of - timedelta(60):
            period.end = last_end
    last = min(period.end if period.end is not None else child.as_of, child.b18 - _ONE)
    _care_plan(child, period, floor, last)
    _reviews(child, period, last)
    _short_breaks_visits(child, period, breaks, last)
    return period


def _short_breaks_visits(
    child: _Child, period: _Period, breaks: list[tuple[date, date]], last: date
) -> None:
    """Visits dated inside a break: within the agreed interval, else 3 then 6 months."""
    rng = child.rng
    interval = period.agreed_visit_interval_days
    starts = [b[0] for b in breaks]

    def due_after(anchor: date, months: int) -> date:
        due = add_months(anchor, months)
        return due if interval is None else min(due, anchor + timedelta(interval))

    def in_break(lo: date, hi: date, latest: bool) -> date | None:
        """A day inside a break within [lo, hi] (one of the last two breaks there if
        ``latest``, else the first), or None."""
        i = bisect_right(starts, hi)  # breaks starting on or before hi: [0, i)
        found = [
            (max(s, lo), min(e, hi))
            for s, e in breaks[max(0, i - 12) : i]
            if e >= lo and s <= hi and max(s, lo) <= min(e, hi)
        ]
        if not found:
            return None
        a, b = rng.choice(found[-2:]) if latest else found[0]
        return child.day_between(a, b)

    lo = earliest = period.start
    due = due_after(lo, 3)
    while True:
        d = None
        if rng.random() >= min(0.85, _P_LATE * child.factor):
            # on time: in a break in the second half of the interval, else in one from its
            # first third on (from its start for the first visit)
            half = lo + timedelta((due - lo).days // 2)
            d = in_break(half, due, latest=True) or in_break(earliest, due, latest=True)
        if d is None:  # late: in the first break after the due date
            after = max(due + _ONE, lo)
            d = in_break(after, after + timedelta(60), latest=False)
        if d is None or d > last:
            return
        child.visit(d)
        lo = d + _ONE
        due = due_after(d, 6)
        earliest = lo + timedelta((due - lo).days // 3)
