"""Events of a standard period of care: plans, reviews, visits, health, education, the
yearly checks, permanence and leaving care, each following the rule it is checked against
(with the cohort's lateness)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from lacplan.calendar import add_months, age_on, birthday
from lacplan.synth.model import (
    _ONE,
    _P_NEVER,
    _REDUCED_VISITS_FROM,
    _add_weekdays,
    _Child,
    _kind,
    _Period,
    _Placement,
    _ri,
)


def _standard_period(
    child: _Child,
    period_id: str,
    start: date,
    end: date | None,
    entry: str,
    numbers: Iterator[int],
    floor: date,
) -> _Period:
    rng = child.rng
    period = _Period(period_id, start, end, entry, "standard")
    known_until = end if end is not None else child.as_of  # the last day the data can show
    span = (known_until - start).days
    k = rng.choices((1, 2, 3, 4), (45, 28, 16, 11))[0]
    k = max(1, min(k, span // 14))
    moves = sorted(rng.sample(range(1, span), k - 1)) if k > 1 else []
    bounds: list[date | None] = [start, *(start + timedelta(m) for m in moves), end]
    pls = period.placements
    for j in range(k):
        p_start = bounds[j]
        assert p_start is not None
        age = age_on(child.dob, p_start)
        kind = _kind(rng, age, j == 0 and entry == "emergency")
        if j == 0:
            emergency = entry == "emergency"
        elif pls[-1].end_reason == "immediate_risk":
            emergency = rng.random() < 0.8
        else:
            emergency = rng.random() < 0.06
        p_end = bounds[j + 1]
        lasting = ((p_end or known_until) - p_start).days >= 120
        ltf = kind == "foster" and (j > 0 or entry == "planned") and lasting and rng.random() < 0.4
        until_18 = ltf or (kind in ("foster", "residential") and rng.random() < 0.08)
        pls.append(
            _Placement(
                f"PL{next(numbers):02d}",
                p_start,
                p_end,
                kind,
                emergency=emergency,
                intended_until_18=until_18,
                long_term_foster=ltf,
                end_reason=(
                    rng.choices(("planned", None, "other", "immediate_risk"), (55, 20, 15, 10))[0]
                    if j < k - 1
                    else None
                ),
                agency=kind == "foster" and rng.random() < 0.25,
            )
        )
    _legal_status(child, period, known_until)

    # The last day an event of this period can be dated: its end (or as_of), before the 18th
    # birthday.
    last = min(known_until, child.b18 - _ONE)
    if last < start:
        return period
    _care_plan(child, period, floor, last)
    reviews = _reviews(child, period, last)
    for j, pl in enumerate(pls):
        _placement_plans(child, period, pl, floor)
        visits_last = pls[j + 1].start - _ONE if j + 1 < len(pls) else last
        _standard_visits(child, period, pl, reviews, min(visits_last, last))
    _health(child, period, reviews, last)
    _education(child, period, last, floor)
    _yearly_checks(child, period, last)
    if reviews:
        _permanence_plan(child, period, reviews, last)
    return period


def _legal_status(child: _Child, period: _Period, known_until: date) -> None:
    rng = child.rng
    start = period.start
    pwp = next((p for p in period.placements if p.kind == "placed_with_parents"), None)
    r = rng.random()
    age = age_on(child.dob, start)
    if (pwp is not None and r < 0.85) or (pwp is None and r < (0.2 if age >= 13 else 0.4)):
        status = [(start, "interim_care_order")]
        pwp_end = pwp.end if pwp is not None and pwp.end is not None else known_until
        if pwp is not None and rng.random() < 0.5 and (pwp_end - pwp.start).days > 14:
            order = pwp.start + timedelta(_ri(rng, 7, min(200, (pwp_end - pwp.start).days - 1)))
        else:
            order = start + timedelta(_ri(rng, 60, 330))
        if start < order <= known_until:
            status.append((order, "care_order"))
            if age < 5 and rng.random() < 0.3:
                placement_order = order + timedelta(_ri(rng, 30, 200))
                if placement_order <= known_until:
                    status.append((placement_order, "placement_order"))
        period.legal_status = status
    elif r < 0.8:
        period.legal_status = [(start, "section_20")]


def _care_plan(child: _Child, period: _Period, floor: date, last: date) -> None:
    start = period.start
    if period.entry == "emergency":
        d = child.when(_add_weekdays(start, 10), 13, start, p_never=_P_NEVER)
    else:
        d = child.when(start, 14, max(floor, start - timedelta(30)), p_never=_P_NEVER)
    if d is not None and d <= last:
        child.add(d, "care_plan")


def _moves_needing_review(period: _Period) -> list[tuple[date, date]]:
    """(move date, start of the ending placement) for moves that need a review first."""
    out = []
    pls = period.placements
    for pl, nxt in pairwise(pls):
        if pl.end == nxt.start and (
            pl.end_reason == "planned" or (pl.end_reason is None and not nxt.emergency)
        ):
            out.append((pl.end, pl.start))
    return out


def _reviews(child: _Child, period: _Period, last: date) -> list[date]:
    """Reviews of the period (returns the dates of those held, in order)."""
    rng = child.rng
    start = period.start
    short_breaks = period.regime == "short_breaks"
    moves = _moves_needing_review(period)
    held: list[date] = []
    if short_breaks:
        due, early = add_months(start, 3), 30
    else:
        due, early = _add_weekdays(start, 20), 18
    mi = 0
    while True:
        lo = held[-1] + _ONE if held else start
        d = child.when(due, early, lo)
        assert d is not None
        while mi < len(moves) and moves[mi][0] < lo:
            mi += 1
        if mi < len(moves) and moves[mi][0] < d:
            move, pl_start = moves[mi]
            mi += 1
            window = max(add_months(move, -3), pl_start, lo)
            if window <= move and rng.random() < min(0.95, 0.85 / child.factor):
                d = move - timedelta(_ri(rng, 0, min(14, (move - window).days)))
        if d > last:
            break
        if rng.random() < 0.03 and d - timedelta(3) >= lo:  # cancelled, held a few days later
            child.add(
                d - timedelta(_ri(rng, 1, min(10, (d - lo).days))), "review", {"cancelled": True}
            )
        fields: dict[str, Any] = {}
        if held and rng.random() < 0.08:
            fields["meeting"] = False
        elif held and rng.random() < 0.5:
            consult = d - timedelta(_ri(rng, 29, 50) if rng.random() < 0.7 else _ri(rng, 1, 27))
            if consult > held[-1]:
                child.add(consult, "review_consultation")
        child.add(d, "review", fields)
        held.append(d)
        due = add_months(d, 3 if len(held) == 1 else 6)
        early = 21 if len(held) == 1 else 30
    return held


def _placement_plans(child: _Child, period: _Period, pl: _Placement, floor: date) -> None:
    """The placement plan and notification, each naming its placement."""
    if pl.emergency:
        due, early, lo = _add_weekdays(pl.start, 5), 6, pl.start
    else:
        due, early, lo = pl.start, 7, max(floor, pl.start - timedelta(21))
    scope_end = pl.end if pl.end is not None else (period.end or child.as_of)
    for event_type, p_never in (("placement_plan", _P_NEVER), ("placement_notification", 0.06)):
        d = child.when(due, early, lo, p_never=p_never)
        if d is not None and d <= scope_end and d < child.b18:
            child.add(d, event_type, {"placement_id": pl.placement_id})


def _visit_due(
    child: _Child, period: _Period, pl: _Placement, anchor: date, reviews: list[date]
) -> date:
    """The due date of the visit after one on ``anchor`` (CPPCR reg 28, as lacplan reads it)."""
    kind = pl.kind
    if kind in ("placed_with_parents", "connected_person_temporary"):
        reviewed = bisect_right(reviews, anchor) > bisect_right(reviews, pl.start)
        status = period.status_on(anchor)
        if kind == "placed_with_parents" and status == "care_order":
            return anchor + timedelta(42)
        if not reviewed:
            return anchor + timedelta(7)
        if kind == "connected_person_temporary" or status == "interim_care_order":
            return anchor + timedelta(28)
        return anchor + timedelta(42)
    if anchor < add_months(pl.start, 12):
        return anchor + timedelta(42)
    if pl.intended_until_18:
        if pl.long_term_foster and anchor >= _REDUCED_VISITS_FROM and child.reduced_on(anchor):
            return add_months(anchor, 6)
        return add_months(anchor, 3)
    return anchor + timedelta(42)


def _standard_visits(
    child: _Child, period: _Period, pl: _Placement, reviews: list[date], last: date
) -> None:
    """Social worker visits to one placement (``last``: the last day it can be visited)."""
    rng = child.rng
    if last < pl.start:
        return
    if pl.long_term_foster and pl.intended_until_18:
        first_year = add_months(pl.start, 12)
        if first_year < last and age_on(child.dob, first_year) >= 8 and rng.random() < 0.6:
            agreed = first_year + timedelta(_ri(rng, 0, 200))
            if agreed <= last:
                child.add(agreed, "reduced_visits_agreed", {"agreed_by": "child"})
                child.reduced.append((agreed, True))
                withdrawn = agreed + timedelta(_ri(rng, 90, 500))
                if rng.random() < 0.1 and withdrawn <= last:
                    child.add(withdrawn, "reduced_visits_withdrawn", {"agreed_by": "child"})
                    child.reduced.append((withdrawn, False))
    order: date | None = None  # a care order made while placed with parents: visit within a week
    if pl.kind == "placed_with_parents" and period.status_on(pl.start) != "care_order":
        order = next(
            (d for d, s in period.legal_status if s == "care_order" and pl.start < d <= last),
            None,
        )
    d = child.when(pl.start + timedelta(7), 6, pl.start, p_late=0.12, short=True)
    prev = pl.start - _ONE
    while d is not None and d <= last:
        if order is not None and prev < order and d > order + timedelta(6):
            v = child.when(order + timedelta(7), 6, max(order, prev + _ONE), short=True)
            if v is not None and v < d:
                child.visit(v)
                d = max(d, v + _ONE)
            order = None
        child.visit(d)
        prev = d
        due = _visit_due(child, period, pl, d, reviews)
        d = child.when(due, (due - d).days // 3, d + _ONE, short=(due - d).days <= 7)
    if pl.agency:
        _supervising_visits(child, pl, last)


def _supervising_visits(child: _Child, pl: _Placement, last: date) -> None:
    """An agency's supervising social worker: within a week, then monthly."""
    rng = child.rng
    d = child.when(pl.start + timedelta(7), 6, pl.start, short=True)
    while d is not None and d <= last:
        child.add(
            d, "visit", {"by": "supervising_social_worker", "unannounced": rng.random() < 0.15}
        )
        d = child.when(add_months(d, 1), 10, d + _ONE)


def _health(child: _Child, period: _Period, reviews: list[date], last: date) -> None:
    rng = child.rng
    start = period.start
    due = _add_weekdays(start, 20)
    if reviews and reviews[0] < due:
        due = reviews[0]
    d = child.when(due, (due - start).days, start + _ONE, p_never=_P_NEVER)
    while d is not None and d <= last:
        age = age_on(child.dob, d)
        if age >= 10 and rng.random() < (0.08 if age >= 14 else 0.03):
            child.add(d, "health_consent_refused", {"refused_by": "child"})
        else:
            child.add(d, "health_assessment")
        due = add_months(d, 6 if age < 5 else 12)
        d = child.when(due, 45, d + _ONE)


def _terms(lo: date, hi: date) -> Iterator[tuple[date, date]]:
    """School terms (the default ``school_terms``) starting after ``lo``, up to ``hi``."""
    for year in range(lo.year, hi.year + 1):
        for start, end in (
            (date(year, 1, 1), date(year, 3, 31)),
            (date(year, 4, 1), date(year, 7, 31)),
            (date(year, 9, 1), date(year, 12, 31)),
        ):
            if lo < start <= hi:
                yield start, end


def _education(child: _Child, period: _Period, last: date, floor: date) -> None:
    """The PEP (ages 3-17) and one PEP review in most school terms."""
    rng = child.rng
    start = period.start
    b3 = birthday(child.dob, 3)
    if period.entry == "emergency":
        due = _add_weekdays(start, 10)
        pep = child.when(due, 13, start, p_late=0.2, p_never=_P_NEVER)
    else:
        due = start
        pep = child.when(
            start, 10, max(floor, start - timedelta(30)), p_late=0.25, p_never=_P_NEVER
        )
    if b3 > due:  # not yet 3: an early-years PEP once the child is
        due = b3
        pep = child.when(b3 + timedelta(30), 30, b3, p_never=_P_NEVER)
    if pep is None or pep > last:
        return
    child.add(pep, "pep")
    for t_start, t_end in _terms(due, last):
        lo, hi = max(t_start, pep + _ONE), min(t_end, last)
        if lo <= hi and rng.random() < 1 - min(0.6, 0.12 * child.factor):
            child.add(child.day_between(lo, hi), "pep_review")


def _yearly_checks(child: _Child, period: _Period, last: date) -> None:
    """An SDQ (ages 4-16) and a dental check in most years ending 31 March that the child is
    looked after throughout (the DfE's 12-month cohort)."""
    rng = child.rng
    for year in range(period.start.year, last.year + 2):
        w_start, w_end = date(year - 1, 4, 1), date(year, 3, 31)
        hi = min(w_end, last)
        if period.start > w_start or hi < w_start:
            continue
        if 4 <= age_on(child.dob, w_end) <= 16 and rng.random() < 1 - min(0.6, 0.15 * child.factor):
            child.add(child.day_between(w_start, hi), "sdq")
        if rng.random() < 0.8:
            child.add(child.day_between(w_start, hi), "dental_check")


def _permanence_plan(child: _Child, period: _Period, reviews: list[date], last: date) -> None:
    due = add_months(reviews[0], 3)
    if len(reviews) > 1 and reviews[1] < due:
        due = reviews[1]
    d = child.when(due, (due - reviews[0]).days, reviews[0], p_never=_P_NEVER * 2)
    if d is not None and d <= last:
        child.add(d, "permanence_plan")


def _leaving_care(child: _Child, periods: list[_Period]) -> None:
    """Needs assessment, pathway plan and its 6-monthly reviews to 21 (CPPCR reg 40-43)."""
    rng = child.rng
    dob, as_of = child.dob, child.as_of
    b14, b16, b18 = birthday(dob, 14), birthday(dob, 16), child.b18
    eligible: date | None = None
    total = 0
    for p in periods:  # as lacplan.rules.facts.leaving_care_eligibility
        counted_from = max(p.start, b14)
        day = max(p.start, b16, counted_from + timedelta(max(0, 91 - total)))
        until = b18 if p.end is None else min(p.end, b18)
        if day < until and day <= as_of:
            eligible = day
            break
        if p.end is not None and p.end > counted_from:
            total += (p.end - counted_from).days
    if eligible is None:
        return
    last = min(as_of, birthday(dob, 21))
    due = add_months(eligible, 3)
    assessed = child.when(due, (due - eligible).days, eligible, p_never=_P_NEVER)
    if assessed is None or assessed > last:
        return
    child.add(assessed, "needs_assessment")
    planned = child.when(due, (due - eligible).days, assessed, p_never=_P_NEVER)
    if planned is None or planned > last:
        return
    child.add(planned, "pathway_plan")
    d = child.when(add_months(planned, 6), 40, planned + _ONE)
    while d is not None and d <= last:
        child.add(d, "pathway_plan_review")
        if rng.random() < 0.03 * child.factor:  # lost touch
            break
        d = child.when(add_months(d, 6), 40, d + _ONE)
