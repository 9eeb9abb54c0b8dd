"""Reading cases from a JSON object, a JSON array of objects, or JSON Lines.

:func:`load_cases` yields one item per record: a valid :class:`~lacplan.model.Case` or a
:class:`~lacplan.model.RecordError` saying where the record was and what is wrong with it. One bad
record never stops the others, so ``records in == valid + rejected`` always holds. JSON Lines are
streamed: a record is yielded before the next line is read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import IO, Any, Final

from lacplan.domain.case import Case
from lacplan.domain.validation import Problem, RecordError, _validate
from lacplan.errors import UsageError

__all__ = ["JSONL_SUFFIXES", "Source", "load_cases"]

#: File name endings read as JSON Lines without looking at the content.
JSONL_SUFFIXES: Final[tuple[str, ...]] = (".jsonl", ".ndjson")

Source = str | os.PathLike[str] | IO[str] | IO[bytes]
"""A path, or a file object opened for reading (text, or bytes decoded as UTF-8)."""

_Line = str | None  # None: a line that is not valid UTF-8


class _BadJson(Exception):
    """A JSON text could not be read; ``detail`` is safe to show (it never quotes values)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _BadJson(
                f"the key {json.dumps(key, ensure_ascii=False)} appears twice in one object"
            )
        obj[key] = value
    return obj


def _loads(text: str, *, with_line: bool) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_object_without_duplicates)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
        raise _BadJson(f"{exc.msg} at {where}") from None
    except RecursionError:
        raise _BadJson("it is nested too deeply") from None


def _is_jsonl(file_name: str | None) -> bool:
    return file_name is not None and file_name.lower().endswith(JSONL_SUFFIXES)


def _lines(fh: IO[str] | IO[bytes]) -> Iterator[_Line]:
    """Physical lines, one ``readline`` at a time; bytes are decoded line by line."""
    first = True
    while True:
        raw = fh.readline()
        if not raw:
            return
        text: _Line
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        else:
            text = raw
        if first and text is not None:
            text = text.removeprefix("\ufeff")
        first = False
        yield text


def _rejected(file: str, line: int, detail: str) -> RecordError:
    return RecordError(file, line, None, (Problem("", "invalid_json", detail),))


def _record(obj: object, file: str, line: int) -> Case | RecordError:
    result = _validate(obj)
    if isinstance(result, Case):
        return result
    child_id, problems = result
    return RecordError(file, line, child_id, problems)


def _jsonl_line(text: _Line, file: str, line: int) -> Case | RecordError:
    if text is None:
        return _rejected(file, line, f"line {line} is not valid UTF-8; save the file as UTF-8.")
    try:
        obj = _loads(text, with_line=False)
    except _BadJson as exc:
        return _rejected(
            file,
            line,
            f"line {line} is not valid JSON: {exc.detail}. Each line must hold one complete "
            "case object.",
        )
    return _record(obj, file, line)


def _jsonl(numbered: Iterator[tuple[int, _Line]], file: str) -> Iterator[Case | RecordError]:
    for line, text in numbered:
        if text is not None and not text.strip():
            continue
        yield _jsonl_line(text, file, line)


def _document(parts: list[_Line], file: str) -> Iterator[Case | RecordError]:
    texts = [t for t in parts if t is not None]
    if len(texts) != len(parts):
        yield _rejected(file, 1, "the file is not valid UTF-8; save it as UTF-8.")
        return
    try:
        value = _loads("".join(texts), with_line=True)
    except _BadJson as exc:
        yield _rejected(
            file,
            1,
            f"the file is not valid JSON: {exc.detail}. Expected one case object, a JSON "
            "array of case objects, or JSON Lines (one case object per line).",
        )
        return
    if isinstance(value, list):
        for position, item in enumerate(value, start=1):
            yield _record(item, file, position)
    else:
        yield _record(value, file, 1)


def _records(lines: Iterator[_Line], file: str, jsonl: bool) -> Iterator[Case | RecordError]:
    numbered = enumerate(lines, start=1)
    if jsonl:
        yield from _jsonl(numbered, file)
        return
    found = next(((n, t) for n, t in numbered if t is None or t.strip()), None)
    if found is None:
        return  # an empty or blank file holds no records
    line, text = found
    if text is not None and text.lstrip().startswith("{"):
        try:
            first = _loads(text, with_line=False)
        except _BadJson:
            first = None  # not complete on its own line: a pretty-printed object
        if isinstance(first, dict):
            for next_line, next_text in numbered:
                if next_text is None or next_text.strip():
                    yield _record(first, file, line)
                    yield _jsonl_line(next_text, file, next_line)
                    yield from _jsonl(numbered, file)
                    return
            yield _record(first, file, 1)
            return
    yield from _document([text, *(t for _, t in numbered)], file)


def _from_path(path: str, file: str) -> Iterator[Case | RecordError]:
    with open(path, "rb") as fh:
        yield from _records(_lines(fh), file, _is_jsonl(path))


def load_cases(source: Source, *, name: str | None = None) -> Iterator[Case | RecordError]:
    """Yield a :class:`Case` or a :class:`RecordError` for every record in ``source``.

    ``source`` is a path or a file object (text, or bytes read as UTF-8). The format is detected:
    a name ending ``.jsonl`` or ``.ndjson`` means JSON Lines; otherwise a first non-blank
    character ``[`` means a JSON array, and ``{`` means JSON Lines if the first line is a complete
    object on its own and more non-blank lines follow, else one (possibly pretty-printed) object.
    JSON Lines are streamed and blank lines skipped.

    ``RecordError.line`` is the physical line in JSON Lines (blank lines counted), the 1-based
    position in an array, and 1 for a single object or a file that is not valid JSON at all.
    ``name`` replaces the file name reported in errors (and, for a file object, the name used to
    detect JSON Lines). A path is opened when iteration starts; the file is closed when the
    iterator is exhausted or closed.
    """
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        if not isinstance(path, str):
            raise UsageError("load_cases needs a str path, not bytes")
        return _from_path(path, name if name is not None else path)
    if not callable(getattr(source, "readline", None)):
        raise UsageError(
            f"load_cases needs a path or a file object opened for reading, "
            f"not {type(source).__name__}"
        )
    own = getattr(source, "name", None)
    own_name = own if isinstance(own, str) else None
    file = name if name is not None else (own_name or "<stream>")
    return _records(_lines(source), file, _is_jsonl(name if name is not None else own_name))
