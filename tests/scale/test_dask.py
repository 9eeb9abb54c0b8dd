"""The Dask recipe (``docs/examples/dask_cohort.py``) end to end on a local cluster: its
Parquet output is, file by file and row for row, what ``lacplan.evaluate`` gives for the same
records. Marked ``dask`` (deselect with ``-m "not dask"``); skipped without the extra."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.dask

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import lacplan  # noqa: E402
from lacplan.tabular import to_arrow  # noqa: E402

from .cohort import (  # noqa: E402
    AS_OF,
    case_texts,
    report_errors,
    report_rows,
    table_rows,
    write_messy_jsonl,
)

RECIPE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dask_cohort.py"
TIMEOUT = 240  # seconds: a generous bound for a busy two-core machine
LABELS = ["iro", "la", "team"]


def _recipe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dask_cohort", RECIPE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cohort(root: Path) -> tuple[list[str], list[lacplan.Report]]:
    """Four input files (two messy JSON Lines, one clean, one Parquet) and, for each, the
    report ``lacplan.evaluate`` gives for its records."""
    root.mkdir()
    texts = case_texts(17)
    paths = [root / "a.jsonl", root / "b.jsonl", root / "c.ndjson", root / "d.parquet"]
    write_messy_jsonl(paths[0], texts[:5])
    write_messy_jsonl(paths[1], texts[5:10])
    paths[2].write_text("\n".join(texts[10:14]) + "\n", encoding="utf-8")
    pq.write_table(pa.table({"case": texts[14:]}), paths[3])
    reports = [lacplan.evaluate(lacplan.load_cases(p), AS_OF) for p in paths[:3]]
    parquet_cases = [lacplan.parse_case(json.loads(t)) for t in texts[14:]]
    reports.append(lacplan.evaluate(parquet_cases, AS_OF))
    return [str(p) for p in paths], reports


def _check_output(out: Path, paths: list[str], reports: list[lacplan.Report]) -> None:
    """Each partition's files hold its report's rows and rejections, in input order."""
    names = sorted(os.listdir(out / "obligations"))
    assert names == [f"part.{i:05d}.parquet" for i in range(len(paths))]
    for i, report in enumerate(reports):
        table = pq.read_table(out / "obligations" / names[i])
        assert table.schema.remove_metadata() == to_arrow(report).schema
        assert table_rows(table) == report_rows(report, LABELS)
        errors = table_rows(pq.read_table(out / "errors" / names[i]))
        expected = report_errors(report.errors)
        assert len(errors) == len(expected)
        for got, want in zip(errors, expected, strict=True):
            if want["message"].startswith(f"line {want['line']} is not valid UTF-8"):
                assert got["message"].startswith(f"line {want['line']} holds no case text")
                got = {**got, "message": want["message"]}
            assert got == want


def _expected_counts(reports: list[lacplan.Report]) -> dict[str, int]:
    evaluated = sum(len(r.children) for r in reports)
    rejected = sum(len(r.errors) for r in reports)
    rows = sum(len(r.obligations) for r in reports)
    return {"records": evaluated + rejected, "rejected": rejected, "rows": rows}


def test_recipe_on_a_local_cluster(tmp_path: Path) -> None:
    recipe = _recipe()
    paths, reports = _cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        cases = recipe.read(paths)
        assert cases.npartitions == len(paths)
        found = client.compute(recipe.scan_labels(cases)).result(timeout=TIMEOUT)
        labels = sorted(set(found.tolist()))
        assert labels == LABELS
        work = recipe.build(cases, str(out), as_of=AS_OF, labels=labels)
        futures = client.compute(list(work.values()))
        distributed.wait(futures, timeout=TIMEOUT)
        done = dict(zip(work, client.gather(futures), strict=True))
    assert {k: int(done[k]) for k in ("records", "rejected", "rows")} == _expected_counts(reports)
    _check_output(out, paths, reports)


def test_recipe_script_starts_its_own_cluster(tmp_path: Path) -> None:
    paths, reports = _cohort(tmp_path / "cohort")
    out = tmp_path / "out"
    command = [
        sys.executable,
        str(RECIPE),
        str(tmp_path / "cohort"),
        str(out),
        "--as-of",
        AS_OF.isoformat(),
        "--workers",
        "2",
        "--threads",
        "1",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path, check=False
    )
    assert done.returncode == 1, done.stderr[-2000:]  # records were rejected
    counts: dict[str, Any] = json.loads(done.stdout)
    expected = _expected_counts(reports)
    assert counts == {**expected, "evaluated": expected["records"] - expected["rejected"]}
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    header = lacplan.evaluate((), AS_OF).header()
    assert {k: record[k] for k in header} == header
    assert record["inputs"] == paths
    _check_output(out, paths, reports)

    again = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert again.returncode == 2 and "is not empty" in again.stderr


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside dask's Parquet reader
def test_frames_from_read_parquet_name_their_partition(tmp_path: Path) -> None:
    from lacplan.partitions import (
        errors_meta,
        evaluate_partition,
        obligations_meta,
        partition_errors,
    )

    texts = case_texts(4)
    pq.write_table(pa.table({"case": [texts[0], "oops", *texts[1:]]}), tmp_path / "c.parquet")
    cases = dd.read_parquet(tmp_path / "c.parquet", columns=["case"])
    rows = cases.map_partitions(evaluate_partition, as_of=AS_OF, meta=obligations_meta())
    errors = cases.map_partitions(partition_errors, meta=errors_meta())
    got_rows, got_errors = dask_compute(rows, errors)
    report = lacplan.evaluate([lacplan.parse_case(json.loads(t)) for t in texts], AS_OF)
    assert table_rows(pa.Table.from_pandas(got_rows, preserve_index=False)) == report_rows(report)
    assert got_errors[["file", "line", "code"]].values.tolist() == [
        ["<partition 0>", 2, "invalid_json"]
    ]


def dask_compute(*collections: Any) -> tuple[Any, ...]:
    """Compute with the synchronous scheduler (no cluster)."""
    import dask

    return tuple(dask.compute(*collections, scheduler="synchronous"))
