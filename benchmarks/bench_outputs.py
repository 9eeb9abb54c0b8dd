"""Lean, streaming outputs of ``lacplan evaluate``: peak memory in every format at two cohort
sizes, wall and CPU time of JSON Lines (``--columns all`` and ``compact``) against two plain
Python floors, and the garbage collector settings of batch runs.

    python benchmarks/bench_outputs.py [--what rss,floors,gc] [--sizes 20000,100000]
        [--cohort N=PATH]... [--head N] [--rounds 3] [--dir DIR]
        [--formats jsonl,json,csv,parquet,xlsx] [--xlsx-columns A,B] [--parallel 1]
        [--native PYTHON]

Cohorts are ``lacplan synth N --seed 12 --as-of 2024-06-03``, written once into ``--dir``
(default: ``lacplan-bench`` in the temporary directory) and reused; ``--cohort N=PATH`` names an
existing one. ``--head N`` cuts the first cohort to its first N lines (quick iterations). Every
run is a separate process; its peak resident memory and CPU time are the child's own
(``os.wait4``).

* ``rss``: peak RSS of ``lacplan evaluate`` for each size in jsonl, json, csv, parquet (default
  columns) and xlsx (``--xlsx-columns``, default ``key,due,status``: openpyxl writes some 20 us
  a cell with its pure-Python XML writer, so 100,000 children's 3.2 million rows of 16 compact
  columns would take the better part of an hour; the memory does not depend on the width),
  against ``python -c "import lacplan.cli"``; flat means the largest size within 10% of the
  smallest.
* ``floors``: best of ``--rounds`` (interleaved) of ``--format jsonl`` with default and compact
  columns against floor (a), one process reading each input line with ``json.loads`` and writing
  it back with ``json.dumps``, and floor (b), (a) plus ``json.dumps`` of lacplan's own default
  output lines (parsed beforehand, untimed), measured by the same process in the same run.
  Targets (idle 2-core machine): default at most 2x floor (b), compact at most 5x floor (a).
  ``--native PYTHON``: also run the CLI with that interpreter, one whose environment has the
  native build installed (docs/compiled.md), in the same rounds (rows ``native ...``; each
  interpreter's ``lacplan --version`` is printed first).
* ``gc``: ``--format jsonl`` (default and compact) under each collector setting, best of
  ``--rounds``: the CLI's (``lacplan.cli_evaluate.BATCH_GC_THRESHOLD``), untuned (Python's
  700), ``gc.freeze()`` after imports and a first evaluation (the pack compiled), both, and
  other thresholds. Besides CPU time, each run times its own collections (``gc.callbacks``):
  their share of the CPU time is what a setting can save, and unlike the totals it barely
  moves when the machine is busy.

A report, not a test: it exits 0 (1 if a run fails).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AS_OF = "2024-06-03"
SEED = 12
FORMATS = ("jsonl", "json", "csv", "parquet", "xlsx")

#: A floor process: ``floor.py INPUT LACPLAN_OUTPUT SCRATCH`` prints "a b cpu_a cpu_b".
_FLOORS = r"""
import json, sys, time
src, produced, scratch = sys.argv[1:4]
t0, c0 = time.perf_counter(), time.process_time()
with open(src, encoding="utf-8") as fh, open(scratch, "w", encoding="utf-8") as out:
    for line in fh:
        out.write(json.dumps(json.loads(line)))
        out.write("\n")
a, ca = time.perf_counter() - t0, time.process_time() - c0
extra = cextra = 0.0
with open(produced, encoding="utf-8") as fh, open(scratch, "w", encoding="utf-8") as out:
    for line in fh:
        obj = json.loads(line)
        t0, c0 = time.perf_counter(), time.process_time()
        out.write(json.dumps(obj, separators=(",", ":")))
        out.write("\n")
        extra += time.perf_counter() - t0
        cextra += time.process_time() - c0
print(a, a + extra, ca, ca + cextra)
"""

#: ``python -c`` running the CLI under one collector setting: ``{setup}`` is Python.
_UNDER = """
import gc, sys
import lacplan.cli_evaluate as E
{setup}
from lacplan.cli import main
sys.exit(main(sys.argv[1:]))
"""

#: The same, timing the collections and the whole run (CPU): ``RESULT {json}`` on stderr.
_TIMED = """
import gc, json, sys, time
spent = [0.0, 0.0, 0.0]
runs = [0, 0, 0]
began = [0.0]
def clock(phase, info):
    if phase == "start":
        began[0] = time.process_time()
    else:
        spent[info["generation"]] += time.process_time() - began[0]
        runs[info["generation"]] += 1
gc.callbacks.append(clock)
cpu = time.process_time()
import lacplan.cli_evaluate as E
{setup}
from lacplan.cli import main
main(sys.argv[1:])
cpu = time.process_time() - cpu
sys.stderr.write("RESULT " + json.dumps({{"cpu": cpu, "gc": spent, "runs": runs}}) + "\\n")
"""

#: After the imports, a first evaluation (the pack compiled and everything cached), then
#: ``gc.freeze()``: nothing alive then is walked again.
_FREEZE = (
    "from datetime import date; import lacplan; "
    "lacplan.evaluate(lacplan.load_cases('src/lacplan/data/demo_cases.jsonl'), "
    "as_of=date(2024, 6, 3)); gc.collect(); gc.freeze()"
)
GC_SETTINGS = {
    "the CLI's": "",
    "untuned (700)": "E.BATCH_GC_THRESHOLD = None",
    "freeze, untuned": f"E.BATCH_GC_THRESHOLD = None; {_FREEZE}",
    "freeze + the CLI's": _FREEZE,
    "threshold 2,000": "E.BATCH_GC_THRESHOLD = 2_000",
    "threshold 50,000": "E.BATCH_GC_THRESHOLD = 50_000",
}


def _run(cmd: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0 and os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed (status {status}): {' '.join(cmd[:6])} ...")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _lacplan(*argv: str, setup: str = "", python: str = sys.executable) -> list[str]:
    return [python, "-c", _UNDER.format(setup=setup), *argv]


def _evaluate(
    src: Path,
    fmt: str,
    out: Path,
    columns: str = "all",
    setup: str = "",
    python: str = sys.executable,
) -> list[str]:
    argv = ("evaluate", str(src), "--as-of", AS_OF, "--format", fmt, "--columns", columns)
    return _lacplan(*argv, "-o", str(out), setup=setup, python=python)


def _cohort(n: int, given: dict[int, Path], where: Path) -> Path:
    if n in given:
        return given[n]
    path = where / f"cohort{n}-seed{SEED}.jsonl"
    if not path.exists():
        print(f"(writing {path}: lacplan synth {n} --seed {SEED} --as-of {AS_OF})", flush=True)
        part = path.with_suffix(".part")
        argv = ("synth", str(n), "--seed", str(SEED), "--as-of", AS_OF, "-o", str(part))
        subprocess.run([sys.executable, "-m", "lacplan.cli", *argv], check=True)
        part.rename(path)
    return path


def _head(src: Path, n: int, where: Path) -> Path:
    path = where / f"{src.stem}-head{n}.jsonl"
    with open(src, encoding="utf-8") as fh, open(path, "w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i == n:
                break
            out.write(line)
    return path


def _lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def _run_many(
    cmds: list[list[str]], parallel: int, outputs: list[Path]
) -> list[tuple[float, float, float]]:
    """:func:`_run` of each command, up to ``parallel`` at a time (peak RSS and CPU time are
    each process's own, so running side by side changes neither; only wall time); each
    command's output file is removed when it ends."""
    results: list[tuple[float, float, float] | None] = [None] * len(cmds)
    running: dict[int, tuple[int, float]] = {}  # pid: (index, start)
    todo = list(enumerate(cmds))
    while todo or running:
        while todo and len(running) < parallel:
            i, cmd = todo.pop(0)
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            running[proc.pid] = (i, time.perf_counter())
        pid, status, usage = os.wait4(-1, 0)
        if pid not in running:
            continue
        i, began = running.pop(pid)
        outputs[i].unlink(missing_ok=True)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"failed (status {status}): {' '.join(cmds[i][:6])} ...")
        cpu = usage.ru_utime + usage.ru_stime
        results[i] = (time.perf_counter() - began, cpu, usage.ru_maxrss / 1024)
    return [r for r in results if r is not None]


def bench_rss(
    cohorts: list[Path], scratch: Path, xlsx_columns: str, formats: list[str], parallel: int
) -> None:
    print(f"\nPeak RSS of lacplan evaluate (MB; xlsx with --columns {xlsx_columns})")
    _, _, base = _run([sys.executable, "-c", "import lacplan.cli"])
    print(f"  import lacplan.cli alone: {base:.0f} MB", flush=True)
    sizes = [_lines(c) for c in cohorts]
    runs = [(fmt, k) for k in reversed(range(len(cohorts))) for fmt in formats]  # largest first
    outputs = [scratch / f"out{k}.{fmt}" for fmt, k in runs]
    cmds = [
        _evaluate(cohorts[k], fmt, out, xlsx_columns if fmt == "xlsx" else "all")
        for (fmt, k), out in zip(runs, outputs, strict=True)
    ]
    results = dict(zip(runs, _run_many(cmds, parallel, outputs), strict=True))
    print(f"  {'format':<8}" + "".join(f"{n:>12,}" for n in sizes) + "   largest/smallest")
    for fmt in formats:
        peaks = [results[(fmt, k)][2] for k in range(len(cohorts))]
        cpus = ", ".join(f"{results[(fmt, k)][1]:.0f} s" for k in range(len(cohorts)))
        cells = "".join(f"{p:>12.0f}" for p in peaks)
        print(f"  {fmt:<8}{cells}   {peaks[-1] / peaks[0]:.2f}  (CPU {cpus})")


def bench_floors(
    src: Path, scratch: Path, rounds: int, jobs: list[str], native: str | None = None
) -> None:
    n = _lines(src)
    builds = {"": sys.executable} if native is None else {"": sys.executable, "native ": native}
    for python in builds.values():
        version = subprocess.run(
            [python, "-m", "lacplan.cli", "--version"], check=True, capture_output=True, text=True
        )
        print(f"  {python}: {version.stdout.strip()}")
    print(f"\nJSON Lines in and out, {n:,} children: best of {rounds} (wall, CPU seconds)")
    default_out, compact_out = scratch / "default.jsonl", scratch / "compact.jsonl"
    floor = [sys.executable, "-c", _FLOORS, str(src), str(default_out), str(scratch / "floor")]
    best: dict[str, tuple[float, float]] = {}

    def keep(name: str, wall: float, cpu: float) -> None:
        old = best.get(name)
        best[name] = (wall, cpu) if old is None else (min(old[0], wall), min(old[1], cpu))

    for _ in range(rounds):
        for j in jobs:  # "auto": the CLI's default --jobs (all CPUs for a file this size)
            suffix, flag = ("", []) if j == "auto" else (f" j{j}", ["--jobs", j])
            for build, python in builds.items():
                run = _evaluate(src, "jsonl", default_out, python=python)
                wall, cpu, _ = _run([*run, *flag])
                keep(f"{build}default{suffix}", wall, cpu)
                run = _evaluate(src, "jsonl", compact_out, "compact", python=python)
                wall, cpu, _ = _run([*run, *flag])
                keep(f"{build}compact{suffix}", wall, cpu)
        done = subprocess.run(floor, check=True, capture_output=True, text=True)
        a, b, ca, cb = (float(x) for x in done.stdout.split())
        keep("floor a", a, ca)
        keep("floor b", b, cb)
    fa, fb = best["floor a"], best["floor b"]
    for name, (wall, cpu) in best.items():
        print(
            f"  {name:<18} {wall:8.2f} s wall {cpu:8.2f} s CPU   "
            f"{wall / fa[0]:5.2f}x (a) {wall / fb[0]:5.2f}x (b)   "
            f"CPU {cpu / fa[1]:5.2f}x (a) {cpu / fb[1]:5.2f}x (b)"
        )
    size = default_out.stat().st_size / 1e6, compact_out.stat().st_size / 1e6
    print(f"  output: default {size[0]:.0f} MB, compact {size[1]:.0f} MB")
    print("  targets: default <= 2x floor (b), compact <= 5x floor (a)")


def bench_gc(src: Path, scratch: Path, rounds: int) -> None:
    n = _lines(src)
    print(f"\nCollector settings, --format jsonl, {n:,} children: best of {rounds} (CPU seconds)")
    out = scratch / "gc.jsonl"
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for _ in range(rounds):
        for name, setup in GC_SETTINGS.items():
            for columns in ("all", "compact"):
                argv = ("evaluate", str(src), "--as-of", AS_OF, "--format", "jsonl")
                cmd = [sys.executable, "-c", _TIMED.format(setup=setup), *argv]
                done = subprocess.run(
                    [*cmd, "--columns", columns, "-o", str(out)], capture_output=True, text=True
                )
                line = [x for x in done.stderr.splitlines() if x.startswith("RESULT ")]
                if not line:
                    raise SystemExit(f"failed: {name} {columns}: {done.stderr[-500:]}")
                got = json.loads(line[-1][7:])
                got["share"] = sum(got["gc"]) / got["cpu"]
                old = best.setdefault((name, columns), got)
                share = min(old["share"], got["share"])  # the least noisy: the smallest
                if got["cpu"] < old["cpu"]:
                    best[(name, columns)] = got
                best[(name, columns)]["share"] = share
    head = f"  {'setting':<20}{'columns':>8}{'CPU':>8}{'in gc':>8}{'share':>7}"
    print(head + "  collections (gen 0/1/2)")
    for name in GC_SETTINGS:
        for columns in ("all", "compact"):
            got = best[(name, columns)]
            runs = "/".join(str(r) for r in got["runs"])
            print(
                f"  {name:<20}{columns:>8}{got['cpu']:>8.2f}{sum(got['gc']):>8.2f}"
                f"{got['share']:>7.1%}  {runs}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--what", default="rss,floors,gc")
    ap.add_argument("--sizes", default="20000,100000")
    ap.add_argument("--cohort", action="append", default=[], metavar="N=PATH")
    ap.add_argument("--head", type=int, help="cut the first cohort to its first N lines")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--jobs",
        default="auto,1",
        help="floors: the --jobs values to run the CLI with (auto: the CLI's default)",
    )
    ap.add_argument("--xlsx-columns", default="key,due,status")
    ap.add_argument("--formats", default=",".join(FORMATS), help="rss: these formats")
    ap.add_argument("--parallel", type=int, default=1, help="rss: runs side by side")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "lacplan-bench")
    ap.add_argument("--native", metavar="PYTHON", help="floors: also this interpreter's build")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    given = {int(n): Path(p) for n, _, p in (c.partition("=") for c in args.cohort)}
    sizes = [int(s) for s in args.sizes.split(",")]
    cohorts = [_cohort(n, given, args.dir) for n in sizes]
    if args.head:
        cohorts = [_head(cohorts[0], args.head, args.dir)]
    what = set(args.what.split(","))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        scratch = Path(tmp)
        if "gc" in what:
            bench_gc(cohorts[0], scratch, args.rounds)
        if "floors" in what:
            bench_floors(cohorts[0], scratch, args.rounds, args.jobs.split(","), args.native)
        if "rss" in what:
            formats = args.formats.split(",")
            bench_rss(cohorts, scratch, args.xlsx_columns, formats, args.parallel)


if __name__ == "__main__":
    main()
