"""Shared helpers of the scale tests: small cohorts on disk and rows to compare."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import lacplan
from lacplan.report import ROW_FIELDS
from lacplan.synth import synth_cases

AS_OF = date(2024, 6, 3)


def case_texts(n: int, *, seed: int = 7, start: int = 0) -> list[str]:
    """``n`` synthetic cases (children ``start`` .. ``start + n - 1``) as JSON texts."""
    return [json.dumps(c) for c in synth_cases(start + n, seed=seed, as_of=AS_OF)[start:]]


def write_messy_jsonl(path: Path, texts: Sequence[str]) -> None:
    """``texts`` as JSON Lines, with a byte order mark, CRLF endings, blank lines and every
    kind of bad line mixed in (each rejected by ``load_cases``)."""
    good = [t.encode() for t in texts]
    lines = [
        b"\xef\xbb\xbf" + good[0],
        *good[1:3],
        b"",
        b"not json at all",
        b'{"child_id": "DUP", "child_id": "DUP2"}',
        good[3] + b"\r",
        b'{"child_id": "BAD1"}',
        b"   ",
        b"\xff\xfe{}",
        b"[1, 2]",
        *good[4:],
        b'{"child_id": "TRUNC", "date_of_birth": "2012-01-01"',
    ]
    path.write_bytes(b"\n".join(lines))  # the last line has no line break


def report_rows(report: lacplan.Report, labels: Sequence[str] = ()) -> list[dict[str, Any]]:
    """``report.rows()`` with exactly ``ROW_FIELDS`` and a column per label (null if absent)."""
    columns = [*ROW_FIELDS, *(f"label_{n}" for n in labels)]
    return [{c: row.get(c) for c in columns} for row in report.rows()]


def report_errors(errors: Iterable[lacplan.RecordError]) -> list[dict[str, Any]]:
    """Rejected records as the rows of ``partition_errors`` (a row per problem)."""
    return [
        {"file": e.file, "line": e.line, "child_id": e.child_id, **p.as_dict()}
        for e in errors
        for p in e.problems
    ]


def table_rows(table: Any) -> list[dict[str, Any]]:
    """A ``pyarrow.Table``'s rows with dates as ISO strings (as ``Report.rows()`` gives them)."""
    return [
        {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
        for row in table.to_pylist()
    ]


def frame_rows(frame: Any) -> list[dict[str, Any]]:
    """A pandas frame's rows, through Arrow, as :func:`table_rows`."""
    import pyarrow as pa

    return table_rows(pa.Table.from_pandas(frame, preserve_index=False))
