"""In-browser app benchmark: cold load to ready, and a cohort evaluated in the browser against
the CPython CLI on the same file, in the same run.

    python benchmarks/bench_web.py [--bundle DIR] [--children 1000] [--loads 3] [--repeat 3]

Builds the bundle (``lacplan web build``) unless ``--bundle`` names one, serves it on loopback
and drives Debian's Chromium with Playwright (``LACPLAN_CHROMIUM`` or ``chromium`` on PATH):

* cold load: a new browser context (an empty cache) opening the page until the Python worker
  is ready, best and median of ``--loads``;
* cohort: ``lacplan synth N`` children given to the page's file input until the summary,
  worklist and children are drawn (reading the file, evaluating, the overview), best of
  ``--repeat``; against ``lacplan summary FILE`` (a fresh process: start-up,
  reading, evaluating, the summary: the same work) and ``lacplan evaluate FILE --format csv
  --jobs 1`` (which also writes every row and its explanation), best of ``--repeat`` each.

It prints the bundle's size, both times and the ratio browser / CLI. It is a report, not a test:
it exits 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from lacplan.web.build import build
from lacplan.web.serve import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.web.conftest import CHROMIUM_FLAGS  # noqa: E402

AS_OF = "2026-06-01"


def _cli_time(command: list[str], repeat: int) -> float:
    """Best wall time of ``python -m lacplan COMMAND`` (a fresh process each time)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lacplan", *command], check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", type=Path)
    ap.add_argument("--children", type=int, default=1000)
    ap.add_argument("--loads", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    chromium = (
        subprocess.run(["which", "chromium"], capture_output=True, text=True).stdout.strip()
        or "/usr/bin/chromium"
    )
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        bundle = args.bundle
        if bundle is None:
            t0 = time.perf_counter()
            result = build(work / "bundle")
            print(f"build: {time.perf_counter() - t0:.1f} s")
            bundle = result.directory
        info = json.loads((bundle / "build-info.json").read_text("utf-8"))
        sizes = info["sizes"]
        print(
            f"bundle: {sizes['total'] / 1e6:.2f} MB (runtime {sizes['runtime'] / 1e6:.2f} MB, "
            f"wheels {sizes['wheels'] / 1e6:.2f} MB, front end {sizes['front_end'] / 1e3:.0f} kB; "
            f"{sizes['start_up'] / 1e6:.2f} MB fetched before ready)"
        )
        cohort = work / "cohort.jsonl"
        synth = ["synth", str(args.children), "--seed", "7", "-o", str(cohort)]
        subprocess.run(
            [sys.executable, "-m", "lacplan", *synth],
            check=True,
            capture_output=True,
        )
        server = make_server(bundle, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        host, port = server.server_address[:2]
        origin = f"http://{host!s}:{port}/"
        loads: list[float] = []
        runs: list[float] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            for _ in range(args.loads):
                context = browser.new_context()
                page = context.new_page()
                t0 = time.perf_counter()
                page.goto(origin)
                page.wait_for_selector("body[data-state=ready]", timeout=120_000)
                loads.append(time.perf_counter() - t0)
                context.close()
            context = browser.new_context()
            page = context.new_page()
            page.goto(origin)
            page.wait_for_selector("body[data-state=ready]", timeout=120_000)
            page.fill("#as-of", AS_OF)
            for _ in range(args.repeat):
                page.evaluate("document.body.dataset.state = 'ready'")
                page.set_input_files("#files", [])
                t0 = time.perf_counter()
                page.set_input_files("#files", [str(cohort)])
                page.wait_for_selector("body[data-state=done]", timeout=600_000)
                runs.append(time.perf_counter() - t0)
            counts = page.text_content("#counts") or ""
            context.close()
            browser.close()
        server.shutdown()
        # The page evaluates, then makes the summary and the worklist (explanations only when
        # asked): `lacplan summary` does that work; `evaluate --format csv` also writes every
        # row with its explanation.
        common = [str(cohort), "--as-of", AS_OF]
        cli = _cli_time(["summary", *common, "--format", "csv"], args.repeat)
        cli_csv = _cli_time(
            ["evaluate", *common, "--jobs", "1", "--format", "csv", "-o", str(work / "out.csv")],
            args.repeat,
        )
    browser_best = min(runs)
    print(
        f"cold load to ready: best {min(loads):.2f} s, median {statistics.median(loads):.2f} s "
        f"(target 10 s)"
    )
    print(f"cohort ({counts.split('.')[0]}): browser best {browser_best:.2f} s")
    print(f"cohort: CLI lacplan summary (one process) best {cli:.2f} s")
    print(f"cohort: CLI lacplan evaluate --format csv (--jobs 1) best {cli_csv:.2f} s")
    print(f"ratio browser / CLI summary: {browser_best / cli:.2f}x (target 5x)")
    print(f"ratio browser / CLI evaluate csv: {browser_best / cli_csv:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
