"""Text that is safe to show on a terminal: :func:`printable`.

Ids, labels, paths and messages that reach a terminal (the ``table`` output, every line lacplan
writes to standard error) go through :func:`printable`, which writes each control character
(C0 ``U+0000``-``U+001F``, tab and line feed included; DEL ``U+007F``; C1 ``U+0080``-``U+009F``),
the line and paragraph separators ``U+2028`` and ``U+2029`` (which some programs, Python's
``str.splitlines`` among them, take for line ends) and each surrogate code point
(``U+D800``-``U+DFFF``, which no UTF-8 text can hold) as an escape: ``\\x1b`` below ``U+0080``,
``\\u0085``, ``\\u2028`` and ``\\ud800`` from there. So a crafted id can neither move the
cursor, clear the screen or retitle the window, nor start a line of its own that reads like
lacplan's, nor make the output unencodable. Everything else is left as it is, backslashes
included: the escaped text is for reading, not for parsing back. Text without such characters
comes back unchanged (the same object).

:func:`excel_safe` is ``--excel-safe`` for CSV: a text cell that a spreadsheet would read as a
formula gets ``'`` in front. :func:`csv_text` writes CSV rows so that every field reads back
exactly, a carriage return in a value included.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, TypeVar

T = TypeVar("T")

__all__ = ["FORMULA_STARTS", "csv_text", "excel_safe", "printable", "printable_lines"]

#: What a spreadsheet reads as the start of a formula (``= + - @``), or skips before one (tab,
#: carriage return): :func:`excel_safe` puts ``'`` before a text cell that starts with one.
FORMULA_STARTS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")

#: The characters :func:`printable` escapes.
UNSAFE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: The same but the line feed (:func:`printable_lines`).
_UNSAFE_BUT_NEWLINE: Final = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """``rows`` as CSV text (``\\n`` line ends, fields quoted where needed, ``None`` empty).

    Python's CSV writer quotes a field holding a line feed but not one holding a bare carriage
    return, which a reader takes for the end of the row (so a crafted id could start a row of
    its own): a row with a carriage return in a field is written with every field quoted.
    Other rows are written byte for byte as ``csv.writer(out, lineterminator="\\n")`` writes
    them.

    >>> csv_text([["C1", 3, None], ["a\\rb", 4, "x"]])
    'C1,3,\\n"a\\rb","4","x"\\n'
    """
    rows = list(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    text = buf.getvalue()
    if "\r" not in text:
        return text
    buf = io.StringIO()
    plain = csv.writer(buf, lineterminator="\n")
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        risky = any(isinstance(v, str) and "\r" in v for v in row)
        (quoted if risky else plain).writerow(row)
    return buf.getvalue()


def excel_safe(value: T) -> T | str:
    """``value`` as ``--excel-safe`` writes it in a CSV cell: a string that starts with one of
    :data:`FORMULA_STARTS` gets ``'`` in front (a spreadsheet then shows it as text, not a
    formula); anything else, numbers included (a negative ``days_late`` stays ``-3``), is left
    as it is.

    >>> [excel_safe(v) for v in ("=HYPERLINK(1)", "-X1", "@A1", "C1", -3, None)]
    ["'=HYPERLINK(1)", "'-X1", "'@A1", 'C1', -3, None]
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def printable(text: str) -> str:
    """``text`` with its control characters and surrogates escaped, on one line.

    >>> printable("C1\\x1b[2J")
    'C1\\\\x1b[2J'
    >>> print(printable("A\\n  cases.json:9: forged\\u0085\\ud800"))
    A\\x0a  cases.json:9: forged\\u0085\\ud800
    >>> printable("Zoë, team 3")
    'Zoë, team 3'
    """
    if text.isascii() and text.isprintable():  # the usual case, in C
        return text
    return UNSAFE.sub(_escaped, text)


def printable_lines(text: str) -> str:
    """:func:`printable` for a block of lines lacplan wrote itself (a catalogue table): the line
    feeds stay, every other control character and surrogate is escaped.

    >>> print(printable_lines("rule\\x1b[31m\\nnext line"))
    rule\\x1b[31m
    next line
    """
    if text.isascii() and text.replace("\n", "").isprintable():
        return text
    return _UNSAFE_BUT_NEWLINE.sub(_escaped, text)
