"""A case written as SSD tables and read back gives the same obligations.

``ssd_writer.case_to_tables`` writes a JSON-style case as the SSD tables lacplan reads
(person, episodes, placements, legal statuses, reviews, visits, health checks, SDQs, care
plans); ``read_ssd`` reads them back with the extract's last day given. The obligations read
back must equal those of the JSON case itself evaluated with the coverage an SSD extract has
(every event type of those tables observed from the first period's start to the last day):
for every rule the SSD can show the same due dates, statuses and explanations, and for the rest
``not_evaluated`` with reason ``not_in_source``, naming an event type the tables do not hold.

Generated cases are limited to what the tables can express: standard-regime periods with a
planned entry (the SSD records neither an emergency entry nor an emergency placement),
placements contiguous from each period's start, legal statuses from it, and events of the
tables' types dated inside a period, on or before the as-of date (which is the extract's day).
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import evaluate
from lacplan.adapters.ssd import EVENTS_BY_TABLE, read_ssd
from lacplan.model import Case
from tests.adapters.ssd_writer import case_to_tables, write_tables

OBSERVED = tuple(t for ts in EVENTS_BY_TABLE.values() for t in ts)
KINDS = ("foster", "residential", "placed_with_parents", "other")
STATUSES = ("care_order", "interim_care_order", "section_20", "placement_order", "other")
EVENT_TYPES = ("review", "visit", "health_assessment", "health_consent_refused",
               "dental_check", "sdq", "care_plan")  # fmt: skip

ROUNDTRIP = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def expressible(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    dob = draw(st.dates(date(2004, 1, 1), date(2016, 12, 31)), label="dob")
    cursor = draw(st.dates(date(2017, 1, 1), date(2022, 12, 31)), label="first start")
    periods: list[dict[str, Any]] = []
    for n in range(draw(st.integers(1, 2), label="periods")):
        start = cursor
        starts = [start]
        for _ in range(draw(st.integers(0, 2))):
            starts.append(starts[-1] + timedelta(days=draw(st.integers(1, 250))))
        placements = []
        for i, s in enumerate(starts):
            kind = draw(st.sampled_from(KINDS))
            last = i == len(starts) - 1
            pl: dict[str, Any] = {
                "placement_id": f"P{n}{i}",
                "start": s,
                "end": None if last else starts[i + 1],
                "kind": kind,
                "long_term_foster": kind == "foster" and draw(st.booleans()),
            }
            if not last:
                pl["end_reason"] = draw(
                    st.sampled_from([None, "planned", "immediate_risk", "other"])
                )
            placements.append(pl)
        end: date | None = None
        if draw(st.booleans(), label="ends"):
            end = starts[-1] + timedelta(days=draw(st.integers(1, 400)))
        statuses = [{"from": start, "status": draw(st.sampled_from(STATUSES))}]
        if draw(st.booleans()):
            later = start + timedelta(days=draw(st.integers(1, 300)))
            if end is None or later < end:
                statuses.append({"from": later, "status": draw(st.sampled_from(STATUSES))})
        periods.append(
            {
                "period_id": f"CLA{n}",
                "start": start,
                "end": end,
                "placements": placements,
                "legal_status": statuses,
            }
        )
        if end is None:
            break
        cursor = end + timedelta(days=draw(st.integers(1, 200)))
    last_day = max(
        d for p in periods for d in (p["start"], p["end"], p["placements"][-1]["start"]) if d
    )
    as_of = last_day + timedelta(days=draw(st.integers(0, 500), label="as of after"))
    events: list[dict[str, Any]] = []
    for p in periods:
        hi = p["end"] or as_of
        for _ in range(draw(st.integers(0, 10))):
            ev: dict[str, Any] = {
                "type": draw(st.sampled_from(EVENT_TYPES)),
                "date": draw(st.dates(p["start"], hi)),
                "event_id": f"E{len(events):03d}",
                "_period": p["period_id"],
            }
            if ev["type"] == "visit":
                alone = draw(st.sampled_from([True, False, None]))
                if alone is not None:
                    ev["seen_alone"] = alone
            events.append(ev)
    child = draw(st.sampled_from(["0042", "7", "A-1"]))
    return {"child_id": child, "date_of_birth": dob, "periods": periods, "events": events}, as_of


def _rows(report: Any) -> list[dict[str, Any]]:
    return [o.as_dict() for o in report.obligations]


@ROUNDTRIP
@given(expressible())
def test_a_case_written_as_ssd_tables_reads_back_the_same(
    drawn: tuple[dict[str, Any], date],
) -> None:
    record, as_of = drawn
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp), case_to_tables(record))
        batch = read_ssd([str(folder)], extract_date=as_of, window_years=None)
        read_back = evaluate(batch, as_of=as_of)
    assert read_back.errors == ()
    json_case = {
        **record,
        "events": [{k: v for k, v in e.items() if k != "_period"} for e in record["events"]],
        "coverage": {
            "source": "ssd",
            "observed": [
                {"type": t, "from": record["periods"][0]["start"], "to": as_of} for t in OBSERVED
            ],
            "until": as_of,
        },
    }
    expected = evaluate([Case.model_validate(json_case)], as_of=as_of)
    assert _rows(read_back) == _rows(expected)
    for o in read_back.obligations:
        if o.reason == "not_in_source":
            missing = o.explanation.split("does not record ", 1)[1].split(" events", 1)[0]
            assert not set(missing.replace(" or ", ", ").split(", ")) & set(OBSERVED), o.rule
