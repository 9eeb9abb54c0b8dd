"""Hand-built SSD extracts with known outcomes: the mapping of every table the adapter reads.

Two children, dates worked by hand (no bank holiday falls in any working-day span below: Good
Friday 2023 is 7 April, after the 20 working days from 1 March 2023; in early 2022 the last
was New Year's Day, Mon 3 Jan 2022 in lieu, before the span from 10 January):

* ``0042`` (an id with leading zeros): one period of care ``C1`` from Wed 1 Mar 2023 of two
  episodes (a move on Thu 1 Jun 2023 from foster placement P1 to long-term foster placement
  P2), a care order written as System C's description, a cancelled review, a review still to
  be held, visits seen alone, not seen alone and not seen, a completed, a refused and a planned
  health check, and a dental check;
* ``77``: two periods of care (``A1`` ended on Mon 1 Aug 2022, ``B1`` from Wed 1 Feb 2023,
  placed with parents under a care order) and no review at all.
"""

from __future__ import annotations

import copy
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import evaluate
from lacplan.adapters.ssd import read_ssd
from lacplan.errors import UsageError
from lacplan.model import Case, RecordError
from tests.adapters.ssd_writer import write_tables

D = date
CHILD = "0042"
TABLES: dict[str, list[dict[str, Any]]] = {
    "ssd_person": [
        {
            "pers_person_id": CHILD,
            "pers_dob": D(2012, 5, 10),
            "pers_forename": "Canaryname",
            "pers_surname": "Canarysurname",
        },
        {"pers_person_id": "77", "pers_dob": D(2009, 2, 3)},
    ],
    "ssd_cla_episodes": [
        {
            "clae_cla_episode_id": "E1",
            "clae_person_id": CHILD,
            "clae_cla_placement_id": "P1",
            "clae_cla_episode_start_date": D(2023, 3, 1),
            "clae_cla_episode_start_reason": "S",
            "clae_cla_episode_ceased_date": D(2023, 6, 1),
            "clae_cla_episode_ceased_reason": "X1",
            "clae_cla_id": "C1",
            "clae_entered_care_date": D(2023, 3, 1),
        },
        {
            "clae_cla_episode_id": "E2",
            "clae_person_id": CHILD,
            "clae_cla_placement_id": "P2",
            "clae_cla_episode_start_date": D(2023, 6, 1),
            "clae_cla_episode_start_reason": "P",
            "clae_cla_id": "C1",
            "clae_entered_care_date": D(2023, 3, 1),
        },
        {
            "clae_cla_episode_id": "E3",
            "clae_person_id": "77",
            "clae_cla_placement_id": "P3",
            "clae_cla_episode_start_date": D(2022, 1, 10),
            "clae_cla_episode_start_reason": "S",
            "clae_cla_episode_ceased_date": D(2022, 8, 1),
            "clae_cla_episode_ceased_reason": "E11",
            "clae_cla_id": "A1",
            "clae_entered_care_date": D(2022, 1, 10),
        },
        {
            "clae_cla_episode_id": "E4",
            "clae_person_id": "77",
            "clae_cla_placement_id": "P4",
            "clae_cla_episode_start_date": D(2023, 2, 1),
            "clae_cla_episode_start_reason": "S",
            "clae_cla_id": "B1",
            "clae_entered_care_date": D(2023, 2, 1),
        },
    ],
    "ssd_cla_placement": [
        {
            "clap_cla_placement_id": "P1",
            "clap_cla_id": "C1",
            "clap_person_id": CHILD,
            "clap_cla_placement_start_date": D(2023, 3, 1),
            "clap_cla_placement_type": "U6",
            "clap_cla_placement_end_date": D(2023, 6, 1),
            "clap_cla_placement_change_reason": "CARPL",
        },
        {
            "clap_cla_placement_id": "P2",
            "clap_cla_id": "C1",
            "clap_person_id": CHILD,
            "clap_cla_placement_start_date": D(2023, 6, 1),
            "clap_cla_placement_type": "U4",
        },
        {
            "clap_cla_placement_id": "P3",
            "clap_cla_id": "A1",
            "clap_person_id": "77",
            "clap_cla_placement_start_date": D(2022, 1, 10),
            "clap_cla_placement_type": "K2",
            "clap_cla_placement_end_date": D(2022, 8, 1),
        },
        {
            "clap_cla_placement_id": "P4",
            "clap_cla_id": "B1",
            "clap_person_id": "77",
            "clap_cla_placement_start_date": D(2023, 2, 1),
            "clap_cla_placement_type": "P1",
        },
    ],
    "ssd_legal_status": [
        {
            "lega_legal_status_id": "L1",
            "lega_person_id": CHILD,
            "lega_legal_status": "Care Order Sec. 31(a)",
            "lega_legal_status_start_date": D(2023, 3, 1),
        },
        {
            "lega_legal_status_id": "L2",
            "lega_person_id": "77",
            "lega_legal_status": "V2",
            "lega_legal_status_start_date": D(2022, 1, 10),
            "lega_legal_status_end_date": D(2022, 8, 1),
        },
        {
            "lega_legal_status_id": "L3",
            "lega_person_id": "77",
            "lega_legal_status": "C2",
            "lega_legal_status_start_date": D(2023, 2, 1),
        },
    ],
    "ssd_cla_reviews": [
        {
            "clar_cla_review_id": "R1",
            "clar_cla_id": "C1",
            "clar_cla_person_id": CHILD,
            "clar_cla_review_due_date": D(2023, 3, 29),
            "clar_cla_review_date": "2023-03-27 10:30:00.000",
            "clar_cla_review_cancelled": "N",
        },
        {
            "clar_cla_review_id": "R2",
            "clar_cla_id": "C1",
            "clar_cla_person_id": CHILD,
            "clar_cla_review_due_date": D(2023, 6, 26),
            "clar_cla_review_cancelled": "Y",
        },
        {
            "clar_cla_review_id": "R3",
            "clar_cla_id": "C1",
            "clar_cla_person_id": CHILD,
            "clar_cla_review_due_date": D(2023, 6, 27),
            "clar_cla_review_date": "20/06/2023",
            "clar_cla_review_cancelled": "",
        },
        {
            "clar_cla_review_id": "R4",
            "clar_cla_id": "C1",
            "clar_cla_person_id": CHILD,
            "clar_cla_review_due_date": D(2023, 12, 20),
            "clar_cla_review_cancelled": "N",
        },
    ],
    "ssd_cla_visits": [
        {
            "clav_cla_visit_id": "V1",
            "clav_cla_id": "C1",
            "clav_person_id": CHILD,
            "clav_cla_visit_date": "2023-03-06 10:30:00.000",
            "clav_cla_visit_seen": "Y",
            "clav_cla_visit_seen_alone": "Y",
        },
        {
            "clav_cla_visit_id": "V2",
            "clav_cla_id": "",
            "clav_person_id": CHILD,
            "clav_cla_visit_date": "2023-04-10 16:05:00",
            "clav_cla_visit_seen": "Yes",
            "clav_cla_visit_seen_alone": "No",
        },
        {
            "clav_cla_visit_id": "V3",
            "clav_cla_id": "C1",
            "clav_person_id": CHILD,
            "clav_cla_visit_date": "2023-05-01T09:00:00",
            "clav_cla_visit_seen": "N",
            "clav_cla_visit_seen_alone": "N",
        },
    ],
    "ssd_cla_health": [
        {
            "clah_health_check_id": "H1",
            "clah_person_id": CHILD,
            "clah_health_check_type": "Initial Health Assessment",
            "clah_health_check_date": "20/03/2023",
            "clah_health_check_status": "Completed",
        },
        {
            "clah_health_check_id": "H2",
            "clah_person_id": CHILD,
            "clah_health_check_type": "Health Assessment",
            "clah_health_check_date": "01/09/2023",
            "clah_health_check_status": "Refused",
        },
        {
            "clah_health_check_id": "H3",
            "clah_person_id": CHILD,
            "clah_health_check_type": "Dental check ",
            "clah_health_check_date": "2023-04-01",
            "clah_health_check_status": "Completed",
        },
        {
            "clah_health_check_id": "H4",
            "clah_person_id": CHILD,
            "clah_health_check_type": "Health Assessment",
            "clah_health_check_date": "15/01/2024",
            "clah_health_check_status": "Planned",
        },
    ],
}

AS_OF = D(2023, 12, 31)


def _read(tmp_path: Path, tables: dict[str, list[dict[str, Any]]] | None = None) -> Any:
    folder = write_tables(tmp_path / "extract", TABLES if tables is None else tables)
    batch = read_ssd([str(folder)], extract_date=AS_OF)
    return batch, evaluate(batch, as_of=AS_OF)


def _clocks(report: Any, child: str) -> list[tuple[Any, ...]]:
    return [
        (o.period_id, o.rule, o.placement_id, o.sequence, o.due, o.met_on, o.status, o.reason)
        for o in report.child(child).obligations
        if o.reason != "not_in_source"
    ]


def test_periods_placements_and_legal_status(tmp_path: Path) -> None:
    batch, _ = _read(tmp_path)
    cases = {c.child_id: c for c in batch if isinstance(c, Case)}
    assert sorted(cases) == ["0042", "77"]  # ids are text: the leading zeros are kept
    (c1,) = cases["0042"].periods
    assert (c1.period_id, c1.start, c1.end, c1.regime) == ("C1", D(2023, 3, 1), None, "standard")
    p1, p2 = c1.placements
    assert (p1.placement_id, p1.kind, p1.start, p1.end, p1.end_reason) == (
        "P1", "foster", D(2023, 3, 1), D(2023, 6, 1), "planned",  # U6, change reason CARPL
    )  # fmt: skip
    assert (p2.placement_id, p2.kind, p2.long_term_foster, p2.end) == ("P2", "foster", True, None)
    # "Care Order Sec. 31(a)" is System C's description of C2
    assert [(s.from_, s.status) for s in c1.legal_status] == [(D(2023, 3, 1), "care_order")]
    a1, b1 = cases["77"].periods
    assert (a1.period_id, a1.start, a1.end) == ("A1", D(2022, 1, 10), D(2022, 8, 1))
    assert [(p.placement_id, p.kind, p.end) for p in a1.placements] == [
        ("P3", "residential", None)  # K2, ending with the period
    ]
    assert (b1.period_id, b1.start, b1.end) == ("B1", D(2023, 2, 1), None)
    assert [(p.placement_id, p.kind) for p in b1.placements] == [("P4", "placed_with_parents")]
    assert cases["0042"].coverage is not None
    assert cases["0042"].coverage.until == AS_OF


def test_reviews_visits_and_health_of_one_child(tmp_path: Path) -> None:
    _, report = _read(tmp_path)
    assert report.errors == ()
    assert _clocks(report, "0042") == [
        # 20 working days after Wed 1 Mar 2023 (no bank holiday in March 2023): Wed 29 Mar;
        # held Mon 27 Mar 2023 10:30 (the time is dropped)
        ("C1", "review-first", None, 1, D(2023, 3, 29), D(2023, 3, 27), "met_on_time", None),
        # 3 months after 27 Mar: Tue 27 Jun; held 20/06/2023 (R2, cancelled, does not count)
        ("C1", "review-second", None, 1, D(2023, 6, 27), D(2023, 6, 20), "met_on_time", None),
        # 6 months after 20 Jun: Wed 20 Dec 2023; R4 is only scheduled, so overdue at 31 Dec
        ("C1", "review-subsequent", None, 1, D(2023, 12, 20), None, "overdue", None),
        # the move on 1 Jun 2023 (change reason CARPL: planned) followed the 27 Mar review
        ("C1", "review-before-move", "P1", 1, D(2023, 6, 1), D(2023, 3, 27), "met_on_time", None),
        # before the first review (held 27 Mar); the assessment was on 20/03/2023
        ("C1", "health-initial", None, 1, D(2023, 3, 27), D(2023, 3, 20), "met_on_time", None),
        # 12 months after 20 Mar 2023 (aged 10); the refusal on 1 Sep 2023 ends the duty
        ("C1", "health-review", None, 1, D(2024, 3, 20), None, "not_required", "consent_refused"),
        # 12 months after the refusal: after the extract's last day
        ("C1", "health-review", None, 2, D(2024, 9, 1), None, "not_evaluated", "after_data"),
        # a week after Wed 1 Mar: Wed 8 Mar; visited Mon 6 Mar
        ("C1", "visit-first", "P1", 1, D(2023, 3, 8), D(2023, 3, 6), "met_on_time", None),
        # a week after Thu 1 Jun: Thu 8 Jun; the 1 May visit (child not seen) is not a visit
        ("C1", "visit-first", "P2", 1, D(2023, 6, 8), None, "overdue", None),
        ("C1", "visit-seen-alone", "P1", 1, D(2023, 3, 6), D(2023, 3, 6), "met_on_time", None),
        # seen "Yes", seen alone "No" (the other vocabulary)
        ("C1", "visit-seen-alone", "P1", 2, D(2023, 4, 10), None, "missed", "not_seen_alone"),
    ]


def test_a_child_with_two_periods_and_no_reviews(tmp_path: Path) -> None:
    _, report = _read(tmp_path)
    assert _clocks(report, "77") == [
        # 20 working days after Mon 10 Jan 2022: Mon 7 Feb 2022; the period ended unreviewed
        ("A1", "review-first", None, 1, D(2022, 2, 7), None, "missed", None),
        ("A1", "health-initial", None, 1, D(2022, 2, 7), None, "missed", None),
        ("A1", "visit-first", "P3", 1, D(2022, 1, 17), None, "missed", None),
        # 20 working days after Wed 1 Feb 2023: Wed 1 Mar 2023
        ("B1", "review-first", None, 1, D(2023, 3, 1), None, "overdue", None),
        ("B1", "health-initial", None, 1, D(2023, 3, 1), None, "overdue", None),
        ("B1", "visit-first", "P4", 1, D(2023, 2, 8), None, "overdue", None),
        # placed with parents under a care order: a visit within a week (reg 28(5)(a))
        ("B1", "visit-care-order", "P4", 1, D(2023, 2, 8), None, "overdue", None),
    ]


def test_duties_the_ssd_cannot_show_are_not_evaluated(tmp_path: Path) -> None:
    _, report = _read(tmp_path)
    blind = {o.rule for o in report.obligations if o.reason == "not_in_source"}
    assert {"placement-plan", "pep-initial", "permanence-plan"} <= blind
    assert not blind & {"review-first", "health-initial", "visit-first", "visit-seen-alone"}
    # a table not given: its events are not in the source
    tables = {k: v for k, v in TABLES.items() if k != "ssd_cla_visits"}
    _, report = _read(tmp_path / "novisits", tables)
    first = [o for o in report.obligations if o.rule == "visit-first"]
    assert first and {(o.status, o.reason) for o in first} == {("not_evaluated", "not_in_source")}


def test_every_row_is_accounted_for(tmp_path: Path) -> None:
    _, report = _read(tmp_path)
    assert report.accounting == {
        "ssd_person": {"rows": 2, "used": 2, "ignored": {}, "rejected": 0},
        "ssd_cla_episodes": {"rows": 4, "used": 4, "ignored": {}, "rejected": 0},
        "ssd_cla_placement": {"rows": 4, "used": 4, "ignored": {}, "rejected": 0},
        "ssd_legal_status": {"rows": 3, "used": 3, "ignored": {}, "rejected": 0},
        "ssd_cla_reviews": {
            "rows": 4, "used": 2, "ignored": {"cancelled": 1, "not_held": 1}, "rejected": 0,
        },
        "ssd_cla_visits": {"rows": 3, "used": 2, "ignored": {"child_not_seen": 1}, "rejected": 0},
        "ssd_cla_health": {"rows": 4, "used": 3, "ignored": {"planned": 1}, "rejected": 0},
    }  # fmt: skip


def test_stored_review_due_dates(tmp_path: Path) -> None:
    batch, _ = _read(tmp_path)
    got = [(s.child_id, s.period_id, s.rule, s.sequence, s.due) for s in batch.stored_due_dates]
    assert got == [  # the cancelled R2 is not counted; R4, still to be held, is the third
        ("0042", "C1", "review-first", 1, D(2023, 3, 29)),
        ("0042", "C1", "review-second", 1, D(2023, 6, 27)),
        ("0042", "C1", "review-subsequent", 1, D(2023, 12, 20)),
    ]
    assert all("ssd_cla_reviews" in s.where and "clar_cla_review_due_date" in s.where
               for s in batch.stored_due_dates)  # fmt: skip


def test_names_are_never_read(tmp_path: Path) -> None:
    _, report = _read(tmp_path)
    text = report.to_json()
    assert "Canaryname" not in text and "Canarysurname" not in text


# ---------------------------------------------------------------------------- bad rows
def _with(table: str, i: int, **cells: Any) -> dict[str, list[dict[str, Any]]]:
    tables = copy.deepcopy(TABLES)
    tables[table][i].update(cells)
    return tables


def test_a_bad_date_rejects_the_child_naming_file_line_and_column(tmp_path: Path) -> None:
    secret = "31/31/2023 secret"
    _, report = _read(tmp_path, _with("ssd_cla_visits", 1, clav_cla_visit_date=secret))
    (err,) = report.errors
    assert (err.child_id, err.line) == ("0042", 3)
    assert err.file.endswith("ssd_cla_visits.csv")
    (p,) = err.problems
    assert (p.field, p.code) == ("ssd_cla_visits.clav_cla_visit_date", "invalid_date")
    assert "secret" not in p.message and "31/31" not in p.message
    assert [c.child_id for c in report.children] == ["77"]
    visits = report.accounting["ssd_cla_visits"]
    assert visits == {"rows": 3, "used": 0, "ignored": {"child_rejected": 2}, "rejected": 1}


def test_conflicting_dates_of_birth(tmp_path: Path) -> None:
    tables = copy.deepcopy(TABLES)
    tables["ssd_person"].append({"pers_person_id": "77", "pers_dob": D(2009, 2, 4)})
    _, report = _read(tmp_path, tables)
    (err,) = report.errors
    assert err.child_id == "77" and err.problems[0].code == "conflicting_person"


def test_a_row_without_a_person_belongs_to_no_child(tmp_path: Path) -> None:
    _, report = _read(tmp_path, _with("ssd_cla_health", 0, clah_person_id=""))
    (err,) = report.errors
    assert err.child_id is None and err.problems[0].code == "missing_value"
    assert err.problems[0].field == "ssd_cla_health.clah_person_id"


def test_an_estimated_date_of_birth_is_used_and_said(tmp_path: Path) -> None:
    tables = _with("ssd_person", 1, pers_dob=None, pers_expected_dob=D(2009, 2, 3))
    _, report = _read(tmp_path, tables)
    assert report.errors == ()
    assert "estimated_dob" in {f.code for f in report.child("77").findings}


def test_us_style_dates_are_refused_not_guessed(tmp_path: Path) -> None:
    tables = _with("ssd_cla_health", 3, clah_health_check_date="01/15/2024")
    with pytest.raises(UsageError, match="mm/dd/yyyy"):
        _read(tmp_path, tables)


@pytest.mark.parametrize(
    ("drop", "message"),
    [("ssd_person", "no ssd_person table"), ("ssd_cla_episodes", "no ssd_cla_episodes table")],
)
def test_the_tables_lacplan_needs(tmp_path: Path, drop: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _read(tmp_path, {k: v for k, v in TABLES.items() if k != drop})


def test_files_that_are_not_ssd_tables(tmp_path: Path) -> None:
    folder = write_tables(tmp_path / "x", TABLES)
    (folder / "other.csv").write_text("name,colour\nsecret,blue\n")
    with pytest.raises(UsageError, match="match no Standard Safeguarding Dataset table"):
        list(read_ssd([str(folder)]))
    (folder / "other.csv").write_text("clav_cla_visit_id,clav_person_id\n1,2\n")
    with pytest.raises(UsageError, match="without the column"):
        list(read_ssd([str(folder)]))
    (folder / "other.csv").write_text("pers_person_id,pers_dob,pers_dob\n")
    with pytest.raises(UsageError, match="appears twice"):
        list(read_ssd([str(folder)]))


# ---------------------------------------------------------------------------- any cell
_CELLS = [(t, i, col) for t, rows in TABLES.items() for i, r in enumerate(rows) for col in r]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(
        st.tuples(
            st.sampled_from(_CELLS),
            st.text(max_size=30)
            | st.sampled_from(
                ["", "NULL", "1900-01-01", "9999-12-31", "2024-13-01", "01/13/2024", "Y", 'x,"y"']
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_cell_gives_cases_or_errors_and_every_row_is_counted(
    cells: list[tuple[tuple[str, int, str], str]],
) -> None:
    """Whatever a cell holds, reading gives cases and record errors (or, for a whole file, a
    usage error naming it), never a crash, and every row is counted once."""
    tables = copy.deepcopy(TABLES)
    for (table, i, col), text in cells:
        tables[table][i][col] = text.replace("\x00", "").replace("\r", "")
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp), tables)
        batch = read_ssd([str(folder)], extract_date=AS_OF)
        try:
            items = list(batch)
        except UsageError as exc:
            assert "Traceback" not in str(exc)
            return
    assert all(isinstance(x, Case | RecordError) for x in items)
    for name, c in batch.accounting.as_dict().items():
        assert c["rows"] == len(tables[name]), name
