"""Synthetic cohorts: invented looked-after children in the JSON case format, for demos, tests
and benchmarks.

No real data goes in and none comes out: every id, date and label is drawn from
:class:`random.Random` seeded with ``f"{seed}:{index}"``, so a cohort is fully determined by
``(n, seed, as_of)``, nothing reads the clock or the global random state, and child ``i`` does not
depend on ``n`` (the first ``k`` children of a cohort of ``n`` are the cohort of ``k``)::

    >>> from lacplan.synth import synth_cases
    >>> cases = synth_cases(3, seed=1)
    >>> [c["child_id"] for c in cases]
    ['SYN-000001', 'SYN-000002', 'SYN-000003']
    >>> synth_cases(2, seed=1) == cases[:2]
    True

:func:`synth_cases` returns JSON-ready dicts (ISO date strings), each accepted by
``lacplan.Case.model_validate``; :func:`write_cohort` streams them as JSON Lines.

Distributions (approximate shares; ``docs/synth.md`` has the full table):

* **Children.** ``child_id`` ``SYN-000001``, ``SYN-000002``, ... Labels ``la`` (``LA-DEMO``),
  ``team`` (``T-NORTH``, ``T-SOUTH``, ``T-EAST``, ``T-WEST``; ``T-DISABILITY`` for most
  short-breaks children; ``T-LEAVING`` for most young people 16 or over by ``as_of``) and
  ``iro`` (``IRO-01`` to ``IRO-12``).
* **Age at entry** (of the first period), close to the DfE's shares for children starting to be
  looked after: under 1 18% (a third of them in their first week), 1-4 14%, 5-9 16%, 10-15 34%,
  16-17 18%. Short-breaks children are 4-16 (mostly 5-13).
* **Periods of care.** The first starts between ``as_of`` minus 8 years and ``as_of`` minus 7
  days, weighted towards recent years. About 1 in 3 entries is an emergency. Length: 25% up to
  3 months, 25% 3-12 months, 25% 1-3 years, 25% longer; a period ends when the child returns home
  (its end date) or on the 18th birthday, and is open (``end: null``) when neither happened by
  ``as_of``. About 10% of children have a second period, starting 4 weeks to 3 years after the
  first ended (returned home, then back into care), never within 4 months of the 18th birthday.
* **Placements.** 1 (45%), 2 (28%), 3 (16%) or 4 (11%) per period, contiguous (each move is one
  placement's end equal to the next one's start), at most one per fortnight of the period. Kind
  by age: mostly ``foster``; ``residential`` for a quarter of placements at 12 or over;
  ``placed_with_parents`` and ``connected_person_temporary`` about 5% each. 40% of foster
  placements lasting 4 months or more (after the first, or in a planned entry) are long-term
  (``long_term_foster`` and ``intended_until_18``); a few others are intended to last until 18.
  A move's ``end_reason``: ``planned`` 55%, none 20%, ``other`` 15%,
  ``immediate_risk`` 10% (then the next placement is usually an emergency). About 25% of foster
  placements are with an agency and have monthly supervising social worker visits.
* **Legal status.** A period with a placement with parents usually has ``interim_care_order``
  then ``care_order`` (half the time made during that placement); others ``section_20`` (more
  for teenagers), ``interim_care_order`` -> ``care_order`` (-> ``placement_order`` for some
  under-5s), or nothing recorded.
* **Short breaks** (about 5% of children): one ``short_breaks`` period of breaks of 1-7 nights
  every 10-45 days (at most 60 breaks), each break a placement; about 35% have an
  ``agreed_visit_interval_days`` (28 to 91 days); social worker visits are dated inside breaks
  (that interval, else within 3 then 6 months). No health, PEP, SDQ or leaving-care events.
* **Events**, dated on or before ``as_of`` and within the child's care (never before birth, after
  the period, or after the 18th birthday, except leaving-care events up to the 21st):
  ``care_plan``, ``placement_plan`` and ``placement_notification`` (each naming its placement),
  ``review`` (first within about 20 working days, second 3 months later, then 6-monthly, and one
  before most planned moves; a few ``cancelled`` or without a ``meeting``),
  ``review_consultation`` (before half the later reviews), ``health_assessment`` (initial before
  the first review, then 6- or 12-monthly by age; young people 10 or over sometimes refuse:
  ``health_consent_refused`` by the child), ``pep`` and one ``pep_review`` in most school terms
  (ages 3-17), ``visit`` (by the social worker, on the visiting timescale of the placement: weekly
  or 4- or 6-weekly with parents or a connected person, 6-weekly, 3-monthly after the first year
  of a placement intended to last until 18, 6-monthly after ``reduced_visits_agreed`` in a
  long-term foster placement; from age 3 ``seen_alone`` true 85%, false 8% mostly with a
  ``not_seen_alone_reason``, not recorded 7%; babies and toddlers are mostly not seen alone, as
  ``inappropriate``), ``sdq`` (ages 4-16) and ``dental_check`` in most years ending 31 March,
  ``permanence_plan`` by the second review, and for young people looked after at 16 or over
  ``needs_assessment``, ``pathway_plan`` and 6-monthly ``pathway_plan_review`` to 21.
* **Lateness.** Each duty is done on time (a little before its deadline) most of the time; about
  10% are late (60% by 1-7 days, 30% by 1-4 weeks, 10% by 1-4 months) and 3% of one-off duties
  are never done. These rates are scaled per child by a team factor (0.7 to 1.5) and a child
  factor (0.4 to 2, averaging 1), so some teams and children fare worse. Working days are
  approximated by weekdays (bank holidays only make a deadline later, so "on time" stays on
  time). Evaluated as at ``as_of``, about 70% of obligations are ``met_on_time``.

See ``docs/synth.md``.
"""

from __future__ import annotations

import io
import json
import os
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import IO, Any, Final, cast

from lacplan.calendar import add_months, age_on, birthday
from lacplan.errors import UsageError

__all__ = ["DEFAULT_AS_OF", "synth_cases", "write_cohort"]

#: The as-of date of a cohort unless one is given (the bundled demo's date; no clock is read).
DEFAULT_AS_OF: Final = date(2024, 6, 3)

_FIRST_AS_OF: Final = date(1900, 1, 1)
_LAST_AS_OF: Final = date(9000, 12, 31)

_WINDOW_DAYS: Final = 8 * 365 + 2  # periods start within about 8 years before as_of
_MIN_BACK_DAYS: Final = 7  # ... and at least a week before it
_P_SHORT_BREAKS: Final = 0.05
_P_SECOND_PERIOD: Final = 0.11  # some are dropped: a second period never starts near 18
_P_EMERGENCY: Final = 0.33
_P_LATE: Final = 0.10
_P_NEVER: Final = 0.03
_REDUCED_VISITS_FROM: Final = date(2015, 4, 1)

_AREA_TEAMS: Final = ("T-NORTH", "T-SOUTH", "T-EAST", "T-WEST")
#: How much more often than average a team's duties are late or missed.
_TEAM_FACTOR: Final = {
    "T-NORTH": 0.7,
    "T-SOUTH": 1.0,
    "T-EAST": 1.5,
    "T-WEST": 0.9,
    "T-DISABILITY": 0.8,
    "T-LEAVING": 1.2,
}
_CHILD_FACTORS: Final = (0.4, 0.5, 0.7, 0.8, 1.0, 1.0, 1.1, 1.5, 2.0)  # mean 1
_IROS: Final = tuple(f"IRO-{k:02d}" for k in range(1, 13))
_LA: Final = "LA-DEMO"

_ONE: Final = timedelta(days=1)


def _ri(rng: random.Random, a: int, b: int) -> int:
    """A whole number from ``a`` to ``b`` inclusive (``randint``, without its overhead)."""
    return a + int(rng.random() * (b - a + 1))


def _add_weekdays(d: date, n: int) -> date:
    """``n`` weekdays after ``d`` (``d`` excluded): a lower bound for ``n`` working days."""
    wd = d.weekday()
    if wd > 4:  # from a weekend day, count as from the Friday before
        d -= timedelta(wd - 4)
    weeks, rest = divmod(n, 5)
    d += timedelta(7 * weeks)
    while rest:
        d += _ONE
        if d.weekday() < 5:
            rest -= 1
    return d


@dataclass(slots=True)
class _Placement:
    placement_id: str
    start: date
    end: date | None
    kind: str
    emergency: bool = False
    intended_until_18: bool = False
    long_term_foster: bool = False
    end_reason: str | None = None
    agency: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "placement_id": self.placement_id,
            "start": self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "emergency": self.emergency,
            "intended_until_18": self.intended_until_18,
            "long_term_foster": self.long_term_foster,
            "end_reason": self.end_reason,
            "kind": self.kind,
        }


@dataclass(slots=True)
class _Period:
    period_id: str
    start: date
    end: date | None
    entry: str
    regime: str
    placements: list[_Placement] = field(default_factory=list)
    legal_status: list[tuple[date, str]] = field(default_factory=list)
    agreed_visit_interval_days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "period_id": self.period_id,
            "start": self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "entry": self.entry,
            "regime": self.regime,
        }
        if self.legal_status:
            out["legal_status"] = [
                {"from": d.isoformat(), "status": s} for d, s in self.legal_status
            ]
        if self.agreed_visit_interval_days is not None:
            out["agreed_visit_interval_days"] = self.agreed_visit_interval_days
        out["placements"] = [p.as_dict() for p in self.placements]
        return out

    def status_on(self, d: date) -> str | None:
        found: str | None = None
        for when, status in self.legal_status:
            if when > d:
                break
            found = status
        return found


class _Child:
    """One child's generator: the random stream, the dates that bound events, the events."""

    def __init__(self, rng: random.Random, as_of: date, dob: date, factor: float) -> None:
        self.rng = rng
        self.as_of = as_of
        self.dob = dob
        self.b18 = birthday(dob, 18)
        self.factor = factor
        self.events: list[tuple[date, int, str, dict[str, Any]]] = []
        self.reduced: list[tuple[date, bool]] = []  # the child's reduced-visits agreements

    # ------------------------------------------------------------------ primitives
    def add(self, d: date, event_type: str, fields: dict[str, Any] | None = None) -> None:
        """Record an event; events after ``as_of`` have not happened yet and are dropped."""
        if d <= self.as_of and d >= self.dob:
            self.events.append((d, len(self.events), event_type, fields or {}))

    def late_days(self, short: bool = False) -> int:
        rng = self.rng
        if short:
            return _ri(rng, 1, 4) if rng.random() < 0.85 else _ri(rng, 5, 21)
        r = rng.random()
        if r < 0.6:
            return _ri(rng, 1, 7)
        if r < 0.9:
            return _ri(rng, 8, 28)
        return _ri(rng, 29, 120)

    def when(
        self,
        due: date,
        early: int,
        lo: date,
        *,
        p_late: float = _P_LATE,
        p_never: float = 0.0,
        short: bool = False,
    ) -> date | None:
        """The date a duty due on ``due`` was done: on time (up to ``early`` days before, not
        before ``lo``), late, or never (``None``)."""
        rng = self.rng
        r = rng.random()
        f = self.factor
        if r < min(0.3, p_never * f):
            return None
        if r < min(0.85, (p_never + p_late) * f):
            return max(due, lo) + timedelta(self.late_days(short))
        if due <= lo:
            return lo
        return due - timedelta(_ri(rng, 0, min(early, (due - lo).days)))

    def day_between(self, lo: date, hi: date) -> date:
        return lo + timedelta(_ri(self.rng, 0, (hi - lo).days))

    # ------------------------------------------------------------------ visits
    def seen_alone_fields(self, d: date) -> dict[str, Any]:
        r = self.rng.random()
        if age_on(self.dob, d) < 3:  # a baby or toddler: seen, rarely "alone"
            if r < 0.4:
                return {"seen_alone": True}
            if r < 0.85:
                return {"seen_alone": False, "not_seen_alone_reason": "inappropriate"}
            return {}  # not recorded
        if r < 0.85:
            return {"seen_alone": True}
        if r < 0.93:
            reason = self.rng.choices(
                ("child_refused", "inappropriate", "unable", None), (45, 20, 20, 15)
            )[0]
            if reason is None:
                return {"seen_alone": False}
            return {"seen_alone": False, "not_seen_alone_reason": reason}
        return {}  # not recorded

    def visit(self, d: date) -> None:
        self.add(d, "visit", {"by": "social_worker", **self.seen_alone_fields(d)})

    def reduced_on(self, d: date) -> bool:
        found = False
        for when, agreed in self.reduced:
            if when > d:
                break
            found = agreed
        return found


# ---------------------------------------------------------------------- the child's story
def _age_at_entry_days(rng: random.Random, *, short_breaks: bool, young: bool) -> int:
    if short_breaks:
        lo, hi = rng.choices(((4, 5), (5, 14), (14, 17)), (10, 75, 15))[0]
    else:
        bands = ((0, 1), (1, 5), (5, 10), (10, 16), (16, 18))
        weights = (18, 14, 16, 34, 0 if young else 18)
        lo, hi = rng.choices(bands, weights)[0]
        if lo == 0 and rng.random() < 1 / 3:
            return _ri(rng, 0, 6)  # removed at or soon after birth
    hi_days = min(int(hi * 365.25) - 1, 17 * 365 + 300)  # never within ~2 months of 18
    return _ri(rng, int(lo * 365.25), hi_days)


def _duration_days(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.25:
        return _ri(rng, 3, 91)
    if r < 0.5:
        return _ri(rng, 92, 365)
    if r < 0.75:
        return _ri(rng, 366, 1095)
    return _ri(rng, 1096, 6000)


def _kind(rng: random.Random, age: int, first_of_emergency: bool) -> str:
    kinds = ("foster", "residential", "placed_with_parents", "connected_person_temporary", "other")
    if age < 1:
        weights: tuple[int, ...] = (75, 0, 10, 8, 7)
    elif age < 12:
        weights = (78, 3, 7, 7, 5)
    else:
        weights = (60, 25, 4, 4, 7)
    if first_of_emergency:  # not straight home after an emergency removal
        weights = (weights[0], weights[1], 0, weights[3], weights[4])
    return rng.choices(kinds, weights)[0]


def _case(seed: int, index: int, as_of: date) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{index}")
    child_id = f"SYN-{index + 1:06d}"
    short_breaks = rng.random() < _P_SHORT_BREAKS
    second = not short_breaks and rng.random() < _P_SECOND_PERIOD
    if second:
        back = _ri(rng, 540, _WINDOW_DAYS)
    else:
        back = _MIN_BACK_DAYS + int((_WINDOW_DAYS - _MIN_BACK_DAYS) * rng.random() ** 1.6)
    start = as_of - timedelta(back)
    dob = start - timedelta(_age_at_entry_days(rng, short_breaks=short_breaks, young=second))
    b18 = birthday(dob, 18)

    # Periods: (start, end or None); ends after as_of are not known yet.
    spans: list[tuple[date, date | None]] = []
    if second:
        end1 = min(start + timedelta(_ri(rng, 14, min(720, (back - 35) // 2))), b18)
        room = (as_of - timedelta(_MIN_BACK_DAYS) - end1).days
        start2 = end1 + timedelta(_ri(rng, 28, max(28, min(1100, room))))
        spans.append((start, end1))
        if start2 < add_months(b18, -4) and start2 <= as_of - timedelta(_MIN_BACK_DAYS):
            end2 = min(start2 + timedelta(_duration_days(rng)), b18)
            spans.append((start2, None if end2 > as_of else end2))
    elif short_breaks:
        end = min(start + timedelta(_ri(rng, 180, 2200)), b18)
        spans.append((start, None if end > as_of else end))
    else:
        end = min(start + timedelta(_duration_days(rng)), b18)
        spans.append((start, None if end > as_of else end))

    last_end = spans[-1][1]
    if short_breaks:
        team = "T-DISABILITY" if rng.random() < 0.8 else rng.choice(_AREA_TEAMS)
    elif (
        16 <= age_on(dob, as_of) < 21
        and (last_end is None or age_on(dob, last_end) >= 16)
        and rng.random() < 0.7
    ):
        team = "T-LEAVING"
    else:
        team = rng.choice(_AREA_TEAMS)
    iro = rng.choice(_IROS)
    child = _Child(rng, as_of, dob, _TEAM_FACTOR[team] * rng.choice(_CHILD_FACTORS))

    periods: list[_Period] = []
    numbers = iter(range(1, 10_000))
    floor = dob  # no event of a period before this (birth, or the day after the last period)
    for k, (p_start, p_end) in enumerate(spans, start=1):
        if short_breaks:
            period = _short_breaks_period(child, f"P{k}", p_start, p_end, numbers, floor)
        else:
            entry = "emergency" if rng.random() < _P_EMERGENCY else "planned"
            period = _standard_period(child, f"P{k}", p_start, p_end, entry, numbers, floor)
        periods.append(period)
        if period.end is not None:
            floor = period.end + _ONE
    if not short_breaks:
        _leaving_care(child, periods)

    child.events.sort(key=lambda e: (e[0], e[1]))
    events = [
        {"event_id": f"E{k:04d}", "type": t, "date": d.isoformat(), **fields}
        for k, (d, _, t, fields) in enumerate(child.events, start=1)
    ]
    return {
        "child_id": child_id,
        "date_of_birth": dob.isoformat(),
        "labels": {"la": _LA, "team": team, "iro": iro},
        "periods": [p.as_dict() for p in periods],
        "events": events,
    }


# ---------------------------------------------------------------------- standard periods
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


# ---------------------------------------------------------------------- short breaks
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


# ---------------------------------------------------------------------- the API
def _check(n: int, seed: int, as_of: date) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise UsageError("n must be a whole number, 0 or more")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageError("seed must be a whole number")
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise UsageError("as_of must be a datetime.date (not a datetime or a string)")
    if not _FIRST_AS_OF <= as_of <= _LAST_AS_OF:
        raise UsageError(
            f"as_of must be from {_FIRST_AS_OF.isoformat()} to {_LAST_AS_OF.isoformat()}"
        )


def synth_cases(n: int, *, seed: int = 0, as_of: date = DEFAULT_AS_OF) -> list[dict[str, Any]]:
    """``n`` invented children as case dicts in the JSON case format (dates as ISO strings).

    Deterministic: the same ``(n, seed, as_of)`` always gives the same cases, and child ``i``
    depends only on ``(seed, i, as_of)``, so ``synth_cases(k, ...)`` is the first ``k`` of
    ``synth_cases(n, ...)``. Every case is valid (``lacplan.Case.model_validate`` accepts it) and
    has no events after ``as_of``. The distributions are described in the module docstring.
    """
    _check(n, seed, as_of)
    return [_case(seed, i, as_of) for i in range(n)]


def _write_lines(write: Callable[[str], object], n: int, seed: int, as_of: date) -> None:
    dumps = json.JSONEncoder(ensure_ascii=True).encode
    for i in range(n):
        write(dumps(_case(seed, i, as_of)) + "\n")


def write_cohort(
    path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes],
    n: int,
    *,
    seed: int = 0,
    as_of: date = DEFAULT_AS_OF,
) -> int:
    """Write :func:`synth_cases` ``(n, seed=seed, as_of=as_of)`` as JSON Lines; return ``n``.

    ``path_or_file`` is a path (created or overwritten, UTF-8, ``\\n`` line ends) or a file
    object opened for writing, text or binary (left open). One case a line, keys in a fixed
    order, so the same arguments always write the same bytes. Cases are generated one at a time:
    memory does not grow with ``n``.
    """
    _check(n, seed, as_of)
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", encoding="utf-8", newline="\n") as fh:
            _write_lines(fh.write, n, seed, as_of)
    elif isinstance(path_or_file, io.RawIOBase | io.BufferedIOBase) or "b" in str(
        getattr(path_or_file, "mode", "")
    ):
        binary = cast(IO[bytes], path_or_file)
        _write_lines(lambda s: binary.write(s.encode("utf-8")), n, seed, as_of)
    else:
        _write_lines(cast(IO[str], path_or_file).write, n, seed, as_of)
    return n
