"""The shipped holiday table: what it holds, when it is used, and its generator command."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lacplan import calendar_table
from lacplan.calendar import COVERED_FIRST, COVERED_LAST, WorkingDayCalendar, england_and_wales
from lacplan.calendar_table import (
    HolidayTable,
    compute,
    holiday_names,
    installed_holidays_version,
    parse,
    render,
    shipped,
)

SHIPPED_FILE = Path(calendar_table.__file__).parent / calendar_table.TABLE_RESOURCE
COMPUTED = compute()
CAL = england_and_wales()  # cached before any test below patches the table's sources


def _fresh_calendar() -> WorkingDayCalendar:
    """``england_and_wales()`` built anew, not the process-wide cached one."""
    cal: WorkingDayCalendar = england_and_wales.__wrapped__()
    return cal


# ------------------------------------------------------------------ what it holds
def test_shipped_table_equals_what_holidays_computes_now() -> None:
    table = shipped()
    assert (table.first, table.last) == (COVERED_FIRST, COVERED_LAST)
    assert table.names == COMPUTED.names


def test_shipped_table_is_from_the_installed_holidays_version() -> None:
    recorded = shipped().holidays_version
    assert recorded == installed_holidays_version(), (
        f"the shipped table is from holidays {recorded}; regenerate it with "
        f"python -m lacplan.calendar_table --write src/lacplan/{calendar_table.TABLE_RESOURCE}"
    )


def test_shipped_table_has_the_one_off_and_substitute_days() -> None:
    names = shipped().as_mapping()
    assert names[date(2022, 9, 19)] == "State Funeral of Queen Elizabeth II"
    for day in (date(2020, 5, 8), date(2022, 6, 2), date(2022, 6, 3), date(2023, 5, 8)):
        assert day in names
    assert "Boxing Day" in names[date(2020, 12, 28)]  # substitute for Sat 26 Dec 2020
    assert date(2019, 12, 24) not in names  # Christmas Eve is a working day


def test_render_and_parse_round_trip() -> None:
    assert parse(render(COMPUTED)) == COMPUTED
    assert render(shipped()) == SHIPPED_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("first\t1990-01-01\nlast\t2060-12-31\n", "header lines are missing"),
        ("holidays\t1\nfirst\t1990-01-01\nfirst\t1990-01-01\n", "line 3 is not a header"),
        ("holidays\t1\nfirst\t1990-01-01\nlast\t2060-12-32\n", "last header line is not a date"),
        ("holidays\t1\nfirst\t1990-01-01\nlast\t2060-12-31\n1990-13-01\tX\n", "line 4 is not"),
        ("holidays\t1\nfirst\t1990-01-01\nlast\t2060-12-31\n1990-01-01\n", "line 4 is not"),
        (
            "holidays\t1\nfirst\t1990-01-01\nlast\t2060-12-31\n1990-01-02\tA\n1990-01-01\tB\n",
            "strictly increasing",
        ),
    ],
)
def test_parse_names_the_malformed_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(text)


# ---------------------------------------------------------------- when it is used
def test_the_shipped_table_is_used_when_the_versions_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorded = shipped().holidays_version
    monkeypatch.setattr(calendar_table, "installed_holidays_version", lambda: recorded)

    def no_holidays() -> HolidayTable:
        raise AssertionError("holidays was asked although the shipped table matches")

    monkeypatch.setattr(calendar_table, "compute", no_holidays)
    names, version = holiday_names()
    assert version == recorded
    assert names == dict(COMPUTED.names)


def test_holidays_is_asked_when_the_versions_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendar_table, "installed_holidays_version", lambda: "99.0")
    calls: list[int] = []
    fake = HolidayTable("99.0", COVERED_FIRST, COVERED_LAST, ((date(2030, 6, 5), "Made Up Day"),))

    def computed() -> HolidayTable:
        calls.append(1)
        return fake

    monkeypatch.setattr(calendar_table, "compute", computed)
    cal = _fresh_calendar()
    assert calls == [1]
    assert cal.source.provider_version == "99.0"
    assert cal.holiday_name(date(2030, 6, 5)) == "Made Up Day"
    assert cal.is_working_day(date(2030, 12, 25))


def test_without_holidays_installed_the_shipped_table_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The in-browser bundle ships no ``holidays``: its metadata is absent, the table is used
    and the version reported is the one the table was generated from."""
    from importlib.metadata import PackageNotFoundError

    def absent(name: str) -> object:
        raise PackageNotFoundError(name)

    monkeypatch.setattr(calendar_table, "distribution", absent)
    assert calendar_table.installed_holidays_version() == calendar_table.NOT_INSTALLED

    def no_holidays() -> HolidayTable:
        raise AssertionError("holidays was asked although it is not installed")

    monkeypatch.setattr(calendar_table, "compute", no_holidays)
    cal = _fresh_calendar()
    assert cal.source.provider_version == shipped().holidays_version
    # Easter Monday 2026 (6 April) and the Spring bank holiday (25 May) come from the table.
    assert not cal.is_working_day(date(2026, 4, 6))
    assert not cal.is_working_day(date(2026, 5, 25))
    assert cal.holiday_name(date(2026, 12, 25)) == "Christmas Day"


def test_both_sources_build_the_same_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    from_table = _fresh_calendar()
    monkeypatch.setattr(calendar_table, "installed_holidays_version", lambda: "other")
    monkeypatch.setattr(calendar_table, "compute", lambda: COMPUTED)
    from_holidays = _fresh_calendar()
    for attr in (
        "_working",
        "_up",
        "_down",
        "_dates",
        "_names",
        "_skip_ords",
        "_skips",
        "_statutory",
    ):
        assert getattr(from_table, attr) == getattr(from_holidays, attr), attr
    assert from_holidays.source.provider_version == "other"
    assert from_table.source == CAL.source


# ----------------------------------------------------------------- the generator
def test_check_passes_on_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    if shipped().holidays_version != installed_holidays_version():
        pytest.skip("another holidays version is installed (the test above says so)")
    assert calendar_table.main(["--check", str(SHIPPED_FILE)]) == 0
    assert capsys.readouterr().err == ""


def test_write_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "table.tsv"
    assert calendar_table.main(["--write", str(out)]) == 0
    assert parse(out.read_text(encoding="utf-8")) == COMPUTED
    assert calendar_table.main(["--check", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("Good Friday", "Bad Friday"))
    assert calendar_table.main(["--check", str(out)]) == 1
    assert "is stale" in capsys.readouterr().err
