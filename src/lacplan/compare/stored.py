"""The due dates a case system stored, read for the parity report (:mod:`lacplan.compare`).

Three kinds of input give the same :class:`StoredRow` list (:func:`read_stored`):

* a path: a CSV file with a header row (UTF-8 with or without a byte order mark, else
  Windows-1252), columns ``child_id``, ``rule``, ``due`` and, optionally, ``sequence`` (default
  1), ``period_id``, ``period_start``, ``anchor`` and ``placement_id`` (names in any case; other
  columns are not read);
* a ``pandas.DataFrame`` with those columns;
* an iterable of mappings with those keys, or of :class:`~lacplan.adapters.sources.StoredDue`
  (the SSD adapter's review due dates, ``Batch.stored_due_dates``), or of :class:`StoredRow`
  (rows already read).

Dates are ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (a midnight time after them is accepted, as
spreadsheets export it), or ``date`` values; an empty ``due`` means the system stored none.
Nothing is guessed or mended: every problem is reported, by file, row and column, in one
:class:`StoredDatesError` (never with the cell's value, which may hold anything).
"""

from __future__ import annotations

import csv
import io
import operator
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, SupportsIndex

from lacplan.adapters.sources import StoredDue
from lacplan.adapters.ssda903.readers import decode
from lacplan.adapters.ssda903.values import parse_date
from lacplan.errors import UsageError

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "StoredDatesError",
    "StoredProblem",
    "StoredRow",
    "read_stored",
    "stored_source",
]

#: Columns every stored row has.
REQUIRED_COLUMNS: Final[tuple[str, ...]] = ("child_id", "rule", "due")
#: Columns a stored row may have.
OPTIONAL_COLUMNS: Final[tuple[str, ...]] = (
    "sequence",
    "period_id",
    "period_start",
    "anchor",
    "placement_id",
)
_COLUMNS: Final = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
_DATES: Final = ("due", "period_start", "anchor")
_MAX_FIELD: Final = 1 << 20
_MAX_LISTED: Final = 10  # problems named in the message; the rest are counted
_DATE_FORMS: Final = "expected YYYY-MM-DD or DD/MM/YYYY"


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One stored due date: the child, rule and sequence it stands for, the date (``None``:
    the system stored none), what places it in a period (``period_id`` or ``period_start``;
    neither: the period whose span holds the date), the system's own ``anchor`` if given, the
    placement (for placement-scoped rules) and where it was read."""

    child_id: str
    rule: str
    sequence: int
    due: date | None
    period_id: str | None = None
    period_start: date | None = None
    anchor: date | None = None
    placement_id: str | None = None
    where: str = ""


@dataclass(frozen=True, slots=True)
class StoredProblem:
    """One problem of the stored data: the file (or ``<DataFrame>``, ``<rows>``), the row (the
    line of a CSV file, else the position from 1; ``None`` for the whole file), the column and
    what is wrong (never the value)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        at = self.file if self.row is None else f"{self.file} row {self.row}"
        return (
            f"{at}, column {self.column}: {self.message}"
            if self.column
            else f"{at}: {self.message}"
        )


class StoredDatesError(UsageError):
    """The stored due dates cannot be read as they are; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[StoredProblem]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(str(p) for p in self.problems[:_MAX_LISTED])
        more = len(self.problems) - _MAX_LISTED
        what = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(
            f"the stored due dates have {len(self.problems)} {what}: {listed}"
            + (f"; and {more} more" if more > 0 else "")
        )


def stored_source(stored: object) -> str:
    """How the report names the stored data: the file's name, ``<DataFrame>`` or ``<rows>``."""
    if isinstance(stored, str | os.PathLike):
        return os.path.basename(os.fspath(stored))
    if _is_frame(stored):
        return "<DataFrame>"
    return "<rows>"


def read_stored(stored: object) -> list[StoredRow]:
    """The rows of ``stored``: a path (CSV), a ``pandas.DataFrame``, or an iterable of mappings
    or of :class:`~lacplan.adapters.sources.StoredDue`; :class:`StoredDatesError` lists every
    problem (file, row, column) when any row cannot be read."""
    if isinstance(stored, str | os.PathLike):
        return _read_csv(os.fspath(stored))
    if _is_frame(stored):
        columns = [str(c) for c in stored.columns]  # type: ignore[attr-defined]
        records = stored.to_dict("records")  # type: ignore[attr-defined]
        return _records(records, "<DataFrame>", columns)
    if isinstance(stored, Mapping | bytes | bytearray) or not isinstance(stored, Iterable):
        raise UsageError(
            "stored due dates must be a CSV file's path, a pandas DataFrame or an iterable of "
            f"mappings or StoredDue rows, not {type(stored).__name__}"
        )
    return _items(stored)


def _is_frame(obj: object) -> bool:
    kind = type(obj)
    return kind.__module__.split(".")[0] == "pandas" and kind.__name__ == "DataFrame"


# ---------------------------------------------------------------------------- sources
def _read_csv(path: str) -> list[StoredRow]:
    name = os.path.basename(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    csv.field_size_limit(_MAX_FIELD)
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    try:
        header = next((r for r in reader if any(c.strip() for c in r)), None)
        if header is None:
            raise StoredDatesError([StoredProblem(name, None, None, "no header row")])
        columns = [c.replace("\ufeff", "").strip().lower() for c in header]
        _check_columns(columns, name)
        records: list[tuple[int, dict[str, Any]]] = []
        for record in reader:
            if any(c.strip() for c in record):
                cells = dict(zip(columns, record, strict=False))
                records.append((reader.line_num, cells))
    except csv.Error:
        raise UsageError(f"{name}: not a readable CSV file near line {reader.line_num}") from None
    return _rows(records, name)


def _check_columns(columns: Sequence[str], name: str) -> None:
    problems = [
        StoredProblem(name, None, c, "the column appears twice in the header row")
        for i, c in enumerate(columns)
        if c in _COLUMNS and c in columns[:i]
    ]
    problems += [
        StoredProblem(name, None, c, "no such column (the stored dates need child_id, rule, due)")
        for c in REQUIRED_COLUMNS
        if c not in columns
    ]
    if problems:
        raise StoredDatesError(problems)


def _records(
    records: Iterable[Mapping[Any, Any]], name: str, columns: Sequence[str]
) -> list[StoredRow]:
    lowered = [c.strip().lower() for c in columns]
    _check_columns(lowered, name)
    renamed = [
        (n, {k.strip().lower(): v for k, v in r.items() if isinstance(k, str)})
        for n, r in enumerate(records, 1)
    ]
    return _rows(renamed, name)


def _items(items: Iterable[object]) -> list[StoredRow]:
    out: list[StoredRow] = []
    problems: list[StoredProblem] = []
    for n, item in enumerate(items, 1):
        if isinstance(item, StoredRow):
            out.append(item)
        elif isinstance(item, StoredDue):
            out.append(
                StoredRow(
                    item.child_id,
                    item.rule,
                    item.sequence,
                    item.due,
                    period_id=item.period_id,
                    where=item.where,
                )
            )
        elif isinstance(item, Mapping):
            cells = {k.strip().lower(): v for k, v in item.items() if isinstance(k, str)}
            missing = [c for c in REQUIRED_COLUMNS if c not in cells]
            problems += [StoredProblem("<rows>", n, c, "missing") for c in missing]
            if not missing:
                row, found = _row(cells, "<rows>", n)
                problems += found
                if row is not None:
                    out.append(row)
        else:
            problems.append(
                StoredProblem(
                    "<rows>", n, None, f"a {type(item).__name__}, not a mapping or StoredDue"
                )
            )
    if problems:
        raise StoredDatesError(problems)
    return out


def _rows(records: Iterable[tuple[int, Mapping[str, Any]]], name: str) -> list[StoredRow]:
    out: list[StoredRow] = []
    problems: list[StoredProblem] = []
    for n, cells in records:
        row, found = _row(cells, name, n)
        problems += found
        if row is not None:
            out.append(row)
    if problems:
        raise StoredDatesError(problems)
    return out


# ---------------------------------------------------------------------------- cells
class _Bad(Exception):
    """A cell that is not what its column holds (the message says what was expected)."""


def _row(
    cells: Mapping[str, Any], name: str, n: int
) -> tuple[StoredRow | None, list[StoredProblem]]:
    problems: list[StoredProblem] = []
    values: dict[str, Any] = {}
    for column in _COLUMNS:
        try:
            values[column] = _value(column, cells.get(column))
        except _Bad as exc:
            problems.append(StoredProblem(name, n, column, str(exc)))
    for column in ("child_id", "rule"):
        if column in values and values[column] is None:
            problems.append(StoredProblem(name, n, column, "empty"))
    if problems:
        return None, problems
    row = StoredRow(
        values["child_id"],
        values["rule"].lower(),
        1 if values["sequence"] is None else values["sequence"],
        values["due"],
        period_id=values["period_id"],
        period_start=values["period_start"],
        anchor=values["anchor"],
        placement_id=values["placement_id"],
        where=f"{name} row {n}",
    )
    return row, []


def _value(column: str, cell: object) -> Any:
    if _blank(cell):
        return None
    if column in _DATES:
        return _date(cell)
    if column == "sequence":
        return _sequence(cell)
    return _text(cell)


def _blank(cell: object) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return not cell.strip()
    if type(cell).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return True
    return isinstance(cell, float) and cell != cell  # NaN


def _date(cell: object) -> date:
    if isinstance(cell, datetime):  # (a pandas Timestamp is one)
        if cell.time() != datetime.min.time() or getattr(cell, "tzinfo", None) is not None:
            raise _Bad(f"a date and time, not a date ({_DATE_FORMS})")
        return date(cell.year, cell.month, cell.day)
    if isinstance(cell, date):
        return cell
    d = parse_date(cell) if isinstance(cell, str) else None
    if d is None:
        raise _Bad(f"not a date ({_DATE_FORMS})")
    return d


def _sequence(cell: object) -> int:
    n: int | None = None
    if isinstance(cell, str):
        text = cell.strip()
        # (length checked before int(): 4,301 digits would make int() raise)
        digits = text.isascii() and text.isdigit() and len(text.lstrip("0")) <= 9
        n = int(text) if digits else None
    elif isinstance(cell, float):
        n = int(cell) if cell.is_integer() else None
    elif isinstance(cell, SupportsIndex) and not isinstance(cell, bool):
        n = operator.index(cell)
    if n is None or n < 1:
        raise _Bad("not a whole number of 1 or more")
    return n


def _text(cell: object) -> str:
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, SupportsIndex) and not isinstance(cell, bool):
        return str(operator.index(cell))
    raise _Bad("not text (read a file with dtype=str, which keeps ids' leading zeros)")
