"""Named derived facts (rules/facts.py), with hand-computed dates."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lacplan import Case
from lacplan.calendar import birthday
from lacplan.rules.facts import (
    birthday_16,
    birthday_18,
    leaving_care_eligibility,
    looked_after_since,
)
from lacplan.testing.strategies import cases

AS_OF = date(2026, 1, 1)


def _case(dob: str, *spans: tuple[str, str | None], regime: str = "standard") -> Case:
    periods: list[dict[str, Any]] = []
    for i, (start, end) in enumerate(spans):
        periods.append(
            {
                "start": start,
                "end": end,
                "regime": regime,
                "placements": [{"placement_id": f"P{i}", "start": start}],
            }
        )
    return Case.model_validate({"child_id": "F1", "date_of_birth": dob, "periods": periods})


def test_birthdays_including_29_february() -> None:
    case = _case("2008-02-29", ("2020-01-01", None))
    # 2024 is a leap year: the 16th birthday is 29 Feb; 2026 is not: the 18th falls on 1 Mar.
    assert birthday_16(case, AS_OF) == date(2024, 2, 29)
    assert birthday_18(case, AS_OF) == date(2026, 3, 1)


def test_eligible_on_16th_birthday_after_13_weeks_since_14() -> None:
    # Born 1 Mar 2008: 14 on 1 Mar 2022, 16 on 1 Mar 2024. Looked after from 1 Jun 2022: 13
    # weeks (91 days) were reached on 30 Aug 2022, so eligibility starts on the 16th birthday.
    case = _case("2008-03-01", ("2022-06-01", None))
    assert leaving_care_eligibility(case, AS_OF) == date(2024, 3, 1)


def test_eligible_after_13_weeks_when_entering_care_after_16() -> None:
    # Looked after from Mon 1 Jul 2024 (aged 16). The 13 weeks are complete when 91 days lie
    # between the start and the day, not counting that day: Mon 1 Jul + 91 days = Mon 30 Sep 2024
    # (July 31 - 1 + 1 = 31, August 31, September 29: 91 days, 1 Jul to 29 Sep inclusive).
    case = _case("2008-03-01", ("2024-07-01", None))
    assert leaving_care_eligibility(case, AS_OF) == date(2024, 9, 30)
    assert leaving_care_eligibility(case, date(2024, 9, 29)) is None  # not yet, the day before


def test_time_before_14_does_not_count_and_periods_add_up() -> None:
    # 1 Jan 2021-31 Dec 2022 counts only from the 14th birthday, 1 Mar 2022, up to (not
    # including) its end: 305 days, enough, but the child is not looked after at 16 (1 Mar 2024);
    # eligible on returning, 10 May 2024.
    case = _case("2008-03-01", ("2021-01-01", "2022-12-31"), ("2024-05-10", None))
    assert leaving_care_eligibility(case, AS_OF) == date(2024, 5, 10)
    # Two short periods after 14: 1 Jun-30 Jun 2022 counts 29 days and 1 Jun-30 Jul 2024 counts
    # 59 (each up to, not including, its end date): 88 days, 3 short of 13 weeks. A third period
    # from Sun 1 Sep 2024 reaches 91 when 3 of its days lie before the day: Wed 4 Sep 2024.
    case = _case(
        "2008-03-01",
        ("2022-06-01", "2022-06-30"),
        ("2024-06-01", "2024-07-30"),
        ("2024-09-01", None),
    )
    assert leaving_care_eligibility(case, AS_OF) == date(2024, 9, 4)


def test_the_day_care_ends_is_not_a_day_looked_after() -> None:
    # From Mon 1 Jul 2024, ending Mon 30 Sep 2024: 91 days are complete on 30 Sep, but care
    # ended that day, so the young person never became eligible. Ending Tue 1 Oct: eligible on
    # 30 Sep 2024.
    assert (
        leaving_care_eligibility(_case("2008-03-01", ("2024-07-01", "2024-09-30")), AS_OF) is None
    )
    assert leaving_care_eligibility(
        _case("2008-03-01", ("2024-07-01", "2024-10-01")), AS_OF
    ) == date(2024, 9, 30)


def test_entering_care_at_15_years_11_months() -> None:
    # Born Sat 1 Mar 2008, in care from Thu 1 Feb 2024 (15 years 11 months). 1 Feb to 1 May
    # 2024 is 29 + 31 + 30 = 90 days, so 1 Feb + 91 days = Thu 2 May 2024, after the 16th
    # birthday (1 Mar 2024): eligible on 2 May 2024.
    case = _case("2008-03-01", ("2024-02-01", None))
    assert leaving_care_eligibility(case, AS_OF) == date(2024, 5, 2)


def test_never_eligible_if_care_ends_before_16_or_only_short_breaks() -> None:
    assert (
        leaving_care_eligibility(_case("2008-03-01", ("2022-06-01", "2023-06-01")), AS_OF) is None
    )
    short = _case("2008-03-01", ("2022-06-01", None), regime="short_breaks")
    assert leaving_care_eligibility(short, AS_OF) is None


def test_not_eligible_from_the_18th_birthday() -> None:
    # Enters care five weeks before turning 18: 13 weeks are never reached while under 18.
    case = _case("2008-03-01", ("2026-01-20", None))
    assert leaving_care_eligibility(case, date(2026, 12, 31)) is None


@pytest.mark.parametrize(
    ("d", "since"),
    [
        (date(2022, 5, 31), None),
        (date(2022, 6, 1), date(2022, 6, 1)),
        (date(2022, 6, 30), date(2022, 6, 1)),
        (date(2022, 7, 1), None),
        (date(2024, 6, 15), date(2024, 6, 1)),
    ],
)
def test_looked_after_since(d: date, since: date | None) -> None:
    case = _case("2008-03-01", ("2022-06-01", "2022-06-30"), ("2024-06-01", None))
    assert looked_after_since(case, d) == since


@settings(max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")), deadline=None)
@given(case=cases(), as_of=st.dates(date(2011, 4, 1), date(2035, 12, 31)))
def test_eligibility_is_never_before_the_16th_birthday(case: Case, as_of: date) -> None:
    d = leaving_care_eligibility(case, as_of)
    if d is not None:
        assert birthday(case.date_of_birth, 16) <= d < birthday(case.date_of_birth, 18)
        assert d <= as_of
        covering = [p for p in case.periods if p.start <= d and (p.end is None or d < p.end)]
        assert len(covering) == 1 and covering[0].regime == "standard"
