"""The DfE's published indicators for children looked after for 12 months, computed the DfE's
way, beside lacplan's own per-obligation rates.

The DfE's "children looked after in England" statistics report, for children looked after
continuously for at least 12 months at 31 March (children on an agreed series of short breaks
excluded), the share who had their annual health assessment, had their teeth checked by a
dentist, and (aged 4 to 16) had an SDQ completed, in the year ending that day. These are
shares of *children in a cohort*, not of *obligations*: a child whose assessment was late but
done in the year counts as done. lacplan's rates (``summary_rows``) count each obligation
against its due date, so the two differ by design. Reviews and visits have no published
national indicator (``docs/measures.md``).

Reading used here (the DfE guide is the authority; details marked in the docs): in the cohort
when a standard-regime period of care covers the 12 months ending 31 March (started on or
before 1 April of the year before, not ended by 31 March) and the child is under 18 on
31 March; met when an event of the indicator's type is dated in those 12 months; the SDQ
indicator counts children aged 4 to 16 on 31 March (the DfE tests the age at the last
assessment).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Final, NamedTuple

from lacplan.calendar import add_months, age_on
from lacplan.errors import UsageError
from lacplan.model import Case
from lacplan.report import ChildResult

__all__ = ["DFE_INDICATORS", "INDICATOR_COLUMNS", "Indicator", "dfe_indicators"]


class Indicator(NamedTuple):
    """One published indicator: its id, title, the event that meets it, the ages counted and
    lacplan's nearest rule (``None``: lacplan has no timed duty for it)."""

    id: str
    title: str
    event: str
    ages: tuple[int, int]
    rule: str | None


#: The DfE's indicators for children looked after for 12 months at 31 March.
DFE_INDICATORS: Final[tuple[Indicator, ...]] = (
    Indicator(
        "health_assessment", "Had their annual health assessment", "health_assessment",
        (0, 17), "health-review",
    ),
    Indicator(
        "dental_check", "Had their teeth checked by a dentist", "dental_check", (0, 17), None
    ),
    Indicator("sdq", "Had an SDQ completed (aged 4 to 16)", "sdq", (4, 16), "sdq"),
)  # fmt: skip

#: Columns of an indicator row.
INDICATOR_COLUMNS: Final[tuple[str, ...]] = (
    "indicator",
    "title",
    "year_end",
    "cohort",
    "met",
    "rate",
    "lacplan_rule",
    "lacplan_on_time",
    "lacplan_denominator",
    "lacplan_rate",
)


def _in_cohort(case: Case, year_end: date) -> bool:
    latest_start = date.fromordinal(add_months(year_end, -12).toordinal() + 1)  # 1 April
    for p in case.periods:
        if p.regime != "standard" or p.start > latest_start:
            continue
        if p.end is None or p.end > year_end:
            return True
    return False


def dfe_indicators(
    cases: Iterable[Case],
    *,
    year_end: date,
    as_of: date | None = None,
    results: Sequence[ChildResult] = (),
) -> list[dict[str, Any]]:
    """One row per indicator for the year ending ``year_end`` (a 31 March): the DfE-style
    cohort, how many met it and the share (``rate``), and, where ``results`` (the same
    children's evaluated results) are given, lacplan's on-time figures for its nearest rule for
    obligations due in that year. Events after ``as_of`` (default ``year_end``) are not used."""
    if (year_end.month, year_end.day) != (3, 31):
        raise UsageError("the DfE's indicators are for a year ending 31 March")
    year_start = date(year_end.year - 1, 4, 1)
    last = min(year_end, as_of) if as_of is not None else year_end
    cohort: dict[str, int] = {i.id: 0 for i in DFE_INDICATORS}
    met: dict[str, int] = {i.id: 0 for i in DFE_INDICATORS}
    for case in cases:
        if not _in_cohort(case, year_end):
            continue
        age = age_on(case.date_of_birth, year_end)
        if age >= 18:
            continue
        types = {e.type for e in case.events if year_start <= e.date <= last}
        for ind in DFE_INDICATORS:
            if ind.ages[0] <= age <= ind.ages[1]:
                cohort[ind.id] += 1
                met[ind.id] += ind.event in types
    lacplan: dict[str, tuple[int, int]] = {}
    for child in results:
        for o in child.obligations:
            if o.due is None or not (year_start <= o.due <= year_end):
                continue
            if o.status in ("met_on_time", "met_late", "overdue", "missed"):
                on, den = lacplan.get(o.rule, (0, 0))
                lacplan[o.rule] = (on + (o.status == "met_on_time"), den + 1)
    rows = []
    for ind in DFE_INDICATORS:
        on, den = lacplan.get(ind.rule, (0, 0)) if ind.rule else (0, 0)
        rows.append(
            {
                "indicator": ind.id,
                "title": ind.title,
                "year_end": year_end,
                "cohort": cohort[ind.id],
                "met": met[ind.id],
                "rate": round(met[ind.id] / cohort[ind.id], 4) if cohort[ind.id] else None,
                "lacplan_rule": ind.rule,
                "lacplan_on_time": on if ind.rule and results else None,
                "lacplan_denominator": den if ind.rule and results else None,
                "lacplan_rate": round(on / den, 4) if den else None,
            }
        )
    return rows
