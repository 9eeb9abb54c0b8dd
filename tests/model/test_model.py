"""Valid cases: defaults, normalisation, round trips, immutability and the JSON schema."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from lacplan.model import (
    EVENT_TYPES,
    Case,
    Event,
    Period,
    Placement,
    Review,
    Visit,
    case_json_schema,
    parse_case,
)

from .factories import make_case

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "schema" / "case.schema.json"


def test_issue_example_parses() -> None:
    case = parse_case(
        {
            "child_id": "C1",
            "date_of_birth": "2012-04-02",
            "periods": [
                {
                    "period_id": "A",
                    "start": "2020-12-18",
                    "end": None,
                    "entry": "emergency",
                    "regime": "standard",
                    "placements": [
                        {
                            "placement_id": "PL1",
                            "start": "2020-12-18",
                            "end": None,
                            "emergency": True,
                            "intended_until_18": False,
                            "long_term_foster": False,
                        }
                    ],
                }
            ],
            "events": [
                {"type": "review", "date": "2021-01-20"},
                {
                    "type": "visit",
                    "date": "2020-12-22",
                    "placement_id": "PL1",
                    "seen_alone": True,
                    "unannounced": False,
                },
            ],
        }
    )
    assert case.periods[0].placements[0].emergency is True
    assert case.events == (
        Review(date=date(2021, 1, 20)),
        Visit(date=date(2020, 12, 22), placement_id="PL1", seen_alone=True, unannounced=False),
    )


def test_defaults() -> None:
    case = parse_case(
        {
            "child_id": "0042",
            "date_of_birth": "2010-05-01",
            "periods": [
                {
                    "start": "2020-01-06",
                    "placements": [{"placement_id": "P", "start": "2020-01-06"}],
                }
            ],
            "events": [
                {"type": "visit", "date": "2020-01-10"},
                {"type": "reduced_visits_agreed", "date": "2020-02-10"},
            ],
        }
    )
    [period] = case.periods
    assert (period.period_id, period.end, period.entry, period.regime) == (
        "1",
        None,
        "planned",
        "standard",
    )
    [placement] = period.placements
    assert placement.emergency is False
    assert (placement.intended_until_18, placement.long_term_foster, placement.end_reason) == (
        False,
        False,
        None,
    )
    visit, agreed = case.events
    assert isinstance(visit, Visit)
    assert (visit.by, visit.seen_alone, visit.unannounced, visit.event_id) == (
        "social_worker",
        None,
        None,
        None,
    )
    assert agreed.agreed_by == "child"  # type: ignore[union-attr]
    assert Review(date=date(2020, 1, 1)).meeting is True
    assert Review(date=date(2020, 1, 1)).cancelled is False
    assert case.labels == {}


def test_emergency_defaults_to_the_first_placement_of_an_emergency_entry() -> None:
    case = make_case()
    placements = case["periods"][1]["placements"]
    placements.reverse()  # input order does not decide which placement is first
    parsed = parse_case(case)
    first, second = parsed.periods[1].placements
    assert (first.placement_id, first.emergency) == ("PL2", True)
    assert (second.placement_id, second.emergency) == ("PL3", False)
    assert parsed.periods[0].placements[0].emergency is False  # planned entry


def test_explicit_emergency_false_is_kept() -> None:
    case = make_case()
    case["periods"][1]["placements"][0]["emergency"] = False
    assert parse_case(case).periods[1].placements[0].emergency is False


def test_programmatic_construction_fills_the_emergency_default() -> None:
    period = Period(
        period_id="X",
        start=date(2021, 3, 1),
        entry="emergency",
        placements=(
            Placement(placement_id="B", start=date(2021, 3, 5)),
            Placement(placement_id="A", start=date(2021, 3, 1), end=date(2021, 3, 5)),
        ),
    )
    assert [(p.placement_id, p.emergency) for p in period.placements] == [("A", True), ("B", False)]


def test_periods_sorted_and_numbered_by_start() -> None:
    case = make_case()
    for period in case["periods"]:
        del period["period_id"]
    case["periods"].reverse()
    parsed = parse_case(case)
    assert [(p.period_id, p.start) for p in parsed.periods] == [
        ("1", date(2019, 3, 4)),
        ("2", date(2020, 12, 18)),
    ]


def test_events_keep_input_order() -> None:
    case = make_case()
    case["events"] = [
        {"type": "pep", "date": "2021-03-01"},
        {"type": "care_plan", "date": "2020-12-20"},
    ]
    assert [e.type for e in parse_case(case).events] == ["pep", "care_plan"]


def test_placement_end() -> None:
    case = make_case()
    case["periods"][0]["placements"][0]["end"] = None
    parsed = parse_case(case)
    closed, open_ = parsed.periods
    assert closed.placement_end(closed.placements[0]) == date(2019, 6, 28)  # ends with the period
    assert open_.placement_end(open_.placements[0]) == date(2021, 2, 15)
    assert open_.placement_end(open_.placements[1]) is None


def test_empty_periods_are_valid() -> None:
    case = parse_case({"child_id": "1", "date_of_birth": "2010-01-01"})
    assert case.periods == ()
    assert case.events == ()


def test_labels_pass_through() -> None:
    case = make_case()
    case["labels"] = {"local_authority": "E09000033", "team": "CLA-North", "iro": "IRO-07"}
    assert parse_case(case).labels == case["labels"]


def test_round_trip() -> None:
    case = make_case()
    case["labels"] = {"team": "T1"}
    case["events"] += [
        {
            "type": "visit",
            "date": "2021-01-05",
            "by": "supervising_social_worker",
            "seen_alone": False,
        },
        {
            "type": "review",
            "date": "2021-04-20",
            "meeting": False,
            "cancelled": True,
            "event_id": "R2",
        },
    ]
    parsed = parse_case(case)
    dumped = parsed.model_dump(mode="json")
    assert Case.model_validate(dumped) == parsed
    assert Case.model_validate_json(json.dumps(dumped)) == parsed
    assert dumped["periods"][1]["placements"][0]["emergency"] is True
    assert dumped["date_of_birth"] == case["date_of_birth"]


def test_models_are_frozen() -> None:
    parsed = parse_case(make_case())
    with pytest.raises(ValidationError):
        parsed.child_id = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        parsed.periods[0].placements[0].end = None  # type: ignore[misc]
    assert isinstance(parsed.periods, tuple)
    assert isinstance(parsed.periods[0].placements, tuple)
    assert isinstance(parsed.events, tuple)


def test_date_objects_are_accepted_but_datetimes_are_not() -> None:
    from datetime import datetime

    assert Review(date=date(2021, 1, 20)).date == date(2021, 1, 20)
    from lacplan.errors import CaseError

    with pytest.raises(CaseError):  # keyword construction raises lacplan's error (issue 11)
        Review(date=datetime(2021, 1, 20, 9, 30))


def test_event_types() -> None:
    adapter: TypeAdapter[Event] = TypeAdapter(Event)
    assert len(EVENT_TYPES) == 18
    for event_type in EVENT_TYPES:
        event = adapter.validate_python({"type": event_type, "date": "2021-01-20"})
        assert event.type == event_type
        assert event.placement_id is None
        assert (
            adapter.validate_python(
                {"type": event_type, "date": "2021-01-20", "placement_id": "P"}
            ).placement_id
            == "P"
        )


def test_json_schema() -> None:
    schema = Case.model_json_schema()
    assert set(schema["required"]) == {"child_id", "date_of_birth"}
    defs = schema["$defs"]
    assert "emergency" not in defs["Placement"]["required"]
    assert "default" not in defs["Placement"]["properties"]["emergency"]
    assert "period_id" not in defs["Period"]["required"]
    assert defs["Visit"]["required"] == ["type", "date"]
    assert set(schema["properties"]["events"]["items"]["discriminator"]["mapping"]) == set(
        EVENT_TYPES
    )
    assert case_json_schema()["$schema"].startswith("https://json-schema.org/")


def test_shipped_schema_is_current() -> None:
    generated = case_json_schema()
    if os.environ.get("LACPLAN_UPDATE_SCHEMA"):
        SCHEMA_FILE.write_text(
            json.dumps(generated, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert shipped == generated, (
        "docs/schema/case.schema.json is stale; regenerate it with "
        "LACPLAN_UPDATE_SCHEMA=1 .venv/bin/pytest tests/model/test_model.py -k shipped_schema"
    )
