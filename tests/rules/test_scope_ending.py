"""``Scope.ending`` (rules/state.py): the engine's new end for a scope is ``dataclasses.replace``
written out field by field, so a field added to ``Scope`` must be added there too."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

from lacplan import parse_case
from lacplan.rules.state import EventIndex, Scope


def _scope() -> Scope:
    case = parse_case(
        {
            "child_id": "C1",
            "date_of_birth": "2012-03-04",
            "periods": [
                {
                    "period_id": "P1",
                    "start": "2024-01-08",
                    "legal_status": [{"from": "2024-01-08", "status": "section_20"}],
                    "placements": [
                        {"placement_id": "PL1", "start": "2024-01-08", "kind": "foster"}
                    ],
                }
            ],
            "events": [],
        }
    )
    period = case.periods[0]
    scope = Scope(
        period,
        period.placements[0],
        None,
        period.start,
        None,
        date(2030, 3, 4),
        EventIndex(),
        "18",
        key_prefix="C1:P1:PL1:",
        own_end=date(2025, 1, 1),
    )
    scope.dates[1] = date(2024, 2, 1)
    scope.results["x"] = []
    return scope


def test_ending_is_replace_with_an_empty_date_memo() -> None:
    scope = _scope()
    got = scope.ending(date(2024, 5, 1), date(2024, 5, 1), "rule", "the plan's end")
    want = replace(
        scope,
        end=date(2024, 5, 1),
        hard_end=date(2024, 5, 1),
        ended_by="rule",
        end_label="the plan's end",
        dates={},
    )
    for f in fields(Scope):
        assert getattr(got, f.name) == getattr(want, f.name), f.name
    assert got.dates == {} and scope.dates  # the old scope's memo is not the new one's
    assert got.results is scope.results and got.inside is scope.inside  # shared, as replace
