"""All cores: evaluate a cohort in worker processes, output in input order.

The public names of four modules, importable from here:

* :mod:`lacplan.cpus`: :func:`available_cpus` (affinity and cgroup CPU quota, whichever is
  smaller) and :func:`default_jobs` (1 for standard input or small inputs): how many processes.
* :mod:`lacplan.pool`: :func:`map_ordered`, a parallel ``map``, results in input order, a bounded
  number of chunks in flight (the input is read only as fast as results are consumed: flat
  memory); ``jobs=1`` runs inline, starting nothing. Workers ignore ``SIGINT`` (Ctrl-C reaches
  the whole process group: the parent decides) and, on Linux, get ``SIGTERM`` if their parent
  dies; the parent terminates and joins them when the iterator is closed or dropped, on
  ``KeyboardInterrupt`` and on any error. :func:`start_method` says how they are started.
* :mod:`lacplan.serialisers`: :class:`TextOf`, :class:`CsvText`, :class:`RowsOf`, :func:`keep`
  and :class:`Made`, what the workers make of each child's result.
* this module: :func:`evaluate_serialised`, cases in, each child's *serialised* output out (a
  JSON Lines line, CSV text, rows), so that the parent only writes; :func:`read_raw_inputs`
  leaves JSON Lines unparsed for the workers to parse and validate (a ``Case`` pickles slowly:
  sending its line is far cheaper). :func:`evaluate_report` is :func:`~lacplan.evaluate` on
  all cores.

Output is the same bytes for every ``jobs``: the workers run the same functions
(:func:`~lacplan.evaluate.iter_evaluate`, the loader's line reader, the writer) on the same
items. With the ``fork`` start method the workers inherit the pack and the serialiser; with
``forkserver`` or ``spawn`` the pack, conventions, calendar and serialiser must pickle.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

from lacplan.adapters import Batch, read_inputs
from lacplan.adapters.json import jsonl_line, load_cases
from lacplan.adapters.json_text import READ_BUFFER, is_jsonl, lines
from lacplan.calendar import WorkingDayCalendar, england_and_wales
from lacplan.cpus import SMALL_INPUT_BYTES, available_cpus, cgroup_cpu_limit, default_jobs
from lacplan.errors import UsageError
from lacplan.evaluate import _as_date, iter_evaluate, report_of
from lacplan.model import Case, RecordError
from lacplan.pool import CHUNKS_IN_FLIGHT_PER_JOB, DEFAULT_CHUNK_SIZE, map_ordered, start_method
from lacplan.report import ChildResult, Report
from lacplan.rules import Conventions, RulePack, get_pack
from lacplan.serialisers import CsvText, Made, RowsOf, TextOf, keep

if TYPE_CHECKING:
    from lacplan.privacy import Privacy

__all__ = [
    "CHUNKS_IN_FLIGHT_PER_JOB",
    "DEFAULT_CHUNK_SIZE",
    "SMALL_INPUT_BYTES",
    "CsvText",
    "Item",
    "Made",
    "RawLine",
    "RowsOf",
    "TextOf",
    "available_cpus",
    "cgroup_cpu_limit",
    "default_jobs",
    "evaluate_report",
    "evaluate_serialised",
    "keep",
    "map_ordered",
    "read_raw_inputs",
    "start_method",
]

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class RawLine:
    """One line of a JSON Lines file, not yet parsed: the worker that evaluates it parses and
    validates it exactly as :func:`~lacplan.load_cases` would (``text`` is ``None`` for a line
    that is not valid UTF-8)."""

    file: str
    line: int
    text: str | None

    def parse(self) -> Case | RecordError:
        """The case (or rejection) ``load_cases`` yields for this line."""
        return jsonl_line(self.text, self.file, self.line)


#: What :func:`evaluate_serialised` takes: cases, rejected records, and unparsed lines.
Item = Case | RecordError | RawLine


def _raw_jsonl(path: str) -> Iterator[RawLine]:
    """The non-blank lines of a JSON Lines file as :class:`RawLine` items (as ``load_cases``
    reads it: physical line numbers, a leading byte order mark dropped)."""
    with open(path, "rb", buffering=READ_BUFFER) as fh:
        for number, text in enumerate(lines(fh), start=1):
            if text is not None and not text.strip():
                continue
            yield RawLine(path, number, text)


def read_raw_inputs(
    paths: Sequence[str],
    *,
    input_format: str = "json",
    years: Mapping[str, int] | None = None,
    stdin: IO[Any] | None = None,
    extract_date: date | None = None,
    window_years: int | None = 6,
) -> tuple[Iterator[Item], Batch]:
    """:func:`~lacplan.adapters.read_inputs`, with JSON Lines files left unparsed.

    Returns ``(items, batch)``: iterate ``items``; ``batch`` holds the accounting and the file
    findings once they are exhausted (what ``write_jsonl_trailer`` writes). With the ``json``
    input format, a file named ``*.jsonl`` or ``*.ndjson`` yields :class:`RawLine` items (the
    workers of :func:`evaluate_serialised` parse them), other files and standard input yield
    cases as ``load_cases`` does; other input formats yield what ``read_inputs`` yields. The
    same checks, in the same words, as ``read_inputs``; ``stdin`` is the stream ``-`` names
    (default ``sys.stdin``; e.g. a spooled copy of it), as there.
    """
    batch = read_inputs(  # its checks
        paths,
        input_format=input_format,
        years=years,
        stdin=stdin,
        extract_date=extract_date,
        window_years=window_years,
    )
    if input_format != "json":
        return iter(batch), batch
    parts: list[Iterable[Item]] = []
    for path in paths:
        if path == "-":
            parts.append(load_cases(sys.stdin if stdin is None else stdin, name="<stdin>"))
        elif is_jsonl(path):
            parts.append(_raw_jsonl(path))
        else:
            parts.append(load_cases(path))
    return (item for part in parts for item in part), Batch()


@dataclass(frozen=True, slots=True)
class _Evaluation(Generic[S]):
    """In a worker: one chunk of items evaluated (by ``iter_evaluate``) and serialised. It
    pickles as its fields: a ``RulePack`` pickles without its compiled program and rebuilds
    its look-up tables when unpickled; ``privacy`` pickles as its key bytes and flags."""

    as_of: date
    pack: RulePack
    conventions: Conventions
    calendar: WorkingDayCalendar | None
    serialise: Callable[[ChildResult], S]
    privacy: Privacy | None = None

    def __call__(self, chunk: list[Item]) -> list[S | RecordError]:
        parsed = [x.parse() if isinstance(x, RawLine) else x for x in chunk]
        # Rejections (on reading, or a case whose evaluation failed) reach ``on_error`` in
        # their places, before the next item is evaluated: ``out`` keeps the input's order.
        out: list[S | RecordError] = []
        serialise = self.serialise
        for child in iter_evaluate(
            parsed,
            as_of=self.as_of,
            pack=self.pack,
            conventions=self.conventions,
            calendar=self.calendar,
            on_error=out.append,
            privacy=self.privacy,
        ):
            out.append(serialise(child))
        return out


def _checked(items: Iterable[object]) -> Iterator[Item]:
    for position, item in enumerate(items):
        if not isinstance(item, Case | RecordError | RawLine):
            raise UsageError(
                f"cases item {position} (counting from 0) is of type {type(item).__name__}, "
                "not a lacplan.Case, RecordError or lacplan.parallel.RawLine"
            )
        yield item


def evaluate_serialised(
    items: Iterable[Item],
    *,
    as_of: date,
    serialise: Callable[[ChildResult], S],
    rules: str | RulePack = "england",
    overlays: Iterable[str | os.PathLike[str] | RulePack] = (),
    conventions: Conventions | None = None,
    calendar: WorkingDayCalendar | None = None,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    start: str | None = None,
    privacy: Privacy | None = None,
) -> Generator[S | RecordError, None, None]:
    """Evaluate ``items`` in ``jobs`` processes: for each, in input order, ``serialise(child)``
    of its :class:`ChildResult`, or the :class:`RecordError` of a rejected record (a
    ``RecordError`` item, or a :class:`RawLine` that does not parse or validate).

    One output per item, so ``records in == evaluated + rejected``. ``serialise`` is
    :class:`TextOf`, :class:`CsvText`, :class:`RowsOf`, :func:`keep` or any callable that
    pickles (see :class:`Made` for closures); it runs in the workers, so the parent only
    writes. The rules are resolved here (``get_pack(rules, overlays)``, files read once); the
    other arguments are :func:`~lacplan.evaluate.iter_evaluate`'s (``privacy`` is applied in
    the workers, before ``serialise``). Output is identical for every ``jobs``; see
    :func:`map_ordered` for chunks, processes and stopping.
    """
    if calendar is None:
        england_and_wales()  # built once here: forked workers inherit it
    job = _Evaluation(
        as_of=_as_date(as_of),
        pack=get_pack(rules, overlays),
        conventions=conventions or Conventions(),
        calendar=calendar,
        serialise=serialise,
        privacy=privacy,
    )
    return map_ordered(
        job, _checked(items), jobs=jobs, chunk_size=chunk_size, batched=True, start=start
    )


def evaluate_report(
    cases: Iterable[Item],
    *,
    as_of: date,
    rules: str | RulePack = "england",
    overlays: Iterable[str | os.PathLike[str] | RulePack] = (),
    conventions: Conventions | None = None,
    calendar: WorkingDayCalendar | None = None,
    **options: Any,
) -> Report:
    """:func:`~lacplan.evaluate` on ``jobs`` processes (``options``: ``jobs``, ``chunk_size``,
    ``start``, ``privacy``, as for :func:`evaluate_serialised`): the same :class:`Report` (a
    :class:`Batch` brings its accounting and findings). For outputs that need the whole report:
    results are pickled back, so prefer :func:`evaluate_serialised` where output is written
    child by child.
    """
    day, pack, conv = _as_date(as_of), get_pack(rules, overlays), conventions or Conventions()
    outputs = list(
        evaluate_serialised(
            cases,
            as_of=day,
            serialise=keep,
            rules=pack,
            conventions=conv,
            calendar=calendar,
            **options,
        )
    )
    return report_of(
        cases,
        day,
        pack,
        conv,
        calendar or england_and_wales(),
        (o for o in outputs if isinstance(o, ChildResult)),
        (o for o in outputs if isinstance(o, RecordError)),
    )
