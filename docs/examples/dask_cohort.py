"""Evaluate a partitioned cohort with Dask: JSON Lines or Parquet files in, Parquet out.

Each input file is one partition (``lacplan.partitions.read_cases``), evaluated by one call of
``lacplan.partitions.evaluate_partition`` through ``map_partitions``; the rejected records
go through ``partition_errors``. The output directory gets::

    obligations/part.00000.parquet ...   one file per input file, rows in input order
    errors/part.00000.parquet ...        rejected records, one row per problem
    run.json                             provenance (the report header) and the counts

Run it (it starts a local cluster of worker processes, or joins one with ``--scheduler``)::

    python docs/examples/dask_cohort.py cohort/ out/ --as-of 2024-06-03 --workers 2

``docs/dask.md`` describes the recipe. Needs ``pip install 'lacplan[dask]'``. The exit status
is 0, 1 if records were rejected (they are in ``errors/``), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

import lacplan
from lacplan.loaders import JSONL_SUFFIXES
from lacplan.partitions import (
    cases_meta,
    errors_meta,
    evaluate_partition,
    label_names,
    obligations_meta,
    obligations_schema,
    partition_errors,
    read_cases,
)

SUFFIXES = (*JSONL_SUFFIXES, ".parquet", ".parq")


def input_files(sources: Sequence[str]) -> list[str]:
    """The files to read: each source a file, or a directory whose JSON Lines and Parquet
    files are taken in name order. The order fixes the partitions' numbers."""
    paths: list[str] = []
    for source in sources:
        if os.path.isdir(source):
            names = sorted(n for n in os.listdir(source) if n.lower().endswith(SUFFIXES))
            paths.extend(os.path.join(source, n) for n in names)
        elif os.path.isfile(source):
            paths.append(source)
        else:
            raise lacplan.UsageError(f"no such file or directory: {source}")
    if not paths:
        raise lacplan.UsageError("no JSON Lines or Parquet files to read")
    return paths


def check_output(output: str) -> None:
    """Refuse an output directory that already holds files (nothing is overwritten)."""
    if os.path.exists(output) and (not os.path.isdir(output) or os.listdir(output)):
        raise lacplan.UsageError(f"{output} is not empty; give a new directory")


def part_name(number: int) -> str:
    """Output file names that sort in partition order."""
    return f"part.{number:05d}.parquet"


def rejected_records(errors: Any) -> Any:
    """One row per rejected record of a partition's errors (a record may have several
    problems; a record is in one partition only, so no shuffle is needed)."""
    return errors[["file", "line"]].drop_duplicates()


def read(paths: Sequence[str]) -> Any:
    """The cases, lazily: a Dask frame with one partition per file (in the order given)."""
    import dask.dataframe as dd

    return dd.from_map(read_cases, list(paths), meta=cases_meta(), label="read-cases")


def scan_labels(cases: Any) -> Any:
    """The label keys the cases use (a lazy Dask series; compute it, then sort its values):
    a first, cheap pass that fixes the ``label_<name>`` columns."""
    return cases.map_partitions(label_names, meta=label_names(cases_meta()))["label"]


def build(
    cases: Any,
    output: str,
    *,
    as_of: date,
    labels: Sequence[str],
    rules: str = "england",
    overlays: Sequence[str] = (),
    columns: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The lazy work: ``{"obligations": write, "errors": write, "records": n, "rejected": n,
    "rows": n}``. Compute it in one ``dask.compute``, so that each file is read once."""
    rows = cases.map_partitions(
        evaluate_partition,
        as_of=as_of,
        rules=rules,
        overlays=tuple(overlays),
        labels=tuple(labels),
        columns=columns,
        meta=obligations_meta(labels, columns),
    )
    errors = cases.map_partitions(partition_errors, meta=errors_meta())
    rejected = errors.map_partitions(rejected_records, meta=rejected_records(errors_meta()))
    return {
        "obligations": rows.to_parquet(
            os.path.join(output, "obligations"),
            write_index=False,
            name_function=part_name,
            schema=obligations_schema(labels, columns),
            compute=False,
        ),
        "errors": errors.to_parquet(
            os.path.join(output, "errors"),
            write_index=False,
            name_function=part_name,
            compute=False,
        ),
        "records": cases.shape[0],
        "rejected": rejected.shape[0],
        "rows": rows.shape[0],
    }


def run(
    paths: Sequence[str],
    output: str,
    *,
    as_of: date,
    rules: str = "england",
    overlays: Sequence[str] = (),
    labels: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Evaluate ``paths`` into ``output`` on the current Dask scheduler; write and return the
    run record (the report header, then ``records``, ``evaluated``, ``rejected``, ``rows``).
    ``labels=None`` scans the cases for their label keys first (one more read of the input);
    give the names to skip that pass."""
    import dask

    check_output(output)
    cases = read(paths)
    if labels is None:
        (found,) = dask.compute(scan_labels(cases))
        labels = sorted(set(found.tolist()))
    work = build(
        cases, output, as_of=as_of, labels=labels, rules=rules, overlays=overlays, columns=columns
    )
    (done,) = dask.compute(work)
    header = lacplan.evaluate((), as_of, rules=rules, overlays=overlays).header()
    counts = {
        "inputs": list(paths),
        "records": int(done["records"]),
        "evaluated": int(done["records"]) - int(done["rejected"]),
        "rejected": int(done["rejected"]),
        "rows": int(done["rows"]),
    }
    record = {**header, **counts}
    with open(os.path.join(output, "run.json"), "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=2)
        fh.write("\n")
    return record


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [n.strip() for n in text.split(",") if n.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="dask_cohort.py", description="Evaluate a partitioned cohort with Dask."
    )
    parser.add_argument("inputs", nargs="+", help="JSON Lines or Parquet files, or directories")
    parser.add_argument("output", help="a new directory for the Parquet output")
    parser.add_argument("--as-of", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--rules", default="england")
    parser.add_argument("--overlay", action="append", default=[], help="repeatable")
    parser.add_argument("--labels", help="label names, comma-separated (default: scan)")
    parser.add_argument("--columns", help="row columns, comma-separated (default: all)")
    parser.add_argument("--scheduler", help="address of a running scheduler to use")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per local worker")
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    options = {
        "as_of": args.as_of,
        "rules": args.rules,
        "overlays": args.overlay,
        "labels": _names(args.labels),
        "columns": _names(args.columns),
    }
    try:
        paths = input_files(args.inputs)
        check_output(args.output)  # before any cluster is started
        if args.scheduler:
            with Client(args.scheduler):
                record = run(paths, args.output, **options)
        else:
            with (
                LocalCluster(
                    n_workers=args.workers,
                    threads_per_worker=args.threads,
                    processes=True,
                    dashboard_address=None,
                ) as cluster,
                Client(cluster),
            ):
                record = run(paths, args.output, **options)
    except lacplan.LacplanError as exc:
        sys.stderr.write(f"dask_cohort: {exc}\n")
        return 2
    counts = {k: record[k] for k in ("records", "evaluated", "rejected", "rows")}
    sys.stdout.write(json.dumps(counts) + "\n")
    return 1 if record["rejected"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
