"""The SSDA903 adapter's mapping, on hand-built returns, with hand-computed deadlines.

Each test writes a small return (Header, Episodes, Reviews, OC2 CSV files in one directory per
collection year, 2023 = 1 Apr 2022 to 31 Mar 2023 and 2024 = 1 Apr 2023 to 31 Mar 2024) under
``tmp_path``, reads it with ``read_ssda903`` and checks the cases it builds and the obligations
they give. Every expected date was computed by hand from the regulations' timescales: 20 working
days (reg 33(1); weekends and England & Wales bank holidays skipped, the holidays named where a
count crosses one), 3 and 6 calendar months (reg 33(2)), 3 and 6 months for short breaks
(reg 48). Nothing here was copied from lacplan's output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from lacplan import evaluate
from lacplan.adapters.ssda903 import read_ssda903
from lacplan.model import Case, RecordError
from lacplan.report import Obligation, Report
from tests.adapters.ssda903_writer import write_return

D = date.fromisoformat

#: The last day of the 2023-24 return (the data's end in most tests).
END_2024 = date(2024, 3, 31)

REVIEW_RULES = ("review-first", "review-second", "review-subsequent")
#: Rules whose events the SSDA903 return shows (reviews; SDQs in the OC2 table).
SEEN_RULES = (*REVIEW_RULES, "review-before-move", "sdq")


# ------------------------------------------------------------------------------- rows
def header(child: str, dob: str, sex: str = "1") -> dict[str, Any]:
    return {"CHILD": child, "SEX": sex, "DOB": D(dob), "ETHNIC": "WBRI"}


def episode(
    child: str,
    decom: str,
    rne: str,
    *,
    dec: str | None = None,
    rec: str | None = None,
    ls: str = "C2",
    place: str = "U3",
    urn: str = "SC000001",
    post: str = "CD1 1",
    change: str | None = None,
) -> dict[str, Any]:
    """An episode row; ``dec`` without ``rec`` continues the period (REC X1)."""
    return {
        "CHILD": child,
        "DECOM": D(decom),
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": place,
        "PLACE_PROVIDER": "PR1",
        "DEC": D(dec) if dec else None,
        "REC": rec if rec is not None else ("X1" if dec else None),
        "REASON_PLACE_CHANGE": change,
        "HOME_POST": "AB1 2",
        "PL_POST": post,
        "URN": urn,
    }


def reviews(child: str, dob: str, *dates: str) -> list[dict[str, Any]]:
    return [{"CHILD": child, "DOB": D(dob), "REVIEW": D(d), "REVIEW_CODE": "PN1"} for d in dates]


def oc2(child: str, dob: str, *, score: str = "", reason: str = "") -> dict[str, Any]:
    return {
        "CHILD": child,
        "DOB": D(dob),
        "SDQ_SCORE": score,
        "SDQ_REASON": reason,
        "CONVICTED": "0",
        "HEALTH_CHECK": "1",
        "IMMUNISATIONS": "1",
        "TEETH_CHECK": "1",
        "HEALTH_ASSESSMENT": "1",
        "SUBSTANCE_MISUSE": "0",
        "INTERVENTION_RECEIVED": "0",
        "INTERVENTION_OFFERED": "0",
    }


Tables = Mapping[int, Mapping[str, Sequence[Mapping[str, Any]]]]


def read(tmp_path: Path, tables: Tables) -> tuple[Any, list[Case | RecordError]]:
    """The batch and its items for a return written from ``tables`` (years given explicitly)."""
    paths = write_return(tmp_path, tables)
    batch = read_ssda903(paths, years={p: int(Path(p).name) for p in paths})
    return batch, list(batch)


def cases_of(items: Iterable[Case | RecordError]) -> dict[str, Case]:
    out: dict[str, Case] = {}
    for item in items:
        assert isinstance(item, Case), f"rejected: {item}"
        out[item.child_id] = item
    return out


def run(tmp_path: Path, tables: Tables, as_of: date = END_2024) -> tuple[Report, dict[str, Case]]:
    """The report as at ``as_of`` (from a batch iterated once, by ``evaluate``) and the cases."""
    _, items = read(tmp_path, tables)
    paths = [str(tmp_path / str(y)) for y in sorted(tables)]
    batch = read_ssda903(paths, years={p: int(Path(p).name) for p in paths})
    return evaluate(batch, as_of=as_of), cases_of(items)


def find(
    report: Report,
    child: str,
    rule: str,
    sequence: int = 1,
    *,
    period: str = "1",
    placement: str | None = None,
) -> Obligation:
    hits = [
        o
        for o in report.obligations
        if o.child_id == child
        and o.rule == rule
        and o.sequence == sequence
        and o.period_id == period
        and o.placement_id == placement
    ]
    assert len(hits) == 1, (child, rule, sequence, period, placement, hits)
    return hits[0]


def rules_of(report: Report, child: str, *, period: str = "1") -> list[tuple[str, int]]:
    return [
        (o.rule, o.sequence)
        for o in report.obligations
        if o.child_id == child and o.period_id == period and o.rule in REVIEW_RULES
    ]


def check(
    ob: Obligation,
    due: str,
    status: str,
    met_on: str | None = None,
    *,
    days_late: int | None = None,
    reason: str | None = None,
) -> None:
    assert (ob.due, ob.status, ob.met_on, ob.days_late, ob.reason) == (
        D(due),
        status,
        D(met_on) if met_on else None,
        days_late,
        reason,
    ), ob.explanation


def codes(case: Case) -> list[str]:
    return [f.code for f in case.source_findings]


def spans(case: Case, event_type: str) -> list[tuple[date, date]]:
    assert case.coverage is not None
    return case.coverage.spans(event_type)


# ------------------------------------------------------------------------------- reviews
def test_review_outcomes_over_two_collection_years(tmp_path: Path) -> None:
    """On time, late, overdue, pending and after-the-data reviews, read from two returns.

    A: looked after from Wed 20 Apr 2022 (open in the 2022-23 return, carried into 2023-24 where
    it ends with a planned move on Mon 14 Aug 2023). B: from Mon 11 Dec 2023 (2023-24 only).
    C: from Thu 1 Feb 2024. X: from Fri 15 Mar 2024.
    """
    dob = "2012-05-14"
    tables = {
        2023: {
            "Header": [header("A", dob)],
            "Episodes": [episode("A", "2022-04-20", "S")],
            "Reviews": reviews("A", dob, "2022-05-19", "2022-08-24", "2023-02-20"),
        },
        2024: {
            "Header": [header(c, dob) for c in "ABCX"],
            "Episodes": [
                episode("A", "2022-04-20", "S", dec="2023-08-14"),
                episode("A", "2023-08-14", "P", urn="SC000002", post="CD2 2", change="CARPL"),
                episode("B", "2023-12-11", "S"),
                episode("C", "2024-02-01", "S"),
                episode("X", "2024-03-15", "S"),
            ],
            "Reviews": [
                *reviews("A", dob, "2023-06-01"),
                *reviews("B", dob, "2024-01-15"),
            ],
        },
    }
    report, cases = run(tmp_path, tables)

    a = cases["A"]
    assert [(p.start, p.end) for p in a.periods] == [(D("2022-04-20"), None)]
    placements = a.periods[0].placements
    assert [(pl.placement_id, pl.start, pl.end, pl.end_reason) for pl in placements] == [
        ("2022-04-20", D("2022-04-20"), D("2023-08-14"), "planned"),
        ("2023-08-14", D("2023-08-14"), None, None),
    ]
    assert spans(a, "review") == [(D("2022-04-01"), END_2024)]
    assert a.coverage is not None and a.coverage.until == END_2024
    assert [(e.type, e.date) for e in a.events] == [
        ("review", D(x)) for x in ("2022-05-19", "2022-08-24", "2023-02-20", "2023-06-01")
    ]

    # 20 working days after Wed 20 Apr 2022, skipping the Early May bank holiday Mon 2 May 2022.
    check(find(report, "A", "review-first"), "2022-05-19", "met_on_time", "2022-05-19")
    # 3 months after the first review.
    check(find(report, "A", "review-second"), "2022-08-19", "met_late", "2022-08-24", days_late=5)
    # 6 months after each previous review.
    check(find(report, "A", "review-subsequent", 1), "2023-02-24", "met_on_time", "2023-02-20")
    check(find(report, "A", "review-subsequent", 2), "2023-08-20", "met_on_time", "2023-06-01")
    check(find(report, "A", "review-subsequent", 3), "2023-12-01", "overdue", days_late=121)
    assert rules_of(report, "A") == [
        ("review-first", 1),
        ("review-second", 1),
        ("review-subsequent", 1),
        ("review-subsequent", 2),
        ("review-subsequent", 3),
    ]
    # The planned move on 14 Aug 2023: the review of 1 Jun 2023 is within the 3 months before.
    rbm = find(report, "A", "review-before-move", placement="2022-04-20")
    check(rbm, "2023-08-14", "met_on_time", "2023-06-01")

    # B: 20 working days after Mon 11 Dec 2023, skipping Christmas Day Mon 25 Dec, Boxing Day
    # Tue 26 Dec 2023 and New Year's Day Mon 1 Jan 2024: Thu 11 Jan 2024.
    check(find(report, "B", "review-first"), "2024-01-11", "met_late", "2024-01-15", days_late=4)
    # 3 months after 15 Jan 2024 is after the data ends (31 Mar 2024): not judged.
    check(find(report, "B", "review-second"), "2024-04-15", "not_evaluated", reason="after_data")

    # C: 20 working days after Thu 1 Feb 2024 (no bank holiday): Thu 29 Feb 2024; not held by
    # 31 Mar 2024.
    check(find(report, "C", "review-first"), "2024-02-29", "overdue", days_late=31)

    # X: 20 working days after Fri 15 Mar 2024, skipping Good Friday 29 Mar and Easter Monday
    # 1 Apr 2024: Tue 16 Apr 2024, after the data ends.
    check(find(report, "X", "review-first"), "2024-04-16", "not_evaluated", reason="after_data")
    assert rules_of(report, "X") == [("review-first", 1)]

    # As at 15 Feb 2024, C's first review (due 29 Feb 2024, inside the data) is pending.
    earlier, _ = run(tmp_path / "again", tables, as_of=date(2024, 2, 15))
    check(find(earlier, "C", "review-first"), "2024-02-29", "pending")
    assert not [o for o in earlier.obligations if o.child_id == "X"]  # not yet looked after


def test_review_before_move_from_reason_place_change(tmp_path: Path) -> None:
    """REASON_PLACE_CHANGE on the episode starting the next placement is the previous one's end
    reason: CARPL planned (a review is needed: missed), CLOSE other (not required), ALLEG an
    immediate risk (exempt)."""
    dob = "2010-01-09"
    tables = {
        2023: {
            "Header": [header("D", dob)],
            "Episodes": [
                episode("D", "2022-04-04", "S", dec="2022-09-01"),
                episode("D", "2022-09-01", "P", dec="2023-01-10", urn="SC2", change="CARPL"),
                episode("D", "2023-01-10", "P", place="K2", urn="SC3", change="CLOSE"),
            ],
            "Reviews": reviews("D", dob, "2022-05-05"),
        },
        2024: {
            "Header": [header("D", dob)],
            "Episodes": [
                episode(
                    "D", "2023-01-10", "P", dec="2023-06-15", place="K2", urn="SC3", change="CLOSE"
                ),
                episode("D", "2023-06-15", "P", urn="SC4", change="ALLEG"),
            ],
            "Reviews": reviews("D", dob, "2023-05-01"),
        },
    }
    report, cases = run(tmp_path, tables)
    placements = cases["D"].periods[0].placements
    assert [(p.start, p.end, p.end_reason, p.kind) for p in placements] == [
        (D("2022-04-04"), D("2022-09-01"), "planned", "foster"),
        (D("2022-09-01"), D("2023-01-10"), "other", "foster"),
        (D("2023-01-10"), D("2023-06-15"), "immediate_risk", "residential"),
        (D("2023-06-15"), None, None, "foster"),
    ]
    # 20 working days after Mon 4 Apr 2022, skipping Good Friday 15 Apr, Easter Monday 18 Apr
    # and the Early May bank holiday Mon 2 May 2022.
    check(find(report, "D", "review-first"), "2022-05-05", "met_on_time", "2022-05-05")
    # The move of 1 Sep 2022 was planned; no review from 1 Jun 2022 (3 months before) to it.
    check(find(report, "D", "review-before-move", placement="2022-04-04"), "2022-09-01", "missed")
    check(
        find(report, "D", "review-before-move", placement="2022-09-01"),
        "2023-01-10",
        "not_required",
        reason="not_ended_by_authority",
    )
    check(
        find(report, "D", "review-before-move", placement="2023-01-10"),
        "2023-06-15",
        "exempt",
        reason="immediate_risk",
    )
    # The last placement has not ended: no move, no review-before-move.
    assert not [
        o
        for o in report.obligations
        if o.placement_id == "2023-06-15" and o.rule == "review-before-move"
    ]


def test_two_periods_of_care(tmp_path: Path) -> None:
    """A period ended with REC E4A (returned home) and a new one (RNE S) the next year."""
    dob = "2011-03-02"
    tables = {
        2023: {
            "Header": [header("E", dob)],
            "Episodes": [
                episode("E", "2022-04-25", "S", ls="V2", dec="2022-10-31", rec="E4A"),
            ],
            "Reviews": reviews("E", dob, "2022-05-24"),
        },
        2024: {
            "Header": [header("E", dob)],
            "Episodes": [episode("E", "2023-05-02", "S", ls="V2", urn="SC9", post="CD9 9")],
            "Reviews": reviews("E", dob, "2023-06-05"),
        },
    }
    report, cases = run(tmp_path, tables)
    e = cases["E"]
    assert [(p.period_id, p.start, p.end) for p in e.periods] == [
        ("1", D("2022-04-25"), D("2022-10-31")),
        ("2", D("2023-05-02"), None),
    ]
    assert [(s.from_, s.status) for s in e.periods[0].legal_status] == [
        (D("2022-04-25"), "section_20")
    ]
    assert not any(p.started_before_data for p in e.periods)

    # Period 1: 20 working days after Mon 25 Apr 2022, skipping Mon 2 May 2022 (Early May).
    check(find(report, "E", "review-first"), "2022-05-24", "met_on_time", "2022-05-24")
    # No second review by 24 Aug 2022, and the period ended on 31 Oct 2022: missed.
    check(find(report, "E", "review-second"), "2022-08-24", "missed")
    assert rules_of(report, "E") == [("review-first", 1), ("review-second", 1)]

    # Period 2: 20 working days after Tue 2 May 2023, skipping the coronation bank holiday
    # Mon 8 May and the Spring bank holiday Mon 29 May 2023: Thu 1 Jun 2023.
    first = find(report, "E", "review-first", period="2")
    check(first, "2023-06-01", "met_late", "2023-06-05", days_late=4)
    # 3 months after 5 Jun 2023; 208 days overdue on 31 Mar 2024.
    second = find(report, "E", "review-second", period="2")
    check(second, "2023-09-05", "overdue", days_late=208)


def test_short_breaks_period(tmp_path: Path) -> None:
    """LS V3 episodes form one short-breaks period, each break a placement, with the reg 48
    review timescales: 3 months after the first break, 6 months after the first review, then
    every 6 months."""
    dob = "2014-07-30"
    breaks = [
        ("2022-06-10", "2022-06-12"),
        ("2022-08-19", "2022-08-21"),
        ("2023-01-06", "2023-01-08"),
        ("2023-05-05", "2023-05-07"),
        ("2023-10-13", "2023-10-15"),
    ]

    def eps(year: int) -> list[dict[str, Any]]:
        lo, hi = date(year - 1, 4, 1), date(year, 3, 31)
        return [
            episode("F", a, "S", ls="V3", place="K2", dec=b, rec="E4A")
            for a, b in breaks
            if lo <= D(a) <= hi
        ]

    tables = {
        2023: {
            "Header": [header("F", dob)],
            "Episodes": eps(2023),
            "Reviews": reviews("F", dob, "2022-09-01", "2023-03-08"),
        },
        2024: {
            "Header": [header("F", dob)],
            "Episodes": eps(2024),
            "Reviews": reviews("F", dob, "2023-09-01"),
        },
    }
    report, cases = run(tmp_path, tables)
    f = cases["F"]
    assert len(f.periods) == 1
    period = f.periods[0]
    assert (period.regime, period.start, period.end) == ("short_breaks", D("2022-06-10"), None)
    assert [(p.start, p.end) for p in period.placements] == [(D(a), D(b)) for a, b in breaks]
    assert "short_breaks_period" in codes(f)

    # 3 months after the first break (Fri 10 Jun 2022).
    check(find(report, "F", "review-first"), "2022-09-10", "met_on_time", "2022-09-01")
    # 6 months after the first review.
    check(find(report, "F", "review-second"), "2023-03-01", "met_late", "2023-03-08", days_late=7)
    # Then 6-monthly.
    check(find(report, "F", "review-subsequent", 1), "2023-09-08", "met_on_time", "2023-09-01")
    check(find(report, "F", "review-subsequent", 2), "2024-03-01", "overdue", days_late=30)
    # Short breaks have no SDQ, and the breaks are not moves.
    assert not [
        o
        for o in report.obligations
        if o.child_id == "F" and o.rule in ("sdq", "review-before-move")
    ]


def test_short_breaks_end_when_another_legal_status_starts(tmp_path: Path) -> None:
    dob = "2014-07-30"
    tables = {
        2023: {
            "Header": [header("G", dob)],
            "Episodes": [
                episode("G", "2022-07-01", "S", ls="V3", place="K2", dec="2022-07-03", rec="E4A"),
                episode("G", "2023-02-01", "S", ls="C2"),
            ],
            "Reviews": [],
        },
    }
    _, items = read(tmp_path, tables)
    g = cases_of(items)["G"]
    assert [(p.regime, p.start, p.end) for p in g.periods] == [
        ("short_breaks", D("2022-07-01"), D("2023-01-31")),
        ("standard", D("2023-02-01"), None),
    ]
    assert [(p.start, p.end) for p in g.periods[0].placements] == [
        (D("2022-07-01"), D("2022-07-03"))
    ]
    assert "short_breaks_ended" in codes(g)


def test_period_started_before_the_data(tmp_path: Path) -> None:
    """The first episode in the data is RNE P: the period began before the data. The first
    review cannot be judged, the second is not listed, and the chain runs 6-monthly from the
    first review the data shows (convention A26)."""
    dob = "2010-03-05"
    carried = episode("H", "2021-11-15", "P", place="U4", change="CARPL")
    tables = {
        2023: {
            "Header": [header("H", dob)],
            "Episodes": [carried],
            "Reviews": reviews("H", dob, "2022-06-15", "2022-12-20"),
        },
        2024: {
            "Header": [header("H", dob)],
            "Episodes": [carried],
            "Reviews": reviews("H", dob, "2023-06-01"),
        },
    }
    report, cases = run(tmp_path, tables)
    h = cases["H"]
    assert [(p.start, p.end, p.started_before_data) for p in h.periods] == [
        (D("2021-11-15"), None, True)
    ]
    assert "start_before_data" in codes(h)

    # 20 working days after Mon 15 Nov 2021 (no bank holiday in between): Mon 13 Dec 2021.
    first = find(report, "H", "review-first")
    check(first, "2021-12-13", "not_evaluated", reason="start_before_data")
    assert first.explanation.startswith("Due Mon 13 Dec 2021")
    assert "Not evaluated" in first.explanation
    # review-second has no anchor; the chain starts at the first review in the data (15 Jun
    # 2022), which is not itself judged.
    assert rules_of(report, "H") == [
        ("review-first", 1),
        ("review-subsequent", 1),
        ("review-subsequent", 2),
        ("review-subsequent", 3),
    ]
    sub1 = find(report, "H", "review-subsequent", 1)
    assert sub1.anchor == D("2022-06-15")
    check(sub1, "2022-12-15", "met_late", "2022-12-20", days_late=5)
    check(find(report, "H", "review-subsequent", 2), "2023-06-20", "met_on_time", "2023-06-01")
    check(find(report, "H", "review-subsequent", 3), "2023-12-01", "overdue", days_late=121)


# ------------------------------------------------------------------------------- placements
def test_temporary_placement_then_back_to_the_same_carer(tmp_path: Path) -> None:
    """A hospital stay (PLACE T1) and back to the same carer: one placement; a later planned
    move to another carer ends it."""
    dob = "2013-09-14"
    tables = {
        2023: {
            "Header": [header("T", dob)],
            "Episodes": [
                episode("T", "2022-06-01", "S", dec="2022-07-10"),
                episode("T", "2022-07-10", "P", place="T1", urn="", post="", dec="2022-07-20"),
                episode("T", "2022-07-20", "P", dec="2022-11-01"),
                episode("T", "2022-11-01", "P", urn="SC000002", post="CD2 2", change="CARPL"),
            ],
            "Reviews": [],
        },
    }
    _, items = read(tmp_path, tables)
    t = cases_of(items)["T"]
    assert [(p.start, p.end, p.end_reason) for p in t.periods[0].placements] == [
        (D("2022-06-01"), D("2022-11-01"), "planned"),
        (D("2022-11-01"), None, None),
    ]
    assert "temporary_placement" in codes(t)


def test_temporary_placement_then_to_another_carer_is_a_move(tmp_path: Path) -> None:
    """After the hospital stay the child goes to a new carer: the first placement ends on the
    day the new one starts (the stay is part of it), and the review before the move counts."""
    dob = "2013-09-14"
    tables = {
        2023: {
            "Header": [header("U", dob)],
            "Episodes": [
                episode("U", "2022-06-01", "S", dec="2022-07-10"),
                episode("U", "2022-07-10", "P", place="T1", urn="", post="", dec="2022-07-20"),
                episode("U", "2022-07-20", "P", urn="SC000002", post="CD2 2", change="CARPL"),
            ],
            "Reviews": reviews("U", dob, "2022-06-30"),
        },
    }
    batch, items = read(tmp_path, tables)
    u = cases_of(items)["U"]
    assert [(p.placement_id, p.start, p.end, p.end_reason) for p in u.periods[0].placements] == [
        ("2022-06-01", D("2022-06-01"), D("2022-07-20"), "planned"),
        ("2022-07-20", D("2022-07-20"), None, None),
    ]
    report = evaluate(batch, as_of=date(2023, 3, 31))
    # 20 working days after Wed 1 Jun 2022, skipping the Spring bank holiday Thu 2 Jun and the
    # Platinum Jubilee bank holiday Fri 3 Jun 2022: Fri 1 Jul 2022.
    check(find(report, "U", "review-first"), "2022-07-01", "met_on_time", "2022-06-30")
    check(
        find(report, "U", "review-before-move", placement="2022-06-01"),
        "2022-07-20",
        "met_on_time",
        "2022-06-30",
    )


def test_reason_place_change_place_is_not_a_move(tmp_path: Path) -> None:
    """REASON_PLACE_CHANGE = PLACE (the placement's status changed, U3 to U4): no move."""
    dob = "2013-09-14"
    tables = {
        2023: {
            "Header": [header("J", dob)],
            "Episodes": [
                episode("J", "2022-06-01", "S", dec="2022-09-01"),
                episode("J", "2022-09-01", "P", place="U4", change="PLACE"),
            ],
            "Reviews": reviews("J", dob, "2022-06-20"),
        },
    }
    batch, items = read(tmp_path, tables)
    j = cases_of(items)["J"]
    assert [(p.placement_id, p.start, p.end) for p in j.periods[0].placements] == [
        ("2022-06-01", D("2022-06-01"), None)
    ]
    report = evaluate(batch, as_of=date(2023, 3, 31))
    assert not [o for o in report.obligations if o.rule == "review-before-move"]


def test_legal_status_change_by_rne_l(tmp_path: Path) -> None:
    """RNE L changes the legal status only (C1 interim care order, then C2 care order)."""
    dob = "2013-09-14"
    tables = {
        2023: {
            "Header": [header("K", dob)],
            "Episodes": [
                episode("K", "2022-05-03", "S", ls="C1", dec="2022-08-01"),
                episode("K", "2022-08-01", "L", ls="C2"),
            ],
            "Reviews": [],
        },
    }
    _, items = read(tmp_path, tables)
    period = cases_of(items)["K"].periods[0]
    assert [(s.from_, s.status) for s in period.legal_status] == [
        (D("2022-05-03"), "interim_care_order"),
        (D("2022-08-01"), "care_order"),
    ]
    assert [(p.start, p.end) for p in period.placements] == [(D("2022-05-03"), None)]


# ------------------------------------------------------------------------------- merging years
def test_open_episode_carried_into_the_next_return_is_read_once(tmp_path: Path) -> None:
    """An episode open at 31 Mar 2023 appears again, with its end, in the 2023-24 return: the
    row with the end date is used, the other ignored as repeated; no conflict is reported."""
    dob = "2009-12-01"
    tables = {
        2023: {
            "Header": [header("L", dob)],
            "Episodes": [episode("L", "2022-10-03", "S")],
            "Reviews": reviews("L", dob, "2022-10-31"),
        },
        2024: {
            "Header": [header("L", dob)],
            "Episodes": [episode("L", "2022-10-03", "S", dec="2023-07-01", rec="E8")],
            "Reviews": reviews("L", dob, "2023-01-25"),
        },
    }
    report, cases = run(tmp_path, tables)
    case = cases["L"]
    assert [(p.start, p.end) for p in case.periods] == [(D("2022-10-03"), D("2023-07-01"))]
    assert "conflicting_years" not in codes(case)
    assert report.accounting["Episodes"] == {
        "rows": 2,
        "used": 1,
        "ignored": {"repeated_in_other_year": 1},
        "rejected": 0,
    }
    assert report.accounting["Header"]["ignored"] == {"repeated_in_other_year": 1}
    assert report.accounting["Reviews"] == {"rows": 2, "used": 2, "ignored": {}, "rejected": 0}


def test_conflicting_episodes_across_years(tmp_path: Path) -> None:
    """The same episode with a different placement code in the two returns: the later (with
    its end) is used and the difference reported."""
    dob = "2009-12-01"
    tables = {
        2023: {
            "Header": [header("L", dob)],
            "Episodes": [episode("L", "2022-10-03", "S", place="U1")],
            "Reviews": [],
        },
        2024: {
            "Header": [header("L", dob)],
            "Episodes": [episode("L", "2022-10-03", "S", place="U3", dec="2023-07-01", rec="E8")],
            "Reviews": [],
        },
    }
    report, cases = run(tmp_path, tables)
    case = cases["L"]
    assert case.periods[0].placements[0].kind == "foster"
    assert not case.periods[0].placements[0].long_term_foster  # U3, not U1
    assert "conflicting_years" in codes(case)
    assert report.accounting["Episodes"]["ignored"] == {"superseded": 1}


def test_conflicting_dates_of_birth_later_year_wins(tmp_path: Path) -> None:
    tables = {
        2023: {
            "Header": [header("M", "2012-02-01")],
            "Episodes": [episode("M", "2022-06-01", "S")],
            "Reviews": [],
        },
        2024: {
            "Header": [header("M", "2012-02-03")],
            "Episodes": [episode("M", "2022-06-01", "S")],
            "Reviews": [],
        },
    }
    report, cases = run(tmp_path, tables)
    case = cases["M"]
    assert case.date_of_birth == D("2012-02-03")
    finding = next(f for f in case.source_findings if f.code == "conflicting_years")
    assert "Header" in finding.field and "2023" in finding.field
    assert "2012" not in finding.message  # the message never quotes the date of birth
    child = next(c for c in report.children if c.child_id == "M")
    assert "conflicting_years" in [f.code for f in child.findings]


# ------------------------------------------------------------------------------- SDQ (OC2)
def test_sdq_from_the_oc2_table(tmp_path: Path) -> None:
    """An OC2 row with a score meets the year's SDQ (an event dated 31 March, precision year);
    a row with only SDQ_REASON does not. The OC2 row's year is the only SDQ year seen."""
    dob = "2012-05-14"
    tables = {
        2023: {
            "Header": [header("N", dob), header("O", dob), header("P", dob)],
            "Episodes": [
                episode("N", "2022-06-01", "S"),
                episode("O", "2022-06-01", "S"),
                episode("P", "2022-04-01", "S"),
            ],
            "Reviews": [],
            "OC2": [oc2("P", dob, score="10")],
        },
        2024: {
            "Header": [header("N", dob), header("O", dob), header("P", dob)],
            "Episodes": [
                episode("N", "2022-06-01", "S"),
                episode("O", "2022-06-01", "S"),
                episode("P", "2022-04-01", "S"),
            ],
            "Reviews": [],
            "OC2": [oc2("N", dob, score="14"), oc2("O", dob, reason="SDQ1")],
        },
    }
    report, cases = run(tmp_path, tables)
    n, o, p = cases["N"], cases["O"], cases["P"]
    sdq_events = [e for e in n.events if e.type == "sdq"]
    assert [(e.date, e.date_precision) for e in sdq_events] == [(END_2024, "year")]
    assert not [e for e in o.events if e.type == "sdq"]
    assert spans(n, "sdq") == spans(o, "sdq") == [(D("2023-04-01"), END_2024)]
    assert spans(p, "sdq") == [(D("2022-04-01"), D("2023-03-31"))]

    # N and O were looked after 12 months on 31 Mar 2024 only (from 1 Jun 2022).
    assert [x.sequence for x in report.obligations if x.child_id == "N" and x.rule == "sdq"] == [1]
    check(find(report, "N", "sdq"), "2024-03-31", "met_on_time", "2024-03-31")
    check(find(report, "O", "sdq"), "2024-03-31", "pending")
    # P, looked after from 1 Apr 2022: the 2022-23 year is met; the 2023-24 year has no OC2 row.
    check(find(report, "P", "sdq", 1), "2023-03-31", "met_on_time", "2023-03-31")
    check(find(report, "P", "sdq", 2), "2024-03-31", "not_evaluated", reason="not_in_source")


def test_sdq_reason_without_score_is_overdue_after_31_march(tmp_path: Path) -> None:
    """Judged after the data ends (as at 30 Jun 2024): the SDQ due 31 Mar 2024, the data's last
    day, was not done by then, so it is overdue by one day (judged on 1 Apr 2024)."""
    dob = "2012-05-14"
    tables = {
        2023: {
            "Header": [header("O", dob)],
            "Episodes": [episode("O", "2022-06-01", "S")],
            "Reviews": [],
        },
        2024: {
            "Header": [header("O", dob)],
            "Episodes": [episode("O", "2022-06-01", "S")],
            "Reviews": [],
            "OC2": [oc2("O", dob, reason="SDQ1")],
        },
    }
    report, _ = run(tmp_path, tables, as_of=date(2024, 6, 30))
    sdq = find(report, "O", "sdq")
    check(sdq, "2024-03-31", "overdue", days_late=1)
    assert "Sun 31 Mar 2024" in sdq.explanation
    child = report.children[0]
    assert "as_of_after_data" in [f.code for f in child.findings]


# ------------------------------------------------------------------------------- not in source
def test_rules_not_in_the_return_are_not_evaluated(tmp_path: Path) -> None:
    """Care plans, health assessments, visits, PEPs... are not in the return: never overdue or
    missed, always not_evaluated with reason not_in_source (also the SDQ of a child with no OC2
    row)."""
    dob = "2012-05-14"
    tables = {
        2023: {
            "Header": [header("Q", dob)],
            "Episodes": [episode("Q", "2022-04-20", "S", dec="2022-11-01")],
            "Reviews": reviews("Q", dob, "2022-05-19"),
        },
        2024: {
            "Header": [header("Q", dob)],
            "Episodes": [
                episode("Q", "2022-04-20", "S", dec="2022-11-01"),
                episode("Q", "2022-11-01", "P", urn="SC2", post="CD2 2", change="CARPL"),
            ],
            "Reviews": reviews("Q", dob, "2022-08-10"),
        },
    }
    report, _ = run(tmp_path, tables)
    others = [o for o in report.obligations if o.rule not in SEEN_RULES]
    assert {"care-plan", "placement-plan", "health-initial", "visit-first", "pep-initial"} <= {
        o.rule for o in others
    }
    for o in others:
        assert (o.status, o.reason) == ("not_evaluated", "not_in_source"), o
        assert "Not evaluated" in o.explanation
        assert "does not record" in o.explanation
    check(find(report, "Q", "sdq"), "2024-03-31", "not_evaluated", reason="not_in_source")
    # The reviews are judged.
    check(find(report, "Q", "review-first"), "2022-05-19", "met_on_time", "2022-05-19")
    check(find(report, "Q", "review-second"), "2022-08-19", "met_on_time", "2022-08-10")


def test_a_reviews_table_without_rows_is_still_a_year_of_reviews(tmp_path: Path) -> None:
    """The 2023-24 return has a Reviews table, but no review was held that year: the year is
    still one the return shows reviews for, so the second review, due in it, is overdue (not
    'not in source')."""
    dob = "2012-05-14"
    tables = {
        2023: {
            "Header": [header("R", dob)],
            "Episodes": [episode("R", "2022-04-20", "S")],
            "Reviews": reviews("R", dob, "2022-05-19"),
        },
        2024: {
            "Header": [header("R", dob)],
            "Episodes": [episode("R", "2022-04-20", "S")],
            "Reviews": [],
        },
    }
    report, cases = run(tmp_path, tables)
    assert spans(cases["R"], "review") == [(D("2022-04-01"), END_2024)]
    check(find(report, "R", "review-first"), "2022-05-19", "met_on_time", "2022-05-19")
    # 3 months after 19 May 2022; 590 days overdue on 31 Mar 2024.
    check(find(report, "R", "review-second"), "2022-08-19", "overdue", days_late=590)


def test_reading_a_batch_twice_counts_each_row_once(tmp_path: Path) -> None:
    """The batch can be iterated again (the files are re-read); its accounting still counts
    each row of the files once (rows == the rows in the files)."""
    dob = "2012-05-14"
    tables = {
        2023: {
            "Header": [header("A", dob)],
            "Episodes": [episode("A", "2022-04-20", "S")],
            "Reviews": reviews("A", dob, "2022-05-19"),
        },
    }
    batch, first = read(tmp_path, tables)
    once = {k: dict(v) for k, v in batch.accounting.as_dict().items()}
    assert once["Episodes"] == {"rows": 1, "used": 1, "ignored": {}, "rejected": 0}
    second = list(batch)
    assert second == first
    assert batch.accounting.as_dict() == once
