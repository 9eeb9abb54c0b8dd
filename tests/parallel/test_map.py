"""``map_ordered``: input order, bounded read-ahead, inline ``jobs=1``, and workers that are
always stopped (closed early, an exception, a dead worker, Ctrl-C, a killed parent)."""

from __future__ import annotations

import functools
import gc
import itertools
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from lacplan.errors import UsageError
from lacplan.parallel import CHUNKS_IN_FLIGHT_PER_JOB, map_ordered, start_method
from tests.parallel import workers

ROOT = Path(__file__).resolve().parents[2]
needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")


def _exists(pid: int) -> bool:
    """The process is there, running or a zombie (not yet reaped)."""
    return os.path.exists(f"/proc/{pid}")


def _running(pid: int) -> bool:
    """The process is there and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _no_children() -> None:
    assert multiprocessing.active_children() == []


def test_results_in_input_order() -> None:
    items = list(range(300))
    got = list(map_ordered(workers.jittery_square, items, jobs=2, chunk_size=3))
    assert got == [x * x for x in items]
    _no_children()


def test_inline_runs_here() -> None:
    assert set(map_ordered(workers.pid_of, range(50), jobs=1)) == {os.getpid()}
    pids = set(map_ordered(workers.pid_of, range(50), jobs=2, chunk_size=5))
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2


def test_inline_takes_anything() -> None:
    """No pickling with ``jobs=1``: a lambda and a generator will do."""
    assert list(map_ordered(lambda x: -x, (x for x in range(4)), jobs=1)) == [0, -1, -2, -3]


def test_empty_input() -> None:
    assert list(map_ordered(workers.square, [], jobs=2)) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_batched(jobs: int) -> None:
    got = list(map_ordered(workers.pairs, range(10), jobs=jobs, chunk_size=4, batched=True))
    assert got == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4), (5, 4), (6, 4), (7, 4), (8, 2), (9, 2)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_batched_function_must_return_one_result_per_item(jobs: int) -> None:
    with pytest.raises(ValueError, match="returned 2 results for 3 items"):
        list(map_ordered(workers.short, range(3), jobs=jobs, chunk_size=3, batched=True))
    _no_children()


@pytest.mark.parametrize("jobs", [1, 2])
def test_initializer(jobs: int) -> None:
    got = map_ordered(
        workers.remembered,
        range(6),
        jobs=jobs,
        chunk_size=2,
        initializer=workers.remember,
        initargs=("set",),
    )
    assert list(got) == ["set"] * 6
    workers.STATE.clear()


@pytest.mark.parametrize("bad", [{"jobs": 0}, {"jobs": 2, "chunk_size": 0}, {"jobs": 1.5}])
def test_usage_errors(bad: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        map_ordered(workers.square, range(3), **bad)  # type: ignore[arg-type]


def test_reads_ahead_a_bounded_number_of_chunks() -> None:
    """Flat memory: the input is read only as far as the chunks in flight."""
    pulled = 0

    def counted() -> Iterator[int]:
        nonlocal pulled
        for x in itertools.count():
            pulled += 1
            yield x

    results = map_ordered(workers.square, counted(), jobs=2, chunk_size=10)
    assert next(results) == 0
    time.sleep(0.2)
    assert pulled <= 10 * (2 * CHUNKS_IN_FLIGHT_PER_JOB + 1)
    for _ in range(500):
        next(results)
    assert pulled <= 510 + 10 * (2 * CHUNKS_IN_FLIGHT_PER_JOB + 1)
    results.close()
    _no_children()


@needs_proc
def test_closing_early_stops_the_workers() -> None:
    results = map_ordered(workers.slow_pid, itertools.count(), jobs=2, chunk_size=2)
    pids = {next(results) for _ in range(8)}
    assert all(_exists(p) for p in pids)
    results.close()
    _no_children()
    assert not any(_exists(p) for p in pids)  # stopped and reaped: no zombies


@needs_proc
def test_dropping_the_iterator_stops_the_workers() -> None:
    results = map_ordered(workers.slow_pid, itertools.count(), jobs=2, chunk_size=2)
    pids = {next(results) for _ in range(4)}
    del results
    gc.collect()
    _no_children()
    assert not any(_exists(p) for p in pids)


def test_an_exception_in_a_worker_is_raised_here() -> None:
    with pytest.raises(ValueError, match="item 7 is bad"):
        list(map_ordered(workers.fail_on_seven, range(10_000), jobs=2, chunk_size=3))
    _no_children()


def test_an_exception_in_the_consumer_stops_the_workers() -> None:
    with pytest.raises(KeyError):
        for x in map_ordered(workers.square, itertools.count(), jobs=2, chunk_size=3):
            if x > 100:
                raise KeyError(x)
    gc.collect()
    _no_children()


def test_an_exception_in_the_input_stops_the_workers() -> None:
    def broken() -> Iterator[int]:
        yield from range(50)
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(map_ordered(workers.square, broken(), jobs=2, chunk_size=4))
    _no_children()


def test_keyboard_interrupt_stops_the_workers() -> None:
    """SIGINT to this process while it waits for results: ``KeyboardInterrupt`` here, and the
    workers stopped."""
    func = functools.partial(workers.interrupt_on_five, os.getpid())
    with pytest.raises(KeyboardInterrupt):
        list(map_ordered(func, range(200_000), jobs=2, chunk_size=2))
    _no_children()


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(BrokenProcessPool):
        list(map_ordered(workers.die_on_seven, range(1_000), jobs=2, chunk_size=3))
    _no_children()


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_other_start_methods(method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    got = list(map_ordered(workers.square, range(40), jobs=2, chunk_size=7, start=method))
    assert got == [x * x for x in range(40)]
    _no_children()


def test_a_fork_server_preloads_the_work_s_modules() -> None:
    """The fork server imports the modules of the function and initializer once (lacplan's
    evaluation, for ``evaluate_serialised``: an instance, of a class of that module), so that
    its workers start ready."""
    from lacplan.pool import _preload, _Work
    from lacplan.serialisers import TextOf

    work = _Work(workers.square, False, workers.remember, ())
    assert _preload(work) == ["__main__", "lacplan.pool", "tests.parallel.workers"]
    instance = _Work(TextOf(print), True, None, ())
    assert _preload(instance) == ["__main__", "lacplan.pool", "lacplan.serialisers"]


def _method_in_a_fresh_process(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    code += "\nfrom lacplan.parallel import start_method\nprint(start_method())"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_start_method() -> None:
    with pytest.raises(UsageError, match="unknown start method"):
        start_method("teleport")
    assert start_method("spawn") == "spawn"
    if not sys.platform.startswith("linux"):
        return
    assert _method_in_a_fresh_process("") == "fork"  # one thread: fork is safe
    threaded = "import threading; threading.Thread(target=threading.Event().wait, daemon=True)"
    assert _method_in_a_fresh_process(threaded + ".start()") == "forkserver"
    pytest.importorskip("pyarrow")
    assert _method_in_a_fresh_process("import pyarrow") == "forkserver"  # its native threads


_SCRIPT = textwrap.dedent(
    """
    import contextlib, itertools, multiprocessing, sys
    from lacplan.parallel import map_ordered
    from tests.parallel import workers

    results = map_ordered(workers.slow_pid, itertools.count(), jobs=2, chunk_size=2)
    try:
        with contextlib.closing(results):  # however Ctrl-C lands, the workers are stopped
            pids = {next(results) for _ in range(6)}
            print(*sorted(pids), flush=True)
            for _ in results:
                pass
    except KeyboardInterrupt:
        left = multiprocessing.active_children()
        print("interrupted", len(left), flush=True)
        sys.exit(130)
    """
)


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], list[int]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,  # its own process group, as a shell gives a job
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    pids = [int(p) for p in line.split()]
    assert pids, proc.communicate(timeout=30)
    return proc, pids


def _wait_until_gone(pids: list[int], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_running(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@needs_proc
def test_ctrl_c_stops_the_parent_and_its_workers(tmp_path: Path) -> None:
    """SIGINT to the whole process group (what Ctrl-C does): the workers ignore it, the parent
    gets ``KeyboardInterrupt``, stops them and exits; nothing is left running."""
    proc, pids = _start(tmp_path)
    try:
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert out.strip() == "interrupted 0"
    assert "Traceback" not in err  # the workers did not see KeyboardInterrupt
    assert _wait_until_gone(pids)


@needs_proc
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    proc, pids = _start(tmp_path)
    try:
        proc.kill()
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert _wait_until_gone(pids)
