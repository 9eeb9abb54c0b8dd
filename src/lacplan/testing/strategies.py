"""Hypothesis strategies generating valid lacplan cases, as JSON-ready dicts or as models.

Every case these strategies generate is valid (``parse_case`` accepts it); some carry findings on
purpose (events before birth, after the last period, naming a placement of another period).
Dates lie between :data:`MIN_DATE` and :data:`MAX_DATE`::

    from hypothesis import given
    from lacplan.testing.strategies import cases

    @given(cases())
    def test_something(case): ...

Needs ``hypothesis`` (the ``test`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

from hypothesis import strategies as st
from pydantic import TypeAdapter

from lacplan.model import EVENT_TYPES, LEGAL_STATUSES, PLACEMENT_KINDS, Case, Event

__all__ = [
    "MAX_DATE",
    "MIN_DATE",
    "case_dicts",
    "cases",
    "child_ids",
    "event_dicts",
    "events",
    "iso_dates",
]

#: Earliest date any strategy here generates.
MIN_DATE: Final = date(2005, 1, 1)
#: Latest date any strategy here generates.
MAX_DATE: Final = date(2035, 12, 31)

_LATEST_FIRST_START: Final = date(2021, 12, 31)  # leaves room for 3 long periods before MAX_DATE
_SEVENTEEN_YEARS: Final = timedelta(days=17 * 365 + 4)
_EVENT_MARGIN: Final = timedelta(days=60)
_EVENT_ADAPTER: Final[TypeAdapter[Event]] = TypeAdapter(Event)

_LABELS: Final = st.fixed_dictionaries(
    {},
    optional={
        "local_authority": st.sampled_from(["E09000033", "E09000028", "E10000016"]),
        "team": st.sampled_from(["CLA-North", "CLA-South", "Leaving Care"]),
        "worker": st.from_regex(r"SW[0-9]{3}", fullmatch=True),
        "iro": st.from_regex(r"IRO-[0-9]{2}", fullmatch=True),
    },
)


def iso_dates(min_value: date = MIN_DATE, max_value: date = MAX_DATE) -> st.SearchStrategy[date]:
    """Dates in ``[min_value, max_value]`` (clipped to :data:`MIN_DATE`..:data:`MAX_DATE`)."""
    return st.dates(max(min_value, MIN_DATE), min(max_value, MAX_DATE))


def child_ids() -> st.SearchStrategy[str]:
    """Child ids as case systems export them: digits (leading zeros kept) or a letter prefix."""
    return st.one_of(
        st.integers(0, 99_999_999).map(lambda n: f"{n:06d}"),
        st.from_regex(r"[A-Z]{1,3}[0-9]{1,7}", fullmatch=True),
    )


def _extra_fields(event_type: str) -> dict[str, st.SearchStrategy[Any]]:
    if event_type == "visit":
        return {
            "by": st.sampled_from(["social_worker", "supervising_social_worker"]),
            "seen_alone": st.none() | st.booleans(),
            "unannounced": st.none() | st.booleans(),
            "not_seen_alone_reason": st.none()
            | st.sampled_from(["child_refused", "inappropriate", "unable"]),
        }
    if event_type == "health_consent_refused":
        return {"refused_by": st.sampled_from(["child", "parent", "other"])}
    if event_type == "review":
        return {"meeting": st.booleans(), "cancelled": st.booleans()}
    if event_type in ("reduced_visits_agreed", "reduced_visits_withdrawn"):
        return {"agreed_by": st.sampled_from(["child", "agency"])}
    return {}


def event_dicts(
    min_date: date = MIN_DATE,
    max_date: date = MAX_DATE,
    *,
    placement_ids: Sequence[str] = (),
    types: Sequence[str] = EVENT_TYPES,
) -> st.SearchStrategy[dict[str, Any]]:
    """JSON-ready event dicts of the given ``types``, dated in ``[min_date, max_date]``.

    Optional fields are sometimes left out; ``placement_id`` (when present) is drawn from
    ``placement_ids``, so pass the case's placement ids to keep the event valid.
    """

    def build(event_type: str) -> st.SearchStrategy[dict[str, Any]]:
        optional: dict[str, st.SearchStrategy[Any]] = {
            "event_id": st.from_regex(r"E[0-9]{1,6}", fullmatch=True),
            **_extra_fields(event_type),
        }
        if placement_ids:
            optional["placement_id"] = st.sampled_from(list(placement_ids))
        return st.fixed_dictionaries(
            {
                "type": st.just(event_type),
                "date": iso_dates(min_date, max_date).map(date.isoformat),
            },
            optional=optional,
        )

    return st.sampled_from(list(types)).flatmap(build)


def events(
    min_date: date = MIN_DATE,
    max_date: date = MAX_DATE,
    *,
    placement_ids: Sequence[str] = (),
    types: Sequence[str] = EVENT_TYPES,
) -> st.SearchStrategy[Event]:
    """Event models; the arguments are those of :func:`event_dicts`."""
    return event_dicts(min_date, max_date, placement_ids=placement_ids, types=types).map(
        _EVENT_ADAPTER.validate_python
    )


def _days(draw: st.DrawFn, low: int, high: int) -> timedelta:
    return timedelta(days=draw(st.integers(low, high)))


def _placements(draw: st.DrawFn, start: date, first_number: int) -> list[dict[str, Any]]:
    """1-4 placements from (about) ``start``: contiguous (moves) or with gaps, all closed."""
    out: list[dict[str, Any]] = []
    cursor = start + (_days(draw, 1, 20) if draw(st.integers(0, 3)) == 0 else timedelta(0))
    for j in range(draw(st.integers(1, 4))):
        p_start = cursor
        p_end = p_start + _days(draw, 0, 270)
        placement: dict[str, Any] = {
            "placement_id": f"PL{first_number + j}",
            "start": p_start.isoformat(),
            "end": p_end.isoformat(),
        }
        if draw(st.booleans()):
            placement["emergency"] = draw(st.booleans())
        if draw(st.integers(0, 3)) == 0:
            placement["intended_until_18"] = True
        if draw(st.integers(0, 3)) == 0:
            placement["long_term_foster"] = True
        if draw(st.booleans()):
            placement["end_reason"] = draw(st.sampled_from(["planned", "immediate_risk", "other"]))
        if draw(st.integers(0, 2)) == 0:
            placement["kind"] = draw(st.sampled_from(PLACEMENT_KINDS))
        out.append(placement)
        cursor = p_end + (timedelta(0) if draw(st.booleans()) else _days(draw, 1, 60))
    return out


def _legal_status(draw: st.DrawFn, start: date, end: date) -> list[dict[str, Any]]:
    """1-3 legal status entries with distinct dates, from 30 days before ``start`` to ``end``."""
    span = max(0, (end - start).days)
    offsets = draw(st.lists(st.integers(-30, span), min_size=1, max_size=3, unique=True))
    return [
        {
            "from": (start + timedelta(days=k)).isoformat(),
            "status": draw(st.sampled_from(LEGAL_STATUSES)),
        }
        for k in offsets
    ]


@st.composite
def case_dicts(
    draw: st.DrawFn,
    *,
    min_periods: int = 1,
    max_periods: int = 3,
    max_events: int = 12,
) -> dict[str, Any]:
    """A valid case as a JSON-ready dict.

    ``min_periods``..``max_periods`` (at most 3) periods of care separated by gaps; only the last
    may be open. Each has 1-4 placements, contiguous (moves) or with gaps, the first sometimes
    starting after the period; the last placement is sometimes open. Up to ``max_events`` events
    of all types, dated from 60 days before the first period to 60 days after the last date, some
    naming a placement (possibly of another period). The date of birth is 0-17 years before the
    first period. Optional fields are sometimes left out so that defaults are exercised.
    """
    if not 0 <= min_periods <= max_periods <= 3:
        raise ValueError("need 0 <= min_periods <= max_periods <= 3")
    first_start = draw(st.dates(MIN_DATE, _LATEST_FIRST_START))
    dob = draw(st.dates(max(MIN_DATE, first_start - _SEVENTEEN_YEARS), first_start))
    n_periods = draw(st.integers(min_periods, max_periods))
    periods: list[dict[str, Any]] = []
    placement_ids: list[str] = []
    cursor = first_start
    last_date = first_start
    for k in range(n_periods):
        entry = draw(st.sampled_from(["planned", "emergency"]))
        placements = _placements(draw, cursor, len(placement_ids) + 1)
        placement_ids += [p["placement_id"] for p in placements]
        last_placement_end = date.fromisoformat(placements[-1]["end"])
        period: dict[str, Any] = {"start": cursor.isoformat()}
        if draw(st.booleans()):
            period["period_id"] = "ABC"[k]
        if k == n_periods - 1 and draw(st.booleans()):
            period["end"] = None
            if draw(st.integers(0, 3)) > 0:
                placements[-1]["end"] = None
                placements[-1].pop("end_reason", None)
            end = last_placement_end
        else:
            end = last_placement_end + _days(draw, 0, 30)
            period["end"] = end.isoformat()
            if draw(st.integers(0, 3)) == 0:
                placements[-1]["end"] = None  # ends with the period
        if entry == "emergency" or draw(st.booleans()):
            period["entry"] = entry
        if draw(st.integers(0, 4)) == 0:
            period["regime"] = "short_breaks"
            if draw(st.booleans()):
                period["agreed_visit_interval_days"] = draw(st.integers(7, 200))
        if draw(st.integers(0, 2)) == 0:
            period["legal_status"] = _legal_status(draw, cursor, end)
        period["placements"] = draw(st.permutations(placements))  # input order is free
        periods.append(period)
        last_date = end
        cursor = end + _days(draw, 1, 365)
    case: dict[str, Any] = {
        "child_id": draw(child_ids()),
        "date_of_birth": dob.isoformat(),
        "periods": draw(st.permutations(periods)),
        "events": draw(
            st.lists(
                event_dicts(
                    first_start - _EVENT_MARGIN,
                    last_date + _EVENT_MARGIN,
                    placement_ids=placement_ids,
                ),
                max_size=max_events,
            )
        ),
    }
    labels = draw(_LABELS)
    if labels:
        case["labels"] = labels
    return case


def cases(
    *, min_periods: int = 1, max_periods: int = 3, max_events: int = 12
) -> st.SearchStrategy[Case]:
    """Valid :class:`~lacplan.model.Case` models; the arguments are those of :func:`case_dicts`."""
    return case_dicts(min_periods=min_periods, max_periods=max_periods, max_events=max_events).map(
        Case.model_validate
    )
