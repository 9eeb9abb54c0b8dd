"""The ordered parallel map behind :mod:`lacplan.parallel`: :func:`map_ordered`, results in
input order, a bounded number of chunks in flight (the input is read only as fast as results are
consumed: flat memory); ``jobs=1`` runs inline, starting nothing.

Workers ignore ``SIGINT`` (Ctrl-C reaches the whole process group: the parent decides) and, on
Linux, get ``SIGTERM`` if their parent dies. The parent stops and joins them when the iterator
is closed or dropped, on ``KeyboardInterrupt`` and on any error (what has not started is
cancelled; the chunks being worked on are finished, so that no worker dies while it sends a
result); a worker's exception is raised in the parent, a worker that dies raises
``BrokenProcessPool``.

Start method (:func:`start_method`): ``fork`` on Linux when the process runs a single thread
(fast; the workers inherit the function and its arguments, nothing is pickled); else
``forkserver`` (``spawn`` where there is none), for which they must pickle (the fork server
imports this module and the one defining the function once; its workers are forks of it).
Forking a process that runs other threads (``import pyarrow`` starts some) can deadlock its
children.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, Final, TypeVar

from lacplan.errors import UsageError

__all__ = ["CHUNKS_IN_FLIGHT_PER_JOB", "DEFAULT_CHUNK_SIZE", "map_ordered", "start_method"]

T = TypeVar("T")
R = TypeVar("R")

#: Items sent to a worker at a time.
DEFAULT_CHUNK_SIZE: Final = 64
#: Chunks in flight (sent and not yet written) per worker: enough to keep every worker busy
#: while the parent writes, few enough that memory stays flat.
CHUNKS_IN_FLIGHT_PER_JOB: Final = 2
#: How long a stop waits for the workers to finish the chunks they have before terminating them.
STOP_GRACE_SECONDS: Final = 10.0


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


def _preload(work: _Work) -> list[str]:
    """The modules a fork server imports once, before it forks a worker: ``__main__``, this
    module, and those defining the work's function and initializer (lacplan's evaluation)."""
    names = ["__main__", __name__]
    for f in (work.func, work.initializer):
        module = getattr(f, "__module__", None) if f is not None else None
        if isinstance(module, str) and module not in names:
            names.append(module)
    return names


def _run_chunk(chunk: list[Any]) -> list[Any]:
    """In a worker: the results of one chunk."""
    return _WORK[0](chunk)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _stop(executor: ProcessPoolExecutor, pending: deque[Future[list[Any]]]) -> None:
    """Stop the workers: cancel what has not started, let each finish the chunk it has (at most
    :data:`STOP_GRACE_SECONDS`), terminate any still running, and join them and the executor's
    thread.

    A worker is not terminated straight away: one killed while it sends a result leaves part of
    a message in the results pipe, and the executor's thread then waits for the rest forever
    (and ``shutdown(wait=True)`` with it)."""
    for future in pending:
        future.cancel()
    processes: Mapping[int, Any] = getattr(executor, "_processes", None) or {}  # CPython's
    running = list(processes.values())
    manager: threading.Thread | None = getattr(executor, "_executor_manager_thread", None)
    executor.shutdown(wait=False, cancel_futures=True)  # the workers exit after their chunks
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in running:
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
    for process in running:
        with contextlib.suppress(Exception):
            if process.is_alive():
                process.terminate()
                process.join()
    if manager is not None:
        manager.join(STOP_GRACE_SECONDS)


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
    if method == "forkserver":  # its server imports the modules once; each worker is a fork of it
        context.set_forkserver_preload(_preload(work))
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
