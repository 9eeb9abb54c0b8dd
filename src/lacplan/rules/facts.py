"""Named derived facts about a child, computed from the case model in one place.

Rule declarations refer to these by name (``DateExpr(ref="fact:<name>")`` and the
``looked_after_for`` condition); the engine resolves them through :data:`DATE_FACTS`. Each is a
pure function of the case and ``as_of``.

* ``age_on(date_of_birth, d)``: completed years (a 29 February birthday counts from 1 March);
* ``birthday_16`` / ``birthday_18``: the 16th / 18th birthday;
* ``leaving_care_eligibility``: the date a young person becomes an *eligible child* (CPPCR 2010
  reg 40; Children Act 1989 Sch 2 para 19B): aged 16 or 17, looked after for a period or periods
  totalling 13 weeks that began after age 14 and ended after 16, short-break-only care excluded;
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
    "leaving_care_eligibility",
    "looked_after_since",
]

#: 13 weeks (reg 40(1): "the prescribed period is 13 weeks and the prescribed age is 14").
ELIGIBILITY_DAYS = 13 * 7


def birthday_16(case: Case, as_of: date) -> date | None:
    return birthday(case.date_of_birth, 16)


def birthday_18(case: Case, as_of: date) -> date | None:
    return birthday(case.date_of_birth, 18)


def _looked_after_spans(case: Case, as_of: date) -> list[tuple[date, date]]:
    """(start, last day) of each standard-regime period as at ``as_of``."""
    spans = []
    for p in case.periods:
        if p.regime != "standard" or p.start > as_of:
            continue
        last = as_of if p.end is None or p.end > as_of else p.end
        spans.append((p.start, last))
    return spans


def looked_after_since(case: Case, d: date, as_of: date | None = None) -> date | None:
    """The start of the period of care covering ``d`` (None if not looked after on ``d``)."""
    for p in case.periods:
        end = p.end if as_of is None or p.end is None or p.end <= as_of else None
        if p.start <= d and (end is None or d <= end):
            return p.start
    return None


def leaving_care_eligibility(case: Case, as_of: date) -> date | None:
    """The first date, from the 16th birthday and before the 18th, on which the child is looked
    after having been looked after for 13 weeks in total since the 14th birthday; ``None`` if that
    has not happened by ``as_of``."""
    b14 = birthday(case.date_of_birth, 14)
    b16 = birthday(case.date_of_birth, 16)
    b18 = birthday(case.date_of_birth, 18)
    total = 0
    reached: date | None = None
    spans = _looked_after_spans(case, as_of)
    for start, last in spans:
        start = max(start, b14)
        if last < start:
            continue
        days = (last - start).days + 1
        if total + days >= ELIGIBILITY_DAYS:
            reached = start + timedelta(days=ELIGIBILITY_DAYS - total - 1)
            break
        total += days
    if reached is None:
        return None
    candidate = max(reached, b16)
    for start, last in spans:
        if last < candidate:
            continue
        d = max(start, candidate)
        return d if d < b18 and d <= as_of else None
    return None


#: Date facts by name, for ``DateExpr(ref="fact:<name>")``.
DATE_FACTS: Mapping[str, Callable[[Case, date], date | None]] = {
    "birthday_16": birthday_16,
    "birthday_18": birthday_18,
    "leaving_care_eligibility": leaving_care_eligibility,
}
