"""The yearly SDQ (DfE SSDA903 guidance): for each year ending 31 March on which the child is
aged 4 to 16 and has been looked after throughout the 12 months ending that day, an ``sdq``
event dated in those 12 months, due on the 31 March. Calendar dates only (no working days)."""

from __future__ import annotations

from .conftest import case, ev, expect, obs, period, run

DOB = "2017-03-01"  # 8 on 31 Mar 2025


def test_a_year_met_and_the_next_overdue() -> None:
    # In care from Mon 1 Apr 2024, i.e. from 1 April of the year before 31 Mar 2025 (the DfE's
    # "12 months at 31 March" counts both days): year ending Mon 31 Mar 2025, met Tue 14 Jan
    # 2025; year ending Tue 31 Mar 2026 unmet as at Fri 1 May 2026: 31 days overdue; the year
    # ending Wed 31 Mar 2027 has begun: pending.
    r = run(case(DOB, [period("2024-04-01")], [ev("sdq", "2025-01-14")]), "2026-05-01")
    years = obs(r, "sdq")
    assert len(years) == 3
    expect(years[2], status="pending", due="2027-03-31", anchor="2026-04-01")
    expect(
        years[0], status="met_on_time", due="2025-03-31", met_on="2025-01-14", anchor="2024-04-01"
    )
    expect(years[1], status="overdue", due="2026-03-31", days_late=31, anchor="2025-04-01")
    assert years[0].key == "C1:1:-:sdq:2024-04-01"


def test_twelve_months_means_from_1_april_of_the_year_before() -> None:
    # From Tue 2 Apr 2024 the child has not been looked after for the whole year ending 31 Mar
    # 2025: the first SDQ year ends 31 Mar 2026 (pending as at 1 May 2025).
    r = run(case(DOB, [period("2024-04-02")]), "2025-05-01")
    (year,) = obs(r, "sdq")
    expect(year, status="pending", due="2026-03-31", anchor="2025-04-01")


def test_an_sdq_before_the_year_does_not_count() -> None:
    # Sun 31 Mar 2024 belongs to the year ending that day, before this period's first SDQ year.
    r = run(case(DOB, [period("2023-01-09")], [ev("sdq", "2024-03-31")]), "2025-04-01")
    years = obs(r, "sdq")
    # Year ending 31 Mar 2024 (in care since Mon 9 Jan 2023): met on its last day. Year ending
    # 31 Mar 2025: the 31 Mar 2024 SDQ is outside it, so unmet: 1 day overdue on Tue 1 Apr 2025.
    expect(years[0], status="met_on_time", due="2024-03-31", met_on="2024-03-31")
    expect(years[1], status="overdue", due="2025-03-31", days_late=1)


def test_ages_4_to_16_on_31_march() -> None:
    # Born Thu 1 Apr 2021: 3 on 31 Mar 2025 (no SDQ), 4 on 31 Mar 2026 (as at that day).
    r = run(case("2021-04-01", [period("2024-01-08")]), "2026-03-31")
    assert [o.due and o.due.isoformat() for o in obs(r, "sdq")] == ["2026-03-31"]
    # Born Sat 1 Mar 2008: 16 on 31 Mar 2024 (an SDQ year), 17 on 31 Mar 2025 (none).
    r = run(case("2008-03-01", [period("2023-01-09")]), "2025-05-01")
    assert [o.due and o.due.isoformat() for o in obs(r, "sdq")] == ["2024-03-31"]


def test_no_sdq_when_care_ends_before_31_march_or_for_short_breaks() -> None:
    # Care ends Sat 15 Mar 2025: not looked after on 31 Mar 2025, so no SDQ for that year.
    r = run(case(DOB, [period("2024-01-08", end="2025-03-15")]), "2025-05-01")
    assert [o.due and o.due.isoformat() for o in obs(r, "sdq")] == []
    sb = period("2023-01-09")
    sb["regime"] = "short_breaks"
    assert obs(run(case(DOB, [sb]), "2025-05-01"), "sdq") == []
