"""One evaluation held for follow-up questions: what the in-browser app (docs/web.md) asks.

The HTTP functions (:func:`~lacplan.service.evaluate`, :func:`~lacplan.service.summary`,
:func:`~lacplan.service.upcoming`, :func:`~lacplan.service.explain`) each read and evaluate
their input, as a stateless service must. A page that shows a cohort's summary, its worklist,
any child's obligations and any date's explanation, and offers each as a download, would
evaluate the same files again for every view. :class:`Session` evaluates them once::

    session = Session.open({"files": [...], "input_format": "auto", "as_of": "2026-06-01"})
    session.overview()               # provenance, counts, children, summary, worklist, errors
    session.child("C1")              # one child's obligations (rule, due, status, ...)
    session.explanation("C1", key)   # how one date was reached (built only when asked)
    session.csv("obligations")       # the bytes `lacplan evaluate --format csv` writes
    session.csv("summary")           # ... `lacplan summary --format csv`
    session.csv("worklist")          # ... `lacplan upcoming --format csv`

The request is :class:`~lacplan.service.models.SessionRequest` (the evaluating options, the
summary's ``period`` and the worklist's ``days``); its answers are JSON-compatible values, and
everything is computed by the same functions as the CLI's, so the downloads equal the CLI's
output on the same files (tested). A session holds the evaluated results in memory and nothing
else: no file is kept once :meth:`Session.open` returns.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final

from lacplan.columns import row_maker, select_columns
from lacplan.escape import csv_text
from lacplan.measures import council_year, summary_table, worklist_table
from lacplan.model import RecordError
from lacplan.obligation import OBLIGATION_FIELDS
from lacplan.outputs import write_csv_values, write_measure_csv
from lacplan.report import STATUS_ORDER, ChildResult
from lacplan.service.errors import ServiceError
from lacplan.service.inputs import Loaded, load_inputs
from lacplan.service.models import SessionRequest
from lacplan.service.reports import (
    MAX_CASES,
    Run,
    Tick,
    in_range,
    iso,
    iso_rows,
    request_of,
)
from lacplan.service.values import period_of

__all__ = ["CHILD_COLUMNS", "DOWNLOADS", "Session"]

#: The columns of :meth:`Session.child`'s rows (the page's table and timeline), in the order of
#: :data:`~lacplan.obligation.OBLIGATION_FIELDS`: the run's own fields and the long texts left out.
CHILD_COLUMNS: Final = tuple(
    f
    for f in OBLIGATION_FIELDS
    if f
    not in {"rule_version", "rule_variant", "child_id", "period_id", "placement_id"}
    | {"citation_url", "explanation", "base_rule"}
)

#: What :meth:`Session.csv` and :meth:`Session.xlsx` write, and the CLI command each equals.
DOWNLOADS: Final = {
    "obligations": "lacplan evaluate --format csv",
    "summary": "lacplan summary --format csv",
    "worklist": "lacplan upcoming --format csv",
}


#: ``progress(phase, records)``: ``"reading"`` or ``"evaluating"``, and the records so far.
Progress = Callable[[str, int], None]


def _counting(phase: str, tick: Tick | None, progress: Progress | None) -> Tick | None:
    """The tick of one phase: ``tick()``, then ``progress(phase, records so far)``."""
    if tick is None and progress is None:
        return None
    count = 0

    def counted() -> None:
        nonlocal count
        count += 1
        if tick is not None:
            tick()
        if progress is not None:
            progress(phase, count)

    return counted


@dataclass(frozen=True, slots=True)
class _Table:
    columns: list[str]
    rows: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": iso_rows(self.rows, self.columns)}


class Session:
    """A request's records, evaluated once; each method answers one view or download."""

    __slots__ = (
        "_by_id",
        "_children",
        "_days",
        "_errors",
        "_loaded",
        "_period",
        "_repeated",
        "_run",
    )

    def __init__(
        self,
        run: Run,
        loaded: Loaded,
        children: list[ChildResult],
        errors: list[RecordError],
        period: tuple[date, date],
        days: int,
    ) -> None:
        self._run = run
        self._loaded = loaded
        self._children = children
        self._errors = errors
        self._period = period
        self._days = days
        self._by_id: dict[str, ChildResult] = {}
        repeated: set[str] = set()  # ids more than one record gives: no child view can be chosen
        for child in children:
            if child.child_id in self._by_id:
                repeated.add(child.child_id)
            else:
                self._by_id[child.child_id] = child
        self._repeated = frozenset(repeated)

    @classmethod
    def open(
        cls,
        request: Mapping[str, Any] | SessionRequest,
        *,
        max_cases: int = MAX_CASES,
        tick: Tick | None = None,
        progress: Progress | None = None,
    ) -> Session:
        """Read and evaluate the request's records. ``tick()`` is called before each record
        is read and before it is evaluated (the server's time limit), ``progress(phase, n)``
        likewise with ``"reading"`` or ``"evaluating"`` and the records so far (the page's
        progress indicator). Raises :class:`~lacplan.service.ServiceError` for a request that
        cannot be acted on; invalid records are kept as :meth:`overview`'s ``errors``."""
        req = request_of(SessionRequest, request)
        run = Run.of(req)
        period = period_of(req.period) if req.period is not None else council_year(req.as_of)
        for day in period:
            in_range(day, "period")
        loaded = load_inputs(req, max_cases=max_cases, tick=_counting("reading", tick, progress))
        errors: list[RecordError] = []
        evaluating = _counting("evaluating", tick, progress)
        children = list(run.children(loaded.items, errors, evaluating))
        loaded.items.clear()  # the cases are evaluated: only their results are kept
        return cls(run, loaded, children, errors, period, req.days)

    # ------------------------------------------------------------------ views
    def overview(self) -> dict[str, Any]:
        """Everything the page shows first: the provenance (``as_of``, ``rules``, ...), the
        ``counts`` (children, rejected records, obligations and each status), one entry per
        child (``child_id``, ``obligations``, ``statuses``), the ``summary`` and ``worklist``
        tables (``columns``, ``rows``), then ``errors``, ``accounting`` and
        ``source_findings`` as the JSON document ends."""
        statuses: Counter[str] = Counter()
        children = []
        for child in self._children:
            counts = child.status_counts()
            statuses.update(counts)
            children.append(
                {
                    "child_id": child.child_id,
                    "obligations": len(child.obligations),
                    "statuses": counts,
                }
            )
        doc = self._run.header()
        doc["counts"] = {
            "children": len(self._children),
            "rejected": len(self._errors),
            "obligations": sum(statuses.values()),
            "statuses": {s: statuses[s] for s in STATUS_ORDER if statuses[s]},
        }
        doc["children"] = children
        doc["summary"] = {
            "period": {"from": self._period[0].isoformat(), "to": self._period[1].isoformat()},
            **self._summary().as_dict(),
        }
        doc["worklist"] = {
            "days": self._days,
            "until": (self._run.as_of + timedelta(days=self._days)).isoformat(),
            **self._worklist().as_dict(),
        }
        doc.update(self._run.tail(self._loaded, self._errors))
        return self._loaded.renamed(doc)  # type: ignore[no-any-return]

    def child(self, child_id: str) -> dict[str, Any]:
        """One child's ``labels``, ``findings`` and obligations (``columns`` :data:`CHILD_COLUMNS`,
        ``rows`` in the evaluation's order, ISO dates). Explanations are not built here. A
        :class:`~lacplan.service.ServiceError`: ``not_found`` for an id no record gives,
        ``invalid_value`` for one that more than one record gives."""
        found = self._child(child_id)
        return {
            "child_id": found.child_id,
            "labels": dict(found.labels),
            "findings": [f.as_dict() for f in found.findings],
            "columns": list(CHILD_COLUMNS),
            "rows": [{c: iso(getattr(o, c)) for c in CHILD_COLUMNS} for o in found.obligations],
        }

    def explanation(self, child_id: str, key: str) -> dict[str, Any]:
        """How one obligation's date was reached: its fields (``as_dict()``, the explanation
        and its ``url`` among them), by the child's id and the obligation's ``key``."""
        for o in self._child(child_id).obligations:
            if o.key == key:
                return o.as_dict()
        raise ServiceError("not_found", "key", "key: the child has no obligation with that key.")

    # ------------------------------------------------------------------ downloads
    def csv(self, kind: str, *, excel_safe: bool = True) -> str:
        """The CSV text of ``kind`` (:data:`DOWNLOADS`), byte for byte what its CLI command
        writes for the same records with ``--excel-safe`` (``excel_safe=False``: without)."""
        out = io.StringIO()
        if kind == "obligations":
            columns, rows = self._obligation_rows(excel_safe)
            write_csv_values((), columns, out)
            out.write(csv_text(rows))
        else:
            table = self._table(kind)
            write_measure_csv(table.rows, table.columns, out, safe=excel_safe)
        return out.getvalue()

    def xlsx(self, kind: str) -> bytes:
        """The xlsx workbook of ``kind`` (:data:`DOWNLOADS`), as ``--format xlsx`` writes it
        (needs openpyxl, the ``xlsx`` extra; ``ModuleNotFoundError`` without it)."""
        from lacplan.tabular import obligation_sheets, write_xlsx

        out = io.BytesIO()
        if kind == "obligations":
            columns, rows = self._obligation_rows(False, iso=False)
            errors = [replace(e, file=self._loaded.renamed(e.file)) for e in self._errors]
            write_xlsx(out, obligation_sheets(columns, rows, errors))
        else:
            table = self._table(kind)
            write_xlsx(out, {"rows": (table.columns, table.rows)})
        return out.getvalue()

    # ------------------------------------------------------------------ helpers
    def _child(self, child_id: str) -> ChildResult:
        found = self._by_id.get(child_id)
        if found is None:
            raise ServiceError("not_found", "child", "child: no child with that id in the input.")
        if child_id in self._repeated:
            raise ServiceError(
                "invalid_value",
                "child",
                "child: more than one record in the input has that id, so which child is meant "
                "cannot be told; give each child one record (all its periods of care in one "
                "case).",
            )
        return found

    def _table(self, kind: str) -> _Table:
        tables: dict[str, Callable[[], _Table]] = {
            "summary": self._summary,
            "worklist": self._worklist,
        }
        if kind not in tables:
            raise ServiceError(
                "invalid_value", "kind", f"kind: must be one of {', '.join(DOWNLOADS)}."
            )
        return tables[kind]()

    def _summary(self) -> _Table:
        return _Table(
            *summary_table(
                self._children,
                as_of=self._run.as_of,
                period=self._period,
                by="rule",
                rule_order=self._run.pack.ids,
            )
        )

    def _worklist(self) -> _Table:
        return _Table(
            *worklist_table(self._children, as_of=self._run.as_of, days=self._days, by=None)
        )

    def _obligation_rows(
        self, excel_safe: bool, *, iso: bool = True
    ) -> tuple[list[str], list[Any]]:
        labels = {k for child in self._children for k in child.labels}
        columns = select_columns(None, labels)
        make = row_maker(
            columns,
            as_of=self._run.as_of,
            rules_version=self._run.pack.version,
            iso=iso,
            excel_safe=excel_safe,
        )
        return columns, [row for child in self._children for row in make(child)]
