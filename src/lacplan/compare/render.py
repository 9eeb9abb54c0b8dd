"""A :class:`~lacplan.compare.comparison.Comparison` as a terminal table, CSV, JSON or xlsx.

The table is for reading: the provenance, the rows per class, then each row that does not
``agree`` with the reason for its class and lacplan's explanation beneath it (every cell and line
through :func:`~lacplan.escape.printable`). CSV, JSON and xlsx hold every row, all the fields of
:data:`~lacplan.compare.comparison.COMPARISON_FIELDS` (``also`` joined by ``;`` in CSV and
xlsx, a list in JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import IO, Any, Final, TextIO

from lacplan.compare.comparison import COMPARISON_FIELDS, Comparison, ComparisonRow
from lacplan.escape import csv_text, excel_safe, printable

__all__ = [
    "COMPARE_FORMATS",
    "TABLE_FIELDS",
    "write_csv",
    "write_json",
    "write_table",
    "write_xlsx",
]

#: The formats of ``lacplan compare``.
COMPARE_FORMATS: Final[tuple[str, ...]] = ("table", "csv", "json", "xlsx")
#: The columns of the table (the reason and the explanation are printed beneath each row).
TABLE_FIELDS: Final[tuple[str, ...]] = COMPARISON_FIELDS[: COMPARISON_FIELDS.index("also") + 1]


def _flat(row: ComparisonRow) -> dict[str, Any]:
    """A row with ``also`` joined by ``;`` (CSV, xlsx, the table)."""
    out = row.as_dict()
    out["also"] = ";".join(row.also)
    return out


def _cell(v: object) -> str:
    return "" if v is None else printable(str(v))


def write_table(comparison: Comparison, out: TextIO) -> None:
    """The summary, then each row that does not agree, with why and lacplan's explanation."""
    h = comparison.header
    rules = f"{h.get('rules', '')} {h.get('rules_version', '')}".strip()
    out.write(
        printable(
            f"Due dates stored in {comparison.source} beside lacplan's, as at "
            f"{h.get('as_of', '')} (rules {rules})."
        )
        + "\n\n"
    )
    summary = comparison.summary
    width = max(len(c) for c in summary)
    out.write(f"{'class'.ljust(width)}  rows\n")
    for c, n in summary.items():
        out.write(f"{c.ljust(width)}  {n:>4}\n")
    out.write(f"{'total'.ljust(width)}  {len(comparison.rows):>4}\n")
    rows = comparison.differences
    if not rows:
        out.write("\nEvery stored due date agrees with lacplan's.\n")
        return
    out.write(
        f"\n{len(rows)} rows that do not agree (csv, json and xlsx list every row), each with "
        "the reason for its class and lacplan's explanation:\n\n"
    )
    cells = [[_cell(_flat(r)[c]) for c in TABLE_FIELDS] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(TABLE_FIELDS)]
    out.write("  ".join(c.ljust(w) for c, w in zip(TABLE_FIELDS, widths, strict=True)).rstrip())
    out.write("\n")
    for row, line in zip(rows, cells, strict=True):
        out.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n")
        out.write(f"    why: {printable(row.reason)}\n")
        if row.explanation:
            out.write(f"    lacplan: {printable(row.explanation)}\n")


def write_csv(comparison: Comparison, out: TextIO, *, safe: bool = False) -> None:
    """Every row as CSV (``safe``: ``--excel-safe``, :func:`~lacplan.escape.excel_safe`)."""
    rows = [_flat(r) for r in comparison.rows]
    out.write(csv_text([COMPARISON_FIELDS]))
    values = (
        ["" if r[c] is None else excel_safe(r[c]) if safe else r[c] for c in COMPARISON_FIELDS]
        for r in rows
    )
    out.write(csv_text(values))


def write_json(comparison: Comparison, out: TextIO) -> None:
    """The JSON document (:meth:`Comparison.to_dict`): the report's header, ``source``,
    ``summary`` and every row."""
    json.dump(comparison.to_dict(), out, indent=2)
    out.write("\n")


def _dated(row: ComparisonRow) -> list[Any]:
    flat = _flat(row)
    values: list[Any] = [flat[c] for c in COMPARISON_FIELDS]
    for i, c in enumerate(COMPARISON_FIELDS):
        v = getattr(row, c, None)
        if isinstance(v, date):
            values[i] = v
    return values


def write_xlsx(comparison: Comparison, target: IO[bytes]) -> None:
    """A workbook: sheet ``comparison`` (every row, dates as date cells) and ``summary``."""
    from lacplan.tabular import write_xlsx as write_book

    summary: Sequence[Sequence[Any]] = [[c, n] for c, n in comparison.summary.items()]
    write_book(
        target,
        {
            "comparison": (COMPARISON_FIELDS, (_dated(r) for r in comparison.rows)),
            "summary": (("class", "rows"), summary),
        },
    )
