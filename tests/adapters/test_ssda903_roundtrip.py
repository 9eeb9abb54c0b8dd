"""A case written as an SSDA903 return and read back gives the same review clocks.

``ssda903_writer.case_to_tables`` turns a JSON-style case into the Header, Episodes and Reviews
rows of one to three collection years; ``read_ssda903`` reads them back. The review obligations
(``review-first``, ``review-second``, ``review-subsequent``, and ``review-before-move``, whose
end reasons travel as REASON_PLACE_CHANGE) of the case read back must equal those of the JSON
case itself evaluated with a coverage observing reviews over the same years (1 April of the
first year to 31 March of the last, which is also the data's end): same period, sequence,
anchor, due date, met on, status and reason. The periods, placements and reviews read back are
compared too.

Generated cases are limited to what a return can express:

* periods start inside the covered years (a period that began earlier would have its first
  episode missing or its early reviews outside the data: the JSON case would know more than
  the return);
* every period end and placement change falls on or before the last 31 March (later ones are
  not in the return: the period or placement is open there), so only the last period may be
  open, and it is then open in the JSON case too;
* standard-regime periods, placements contiguous from the period's start, each at least a day
  long (two episodes cannot start on one day), the last one ending with the period;
* reviews on distinct days inside the covered years, never cancelled (the return records held
  reviews only);
* the as-of date on or before the last 31 March;
* no emergency entries or placements, and no other event types (the return has neither).

A second child with one review in each year keeps every year's Reviews table non-empty, as in
a real return (a header-only Reviews table is a separate matter, see
``test_ssda903_mapping.test_a_reviews_table_without_rows_is_still_a_year_of_reviews``).
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import evaluate
from lacplan.adapters.ssda903 import read_ssda903
from lacplan.model import Case
from lacplan.report import Report
from tests.adapters.ssda903_writer import case_to_tables, write_return, year_span

#: The review clocks compared (review-before-move too: the writer records each move's reason).
REVIEW_RULES = ("review-first", "review-second", "review-subsequent", "review-before-move")
CHILD = "C1"
FILLER = "ZZ9"

ROUNDTRIP = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def expressible_cases(draw: st.DrawFn) -> tuple[dict[str, Any], list[int], date]:
    """A case a return can express, its collection years and an as-of date within them."""
    first_year = draw(st.integers(2013, 2026), label="first year")
    years = list(range(first_year, first_year + draw(st.integers(1, 3), label="years")))
    lo, until = year_span(years[0])[0], year_span(years[-1])[1]
    periods: list[dict[str, Any]] = []
    cursor = draw(st.dates(lo, until), label="first start")
    n = 0
    for _ in range(draw(st.integers(1, 3), label="periods")):
        start = cursor
        starts = [start]
        for _ in range(draw(st.integers(0, 3))):
            nxt = starts[-1] + timedelta(days=draw(st.integers(1, 300)))
            if nxt > until:
                break
            starts.append(nxt)
        end: date | None = None
        if draw(st.booleans()):
            end = starts[-1] + timedelta(days=draw(st.integers(0, 400)))
            if end > until:
                end = None  # ends after the data: open in the return
        placements: list[dict[str, Any]] = []
        for i, s in enumerate(starts):
            n += 1
            last = i == len(starts) - 1
            placements.append(
                {
                    "placement_id": f"PL{n}",
                    "start": s.isoformat(),
                    "end": None if last else starts[i + 1].isoformat(),
                    "end_reason": None
                    if last
                    else draw(st.sampled_from(["planned", "immediate_risk", "other", None])),
                    "kind": draw(st.sampled_from(["foster", "residential", "other"])),
                }
            )
        periods.append(
            {"start": start.isoformat(), "end": end and end.isoformat(), "placements": placements}
        )
        if end is None:
            break
        cursor = end + timedelta(days=draw(st.integers(1, 400)))
        if cursor > until:
            break
    first_start = date.fromisoformat(periods[0]["start"])
    dob = first_start - timedelta(days=draw(st.integers(0, 17 * 365), label="age in days"))
    review_dates: set[date] = set()
    for p in periods:  # reviews near each period's start, where the clocks are
        p_start = date.fromisoformat(p["start"])
        for k in draw(st.lists(st.integers(0, 600), max_size=5)):
            d = p_start + timedelta(days=k)
            if d <= until:
                review_dates.add(d)
    review_dates |= set(draw(st.lists(st.dates(lo, until), max_size=2), label="stray reviews"))
    case = {
        "child_id": CHILD,
        "date_of_birth": dob.isoformat(),
        "periods": periods,
        "events": [{"type": "review", "date": d.isoformat()} for d in sorted(review_dates)],
    }
    as_of = max(lo, until - timedelta(days=draw(st.integers(0, 500), label="before end")))
    return case, years, as_of


def _filler(years: list[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    out: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for year in years:
        day = year_span(year)[0] + timedelta(days=100)
        dob = date(2010, 1, 1)
        out[year] = {
            "Header": [{"CHILD": FILLER, "SEX": "2", "DOB": dob, "ETHNIC": "WBRI"}],
            "Episodes": [],
            "Reviews": [{"CHILD": FILLER, "DOB": dob, "REVIEW": day, "REVIEW_CODE": "PN1"}],
        }
    return out


def _read_back(case: dict[str, Any], years: list[int], root: Path) -> Case:
    tables = case_to_tables(case, years)
    for year, extra in _filler(years).items():
        for name, rows in extra.items():
            tables[year][name] = [*tables[year][name], *rows]
    paths = write_return(root, tables)
    items = list(read_ssda903(paths, years={p: int(Path(p).name) for p in paths}))
    mine = [c for c in items if getattr(c, "child_id", None) == CHILD]
    assert len(mine) == 1 and isinstance(mine[0], Case), items
    return mine[0]


def _reviews(report: Report) -> list[tuple[Any, ...]]:
    return sorted(
        (o.period_id, o.rule, o.sequence, o.anchor, o.due, o.met_on, o.status, o.reason)
        for o in report.obligations
        if o.rule in REVIEW_RULES
    )


def _structure(case: Case) -> list[tuple[Any, ...]]:
    return [
        (
            p.start,
            p.end,
            p.regime,
            p.started_before_data,
            [(pl.start, pl.end, pl.end_reason, pl.kind) for pl in p.placements],
        )
        for p in case.periods
    ]


@ROUNDTRIP
@given(expressible_cases())
def test_a_case_read_back_from_its_return_has_the_same_review_clocks(
    drawn: tuple[dict[str, Any], list[int], date],
) -> None:
    case, years, as_of = drawn
    lo, until = year_span(years[0])[0], year_span(years[-1])[1]
    observed = {
        **case,
        "coverage": {
            "source": "ssda903",
            "observed": [{"type": "review", "from": lo.isoformat(), "to": until.isoformat()}],
            "until": until.isoformat(),
        },
    }
    expected_case = Case.model_validate(observed)
    with tempfile.TemporaryDirectory() as tmp:
        back = _read_back(case, years, Path(tmp))

    assert back.coverage is not None
    assert back.coverage.spans("review") == [(lo, until)]
    assert back.coverage.until == until
    assert back.date_of_birth == expected_case.date_of_birth
    assert _structure(back) == _structure(expected_case)
    assert [(e.type, e.date) for e in back.events] == [
        (e.type, e.date) for e in expected_case.events
    ]
    assert _reviews(evaluate(back, as_of=as_of)) == _reviews(evaluate(expected_case, as_of=as_of))


def test_writer_splits_episodes_at_moves_and_carries_open_ones() -> None:
    """The writer itself, on one case over two years."""
    case = {
        "child_id": CHILD,
        "date_of_birth": "2012-01-01",
        "periods": [
            {
                "start": "2022-06-01",
                "end": "2023-09-30",
                "placements": [
                    {
                        "placement_id": "A",
                        "start": "2022-06-01",
                        "end": "2023-01-10",
                        "end_reason": "planned",
                        "kind": "foster",
                    },
                    {"placement_id": "B", "start": "2023-01-10", "end": None, "kind": "other"},
                ],
            }
        ],
        "events": [
            {"type": "review", "date": "2022-06-28"},
            {"type": "review", "date": "2023-07-01"},
        ],
    }
    tables = case_to_tables(case, [2023, 2024])
    eps23 = [
        (e["DECOM"], e["RNE"], e["DEC"], e["REC"], e["REASON_PLACE_CHANGE"])
        for e in tables[2023]["Episodes"]
    ]
    assert eps23 == [
        (date(2022, 6, 1), "S", date(2023, 1, 10), "X1", ""),
        (date(2023, 1, 10), "P", None, None, "CARPL"),  # open on 31 Mar 2023
    ]
    eps24 = [(e["DECOM"], e["RNE"], e["DEC"], e["REC"]) for e in tables[2024]["Episodes"]]
    assert eps24 == [(date(2023, 1, 10), "P", date(2023, 9, 30), "E8")]
    assert [r["REVIEW"] for r in tables[2023]["Reviews"]] == [date(2022, 6, 28)]
    assert [r["REVIEW"] for r in tables[2024]["Reviews"]] == [date(2023, 7, 1)]
    assert len(tables[2023]["Header"]) == len(tables[2024]["Header"]) == 1
