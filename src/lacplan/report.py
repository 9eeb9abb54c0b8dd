"""The result of an evaluation: obligations per child, findings and rejected records.

``Obligation`` rows (``lacplan.obligation``) are immutable and cheap to build in the engine's hot
loop, their explanations written only when read;
``Report`` bundles them with everything needed to reproduce the run: ``as_of``, the rule pack and
its version, lacplan's version, the conventions and the calendar's data source.

A report answers look-ups without scanning: ``report.obligations`` (a tuple, in report order),
``report.child(child_id)``, ``report.obligation(key)`` and ``report.status_counts()`` are built
once, on first use. ``repr()`` is one short line and, in a notebook, ``_repr_html_`` shows what
needs attention first (at most :data:`HTML_MAX_ROWS` rows).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from typing import TYPE_CHECKING, Any, Literal, get_args

from lacplan.model import Finding, RecordError
from lacplan.obligation import OBLIGATION_FIELDS, Obligation

if TYPE_CHECKING:
    from lacplan.compare import Comparison
    from lacplan.rules import RulePack

__all__ = [
    "HTML_CHILD_MAX_ROWS",
    "HTML_MAX_ROWS",
    "OBLIGATION_FIELDS",
    "ROW_FIELDS",
    "STATUS_ORDER",
    "ChildResult",
    "Obligation",
    "Report",
    "Status",
    "child_rows",
]

#: An obligation's status.
Status = Literal[
    "overdue",
    "missed",
    "met_late",
    "pending",
    "met_on_time",
    "exempt",
    "not_required",
    "not_evaluated",
]
#: Statuses, most urgent first (the order reports and tables sort by).
STATUS_ORDER: tuple[str, ...] = get_args(Status)

#: Columns of :meth:`Report.rows`, CSV output and :meth:`Report.to_dataframe`, in order, before
#: the ``label_<name>`` columns: an obligation's fields, then the run's ``as_of`` and
#: ``rules_version`` (so that rows from several runs can be stacked and told apart).
ROW_FIELDS: tuple[str, ...] = (*OBLIGATION_FIELDS, "as_of", "rules_version")

#: Most rows a report's notebook view (``Report._repr_html_``) shows.
HTML_MAX_ROWS: int = 200
#: Most rows a child's notebook view (``ChildResult._repr_html_``) shows.
HTML_CHILD_MAX_ROWS: int = 100


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _count_statuses(obligations: Iterable[Obligation]) -> dict[str, int]:
    """Counts by status in :data:`STATUS_ORDER` (only statuses present; any unknown one last)."""
    counts = Counter(o.status for o in obligations)
    ordered = {s: counts[s] for s in STATUS_ORDER if s in counts}
    ordered.update(sorted((s, n) for s, n in counts.items() if s not in ordered))
    return ordered


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _summary(counts: Mapping[str, int]) -> str:
    """``" (2 overdue, 9 met_on_time)"``, or nothing when there are no obligations."""
    if not counts:
        return ""
    return " (" + ", ".join(f"{n} {s}" for s, n in counts.items()) + ")"


@dataclass(frozen=True, slots=True)
class ChildResult:
    """Everything computed for one child."""

    child_id: str
    labels: Mapping[str, str]
    obligations: tuple[Obligation, ...]
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "labels": dict(self.labels),
            "obligations": [o.as_dict() for o in self.obligations],
            "findings": [f.as_dict() for f in self.findings],
        }

    def status_counts(self) -> dict[str, int]:
        """How many of this child's obligations have each status, in :data:`STATUS_ORDER`
        (only the statuses present)."""
        return _count_statuses(self.obligations)

    def __repr__(self) -> str:
        counts = self.status_counts()
        return (
            f"<ChildResult {self.child_id!r}: "
            f"{_plural(len(self.obligations), 'obligation', 'obligations')}{_summary(counts)}, "
            f"{_plural(len(self.findings), 'finding', 'findings')}>"
        )

    def _repr_html_(self, max_rows: int | None = None) -> str:
        """A notebook view: the child's counts, then its obligations most urgent first (at most
        ``max_rows``, default :data:`HTML_CHILD_MAX_ROWS`)."""
        from lacplan.outputs import _child_html

        return _child_html(self, max_rows=HTML_CHILD_MAX_ROWS if max_rows is None else max_rows)


class _Index:
    """A report's look-ups, each built on first use (never compared, printed or pickled)."""

    __slots__ = ("by_child", "by_key", "counts", "obligations")

    def __init__(self) -> None:
        self.obligations: tuple[Obligation, ...] | None = None
        self.by_key: dict[str, Obligation] | None = None
        self.by_child: dict[str, ChildResult] | None = None
        self.counts: dict[str, int] | None = None

    def __reduce__(self) -> tuple[type[_Index], tuple[()]]:
        return (_Index, ())


@dataclass(frozen=True, slots=True)
class Report:
    """An evaluation's result and the provenance needed to reproduce it."""

    as_of: date
    rules: str
    rules_version: str
    lacplan_version: str
    conventions: Mapping[str, Any]
    calendar: Mapping[str, Any]
    children: tuple[ChildResult, ...]
    errors: tuple[RecordError, ...] = ()
    rules_hash: str = ""
    """Content hash of the rule declarations used (``RulePack.content_hash``)."""
    accounting: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Rows read per input table: ``{TABLE: {"rows", "used", "ignored": {REASON: n},
    "rejected"}}`` (from table sources such as SSDA903; empty for JSON)."""
    source_findings: tuple[Finding, ...] = ()
    """Findings about whole input files (a collection year assumed, dates of birth cut to the
    1st of the month); each child's own findings are in its result."""
    _index: _Index | None = field(default=None, init=False, repr=False, compare=False)

    def _lookups(self) -> _Index:
        index = self._index
        if index is None:
            index = _Index()
            object.__setattr__(self, "_index", index)
        return index

    def header(self) -> dict[str, Any]:
        """The provenance block written at the top of every output."""
        return {
            "as_of": self.as_of.isoformat(),
            "rules": self.rules,
            "rules_version": self.rules_version,
            "rules_hash": self.rules_hash,
            "lacplan_version": self.lacplan_version,
            "conventions": dict(self.conventions),
            "calendar": dict(self.calendar),
        }

    def to_dict(self) -> dict[str, Any]:
        out = self.header()
        out["children"] = [c.as_dict() for c in self.children]
        out["errors"] = [e.as_dict() for e in self.errors]
        out["accounting"] = {k: dict(v) for k, v in self.accounting.items()}
        out["source_findings"] = [f.as_dict() for f in self.source_findings]
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        """Every obligation of every child, in report order (a tuple, built on first use)."""
        index = self._lookups()
        if index.obligations is None:
            index.obligations = tuple(chain.from_iterable(c.obligations for c in self.children))
        return index.obligations

    def rows(self) -> Iterator[dict[str, Any]]:
        """Flat rows (one per obligation): :data:`ROW_FIELDS` (the obligation's fields with ISO
        dates, then the report's ``as_of`` and ``rules_version``), then the child's labels as
        ``label_<name>`` columns."""
        for child in self.children:
            yield from child_rows(child, self.as_of, self.rules_version)

    def to_dataframe(self) -> Any:
        """The obligations as a ``pandas.DataFrame`` (needs the ``pandas`` extra).

        One row per obligation, columns :data:`ROW_FIELDS` then ``label_<name>``, built column
        by column (:func:`lacplan.frames.report_frame`, where every column's type is listed):
        ``anchor``, ``due``, ``met_on`` and ``as_of`` are ``datetime64`` columns, ``status`` an
        ordered categorical (most urgent first), ``rule``, the other per-rule text and the labels
        categoricals, ``days_late`` a nullable integer.
        """
        from lacplan.frames import report_frame

        return report_frame(self)

    def to_arrow(self) -> Any:
        """The rows as a ``pyarrow.Table`` (needs the ``parquet`` extra): dates as ``date32``,
        ``sequence`` and ``days_late`` as ``int64``, the rest strings."""
        from lacplan.tabular import to_arrow

        return to_arrow(self)

    def summary(
        self,
        *,
        period: tuple[date, date] | None = None,
        by: str | Sequence[str] = "rule",
        rule_order: Sequence[str] | None = None,
    ) -> Any:
        """On-time rates per rule as a ``pandas.DataFrame`` (the rows of
        :func:`lacplan.measures.summary_rows`: group columns, then ``SUMMARY_COLUMNS``), for
        obligations due in ``period`` (default: the council year containing ``as_of``)."""
        from lacplan.measures import SUMMARY_COLUMNS, group_columns, summary_rows

        rows = summary_rows(
            self.children, as_of=self.as_of, period=period, by=by, rule_order=rule_order
        )
        columns = [*group_columns(by), *SUMMARY_COLUMNS]
        df = _pandas("Report.summary").DataFrame(rows, columns=columns)
        df["rate"] = df["rate"].astype("Float64")
        return df

    def upcoming(self, days: int = 14, *, by: str | None = None) -> Any:
        """The worklist as a ``pandas.DataFrame``: overdue, or due within ``days`` days of
        ``as_of``, most urgent first (:func:`lacplan.measures.upcoming_rows`)."""
        from lacplan.measures import UPCOMING_COLUMNS, upcoming_rows

        pd = _pandas("Report.upcoming")
        rows = upcoming_rows(self.children, as_of=self.as_of, days=days, by=by)
        label = [f"label_{by[6:]}"] if by else []
        df = pd.DataFrame(rows, columns=[*label, *UPCOMING_COLUMNS])
        df["due"] = pd.to_datetime(df["due"])
        df["days_overdue"] = df["days_overdue"].astype("Int64")
        return df

    def compare(
        self, stored: object, *, cases: Any = None, rules: str | RulePack | None = None
    ) -> Comparison:
        """The parity report: the due dates a case system stored (``stored``: a CSV file's
        path, a ``pandas.DataFrame``, or an iterable of mappings or of ``StoredDue``) beside
        this report's, every difference classified (:func:`lacplan.compare.compare_report`,
        which says what ``cases`` and ``rules`` are; ``docs/parity.md``)."""
        from lacplan.compare import compare_report

        return compare_report(self, stored, cases=cases, rules=rules)

    def status_counts(self) -> dict[str, int]:
        """How many obligations have each status, in :data:`STATUS_ORDER` (only the statuses
        present)."""
        index = self._lookups()
        if index.counts is None:
            index.counts = _count_statuses(self.obligations)
        return dict(index.counts)

    def obligation(self, key: str) -> Obligation:
        """The obligation with this key (``KeyError`` if none)."""
        index = self._lookups()
        if index.by_key is None:
            # Reversed, so that were a key ever repeated the first one would win.
            index.by_key = {o.key: o for o in reversed(self.obligations)}
        try:
            return index.by_key[key]
        except KeyError:
            raise KeyError(key) from None

    def child(self, child_id: str) -> ChildResult:
        """The result for the child with this id (the first, if the input repeated it);
        ``KeyError`` with that id alone if there is none."""
        index = self._lookups()
        if index.by_child is None:
            index.by_child = {c.child_id: c for c in reversed(self.children)}
        try:
            return index.by_child[child_id]
        except KeyError:
            raise KeyError(child_id) from None

    def __repr__(self) -> str:
        counts = self.status_counts()
        n = sum(counts.values())
        return (
            f"<Report as_of={self.as_of.isoformat()} rules={self.rules} {self.rules_version}: "
            f"{_plural(len(self.children), 'child', 'children')}, "
            f"{_plural(len(self.errors), 'error', 'errors')}, "
            f"{_plural(n, 'obligation', 'obligations')}{_summary(counts)}>"
        )

    def _repr_html_(self, max_rows: int | None = None) -> str:
        """A notebook view: provenance and counts, then what needs attention most (overdue,
        missed, met late, pending...; at most ``max_rows``, default :data:`HTML_MAX_ROWS`)."""
        from lacplan.outputs import _report_html

        return _report_html(self, max_rows=HTML_MAX_ROWS if max_rows is None else max_rows)


def _pandas(what: str) -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{what} needs pandas: pip install 'lacplan[pandas]'") from exc
    return pd


def child_rows(child: ChildResult, as_of: date, rules_version: str) -> Iterator[dict[str, Any]]:
    """One child's flat rows (:data:`ROW_FIELDS`, then ``label_<name>``), as
    :meth:`Report.rows` gives them; for writers that stream children one at a time."""
    run = {"as_of": as_of.isoformat(), "rules_version": rules_version}
    extra = {f"label_{k}": v for k, v in child.labels.items()}
    for o in child.obligations:
        row = o.as_dict()
        row.update(run)
        row.update(extra)
        yield row
