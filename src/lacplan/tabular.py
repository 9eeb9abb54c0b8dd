"""Spreadsheet and columnar outputs: ``.xlsx`` (openpyxl, the ``xlsx`` extra) and Parquet /
Arrow (pyarrow, the ``parquet`` extra).

Both take the report's flat rows (``Report.rows()``: :data:`~lacplan.report.ROW_FIELDS` then
``label_<name>``), or any list of plain rows (the measures), and write them as they are
produced: the xlsx writer uses openpyxl's write-only mode, the Parquet writer appends record
batches, so neither builds a second copy of the whole table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final

from lacplan.errors import UsageError
from lacplan.report import ROW_FIELDS, Report

__all__ = ["report_columns", "to_arrow", "write_parquet", "write_parquet_rows", "write_xlsx"]

_DATE_COLUMNS: Final = frozenset({"anchor", "due", "met_on", "as_of"})
_INT_COLUMNS: Final = frozenset({"sequence", "days_late"})
_BATCH: Final = 10_000


def report_columns(report: Report) -> list[str]:
    """:data:`ROW_FIELDS` then a ``label_<name>`` column per label key (sorted)."""
    labels = sorted({k for c in report.children for k in c.labels})
    return [*ROW_FIELDS, *(f"label_{k}" for k in labels)]


def _needs(module: str, extra: str) -> Any:
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:  # pragma: no cover - depends on the environment
        raise UsageError(f"this output needs {module}: pip install 'lacplan[{extra}]'") from None


def _as_date(v: Any) -> Any:
    return date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 else v


def write_xlsx(
    path: str,
    sheets: Mapping[str, tuple[Sequence[str], Iterable[Mapping[str, Any]]]],
) -> None:
    """Write each ``{name: (columns, rows)}`` as a sheet (header row first; ISO date strings
    in date columns become date cells). Rows are streamed (openpyxl write-only mode)."""
    openpyxl = _needs("openpyxl", "xlsx")
    book = openpyxl.Workbook(write_only=True)
    for name, (columns, rows) in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append(list(columns))
        dates = [c in _DATE_COLUMNS or c == "due" for c in columns]
        for row in rows:
            values = [row.get(c) for c in columns]
            sheet.append([_as_date(v) if d else v for v, d in zip(values, dates, strict=True)])
    try:
        book.save(path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def _schema(columns: Sequence[str]) -> Any:
    pa = _needs("pyarrow", "parquet")
    fields = []
    for c in columns:
        if c in _DATE_COLUMNS:
            kind = pa.date32()
        elif c in _INT_COLUMNS:
            kind = pa.int64()
        else:
            kind = pa.string()
        fields.append(pa.field(c, kind))
    return pa.schema(fields)


def _batches(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterable[Any]:
    pa = _needs("pyarrow", "parquet")
    schema = _schema(columns)
    chunk: dict[str, list[Any]] = {c: [] for c in columns}
    n = 0
    for row in rows:
        for c in columns:
            v = row.get(c)
            chunk[c].append(_as_date(v) if c in _DATE_COLUMNS else v)
        n += 1
        if n == _BATCH:
            yield pa.RecordBatch.from_pydict(chunk, schema=schema)
            chunk, n = {c: [] for c in columns}, 0
    if n or not columns:
        yield pa.RecordBatch.from_pydict(chunk, schema=schema)


def to_arrow(report: Report) -> Any:
    """The report's rows as a ``pyarrow.Table``: dates as ``date32``, ``sequence`` and
    ``days_late`` as ``int64`` (nullable), the rest strings."""
    pa = _needs("pyarrow", "parquet")
    columns = report_columns(report)
    batches = list(_batches(report.rows(), columns))
    return pa.Table.from_batches(batches, schema=_schema(columns))


def write_parquet(path: str, report: Report) -> None:
    """Write the report's rows to a Parquet file, a record batch at a time."""
    write_parquet_rows(path, report_columns(report), report.rows())


def write_parquet_rows(
    path: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    """Write flat rows to a Parquet file in record batches of 10,000 (nothing else held)."""
    pq = _needs("pyarrow.parquet", "parquet")
    try:
        with pq.ParquetWriter(path, _schema(columns)) as writer:
            for batch in _batches(rows, columns):
                writer.write_batch(batch)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
