"""One function per partition: lacplan over a pandas ``DataFrame`` of case texts, for Dask's
``map_partitions``, Spark's ``mapInPandas`` or anything else that hands out pandas frames
(needs pandas and pyarrow: ``pip install 'lacplan[dask]'``).

A *cases frame* has a ``case`` column holding one case per row as a JSON text (the JSON case
format of ``docs/case-format.md``), and optionally ``file`` and ``line`` columns saying where
each record came from (they name rejected records; by default the partition and the row's
1-based position in it). :func:`read_cases` reads one JSON Lines or Parquet file into such a
frame, :data:`CASES_COLUMNS` lists its columns and :func:`cases_meta` is its empty frame.

* :func:`evaluate_partition` returns the obligation rows: the columns of
  :meth:`lacplan.Report.rows` (:data:`~lacplan.report.ROW_FIELDS`, then ``label_<name>`` for
  each of ``labels``), with the Arrow types of ``lacplan evaluate --format parquet``
  (:func:`obligations_schema`; :func:`obligations_meta` is the empty frame to give Dask as
  ``meta``).
* :func:`partition_errors` returns the rejected records, one row per problem
  (:data:`ERROR_COLUMNS`: ``file, line, child_id, field, code, message``, as in the xlsx
  output's ``errors`` sheet; :func:`errors_meta`).
* :func:`label_names` returns the label keys a partition's cases use, for a first pass that
  fixes the ``label_<name>`` columns before the evaluation.

Records are read with :func:`lacplan.load_cases` exactly as a JSON Lines file is, so every row
is evaluated or rejected (nothing is dropped) with the same codes and messages, and evaluated
with :func:`lacplan.iter_evaluate`: the rows are those of :func:`lacplan.evaluate` over the
same cases, in the same order. ``docs/dask.md`` has the recipe.
"""

from __future__ import annotations

import importlib
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Final

from lacplan.calendar import WorkingDayCalendar
from lacplan.errors import UsageError
from lacplan.evaluate import evaluate, iter_evaluate
from lacplan.loaders import JSONL_SUFFIXES, load_cases
from lacplan.model import Case, Problem, RecordError
from lacplan.report import OBLIGATION_FIELDS, ROW_FIELDS, ChildResult, Obligation
from lacplan.rules import Conventions, RulePack, get_pack

try:  # imported by name: pyarrow has no type information
    pd: Any = importlib.import_module("pandas")
    pa: Any = importlib.import_module("pyarrow")
    pq: Any = importlib.import_module("pyarrow.parquet")
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "lacplan.partitions needs pandas and pyarrow: pip install 'lacplan[dask]'"
    ) from exc

__all__ = [
    "CASES_COLUMNS",
    "ERROR_COLUMNS",
    "cases_meta",
    "errors_meta",
    "evaluate_partition",
    "label_names",
    "obligations_meta",
    "obligations_schema",
    "partition_errors",
    "read_cases",
]

#: Columns of a cases frame (:func:`read_cases`): where each record came from, and its text.
CASES_COLUMNS: Final[tuple[str, ...]] = ("file", "line", "case")
#: Columns of :func:`partition_errors`: one row per problem of each rejected record.
ERROR_COLUMNS: Final[tuple[str, ...]] = ("file", "line", "child_id", "field", "code", "message")

_DATE_COLUMNS: Final = frozenset({"anchor", "due", "met_on", "as_of"})
_INT_COLUMNS: Final = frozenset({"sequence", "days_late", "line"})
_PARQUET_SUFFIXES: Final = (".parquet", ".parq")
# The name records are replayed under: it ends in .jsonl, so load_cases reads JSON Lines.
_REPLAY: Final = "partition.jsonl"
# Stream line of the first record: a blank first line keeps load_cases' byte order mark
# handling (first line only) from applying to any record.
_FIRST: Final = 2


def _arrow_type(column: str) -> Any:
    if column in _DATE_COLUMNS:
        return pa.date32()
    if column in _INT_COLUMNS:
        return pa.int64()
    return pa.string()


def _frame(columns: Sequence[str], values: Mapping[str, Sequence[Any]]) -> Any:
    """A pandas frame with Arrow-backed columns of the types :func:`_arrow_type` gives."""
    schema = pa.schema([pa.field(c, _arrow_type(c)) for c in columns])
    table = pa.Table.from_pydict({c: values.get(c, []) for c in columns}, schema=schema)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _row_columns(labels: Sequence[str], columns: Sequence[str] | None) -> list[str]:
    if isinstance(labels, str) or isinstance(columns, str):
        raise UsageError("labels and columns are lists of names, not one string")
    chosen = list(ROW_FIELDS if columns is None else columns)
    unknown = [c for c in chosen if c not in ROW_FIELDS]
    if unknown or len(set(chosen)) != len(chosen):
        raise UsageError(
            "columns must be distinct names from lacplan.report.ROW_FIELDS; "
            f"not {', '.join(map(repr, unknown)) or 'a repeated name'}"
        )
    if len(set(labels)) != len(labels) or not all(isinstance(n, str) and n for n in labels):
        raise UsageError("labels must be distinct, non-empty label names")
    return [*chosen, *(f"label_{n}" for n in labels)]


def obligations_schema(labels: Sequence[str] = (), columns: Sequence[str] | None = None) -> Any:
    """The ``pyarrow.Schema`` of :func:`evaluate_partition`'s rows: ``columns`` (default
    :data:`~lacplan.report.ROW_FIELDS`), then ``label_<name>`` for each of ``labels``; dates
    ``date32``, ``sequence`` and ``days_late`` ``int64`` (nullable), the rest strings (the
    schema of ``lacplan evaluate --format parquet``)."""
    names = _row_columns(labels, columns)
    return pa.schema([pa.field(c, _arrow_type(c)) for c in names])


def obligations_meta(labels: Sequence[str] = (), columns: Sequence[str] | None = None) -> Any:
    """An empty frame with :func:`evaluate_partition`'s columns and dtypes (Arrow-backed
    ``pandas.ArrowDtype``), to pass as ``meta`` so Dask infers nothing."""
    return _frame(_row_columns(labels, columns), {})


def errors_meta() -> Any:
    """An empty frame with :func:`partition_errors`' columns and dtypes."""
    return _frame(ERROR_COLUMNS, {})


def cases_meta() -> Any:
    """An empty cases frame (:data:`CASES_COLUMNS`), the ``meta`` of :func:`read_cases`."""
    return _frame(CASES_COLUMNS, {})


def _jsonl_rows(path: str) -> dict[str, list[Any]]:
    """Every non-blank physical line of a JSON Lines file, numbered as ``load_cases`` numbers
    them (blank lines counted); a line that is not UTF-8 becomes a null text."""
    lines: list[int] = []
    texts: list[str | None] = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                lines.append(number)
                texts.append(None)
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            if text.strip():
                lines.append(number)
                texts.append(text.removesuffix("\n"))
    return {"file": [path] * len(lines), "line": lines, "case": texts}


def _parquet_rows(path: str) -> dict[str, list[Any]]:
    """The ``case`` column of a Parquet file (and its ``file`` and ``line`` columns if it has
    them; else the path and the 1-based row number)."""
    present = set(pq.read_schema(path).names)
    if "case" not in present:
        raise UsageError(f"{path} has no 'case' column (one JSON case text per row)")
    wanted = [c for c in CASES_COLUMNS if c in present]
    table = pq.read_table(path, columns=wanted)
    column = table.column("case")
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        texts = [_decoded(v) for v in column.to_pylist()]
    elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        texts = column.to_pylist()
    else:
        raise UsageError(
            f"the 'case' column of {path} must hold JSON text (strings), not {column.type}"
        )
    n = len(texts)
    files = table.column("file").to_pylist() if "file" in present else [path] * n
    lines = table.column("line").to_pylist() if "line" in present else list(range(1, n + 1))
    return {"file": files, "line": lines, "case": texts}


def _decoded(value: bytes | None) -> str | None:
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_cases(path: str | os.PathLike[str]) -> Any:
    """One file as a cases frame (:data:`CASES_COLUMNS`), for ``dask.dataframe.from_map``.

    A ``.jsonl`` or ``.ndjson`` file gives a row per non-blank line, ``line`` being the
    physical line (as :func:`lacplan.load_cases` counts it); a line that is not valid UTF-8
    gives a null ``case`` (rejected as ``invalid_json``). A ``.parquet`` file must have a
    ``case`` column of JSON texts; its ``file`` and ``line`` columns are kept if it has them,
    else they are the path and the 1-based row number.
    """
    name = os.fspath(path)
    if not isinstance(name, str):
        raise UsageError("read_cases needs a str path, not bytes")
    lowered = name.lower()
    if lowered.endswith(JSONL_SUFFIXES):
        rows = _jsonl_rows(name)
    elif lowered.endswith(_PARQUET_SUFFIXES):
        rows = _parquet_rows(name)
    else:
        raise UsageError(
            f"read_cases reads JSON Lines ({', '.join(JSONL_SUFFIXES)}) or Parquet "
            f"({', '.join(_PARQUET_SUFFIXES)}) files; {os.path.basename(name)!r} is neither"
        )
    return _frame(CASES_COLUMNS, rows)


def _partition_name(partition_info: Mapping[str, Any] | None) -> str:
    number = partition_info.get("number") if partition_info else None
    return "<partition>" if number is None else f"<partition {number}>"


def _sources(frame: Any, partition_info: Mapping[str, Any] | None) -> tuple[list[Any], ...]:
    """``(files, lines, texts)`` of a cases frame, defaults filled in."""
    if "case" not in frame.columns:
        found = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        raise UsageError(
            f"a cases frame needs a 'case' column of JSON case texts; its columns: {found}"
        )
    n = len(frame)
    default = _partition_name(partition_info)
    files = frame["file"].tolist() if "file" in frame.columns else [default] * n
    lines = frame["line"].tolist() if "line" in frame.columns else list(range(1, n + 1))
    files = [f if isinstance(f, str) else default for f in files]
    lines = [_line(v, i) for i, v in enumerate(lines, start=1)]
    texts = [t if isinstance(t, str) and t.strip() else None for t in frame["case"].tolist()]
    return files, lines, texts


def _line(value: Any, position: int) -> int:
    """A row's ``line`` as an ``int``: the row's position when it is null or not a number."""
    if isinstance(value, bool | str):
        return position
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # null (NA, NaN) or not a number
        return position


def _no_text(file: str, line: int) -> RecordError:
    message = (
        f"line {line} holds no case text (null or blank, or not valid UTF-8 in its file; "
        "save files as UTF-8). Each line must hold one complete case object."
    )
    return RecordError(file, line, None, (Problem("", "invalid_json", message),))


def _relocated(error: RecordError, file: str, line: int, replayed: int) -> RecordError:
    """``error`` (of the record replayed on line ``replayed``) placed at ``file:line``."""
    if error.line != replayed:
        raise RuntimeError(
            f"lacplan.partitions: a rejected record came back on line {error.line}, "
            f"expected {replayed} (the JSON Lines reader changed how it counts lines)"
        )
    prefix = f"line {replayed} "
    problems = tuple(
        Problem(p.field, p.code, f"line {line} {p.message[len(prefix) :]}")
        if p.message.startswith(prefix)
        else p
        for p in error.problems
    )
    return RecordError(file, line, error.child_id, problems)


def _records(frame: Any, partition_info: Mapping[str, Any] | None) -> Iterator[Case | RecordError]:
    """Each row of a cases frame as a ``Case`` or a ``RecordError``, in row order.

    The texts are replayed to :func:`lacplan.load_cases` as one JSON Lines stream, a record
    per line, so that rows are read exactly as a JSON Lines file is; a rejected record is then
    given its own ``file`` and ``line``. A line break inside a text (a pretty-printed case in
    a Parquet column) becomes a carriage return: both are JSON whitespace between tokens and
    both are invalid inside a string, so what is valid stays valid. A null or blank text is
    rejected here (``load_cases`` would skip it as a blank line).
    """
    files, lines, texts = _sources(frame, partition_info)
    encoded = (t.replace("\n", "\r").encode("utf-8", "surrogatepass") for t in texts if t)
    stream = b"\n".join([b"", *encoded])
    items = load_cases(io.BytesIO(stream), name=_REPLAY)
    replayed = _FIRST
    for file, line, text in zip(files, lines, texts, strict=True):
        if text is None:
            yield _no_text(file, line)
            continue
        item = next(items, None)
        if item is None:
            raise RuntimeError("lacplan.partitions: the JSON Lines reader skipped a record")
        yield _relocated(item, file, line, replayed) if isinstance(item, RecordError) else item
        replayed += 1
    if next(items, None) is not None:
        raise RuntimeError("lacplan.partitions: the JSON Lines reader split a record")


def _rows(
    children: Iterable[ChildResult],
    names: Sequence[str],
    labels: Sequence[str],
    as_of: date,
    rules_version: str,
) -> dict[str, list[Any]]:
    """Column lists of the obligation rows: each field read from the obligations (dates as
    ``date`` objects), the run's ``as_of`` and ``rules_version``, the child's labels."""
    obligations: list[Obligation] = []
    label_values: dict[str, list[str | None]] = {n: [] for n in labels}
    for child in children:
        obligations.extend(child.obligations)
        count = len(child.obligations)
        for n in labels:
            label_values[n].extend([child.labels.get(n)] * count)
    out: dict[str, list[Any]] = {}
    for c in names:
        if c in OBLIGATION_FIELDS:
            out[c] = [getattr(o, c) for o in obligations]
        elif c == "as_of":
            out[c] = [as_of] * len(obligations)
        elif c == "rules_version":
            out[c] = [rules_version] * len(obligations)
    for n in labels:
        out[f"label_{n}"] = label_values[n]
    return out


def evaluate_partition(
    frame: Any,
    *,
    as_of: date,
    rules: str | RulePack = "england",
    overlays: Iterable[str | os.PathLike[str] | RulePack] = (),
    conventions: Conventions | None = None,
    calendar: WorkingDayCalendar | None = None,
    labels: Sequence[str] = (),
    columns: Sequence[str] | None = None,
    partition_info: Mapping[str, Any] | None = None,
) -> Any:
    """The obligation rows of one cases frame, as a pandas frame.

    ``as_of``, ``rules``, ``overlays``, ``conventions`` and ``calendar`` are
    :func:`lacplan.evaluate`'s. The rows are those of ``evaluate(cases, ...).rows()`` over the
    frame's cases, in row order: ``columns`` (default all of
    :data:`~lacplan.report.ROW_FIELDS`; any of them, in the order given), then
    ``label_<name>`` for each of ``labels`` (null for a child without that label; labels not
    listed are not written). Dtypes are those of :func:`obligations_meta` (dates as Arrow
    ``date32``). Rejected records give no rows: :func:`partition_errors` lists them.
    ``partition_info`` is what Dask passes (the partition's number names records of a frame
    without a ``file`` column). Pure: the same frame and arguments give the same rows.
    """
    names = _row_columns(labels, columns)
    pack = get_pack(rules, overlays)
    run = evaluate((), as_of, rules=pack, conventions=conventions, calendar=calendar)
    children = iter_evaluate(
        _records(frame, partition_info),
        as_of=run.as_of,
        rules=pack,
        conventions=conventions,
        calendar=calendar,
    )
    return _frame(names, _rows(children, names, labels, run.as_of, run.rules_version))


def partition_errors(frame: Any, *, partition_info: Mapping[str, Any] | None = None) -> Any:
    """The rejected records of one cases frame: a row per problem (:data:`ERROR_COLUMNS`),
    in row order, with the codes and messages :func:`lacplan.load_cases` gives (messages
    never quote a value). Validates without evaluating; ``partition_info`` as for
    :func:`evaluate_partition`."""
    out: dict[str, list[Any]] = {c: [] for c in ERROR_COLUMNS}
    for item in _records(frame, partition_info):
        if not isinstance(item, RecordError):
            continue
        # A record without problems (none is built so) still gets a row: nothing is lost.
        problems: Iterable[Problem | None] = item.problems or (None,)
        for p in problems:
            out["file"].append(item.file)
            out["line"].append(item.line)
            out["child_id"].append(item.child_id)
            out["field"].append(p.field if p else None)
            out["code"].append(p.code if p else None)
            out["message"].append(p.message if p else None)
    return _frame(ERROR_COLUMNS, out)


def label_names(frame: Any) -> Any:
    """The label keys used by the cases of a cases frame: a frame with one ``label`` column,
    sorted and distinct (texts that are not JSON objects are skipped: they are rejected when
    evaluated). Combine the partitions' and pass them as ``labels=``."""
    found: set[str] = set()
    for text in frame["case"].tolist():
        if not isinstance(text, str):
            continue
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):
            continue
        labels = record.get("labels") if isinstance(record, dict) else None
        if isinstance(labels, dict):
            found.update(k for k in labels if isinstance(k, str) and k)
    return _frame(("label",), {"label": sorted(found)})
