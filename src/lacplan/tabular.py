"""Spreadsheet and columnar outputs: ``.xlsx`` (openpyxl, the ``xlsx`` extra) and Parquet /
Arrow (pyarrow, the ``parquet`` extra).

Both take the report's flat rows (``Report.rows()``: :data:`~lacplan.report.ROW_FIELDS` then
``label_<name>``), or any list of plain rows (the measures), each a mapping or a sequence of
values in column order (:func:`lacplan.columns.row_maker`), and write them as they are
produced: the xlsx writer uses openpyxl's write-only mode (a sheet that reaches
:data:`XLSX_MAX_ROWS` data rows continues on ``<name>_2``, ``<name>_3``...), the Parquet writer
appends record batches, so neither builds a second copy of the whole table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Final

from lacplan.errors import UsageError
from lacplan.report import ROW_FIELDS, Report

__all__ = [
    "XLSX_MAX_ROWS",
    "report_columns",
    "sheet_names",
    "to_arrow",
    "write_parquet",
    "write_parquet_rows",
    "write_xlsx",
]

_DATE_COLUMNS: Final = frozenset({"anchor", "due", "met_on", "as_of"})
_INT_COLUMNS: Final = frozenset({"sequence", "days_late"})
_BATCH: Final = 10_000
#: Data rows per xlsx sheet: a sheet holds 1,048,576 rows, the first is the header. Past it, the
#: rows continue on a sheet of the same name with ``_2``, ``_3``... (:func:`sheet_names`).
XLSX_MAX_ROWS: int = 1_048_575
#: The longest sheet name Excel accepts.
_SHEET_NAME_MAX: Final = 31

Row = Mapping[str, Any] | Sequence[Any]
"""A flat row: a mapping by column name, or the values in column order."""


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


def _values(row: Row, columns: Sequence[str]) -> Sequence[Any]:
    if isinstance(row, Mapping):
        return [row.get(c) for c in columns]
    return row


def sheet_names(name: str) -> Iterator[str]:
    """``name`` (cut to 31 characters), then ``name_2``, ``name_3``... (cut so they fit): the
    sheets one table of rows fills in turn."""
    yield name[:_SHEET_NAME_MAX]
    n = 2
    while True:
        suffix = f"_{n}"
        yield name[: _SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1


def write_xlsx(
    path: str,
    sheets: Mapping[str, tuple[Sequence[str], Iterable[Row]]],
) -> None:
    """Write each ``{name: (columns, rows)}`` as a sheet (header row first; ISO date strings
    in date columns become date cells). Rows are streamed (openpyxl write-only mode); past
    :data:`XLSX_MAX_ROWS` data rows they continue on further sheets (:func:`sheet_names`),
    each with the header row."""
    openpyxl = _needs("openpyxl", "xlsx")
    book = openpyxl.Workbook(write_only=True)
    for name, (columns, rows) in sheets.items():
        names = sheet_names(name)
        header = list(columns)
        dated = [i for i, c in enumerate(columns) if c in _DATE_COLUMNS]
        sheet = book.create_sheet(title=next(names))
        sheet.append(header)
        room = XLSX_MAX_ROWS
        for row in rows:
            if room == 0:
                sheet = book.create_sheet(title=next(names))
                sheet.append(header)
                room = XLSX_MAX_ROWS
            values = list(_values(row, columns))
            for i in dated:
                values[i] = _as_date(values[i])
            sheet.append(values)
            room -= 1
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


def _batches(rows: Iterable[Row], columns: Sequence[str]) -> Iterable[Any]:
    """Record batches of :data:`_BATCH` rows (ISO date strings become dates)."""
    pa = _needs("pyarrow", "parquet")
    schema = _schema(columns)
    dated = [c in _DATE_COLUMNS for c in columns]
    chunk: list[Sequence[Any]] = []

    def batch() -> Any:
        cells = list(zip(*chunk, strict=True)) if chunk else [() for _ in columns]
        arrays = [
            pa.array([_as_date(v) for v in col] if d else col, type=f.type)
            for col, d, f in zip(cells, dated, schema, strict=True)
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    for row in rows:
        chunk.append(_values(row, columns))
        if len(chunk) == _BATCH:
            yield batch()
            chunk = []
    if chunk or not columns:
        yield batch()


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


def write_parquet_rows(path: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """Write flat rows to a Parquet file in record batches of 10,000 (nothing else held)."""
    pq = _needs("pyarrow.parquet", "parquet")
    try:
        with pq.ParquetWriter(path, _schema(columns)) as writer:
            for batch in _batches(rows, columns):
                writer.write_batch(batch)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
