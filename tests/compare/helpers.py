"""Cases for the parity report's tests, built as JSON case dicts (docs/case-format.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import lacplan
from lacplan.compare import Comparison, ComparisonRow
from lacplan.report import Report


def review_case(
    child_id: str,
    start: str,
    reviews: Sequence[str] = (),
    *,
    end: str | None = None,
    period_id: str = "1",
    placements: Sequence[tuple[str, str, str | None]] | None = None,
) -> dict[str, Any]:
    """One child, one period of care from ``start`` (``end``: ceased), held reviews on
    ``reviews``; one placement for the whole period unless ``placements`` (id, start, end)."""
    if placements is None:
        placements = [(f"{child_id}-PL1", start, end)]
    return {
        "child_id": child_id,
        "date_of_birth": "2012-04-02",
        "periods": [
            {
                "period_id": period_id,
                "start": start,
                "end": end,
                "placements": [{"placement_id": p, "start": s, "end": e} for p, s, e in placements],
            }
        ],
        "events": [{"type": "review", "date": d} for d in reviews],
    }


def evaluate(cases: Iterable[dict[str, Any]], as_of: date) -> tuple[Report, list[lacplan.Case]]:
    """The report of ``cases`` (dicts) as at ``as_of``, and the parsed cases."""
    parsed = [lacplan.parse_case(c) for c in cases]
    return lacplan.evaluate(parsed, as_of=as_of), parsed


def row_of(comparison: Comparison, child_id: str, rule: str, sequence: int = 1) -> ComparisonRow:
    """The one row of ``comparison`` for this child, rule and sequence."""
    (row,) = [
        r for r in comparison.rows if (r.child_id, r.rule, r.sequence) == (child_id, rule, sequence)
    ]
    return row
