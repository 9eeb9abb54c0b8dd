"""``rules.status.status_of``: an obligation's status from its dates (hand-worked cases and the
rules' invariants). The engine's own tests check the same statuses through whole cases."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lacplan.rules.status import status_of

DUE = date(2021, 1, 20)  # e.g. 20 working days after Fri 18 Dec 2020


@pytest.mark.parametrize(
    ("met_on", "due", "scope_end", "as_of", "expected"),
    [
        (date(2021, 1, 20), DUE, None, date(2021, 3, 1), ("met_on_time", None)),  # on the day
        (date(2021, 1, 21), DUE, None, date(2021, 3, 1), ("met_late", None)),
        (date(2021, 5, 1), None, None, date(2021, 6, 1), ("met_on_time", None)),  # no fixed due
        (None, DUE, date(2021, 1, 19), date(2021, 3, 1), ("not_required", "scope_ended")),
        (None, DUE, date(2021, 1, 20), date(2021, 3, 1), ("missed", None)),  # ended on the due day
        (None, None, date(2021, 1, 19), date(2021, 3, 1), ("missed", "no_fixed_timescale")),
        (None, DUE, None, date(2021, 1, 21), ("overdue", None)),
        (None, DUE, None, date(2021, 1, 20), ("pending", None)),  # due today: not yet overdue
        (None, None, None, date(2021, 3, 1), ("pending", "no_fixed_timescale")),
    ],
)
def test_hand_worked(
    met_on: date | None,
    due: date | None,
    scope_end: date | None,
    as_of: date,
    expected: tuple[str, str | None],
) -> None:
    assert status_of(met_on, due, scope_end, as_of) == expected


_DAYS = st.dates(date(2015, 1, 1), date(2030, 12, 31))


@given(met_on=st.none() | _DAYS, due=st.none() | _DAYS, end=st.none() | _DAYS, as_of=_DAYS)
def test_invariants(met_on: date | None, due: date | None, end: date | None, as_of: date) -> None:
    status, reason = status_of(met_on, due, end, as_of)
    if met_on is not None:  # an event decides, whatever the scope
        assert status == ("met_late" if due is not None and met_on > due else "met_on_time")
    elif status == "overdue":
        assert end is None and due is not None and as_of > due
    elif status == "not_required":
        assert end is not None and due is not None and end < due and reason == "scope_ended"
    assert (reason == "no_fixed_timescale") == (met_on is None and due is None)
