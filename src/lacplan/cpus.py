"""How many processes to evaluate with: :func:`available_cpus` (the CPU affinity and the
cgroup CPU quota, whichever is smaller) and :func:`default_jobs` (1 for standard input or small
inputs), the default of ``lacplan evaluate --jobs``.

Cheap to import (nothing but ``os``): the command line asks it on every run.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

__all__ = ["SMALL_INPUT_BYTES", "available_cpus", "cgroup_cpu_limit", "default_jobs"]

#: Inputs totalling less than this many bytes are evaluated in one process
#: (:func:`default_jobs`): starting workers costs more than it saves.
SMALL_INPUT_BYTES: Final = 4 * 1024 * 1024


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
