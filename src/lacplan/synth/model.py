"""The synthetic cohort's building blocks: the distributions' constants, small date
helpers, and the mutable child, period and placement being written (turned into case
dicts at the end)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from lacplan.calendar import age_on, birthday

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
