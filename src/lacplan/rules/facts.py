"""Named derived facts about a child, computed from the case model in one place.

Rule declarations refer to these by name (``DateExpr(ref="fact:<name>")`` and the
``looked_after_for`` condition); the engine resolves them through :data:`DATE_FACTS`. Each is a
pure function of the case and ``as_of``.

* ``age_on(date_of_birth, d)``: completed years (a 29 February birthday counts from 1 March);
* ``birthday_16`` / ``birthday_18`` / ``birthday_21``: the 16th / 18th / 21st birthday;
* ``leaving_care_eligibility``: the date a young person becomes an *eligible child* (CPPCR 2010
  reg 40; Children Act 1989 Sch 2 para 19B): aged 16 or 17, looked after for a period or periods
  totalling 13 weeks (91 days) since the 14th birthday, and looked after on that date;
  short-break periods excluded;
* ``looked_after_since(case, d)``: the start of the period of care covering ``d`` (continuous
  time looked after), or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta

from lacplan.calendar import age_on, birthday
from lacplan.model import Case

__all__ = [
    "DATE_FACTS",
    "age_on",
    "birthday_16",
    "birthday_18",
    "birthday_21",
    "leaving_care_eligibility",
    "looked_after_since",
]

#: 13 weeks (reg 40(1): "the prescribed period is 13 weeks and the prescribed age is 14").
ELIGIBILITY_DAYS = 13 * 7


def birthday_16(case: Case, as_of: date) -> date | None:
    return birthday(case.date_of_birth, 16)


def birthday_18(case: Case, as_of: date) -> date | None:
    return birthday(case.date_of_birth, 18)


def birthday_21(case: Case, as_of: date) -> date | None:
    return birthday(case.date_of_birth, 21)


def looked_after_since(case: Case, d: date, as_of: date | None = None) -> date | None:
    """The start of the period of care covering ``d`` (None if not looked after on ``d``)."""
    for p in case.periods:
        end = p.end if as_of is None or p.end is None or p.end <= as_of else None
        if p.start <= d and (end is None or d <= end):
            return p.start
    return None


def leaving_care_eligibility(case: Case, as_of: date) -> date | None:
    """The date the child becomes an *eligible child* (reg 40; Children Act 1989 Sch 2 para 19B).

    The first day ``D``, on or after the 16th birthday, before the 18th and on or before
    ``as_of``, on which the child is looked after (``start <= D < end``: the day care ends is not a
    day looked after) and has been looked after for at least 91 days (13 weeks) since the 14th
    birthday, counting each period from its start (or the 14th birthday) up to, not including, its
    end or ``D``. Short-break periods do not count (reg 40(2)). One period starting after the 14th
    birthday on ``S`` reaches 91 days on ``S + 91`` days. ``None`` if that has not happened by
    ``as_of``.
    """
    b14 = birthday(case.date_of_birth, 14)
    b16 = birthday(case.date_of_birth, 16)
    b18 = birthday(case.date_of_birth, 18)
    total = 0  # days looked after since the 14th birthday in the periods before this one
    for p in case.periods:
        if p.regime != "standard" or p.start > as_of:
            continue
        counted_from = max(p.start, b14)
        day = max(p.start, b16, counted_from + timedelta(days=max(0, ELIGIBILITY_DAYS - total)))
        last = b18 if p.end is None else min(p.end, b18)  # exclusive
        if day < last and day <= as_of:
            return day
        if p.end is not None and p.end > counted_from:
            total += (p.end - counted_from).days
    return None


#: Date facts by name, for ``DateExpr(ref="fact:<name>")``.
DATE_FACTS: Mapping[str, Callable[[Case, date], date | None]] = {
    "birthday_16": birthday_16,
    "birthday_18": birthday_18,
    "birthday_21": birthday_21,
    "leaving_care_eligibility": leaving_care_eligibility,
}
