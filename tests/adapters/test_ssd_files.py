"""The SSD adapter on real-looking files: the fake sample extract (``docs/examples/ssd``:
BOM and CRLF, literal ``NULL``, four date styles, descriptions for codes, ids with leading
zeros), Parquet, ``--input-format auto``, the CLI, and the cell values one at a time."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lacplan import evaluate
from lacplan.adapters import detect_format, read_inputs
from lacplan.adapters.ssd import read_ssd
from lacplan.adapters.ssd.values import flag, parse_date, us_style
from lacplan.cli import main
from lacplan.model import Case

SAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "ssd"
EXTRACT = date(2025, 6, 30)  # the samples' pretend extract date

#: Data rows per file (the sample generator's README).
ROWS = {
    "ssd_person": 40, "ssd_cla_episodes": 113, "ssd_cla_placement": 96, "ssd_legal_status": 75,
    "ssd_cla_reviews": 222, "ssd_cla_visits": 782, "ssd_cla_health": 219,
    "ssd_cla_immunisations": 40, "ssd_sdq_scores": 50, "ssd_cla_care_plan": 89,
    "ssd_cla_previous_permanence": 33, "ssd_permanence": 3, "ssd_care_leavers": 9,
    "ssd_missing": 26, "ssd_cla_convictions": 3, "ssd_cla_substance_misuse": 3,
    "ssd_immigration_status": 3, "ssd_involvements": 68, "ssd_professionals": 10,
    "ssd_department": 5,
}  # fmt: skip


@pytest.fixture(scope="module")
def sample_report() -> object:
    return evaluate(read_ssd([str(SAMPLES)], extract_date=EXTRACT), as_of=EXTRACT)


def test_every_sample_row_is_accounted_for(sample_report: object) -> None:
    acc = sample_report.accounting  # type: ignore[attr-defined]
    assert {k: v["rows"] for k, v in acc.items()} == ROWS
    for table, c in acc.items():
        assert c["used"] + sum(c["ignored"].values()) + c["rejected"] == c["rows"], table
    assert sample_report.errors == ()  # type: ignore[attr-defined]
    assert len(sample_report.children) == 40  # type: ignore[attr-defined]
    assert acc["ssd_cla_visits"]["ignored"] == {"child_not_seen": 42}
    assert acc["ssd_cla_reviews"]["ignored"] == {"cancelled": 11, "not_held": 13}


def test_ids_keep_their_zeros_and_no_name_is_read(sample_report: object) -> None:
    ids = {c.child_id for c in sample_report.children}  # type: ignore[attr-defined]
    assert "00281417" in ids and "281417" not in ids
    with open(SAMPLES / "ssd_person.csv", encoding="utf-8") as fh:
        people = list(csv.DictReader(fh))
    text = sample_report.to_json()  # type: ignore[attr-defined]
    for person in people:
        for col in ("pers_forename", "pers_surname", "pers_upn"):
            if person[col]:
                assert json.dumps(person[col]) not in text, col


def test_the_estimated_date_of_birth_child(sample_report: object) -> None:
    flagged = [
        c.child_id
        for c in sample_report.children  # type: ignore[attr-defined]
        if any(f.code == "estimated_dob" for f in c.findings)
    ]
    assert len(flagged) == 1


def test_parquet_reads_the_same(tmp_path: Path, sample_report: object) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    for f in SAMPLES.glob("*.csv"):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        cols = list(zip(*rows[1:], strict=True)) if rows[1:] else [()] * len(rows[0])
        table = pa.table({name: list(values) for name, values in zip(rows[0], cols, strict=True)})
        pq.write_table(table, tmp_path / f"{f.stem}.parquet")
    report = evaluate(read_ssd([str(tmp_path)], extract_date=EXTRACT), as_of=EXTRACT)
    assert report.obligations == sample_report.obligations  # type: ignore[attr-defined]
    assert report.accounting["ssd_cla_visits"]["rows"] == 782


def test_auto_recognises_ssd_tables(tmp_path: Path) -> None:
    assert detect_format(str(SAMPLES / "ssd_cla_reviews.csv")) == "ssd"  # BOM, CRLF
    assert detect_format(str(SAMPLES / "ssd_person.csv")) == "ssd"
    auto = read_inputs([str(SAMPLES)], input_format="auto", extract_date=EXTRACT)
    ssd = read_inputs([str(SAMPLES)], input_format="ssd", extract_date=EXTRACT)
    assert [c for c in auto if isinstance(c, Case)] == [c for c in ssd if isinstance(c, Case)]


def test_cli_evaluates_an_extract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.csv"
    args = [str(SAMPLES), "--input-format", "ssd", "--as-of", "2025-06-30"]
    status = main(["evaluate", *args, "--extract-date", "2025-06-30", "--format", "csv",
                   "-o", str(out), "--report-accounting"])  # fmt: skip
    assert status == 0
    err = capsys.readouterr().err
    assert "ssd_cla_visits" in err and "child_not_seen 42" in err
    with open(out, encoding="utf-8") as fh:
        assert sum(1 for _ in fh) > 1000


def test_the_default_json_format_points_at_ssd(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", str(SAMPLES / "ssd_person.csv"), "--as-of", "2025-06-30"])
    assert exc.value.code == 2
    assert "ssd for Standard Safeguarding Dataset tables" in capsys.readouterr().err


def test_window_and_extract_date(tmp_path: Path) -> None:
    """The extract's last day defaults to the latest date recorded (a finding says so); the
    window starts the day after the same date ``window_years`` earlier."""
    batch = read_ssd([str(SAMPLES)])
    cases = [c for c in batch if isinstance(c, Case)]
    assert "extract_date_assumed" in {f.code for f in batch.findings}
    cov = cases[0].coverage
    assert cov is not None and cov.until == EXTRACT
    assert {(s.from_, s.to) for s in cov.observed} == {(date(2019, 7, 1), EXTRACT)}
    shutil.copytree(SAMPLES, tmp_path / "x")
    whole = [c for c in read_ssd([str(tmp_path / "x")], window_years=None) if isinstance(c, Case)]
    assert whole[0].coverage is not None
    assert whole[0].coverage.observed[0].from_ == whole[0].periods[0].start


# ---------------------------------------------------------------------------- cells
@given(st.dates(date(1900, 1, 2), date(2099, 12, 31)), st.times())
def test_dates_in_every_style_sql_tools_write(d: date, t: time) -> None:
    stamp = datetime.combine(d, t)
    for text in (
        d.isoformat(),
        stamp.isoformat(),
        stamp.isoformat(sep=" ", timespec="milliseconds"),  # SQL Server
        stamp.isoformat(sep=" ", timespec="seconds"),  # PostgreSQL
        d.strftime("%d/%m/%Y"),
        f"{d.day}/{d.month}/{d.year}",
    ):
        assert parse_date(text) == d, text
    assert parse_date(stamp) == d and parse_date(d) == d


@pytest.mark.parametrize("text", ["", " ", "NULL", "null", "NaN", "1900-01-01 00:00:00.000",
                                  "9999-12-31", "99991231"])  # fmt: skip
def test_missing_and_sentinel_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["2024-02-30", "2024-01-01 25:00", "31/02/2024", "1899-12-31",
                                  "2100-01-01", "12 Jan 2024", "2024/01/12", "44927"])  # fmt: skip
def test_what_is_not_a_date(text: str) -> None:
    assert parse_date(text) is False


def test_us_style_columns_are_detected() -> None:
    assert us_style(["01/02/2024", "12/13/2024"]) == 1  # month 12, day 13: month first
    assert us_style(["13/12/2024", "01/02/2024", ""]) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("Y", True), (" yes ", True), ("1", True), ("N", False), ("No", False), ("0", False),
     ("", None), ("NULL", None), ("NA", None), ("maybe", "unknown")],
)  # fmt: skip
def test_flags(text: str, value: object) -> None:
    assert flag(text) == value
