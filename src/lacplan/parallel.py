"""All cores: evaluate a cohort in worker processes, output in input order.

* :func:`available_cpus` (affinity and cgroup CPU quota, whichever is smaller) and
  :func:`default_jobs` (1 for standard input or small inputs): how many processes.
* :func:`map_ordered`: a parallel ``map``, results in input order, a bounded number of chunks
  in flight (the input is read only as fast as results are consumed: flat memory); ``jobs=1``
  runs inline, starting nothing.
* :func:`evaluate_serialised`: cases in, each child's *serialised* output out (a JSON Lines
  line, CSV text, rows), so that the parent only writes; :func:`read_raw_inputs` leaves JSON
  Lines unparsed for the workers to parse and validate (a ``Case`` pickles slowly: sending its
  line is far cheaper). :func:`evaluate_report` is :func:`~lacplan.evaluate` on all cores.

Output is the same bytes for every ``jobs``: the workers run the same functions
(:func:`~lacplan.evaluate.iter_evaluate`, the loader's line reader, the writer) on the same
items. Workers ignore ``SIGINT`` (Ctrl-C reaches the whole process group: the parent decides)
and, on Linux, get ``SIGTERM`` if their parent dies. The parent terminates and joins them when
the iterator is closed or dropped, on ``KeyboardInterrupt`` and on any error; a worker's
exception is raised in the parent, a worker that dies raises ``BrokenProcessPool``.

Start method: ``fork`` on Linux when the process runs a single thread (fast; the workers
inherit the pack and the serialiser, nothing is pickled); else ``forkserver`` (``spawn`` where
there is none), for which the pack, conventions, calendar and serialiser must pickle (the fork
server imports lacplan once; its workers are forks of it). Forking a process that runs other
threads (``import pyarrow`` starts some) can deadlock its children.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any, Final, Generic, TypeVar

from lacplan.adapters import Batch, read_inputs
from lacplan.adapters.json import _is_jsonl, _jsonl_line, _lines, load_cases
from lacplan.calendar import WorkingDayCalendar, england_and_wales
from lacplan.errors import UsageError
from lacplan.evaluate import _as_date, iter_evaluate, report_of
from lacplan.model import Case, RecordError
from lacplan.report import ChildResult, Report
from lacplan.rules import Conventions, RulePack, get_pack

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

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

#: Inputs totalling less than this many bytes are evaluated in one process
#: (:func:`default_jobs`): starting workers costs more than it saves.
SMALL_INPUT_BYTES: Final = 4 * 1024 * 1024
#: Items sent to a worker at a time.
DEFAULT_CHUNK_SIZE: Final = 64
#: Chunks in flight (sent and not yet written) per worker: enough to keep every worker busy
#: while the parent writes, few enough that memory stays flat.
CHUNKS_IN_FLIGHT_PER_JOB: Final = 2


# --- How many processes -----------------------------------------------------------------------


def _cpus_in(directory: str, v2: bool) -> int | None:
    """The quota in ``directory``, in CPUs rounded up: cgroup v2 ``cpu.max`` (``"QUOTA
    PERIOD"``, ``"max PERIOD"``) or v1 ``cpu.cfs_quota_us`` and ``cpu.cfs_period_us``
    (``-1``: none); ``None`` for no limit, no file, or nonsense."""
    names = ("cpu.max",) if v2 else ("cpu.cfs_quota_us", "cpu.cfs_period_us")
    try:
        words: list[str] = []
        for name in names:
            with open(os.path.join(directory, name), encoding="ascii") as fh:
                words += fh.read().split()
        quota, period = (int(w) for w in words)
    except (OSError, UnicodeDecodeError, ValueError):  # missing, "max", or not two numbers
        return None
    return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None


def _ancestors(root: str, relative: str) -> list[str]:
    """``root/relative`` and each of its parents up to ``root`` (a cgroup and those above it)."""
    parts = [p for p in relative.split("/") if p and p not in (".", "..")]
    return [os.path.join(root, *parts[:i]) for i in range(len(parts) + 1)]


def cgroup_cpu_limit(
    root: str = "/sys/fs/cgroup", self_cgroup: str = "/proc/self/cgroup"
) -> int | None:
    """The CPU quota of this process's cgroups in whole CPUs (rounded up), or ``None``.

    cgroup v2: ``cpu.max`` (``"QUOTA PERIOD"`` or ``"max PERIOD"``) in ``root`` and in the
    process's own cgroup and its parents (from ``self_cgroup``, lines ``0::/path``); cgroup v1:
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` in the ``cpu`` controller's hierarchy
    (``root/cpu``, ``root/cpu,cpuacct``, or ``root`` itself). The smallest limit found wins.
    """
    v2_paths, v1_paths = [""], [""]
    with contextlib.suppress(OSError, UnicodeDecodeError), open(self_cgroup, "rb") as fh:
        for line in fh.read().decode("utf-8").splitlines():
            _, _, rest = line.partition(":")
            controllers, _, path = rest.partition(":")
            if controllers == "":
                v2_paths.append(path)
            elif "cpu" in controllers.split(","):
                v1_paths.append(path)
    dirs = [(d, True) for path in v2_paths for d in _ancestors(root, path)]
    for mount in ("cpu", "cpu,cpuacct", "cpuacct,cpu", ""):
        base = os.path.join(root, mount)
        dirs += [(d, False) for path in v1_paths for d in _ancestors(base, path)]
    limits = [n for d, v2 in dict.fromkeys(dirs) if (n := _cpus_in(d, v2)) is not None]
    return min(limits) if limits else None


def _affinity() -> int:
    counted: Callable[[], int | None] | None = getattr(os, "process_cpu_count", None)
    if counted is not None:  # Python 3.13+: affinity, and PYTHON_CPU_COUNT
        return counted() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def available_cpus(root: str = "/sys/fs/cgroup", *, self_cgroup: str = "/proc/self/cgroup") -> int:
    """The CPUs this process may use: its CPU affinity (``os.sched_getaffinity``, where there
    is one; else ``os.cpu_count()``) or its cgroup CPU quota (:func:`cgroup_cpu_limit`, rounded
    up: a quota of 1.5 CPUs lets two processes run), whichever is smaller; at least 1.
    ``root`` and ``self_cgroup`` are where the cgroup files are read (tests give fake ones)."""
    return max(1, min(_affinity(), cgroup_cpu_limit(root, self_cgroup) or sys.maxsize))


def _sizes(paths: Iterable[str]) -> Iterator[int]:
    """The sizes of the files in ``paths`` (directories walked); unreadable ones are skipped
    (the reader reports them)."""
    for path in paths:
        found = (os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs)
        for file in found if os.path.isdir(path) else (path,):
            with contextlib.suppress(OSError):
                yield os.path.getsize(file)


def default_jobs(paths: Sequence[str], *, stdin: bool) -> int:
    """How many processes to evaluate ``paths`` with: 1 when reading standard input (``stdin``,
    or a ``-`` among ``paths``) or when the inputs total under :data:`SMALL_INPUT_BYTES`; else
    :func:`available_cpus`."""
    if stdin or "-" in paths:
        return 1
    total = 0
    for size in _sizes(paths):
        total += size
        if total >= SMALL_INPUT_BYTES:
            return available_cpus()
    return 1


# --- The ordered parallel map -----------------------------------------------------------------


def _threads() -> int:
    """The threads of this process: the OS's count on Linux (native threads too, such as a
    writer's thread pool), given a moment to settle when it is above Python's own count (a
    thread just joined, an executor's just shut down, is still listed while it exits)."""
    python = threading.active_count()
    for _ in range(20):
        try:
            n = len(os.listdir("/proc/self/task"))
        except OSError:
            return python
        if n <= python:
            return n
        time.sleep(0.005)
    return n


def start_method(requested: str | None = None) -> str:
    """The ``multiprocessing`` start method workers are started with: ``requested`` if given;
    else ``fork`` on Linux when this process has one thread, ``forkserver`` where there is
    one, ``spawn`` otherwise."""
    methods = multiprocessing.get_all_start_methods()
    if requested is not None:
        if requested not in methods:
            raise UsageError(f"unknown start method {requested!r}; here: {', '.join(methods)}")
        return requested
    if sys.platform.startswith("linux") and "fork" in methods and _threads() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


@dataclass(frozen=True, slots=True)
class _Work:
    """What the workers do: ``func`` on each item (or each chunk, ``batched``), after
    ``initializer(*initargs)`` once."""

    func: Callable[[Any], Any]
    batched: bool
    initializer: Callable[..., object] | None
    initargs: tuple[Any, ...]

    def setup(self) -> None:
        if self.initializer is not None:
            self.initializer(*self.initargs)

    def __call__(self, chunk: list[Any]) -> list[Any]:
        if not self.batched:
            return [self.func(x) for x in chunk]
        out = list(self.func(chunk))
        if len(out) != len(chunk):
            raise ValueError(
                f"a batched function returned {len(out)} results for {len(chunk)} items"
            )
        return out


#: A worker's :class:`_Work`, set by :func:`_init_worker`.
_WORK: list[_Work] = []
_PR_SET_PDEATHSIG: Final = 1


def _die_with_parent(parent: int | None) -> None:
    """Linux: have the kernel send this process ``SIGTERM`` when its parent exits (``parent``
    started it; ``None``: a fork server did, which exits with the process that started it)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl: nothing to do
        return
    if parent is not None and os.getppid() != parent:  # pragma: no cover - it exited already
        os.kill(os.getpid(), signal.SIGTERM)


def _init_worker(work: _Work, parent: int | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    _WORK[:] = [work]
    work.setup()


def _run_chunk(chunk: list[Any]) -> list[Any]:
    """In a worker: the results of one chunk."""
    return _WORK[0](chunk)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _stop(executor: ProcessPoolExecutor, pending: deque[Future[list[Any]]]) -> None:
    """Stop the workers now: cancel what has not started, terminate the processes, and join
    them (``shutdown`` reaps them and joins the executor's threads)."""
    for future in pending:
        future.cancel()
    processes: Mapping[int, Any] = getattr(executor, "_processes", None) or {}  # CPython's
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)


def map_ordered(
    func: Callable[[T], R] | Callable[[list[T]], Iterable[R]],
    items: Iterable[T],
    *,
    jobs: int,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    batched: bool = False,
    start: str | None = None,
) -> Generator[R, None, None]:
    """``func`` applied to every item, in ``jobs`` processes, results in input order.

    Items go to the workers ``chunk_size`` at a time; at most ``jobs *``
    :data:`CHUNKS_IN_FLIGHT_PER_JOB` chunks are out at once, so the input is read only as fast
    as results are consumed. With ``batched=True``, ``func`` takes a whole chunk (a list) and
    returns one result per item, in order. ``initializer(*initargs)`` runs once in each worker
    before its first chunk (with ``jobs=1``, once in this process before the first item).

    ``jobs=1`` runs inline: no process, no pickling. Otherwise ``func``, ``initializer`` and
    ``initargs`` are inherited by forked workers, or pickled for the other start methods
    (``start``; default :func:`start_method`); chunks and results are always pickled. A
    worker's exception is raised here; closing the iterator (or dropping it), an error or
    ``KeyboardInterrupt`` terminates the workers and joins them.
    """
    if not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"jobs must be a whole number of at least 1, not {jobs!r}")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise UsageError(f"chunk_size must be a whole number of at least 1, not {chunk_size!r}")
    work = _Work(func, batched, initializer, initargs)
    if jobs == 1:
        return _inline(work, items, chunk_size)
    return _pooled(work, _chunks(items, chunk_size), jobs, start_method(start))


def _inline(work: _Work, items: Iterable[Any], chunk_size: int) -> Generator[Any, None, None]:
    work.setup()
    if not work.batched:
        yield from map(work.func, items)
        return
    for chunk in _chunks(items, chunk_size):
        yield from work(chunk)


def _pooled(
    work: _Work, chunks: Iterator[list[Any]], jobs: int, method: str
) -> Generator[Any, None, None]:
    first = next(chunks, None)
    if first is None:
        return
    context = multiprocessing.get_context(method)
    parent = None
    if method == "forkserver":  # its server imports lacplan once; each worker is a fork of it
        context.set_forkserver_preload(["__main__", __name__])
    else:
        parent = os.getpid()
    executor = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(work, parent),
    )
    pending: deque[Future[list[Any]]] = deque()
    done = False
    try:
        pending.append(executor.submit(_run_chunk, first))
        for chunk in islice(chunks, jobs * CHUNKS_IN_FLIGHT_PER_JOB - 1):
            pending.append(executor.submit(_run_chunk, chunk))
        while pending:
            results = pending.popleft().result()
            following = next(chunks, None)
            if following is not None:
                pending.append(executor.submit(_run_chunk, following))
            yield from results
        done = True
    finally:
        if done:
            executor.shutdown(wait=True)
        else:  # closed early, KeyboardInterrupt, or an error here or in a worker
            _stop(executor, pending)


# --- Evaluating cases -------------------------------------------------------------------------


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
        return _jsonl_line(self.text, self.file, self.line)


#: What :func:`evaluate_serialised` takes: cases, rejected records, and unparsed lines.
Item = Case | RecordError | RawLine


def _raw_jsonl(path: str) -> Iterator[RawLine]:
    """The non-blank lines of a JSON Lines file as :class:`RawLine` items (as ``load_cases``
    reads it: physical line numbers, a leading byte order mark dropped)."""
    with open(path, "rb") as fh:
        for number, text in enumerate(_lines(fh), start=1):
            if text is not None and not text.strip():
                continue
            yield RawLine(path, number, text)


def read_raw_inputs(
    paths: Sequence[str], *, input_format: str = "json", years: Mapping[str, int] | None = None
) -> tuple[Iterator[Item], Batch]:
    """:func:`~lacplan.adapters.read_inputs`, with JSON Lines files left unparsed.

    Returns ``(items, batch)``: iterate ``items``; ``batch`` holds the accounting and the file
    findings once they are exhausted (what ``write_jsonl_trailer`` writes). With the ``json``
    input format, a file named ``*.jsonl`` or ``*.ndjson`` yields :class:`RawLine` items (the
    workers of :func:`evaluate_serialised` parse them), other files and standard input yield
    cases as ``load_cases`` does; other input formats yield what ``read_inputs`` yields. The
    same checks, in the same words, as ``read_inputs``.
    """
    batch = read_inputs(paths, input_format=input_format, years=years)  # its checks
    if input_format != "json":
        return iter(batch), batch
    parts: list[Iterable[Item]] = []
    for path in paths:
        if path == "-":
            parts.append(load_cases(sys.stdin, name="<stdin>"))
        elif _is_jsonl(path):
            parts.append(_raw_jsonl(path))
        else:
            parts.append(load_cases(path))
    return (item for part in parts for item in part), Batch()


def keep(child: ChildResult) -> ChildResult:
    """The serialiser that keeps each :class:`ChildResult` (for outputs that need the whole
    report: the table, the audit commands). Results are pickled back: slower than text."""
    return child


class _Recipe:
    """A callable given by its function and arguments, which pickles as them."""

    __slots__ = ("args", "func", "kwargs")

    def __init__(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        self.func, self.args, self.kwargs = func, args, kwargs

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.func, self.args, self.kwargs)


def _rebuilt(
    kind: type[_Recipe], func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> _Recipe:
    return kind(func, *args, **kwargs)


class Made(_Recipe):
    """The callable ``factory(*args, **kwargs)`` returns, made once in each process that
    calls it: a closure (``lacplan.columns.row_maker(...)``, ``obligation_picker(...)``) sent
    to workers as its recipe, which pickles where the closure does not."""

    __slots__ = ("_made",)

    def __init__(self, factory: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        super().__init__(factory, *args, **kwargs)
        self._made: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        made = self._made
        if made is None:
            made = self._made = self.func(*self.args, **self.kwargs)
        return made(*args)


class TextOf(_Recipe):
    """A serialiser: the text ``writer(child, out, *args, **kwargs)`` writes, e.g.
    ``TextOf(write_jsonl_child)`` for JSON Lines (the arguments pickle with it)."""

    __slots__ = ()

    def __call__(self, child: ChildResult) -> str:
        buf = io.StringIO()
        self.func(child, buf, *self.args, **self.kwargs)
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class RowsOf:
    """A serialiser: the list of ``rows(child)`` (``Made(row_maker, ...)``, or
    ``functools.partial(child_rows, ...)``), for the xlsx and Parquet writers."""

    rows: Callable[[ChildResult], Iterable[Any]]

    def __call__(self, child: ChildResult) -> list[Any]:
        return list(self.rows(child))


@dataclass(frozen=True, slots=True)
class CsvText:
    """A serialiser: ``rows(child)`` (lists of values in column order, ``None`` an empty cell)
    as CSV text, no header: the bytes ``write_csv_values`` writes for them."""

    rows: Callable[[ChildResult], Iterable[Sequence[Any]]]

    def __call__(self, child: ChildResult) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(self.rows(child))
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class _Evaluation(Generic[S]):
    """In a worker: one chunk of items evaluated (by ``iter_evaluate``) and serialised."""

    as_of: date
    pack: RulePack
    conventions: Conventions
    calendar: WorkingDayCalendar | None
    serialise: Callable[[ChildResult], S]

    def __call__(self, chunk: list[Item]) -> list[S | RecordError]:
        parsed = [x.parse() if isinstance(x, RawLine) else x for x in chunk]
        children = iter_evaluate(
            [x for x in parsed if isinstance(x, Case)],
            as_of=self.as_of,
            pack=self.pack,
            conventions=self.conventions,
            calendar=self.calendar,
        )
        serialise = self.serialise
        return [x if isinstance(x, RecordError) else serialise(next(children)) for x in parsed]


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
) -> Generator[S | RecordError, None, None]:
    """Evaluate ``items`` in ``jobs`` processes: for each, in input order, ``serialise(child)``
    of its :class:`ChildResult`, or the :class:`RecordError` of a rejected record (a
    ``RecordError`` item, or a :class:`RawLine` that does not parse or validate).

    One output per item, so ``records in == evaluated + rejected``. ``serialise`` is
    :class:`TextOf`, :class:`CsvText`, :class:`RowsOf`, :func:`keep` or any callable that
    pickles (see :class:`Made` for closures); it runs in the workers, so the parent only
    writes. The rules are resolved here (``get_pack(rules, overlays)``, files read once); the
    other arguments are :func:`~lacplan.evaluate.iter_evaluate`'s. Output is identical for
    every ``jobs``; see :func:`map_ordered` for chunks, processes and stopping.
    """
    if calendar is None:
        england_and_wales()  # built once here: forked workers inherit it
    job = _Evaluation(
        as_of=_as_date(as_of),
        pack=get_pack(rules, overlays),
        conventions=conventions or Conventions(),
        calendar=calendar,
        serialise=serialise,
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
    ``start``, as for :func:`evaluate_serialised`): the same :class:`Report` (a :class:`Batch`
    brings its accounting and findings). For outputs that need the whole report: results are
    pickled back, so prefer :func:`evaluate_serialised` where output is written child by child.
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
