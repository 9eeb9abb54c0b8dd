"""Writers: a :class:`~lacplan.report.Report` (or a stream of child results) to JSON, JSON Lines,
CSV or a terminal table.

* ``json``: one document ``{"as_of", "rules", "rules_version", "rules_hash", "lacplan_version",
  "conventions", "calendar", "children": [...], "errors": [...], "accounting", "source_findings"}``
  (:class:`JsonDocument` writes it child by child, byte for byte what :func:`write_json` gives);
* ``jsonl``: one line per child (``{"child_id", "labels", "obligations", "findings"}``), and one
  line ``{"error": {...}}`` per rejected record, written as they are evaluated;
* ``csv``: one row per obligation (:data:`~lacplan.report.ROW_FIELDS`: the obligation's
  fields, then the run's ``as_of`` and ``rules_version``; then a ``label_<name>`` column per
  label key), rejected records are not rows: the CLI reports them on standard error;
* ``table``: a readable summary for a terminal.

``--columns`` (:mod:`lacplan.columns`) chooses the fields of each obligation or row.

The notebook views (``Report._repr_html_``, ``ChildResult._repr_html_``) are rendered here too:
compact HTML with inline styles only, every value escaped, at most a bounded number of rows
chosen without sorting the whole report.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from html import escape
from itertools import islice
from typing import Any, TextIO

from lacplan.adapters.sources import Batch
from lacplan.calendar import fmt_date
from lacplan.columns import child_dict, select_columns
from lacplan.escape import csv_text, excel_safe, printable
from lacplan.jsontext import compact, indented
from lacplan.model import Finding, RecordError
from lacplan.report import STATUS_ORDER, ChildResult, Obligation, Report

__all__ = [
    "FILE_FORMATS",
    "FORMATS",
    "JsonDocument",
    "count_of",
    "csv_columns",
    "write_csv",
    "write_csv_rows",
    "write_csv_values",
    "write_error_line",
    "write_json",
    "write_json_child",
    "write_jsonl_child",
    "write_jsonl_error",
    "write_jsonl_trailer",
    "write_measure_csv",
    "write_table",
]

FORMATS: tuple[str, ...] = ("json", "jsonl", "csv", "table", "xlsx", "parquet")
#: Formats written to a file (``-o``) rather than a text stream.
FILE_FORMATS: tuple[str, ...] = ("xlsx", "parquet")
_CSV_CHUNK = 500


def write_json(report: Report, out: TextIO) -> None:
    json.dump(report.to_dict(), out, indent=2)
    out.write("\n")


def write_json_child(
    child: ChildResult,
    out: TextIO,
    pick: Callable[[Obligation], dict[str, Any]] | None = None,
) -> None:
    """One child as the JSON document holds it (indented as two levels deep, no separator):
    the text :meth:`JsonDocument.child_text` takes; ``pick`` as for
    :func:`write_jsonl_child`."""
    out.write(_indented(child_dict(child, pick), 2))


def write_jsonl_child(
    child: ChildResult,
    out: TextIO,
    pick: Callable[[Obligation], dict[str, Any]] | None = None,
) -> None:
    """One child's line; ``pick`` (:func:`lacplan.columns.obligation_picker`) chooses the
    obligations' fields."""
    out.write(compact(child_dict(child, pick)))
    out.write("\n")


def write_jsonl_error(error: RecordError, out: TextIO) -> None:
    out.write(json.dumps({"error": error.as_dict()}, separators=(",", ":")))
    out.write("\n")


def write_jsonl_trailer(batch: Batch, out: TextIO) -> None:
    """After the children: ``{"source_finding": ...}`` lines, then one ``{"accounting": ...}``
    line when the input had tables (an SSDA903 return)."""
    for f in batch.findings:
        out.write(json.dumps({"source_finding": f.model_dump()}, separators=(",", ":")))
        out.write("\n")
    if batch.accounting.tables:
        out.write(json.dumps({"accounting": batch.accounting.as_dict()}, separators=(",", ":")))
        out.write("\n")


def csv_columns(
    report: Report | None, chosen: Sequence[str] | None = None, *, label_keys: Iterable[str] = ()
) -> list[str]:
    """The CSV columns: :data:`ROW_FIELDS` and a ``label_<name>`` per label key (the report's,
    or ``label_keys``), or ``chosen`` (checked against those, in the order given)."""
    keys = set(label_keys)
    if report is not None:
        keys |= {k for c in report.children for k in c.labels}
    if not chosen:
        return select_columns(None, keys)
    return select_columns(",".join(chosen))


def write_csv(report: Report, out: TextIO, columns: Sequence[str] | None = None) -> None:
    """One row per obligation; ``columns`` chooses and orders the columns (default: all)."""
    write_csv_rows(report.rows(), csv_columns(report, columns), out)


def write_csv_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    """Write flat rows (dicts) as CSV (header first), one at a time: nothing is held."""
    write_csv_values(([row.get(c) for c in columns] for row in rows), columns, out)


def write_csv_values(rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO) -> None:
    """Write rows of values (in ``columns`` order; ``None`` is an empty cell) as CSV, header
    first, a few hundred at a time (:func:`lacplan.escape.csv_text`: a row holding a carriage
    return has every field quoted). The header waits for the first row (or the end), so that
    an input refused as it is first read leaves the output empty."""
    rows = iter(rows)
    first = next(rows, None)
    out.write(csv_text([columns]))
    if first is not None:
        out.write(csv_text([first]))
        while chunk := list(islice(rows, _CSV_CHUNK)):
            out.write(csv_text(chunk))


def write_measure_csv(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    out: TextIO,
    *,
    safe: bool = False,
) -> None:
    """Measure rows (``lacplan summary`` and ``lacplan upcoming`` with ``--format csv``): the
    header, then each row's ``columns`` (dates ISO, ``None`` an empty cell; ``safe`` is
    ``--excel-safe``, :func:`~lacplan.escape.excel_safe`)."""
    out.write(csv_text([columns]))
    out.write(csv_text([_measure_cell(row.get(c), safe) for c in columns] for row in rows))


def _measure_cell(value: object, safe: bool) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        value = value.isoformat()
    return excel_safe(value) if safe else value


class JsonDocument:
    """The ``json`` document written as it is produced, byte for byte what :func:`write_json`
    writes for the same report: the ``header`` entries, then each child as it comes, then the
    ``tail`` entries (the errors, accounting and source findings, known at the end). Nothing
    is written before the first child (or the end), so that an input refused as it is first
    read leaves the output empty."""

    __slots__ = ("_header", "_n", "_out")

    def __init__(self, out: TextIO, header: Mapping[str, Any]) -> None:
        self._out, self._header, self._n = out, header, 0

    def _start(self) -> None:
        out = self._out
        out.write("{")
        for key, value in self._header.items():
            out.write(f"\n  {json.dumps(key)}: {_indented(value, 1)},")
        out.write('\n  "children": [')

    def child(self, value: Any) -> None:
        """Write one child (a JSON-ready dict: :func:`lacplan.columns.child_dict`)."""
        self.child_text(_indented(value, 2))

    def child_text(self, text: str) -> None:
        """Write one child given as its text (what :func:`write_json_child` writes)."""
        if not self._n:
            self._start()
        self._out.write(",\n    " if self._n else "\n    ")
        self._out.write(text)
        self._n += 1

    def close(self, tail: Mapping[str, Any]) -> None:
        """End the children and write ``tail``'s entries."""
        if not self._n:
            self._start()
        out = self._out
        out.write("\n  ]" if self._n else "]")
        for key, value in tail.items():
            out.write(f",\n  {json.dumps(key)}: {_indented(value, 1)}")
        out.write("\n}\n")


def _indented(value: Any, level: int) -> str:
    """``json.dumps(value, indent=2)`` as it reads ``level`` levels deep in a document."""
    return indented(value).replace("\n", "\n" + "  " * level)


_STATUS_MARK = {
    "overdue": "OVERDUE",
    "missed": "MISSED",
    "met_late": "late",
    "pending": "pending",
    "met_on_time": "on time",
    "exempt": "exempt",
    "not_required": "not required",
    "not_evaluated": "not evaluated",
}


def _table_row(o: Obligation) -> list[str]:
    return [
        printable(o.period_id),
        printable(o.rule),
        printable(o.placement_id or ""),
        str(o.sequence),
        o.due.isoformat() if o.due else "-",
        o.met_on.isoformat() if o.met_on else "",
        _STATUS_MARK.get(o.status, o.status),
        "" if o.days_late is None else str(o.days_late),
        printable(o.reason or ""),
    ]


_HEADER = ["period", "rule", "placement", "#", "due", "met on", "status", "late", "reason"]
#: How the table titles each source's block (statutory first, overlays after, never mixed).
_SOURCE_TITLES = {"statutory": "", "agency": "Agency standards", "local": "Local standards"}


def _by_source(obligations: Iterable[Obligation]) -> dict[str, list[Obligation]]:
    groups: dict[str, list[Obligation]] = {}
    for o in obligations:
        groups.setdefault(o.source, []).append(o)
    return dict(sorted(groups.items(), key=lambda kv: list(_SOURCE_TITLES).index(kv[0])))


def _write_block(obs: list[Obligation], out: TextIO, explain: bool) -> None:
    rows = [_table_row(o) for o in obs]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(_HEADER)]
    out.write(
        "  " + "  ".join(h.ljust(w) for h, w in zip(_HEADER, widths, strict=True)).rstrip() + "\n"
    )
    for row, ob in zip(rows, obs, strict=True):
        out.write("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        out.write("\n")
        if explain:
            out.write(f"      {printable(ob.explanation)}\n")


def write_table(report: Report, out: TextIO, *, explain: bool = False) -> None:
    """A terminal summary: provenance, one block per child (statutory obligations, then each
    overlay's standards in a block of their own), status totals and errors. Every id, label,
    reason, explanation and message is :func:`~lacplan.escape.printable`'s: control
    characters and lone surrogates are escaped."""
    head = (
        f"lacplan {report.lacplan_version} | rules {report.rules} {report.rules_version} | "
        f"as at {fmt_date(report.as_of)} | calendar {report.calendar.get('name')} "
        f"(holidays {report.calendar.get('provider_version')})"
    )
    out.write(printable(head) + "\n")
    legend = ", ".join(f"{word} = {code}" for code, word in _STATUS_MARK.items() if word != code)
    out.write(f"status words: {legend}; the late column counts days after the due date\n")
    for child in report.children:
        labels = printable(", ".join(f"{k}={v}" for k, v in child.labels.items()))
        who = printable(child.child_id)
        out.write(f"\nChild {who}" + (f" ({labels})" if labels else "") + "\n")
        groups = _by_source(child.obligations)
        if not groups:
            _write_block([], out, explain)
        for source, obs in groups.items():
            if _SOURCE_TITLES[source]:
                out.write(f"  {_SOURCE_TITLES[source]} (beside the statute):\n")
            _write_block(obs, out, explain)
        for f in child.findings:
            out.write(f"  {printable(f'finding {f.code}: {f.message}')}\n")
    n = count_of(len(report.children), "child", "children")
    totals = _by_source(report.obligations)
    if not totals:
        out.write(f"\n{n} evaluated\n")
    for k, (source, obs) in enumerate(totals.items()):
        counts = Counter(o.status for o in obs)
        summary = ", ".join(f"{counts[s]} {s}" for s in _STATUS_MARK if s in counts)
        if k == 0:
            what = "" if source == "statutory" else f" ({source})"
            out.write(f"\n{n} evaluated{what}: {summary}\n")
        else:
            out.write(f"{_SOURCE_TITLES[source]}: {summary}\n")
    for f in report.source_findings:
        out.write(printable(f"finding {f.code}: {f.message}") + "\n")
    if report.errors:
        out.write(f"{count_of(len(report.errors), 'record', 'records')} rejected:\n")
        for e in report.errors:
            write_error_line(e, out)


def write_error_line(error: RecordError, out: TextIO) -> None:
    """``file:line (child C1): field: code: message`` lines for humans (a terminal, standard
    error): each is :func:`~lacplan.escape.printable`'s, so an id cannot start a line."""
    who = f" (child {error.child_id})" if error.child_id else ""
    for p in error.problems:
        where = f"{p.field}: " if p.field else ""
        line = f"{error.file}:{error.line}{who}: {where}{p.code}: {p.message}"
        out.write(f"  {printable(line)}\n")


def count_of(n: int, singular: str, plural: str) -> str:
    """``"1 child"``, ``"3 children"``."""
    return f"{n} {singular if n == 1 else plural}"


# --- Notebook views (``Report._repr_html_``, ``ChildResult._repr_html_``) ---------------------

#: Badge colours by status (white text on each).
_STATUS_COLOURS = {
    "overdue": "#b71c1c",
    "missed": "#6a1b9a",
    "met_late": "#e65100",
    "pending": "#1565c0",
    "met_on_time": "#2e7d32",
    "exempt": "#00695c",
    "not_required": "#757575",
    "not_evaluated": "#5d4037",
}
_RANK = {s: i for i, s in enumerate(STATUS_ORDER)}
_NO_DUE = date.max.toordinal() + 1
#: Errors and findings the notebook view lists (the rest are only counted).
_HTML_LISTED = 3
_HTML_COLUMNS = ("period", "rule", "placement", "due", "met on", "status", "days late", "reason")


def _urgency(o: Obligation) -> int:
    """Order within a status: most days late first (overdue, met late), the oldest due date
    first (missed), the soonest first (pending, undated last); otherwise report order."""
    if o.status in ("overdue", "met_late"):
        return -(o.days_late or 0)
    if o.status in ("missed", "pending"):
        return _NO_DUE if o.due is None else o.due.toordinal()
    return 0


def _attention(
    obligations: Sequence[Obligation], counts: Mapping[str, int], limit: int
) -> list[Obligation]:
    """The ``limit`` obligations most in need of attention, most urgent first: by status in
    :data:`STATUS_ORDER` (``counts`` is in that order), then by :func:`_urgency`, then report
    order.

    One pass and memory bounded by ``limit``: the statuses that fit whole are kept whole; of
    the one status cut short, a heap keeps the best (nothing else is sorted).
    """
    quota: dict[str, int] = {}
    room = limit
    for status, n in counts.items():
        if room <= 0:
            break
        quota[status] = min(n, room)
        room -= quota[status]
    if not quota:
        return []
    last = next(reversed(quota))
    partial = last if quota[last] < counts[last] else None
    size = quota[last]
    kept: list[tuple[int, int, int]] = []  # (rank, urgency, position)
    heap: list[tuple[int, int]] = []  # (-urgency, -position): its top is the worst kept
    for pos, o in enumerate(obligations):
        status = o.status
        if status not in quota:
            continue
        if status != partial:
            kept.append((_RANK.get(status, len(_RANK)), _urgency(o), pos))
            continue
        item = (-_urgency(o), -pos)
        if len(heap) < size:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    if partial is not None:
        rank = _RANK.get(partial, len(_RANK))
        kept.extend((rank, -u, -p) for u, p in heap)
    kept.sort()
    return [obligations[pos] for _, _, pos in kept]


def _badge(text: str, status: str) -> str:
    colour = _STATUS_COLOURS.get(status, "#757575")
    return (
        f'<span style="background:{colour};color:#fff;border-radius:3px;padding:0 4px;'
        f'white-space:nowrap">{escape(text)}</span>'
    )


def _badges(counts: Mapping[str, int]) -> str:
    if not counts:
        return ""
    return (
        '<div style="margin:3px 0">'
        + " ".join(_badge(f"{n} {s}", s) for s, n in counts.items())
        + "</div>"
    )


def _cell(value: object, title: str | None = None) -> str:
    text = "" if value is None else escape(str(value))
    if title:
        return f'<td title="{escape(title)}">{text}</td>'
    return f"<td>{text}</td>"


def _html_row(o: Obligation, with_child: bool) -> str:
    cells = [
        _cell(o.child_id) if with_child else "",
        _cell(o.period_id),
        _cell(o.rule, o.title),
        _cell(o.placement_id),
        _cell(o.due.isoformat() if o.due else "-"),
        _cell(o.met_on.isoformat() if o.met_on else None),
        f"<td>{_badge(o.status, o.status)}</td>",
        _cell(o.days_late),
        _cell(o.reason),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _html_table(
    obligations: Sequence[Obligation],
    counts: Mapping[str, int],
    max_rows: int,
    *,
    with_child: bool,
    elsewhere: str,
) -> list[str]:
    total = sum(counts.values())
    if not total:
        return ["<p>No obligations.</p>"]
    shown = _attention(obligations, counts, max(max_rows, 0))
    columns = ("child", *_HTML_COLUMNS) if with_child else _HTML_COLUMNS
    parts = []
    if shown:
        parts += [
            '<table style="border-collapse:collapse;font-size:12px">',
            "<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in columns) + "</tr></thead>",
            "<tbody>",
            *(_html_row(o, with_child) for o in shown),
            "</tbody></table>",
        ]
    if total > len(shown):
        parts.append(
            f'<p style="color:#666">{total - len(shown)} more obligations not shown; '
            f"use {escape(elsewhere)}</p>"
        )
    return parts


def _html_notes(
    errors: Sequence[RecordError], findings: Sequence[tuple[str, Finding]], n_findings: int
) -> str:
    """The first few rejected records (by file, line, child id and code) and findings, out of
    ``len(errors)`` and ``n_findings``."""
    lines = []
    for e in errors[:_HTML_LISTED]:
        who = f" (child {e.child_id})" if e.child_id else ""
        codes = ", ".join(dict.fromkeys(p.code for p in e.problems))
        lines.append(f"rejected {e.file}:{e.line}{who}: {codes}")
    if len(errors) > _HTML_LISTED:
        lines.append(f"... and {len(errors) - _HTML_LISTED} more rejected")
    for where, f in findings[:_HTML_LISTED]:
        lines.append(f"finding {where}{f.code}: {f.message}")
    listed = min(len(findings), _HTML_LISTED)
    if n_findings > listed:
        lines.append(f"... and {n_findings - listed} more findings")
    if not lines:
        return ""
    body = "<br>".join(escape(line) for line in lines)
    return f'<div style="color:#666;font-size:12px">{body}</div>'


_HTML_OPEN = '<div style="font-family:sans-serif;font-size:13px;line-height:1.4">'


def _report_html(report: Report, *, max_rows: int) -> str:
    """``Report._repr_html_``: provenance and counts, then at most ``max_rows`` obligations,
    most urgent first."""
    counts = report.status_counts()
    findings: list[tuple[str, Finding]] = [("", f) for f in report.source_findings[:_HTML_LISTED]]
    n_findings = len(report.source_findings)
    for child in report.children:
        n_findings += len(child.findings)
        if child.findings and len(findings) < _HTML_LISTED:
            findings += [(f"(child {child.child_id}) ", f) for f in child.findings[:_HTML_LISTED]]
    head = " &middot; ".join(
        [
            "<b>lacplan report</b>",
            f"as of {escape(report.as_of.isoformat())}",
            f"rules {escape(report.rules)} {escape(report.rules_version)}",
            escape(count_of(len(report.children), "child", "children")),
            escape(count_of(sum(counts.values()), "obligation", "obligations")),
            escape(count_of(len(report.errors), "record rejected", "records rejected")),
            escape(count_of(n_findings, "finding", "findings")),
        ]
    )
    parts = [_HTML_OPEN, f"<div>{head}</div>", _badges(counts)]
    parts += _html_table(
        report.obligations,
        counts,
        max_rows,
        with_child=True,
        elsewhere="report.to_dataframe() or report.rows()",
    )
    parts += [_html_notes(report.errors, findings, n_findings), "</div>"]
    return "\n".join(p for p in parts if p)


def _child_html(child: ChildResult, *, max_rows: int) -> str:
    """``ChildResult._repr_html_``: the child's counts, then at most ``max_rows`` obligations,
    most urgent first."""
    counts = child.status_counts()
    labels = ", ".join(f"{k}={v}" for k, v in child.labels.items())
    head = " &middot; ".join(
        [
            f"<b>child {escape(child.child_id)}</b>",
            *([escape(labels)] if labels else []),
            escape(count_of(len(child.obligations), "obligation", "obligations")),
            escape(count_of(len(child.findings), "finding", "findings")),
        ]
    )
    parts = [_HTML_OPEN, f"<div>{head}</div>", _badges(counts)]
    parts += _html_table(
        child.obligations, counts, max_rows, with_child=False, elsewhere="child.obligations"
    )
    listed = [("", f) for f in child.findings[:_HTML_LISTED]]
    parts += [_html_notes((), listed, len(child.findings)), "</div>"]
    return "\n".join(p for p in parts if p)
