"""Prove a speed change changed no result: the same cohort through an earlier commit and this tree.

    python benchmarks/check_identical.py --before REV [--children 20000] [--seed 12]
        [--as-of 2024-06-03] [--formats jsonl,csv,json] [--keep DIR]

Checks ``REV`` out into a temporary git worktree, generates a ``lacplan synth`` cohort (with
this tree's generator), runs ``lacplan evaluate`` over it in both trees for each format, and
compares the outputs line by line. Provenance that legitimately differs between commits (the
JSON document's ``lacplan_version``, ``rules_hash`` and ``calendar`` header fields) is left out
of the comparison; nothing else is. Exits 1 at the first difference (printing the line number
and the first differing column, never the data) and 0 when every format is identical.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = "import sys; from lacplan.cli import main; sys.exit(main(sys.argv[1:]))"
PROVENANCE = ("lacplan_version", "rules_hash", "calendar")
EXT = {"jsonl": "jsonl", "csv": "csv", "json": "json"}


def _evaluate(src: Path, cohort: Path, fmt: str, as_of: str, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", RUN, "evaluate", str(cohort), "--as-of", as_of]
    cmd += ["--format", fmt, "-o", str(out)]
    subprocess.run(cmd, env=env, check=True)


def _normalised_json(path: Path) -> str:
    doc = json.loads(path.read_text(encoding="utf-8"))
    header = doc.get("header", {})
    for key in PROVENANCE:
        header.pop(key, None)
    return json.dumps(doc, sort_keys=False, indent=1)


def _first_difference(a: Path, b: Path) -> str | None:
    with a.open("rb") as fa, b.open("rb") as fb:
        for n, (la, lb) in enumerate(zip(fa, fb, strict=False), start=1):
            if la != lb:
                col = next(
                    (i for i, (x, y) in enumerate(zip(la, lb, strict=False)) if x != y),
                    min(len(la), len(lb)),
                )
                return f"line {n}, column {col + 1}"
        rest_a, rest_b = fa.read(1), fb.read(1)
        if rest_a or rest_b:
            return "one output is longer"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True, help="the commit to compare with")
    ap.add_argument("--children", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--as-of", default="2024-06-03")
    ap.add_argument("--formats", default="jsonl,csv")
    ap.add_argument("--keep", type=Path, help="keep the outputs in this directory")
    args = ap.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    with tempfile.TemporaryDirectory(prefix="lacplan-identical-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        tree = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.before],
            check=True,
        )
        try:
            cohort = work / "cohort.jsonl"
            synth = ["synth", str(args.children), "--seed", str(args.seed), "--as-of", args.as_of]
            subprocess.run(
                [sys.executable, "-c", RUN, *synth, "-o", str(cohort)],
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                check=True,
            )
            failed = False
            for fmt in formats:
                old, new = work / f"before.{EXT[fmt]}", work / f"after.{EXT[fmt]}"
                _evaluate(tree / "src", cohort, fmt, args.as_of, old)
                _evaluate(ROOT / "src", cohort, fmt, args.as_of, new)
                if fmt == "json":
                    same = _normalised_json(old) == _normalised_json(new)
                    where = None if same else "the documents differ"
                else:
                    where = _first_difference(old, new)
                size = new.stat().st_size
                if where is None:
                    print(f"{fmt}: identical ({size:,} bytes, {args.children:,} children)")
                else:
                    print(f"{fmt}: DIFFERENT at {where}")
                    failed = True
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
