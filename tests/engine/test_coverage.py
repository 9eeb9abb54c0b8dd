"""The engine on cases whose source shows only some events (``Case.coverage``).

Hand-built JSON cases with a hand-written coverage, each expected date worked out by hand
(working days skip weekends and England & Wales bank holidays, named where a count crosses one),
then properties over generated cases (``lacplan.testing.strategies``).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import evaluate
from lacplan.model import EVENT_TYPES, Case
from lacplan.report import Obligation, Report
from lacplan.rules import get_pack
from lacplan.rules.schema import Rule
from lacplan.testing.strategies import case_dicts

D = date.fromisoformat
PACK = get_pack("england")
COVERAGE_REASONS = ("not_in_source", "start_before_data", "after_data")
#: not_evaluated reasons that do not come from the coverage.
OTHER_NOT_EVALUATED = ("not_in_force", "no_variant")
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "case.json"

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ------------------------------------------------------------------------------- builders
def span(event_type: str, lo: str | date, hi: str | date) -> dict[str, str]:
    return {"type": event_type, "from": str(lo), "to": str(hi)}


def coverage(*spans: dict[str, str], until: str | date, source: str = "ssda903") -> dict[str, Any]:
    return {"source": source, "observed": list(spans), "until": str(until)}


def placement(pid: str, start: str, end: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"placement_id": pid, "start": start, "end": end, **fields}


def make_case(
    periods: list[dict[str, Any]],
    events: list[dict[str, Any]],
    cov: dict[str, Any] | None = None,
    *,
    dob: str = "2012-05-14",
) -> Case:
    record: dict[str, Any] = {
        "child_id": "C1",
        "date_of_birth": dob,
        "periods": periods,
        "events": events,
    }
    if cov is not None:
        record["coverage"] = cov
    return Case.model_validate(record)


def reviews(*dates: str) -> list[dict[str, Any]]:
    return [{"type": "review", "date": d} for d in dates]


def get(
    report: Report, rule: str, sequence: int = 1, placement_id: str | None = None
) -> Obligation:
    hits = [
        o
        for o in report.obligations
        if o.rule == rule and o.sequence == sequence and o.placement_id == placement_id
    ]
    assert len(hits) == 1, (rule, sequence, placement_id, hits)
    return hits[0]


def listed(report: Report, rule: str) -> list[int]:
    return [o.sequence for o in report.obligations if o.rule == rule]


def state(o: Obligation) -> tuple[Any, ...]:
    return (o.due, o.status, o.met_on, o.days_late, o.reason)


def decl_of(o: Obligation) -> Rule:
    """The rule declaration (variant and version) an obligation was computed under."""
    for versions in PACK.variants(o.rule):
        for v in versions:
            if v.variant == o.rule_variant and v.version == o.rule_version:
                return v
    raise AssertionError(f"no declaration for {o.rule} {o.rule_variant} {o.rule_version}")


# ------------------------------------------------------------------------------- hand-built
def test_an_event_type_the_source_does_not_record_is_not_in_source() -> None:
    periods = [{"start": "2022-04-20", "placements": [placement("PL1", "2022-04-20")]}]
    events = [*reviews("2022-05-19"), {"type": "care_plan", "date": "2022-04-20"}]
    cov = coverage(span("review", "2022-04-01", "2024-03-31"), until="2024-03-31")
    report = evaluate(make_case(periods, events, cov), as_of=D("2024-03-31"))

    care_plan = get(report, "care-plan")
    assert (care_plan.status, care_plan.reason, care_plan.met_on) == (
        "not_evaluated",
        "not_in_source",
        None,
    )
    assert "care_plan events" in care_plan.explanation
    for o in report.obligations:
        if "review" not in PACK.reads(decl_of(o)):
            assert (o.status, o.reason) == ("not_evaluated", "not_in_source"), o
    # Reviews are seen: 20 working days after Wed 20 Apr 2022, skipping the Early May bank
    # holiday Mon 2 May 2022.
    assert state(get(report, "review-first")) == (
        D("2022-05-19"),
        "met_on_time",
        D("2022-05-19"),
        None,
        None,
    )
    # Without the coverage the care plan (a planned entry: due before the first placement) is
    # met.
    plain = evaluate(make_case(periods, events), as_of=D("2024-03-31"))
    assert state(get(plain, "care-plan")) == (
        D("2022-04-20"),
        "met_on_time",
        D("2022-04-20"),
        None,
        None,
    )


def test_events_counting_from_before_the_first_span_are_start_before_data() -> None:
    """The data shows reviews from 1 Apr 2022; the period began on Mon 10 Jan 2022, so the
    first review's events would count from before the data. The chain then runs from the
    first review the data shows (A26)."""
    periods = [{"start": "2022-01-10", "placements": [placement("PL1", "2022-01-10")]}]
    events = reviews("2022-05-10", "2022-11-01")
    cov = coverage(span("review", "2022-04-01", "2024-03-31"), until="2024-03-31")
    report = evaluate(make_case(periods, events, cov), as_of=D("2024-03-31"))

    first = get(report, "review-first")
    # 20 working days after Mon 10 Jan 2022 (no bank holiday): Mon 7 Feb 2022.
    assert state(first) == (D("2022-02-07"), "not_evaluated", None, None, "start_before_data")
    assert "Mon 10 Jan 2022" in first.explanation
    assert "Fri 1 Apr 2022" in first.explanation
    assert listed(report, "review-second") == []
    sub1, sub2 = get(report, "review-subsequent", 1), get(report, "review-subsequent", 2)
    assert sub1.anchor == D("2022-05-10")
    assert state(sub1) == (D("2022-11-10"), "met_on_time", D("2022-11-01"), None, None)
    assert sub2.anchor == D("2022-11-01")
    assert state(sub2) == (D("2023-05-01"), "overdue", None, 335, None)
    assert listed(report, "review-subsequent") == [1, 2]


def test_a_period_started_before_the_data() -> None:
    """``started_before_data``: the start (Wed 1 Jun 2022) is only the first date the data
    shows, so a clock anchored on it is not judged; later anchors are."""
    periods = [
        {
            "start": "2022-06-01",
            "started_before_data": True,
            "placements": [
                placement("PL1", "2022-06-01", "2022-09-05", end_reason="planned"),
                placement("PL2", "2022-09-05"),
            ],
        }
    ]
    events = [
        *reviews("2022-07-01", "2022-08-15", "2023-01-20"),
        {"type": "placement_plan", "date": "2022-09-05"},
    ]
    cov = coverage(
        span("review", "2022-04-01", "2024-03-31"),
        span("placement_plan", "2022-04-01", "2024-03-31"),
        until="2024-03-31",
    )
    report = evaluate(make_case(periods, events, cov), as_of=D("2024-03-31"))

    first = get(report, "review-first")
    assert (first.status, first.reason) == ("not_evaluated", "start_before_data")
    assert "Wed 1 Jun 2022" in first.explanation
    assert listed(report, "review-second") == []
    # A26: from the first review on or after the first date the data shows (1 Jun 2022).
    sub1 = get(report, "review-subsequent", 1)
    assert sub1.anchor == D("2022-07-01")
    assert state(sub1) == (D("2023-01-01"), "met_on_time", D("2022-08-15"), None, None)
    assert state(get(report, "review-subsequent", 2)) == (
        D("2023-02-15"),
        "met_on_time",
        D("2023-01-20"),
        None,
        None,
    )
    assert state(get(report, "review-subsequent", 3)) == (
        D("2023-07-20"),
        "overdue",
        None,
        255,
        None,
    )

    # The first placement starts with the period: its plan's clock is not judged; the second's
    # is (due the day it starts, a planned placement).
    pl1 = get(report, "placement-plan", placement_id="PL1")
    assert (pl1.status, pl1.reason) == ("not_evaluated", "start_before_data")
    pl2 = get(report, "placement-plan", placement_id="PL2")
    assert state(pl2) == (D("2022-09-05"), "met_on_time", D("2022-09-05"), None, None)
    # The move on 5 Sep 2022 is after the data's start: the review of 15 Aug 2022 was in the
    # 3 months before it.
    move = get(report, "review-before-move", placement_id="PL1")
    assert state(move) == (D("2022-09-05"), "met_on_time", D("2022-08-15"), None, None)


AFTER_PERIODS = [{"start": "2023-12-11", "placements": [placement("PL1", "2023-12-11")]}]
AFTER_EVENTS = reviews("2023-12-31", "2024-04-10")
AFTER_COVERAGE = coverage(span("review", "2023-04-01", "2024-03-31"), until="2024-03-31")


def test_after_the_data_obligations_are_judged_the_day_after_it_ends() -> None:
    """Data to Sun 31 Mar 2024, as at 30 Jun 2024. The second review was due on the data's
    last day and not held by then: overdue by one day (judged on Mon 1 Apr 2024). The review
    of 10 Apr 2024 is after the data and does not count."""
    case = make_case(AFTER_PERIODS, AFTER_EVENTS, AFTER_COVERAGE)
    report = evaluate(case, as_of=D("2024-06-30"))

    # 20 working days after Mon 11 Dec 2023, skipping Christmas Day, Boxing Day and New Year's
    # Day: Thu 11 Jan 2024.
    assert state(get(report, "review-first")) == (
        D("2024-01-11"),
        "met_on_time",
        D("2023-12-31"),
        None,
        None,
    )
    second = get(report, "review-second")  # 3 months after Sun 31 Dec 2023
    assert state(second) == (D("2024-03-31"), "overdue", None, 1, None)
    assert "Sun 31 Mar 2024" in second.explanation
    assert "data ends" in second.explanation
    assert listed(report, "review-subsequent") == []
    finding = next(f for f in report.children[0].findings if f.code == "as_of_after_data")
    assert "Sun 31 Mar 2024" in finding.message and "after_data" in finding.message
    assert not [o for o in report.obligations if o.status == "pending"]

    # The same case without the coverage sees the later review.
    plain = evaluate(make_case(AFTER_PERIODS, AFTER_EVENTS), as_of=D("2024-06-30"))
    assert state(get(plain, "review-second")) == (
        D("2024-03-31"),
        "met_late",
        D("2024-04-10"),
        10,
        None,
    )
    assert listed(plain, "review-subsequent") == [1]


def test_an_obligation_due_after_the_data_is_after_data() -> None:
    """Looked after from Mon 4 Mar 2024: the first review is due Wed 3 Apr 2024 (20 working
    days, skipping Good Friday 29 Mar and Easter Monday 1 Apr 2024), after the data ends."""
    periods = [{"start": "2024-03-04", "placements": [placement("PL1", "2024-03-04")]}]
    case = make_case(periods, reviews("2024-04-02"), AFTER_COVERAGE)
    for as_of in (D("2024-03-31"), D("2024-06-30")):
        first = get(evaluate(case, as_of=as_of), "review-first")
        assert state(first) == (D("2024-04-03"), "not_evaluated", None, None, "after_data")
        assert "Not evaluated" in first.explanation
        assert "Sun 31 Mar 2024" in first.explanation and "ends" in first.explanation
        assert first.explanation.startswith("Due Wed 3 Apr 2024")


def test_a_gap_between_spans_is_not_in_source() -> None:
    """Reviews are shown for 2021-22 and 2023-24 but not 2022-23."""
    periods = [
        {
            "start": "2021-06-01",
            "placements": [
                placement("PL1", "2021-06-01", "2021-12-01", end_reason="planned"),
                placement("PL2", "2021-12-01", "2022-10-03", end_reason="planned"),
                placement("PL3", "2022-10-03"),
            ],
        }
    ]
    events = reviews("2021-06-28", "2021-09-20", "2022-03-01", "2023-05-01")
    cov = coverage(
        span("review", "2021-04-01", "2022-03-31"),
        span("review", "2023-04-01", "2024-03-31"),
        until="2024-03-31",
    )
    report = evaluate(make_case(periods, events, cov), as_of=D("2024-03-31"))

    # The move of 1 Dec 2021: its window (from 1 Sep 2021) is inside the first span.
    assert state(get(report, "review-before-move", placement_id="PL1")) == (
        D("2021-12-01"),
        "met_on_time",
        D("2021-09-20"),
        None,
        None,
    )
    # The move of 3 Oct 2022: its window (3 Jul to 3 Oct 2022) is in the gap.
    gap = get(report, "review-before-move", placement_id="PL2")
    assert state(gap) == (D("2022-10-03"), "not_evaluated", None, None, "not_in_source")
    assert "Thu 1 Apr 2021 to Thu 31 Mar 2022" in gap.explanation
    assert "Sat 1 Apr 2023 to Sun 31 Mar 2024" in gap.explanation
    # Nothing across the gap is overdue or missed.
    assert not [o for o in report.obligations if o.status in ("overdue", "missed")]


def test_touching_spans_are_one_span() -> None:
    periods = [{"start": "2022-04-20", "placements": [placement("PL1", "2022-04-20")]}]
    events = reviews("2022-05-19", "2022-08-10")
    split = coverage(
        span("review", "2022-04-01", "2023-03-31"),
        span("review", "2023-04-01", "2024-03-31"),
        until="2024-03-31",
    )
    whole = coverage(span("review", "2022-04-01", "2024-03-31"), until="2024-03-31")
    a = evaluate(make_case(periods, events, split), as_of=D("2024-03-31"))
    b = evaluate(make_case(periods, events, whole), as_of=D("2024-03-31"))
    assert a.children[0].obligations == b.children[0].obligations
    # 3 months after the second review (10 Aug 2022): 10 Feb 2023, overdue 415 days.
    assert state(get(a, "review-subsequent")) == (D("2023-02-10"), "overdue", None, 415, None)


def _example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_a_case_without_coverage_is_unchanged() -> None:
    """No coverage (absent or null) is the case format as before: the same obligations as a
    coverage that shows every event type over every date, until after the as-of date."""
    record = _example()
    as_of = D("2023-01-31")
    before = evaluate(Case.model_validate(record), as_of=as_of)
    assert Case.model_validate(record).coverage is None
    null = evaluate(Case.model_validate({**record, "coverage": None}), as_of=as_of)
    everything = coverage(
        *(span(t, "1990-01-01", "2099-12-31") for t in EVENT_TYPES), until="2099-12-31"
    )
    full = evaluate(Case.model_validate({**record, "coverage": everything}), as_of=as_of)
    assert before.children[0].obligations
    assert null.children[0].obligations == before.children[0].obligations
    assert full.children[0].obligations == before.children[0].obligations
    assert null.children[0].findings == before.children[0].findings
    assert not [o for o in before.obligations if o.reason in COVERAGE_REASONS]


# ------------------------------------------------------------------------------- properties
def _dates_of(record: dict[str, Any]) -> list[date]:
    out = [D(record["date_of_birth"])]
    for p in record["periods"]:
        out += [D(p["start"])] + ([D(p["end"])] if p.get("end") else [])
        for pl in p["placements"]:
            out += [D(pl["start"])] + ([D(pl["end"])] if pl.get("end") else [])
    out += [D(e["date"]) for e in record["events"]]
    return out


@st.composite
def cases_with_as_of(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    record = draw(case_dicts(max_events=10))
    dates = _dates_of(record)
    as_of = draw(st.dates(min(dates), max(dates) + timedelta(days=400)))
    return record, as_of


def _spans_over(draw: st.DrawFn, event_type: str, lo: date, hi: date) -> list[dict[str, str]]:
    """``lo`` to ``hi`` as one span, or as two that touch or overlap."""
    if hi <= lo or not draw(st.booleans()):
        return [span(event_type, lo, hi)]
    cut = draw(st.dates(lo, hi - timedelta(days=1)))
    back = draw(st.integers(0, 30))
    return [
        span(event_type, lo, cut),
        span(event_type, max(lo, cut + timedelta(days=1) - timedelta(days=back)), hi),
    ]


def _by_key(report: Report) -> dict[str, Obligation]:
    out: dict[str, Obligation] = {}
    for o in report.obligations:
        assert o.key not in out, o.key
        out[o.key] = o
    return out


@PROPERTY
@given(cases_with_as_of(), st.data())
def test_observing_everything_changes_nothing(
    drawn: tuple[dict[str, Any], date], data: st.DataObject
) -> None:
    """A coverage that shows every event type over a span holding every date of the case, and
    ends after every due date (and the as-of date), gives the very same obligations. (It must
    end after the due dates: an obligation due after the data's last day is not judged.)"""
    record, as_of = drawn
    before = evaluate(Case.model_validate(record), as_of=as_of).children[0]
    dates = _dates_of(record)
    dues = [o.due for o in before.obligations if o.due is not None]
    lo = min(dates) - timedelta(days=data.draw(st.integers(0, 800), label="lead"))
    until = max([as_of, *dates, *dues]) + timedelta(days=data.draw(st.integers(0, 400)))
    hi = until + timedelta(days=data.draw(st.integers(0, 400), label="tail"))
    observed: list[dict[str, str]] = []
    for t in EVENT_TYPES:
        observed += _spans_over(data.draw, t, lo, hi)
    covered = {**record, "coverage": coverage(*observed, until=until, source="casesys")}
    after = evaluate(Case.model_validate(covered), as_of=as_of).children[0]
    assert after.obligations == before.obligations
    assert after.findings == before.findings


@st.composite
def partial_coverage(draw: st.DrawFn, record: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Any coverage near the case's dates: some event types, one or two spans each, an end."""
    dates = _dates_of(record)
    lo, hi = min(dates) - timedelta(days=400), max([*dates, as_of]) + timedelta(days=400)
    types = draw(st.lists(st.sampled_from(EVENT_TYPES), unique=True, max_size=len(EVENT_TYPES)))
    observed: list[dict[str, str]] = []
    for t in types:
        for _ in range(draw(st.integers(1, 2))):
            a = draw(st.dates(lo, hi))
            b = draw(st.dates(a, hi))
            observed.append(span(t, a, b))
    until = draw(st.dates(lo, hi))
    return coverage(*observed, until=until, source="casesys")


def _started_before_data(draw: st.DrawFn, record: dict[str, Any]) -> dict[str, Any]:
    periods = [
        {**p, "started_before_data": True} if draw(st.integers(0, 3)) == 0 else p
        for p in record["periods"]
    ]
    return {**record, "periods": periods}


@PROPERTY
@given(cases_with_as_of(), st.data())
def test_an_unobserved_event_type_is_never_overdue_or_missed(
    drawn: tuple[dict[str, Any], date], data: st.DataObject
) -> None:
    """With any coverage: an obligation of a rule reading an event type the source does not
    show is not evaluated; overdue and missed come only from rules whose every event type is
    observed; nothing is met by an event after the data ends; and once the data has ended
    (as-of after it) nothing is pending."""
    record, as_of = drawn
    record = _started_before_data(data.draw, record)
    cov = data.draw(partial_coverage(record, as_of))
    case = Case.model_validate({**record, "coverage": cov})
    observed = {s["type"] for s in cov["observed"]}
    until = D(cov["until"])
    report = evaluate(case, as_of=as_of)
    for o in report.obligations:
        reads = PACK.reads(decl_of(o))
        if not reads <= observed:
            assert o.status == "not_evaluated", o
            assert o.reason in ("not_in_source", *OTHER_NOT_EVALUATED), o
        if o.status in ("overdue", "missed"):
            assert reads <= observed, o
        if o.status == "not_evaluated":
            assert o.reason is not None and o.explanation, o
        if o.met_on is not None:
            assert o.met_on <= min(until, as_of), o
        if o.status == "pending":
            assert as_of <= until, o
            assert o.due is None or o.due <= until, o


@PROPERTY
@given(cases_with_as_of(), st.data())
def test_coverage_never_turns_not_evaluated_into_overdue_or_missed(
    drawn: tuple[dict[str, Any], date], data: st.DataObject
) -> None:
    """Adding a coverage to a case never makes an obligation (the same key) overdue or missed
    that was not evaluated without it. Stated for an as-of date within the data: once the data
    has ended, events after it are dropped, and an obligation closed by such an event (say a
    not_evaluated ending) is rightly overdue on the data's last day. One not evaluated because
    no rule version or variant covers it stays so whatever the as-of date."""
    record, as_of = drawn
    record = _started_before_data(data.draw, record)
    cov = data.draw(partial_coverage(record, as_of))
    before = _by_key(evaluate(Case.model_validate(record), as_of=as_of))
    after = _by_key(evaluate(Case.model_validate({**record, "coverage": cov}), as_of=as_of))
    within = as_of <= D(cov["until"])
    for key in before.keys() & after.keys():
        b, a = before[key], after[key]
        if b.status != "not_evaluated":
            continue
        if within:
            assert a.status not in ("overdue", "missed"), (b, a)
        if b.reason in OTHER_NOT_EVALUATED:
            assert (a.status, a.reason) == (b.status, b.reason), (b, a)
