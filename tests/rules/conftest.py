"""Builders for the hand-computed golden tests of the England rule pack.

Every expected date in ``tests/rules`` was computed by hand from the rules issue and the England &
Wales bank-holiday list (GOV.UK), never copied from lacplan's output. Working-day dates carry a
comment naming the non-working weekdays they skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from lacplan.evaluate import evaluate
from lacplan.model import Case
from lacplan.report import Obligation, Report
from lacplan.rules.conventions import Conventions
from lacplan.rules.england import ENGLAND
from lacplan.rules.files import dump_rule_file, loads_rule_file
from lacplan.rules.pack import RulePack

CHILD = "C1"

#: The catalogue order of the England pack (the rules issues).
CATALOGUE: tuple[str, ...] = (
    "care-plan",
    "placement-plan",
    "placement-notification",
    "review-first",
    "review-second",
    "review-subsequent",
    "review-before-move",
    "health-initial",
    "health-review",
    "pep-initial",
    "pep-review",
    "visit-first",
    "visit",
    "visit-care-order",
    "visit-seen-alone",
    "permanence-plan",
    "sdq",
    "needs-assessment",
    "pathway-plan",
    "pathway-plan-review",
)

DateLike = str | date | None


def d(value: DateLike) -> date | None:
    """``"2024-01-31"`` -> ``date(2024, 1, 31)``; dates and ``None`` pass through."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def placement(
    placement_id: str, start: str, end: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A placement record (``emergency``, ``intended_until_18``, ``end_reason``... as keywords)."""
    return {"placement_id": placement_id, "start": start, "end": end, **fields}


def period(
    start: str,
    placements: Iterable[Mapping[str, Any]] | None = None,
    *,
    end: str | None = None,
    entry: str = "planned",
    period_id: str | None = None,
    pid: str = "PL1",
) -> dict[str, Any]:
    """A period of care; by default one placement ``pid`` spanning the whole period."""
    pls = [dict(p) for p in placements] if placements is not None else [placement(pid, start)]
    out: dict[str, Any] = {"start": start, "end": end, "entry": entry, "placements": pls}
    if period_id is not None:
        out["period_id"] = period_id
    return out


def ev(type_: str, on: str, **fields: Any) -> dict[str, Any]:
    """An event record: ``ev("review", "2021-01-20", cancelled=True)``."""
    return {"type": type_, "date": on, **fields}


def case(
    dob: str,
    periods: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]] = (),
    *,
    child_id: str = CHILD,
) -> Case:
    """A validated :class:`Case`."""
    return Case.model_validate(
        {
            "child_id": child_id,
            "date_of_birth": dob,
            "periods": [dict(p) for p in periods],
            "events": [dict(e) for e in events],
        }
    )


def _golden_pack() -> RulePack:
    """The England pack; with ``LACPLAN_GOLDEN_PACK=toml``, the pack written to a rule file and
    read back (``test_rule_files.py`` runs every golden test that way too)."""
    if os.environ.get("LACPLAN_GOLDEN_PACK") == "toml":
        return loads_rule_file(dump_rule_file(ENGLAND), file="england.toml")
    return ENGLAND


PACK = _golden_pack()


def run(c: Case, as_of: str | date, conventions: Conventions | None = None) -> Report:
    """``evaluate`` with the England pack as at ``as_of``."""
    when = d(as_of)
    assert when is not None
    return evaluate(c, as_of=when, conventions=conventions, rules=PACK)


def obs(
    report: Report, rule: str, placement: str | None = None, period: str | None = None
) -> list[Obligation]:
    """Every obligation of ``rule`` (in a placement / period, if given), in report order."""
    return [
        o
        for o in report.obligations
        if o.rule == rule
        and (placement is None or o.placement_id == placement)
        and (period is None or o.period_id == period)
    ]


def ob(
    report: Report,
    rule: str,
    seq: int = 1,
    placement: str | None = None,
    period: str | None = None,
) -> Obligation:
    """The one obligation of ``rule`` with sequence ``seq`` (and placement / period, if given)."""
    found = [o for o in obs(report, rule, placement, period) if o.sequence == seq]
    listing = [(o.period_id, o.placement_id, o.rule, o.sequence) for o in report.obligations]
    assert len(found) == 1, f"{len(found)} obligations for {rule} #{seq}: {listing}"
    return found[0]


def expect(
    o: Obligation,
    *,
    status: str,
    due: DateLike,
    met_on: DateLike = None,
    days_late: int | None = None,
    reason: str | None = None,
    anchor: DateLike = None,
) -> None:
    """Check status, due, met_on, days_late and reason together (and the anchor, if given)."""
    got: dict[str, Any] = {
        "status": o.status,
        "due": o.due,
        "met_on": o.met_on,
        "days_late": o.days_late,
        "reason": o.reason,
    }
    want: dict[str, Any] = {
        "status": status,
        "due": d(due),
        "met_on": d(met_on),
        "days_late": days_late,
        "reason": reason,
    }
    if anchor is not None:
        got["anchor"], want["anchor"] = o.anchor, d(anchor)
    assert got == want, o.explanation


def mentions(o: Obligation, *phrases: str) -> None:
    """The explanation names every phrase (e.g. the bank holidays skipped)."""
    missing = [p for p in phrases if p not in o.explanation]
    assert not missing, f"{missing} not in: {o.explanation}"
