"""Reading cases from a JSON object, a JSON array of objects, or JSON Lines.

:func:`load_cases` yields one item per record: a valid :class:`~lacplan.model.Case` or a
:class:`~lacplan.model.RecordError` saying where the record was and what is wrong with it. One bad
record never stops the others, so ``records in == valid + rejected`` always holds. JSON Lines are
streamed: a record is yielded before the next line is read.

A JSON Lines record is first validated straight from its text by pydantic's JSON parser (no
Python objects in between), which is faster. That parser keeps the last of two equal keys, where
lacplan rejects the record, so a case it reads is kept only when a count proves the text held no
duplicate key (:func:`_fast_case`); any other outcome re-reads the line the reference way
(``json.loads`` with duplicate, depth and number checks, then validation from Python objects),
which alone produces rejections. The result is the same either way.

The service's request bodies and the parallel reader's workers build on the same steps:
:func:`record` (one parsed record), :func:`jsonl_line` (one JSON Lines line) and :func:`records`
(a file's lines); the text-level parts (strict parsing, physical lines) are in
:mod:`lacplan.adapters.json_text`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from operator import attrgetter
from typing import IO, Any, Final

from pydantic_core import from_json

from lacplan.adapters.json_text import (
    JSONL_SUFFIXES,
    READ_BUFFER,
    BadJson,
    Data,
    Line,
    is_jsonl,
    read_lines,
    strict_loads,
)
from lacplan.domain.case import Case
from lacplan.domain.validation import Problem, RecordError, _validate, with_origin
from lacplan.errors import UsageError

__all__ = [
    "JSONL_SUFFIXES",
    "Keep",
    "Source",
    "accepted_records",
    "jsonl_line",
    "load_cases",
    "record",
    "records",
]

#: A look at one record's parsed JSON value before it is validated: ``False`` skips it
#: (:func:`accepted_records`).
Keep = Callable[[object], bool]

Source = str | os.PathLike[str] | IO[str] | IO[bytes]
"""A path, or a file object opened for reading (text, or bytes decoded as UTF-8)."""

_validate_json: Final = Case.__pydantic_validator__.validate_json

#: Larger ``agreed_visit_interval_days`` values are left to the reference path, which decides
#: whether a number has too many digits to read.
_LARGEST_FAST_INT: Final = 10**18


def _parsed_keys(parsed: dict[str, Any]) -> int:
    """How many keys the objects of a parsed case record hold (each object's distinct keys).

    Walks the objects a valid case has (labels, periods, placements, legal statuses, events,
    coverage and its spans, source findings); missing one only makes the count smaller.
    """
    keys = len(parsed)
    labels = parsed.get("labels")
    if labels:
        keys += len(labels)
    for period in parsed.get("periods", ()):
        keys += len(period) + sum(map(len, period["placements"]))
        keys += sum(map(len, period.get("legal_status", ())))
    keys += sum(map(len, parsed.get("events", ())))
    coverage = parsed.get("coverage")
    if coverage:
        keys += len(coverage) + sum(map(len, coverage.get("observed", ())))
    keys += sum(map(len, parsed.get("source_findings", ())))
    return keys


_fields_set: Final = attrgetter("__pydantic_fields_set__")


def _keys_given(case: Case, data: Data) -> int | None:
    """How many distinct keys the objects of the record ``case`` was read from held.

    Counted from the fields each model was given (and the labels), except where lacplan itself
    may have set a field (a period numbered by start order, the first placement of an emergency
    period marked as an emergency): then from a parse of ``data``. ``None`` when only the
    reference path can tell (an ``agreed_visit_interval_days`` too large for this path).
    """
    keys = len(case.__pydantic_fields_set__) + len(case.labels)
    guessed = False
    for rank, period in enumerate(case.periods, start=1):
        placements = period.placements
        keys += len(period.__pydantic_fields_set__)
        keys += sum(map(len, map(_fields_set, placements)))
        keys += sum(map(len, map(_fields_set, period.legal_status)))
        interval = period.agreed_visit_interval_days
        if interval is not None and interval > _LARGEST_FAST_INT:
            return None
        if period.period_id == str(rank) or (
            period.entry == "emergency" and placements[0].emergency
        ):
            guessed = True
    keys += sum(map(len, map(_fields_set, case.events)))
    coverage = case.coverage
    if coverage is not None:
        keys += len(coverage.__pydantic_fields_set__)
        keys += sum(map(len, map(_fields_set, coverage.observed)))
    keys += sum(map(len, map(_fields_set, case.source_findings)))
    if guessed:
        return _parsed_keys(from_json(data))
    return keys


def _colons_in_strings(case: Case) -> int:
    """Colons in the strings of ``case`` that came from its record (ids, labels, findings).

    Dates, literals and defaults never hold one. Missing a string only makes the count smaller.
    """
    colons = case.child_id.count(":")
    colons += sum(k.count(":") + v.count(":") for k, v in case.labels.items())
    for period in case.periods:
        colons += period.period_id.count(":")
        colons += sum(p.placement_id.count(":") for p in period.placements)
    for event in case.events:
        colons += (event.event_id or "").count(":") + (event.placement_id or "").count(":")
    if case.coverage is not None:
        colons += case.coverage.source.count(":")
    for finding in case.source_findings:
        colons += finding.code.count(":") + finding.field.count(":") + finding.message.count(":")
    return colons


def _fast_case(data: Data) -> Case | None:
    """The case pydantic's JSON parser validates from ``data`` when it is provably the one the
    reference path gives, else ``None`` (the reference path then reads the line).

    Outside strings a JSON text holds one colon per key, so its colons (less those found in the
    case's strings, when no ``\\u`` escape could hide one) bound the keys of its objects from
    above, and the keys the case was built from bound them from below: equal counts prove that
    no object held a key twice. Any error, or any doubt, goes to the reference path.
    """
    try:
        case: Case = _validate_json(data)
        keys = _keys_given(case, data)
    except Exception:  # the reference path decides (and says why)
        return None
    colons = data.count(b":") if isinstance(data, bytes) else data.count(":")
    if keys is not None and colons > keys and not _escapes(data):
        colons -= _colons_in_strings(case)  # without \u escapes, as many as in the text's strings
    return case if keys == colons else None


def _escapes(data: Data) -> bool:
    """Whether ``data`` may hold a ``\\u`` escape (a backslash is searched for first: faster)."""
    if isinstance(data, bytes):
        return b"\\" in data and b"\\u" in data
    return "\\" in data and "\\u" in data


def _rejected(file: str, line: int, detail: str) -> RecordError:
    return RecordError(file, line, None, (Problem("", "invalid_json", detail),))


def record(obj: object, file: str, line: int) -> Case | RecordError:
    """The case or rejection for one parsed record (``line``: where it was in ``file``)."""
    result = _validate(obj)
    if isinstance(result, Case):
        return with_origin(result, file, line)
    child_id, problems = result
    return RecordError(file, line, child_id, problems)


def jsonl_line(text: Line, file: str, line: int, data: Data | None = None) -> Case | RecordError:
    """The case or rejection for one non-blank JSON Lines line (``data``: the line as read)."""
    if text is None:
        return _rejected(file, line, f"line {line} is not valid UTF-8; save the file as UTF-8.")
    case = _fast_case(text if data is None else data)
    if case is not None:
        return with_origin(case, file, line)
    try:
        obj = strict_loads(text, with_line=False)
    except BadJson as exc:
        return _rejected(
            file,
            line,
            f"line {line} is not valid JSON: {exc.detail}. Each line must hold one complete "
            "case object.",
        )
    return record(obj, file, line)


_Numbered = Iterator[tuple[int, tuple[Line, Data]]]


def _jsonl(numbered: _Numbered, file: str, keep: Keep | None) -> Iterator[Case | RecordError]:
    for line, (text, data) in numbered:
        if text is not None and not text.strip():
            continue
        if keep is not None and not _kept_line(text, keep):
            continue
        yield jsonl_line(text, file, line, data)


def _kept_line(text: Line, keep: Keep) -> bool:
    """Whether ``keep`` takes the record on a JSON Lines line (a line that is not JSON is a
    rejection, which no ``keep`` needs to see)."""
    if text is None:
        return False
    try:
        value = json.loads(text)  # a cheap look (the loader's own reading follows if kept)
    except (ValueError, RecursionError):
        return False
    return keep(value)


def _document(parts: list[Line], file: str, keep: Keep | None) -> Iterator[Case | RecordError]:
    texts = [t for t in parts if t is not None]
    if len(texts) != len(parts):
        yield _rejected(file, 1, "the file is not valid UTF-8; save it as UTF-8.")
        return
    try:
        value = strict_loads("".join(texts), with_line=True)
    except BadJson as exc:
        yield _rejected(
            file,
            1,
            f"the file is not valid JSON: {exc.detail}. Expected one case object, a JSON "
            "array of case objects, or JSON Lines (one case object per line).",
        )
        return
    if isinstance(value, list):
        for position, item in enumerate(value, start=1):
            if keep is None or keep(item):
                yield record(item, file, position)
    elif keep is None or keep(value):
        yield record(value, file, 1)


def records(
    lines: Iterator[tuple[Line, Data]], file: str, jsonl: bool, keep: Keep | None = None
) -> Iterator[Case | RecordError]:
    """The cases and rejections of a file's lines (:func:`~lacplan.adapters.json_text.read_lines`),
    the format told apart as :func:`load_cases` says; ``jsonl``: JSON Lines whatever the content.
    """
    numbered = enumerate(lines, start=1)
    if jsonl:
        yield from _jsonl(numbered, file, keep)
        return
    found = next(((n, t) for n, (t, _) in numbered if t is None or t.strip()), None)
    if found is None:
        return  # an empty or blank file holds no records
    line, text = found
    if text is not None and text.lstrip().startswith("{"):
        try:
            first = strict_loads(text, with_line=False)
        except BadJson:
            first = None  # not complete on its own line: a pretty-printed object
        if isinstance(first, dict):
            kept = keep is None or keep(first)
            for next_line, (next_text, next_data) in numbered:
                if next_text is None or next_text.strip():
                    if kept:
                        yield record(first, file, line)
                    if keep is None or _kept_line(next_text, keep):
                        yield jsonl_line(next_text, file, next_line, next_data)
                    yield from _jsonl(numbered, file, keep)
                    return
            if kept:
                yield record(first, file, 1)
            return
    yield from _document([text, *(t for _, (t, _) in numbered)], file, keep)


def _from_path(path: str, file: str) -> Iterator[Case | RecordError]:
    with open(path, "rb", buffering=READ_BUFFER) as fh:
        yield from records(read_lines(fh), file, is_jsonl(path))


def accepted_records(path: str, keep: Keep, *, jsonl: bool) -> Iterator[Case | RecordError]:
    """The records of the JSON file at ``path`` that ``keep`` takes, each validated as
    :func:`load_cases` validates it; the others are skipped without being validated (``keep``
    sees each record's parsed JSON value first). ``jsonl``: read the file as JSON Lines whatever
    its content (a name ending ``.jsonl``), else as :func:`load_cases` tells the formats apart.
    A file or line the loader rejects as a whole yields its rejection, or nothing. Internal:
    the label columns' read-ahead (``lacplan.adapters.scan_label_keys``)."""
    with open(path, "rb", buffering=READ_BUFFER) as fh:
        yield from records(read_lines(fh), path, jsonl, keep)


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
    return records(read_lines(source), file, is_jsonl(name if name is not None else own_name))
