"""Synthetic scenarios that, between them, take every rule of the England pack and of the
fostering agency overlay (``england+ifa``) down every branch.

``docs/explanations.md`` shows one real explanation of each branch, computed from these cases
(``python -m lacplan.rules.explanations``); a test fails when a branch declared in the pack is not
reached by any scenario. The children are invented: ids and dates only.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final, NamedTuple

__all__ = ["SCENARIOS", "Scenario"]


class Scenario(NamedTuple):
    """A titled case evaluated as at ``as_of``."""

    title: str
    as_of: date
    case: dict[str, Any]


def _pl(pid: str, start: str, end: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"placement_id": pid, "start": start, "end": end, **fields}


def _ev(type_: str, on: str, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "date": on, **fields}


def _sw(on: str, **fields: Any) -> dict[str, Any]:
    return _ev("visit", on, by="social_worker", seen_alone=True, **fields)


def _case(child: str, dob: str, periods: list[dict[str, Any]], events: list[Any]) -> dict[str, Any]:
    return {"child_id": child, "date_of_birth": dob, "periods": periods, "events": events}


_EMERGENCY_ENTRY = Scenario(
    "An emergency entry over Christmas 2020, then a planned move",
    date(2021, 3, 1),
    _case(
        "EX-01",
        "2012-04-02",
        [
            {
                "start": "2020-12-18",
                "entry": "emergency",
                "placements": [
                    _pl("PL1", "2020-12-18", "2021-02-15", end_reason="planned"),
                    _pl("PL2", "2021-02-15"),
                ],
            }
        ],
        [
            _ev("placement_plan", "2020-12-18"),
            _ev("placement_notification", "2020-12-21"),
            _sw("2020-12-22"),
            _ev("care_plan", "2020-12-23"),
            _ev("health_assessment", "2021-01-14"),
            _ev("review", "2021-01-20"),
            _ev("pep", "2021-01-22"),
            _ev("placement_plan", "2021-02-11", placement_id="PL2"),
            _ev("placement_notification", "2021-02-15"),
        ],
    ),
)

_LONG_TERM_FOSTER = Scenario(
    "A planned entry into a long-term foster placement, followed for two years",
    date(2026, 1, 15),
    _case(
        "EX-02",
        "2016-06-01",
        [
            {
                "start": "2024-01-08",
                "placements": [
                    _pl("F1", "2024-01-08", intended_until_18=True, long_term_foster=True)
                ],
            }
        ],
        [
            _ev("care_plan", "2024-01-05"),
            _ev("pep", "2024-01-05"),
            _ev("health_assessment", "2024-02-01"),
            _ev("review", "2024-02-05"),
            _ev("pep_review", "2024-03-01"),
            _ev("permanence_plan", "2024-04-30"),
            _ev("review", "2024-05-02"),
            _ev("review", "2024-11-01"),
            _ev("sdq", "2025-01-10"),
            _ev("health_assessment", "2025-01-20"),
            _ev("reduced_visits_agreed", "2025-03-01", agreed_by="child"),
            _ev("review_consultation", "2024-03-28"),
            _ev("reduced_visits_agreed", "2025-02-20", agreed_by="agency"),
            *(
                _ev("visit", d, by="supervising_social_worker", unannounced=d == "2024-07-03")
                for d in (
                    "2024-01-12",
                    "2024-02-09",
                    "2024-03-08",
                    "2024-04-05",
                    "2024-05-03",
                    "2024-06-03",
                    "2024-07-03",
                    "2024-08-01",
                    "2024-08-30",
                    "2024-09-27",
                    "2024-10-25",
                    "2024-11-22",
                    "2024-12-20",
                    "2025-01-17",
                    "2025-03-14",
                )
            ),
            *(
                _sw(d)
                for d in (
                    "2024-01-10",
                    "2024-02-20",
                    "2024-04-02",
                    "2024-05-14",
                    "2024-06-25",
                    "2024-08-06",
                    "2024-09-17",
                    "2024-10-29",
                    "2024-12-10",
                    "2025-01-15",
                    "2025-04-10",
                )
            ),
        ],
    ),
)

_UNDER_FIVE = Scenario(
    "A child under five: six-monthly health reviews, a refused review, no PEP yet",
    date(2024, 12, 2),
    _case(
        "EX-03",
        "2022-03-01",
        [{"start": "2024-01-08", "placements": [_pl("F1", "2024-01-08")]}],
        [
            _ev("health_assessment", "2024-01-20"),
            _ev("review", "2024-02-01"),
            _ev("health_consent_refused", "2024-06-01", refused_by="child"),
        ],
    ),
)

_PRE_PLACEMENT = Scenario(
    "An assessment made before the placement; a refusal of the initial assessment",
    date(2024, 6, 3),
    _case(
        "EX-04",
        "2010-02-02",
        [
            {
                "start": "2022-06-01",
                "end": "2022-12-01",
                "placements": [_pl("F1", "2022-06-01")],
            },
            {"start": "2024-04-01", "placements": [_pl("F2", "2024-04-01")]},
        ],
        [
            _ev("health_consent_refused", "2022-06-10"),
            _ev("health_assessment", "2024-03-01"),
        ],
    ),
)

_MOVES = Scenario(
    "Moves: an immediate risk, an emergency move, an end the authority did not decide",
    date(2025, 9, 1),
    _case(
        "EX-05",
        "2011-09-09",
        [
            {
                "start": "2024-01-08",
                "placements": [
                    _pl("M1", "2024-01-08", "2024-02-12", end_reason="immediate_risk"),
                    _pl("M2", "2024-02-12", "2024-03-18", emergency=True),
                    _pl("M3", "2024-03-18", "2024-04-15", emergency=True, end_reason="other"),
                    _pl("M4", "2024-04-15"),
                ],
            }
        ],
        [_sw("2024-04-16"), *(_sw(d) for d in ("2024-05-20", "2024-07-01", "2024-08-12"))]
        + [_sw(d) for d in ("2024-09-23", "2024-11-04", "2024-12-16", "2025-01-27")]
        + [_sw(d) for d in ("2025-03-10", "2025-04-21", "2025-06-02")]
        + [
            _ev("visit", d, by="supervising_social_worker")
            for d in ("2024-04-18", "2024-05-16", "2025-04-10", "2025-05-08")
        ],
    ),
)

_PARENTS = Scenario(
    "Placed with parents under an interim care order, then a care order",
    date(2024, 7, 1),
    _case(
        "EX-06",
        "2012-04-02",
        [
            {
                "start": "2024-01-08",
                "placements": [
                    _pl("F1", "2024-01-08", "2024-03-04", kind="foster"),
                    _pl("P2", "2024-03-04", kind="placed_with_parents"),
                ],
                "legal_status": [
                    {"from": "2024-01-08", "status": "interim_care_order"},
                    {"from": "2024-05-13", "status": "care_order"},
                ],
            }
        ],
        [
            _ev("review", "2024-02-05"),
            _ev("review", "2024-03-21"),
            _sw("2024-03-04"),
            _ev(
                "visit",
                "2024-03-11",
                by="social_worker",
                seen_alone=False,
                not_seen_alone_reason="child_refused",
            ),
            _ev("visit", "2024-03-19", by="social_worker", seen_alone=False),
            _ev("visit", "2024-03-26", by="social_worker"),
            _ev(
                "visit",
                "2024-04-22",
                by="social_worker",
                seen_alone=False,
                not_seen_alone_reason="unable",
            ),
            _ev(
                "visit",
                "2024-05-17",
                by="social_worker",
                seen_alone=False,
                not_seen_alone_reason="inappropriate",
            ),
        ],
    ),
)

_WITH_PARENTS_AND_CONNECTED = Scenario(
    "Placed with parents (no order), then with a temporarily approved connected person",
    date(2024, 9, 2),
    _case(
        "EX-07",
        "2013-03-03",
        [
            {
                "start": "2024-01-08",
                "placements": [
                    _pl("P1", "2024-01-08", "2024-05-06", kind="placed_with_parents"),
                    _pl("C2", "2024-05-06", kind="connected_person_temporary"),
                ],
            }
        ],
        [
            _sw("2024-01-10"),
            _sw("2024-01-17"),
            _ev("review", "2024-02-05"),
            _sw("2024-02-08"),
            _sw("2024-05-08"),
            _sw("2024-05-15"),
            _ev("review", "2024-05-20"),
            _sw("2024-05-22"),
        ],
    ),
)


def _breaks(agreed: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": "2024-01-08",
        "regime": "short_breaks",
        "placements": [
            _pl("B1", "2024-01-08", "2024-01-12"),
            _pl("B2", "2024-03-04", "2024-03-08"),
            _pl("B3", "2024-06-03", "2024-06-07"),
        ],
    }
    if agreed is not None:
        out["agreed_visit_interval_days"] = agreed
    return out


_SHORT_BREAK_EVENTS = [
    _ev("care_plan", "2024-01-05"),
    _ev("review", "2024-04-02"),
    _ev("review", "2024-10-02"),
    _sw("2024-01-10"),
    _sw("2024-03-06"),
    _sw("2024-06-05"),
]
_SHORT_BREAKS_AGREED = Scenario(
    "A series of short breaks with a visiting interval agreed with the IRO and parents",
    date(2024, 11, 1),
    _case("EX-08", "2012-04-02", [_breaks(60)], _SHORT_BREAK_EVENTS),
)
_SHORT_BREAKS_BACKSTOP = Scenario(
    "A series of short breaks with no agreed visiting interval",
    date(2024, 11, 1),
    _case("EX-09", "2012-04-02", [_breaks(None)], _SHORT_BREAK_EVENTS),
)

_LEAVING_CARE = Scenario(
    "A young person entering care at 15 years 11 months, then leaving care",
    date(2025, 9, 1),
    _case(
        "EX-10",
        "2008-03-01",
        [{"start": "2024-02-01", "end": "2025-03-01", "placements": [_pl("F1", "2024-02-01")]}],
        [
            _ev("needs_assessment", "2024-07-15"),
            _ev("pathway_plan", "2024-08-09"),
            _ev("pathway_plan_review", "2025-02-03"),
        ],
    ),
)

_BEFORE_2011 = Scenario(
    "A child who entered care in 2010, under the 1991 regulations",
    date(2011, 10, 1),
    _case(
        "EX-11",
        "2005-05-05",
        [{"start": "2010-06-01", "placements": [_pl("F1", "2010-06-01")]}],
        [
            _ev("care_plan", "2010-06-10"),
            _ev("review", "2010-06-22"),
            _ev("review", "2010-09-20"),
            _ev("review", "2011-03-15"),
        ],
    ),
)

_CORONAVIRUS = Scenario(
    "Placements made during the coronavirus amendments (24 Apr to 25 Sep 2020)",
    date(2020, 9, 1),
    _case(
        "EX-12",
        "2009-09-09",
        [
            {
                "start": "2020-05-04",
                "entry": "emergency",
                "placements": [_pl("E1", "2020-05-04", "2020-06-01"), _pl("E2", "2020-06-01")],
            }
        ],
        [_ev("placement_plan", "2020-05-20"), _ev("placement_plan", "2020-06-01")],
    ),
)

#: Every scenario, in the order ``docs/explanations.md`` draws its examples from.
SCENARIOS: Final[tuple[Scenario, ...]] = (
    _EMERGENCY_ENTRY,
    _LONG_TERM_FOSTER,
    _UNDER_FIVE,
    _PRE_PLACEMENT,
    _MOVES,
    _PARENTS,
    _WITH_PARENTS_AND_CONNECTED,
    _SHORT_BREAKS_AGREED,
    _SHORT_BREAKS_BACKSTOP,
    _LEAVING_CARE,
    _BEFORE_2011,
    _CORONAVIRUS,
)
