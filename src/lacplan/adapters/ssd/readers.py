"""Reading SSD tables from CSV exports (any common encoding, a byte order mark, CRLF, quoted
cells with embedded quotes and commas) and Parquet files (``pyarrow``, the ``parquet`` extra).

A file's table is recognised by its columns; only the columns the table spec reads are kept.
Every reader raises :class:`~lacplan.errors.UsageError` for a file it cannot read at all (it
names the file and column, never a cell).
"""

from __future__ import annotations

import csv
import importlib
from datetime import date
from typing import Any, Final

from lacplan.adapters.sources import files_under
from lacplan.adapters.ssd.tables import SsdRow, SsdTable, TableSpec, identify
from lacplan.adapters.ssd.values import Cell, us_style
from lacplan.adapters.ssda903.readers import csv_with_header, decode, header_columns
from lacplan.errors import UsageError

__all__ = ["SUFFIXES", "files_in", "read_file", "sniff"]

#: File endings read from a directory (other files there are skipped).
SUFFIXES: Final[tuple[str, ...]] = (".csv", ".parquet")

_MAX_FIELD: Final = 1 << 20  # a cell longer than 1 MB is not SSD data
_PARQUET_MAGIC: Final = b"PAR1"
_DATE_HINTS: Final = ("_date", "_dob")


def _columns(header: list[Any], file: str) -> tuple[str, ...]:
    return header_columns(header, file, upper=False)


def _spec_of(cols: tuple[str, ...], file: str) -> TableSpec:
    found = identify(cols)
    if found is None:
        raise UsageError(
            f"{file}: its columns match no Standard Safeguarding Dataset table (expected, for "
            "example, ssd_person's pers_person_id and pers_dob, or ssd_cla_episodes' clae_ "
            "columns)"
        )
    missing = [c for c in found.required if c not in cols]
    if missing:
        raise UsageError(
            f"{file}: a {found.name} table without the column(s) {', '.join(missing)}, which "
            "lacplan needs"
        )
    return found


def sniff(path: str) -> bool:
    """Whether ``path`` looks like an SSD table: a Parquet file, or a CSV file whose header
    row's columns are those of an SSD table."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if head.startswith(_PARQUET_MAGIC):
        return True
    text = decode(head).lstrip("\ufeff \t\r\n")
    first = text.splitlines()[0] if text else ""
    try:
        header = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return False
    return identify(_columns(header, path) if len(set(header)) == len(header) else ()) is not None


def _check_dates(table: SsdTable) -> None:
    """Refuse a date column written mm/dd/yyyy (rather than read it wrongly)."""
    for col in table.columns:
        if col in table.spec.read and col.endswith(_DATE_HINTS):
            cells = [r.cells.get(col) for r in table.rows]
            at = us_style(cells)
            if at is not None:
                raise UsageError(
                    f"{table.where(table.rows[at], col)}: the column holds dates written "
                    "mm/dd/yyyy (month first); lacplan reads dd/mm/yyyy and will not guess. "
                    "Export the dates as yyyy-mm-dd."
                )


def read_csv(path: str, file: str | None = None) -> SsdTable:
    """One table from a CSV file (header row first; rows of empty cells are counted, empty
    lines skipped)."""
    name = file or path
    reader: Any = None
    try:
        reader, header = csv_with_header(path, name)
        cols = _columns(header, name)
        ts = _spec_of(cols, name)
        table = SsdTable(name, ts, cols)
        keep = [(i, c) for i, c in enumerate(cols) if c in ts.read]
        line = reader.line_num + 1
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                table.blank += len(record) > 1  # a row of empty cells (not an empty line)
                continue
            n = len(record)
            table.rows.append(
                SsdRow(start, {c: record[i].strip() if i < n else "" for i, c in keep})
            )
    except csv.Error as exc:
        raise UsageError(
            f"{name}: not a readable CSV file near line {reader.line_num if reader else 1} ({exc})"
        ) from None
    _check_dates(table)
    return table


def _parquet_cell(value: Any) -> Cell:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else str(value)
    return str(value).strip()


def read_parquet(path: str, file: str | None = None) -> SsdTable:
    """One table from a Parquet file (only the columns lacplan reads are loaded)."""
    name = file or path
    try:
        pq: Any = importlib.import_module("pyarrow.parquet")
    except ImportError:  # pragma: no cover - depends on the environment
        raise UsageError(
            f"{name}: reading Parquet files needs pyarrow: pip install 'lacplan[parquet]'"
        ) from None
    try:
        pf = pq.ParquetFile(path)
        cols = _columns(list(pf.schema_arrow.names), name)
    except UsageError:
        raise
    except Exception as exc:  # pyarrow raises many kinds for a damaged file
        raise UsageError(f"{name}: not a readable Parquet file ({type(exc).__name__})") from None
    ts = _spec_of(cols, name)
    table = SsdTable(name, ts, cols, numbering="row")
    wanted = [c for c in cols if c in ts.read]
    if not wanted:
        table.rows.extend(SsdRow(i + 1, {}) for i in range(pf.metadata.num_rows))
        return table
    number = 0
    originals = [pf.schema_arrow.names[cols.index(c)] for c in wanted]
    try:
        for batch in pf.iter_batches(columns=originals):
            for record in batch.to_pylist():
                number += 1
                table.rows.append(
                    SsdRow(
                        number,
                        {
                            c: _parquet_cell(record[o])
                            for c, o in zip(wanted, originals, strict=False)
                        },
                    )
                )
    except Exception as exc:
        raise UsageError(f"{name}: not a readable Parquet file ({type(exc).__name__})") from None
    _check_dates(table)
    return table


def read_file(path: str, file: str | None = None) -> SsdTable:
    """The table in one file, by its content: Parquet or CSV."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == _PARQUET_MAGIC:
        return read_parquet(path, file)
    return read_csv(path, file)


def files_in(path: str) -> list[str]:
    """``path`` itself, or the SSD files (CSV, Parquet) in a directory and its subdirectories
    (sorted)."""
    return files_under(path, SUFFIXES)
