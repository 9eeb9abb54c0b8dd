"""The parity report as a request: :func:`compare` (``lacplan compare``).

The cases are read and evaluated as every evaluating request's are; the stored due dates come
from ``due_dates`` (rows, as the ``--due-dates`` CSV's: ISO dates, ``null`` for none stored),
``due_dates_file`` (that CSV itself) or, with neither, from the input files (the SSD's review due
dates). The answer is ``lacplan compare --format json``'s document (the run's provenance,
``source``, ``summary`` counting each class, ``rows``) with the ``columns`` of each row and the
rejected records, accounting and source findings after it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from lacplan.compare import (
    COMPARISON_FIELDS,
    StoredDatesError,
    compare_report,
    period_spans,
    read_stored,
)
from lacplan.errors import UsageError
from lacplan.evaluate import report_of
from lacplan.model import Case
from lacplan.service.errors import ServiceError
from lacplan.service.inputs import private_directory
from lacplan.service.models import CompareRequest, FileIn
from lacplan.service.reports import MAX_CASES, Run, evaluated, request_of

__all__ = ["compare"]

Tick = Callable[[], None]


def _stored_rows(request: CompareRequest) -> tuple[Any, str] | None:
    """The stored due dates the request gives, and how the answer names them (``None``:
    none given, so the input files' own)."""
    if request.due_dates is not None and request.due_dates_file is not None:
        raise ServiceError(
            "invalid_value",
            "due_dates",
            "give due_dates or due_dates_file, not both.",
        )
    if request.due_dates is not None:
        rows = [r.model_dump(exclude_none=False) for r in request.due_dates]
        for row in rows:
            row["sequence"] = 1 if row["sequence"] is None else row["sequence"]
        try:
            return read_stored(rows), "<rows>"
        except (StoredDatesError, ValueError) as exc:
            raise _bad_rows(exc, "due_dates") from None
    if request.due_dates_file is not None:
        return _stored_file(request.due_dates_file), os.path.basename(request.due_dates_file.name)
    return None


def _stored_file(file: FileIn) -> Any:
    base = os.path.basename(file.name)
    if base in ("", ".", "..") or "\\" in base or "\x00" in base:
        raise ServiceError(
            "invalid_value", "due_dates_file.name", "due_dates_file.name: is not a file name."
        )
    with private_directory() as root:
        path = os.path.join(root, base)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(file.data)
        try:
            return read_stored(path)
        except (UsageError, ValueError) as exc:
            raise _bad_rows(exc, "due_dates_file") from None


def _bad_rows(exc: Exception, path: str) -> ServiceError:
    """The stored dates' problems, by row and column (never the file's name or a cell)."""
    if isinstance(exc, StoredDatesError) and exc.problems:
        listed = []
        for p in exc.problems[:10]:
            at = "the header row" if p.row is None else f"row {p.row}"
            listed.append(
                f"{at}, column {p.column}: {p.message}" if p.column else f"{at}: {p.message}"
            )
        more = len(exc.problems) - len(listed)
        return ServiceError(
            "invalid_value",
            path,
            f"{path}: {len(exc.problems)} problem(s): {'; '.join(listed)}"
            + (f"; and {more} more." if more > 0 else "."),
        )
    return ServiceError(
        "unreadable_file",
        path,
        f"{path}: cannot be read as stored due dates (a CSV file with a header row of "
        "child_id, rule, due and optional sequence, period_id, period_start, anchor, "
        "placement_id).",
    )


def compare(
    request: Mapping[str, Any] | CompareRequest,
    *,
    max_cases: int = MAX_CASES,
    tick: Tick | None = None,
) -> dict[str, Any]:
    """The parity report of ``request``
    (:class:`~lacplan.service.models.CompareRequest`): each stored due date beside lacplan's,
    classified (``docs/parity.md``); ``rows`` of :data:`lacplan.compare.COMPARISON_FIELDS`."""
    req = request_of(CompareRequest, request)
    run = Run.of(req)
    given = _stored_rows(req)
    loaded, children, errors = evaluated(req, run, max_cases, tick)
    if given is not None:
        stored, source = given
    else:
        stored = list(loaded.batch.stored_due_dates) if loaded.batch is not None else []
        if not stored:
            raise ServiceError(
                "missing_field",
                "due_dates",
                "due_dates: no stored due dates to compare; the inputs carry none (the SSD's "
                "reviews do): give due_dates or due_dates_file.",
            )
        names = [f.name for f in req.files or ()]
        source = "the inputs (" + ", ".join(names) + ")"
    report = report_of(
        loaded.batch, run.as_of, run.pack, run.conventions, run.calendar, children, errors
    )
    spans = period_spans(c for c in loaded.items if isinstance(c, Case))
    try:
        comparison = compare_report(report, stored, cases=spans, rules=run.pack)
    except UsageError:
        raise ServiceError(
            "usage", "", "the stored due dates cannot be compared with this report."
        ) from None
    doc = run.header()
    doc["source"] = source
    doc["summary"] = comparison.summary
    doc["columns"] = list(COMPARISON_FIELDS)
    doc["rows"] = comparison.as_rows()
    doc.update(run.tail(loaded, errors))
    return loaded.renamed(doc)  # type: ignore[no-any-return]
