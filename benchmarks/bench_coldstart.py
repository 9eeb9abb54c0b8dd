"""Cold start: a fresh Python process importing lacplan and evaluating one child, against a
fresh process importing pydantic (the baseline), measured in the same run.

Usage::

    python benchmarks/bench_coldstart.py [--repeat 7] [--no-compile]

It measures lacplan as installed: pip byte-compiles a package's modules when it installs it, so
the script first byte-compiles the lacplan package it measures (``compileall`` into its usual
``__pycache__`` directories, timestamp-checked as pip's are; the files are read even under
``PYTHONDONTWRITEBYTECODE``, which only stops Python writing them). ``--no-compile`` skips
that, and then a checkout without bytecode (an editable install under
``PYTHONDONTWRITEBYTECODE=1``) pays for compiling every module's source in every process. Its
dependencies are measured as installed (pip compiled them). Nothing else is cached: the rule
pack, the calendar and the pydantic validators are built afresh in each process.

Each round starts, one after the other, a fresh ``python -c`` for every command below (so a
load change on the machine hits all of them) and each command keeps its best round of
``--repeat``: wall time (``time.perf_counter`` around the process) and CPU time (user + system,
from ``os.wait4``):

* ``python -c pass``: the interpreter's own start-up, for scale;
* ``import pydantic``: the baseline;
* ``import lacplan``;
* one child: ``import lacplan``, ``lacplan.parse_case`` of the first bundled demo case (about
  20 events) passed as an argument, and ``lacplan.evaluate`` of it as at 2024-06-30 with the
  England pack, which builds the working-day calendar and compiles the pack on the way.

It prints whether lacplan was byte-compiled, the figures, the ratio one child / ``import
pydantic`` (target <= 4) and the one-child time (target <= 200 ms) with PASS/FAIL, and whether
the child process imported ``holidays``.
Always exits 0: it is a report, not a test. The commands use only public API, so the same
script measures an older checkout (``PYTHONPATH=/path/to/old/src python
benchmarks/bench_coldstart.py``).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

RATIO_TARGET = 4.0
ABSOLUTE_TARGET_MS = 200.0

ONE_CHILD = """\
import datetime, json, sys
import lacplan
case = lacplan.parse_case(json.loads(sys.argv[1]))
report = lacplan.evaluate(case, as_of=datetime.date(2024, 6, 30))
assert list(report.obligations)
print("holidays imported:", "holidays" in sys.modules)
"""


def run(cmd: list[str], cwd: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, standard output) of one fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)  # the output is a few bytes: no pipe fills
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stdout is not None and proc.stderr is not None
    with proc.stdout, proc.stderr:
        out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if proc.returncode:
        raise SystemExit(f"{cmd[1]} {cmd[2][:40]!r} failed:\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, out


def byte_compile(package: Path) -> str:
    """Byte-compile ``package`` as pip does at install; what was done, for the report."""
    try:
        ok = compileall.compile_dir(package, quiet=1)
    except OSError as exc:  # a read-only install: measured as it is
        return f"not byte-compiled ({exc.strerror}): measured as found"
    return "byte-compiled first (as pip does)" if ok else "byte-compiled, with errors"


def has_bytecode(module: str) -> bool:
    """Whether ``module``'s own file has an up-to-date-looking ``__pycache__`` entry."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return False
    return Path(importlib.util.cache_from_source(spec.origin)).exists()


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds; best of each")
    parser.add_argument(
        "--no-compile",
        action="store_true",
        help="do not byte-compile lacplan first (measure the checkout as it is)",
    )
    args = parser.parse_args(argv)

    import lacplan  # only to find the package and the demo case: timed processes start afresh

    package = Path(lacplan.__file__).parent
    compiled = "not byte-compiled (--no-compile)" if args.no_compile else byte_compile(package)
    demo = package / "data" / "demo_cases.jsonl"
    record = demo.read_text(encoding="utf-8").splitlines()[0]
    py = sys.executable
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "import pydantic (baseline)": [py, "-c", "import pydantic"],
        "import lacplan": [py, "-c", "import lacplan"],
        "one child": [py, "-c", ONE_CHILD, record],
    }
    best_wall = dict.fromkeys(commands, float("inf"))
    best_cpu = dict.fromkeys(commands, float("inf"))
    child_output = ""
    # A neutral working directory: nothing on the path but the installed packages (and
    # PYTHONPATH, when measuring another checkout).
    with tempfile.TemporaryDirectory() as cwd:
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                wall, cpu, out = run(cmd, cwd)
                best_wall[name] = min(best_wall[name], wall)
                best_cpu[name] = min(best_cpu[name], cpu)
                if name == "one child":
                    child_output = out.strip()

    print(
        f"lacplan cold start, best of {args.repeat} interleaved rounds: Python "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"lacplan from {package}; pydantic {version('pydantic')}, holidays {version('holidays')}"
    )
    print(
        f"  lacplan {compiled}; bytecode present: lacplan {yes(has_bytecode('lacplan'))}, "
        f"pydantic {yes(has_bytecode('pydantic'))}"
    )
    for name in commands:
        print(
            f"  {name:28s} {best_wall[name] * 1e3:7.1f} ms wall  {best_cpu[name] * 1e3:7.1f} ms CPU"
        )
    child_ms = best_wall["one child"] * 1e3
    ratio = best_wall["one child"] / best_wall["import pydantic (baseline)"]
    cpu_ratio = best_cpu["one child"] / best_cpu["import pydantic (baseline)"]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print(
        f"  one child / import pydantic = {ratio:5.2f} wall, {cpu_ratio:5.2f} CPU "
        f"(target <= {RATIO_TARGET:g}): {verdict(ratio <= RATIO_TARGET)}"
    )
    print(
        f"  one child = {child_ms:.0f} ms (target <= {ABSOLUTE_TARGET_MS:g} ms): "
        f"{verdict(child_ms <= ABSOLUTE_TARGET_MS)}"
    )
    print(f"  child process: {child_output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
