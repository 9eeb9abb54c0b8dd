"""Hypothesis properties of the parity report over generated valid cases (England pack)."""

from __future__ import annotations

import os
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lacplan import Case, evaluate
from lacplan.compare import CLASSES, SUMMARY_CLASSES, Comparison
from lacplan.report import Report
from lacplan.testing.strategies import cases

PROFILE = settings(
    max_examples=int(os.environ.get("LACPLAN_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
AS_OF = st.dates(date(2012, 1, 1), date(2030, 12, 31))
ORDER = {c: i for i, c in enumerate(CLASSES)}


def _own_dates(report: Report, shift: dict[str, int] | None = None) -> list[dict[str, object]]:
    """A row per obligation with a due date, on that date (moved by ``shift[key]`` days)."""
    shift = shift or {}
    return [
        {
            "child_id": o.child_id,
            "period_id": o.period_id,
            "placement_id": o.placement_id,
            "rule": o.rule,
            "sequence": o.sequence,
            "due": o.due + timedelta(days=shift.get(o.key, 0)),
        }
        for o in report.obligations
        if o.due is not None
    ]


def _well_formed(c: Comparison) -> None:
    assert list(c.summary) == list(SUMMARY_CLASSES)
    assert sum(c.summary.values()) == len(c.rows)
    for r in c.rows:
        assert r.class_ not in r.also and "other" not in r.also
        order = [ORDER[x] for x in (r.class_, *r.also)]
        assert order == sorted(order) and len(set(order)) == len(order)
        both = r.stored_due is not None and r.lacplan_due is not None
        assert r.difference_days == ((r.stored_due - r.lacplan_due).days if both else None)  # type: ignore[operator]


@PROFILE
@given(case=cases(), as_of=AS_OF)
def test_lacplans_own_dates_all_agree(case: Case, as_of: date) -> None:
    report = evaluate(case, as_of=as_of)
    c = report.compare(_own_dates(report), cases=[case])
    _well_formed(c)
    for r in c.rows:
        if r.lacplan_due is None:  # a rule with a due date elsewhere, none here
            assert (r.class_, r.also) == ("no_stored_date", ("no_lacplan_date",))
        else:
            assert r.class_ == "agree" and r.difference_days == 0
    assert c.summary["agree"] == sum(o.due is not None for o in report.obligations)
    assert c.summary["unmatched"] == 0


@PROFILE
@given(case=cases(), as_of=AS_OF, data=st.data())
def test_classes_are_tried_in_order(case: Case, as_of: date, data: st.DataObject) -> None:
    report = evaluate(case, as_of=as_of)
    keys = [o.key for o in report.obligations if o.due is not None]
    shift = {k: data.draw(st.integers(-7, 7), label=k) for k in keys}
    c = report.compare(_own_dates(report, shift), cases=[case])
    _well_formed(c)
    by_key = {r.key: r for r in c.rows}
    for k in keys:
        r = by_key[k]
        assert r.difference_days == shift[k]
        assert (r.class_ == "agree") == (shift[k] == 0)
        assert r.class_ not in ("no_stored_date", "no_lacplan_date", "unmatched")
        if r.class_ == "anchor_day_counted" or "anchor_day_counted" in r.also:
            assert shift[k] <= 0  # counting the anchor day can only come earlier
        if r.class_ == "holiday_as_working_day":
            assert shift[k] < 0
        if r.class_ == "working_day_as_holiday":
            assert shift[k] > 0
