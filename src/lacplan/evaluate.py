"""``evaluate``: the one entry point from cases to a :class:`~lacplan.report.Report`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from lacplan._version import __version__
from lacplan.calendar import WorkingDayCalendar, england_and_wales
from lacplan.collector import raised_threshold
from lacplan.domain.validation import evaluation_error
from lacplan.errors import UsageError
from lacplan.model import Case, Finding, RecordError
from lacplan.report import ChildResult, Report
from lacplan.rules import Conventions, RulePack, get_pack
from lacplan.rules.conventions import _DEFAULT_CONVENTIONS
from lacplan.rules.engine import evaluate_case

if TYPE_CHECKING:
    import numpy as np

    from lacplan.adapters.sources import Batch
    from lacplan.privacy import Privacy

__all__ = ["evaluate", "iter_evaluate"]

_AS_OF = (
    "as_of must be a datetime.date (not a datetime or a string); a midnight, timezone-naive "
    "pandas.Timestamp or a day-precision numpy.datetime64 is converted"
)
_HOW_TO_READ = (
    "read a file with lacplan.load_cases(path) (or lacplan.read_inputs), or validate one "
    "record (a dict) with lacplan.parse_case(record)"
)


def _as_date(as_of: object) -> date:
    """``as_of`` as a ``date``: a ``date`` itself, a midnight timezone-naive
    ``pandas.Timestamp`` or a ``numpy.datetime64`` whose value is a whole day (checked by type
    name, so neither library is imported unless one of its values is passed)."""
    kind = type(as_of)
    if kind is date:
        return as_of  # type: ignore[return-value]
    module = kind.__module__.split(".")[0]
    if module == "pandas" and kind.__name__ == "Timestamp":
        ts: datetime = as_of  # type: ignore[assignment]
        if ts.tzinfo is not None:
            raise UsageError(f"{_AS_OF}; got a timezone-aware pandas.Timestamp")
        nanosecond: int = getattr(ts, "nanosecond", 0)
        if ts.time() != datetime.min.time() or nanosecond:
            raise UsageError(f"{_AS_OF}; got a pandas.Timestamp with a time of day")
        return date(ts.year, ts.month, ts.day)
    if module == "numpy" and kind.__name__ == "datetime64":
        return _numpy_day(as_of)
    if isinstance(as_of, date) and not isinstance(as_of, datetime):
        return as_of  # a subclass of date
    raise UsageError(_AS_OF)


def _numpy_day(value: object) -> date:
    import numpy as np

    dt: np.datetime64 = value  # type: ignore[assignment]
    unit, _ = np.datetime_data(dt.dtype)
    if np.isnat(dt) or unit in ("Y", "M", "W", "generic"):
        raise UsageError(f"{_AS_OF}; got a numpy.datetime64 that is not a day")
    day = dt.astype("datetime64[D]")
    if day != dt:
        raise UsageError(f"{_AS_OF}; got a numpy.datetime64 with a time of day")
    out = day.astype(object)
    if not isinstance(out, date):  # outside the years datetime.date can hold
        raise UsageError(f"{_AS_OF}; got a numpy.datetime64 outside years 1..9999")
    return out


def _case_items(cases: object) -> Iterable[Case | RecordError]:
    """``cases`` as an iterable of items, refusing what is plainly not cases (a dict, a path,
    text or bytes) before anything is evaluated."""
    if isinstance(cases, Case | RecordError):
        return [cases]
    what = None
    if isinstance(cases, Mapping):
        what = "a dict (one record, not yet validated)"
    elif isinstance(cases, os.PathLike):
        what = "a path"
    elif isinstance(cases, str):
        what = "a str"
    elif isinstance(cases, bytes | bytearray | memoryview):
        what = "bytes"
    elif not isinstance(cases, Iterable):
        what = f"a value of type {type(cases).__name__}"
    if what is not None:
        raise UsageError(
            f"cases must be a lacplan.Case, a RecordError or an iterable of them, not {what}: "
            + _HOW_TO_READ
        )
    return cases  # type: ignore[return-value]


def _checked(items: Iterable[object]) -> Iterator[Case | RecordError]:
    for position, item in enumerate(items):
        if not isinstance(item, Case | RecordError):
            raise UsageError(
                f"cases item {position} (counting from 0) is of type {type(item).__name__}, "
                f"not a lacplan.Case or RecordError: {_HOW_TO_READ}"
            )
        yield item


def iter_evaluate(
    cases: Case | RecordError | Iterable[Case | RecordError],
    *,
    as_of: date | np.datetime64,
    rules: str | RulePack | None = None,
    conventions: Conventions | None = None,
    calendar: WorkingDayCalendar | None = None,
    overlays: Iterable[str | os.PathLike[str] | RulePack] = (),
    on_error: Callable[[RecordError], None] | None = None,
    pack: RulePack | None = None,
    privacy: Privacy | None = None,
) -> Iterator[ChildResult]:
    """Stream :class:`ChildResult` objects one case at a time (for JSON Lines and big batches).

    Takes :func:`evaluate`'s arguments with its defaults (``rules="england"``, default
    conventions, the England and Wales calendar); ``pack`` is an older spelling of ``rules``
    for a ``RulePack`` (give one or the other). Rejected records (``RecordError``) are passed
    to ``on_error`` and yield nothing. Arguments are checked when it is called; each item as it
    is reached (a ``UsageError`` naming its position). ``privacy`` (a
    :class:`~lacplan.privacy.Privacy`: pseudonymised ids, withheld dates of birth) is applied to
    each result, with its case, and to each rejected record before it is yielded or given to
    ``on_error``.
    """
    day = _as_date(as_of)
    if pack is not None and rules is not None:
        raise UsageError("give iter_evaluate rules= or pack=, not both")
    items = _case_items(cases)
    chosen = get_pack(pack if pack is not None else "england" if rules is None else rules, overlays)
    return _stream(
        items,
        as_of=day,
        pack=chosen,
        conventions=conventions or _DEFAULT_CONVENTIONS,
        calendar=calendar or england_and_wales(),
        on_error=on_error,
        privacy=privacy,
    )


def _stream(
    items: Iterable[Case | RecordError],
    *,
    as_of: date,
    pack: RulePack,
    conventions: Conventions,
    calendar: WorkingDayCalendar,
    on_error: Callable[[RecordError], None] | None,
    privacy: Privacy | None = None,
) -> Iterator[ChildResult]:
    calendars = pack.calendars(calendar)
    applied = privacy.bind(pack, as_of) if privacy is not None else None
    for position, item in enumerate(_checked(items), 1):
        if not isinstance(item, RecordError):
            try:
                result = evaluate_case(
                    item,
                    pack,
                    as_of=as_of,
                    conventions=conventions,
                    calendar=calendar,
                    calendars=calendars,
                )
                if applied is not None:
                    result = applied.child(result, item)
            except MemoryError:
                raise
            except Exception as exc:  # this record only: the batch goes on (issue 13)
                item = evaluation_error(item, exc, position)
            else:
                yield result
                continue
        if on_error is not None:
            on_error(item if applied is None else applied.error(item))


def evaluate(
    cases: Case | RecordError | Iterable[Case | RecordError],
    as_of: date | np.datetime64,
    rules: str | RulePack = "england",
    conventions: Conventions | None = None,
    *,
    calendar: WorkingDayCalendar | None = None,
    overlays: Iterable[str | os.PathLike[str] | RulePack] = (),
    privacy: Privacy | None = None,
) -> Report:
    """Evaluate every statutory clock for ``cases`` as at ``as_of``.

    ``cases`` is one :class:`~lacplan.model.Case`, or any iterable of cases and the
    ``RecordError`` entries a loader yields (those go to ``Report.errors``); an adapter's
    :class:`~lacplan.adapters.Batch` also brings its row accounting and file findings
    (``Report.accounting``, ``Report.source_findings``). A dict, a path, text or bytes, or an
    iterable yielding anything else, is a ``UsageError`` (read files with
    :func:`~lacplan.load_cases`, validate a dict with :func:`~lacplan.parse_case`).
    ``as_of`` is a ``date`` (a midnight, timezone-naive ``pandas.Timestamp`` or a day-precision
    ``numpy.datetime64`` is converted). ``rules`` names a
    pack (``"england"``, ``"england+ifa"``) or is one; ``overlays`` stacks more on it (rule file
    paths, built-in overlay names or ``RulePack`` overlays): their obligations come beside the
    statutory ones, with their own ``source``. ``privacy`` (a :class:`~lacplan.privacy.Privacy`)
    pseudonymises child ids and withholds dates derived from the dates of birth, in the results
    and the rejected records (``docs/privacy.md``). Pure and deterministic: nothing reads the
    clock; the same input gives the same report (with ``privacy``, the same key). While it
    runs, the garbage collector's generation-0 threshold is raised (put back afterwards:
    :mod:`lacplan.collector`), which saves a fifth or more of the time on a large cohort.

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
    day = _as_date(as_of)
    items = _case_items(cases)
    pack = get_pack(rules, overlays)
    conv = conventions or _DEFAULT_CONVENTIONS
    cal = calendar or england_and_wales()
    errors: list[RecordError] = []
    # A report keeps every obligation alive: the collector's full collections would walk it
    # again and again as it grows (a fifth or more of the time on 20,000 children).
    with raised_threshold():
        children = tuple(
            _stream(
                items,
                as_of=day,
                pack=pack,
                conventions=conv,
                calendar=cal,
                on_error=errors.append,
                privacy=privacy,
            )
        )
    return report_of(cases, day, pack, conv, cal, children, errors)


def _batch(cases: object) -> Batch | None:
    """``cases`` if it is an adapter's :class:`~lacplan.adapters.Batch`. Checked without
    importing the adapters: a ``Batch`` exists only once its module has been imported."""
    sources = sys.modules.get("lacplan.adapters.sources")
    if sources is None:
        return None
    batch_type: type[Batch] = sources.Batch
    return cases if isinstance(cases, batch_type) else None


def report_of(
    cases: object,
    as_of: date,
    pack: RulePack,
    conventions: Conventions,
    calendar: WorkingDayCalendar,
    children: Iterable[ChildResult],
    errors: Iterable[RecordError],
) -> Report:
    """The :class:`Report` of one evaluation: its results with the run's provenance (and, when
    ``cases`` is an adapter's :class:`~lacplan.adapters.Batch`, its accounting and findings)."""
    batch = _batch(cases)
    return Report(
        accounting=batch.accounting.as_dict() if batch is not None else {},
        source_findings=tuple(Finding(f.code, f.field, f.message) for f in batch.findings)
        if batch is not None
        else (),
        as_of=as_of,
        rules=pack.name,
        rules_version=pack.version,
        lacplan_version=__version__,
        conventions=conventions.as_dict(),
        calendar=calendar.source.as_dict(),
        children=tuple(children),
        errors=tuple(errors),
        rules_hash=pack.content_hash,
    )
