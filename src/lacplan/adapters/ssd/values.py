"""Cell values of real SSD exports: dates and timestamps in the styles SQL tools write, NULLs,
Y/N flags and ids.

Nothing here guesses. A date is ``yyyy-mm-dd``, optionally followed by a time (``T`` or a
space, ``HH:MM``, seconds and a fraction optional: SQL Server writes ``2024-12-10
00:00:00.000``, PostgreSQL ``2024-12-10 00:00:00``), or ``dd/mm/yyyy`` (one-digit day or month
accepted; a time may follow). The time is checked to be a real time, then dropped: lacplan's
clocks count days. ``mm/dd/yyyy`` is never guessed: a column written that way is refused (see
:func:`us_style`). Blank cells, ``NULL`` and ``NaN`` (a pandas export) are missing. The sentinel
dates the SSD scripts and hand-made exports use (``1900-01-01`` for "none", ``9999-12-31`` and
``99991231`` for an open end) are missing too, and said so.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final

__all__ = [
    "MISSING",
    "Cell",
    "flag",
    "is_missing",
    "normal_text",
    "parse_date",
    "us_style",
]

#: A cell as read: text (stripped) or, from Parquet, a date or timestamp (``None``: null).
Cell = str | date | None

#: Texts that mean "no value" (compared upper-cased).
MISSING: Final[frozenset[str]] = frozenset({"", "NULL", "NAN", "NAT", "NONE"})

#: Dates that stand for "no date" (``1900-01-01``) or "no end" (``9999-12-31``).
_SENTINELS: Final[frozenset[date]] = frozenset({date(1900, 1, 1), date(9999, 12, 31)})

_ISO: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
)
_DMY: Final = re.compile(
    r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"
    r"(?: ([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?)?"
)
_COMPACT_OPEN: Final = "99991231"


def is_missing(cell: Cell) -> bool:
    """Whether ``cell`` is blank, ``NULL`` or the like."""
    if cell is None:
        return True
    return isinstance(cell, str) and cell.strip().upper() in MISSING


def normal_text(cell: Cell) -> str:
    """A text cell for matching codes: stripped, inner spaces collapsed, upper-cased (``""``
    when missing)."""
    if is_missing(cell) or not isinstance(cell, str):
        return ""
    return " ".join(cell.split()).upper()


def _time_ok(h: str | None, m: str | None, s: str | None) -> bool:
    return h is None or (int(h) < 24 and int(m or 0) < 60 and int(s or 0) < 60)


def parse_date(cell: Cell) -> date | bool | None:
    """The date in ``cell``: a ``date``; ``None`` when the cell is missing or a sentinel date;
    ``False`` when it is not a date lacplan reads (from 1900 to 2099, in a style above)."""
    if is_missing(cell):
        return None
    if isinstance(cell, datetime):
        d = cell.date()
    elif isinstance(cell, date):
        d = cell
    else:
        assert isinstance(cell, str)
        text = cell.strip()
        if text == _COMPACT_OPEN:
            return None
        m = _ISO.fullmatch(text)
        if m is not None:
            y, mo, dd = m.group(1), m.group(2), m.group(3)
        else:
            m = _DMY.fullmatch(text)
            if m is None:
                return False
            dd, mo, y = m.group(1), m.group(2), m.group(3)
        if not _time_ok(m.group(4), m.group(5), m.group(6)):
            return False
        try:
            d = date(int(y), int(mo), int(dd))
        except ValueError:
            return False
    if d in _SENTINELS:
        return None
    return d if 1900 <= d.year <= 2099 else False


def us_style(cells: list[Cell]) -> int | None:
    """The index of the first cell that shows a column is written ``mm/dd/yyyy`` (a slash
    date whose middle number is over 12 and whose first is not), or ``None``."""
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            m = _DMY.fullmatch(cell.strip())
            if m is not None and int(m.group(2)) > 12 and int(m.group(1)) <= 12:
                return i
    return None


def flag(cell: Cell) -> bool | str | None:
    """A Y/N flag: ``True`` (Y, Yes, 1, True), ``False`` (N, No, 0, False), ``None`` when
    missing (blank, NULL, NA), else ``"unknown"``."""
    text = normal_text(cell)
    if text in ("Y", "YES", "1", "TRUE"):
        return True
    if text in ("N", "NO", "0", "FALSE"):
        return False
    if text in ("", "NA", "N/A"):
        return None
    return "unknown"
