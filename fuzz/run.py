"""The long fuzz run: ``python fuzz/run.py --target loaders --inputs 400000 [--seed 1]``.

Each input is a mutation of one from the pool (the target's seeds, the corpus files, and every
input that produced an outcome signature not seen before); the engine target draws its inputs
from hypothesis instead (``lacplan.testing.strategies``). Every input is checked by the target
(see ``fuzz/targets``). At the end (or on Ctrl-C) the run prints how many inputs it ran, the
count of each outcome, the crashes and broken properties by kind, and the wall time.

A crash or broken property is saved to the corpus folder (``tests/fuzz/corpus/<target>/``, or
``--corpus DIR``) as ``crash-<kind>-<hash>``, the smallest input of each kind; the tests replay
every file there. ``--save-novel N`` also saves the N smallest inputs with new signatures as
``novel-<hash>`` (seeds for later runs, and regression inputs once reviewed). An input taking
longer than ``--slow`` seconds is counted as ``slow`` and saved under ``--slow-dir``.

Runs are reproducible: the same ``--seed``, ``--inputs`` and corpus give the same inputs.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python fuzz/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz.checks import PropertyFailure
from fuzz.targets import CORPUS, NAMES, Outcome, Target, get_target
from fuzz.targets.base import shape

__all__ = ["Run", "main"]

_MAX_POOL = 2_000
_MAX_POOL_SIZE = 64 << 10  # inputs larger than this do not join the pool


def _kind(exc: BaseException) -> str:
    """A crash's kind: its type and the innermost lacplan frame (or the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/lacplan/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).stem}-{ours[-1].lineno}" if ours else "unknown"
    if isinstance(exc, PropertyFailure):
        digest = hashlib.sha1(shape(str(exc)).encode()).hexdigest()[:6]
        return f"property-{digest}"
    return f"{type(exc).__name__}-{where}"


def _digest(target: Target[Any], item: Any) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = target.save(item, Path(tmp), "x")
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        h = hashlib.sha1()
        for f in files:
            if f.is_file():
                h.update(f.relative_to(path.parent).as_posix().encode() + b"\0" + f.read_bytes())
        return h.hexdigest()[:10]


class Run:
    """One fuzz run's state: counts, the pool, crashes by kind."""

    def __init__(
        self,
        target: Target[Any],
        corpus: Path,
        *,
        save_novel: int = 0,
        slow: float = 2.0,
        slow_dir: Path | None = None,
        out: Callable[[str], None] = print,
    ) -> None:
        self.target = target
        self.corpus = corpus
        self.save_novel = save_novel
        self.slow = slow
        self.slow_dir = slow_dir
        self.out = out
        self.counts: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.smallest: dict[str, int] = {}
        self.messages: dict[str, str] = {}
        self.signatures: set[tuple[str, ...]] = set()
        self.novel: list[tuple[int, Any]] = []
        self.pool: list[Any] = []
        self.inputs = 0

    def one(self, item: Any, *, pool: bool = True) -> None:
        """Check one input and count it."""
        self.inputs += 1
        start = time.perf_counter()
        try:
            outcome = self.target.check(item)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a crash or a broken property: count, save, go on
            self._failure(item, exc)
            return
        took = time.perf_counter() - start
        self.counts[outcome.label] += 1
        if took > self.slow:
            self.counts["slow"] += 1
            if self.slow_dir is not None:
                self.slow_dir.mkdir(parents=True, exist_ok=True)
                self.target.save(item, self.slow_dir, f"slow-{_digest(self.target, item)}")
        self._novelty(item, outcome, pool)

    def _novelty(self, item: Any, outcome: Outcome, pool: bool) -> None:
        if outcome.signature in self.signatures:
            return
        self.signatures.add(outcome.signature)
        size = self.target.size(item)
        if pool and size <= _MAX_POOL_SIZE and len(self.pool) < _MAX_POOL:
            self.pool.append(item)
        if self.save_novel:
            self.novel.append((size, item))

    def _failure(self, item: Any, exc: BaseException) -> None:
        kind = _kind(exc)
        label = "property" if isinstance(exc, PropertyFailure) else "crash"
        self.counts[label] += 1
        self.failures[kind] += 1
        size = self.target.size(item)
        if kind not in self.smallest or size < self.smallest[kind]:
            first = kind not in self.smallest
            self.smallest[kind] = size
            self.messages[kind] = f"{type(exc).__name__}: {str(exc)[:200]}"
            self.corpus.mkdir(parents=True, exist_ok=True)
            for old in self.corpus.glob(f"crash-{kind}*"):
                if old.is_dir():
                    shutil.rmtree(old)
                else:
                    old.unlink()
            self.target.save(item, self.corpus, f"crash-{kind}")
            if first:
                self.out(f"  new {label}: {kind}: {self.messages[kind]}")

    def write_novel(self) -> int:
        """Save the ``save_novel`` smallest novel inputs to the corpus folder."""
        chosen = sorted(self.novel, key=lambda t: t[0])[: self.save_novel]
        self.corpus.mkdir(parents=True, exist_ok=True)
        for _, item in chosen:
            self.target.save(item, self.corpus, f"novel-{_digest(self.target, item)}")
        return len(chosen)

    def summary(self, seconds: float) -> str:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
        lines = [
            f"target {self.target.name}: {self.inputs} inputs in {seconds:.1f} s "
            f"({self.inputs / max(seconds, 1e-9):.0f}/s), {len(self.signatures)} signatures, "
            f"peak memory {peak} MB"
        ]
        for label, n in sorted(self.counts.items()):
            lines.append(f"  {label:<16}{n:>10}")
        for kind, n in sorted(self.failures.items()):
            lines.append(f"  FAILURE {kind} x{n}: {self.messages[kind]}")
        if not self.failures:
            lines.append("  no crash, no broken property")
        return "\n".join(lines)


def _mutation_run(run: Run, n: int, seed: int, every: int) -> None:
    target = run.target
    rnd = random.Random(seed)
    start = time.perf_counter()
    seeds = list(run.pool)
    for item in seeds:  # the seeds and the corpus first
        run.one(item, pool=False)
    while run.inputs < n:
        parent = rnd.choice(seeds if rnd.random() < 0.25 else run.pool)
        try:
            item = target.mutate(parent, rnd, run.pool)
        except MemoryError:  # the mutation outgrew --max-memory: not lacplan's doing
            run.counts["mutation_too_large"] += 1
            continue
        run.one(item)
        if every and run.inputs % every == 0:
            rate = run.inputs / (time.perf_counter() - start)
            run.out(f"  {run.inputs} inputs, {rate:.0f}/s, {dict(run.counts)}")


def _hypothesis_run(run: Run, n: int, seed: int, every: int, variants: int = 3) -> None:
    """Inputs drawn from the target's hypothesis strategy, each followed by ``variants`` cheap
    mutations of it (another as-of date, order, pack or date shift)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    strategy = run.target.strategy()  # type: ignore[attr-defined]
    rnd = random.Random(seed)
    start = time.perf_counter()
    for item in list(run.pool):
        run.one(item, pool=False)
    chunk = 0
    while run.inputs < n:
        left = n - run.inputs

        @hseed(seed * 1_000_003 + chunk)
        @settings(
            max_examples=min(2_000, -(-left // (variants + 1))),
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def body(item: Any) -> None:
            for k in range(variants + 1):
                if run.inputs >= n:
                    return
                run.one(item if k == 0 else run.target.mutate(item, rnd, ()), pool=False)
                if every and run.inputs % every == 0:
                    rate = run.inputs / (time.perf_counter() - start)
                    run.out(f"  {run.inputs} inputs, {rate:.0f}/s, {dict(run.counts)}")

        body()
        chunk += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fuzz/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", required=True, choices=NAMES)
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs to run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="corpus folder (default tests/fuzz/corpus/T)")
    parser.add_argument("--save-novel", type=int, default=0, metavar="N")
    parser.add_argument("--slow", type=float, default=2.0, metavar="SECONDS")
    parser.add_argument("--slow-dir", type=Path)
    parser.add_argument("--every", type=int, default=50_000, help="progress line every N inputs")
    parser.add_argument(
        "--variants", type=int, default=3, help="engine: mutations run per hypothesis example"
    )
    parser.add_argument(
        "--max-memory", type=int, default=4096, metavar="MB", help="address space limit (0: none)"
    )
    args = parser.parse_args(argv)
    before = resource.getrlimit(resource.RLIMIT_AS)
    if args.max_memory:  # a shared machine: a runaway input fails alone (MemoryError, a crash)
        limit = args.max_memory << 20  # (the soft limit only, restored on the way out)
        resource.setrlimit(resource.RLIMIT_AS, (limit, before[1]))
    try:
        return _run(args)
    finally:  # run in-process (the tests), the limit must not outlive the run
        resource.setrlimit(resource.RLIMIT_AS, before)


def _run(args: argparse.Namespace) -> int:
    target = get_target(args.target)
    corpus = args.corpus if args.corpus is not None else CORPUS / args.target
    slow_dir = args.slow_dir or Path(tempfile.gettempdir()) / "lacplan-fuzz-slow" / args.target
    run = Run(target, corpus, save_novel=args.save_novel, slow=args.slow, slow_dir=slow_dir)
    # known-* entries reproduce bugs already reported: not seeds, or the run would rediscover them
    entries = [p for p in target.entries(corpus) if not p.name.startswith("known-")]
    run.pool = target.seeds() + [target.load(p) for p in entries]
    start = time.perf_counter()
    print(f"fuzzing {args.target}: {args.inputs} inputs, seed {args.seed}, corpus {corpus}")
    try:
        if args.target == "engine":
            _hypothesis_run(run, args.inputs, args.seed, args.every, args.variants)
        else:
            _mutation_run(run, args.inputs, args.seed, args.every)
    except KeyboardInterrupt:
        print("interrupted")
    finally:
        target.close()
    print(run.summary(time.perf_counter() - start))
    if args.save_novel:
        print(f"saved {run.write_novel()} novel inputs to {corpus}")
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
