"""Which period of care and which placement each event belongs to."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from lacplan.domain.case import Case
from lacplan.domain.records import Assignment

__all__ = ["Assignment", "assign_events"]


def _locate(d: date, starts: list[date], ends: list[date | None]) -> tuple[int | None, bool]:
    """Index of the interval covering ``d`` (``covered=True``) or of the next one to start.

    ``starts`` is sorted and the intervals do not overlap; an interval starting on ``d`` wins over
    one ending on ``d`` (bisect_right finds the last start on or before ``d``).
    """
    i = bisect_right(starts, d) - 1
    if i >= 0:
        end = ends[i]
        if end is None or d <= end:
            return i, True
    nxt = i + 1
    return (nxt if nxt < len(starts) else None), False


def assign_events(case: Case) -> tuple[Assignment, ...]:
    """Assign each event of ``case`` to a period and a placement; parallel to ``case.events``.

    * Period: the one covering the event's date (start and end inclusive); an event in the gap
      before a period (or before the first period) belongs to that upcoming period; an event after
      the last period's end belongs to none.
    * Placement: an explicit ``placement_id`` wins; otherwise the placement of the assigned period
      covering the date, the incoming one on a move day; an event before a placement starts
      (before the first placement, or between placements) belongs to the next placement starting
      after it in the same period.
    """
    periods = case.periods
    p_starts = [p.start for p in periods]
    p_ends: list[date | None] = [p.end for p in periods]
    p_ids = [p.period_id for p in periods]
    # Each period's placements as (starts, ends, ids), made when first needed.
    tables: dict[int, tuple[list[date], list[date | None], list[str]]] = {}
    made: dict[tuple[str | None, str | None], Assignment] = {}  # one object per pair (frozen)

    def assignment(period_id: str | None, placement_id: str | None) -> Assignment:
        pair = (period_id, placement_id)
        hit = made.get(pair)
        if hit is None:
            hit = made[pair] = Assignment(period_id, placement_id)
        return hit

    out: list[Assignment] = []
    for event in case.events:
        values = event.__dict__  # the model's fields, read once
        day, placement_id = values["date"], values["placement_id"]
        i, _ = _locate(day, p_starts, p_ends)
        if i is None:
            out.append(assignment(None, placement_id))
            continue
        if placement_id is not None:
            out.append(assignment(p_ids[i], placement_id))
            continue
        table = tables.get(i)
        if table is None:
            period = periods[i]
            pls = period.placements
            table = tables[i] = (
                [pl.start for pl in pls],
                [period.placement_end(pl) for pl in pls],
                [pl.placement_id for pl in pls],
            )
        starts, ends, ids = table
        j, _ = _locate(day, starts, ends)
        out.append(assignment(p_ids[i], None if j is None else ids[j]))
    return tuple(out)
