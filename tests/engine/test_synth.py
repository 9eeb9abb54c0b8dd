"""``lacplan.synth``: synthetic cohorts are valid, clean, deterministic and varied.

Distribution checks use loose bounds (shares within a wide range, "at least one" for rare
features), so they test the generator's shape, not its exact numbers. Nothing here is timed.
"""

from __future__ import annotations

import io
import json
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lacplan import Case, RecordError, UsageError, evaluate, load_cases, parse_case
from lacplan.calendar import age_on, birthday
from lacplan.cli import main
from lacplan.domain.events import LEAVING_CARE_EVENT_TYPES
from lacplan.synth import DEFAULT_AS_OF, synth_cases, write_cohort

AS_OF = date(2024, 6, 3)
SEEDS = (0, 1, 7, 2024, -5)
TEAMS = {"T-NORTH", "T-SOUTH", "T-EAST", "T-WEST", "T-DISABILITY", "T-LEAVING"}


@pytest.fixture(scope="module")
def cohorts() -> dict[int, list[dict[str, Any]]]:
    """300 children for each seed in SEEDS."""
    return {seed: synth_cases(300, seed=seed, as_of=AS_OF) for seed in SEEDS}


@pytest.fixture(scope="module")
def big() -> list[Case]:
    """2,000 children (seed 3), validated: for distribution checks."""
    return [Case.model_validate(c) for c in synth_cases(2000, seed=3, as_of=AS_OF)]


def _dates(obj: Any) -> list[date]:
    """Every date string anywhere in a case dict."""
    out = []
    if isinstance(obj, dict):
        for v in obj.values():
            out += _dates(v)
    elif isinstance(obj, list):
        for v in obj:
            out += _dates(v)
    elif isinstance(obj, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", obj):
        out.append(date.fromisoformat(obj))
    return out


# ------------------------------------------------------------------------- validity
def test_every_case_validates_and_has_no_findings(cohorts: dict[int, list[dict[str, Any]]]) -> None:
    for seed, raw in cohorts.items():
        findings: Counter[str] = Counter()
        for obj in raw:
            case = Case.model_validate(obj)
            assert parse_case(obj) == case
            findings.update(f.code for f in case.findings(AS_OF))
            findings.update(f.code for f in case.findings())  # also with no as_of at all
        outside = findings.pop("event_outside_period", 0)
        assert not findings, (seed, findings)  # event_before_birth, duplicate_event, ...
        assert outside <= len(raw) // 100, seed


def test_dates_are_consistent(cohorts: dict[int, list[dict[str, Any]]]) -> None:
    earliest_start = AS_OF - timedelta(days=8 * 365 + 2)
    latest_start = AS_OF - timedelta(days=7)
    for raw in cohorts.values():
        for obj in raw:
            assert max(_dates(obj)) <= AS_OF  # nothing after as_of: events, ends, legal status
            case = Case.model_validate(obj)
            dob = case.date_of_birth
            b18, b21 = birthday(dob, 18), birthday(dob, 21)
            first = case.periods[0]
            assert earliest_start <= first.start <= latest_start
            assert 0 <= age_on(dob, first.start) <= 17
            for period in case.periods:
                assert period.start < b18
                assert period.end is None or period.end <= b18
                assert all(pl.start < b18 for pl in period.placements)
            for event in case.events:
                assert dob <= event.date <= AS_OF
                if event.type in LEAVING_CARE_EVENT_TYPES:
                    assert event.date <= b21
                else:
                    assert event.date < b18


def test_cases_are_json_ready_and_round_trip(cohorts: dict[int, list[dict[str, Any]]]) -> None:
    raw = cohorts[0]
    assert json.loads(json.dumps(raw)) == raw
    for obj in raw[:50]:
        case = Case.model_validate(obj)
        assert Case.model_validate(case.model_dump(mode="json")) == case
        assert list(obj) == ["child_id", "date_of_birth", "labels", "periods", "events"]


def test_ids_and_labels(cohorts: dict[int, list[dict[str, Any]]]) -> None:
    raw = cohorts[1]
    assert [c["child_id"] for c in raw] == [f"SYN-{i:06d}" for i in range(1, 301)]
    for obj in raw:
        labels = obj["labels"]
        assert set(labels) == {"la", "team", "iro"}
        assert labels["la"] == "LA-DEMO"
        assert labels["team"] in TEAMS
        assert re.fullmatch(r"IRO-\d\d", labels["iro"])
        ids = [e["event_id"] for e in obj["events"]]
        assert len(set(ids)) == len(ids)
        dates = [e["date"] for e in obj["events"]]
        assert dates == sorted(dates)  # events are exported in date order
    assert len({c["labels"]["team"] for c in raw}) == len(TEAMS)


# ------------------------------------------------------------------------- determinism
def test_same_arguments_same_cases(cohorts: dict[int, list[dict[str, Any]]]) -> None:
    assert synth_cases(300, seed=7, as_of=AS_OF) == cohorts[7]
    assert synth_cases(5) == synth_cases(5, seed=0, as_of=DEFAULT_AS_OF)
    assert DEFAULT_AS_OF == AS_OF


def test_different_seeds_differ(cohorts: dict[int, list[dict[str, Any]]]) -> None:
    assert cohorts[0] != cohorts[1]
    first_children = {json.dumps(raw[0], sort_keys=True) for raw in cohorts.values()}
    assert len(first_children) == len(cohorts)


def test_prefix_property() -> None:
    many = synth_cases(120, seed=11, as_of=AS_OF)
    assert synth_cases(40, seed=11, as_of=AS_OF) == many[:40]
    assert synth_cases(1, seed=11, as_of=AS_OF) == many[:1]
    assert synth_cases(0, seed=11) == []


def test_as_of_moves_the_cohort() -> None:
    early = synth_cases(50, seed=2, as_of=date(2019, 1, 15))
    assert early != synth_cases(50, seed=2, as_of=AS_OF)
    for obj in early:
        assert max(_dates(obj)) <= date(2019, 1, 15)
        Case.model_validate(obj)


def test_global_random_state_is_neither_used_nor_changed() -> None:
    state = random.getstate()
    random.seed(1)
    a = synth_cases(20, seed=4)
    random.seed(2)
    b = synth_cases(20, seed=4)
    assert a == b
    random.setstate(state)
    synth_cases(20, seed=4)
    assert random.getstate() == state


# ------------------------------------------------------------------------- write_cohort
def test_write_cohort_to_a_path_is_byte_identical(tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert write_cohort(one, 60, seed=9) == 60
    assert write_cohort(str(two), 60, seed=9) == 60
    data = one.read_bytes()
    assert data == two.read_bytes()
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 60 and data.endswith(b"\n") and b"\r" not in data
    assert [json.loads(line) for line in lines] == synth_cases(60, seed=9)
    items = list(load_cases(one))
    assert len(items) == 60 and not any(isinstance(i, RecordError) for i in items)


def test_write_cohort_to_text_and_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    write_cohort(path, 25, seed=1)
    text, binary = io.StringIO(), io.BytesIO()
    assert write_cohort(text, 25, seed=1) == 25
    assert write_cohort(binary, 25, seed=1) == 25
    assert text.getvalue().encode("utf-8") == binary.getvalue() == path.read_bytes()
    assert not text.closed  # a file object passed in is left open
    with path.open("wb") as fh:
        write_cohort(fh, 3, seed=1)
    assert path.read_bytes().count(b"\n") == 3


def test_write_cohort_of_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    assert write_cohort(path, 0) == 0
    assert path.read_bytes() == b""


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": -1}, "n must be"),
        ({"n": 2.5}, "n must be"),
        ({"n": True}, "n must be"),
        ({"n": 2, "seed": "1"}, "seed must be"),
        ({"n": 2, "as_of": "2024-06-03"}, r"as_of must be a datetime\.date"),
        ({"n": 2, "as_of": datetime(2024, 6, 3, 12, 0)}, r"as_of must be a datetime\.date"),
        ({"n": 2, "as_of": date(1066, 10, 14)}, "as_of must be from"),
    ],
)
def test_bad_arguments_are_usage_errors(tmp_path: Path, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        synth_cases(**kwargs)
    target = tmp_path / "never.jsonl"
    with pytest.raises(UsageError, match=match):
        write_cohort(target, **kwargs)
    assert not target.exists()  # checked before the file is opened


# ------------------------------------------------------------------------- distributions
def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags)


def test_entries_regimes_and_periods(big: list[Case]) -> None:
    periods = [p for c in big for p in c.periods]
    assert 0.25 <= _share([p.entry == "emergency" for p in periods]) <= 0.42
    short_breaks = [any(p.regime == "short_breaks" for p in c.periods) for c in big]
    assert 0.025 <= _share(short_breaks) <= 0.08
    assert 0.06 <= _share([len(c.periods) == 2 for c in big]) <= 0.15
    assert all(len(c.periods) <= 2 for c in big)
    assert 0.2 <= _share([c.periods[-1].end is None for c in big]) <= 0.6
    ended_at_18 = [p.end == birthday(c.date_of_birth, 18) for c in big for p in c.periods]
    assert any(ended_at_18)
    for c in big:
        for p in c.periods:
            if p.regime == "standard":
                assert 1 <= len(p.placements) <= 4
                assert p.agreed_visit_interval_days is None
            else:
                assert p.entry == "planned" and len(c.periods) == 1


def test_ages_at_entry(big: list[Case]) -> None:
    ages = [age_on(c.date_of_birth, c.periods[0].start) for c in big]
    assert min(ages) == 0 and max(ages) == 17
    assert 0.10 <= _share([a == 0 for a in ages]) <= 0.26
    assert 0.40 <= _share([a >= 10 for a in ages]) <= 0.65  # teenagers and infants dominate
    assert _share([5 <= a <= 9 for a in ages]) < _share([a >= 10 for a in ages])
    sb_ages = [
        age_on(c.date_of_birth, c.periods[0].start)
        for c in big
        if c.periods[0].regime == "short_breaks"
    ]
    assert sb_ages and all(4 <= a <= 16 for a in sb_ages)


def test_placements(big: list[Case]) -> None:
    standard = [p for c in big for p in c.periods if p.regime == "standard"]
    placements = [pl for p in standard for pl in p.placements]
    kinds = Counter(pl.kind for pl in placements)
    assert kinds["foster"] / len(placements) > 0.5
    assert set(kinds) == {
        "foster",
        "residential",
        "placed_with_parents",
        "connected_person_temporary",
        "other",
    }
    moved = [pl for p in standard for pl in p.placements[:-1]]
    assert {pl.end_reason for pl in moved} == {"planned", "immediate_risk", "other", None}
    for p in standard:  # contiguous: every move is one end equal to the next start
        for a, b in zip(p.placements, p.placements[1:], strict=False):
            assert a.end == b.start
    ltf = [pl for pl in placements if pl.long_term_foster]
    assert ltf and all(pl.kind == "foster" and pl.intended_until_18 for pl in ltf)
    assert any(pl.emergency for p in standard for pl in p.placements[1:])


def test_legal_status_and_placements_with_parents(big: list[Case]) -> None:
    with_parents = [
        p
        for c in big
        for p in c.periods
        if any(pl.kind == "placed_with_parents" for pl in p.placements)
    ]
    assert with_parents
    ico_then_co = [
        p
        for p in with_parents
        if [s.status for s in p.legal_status][:2] == ["interim_care_order", "care_order"]
    ]
    assert len(ico_then_co) >= len(with_parents) // 4
    statuses = Counter(s.status for c in big for p in c.periods for s in p.legal_status)
    assert {"section_20", "interim_care_order", "care_order", "placement_order"} <= set(statuses)


def test_short_breaks(big: list[Case]) -> None:
    series = [p for c in big for p in c.periods if p.regime == "short_breaks"]
    assert any(p.agreed_visit_interval_days is not None for p in series)
    assert any(p.agreed_visit_interval_days is None for p in series)
    assert sum(len(p.placements) >= 3 for p in series) >= len(series) // 2
    for c in big:
        for p in c.periods:
            if p.regime != "short_breaks":
                continue
            for a, b in zip(p.placements, p.placements[1:], strict=False):
                assert a.end is not None and a.end < b.start  # separate breaks, not moves
            visits = [e.date for e in c.events if e.type == "visit"]
            for d in visits:  # social worker visits happen during a break
                assert any(pl.start <= d <= (pl.end or AS_OF) for pl in p.placements), c.child_id


def test_events(big: list[Case]) -> None:
    types = Counter(e.type for c in big for e in c.events)
    expected = {
        "care_plan",
        "placement_plan",
        "placement_notification",
        "review",
        "health_assessment",
        "health_consent_refused",
        "pep",
        "pep_review",
        "visit",
        "reduced_visits_agreed",
        "needs_assessment",
        "pathway_plan",
        "pathway_plan_review",
        "sdq",
        "dental_check",
        "permanence_plan",
        "review_consultation",
    }
    assert expected <= set(types)
    assert types["visit"] == max(types.values())
    visits = [e for c in big for e in c.events if e.type == "visit"]
    by_sw = [v for v in visits if getattr(v, "by", None) == "social_worker"]
    assert len(by_sw) > 0.6 * len(visits)
    seen = Counter(getattr(v, "seen_alone", None) for v in by_sw)
    assert seen[True] > 0.7 * len(by_sw) and seen[False] > 0 and seen[None] > 0
    assert any(getattr(v, "not_seen_alone_reason", None) == "child_refused" for v in by_sw)
    refusals = [e for c in big for e in c.events if e.type == "health_consent_refused"]
    assert all(getattr(e, "refused_by", None) == "child" for e in refusals)
    reviews = [e for c in big for e in c.events if e.type == "review"]
    assert any(getattr(r, "cancelled", False) for r in reviews)
    # plans and notifications name their placement
    for c in big:
        for e in c.events:
            if e.type in ("placement_plan", "placement_notification"):
                assert e.placement_id is not None
    # leaving-care events only for young people who were looked after at 16 or over
    for c in big:
        if any(e.type in LEAVING_CARE_EVENT_TYPES for e in c.events):
            b16 = birthday(c.date_of_birth, 16)
            assert any(p.end is None or p.end > b16 for p in c.periods)


# ------------------------------------------------------------------------- evaluation
def test_evaluation_gives_a_mix_of_statuses(cohorts: dict[int, list[dict[str, Any]]]) -> None:
    cases = [Case.model_validate(c) for c in cohorts[2024]]
    report = evaluate(cases, as_of=AS_OF)
    counts = report.status_counts()
    total = sum(counts.values())
    assert total > 20 * len(cases)
    assert counts["met_on_time"] / total > 0.5
    assert 0.01 <= counts.get("met_late", 0) / total <= 0.25
    for status in ("overdue", "missed", "pending", "exempt", "not_required"):
        assert counts.get(status, 0) > 0, status
    rules = {o.rule for o in report.obligations}
    assert {"care-plan", "review-first", "visit", "health-initial", "pep-review"} <= rules
    assert {"review-before-move", "visit-care-order", "sdq", "pathway-plan-review"} <= rules
    assert all(not child.findings for child in report.children)


def test_overlay_evaluation(cohorts: dict[int, list[dict[str, Any]]]) -> None:
    cases = [Case.model_validate(c) for c in cohorts[0][:100]]
    report = evaluate(cases, as_of=AS_OF, rules="england+ifa")
    sources = Counter(o.source for o in report.obligations)
    assert sources["statutory"] > 0 and sources["agency"] > 0


def test_cli_evaluates_a_written_cohort(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cohort = tmp_path / "cohort.jsonl"
    out = tmp_path / "out.csv"
    write_cohort(cohort, 40, seed=5)
    code = main(
        ["evaluate", str(cohort), "--as-of", "2024-06-03", "--format", "csv", "-o", str(out)]
    )
    _, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err
    assert "SYN-000040" in out.read_text(encoding="utf-8")
