"""All cores: a cohort evaluated to JSON Lines with one process and with two, same run.

    python benchmarks/bench_jobs.py [--children 20000] [--input FILE] [--rounds 3]
                                    [--variants cli,jobs1,jobs2] [--chunk-size 64]

The cohort is ``lacplan synth 20000 --seed 12 --as-of 2024-06-03`` (or ``--input``). Each run
is a fresh process writing JSON Lines to a file, as at 2024-06-03; rounds interleave the
variants, and each variant's best wall time and best CPU time (user + system, the workers
included) are reported, with ratios against ``jobs1``. Each round also measures what two
processes get done against one on the machine at that moment (two pure-Python loops together
against one alone: 2.0 on two idle cores), since the cores are shared. Variants:

* ``cli``: ``lacplan evaluate FILE --format jsonl -o OUT`` (and ``--jobs N`` for ``cliN`` when
  the CLI has that option);
* ``jobsN``: the CLI's JSON Lines loop over :func:`lacplan.parallel.evaluate_serialised`, raw
  lines to ``N`` processes (``jobs1`` runs inline);
* ``casesN``: the same with cases validated in the parent (``read_inputs``) and pickled to the
  workers: what the raw lines save.

Every variant's output must be byte-identical (checked by SHA-256; the run fails otherwise). It
is a report, not a test: timings depend on what else the machine is doing (the load average is
printed before and after).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2024-06-03"
HERE = Path(__file__).resolve()


def _drive(path: str, output: str, jobs: int, items_kind: str, chunk_size: int) -> int:
    """One run: what ``lacplan evaluate PATH --format jsonl -o OUTPUT`` does, through
    ``evaluate_serialised`` with ``jobs`` processes."""
    from datetime import date

    from lacplan.adapters import read_inputs
    from lacplan.model import RecordError
    from lacplan.outputs import (
        write_error_line,
        write_jsonl_child,
        write_jsonl_error,
        write_jsonl_trailer,
    )
    from lacplan.parallel import TextOf, evaluate_serialised, read_raw_inputs
    from lacplan.rules import Conventions, get_pack

    if items_kind == "raw":
        items, batch = read_raw_inputs([path])
    else:
        batch = read_inputs([path])
        items = iter(batch)
    rejected = 0
    with open(output, "w", encoding="utf-8", newline="") as out:
        for text in evaluate_serialised(
            items,
            as_of=date.fromisoformat(AS_OF),
            serialise=TextOf(write_jsonl_child),
            rules=get_pack("england"),
            conventions=Conventions(),
            jobs=jobs,
            chunk_size=chunk_size,
        ):
            if isinstance(text, RecordError):
                rejected += 1
                write_jsonl_error(text, out)
                write_error_line(text, sys.stderr)
            else:
                out.write(text)
        write_jsonl_trailer(batch, out)
    return 1 if rejected else 0


def _cli_has_jobs() -> bool:
    helped = subprocess.run(
        [sys.executable, "-m", "lacplan.cli", "evaluate", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "--jobs" in helped.stdout


def _command(variant: str, path: str, output: str, chunk_size: int) -> list[str]:
    if variant.startswith("cli"):
        cmd = [sys.executable, "-m", "lacplan.cli", "evaluate", path, "--as-of", AS_OF]
        cmd += ["--format", "jsonl", "-o", output]
        if variant != "cli":
            cmd += ["--jobs", variant.removeprefix("cli")]
        return cmd
    kind = "raw" if variant.startswith("jobs") else "cases"
    jobs = variant.removeprefix("jobs").removeprefix("cases")
    return [
        sys.executable,
        str(HERE),
        "--drive",
        path,
        output,
        "--jobs",
        jobs,
        "--items",
        kind,
        "--chunk-size",
        str(chunk_size),
    ]


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _timed(cmd: list[str], output: str) -> tuple[float, float, str]:
    cpu0 = _cpu_of_children()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - t0
    cpu = _cpu_of_children() - cpu0
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    digest = _sha256(output)
    os.remove(output)
    return wall, cpu, digest


_SPIN = "n = 0\nfor i in range(20_000_000):\n    n += i"


def _capacity() -> float:
    """What two processes get done here against one, now: two pure-Python loops run together
    against one alone (2.0 on two idle cores; less when others use them)."""
    spin = [sys.executable, "-c", _SPIN]
    t0 = time.perf_counter()
    subprocess.run(spin, check=True)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    pair = [subprocess.Popen(spin) for _ in range(2)]
    for p in pair:
        p.wait()
    return 2 * one / (time.perf_counter() - t0)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--input", help="a JSON Lines cohort (default: lacplan synth)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", default="cli,jobs1,jobs2")
    parser.add_argument("--chunk-size", type=int, default=64)
    parser.add_argument("--drive", nargs=2, metavar=("INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--items", choices=("raw", "cases"), default="raw", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        source, output = args.drive
        return _drive(source, output, args.jobs, args.items, args.chunk_size)

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if any(v.startswith("cli") and v != "cli" for v in variants) and not _cli_has_jobs():
        sys.exit("the CLI has no --jobs option yet: use the jobsN variants")
    work = tempfile.mkdtemp(prefix="bench_jobs_")
    try:
        path = args.input
        if path is None:
            path = os.path.join(work, "cohort.jsonl")
            synth = ["synth", str(args.children), "--seed", str(args.seed), "--as-of", AS_OF]
            subprocess.run([sys.executable, "-m", "lacplan.cli", *synth, "-o", path], check=True)
        with open(path, "rb") as fh:
            n = sum(1 for _ in fh)
        size = os.path.getsize(path) / 1e6
        print(f"cohort: {n} records, {size:.1f} MB ({path}); as at {AS_OF}")
        print(f"machine: {os.cpu_count()} CPUs; load average before: {_load()}")
        from lacplan.parallel import available_cpus

        print(f"available_cpus(): {available_cpus()}; chunk size {args.chunk_size}")
        best: dict[str, tuple[float, float]] = {}
        digests: dict[str, set[str]] = {}
        capacities = []
        for r in range(args.rounds):
            capacities.append(_capacity())
            print(f"  round {r + 1} capacity (two processes against one): {capacities[-1]:.2f}x")
            for variant in variants:
                output = os.path.join(work, f"{variant}.jsonl")
                cmd = _command(variant, path, output, args.chunk_size)
                wall, cpu, digest = _timed(cmd, output)
                digests.setdefault(variant, set()).add(digest)
                old = best.get(variant, (float("inf"), float("inf")))
                best[variant] = (min(old[0], wall), min(old[1], cpu))
                print(f"  round {r + 1} {variant:<8} wall {wall:7.2f} s  cpu {cpu:7.2f} s")
        print(f"load average after: {_load()}")
        every = set().union(*digests.values())
        if len(every) != 1:
            print(f"OUTPUTS DIFFER: {digests}")
            return 1
        print(f"outputs byte-identical across variants and rounds (sha256 {every.pop()[:16]}...)")
        base = best.get("jobs1") or best[variants[0]]
        print(f"{'variant':<8} {'wall s':>8} {'cpu s':>8} {'wall/jobs1':>11} {'cpu/jobs1':>10}")
        for variant, (wall, cpu) in best.items():
            print(
                f"{variant:<8} {wall:8.2f} {cpu:8.2f} {wall / base[0]:11.2f} {cpu / base[1]:10.2f}"
            )
        if "jobs1" in best and "jobs2" in best:
            speedup = best["jobs1"][0] / best["jobs2"][0]
            print(f"speed-up jobs2 over jobs1 (wall, best of {args.rounds}): {speedup:.2f}x")
            print(
                f"machine capacity for two processes (best of {args.rounds}): "
                f"{max(capacities):.2f}x; jobs2 reached {speedup / max(capacities):.0%} of it"
            )
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
