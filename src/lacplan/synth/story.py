"""One child's story: age at entry, periods of care, placements and their kinds, and the
case dict built from them."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from lacplan.calendar import add_months, age_on, birthday
from lacplan.synth.duties import _leaving_care, _standard_period
from lacplan.synth.model import (
    _AREA_TEAMS,
    _CHILD_FACTORS,
    _IROS,
    _LA,
    _MIN_BACK_DAYS,
    _ONE,
    _P_EMERGENCY,
    _P_SECOND_PERIOD,
    _P_SHORT_BREAKS,
    _TEAM_FACTOR,
    _WINDOW_DAYS,
    _Child,
    _Period,
    _ri,
)
from lacplan.synth.short_breaks import _short_breaks_period


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
