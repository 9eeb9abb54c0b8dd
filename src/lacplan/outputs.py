"""Writers: a :class:`~lacplan.report.Report` (or a stream of child results) to JSON, JSON Lines,
CSV or a terminal table.

* ``json``: one document ``{"as_of", "rules", "rules_version", "rules_hash", "lacplan_version",
  "conventions", "calendar", "children": [...], "errors": [...]}``;
* ``jsonl``: one line per child (``{"child_id", "labels", "obligations", "findings"}``), and one
  line ``{"error": {...}}`` per rejected record, written as they are evaluated;
* ``csv``: one row per obligation (:data:`~lacplan.report.ROW_FIELDS`: the obligation's
  fields, then the run's ``as_of`` and ``rules_version``; then a ``label_<name>`` column per
  label key), rejected records are not rows: the CLI reports them on standard error;
* ``table``: a readable summary for a terminal.

The notebook views (``Report._repr_html_``, ``ChildResult._repr_html_``) are rendered here too:
compact HTML with inline styles only, every value escaped, at most a bounded number of rows
chosen without sorting the whole report.
"""

from __future__ import annotations

import csv
import heapq
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from html import escape
from typing import TextIO

from lacplan.adapters.sources import Batch
from lacplan.calendar import fmt_date
from lacplan.model import Finding, RecordError
from lacplan.report import ROW_FIELDS, STATUS_ORDER, ChildResult, Obligation, Report

__all__ = [
    "FORMATS",
    "count_of",
    "write_csv",
    "write_error_line",
    "write_json",
    "write_jsonl_child",
    "write_jsonl_error",
    "write_jsonl_trailer",
    "write_table",
]

FORMATS: tuple[str, ...] = ("json", "jsonl", "csv", "table")


def write_json(report: Report, out: TextIO) -> None:
    json.dump(report.to_dict(), out, indent=2)
    out.write("\n")


def write_jsonl_child(child: ChildResult, out: TextIO) -> None:
    out.write(json.dumps(child.as_dict(), separators=(",", ":")))
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


def write_csv(report: Report, out: TextIO) -> None:
    label_keys = sorted({k for c in report.children for k in c.labels})
    columns = [*ROW_FIELDS, *(f"label_{k}" for k in label_keys)]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in report.rows():
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


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
        o.period_id,
        o.rule,
        o.placement_id or "",
        str(o.sequence),
        o.due.isoformat() if o.due else "-",
        o.met_on.isoformat() if o.met_on else "",
        _STATUS_MARK.get(o.status, o.status),
        "" if o.days_late is None else str(o.days_late),
        o.reason or "",
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
            out.write(f"      {ob.explanation}\n")


def write_table(report: Report, out: TextIO, *, explain: bool = False) -> None:
    """A terminal summary: provenance, one block per child (statutory obligations, then each
    overlay's standards in a block of their own), status totals and errors."""
    out.write(
        f"lacplan {report.lacplan_version} | rules {report.rules} {report.rules_version} | "
        f"as at {fmt_date(report.as_of)} | calendar {report.calendar.get('name')} "
        f"(holidays {report.calendar.get('provider_version')})\n"
    )
    for child in report.children:
        labels = ", ".join(f"{k}={v}" for k, v in child.labels.items())
        out.write(f"\nChild {child.child_id}" + (f" ({labels})" if labels else "") + "\n")
        groups = _by_source(child.obligations)
        if not groups:
            _write_block([], out, explain)
        for source, obs in groups.items():
            if _SOURCE_TITLES[source]:
                out.write(f"  {_SOURCE_TITLES[source]} (beside the statute):\n")
            _write_block(obs, out, explain)
        for f in child.findings:
            out.write(f"  finding {f.code}: {f.message}\n")
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
        out.write(f"finding {f.code}: {f.message}\n")
    if report.errors:
        out.write(f"{count_of(len(report.errors), 'record', 'records')} rejected:\n")
        for e in report.errors:
            write_error_line(e, out)


def write_error_line(error: RecordError, out: TextIO) -> None:
    """``file:line (child C1): field: code: message`` lines for humans."""
    who = f" (child {error.child_id})" if error.child_id else ""
    for p in error.problems:
        where = f"{p.field}: " if p.field else ""
        out.write(f"  {error.file}:{error.line}{who}: {where}{p.code}: {p.message}\n")


def count_of(n: int, singular: str, plural: str) -> str:
    """``"1 child"``, ``"3 children"``."""
    return f"{n} {singular if n == 1 else plural}"
