"""Spreadsheet and columnar outputs: ``.xlsx`` (openpyxl, the ``xlsx`` extra) and Parquet /
Arrow (pyarrow, the ``parquet`` extra).

Both take the report's flat rows (``Report.rows()``: :data:`~lacplan.report.ROW_FIELDS` then
``label_<name>``), or any list of plain rows (the measures), each a mapping or a sequence of
values in column order (:func:`lacplan.columns.row_maker`), and write them as they are
produced: the xlsx writer uses openpyxl's write-only mode (a sheet that reaches
:data:`XLSX_MAX_ROWS` data rows continues on ``<name>_2``, ``<name>_3``...), the Parquet writer
appends record batches, so neither builds a second copy of the whole table. Each writes to a
path or to a binary file object (the command line's: :func:`lacplan.output_files.output_file`).

Every string keeps its text, except what a format cannot hold: xlsx cells are always text cells,
never formulas or error values (``=1+1``, ``#N/A`` stay those strings), and a text cell starting
with ``= + - @``, a tab or a carriage return is marked as text for editing too (Excel's quote
prefix, the cell style behind a typed ``'``; the value itself is unchanged); the characters
XML 1.0, hence xlsx, cannot hold (C0 controls but tab, line feed and carriage return) and lone
surrogates are written as :func:`lacplan.escape.printable` escapes (``\\x1b``, ``\\ud800``).
Parquet strings are UTF-8: a lone surrogate is written ``\\ud800`` there (as CSV writes it).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import IO, Any, Final

from lacplan.errors import UsageError
from lacplan.escape import FORMULA_STARTS, printable
from lacplan.model import RecordError
from lacplan.report import ROW_FIELDS, Report

__all__ = [
    "XLSX_MAX_ROWS",
    "obligation_sheets",
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
Target = str | IO[bytes]
"""Where a file format is written: a path, or a binary file object (left open)."""

#: What an xlsx cell cannot hold (XML 1.0): C0 controls but tab, LF and CR; surrogates.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
#: The strings openpyxl would write as error values rather than text.
_ERROR_VALUES: Final = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}
)


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


def _escaped(match: re.Match[str]) -> str:
    return printable(match.group())


def _text_cell(sheet: Any, text: str) -> Any:
    """A cell holding ``text`` as text (``text`` if openpyxl would write it so anyway)."""
    risky = text.startswith(FORMULA_STARTS)
    if not risky and text not in _ERROR_VALUES and _NOT_XML.search(text) is None:
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, _NOT_XML.sub(_escaped, text))
    cell.data_type = "s"  # never a formula ("=...") or an error value ("#N/A")
    if risky:
        cell.quotePrefix = True  # shown and edited as text, as after a typed '
    return cell


def _xlsx_row(sheet: Any, values: list[Any]) -> list[Any]:
    for i, v in enumerate(values):
        if isinstance(v, str):
            values[i] = _text_cell(sheet, v)
    return values


def obligation_sheets(
    columns: Sequence[str], rows: Iterable[Row], errors: Iterable[RecordError]
) -> dict[str, tuple[Sequence[str], Iterable[Row]]]:
    """The sheets of ``lacplan evaluate --format xlsx``: ``obligations`` (the rows), then
    ``errors`` (one row per problem of each rejected record, read after the rows: a stream
    fills ``errors`` as it goes)."""
    problems = (
        {"file": e.file, "line": e.line, "child_id": e.child_id, **p.as_dict()}
        for e in errors
        for p in e.problems
    )
    error_columns = ["file", "line", "child_id", "field", "code", "message"]
    return {"obligations": (columns, rows), "errors": (error_columns, problems)}


def write_xlsx(
    path: Target,
    sheets: Mapping[str, tuple[Sequence[str], Iterable[Row]]],
) -> None:
    """Write each ``{name: (columns, rows)}`` as a sheet (header row first; ISO date strings
    in date columns become date cells; every other string a text cell) to ``path`` (a path or
    a binary file). Rows are streamed (openpyxl write-only mode); past :data:`XLSX_MAX_ROWS`
    data rows they continue on further sheets (:func:`sheet_names`), each with the header
    row."""
    openpyxl = _needs("openpyxl", "xlsx")
    book = openpyxl.Workbook(write_only=True)
    sink = path if isinstance(path, str) else _Sink(path)
    try:
        for name, (columns, rows) in sheets.items():
            _fill(book, name, columns, rows)
        book.save(sink)
    except BaseException as exc:  # Ctrl-C, a full disk: end what openpyxl holds open, here
        if isinstance(sink, _Sink):
            sink.detach()
        for sheet in book.worksheets:
            with contextlib.suppress(Exception):
                sheet.close()
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {_name(path)}: {exc.strerror or exc}") from None
        raise
    finally:
        if isinstance(sink, _Sink):
            sink.detach()


def _fill(book: Any, name: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """Append ``rows`` under a header row to sheet ``name`` and those after it."""
    names = sheet_names(name)
    header = list(columns)
    dated = [i for i, c in enumerate(columns) if c in _DATE_COLUMNS]
    sheet = book.create_sheet(title=next(names))
    sheet.append(_xlsx_row(sheet, list(header)))
    room = XLSX_MAX_ROWS
    for row in rows:
        if room == 0:
            sheet = book.create_sheet(title=next(names))
            sheet.append(_xlsx_row(sheet, list(header)))
            room = XLSX_MAX_ROWS
        values = list(_values(row, columns))
        for i in dated:
            values[i] = _as_date(values[i])
        sheet.append(_xlsx_row(sheet, values))
        room -= 1


class _Sink:
    """The binary file openpyxl's zip archive writes to, cut off from it once the workbook is
    saved or has failed: an archive left open by a failure (Ctrl-C, a full disk) then finishes
    into nothing when it is collected, rather than into a file already closed."""

    __slots__ = ("_at", "_fh")

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh: IO[bytes] | None = fh
        self._at = 0

    def detach(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(Exception):
                self._at = self._fh.tell()
        self._fh = None

    def write(self, data: bytes) -> int:
        if self._fh is None:
            self._at += len(data)
            return len(data)
        return self._fh.write(data)

    def tell(self) -> int:
        return self._at if self._fh is None else self._fh.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._fh is None:
            self._at = offset if whence == 0 else self._at + offset
            return self._at
        return self._fh.seek(offset, whence)

    def seekable(self) -> bool:
        return self._fh is not None and self._fh.seekable()

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()


def _name(target: Target) -> str:
    return printable(target if isinstance(target, str) else str(getattr(target, "name", "")))


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
        fields.append(pa.field(_SURROGATE.sub(_escaped, c), kind))
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
            pa.array([_as_date(v) for v in col], type=f.type) if d else _strings(pa, col, f.type)
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


def _strings(pa: Any, column: Sequence[Any], kind: Any) -> Any:
    """``column`` as an Arrow array of ``kind``; a lone surrogate, which UTF-8 cannot hold, is
    written as its escape (``\\ud800``), as in CSV."""
    try:
        return pa.array(column, type=kind)
    except UnicodeEncodeError:
        fixed = [_SURROGATE.sub(_escaped, v) if isinstance(v, str) else v for v in column]
        return pa.array(fixed, type=kind)


def to_arrow(report: Report) -> Any:
    """The report's rows as a ``pyarrow.Table``: dates as ``date32``, ``sequence`` and
    ``days_late`` as ``int64`` (nullable), the rest strings."""
    pa = _needs("pyarrow", "parquet")
    columns = report_columns(report)
    batches = list(_batches(report.rows(), columns))
    return pa.Table.from_batches(batches, schema=_schema(columns))


def write_parquet(path: Target, report: Report) -> None:
    """Write the report's rows to a Parquet file, a record batch at a time."""
    write_parquet_rows(path, report_columns(report), report.rows())


def write_parquet_rows(path: Target, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """Write flat rows to a Parquet file (a path or a binary file) in record batches of
    10,000 (nothing else held)."""
    pq = _needs("pyarrow.parquet", "parquet")
    try:
        with pq.ParquetWriter(path, _schema(columns)) as writer:
            for batch in _batches(rows, columns):
                writer.write_batch(batch)
    except OSError as exc:
        raise UsageError(f"cannot write {_name(path)}: {exc.strerror or exc}") from None
