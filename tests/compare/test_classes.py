"""A hand-computed parity case for every class of the parity report.

Every date below was worked by hand from the regulations (reg 33: the first review within 20
working days of becoming looked after, the second within 3 months of the first, then every 6
months, A1: the anchor day not counted, A3: calendar months, A5: a chain runs from the review
held), with the bank holidays named where they are skipped.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lacplan.compare import CLASSES, SUMMARY_CLASSES, Comparison

from .helpers import evaluate, review_case, row_of


def _compare(
    case: dict[str, Any], stored: list[dict[str, Any]], as_of: date = date(2024, 6, 3)
) -> Comparison:
    report, cases = evaluate([case], as_of)
    return report.compare(stored, cases=cases)


def _stored(
    child: str, rule: str, due: str | None, sequence: int = 1, **more: str
) -> dict[str, Any]:
    return {"child_id": child, "rule": rule, "due": due, "sequence": sequence, **more}


def test_agree() -> None:
    # Became looked after Fri 18 Dec 2020; 20 working days after, skipping Fri 25 Dec (Christmas
    # Day), Mon 28 Dec (Boxing Day, substitute day) and Fri 1 Jan 2021 (New Year's Day): Wed 20
    # Jan 2021.
    c = _compare(review_case("C1", "2020-12-18"), [_stored("C1", "review-first", "2021-01-20")])
    row = row_of(c, "C1", "review-first")
    assert (row.class_, row.also, row.difference_days) == ("agree", (), 0)
    assert row.lacplan_due == row.stored_due == date(2021, 1, 20)
    assert row.explanation is not None and row.explanation.startswith("Due Wed 20 Jan 2021")


def test_day_count_91_days_for_three_months() -> None:
    # First review held Wed 20 Jan 2021: second due Tue 20 Apr 2021 (3 calendar months); 91
    # days after 20 Jan (11 left in January + 28 + 31 + 21) is Wed 21 Apr 2021.
    case = review_case("C1", "2020-12-18", ["2021-01-20"])
    c = _compare(case, [_stored("C1", "review-second", "2021-04-21")])
    row = row_of(c, "C1", "review-second")
    assert (row.class_, row.also) == ("day_count_91_183", ())
    assert (row.lacplan_due, row.difference_days) == (date(2021, 4, 20), 1)
    assert "91 days after Wed 20 Jan 2021" in row.reason


def test_day_count_183_days_for_six_months() -> None:
    # Became looked after Mon 3 Jul 2023; first review Mon 31 Jul 2023 (the 20th working day, no
    # bank holiday in July); second review held early, Thu 31 Aug 2023. Six months after 31 Aug:
    # no 31 Feb, so Thu 29 Feb 2024 (a leap year; A3); 183 days after (30 + 31 + 30 + 31 + 31 +
    # 29 = 182 to 29 Feb) is Fri 1 Mar 2024.
    case = review_case("C1", "2023-07-03", ["2023-07-31", "2023-08-31"])
    c = _compare(case, [_stored("C1", "review-subsequent", "2024-03-01")])
    row = row_of(c, "C1", "review-subsequent")
    assert (row.lacplan_due, row.class_, row.also) == (date(2024, 2, 29), "day_count_91_183", ())
    assert "183 days after Thu 31 Aug 2023" in row.reason


def test_agree_that_a_day_count_would_also_give() -> None:
    # Second review held Tue 20 Apr 2021: six months on is Wed 20 Oct 2021, which is also 183
    # days on (10 + 31 + 30 + 31 + 31 + 30 + 20): the row agrees, and says the day count fits.
    case = review_case("C1", "2020-12-18", ["2021-01-20", "2021-04-20"])
    c = _compare(case, [_stored("C1", "review-subsequent", "2021-10-20")])
    row = row_of(c, "C1", "review-subsequent")
    assert (row.class_, row.also) == ("agree", ("day_count_91_183",))


def test_anchor_day_counted_in_working_days() -> None:
    # Became looked after Mon 1 Feb 2021 (no bank holiday in February): the 20th working day
    # after it is Mon 1 Mar 2021; counting Mon 1 Feb itself as day 1 gives Fri 26 Feb 2021.
    c = _compare(review_case("C1", "2021-02-01"), [_stored("C1", "review-first", "2021-02-26")])
    row = row_of(c, "C1", "review-first")
    assert (row.lacplan_due, row.class_, row.also) == (date(2021, 3, 1), "anchor_day_counted", ())
    assert row.difference_days == -3


def test_anchor_day_counted_in_months() -> None:
    # First review Wed 20 Jan 2021: due Tue 20 Apr 2021; counted from 19 Jan, Mon 19 Apr 2021.
    case = review_case("C1", "2020-12-18", ["2021-01-20"])
    c = _compare(case, [_stored("C1", "review-second", "2021-04-19")])
    assert row_of(c, "C1", "review-second").class_ == "anchor_day_counted"


def test_holiday_as_working_day_queens_funeral() -> None:
    # Became looked after Sun 4 Sep 2022 (not a working day, so counting it changes nothing).
    # 20 working days on, skipping Mon 19 Sep 2022 (the State Funeral of Queen Elizabeth II):
    # Mon 3 Oct 2022. A list without 19 Sep counts it: Fri 30 Sep 2022.
    c = _compare(review_case("C1", "2022-09-04"), [_stored("C1", "review-first", "2022-09-30")])
    row = row_of(c, "C1", "review-first")
    assert (row.lacplan_due, row.class_, row.also) == (
        date(2022, 10, 3),
        "holiday_as_working_day",
        (),
    )
    assert "Mon 19 Sep 2022 (State Funeral of Queen Elizabeth II) was a working day" in row.reason


def test_working_day_as_holiday_4_may_2020() -> None:
    # Became looked after Sun 5 Apr 2020. 20 working days on, skipping Fri 10 Apr (Good Friday)
    # and Mon 13 Apr (Easter Monday): Tue 5 May 2020 (the early May bank holiday was moved from
    # Mon 4 May to Fri 8 May for VE Day, so 4 May is a working day). A list with 4 May as the
    # holiday gives Wed 6 May 2020.
    c = _compare(review_case("C1", "2020-04-05"), [_stored("C1", "review-first", "2020-05-06")])
    row = row_of(c, "C1", "review-first")
    assert (row.lacplan_due, row.class_, row.also) == (
        date(2020, 5, 5),
        "working_day_as_holiday",
        (),
    )
    assert "1 more working day before it was a holiday" in row.reason


def test_working_day_as_holiday_landing_on_8_may_2020() -> None:
    # Became looked after Tue 7 Apr 2020. 20 working days on, skipping Good Friday (10 Apr) and
    # Easter Monday (13 Apr): Thu 7 May 2020. A list with Mon 4 May instead of Fri 8 May skips 4
    # May and counts 8 May: Fri 8 May 2020, the real (moved) holiday.
    c = _compare(review_case("C1", "2020-04-07"), [_stored("C1", "review-first", "2020-05-08")])
    row = row_of(c, "C1", "review-first")
    assert (row.lacplan_due, row.class_) == (date(2020, 5, 7), "working_day_as_holiday")
    assert "Fri 8 May 2020 (May Day) a working day" in row.reason


def test_anchor_counted_and_a_missing_holiday_both_fit() -> None:
    # Became looked after Tue 5 May 2020 (a working day). 20 working days on, skipping Fri 8 May
    # (early May bank holiday, VE Day) and Mon 25 May (spring bank holiday): Thu 4 Jun 2020.
    # Wed 3 Jun 2020 is what counting 5 May as day 1 gives, and also what a list without 8 May
    # gives: the first class in order wins, the other is in `also`.
    c = _compare(review_case("C1", "2020-05-05"), [_stored("C1", "review-first", "2020-06-03")])
    row = row_of(c, "C1", "review-first")
    assert (row.lacplan_due, row.class_, row.also) == (
        date(2020, 6, 4),
        "anchor_day_counted",
        ("holiday_as_working_day",),
    )


def test_chain_from_due_as_stored() -> None:
    # Became looked after Fri 18 Dec 2020: first review due Wed 20 Jan 2021 (Christmas Day, Boxing
    # Day (substitute, Mon 28 Dec) and New Year's Day skipped), held early on Thu 14 Jan 2021. The
    # second review is due 3 months after the review held: Wed 14 Apr 2021; the system's 20 Apr
    # 2021 runs from the due date. It was held Fri 9 Apr 2021: the next is due Sat 9 Oct 2021;
    # the system's Wed 20 Oct 2021 runs from its own stored due date for the second, 20 Apr.
    case = review_case("C1", "2020-12-18", ["2021-01-14", "2021-04-09"])
    stored = [
        _stored("C1", "review-first", "2021-01-20"),
        _stored("C1", "review-second", "2021-04-20"),
        _stored("C1", "review-subsequent", "2021-10-20"),
    ]
    c = _compare(case, stored, as_of=date(2021, 11, 1))
    assert row_of(c, "C1", "review-first").class_ == "agree"
    second = row_of(c, "C1", "review-second")
    assert (second.lacplan_due, second.class_, second.also) == (
        date(2021, 4, 14),
        "chain_from_due",
        (),
    )
    third = row_of(c, "C1", "review-subsequent")
    assert (third.lacplan_due, third.class_) == (date(2021, 10, 9), "chain_from_due")
    assert "the due date of review-second #1 as the case system stored it" in third.reason


def test_chain_from_lacplans_due() -> None:
    # As above, with the system's second review on lacplan's date (Wed 14 Apr 2021): its next,
    # Thu 14 Oct 2021, is 6 months after that due date, not after Fri 9 Apr 2021, the review held.
    case = review_case("C1", "2020-12-18", ["2021-01-14", "2021-04-09"])
    stored = [
        _stored("C1", "review-second", "2021-04-14"),
        _stored("C1", "review-subsequent", "2021-10-14"),
    ]
    c = _compare(case, stored, as_of=date(2021, 11, 1))
    third = row_of(c, "C1", "review-subsequent")
    assert third.class_ == "chain_from_due"
    assert "Fri 9 Apr 2021" in third.reason


def test_no_stored_date() -> None:
    # An empty due date (Eclipse stores none for a period's first review; with no date, the row
    # names its period), and an obligation of a rule the stored data has, with no row: the
    # second subsequent review of the chain above.
    case = review_case("C1", "2020-12-18", ["2021-01-14", "2021-04-09"])
    stored = [_stored("C1", "review-first", None, period_id="1")]
    c = _compare(case, stored, as_of=date(2021, 11, 1))
    row = row_of(c, "C1", "review-first")
    assert (row.stored_due, row.class_, row.reason) == (
        None,
        "no_stored_date",
        "the stored row has no due date",
    )
    # The first subsequent review, due Sat 9 Oct 2021, was held Fri 1 Oct 2021: the second is
    # due Fri 1 Apr 2022, and has no row.
    case = review_case("C1", "2020-12-18", ["2021-01-14", "2021-04-09", "2021-10-01"])
    c = _compare(case, [_stored("C1", "review-subsequent", "2021-10-09")], as_of=date(2022, 3, 1))
    assert row_of(c, "C1", "review-subsequent").class_ == "agree"
    missing = row_of(c, "C1", "review-subsequent", 2)
    assert (missing.class_, missing.lacplan_due, missing.where) == (
        "no_stored_date",
        date(2022, 4, 1),
        None,
    )
    assert missing.reason == "no stored row for this obligation"


def test_no_lacplan_date() -> None:
    # The system has a third subsequent review where lacplan's chain has two; and a short-break
    # period's initial health assessment, which reg 48 disapplies (lacplan: no due date; the
    # period ended before the stored date, so the row names it).
    case = review_case("C1", "2020-12-18", ["2021-01-14", "2021-04-09"])
    c = _compare(case, [_stored("C1", "review-subsequent", "2022-10-09", 3)], date(2021, 11, 1))
    row = row_of(c, "C1", "review-subsequent", 3)
    assert (row.class_, row.lacplan_due, row.key) == ("no_lacplan_date", None, None)
    breaks = review_case("S1", "2021-02-01", end="2021-02-03")
    breaks["periods"][0]["regime"] = "short_breaks"
    c = _compare(
        breaks, [_stored("S1", "health-initial", "2021-03-01", period_id="1")], date(2021, 3, 1)
    )
    row = row_of(c, "S1", "health-initial")
    assert (row.class_, row.status) == ("no_lacplan_date", "not_required")
    assert row.reason == "lacplan's obligation has no due date (it is not_required, short_breaks)"


def test_other() -> None:
    # Due Wed 20 Jan 2021 (as in test_agree); the system's Fri 5 Feb 2021 is 16 days later and
    # no known drift gives it.
    c = _compare(review_case("C1", "2020-12-18"), [_stored("C1", "review-first", "2021-02-05")])
    row = row_of(c, "C1", "review-first")
    assert (row.class_, row.also, row.difference_days) == ("other", (), 16)
    assert row.reason.startswith("the stored date is 16 days after lacplan's")


def test_working_day_as_holiday_is_bounded() -> None:
    # Three working days later than Tue 5 May 2020 (Fri 8 May is the VE Day bank holiday, so Mon
    # 11 May is the third) is more than a holiday list's slip: other.
    c = _compare(review_case("C1", "2020-04-05"), [_stored("C1", "review-first", "2020-05-11")])
    assert row_of(c, "C1", "review-first").class_ == "other"


def test_summary_counts_every_class() -> None:
    c = _compare(review_case("C1", "2020-12-18"), [_stored("C1", "review-first", "2021-01-20")])
    assert list(c.summary) == list(SUMMARY_CLASSES) == [*CLASSES, "unmatched"]
    assert c.summary["agree"] == 1 and sum(c.summary.values()) == len(c.rows)


@pytest.mark.parametrize("name", CLASSES)
def test_every_class_is_documented(name: str) -> None:
    with open("docs/parity.md", encoding="utf-8") as fh:
        assert f"`{name}`" in fh.read()


def test_any_rule_is_classified_from_its_declaration() -> None:
    # An emergency placement from Sun 11 Sep 2022. The PEP (reg 5(b)(ii), within 10 working days
    # in an emergency) is due Mon 26 Sep 2022, skipping Mon 19 Sep 2022 (the State Funeral of
    # Queen Elizabeth II): a list without it gives Fri 23 Sep 2022. The first visit (within one
    # week) is due Sun 18 Sep 2022; counting 11 Sep as day 1 gives Sat 17 Sep 2022. A health
    # assessment on Wed 1 Mar 2023 makes the next due Fri 1 Mar 2024 (12 months, the child being
    # over 5); 365 days on is Thu 29 Feb 2024 (2024 is a leap year): a day count.
    case = review_case("C1", "2022-09-11", placements=[("A", "2022-09-11", None)])
    case["periods"][0]["entry"] = "emergency"
    case["events"] = [{"type": "health_assessment", "date": "2023-03-01"}]
    stored = [
        _stored("C1", "pep-initial", "2022-09-23"),
        _stored("C1", "visit-first", "2022-09-17"),
        _stored("C1", "health-review", "2024-02-29"),
    ]
    c = _compare(case, stored)
    got = {(r.rule, r.lacplan_due, r.class_) for r in c.rows if r.stored_due is not None}
    assert got == {
        ("pep-initial", date(2022, 9, 26), "holiday_as_working_day"),
        ("visit-first", date(2022, 9, 18), "anchor_day_counted"),
        ("health-review", date(2024, 3, 1), "day_count_91_183"),
    }
    assert "365 days after Wed 1 Mar 2023" in row_of(c, "C1", "health-review").reason
