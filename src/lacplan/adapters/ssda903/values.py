"""Cell values of real SSDA903 files: dates in either style, flags, codes, ids.

Nothing here guesses: a date is ``dd/mm/yyyy`` (the DfE upload layout; one-digit day or month
accepted) or ``yyyy-mm-dd`` (LIIA layouts), optionally followed by a midnight time as
spreadsheet exports write it. Anything else is not a date, and the caller rejects the row naming
its column (never its value).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final

__all__ = ["Cell", "code", "parse_date", "safe_code"]

#: A cell as read: text (stripped; "" when blank), or a date/datetime from a spreadsheet.
Cell = str | date

_DMY: Final = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_YMD: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MIDNIGHT: Final = re.compile(r"(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_CODE: Final = re.compile(r"[A-Z0-9]{1,6}")


def parse_date(cell: Cell) -> date | None:
    """The date in ``cell`` (from 1900 to 2099), or ``None`` if it is not one (blank cells are
    the caller's)."""
    d = _parse(cell)
    return d if d is not None and 1900 <= d.year <= 2099 else None


def _parse(cell: Cell) -> date | None:
    if isinstance(cell, datetime):
        return cell.date() if cell.time() == datetime.min.time() else None
    if isinstance(cell, date):
        return cell
    text = cell.strip()
    if len(text) == 10 and text.isascii():  # the two common forms, without a regex
        if text[2] == "/" == text[5]:
            y, mo, d = text[6:], text[3:5], text[:2]
        elif text[4] == "-" == text[7]:
            y, mo, d = text[:4], text[5:7], text[8:]
        else:
            y = mo = d = ""
        if y.isdigit() and mo.isdigit() and d.isdigit():
            try:
                return date(int(y), int(mo), int(d))
            except ValueError:
                return None
    for pattern, order in ((_DMY, (2, 1, 0)), (_YMD, (0, 1, 2))):
        m = pattern.match(text)
        if m and _MIDNIGHT.fullmatch(text, m.end()):
            year, month, day = (int(m.group(i + 1)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def code(cell: Cell) -> str:
    """A code cell normalised: stripped and upper-cased (``"c2 "`` -> ``"C2"``)."""
    return cell.strip().upper() if isinstance(cell, str) else ""


def safe_code(value: str) -> str:
    """A code as it may be quoted in a message: short letters and digits only, else a
    description (a malformed cell may hold anything, even personal data)."""
    return f"'{value}'" if _CODE.fullmatch(value) else "a value that is not a code"
