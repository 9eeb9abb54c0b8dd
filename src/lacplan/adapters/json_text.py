"""JSON text as the case loaders read it: strict parsing and physical lines.

The building blocks that every reader of JSON cases shares (:mod:`lacplan.adapters.json`, the
service's request bodies, the parallel reader's workers), so that each rejects the same texts with
the same words:

* :func:`strict_loads`: ``json.loads`` that rejects a key given twice in one object and says why
  a text is not JSON without quoting any of it (:class:`BadJson`);
* :func:`read_lines` and :func:`lines`: a file's physical lines, one ``readline`` at a time,
  bytes decoded line by line (a line that is not UTF-8 is ``None``), a byte order mark dropped;
* :func:`is_jsonl`: whether a file name means JSON Lines (:data:`JSONL_SUFFIXES`);
* :data:`READ_BUFFER`: the read buffer an input file is opened with.

Internal to lacplan: these names may change between releases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any, Final

__all__ = [
    "JSONL_SUFFIXES",
    "READ_BUFFER",
    "BadJson",
    "Data",
    "Line",
    "is_jsonl",
    "lines",
    "read_lines",
    "strict_loads",
]

#: File name endings read as JSON Lines without looking at the content.
JSONL_SUFFIXES: Final[tuple[str, ...]] = (".jsonl", ".ndjson")

#: The read buffer of an input file: a JSON Lines case is a few KB, so the default 8 KB buffer
#: would cost a read system call per line or two (this halves the time of reading the lines).
READ_BUFFER: Final = 256 * 1024

Line = str | None
"""A line as text; ``None``: a line that is not valid UTF-8."""
Data = str | bytes
"""A line as read (bytes from a binary file): what pydantic's JSON parser reads."""

_BOM: Final = b"\xef\xbb\xbf"


class BadJson(Exception):
    """A JSON text could not be read; ``detail`` is safe to show (it never quotes values)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):  # a key given twice: say which keys, never the key's text
        first: dict[str, int] = {}
        for n, (key, _) in enumerate(pairs, 1):
            if key in first:
                raise BadJson(
                    f"keys {first[key]} and {n} of one object have the same name (a key may "
                    "appear only once)"
                )
            first[key] = n
    return obj


def strict_loads(text: str, *, with_line: bool) -> Any:
    """The JSON value of ``text``; :class:`BadJson` when it is not JSON, holds a key twice in
    one object, is nested too deeply or holds a number with too many digits. ``with_line``: say
    where by line and column (a whole document), else by column (one line)."""
    try:
        return json.loads(text, object_pairs_hook=_object_without_duplicates)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
        raise BadJson(f"{exc.msg} at {where}") from None
    except RecursionError:
        raise BadJson("it is nested too deeply") from None
    except ValueError:  # an integer longer than sys.get_int_max_str_digits() (4300 by default)
        raise BadJson("a number has too many digits") from None


def is_jsonl(file_name: str | None) -> bool:
    """Whether ``file_name`` ends with one of :data:`JSONL_SUFFIXES` (any case)."""
    return file_name is not None and file_name.lower().endswith(JSONL_SUFFIXES)


def read_lines(fh: IO[str] | IO[bytes]) -> Iterator[tuple[Line, Data]]:
    """Physical lines, one ``readline`` at a time, as ``(text, data)``: ``text`` decoded (bytes
    line by line, ``None`` if not UTF-8), ``data`` as read; a leading byte order mark dropped."""
    first = True
    while True:
        raw = fh.readline()
        if not raw:
            return
        text: Line
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if first and text is not None:
                raw = raw.removeprefix(_BOM)
        else:
            text = raw
        if first and text is not None:
            text = text.removeprefix("\ufeff")
            if isinstance(raw, str):
                raw = text
        first = False
        yield text, raw


def lines(fh: IO[str] | IO[bytes]) -> Iterator[Line]:
    """Physical lines, one ``readline`` at a time; bytes are decoded line by line."""
    return (text for text, _ in read_lines(fh))
