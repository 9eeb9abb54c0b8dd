"""The Python side of the bundle under Pyodide in Node: a quicker first check than the browser.

The bundle's own runtime and wheels (checked against its lock file's SHA-256 sums) load in
Node; ``lacplan.web.bridge`` evaluates a fake SSDA903 return and the demo cases there, and
its CSVs equal the CLI's (CPython) on the same files; ``holidays`` is never imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import need

ROOT = Path(__file__).resolve().parents[2]
D2I = ROOT / "tests" / "data" / "ssda903-samples" / "d2i-validator-fake"
DEMO = ROOT / "src" / "lacplan" / "data" / "demo_cases.jsonl"

SCRIPT = r"""
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [bundle, inputs, out] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${bundle}/pyodide/pyodide.mjs`).href);
const quiet = () => {};
const py = await loadPyodide({ indexURL: `${bundle}/pyodide/`, stdout: quiet, stderr: quiet });
await py.loadPackage(["lacplan"], { messageCallback: () => {}, checkIntegrity: true });
const bridge = py.pyimport("lacplan.web.bridge");
const results = [];
for (const run of JSON.parse(readFileSync(inputs, "utf8"))) {
  const files = py.toPy(run.files.map((f) => [f.name, new Uint8Array(readFileSync(f.path))]));
  const opened = bridge.open_session(files, JSON.stringify(run.options));
  const session = opened.get(0);
  const result = { overview: JSON.parse(opened.get(1)), csv: {} };
  for (const kind of ["obligations", "summary", "worklist"]) {
    result.csv[kind] = JSON.parse(bridge.csv(session, kind)).text;
  }
  results.push(result);
}
const modules = py.runPython("import sys; sorted(m.split('.')[0] for m in sys.modules)").toJs();
writeFileSync(out, JSON.stringify({ results, ready: JSON.parse(bridge.ready()), modules }));
"""

RUNS = [
    {
        "dir": D2I,
        "files": sorted(p for p in D2I.iterdir() if p.suffix == ".csv"),
        "options": {"as_of": "2024-03-31", "rules": "england", "days": 28},
        "cli": ["--as-of", "2024-03-31", "--input-format", "auto"],
        "days": "28",
    },
    {
        "dir": DEMO.parent,
        "files": [DEMO],
        "options": {"as_of": "2024-06-03", "rules": "england+ifa", "days": 14},
        "cli": ["--as-of", "2024-06-03", "--rules", "england+ifa"],
        "days": "14",
    },
]


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "lacplan", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def node_results(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = need("node")
    work = tmp_path_factory.mktemp("node")
    script = work / "check.mjs"
    script.write_text(SCRIPT, encoding="utf-8")
    inputs = [
        {
            "files": [
                {"name": p.relative_to(run["dir"]).as_posix(), "path": str(p)} for p in run["files"]
            ],
            "options": run["options"],
        }
        for run in RUNS
    ]
    (work / "inputs.json").write_text(json.dumps(inputs), encoding="utf-8")
    done = subprocess.run(
        [node, str(script), str(bundle), str(work / "inputs.json"), str(work / "out.json")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads((work / "out.json").read_text(encoding="utf-8"))
    return result


@pytest.mark.parametrize("n", range(len(RUNS)))
def test_pyodide_csvs_equal_the_cli(node_results: dict[str, Any], n: int) -> None:
    run, got = RUNS[n], node_results["results"][n]
    paths = [str(p) for p in run["files"]]
    assert got["csv"]["obligations"] == cli(
        "evaluate", *paths, *run["cli"], "--format", "csv", "--excel-safe"
    )
    assert got["csv"]["summary"] == cli(
        "summary", *paths, *run["cli"], "--format", "csv", "--excel-safe"
    )
    assert got["csv"]["worklist"] == cli(
        "upcoming", *paths, *run["cli"], "--format", "csv", "--excel-safe", "--days", run["days"]
    )
    report = json.loads(cli("evaluate", *paths, *run["cli"], "--format", "json"))
    counts = got["overview"]["counts"]
    assert counts["children"] == len(report["children"]) > 0
    assert counts["obligations"] == sum(len(c["obligations"]) for c in report["children"])
    assert counts["rejected"] == len(report["errors"])


def test_holidays_is_neither_shipped_nor_imported(node_results: dict[str, Any]) -> None:
    assert "holidays" not in node_results["modules"]
    assert "pandas" not in node_results["modules"]
    assert node_results["ready"]["holidays_imported"] is False
    # The calendar reports the holidays version the shipped table was generated from.
    from lacplan.calendar_table import shipped

    calendar = node_results["results"][0]["overview"]["calendar"]
    assert calendar["provider_version"] == shipped().holidays_version
