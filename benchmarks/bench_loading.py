"""Loading benchmark: JSON Lines cases through pydantic's JSON parser, against the reference path.

    python benchmarks/bench_loading.py [--input FILE] [--children 20000] [--repeat 3]

Without ``--input`` it writes ``lacplan synth 20000 --seed 12 --as-of 2024-06-03`` to a
temporary file. The lines are read into memory once; then, block by block (500 lines), each way
of loading a line runs ``--repeat`` times, the ways interleaved, and the best time of each block
is summed, so a burst of load elsewhere on the machine hits every way alike. Ways:

* ``json.loads``: the baseline, plain ``json.loads`` of each line (no validation);
* ``reference``: what the loader did before: ``json.loads`` with the duplicate-key hook, then
  validation from Python objects (``strict_loads`` + ``record``, today the fallback);
* ``load (bytes)``: the loader's line as it reads a file (``jsonl_line`` with the raw bytes);
* ``load (str)``: the same from a text stream (``jsonl_line`` with the decoded line);
* ``validate_json``: pydantic's JSON validation alone, the floor of the fast path (it does not
  detect duplicate keys, so it is not a loader);
* with orjson / msgspec importable: their parse alone, and parse + validation from the Python
  objects (a floor for a loader built on them: no duplicate-key check counted).

Then a whole-file ``list(load_cases(path))`` against the reference over the same file. Every
figure is a ratio to ``json.loads`` in the same run, with the time per line. It is a report, not
a test: it exits 0.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from lacplan.adapters.json import _fast_case, _keys_given, jsonl_line, record
from lacplan.adapters.json_text import strict_loads
from lacplan.domain.case import Case
from lacplan.loaders import load_cases
from lacplan.synth import write_cohort

BLOCK = 500
Way = Callable[[list[Any]], object]


def _reference_block(lines: list[Any]) -> None:
    for number, raw in enumerate(lines, start=1):
        record(strict_loads(raw.decode("utf-8"), with_line=False), "f", number)


def _load_bytes_block(lines: list[Any]) -> None:
    for number, raw in enumerate(lines, start=1):
        jsonl_line(raw.decode("utf-8"), "f", number, raw)


def _load_str_block(texts: list[Any]) -> None:
    for number, text in enumerate(texts, start=1):
        jsonl_line(text, "f", number)


def _each(fn: Callable[[Any], object]) -> Way:
    """A way that applies ``fn`` to every line of a block and keeps nothing (as streaming)."""

    def run(lines: list[Any]) -> None:
        for line in lines:
            fn(line)

    return run


def _ways() -> dict[str, tuple[Way, bool]]:
    """Name -> (function of a block, whether it takes decoded lines)."""
    validate_json = Case.__pydantic_validator__.validate_json
    validate_python = Case.__pydantic_validator__.validate_python
    ways: dict[str, tuple[Way, bool]] = {
        "json.loads": (_each(json.loads), True),
        "reference": (_reference_block, False),
        "load (bytes)": (_load_bytes_block, False),
        "load (str)": (_load_str_block, True),
        "validate_json": (_each(validate_json), False),
    }
    try:
        orjson = importlib.import_module("orjson")
    except ImportError:
        print("orjson: not installed (skipped)")
    else:
        ways["orjson.loads"] = (_each(orjson.loads), False)
        ways["orjson + validate"] = (_each(lambda b: validate_python(orjson.loads(b))), False)
    try:
        msgspec = importlib.import_module("msgspec")
    except ImportError:
        print("msgspec: not installed (skipped)")
    else:
        decode = msgspec.json.Decoder().decode
        ways["msgspec decode"] = (_each(decode), False)
        ways["msgspec + validate"] = (_each(lambda b: validate_python(decode(b))), False)
    return ways


def _blocks(lines: list[bytes]) -> Iterator[tuple[list[bytes], list[str]]]:
    for start in range(0, len(lines), BLOCK):
        block = lines[start : start + BLOCK]
        yield block, [b.decode("utf-8") for b in block]


def _per_line(lines: list[bytes], repeat: int) -> None:
    ways = _ways()
    total = dict.fromkeys(ways, 0.0)
    cpu = dict.fromkeys(ways, 0.0)
    for block, texts in _blocks(lines):
        best = dict.fromkeys(ways, float("inf"))
        best_cpu = dict.fromkeys(ways, float("inf"))
        for _ in range(repeat):
            for name, (fn, decoded) in ways.items():
                c0, t0 = time.process_time(), time.perf_counter()
                fn(texts if decoded else block)
                t1, c1 = time.perf_counter(), time.process_time()
                best[name] = min(best[name], t1 - t0)
                best_cpu[name] = min(best_cpu[name], c1 - c0)
        for name in ways:
            total[name] += best[name]
            cpu[name] += best_cpu[name]
    base = total["json.loads"]
    print(f"\nper line, best of {repeat} per block of {BLOCK}, summed over {len(lines):,} lines:")
    for name in ways:
        print(
            f"  {name:20s} {total[name] / len(lines) * 1e6:8.1f} us/line  "
            f"{total[name] / base:6.2f}x json.loads  (cpu {cpu[name] / len(lines) * 1e6:7.1f} us)"
        )
    ref, new = total["reference"], total["load (bytes)"]
    print(
        f"  load (bytes) / reference = {new / ref:.3f}; "
        f"load (str) / reference = {total['load (str)'] / ref:.3f}"
    )


def _paths(lines: list[bytes]) -> None:
    fast = parsed = 0
    for raw in lines:
        case = _fast_case(raw)
        if case is None:
            continue
        fast += 1
        periods = case.periods
        if any(p.period_id == str(k) for k, p in enumerate(periods, start=1)) or any(
            p.entry == "emergency" and p.placements[0].emergency for p in periods
        ):
            parsed += 1
            assert _keys_given(case, raw) is not None
    print(
        f"fast path: {fast:,} of {len(lines):,} lines ({fast / len(lines):.1%}); "
        f"{parsed:,} of them ({parsed / len(lines):.1%} of all) needed a parse to count keys"
    )


def _whole_file(path: str, repeat: int) -> None:
    def reference() -> list[object]:
        out: list[object] = []
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                text = raw.decode("utf-8")
                if text.strip():
                    out.append(record(strict_loads(text, with_line=False), path, number))
        return out

    def plain() -> int:
        with open(path, "rb") as fh:
            return sum(1 for raw in fh if json.loads(raw.decode("utf-8")) is not None)

    times: dict[str, float] = {"json.loads": float("inf"), "reference": float("inf")}
    times["load_cases"] = float("inf")
    for _ in range(repeat):
        for name, fn in (("json.loads", plain), ("reference", reference)):
            t0 = time.perf_counter()
            fn()
            times[name] = min(times[name], time.perf_counter() - t0)
        t0 = time.perf_counter()
        list(load_cases(path))
        times["load_cases"] = min(times["load_cases"], time.perf_counter() - t0)
    base = times["json.loads"]
    print(f"\nwhole file, best of {repeat}:")
    for name, t in times.items():
        print(f"  {name:20s} {t:7.2f} s  {t / base:6.2f}x json.loads")
    print(f"  load_cases / reference = {times['load_cases'] / times['reference']:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", help="a JSON Lines cohort (default: synthesise one)")
    ap.add_argument("--children", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-whole-file", action="store_true", help="skip the whole-file timing")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.input
        if path is None:
            path = os.path.join(tmp, "cohort.jsonl")
            write_cohort(path, args.children, seed=12, as_of=date(2024, 6, 3))
        with open(path, "rb") as fh:
            lines = [raw for raw in fh if raw.strip()]
        size = sum(map(len, lines))
        print(
            f"{path}: {len(lines):,} lines, {size / 1e6:.1f} MB "
            f"({size / max(len(lines), 1):,.0f} bytes a line); {os.cpu_count()} CPUs"
        )
        _paths(lines)
        _per_line(lines, args.repeat)
        if not args.no_whole_file:
            _whole_file(path, args.repeat)


if __name__ == "__main__":
    main()
