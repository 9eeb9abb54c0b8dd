"""``evaluate``: the one entry point from cases to a :class:`~lacplan.report.Report`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import date, datetime

from lacplan._version import __version__
from lacplan.adapters.sources import Batch
from lacplan.calendar import WorkingDayCalendar, england_and_wales
from lacplan.errors import UsageError
from lacplan.model import Case, Finding, RecordError
from lacplan.report import ChildResult, Report
from lacplan.rules import Conventions, RulePack, get_pack
from lacplan.rules.engine import evaluate_case

__all__ = ["evaluate", "iter_evaluate"]


def iter_evaluate(
    cases: Iterable[Case | RecordError],
    *,
    as_of: date,
    pack: RulePack,
    conventions: Conventions,
    calendar: WorkingDayCalendar,
    on_error: Callable[[RecordError], None] | None = None,
) -> Iterable[ChildResult]:
    """Stream :class:`ChildResult` objects one case at a time (for JSON Lines and big batches).

    Rejected records (``RecordError``) are passed to ``on_error`` and yield nothing.
    """
    calendars = pack.calendars(calendar)
    for item in cases:
        if isinstance(item, RecordError):
            if on_error is not None:
                on_error(item)
            continue
        yield evaluate_case(
            item,
            pack,
            as_of=as_of,
            conventions=conventions,
            calendar=calendar,
            calendars=calendars,
        )


def evaluate(
    cases: Case | RecordError | Iterable[Case | RecordError],
    as_of: date,
    rules: str | RulePack = "england",
    conventions: Conventions | None = None,
    *,
    calendar: WorkingDayCalendar | None = None,
    overlays: Iterable[str | os.PathLike[str] | RulePack] = (),
) -> Report:
    """Evaluate every statutory clock for ``cases`` as at ``as_of``.

    ``cases`` is one :class:`~lacplan.model.Case`, or any iterable of cases and the
    ``RecordError`` entries a loader yields (those go to ``Report.errors``); an adapter's
    :class:`~lacplan.adapters.Batch` also brings its row accounting and file findings
    (``Report.accounting``, ``Report.source_findings``). ``rules`` names a
    pack (``"england"``, ``"england+ifa"``) or is one; ``overlays`` stacks more on it (rule file
    paths, built-in overlay names or ``RulePack`` overlays): their obligations come beside the
    statutory ones, with their own ``source``. Pure and deterministic: nothing reads the clock;
    the same input gives the same report.

    >>> from datetime import date
    >>> from lacplan import Case, evaluate
    >>> case = Case.model_validate({
    ...     "child_id": "C1", "date_of_birth": "2012-04-02",
    ...     "periods": [{"start": "2020-12-18", "entry": "emergency",
    ...                  "placements": [{"placement_id": "PL1", "start": "2020-12-18"}]}],
    ...     "events": [{"type": "review", "date": "2021-01-20"}]})
    >>> ob = evaluate(case, as_of=date(2021, 2, 1)).obligation("C1:1:-:review-first:2020-12-18")
    >>> ob.due, ob.status
    (datetime.date(2021, 1, 20), 'met_on_time')
    """
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise UsageError("as_of must be a datetime.date (not a datetime or a string)")
    pack = get_pack(rules, overlays)
    conv = conventions or Conventions()
    cal = calendar or england_and_wales()
    items: Iterable[Case | RecordError]
    items = [cases] if isinstance(cases, Case | RecordError) else cases
    errors: list[RecordError] = []
    children = tuple(
        iter_evaluate(
            items, as_of=as_of, pack=pack, conventions=conv, calendar=cal, on_error=errors.append
        )
    )
    batch = cases if isinstance(cases, Batch) else None
    return Report(
        accounting=batch.accounting.as_dict() if batch is not None else {},
        source_findings=tuple(Finding(f.code, f.field, f.message) for f in batch.findings)
        if batch is not None
        else (),
        as_of=as_of,
        rules=pack.name,
        rules_version=pack.version,
        lacplan_version=__version__,
        conventions=conv.as_dict(),
        calendar=cal.source.as_dict(),
        children=children,
        errors=tuple(errors),
        rules_hash=pack.content_hash,
    )
