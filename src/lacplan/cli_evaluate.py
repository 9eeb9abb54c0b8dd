"""The evaluating half of the command line: ``lacplan evaluate`` (and ``demo --format``) and
the evaluation behind the audit commands.

Every ``evaluate`` format but ``table`` is written as it is produced, in flat memory:

* ``jsonl``: a line per child, and a line per rejected record, as they come;
* ``json``: the header first, each child as it is evaluated, the rejected records (kept aside
  meanwhile) at the end: byte for byte the document of :func:`lacplan.outputs.write_json`;
* ``csv``, ``xlsx``, ``parquet``: a row per obligation; the ``label_<name>`` columns come from a
  first pass over the inputs that reads only ``labels`` (standard input is first copied to a
  temporary file, removed afterwards, so that it can be read twice).

``--columns`` (:mod:`lacplan.columns`) chooses the fields; with ``compact`` the JSON document
carries the rule catalogue once, as ``catalogue`` in its header. Batch runs raise the garbage
collector's threshold (:func:`batch_gc`) and put it back as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, Final, TextIO

from lacplan._version import __version__
from lacplan.adapters import Batch, read_inputs, scan_label_keys
from lacplan.adapters.ssda903.build import MAX_YEAR, MIN_YEAR
from lacplan.calendar import england_and_wales
from lacplan.cli_audit import AUDIT_COMMANDS, run_audit
from lacplan.columns import (
    child_dict,
    needs_label_keys,
    obligation_fields,
    obligation_picker,
    row_maker,
    select_columns,
)
from lacplan.errors import UsageError
from lacplan.model import Case, Finding, RecordError
from lacplan.outputs import (
    FILE_FORMATS,
    JsonDocument,
    count_of,
    write_csv_values,
    write_error_line,
    write_jsonl_child,
    write_jsonl_error,
    write_jsonl_trailer,
    write_table,
)
from lacplan.report import OBLIGATION_FIELDS, ChildResult, Report
from lacplan.rules import Conventions, RulePack, get_pack

__all__ = ["ROW_FORMATS", "batch_gc", "evaluate_inputs", "output_stream", "run_evaluate"]

#: Formats with one row per obligation (and ``label_<name>`` columns).
ROW_FORMATS: Final[tuple[str, ...]] = ("csv", *FILE_FORMATS)

#: The garbage collector's generation-0 threshold during a batch run (``None``: leave it). The
#: default, 700 net new container objects, runs a collection every few obligations, and with
#: it the rarer full collections that walk every object alive (the pack, the schemas): 5% of
#: the CPU time of a 20,000-child run. Evaluation makes next to no reference cycles (each
#: child's objects go as soon as it is written), so at 10,000 collections all but stop and
#: memory stays as flat (``benchmarks/bench_outputs.py --what gc``; ``gc.freeze()`` after
#: compiling the pack gained nothing more).
BATCH_GC_THRESHOLD: int | None = 10_000

LabelKeys = Callable[[], list[str] | None]
"""Gives the label keys of the input (``None``: they cannot be known without holding it)."""


@contextlib.contextmanager
def output_stream(path: str | None) -> Iterator[TextIO]:
    """Standard output (no path, or ``-``), or the file at ``path`` (a ``UsageError`` if it
    cannot be written), closed afterwards."""
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    with fh:
        yield fh


@contextlib.contextmanager
def batch_gc() -> Iterator[None]:
    """Raise the garbage collector's generation-0 threshold to :data:`BATCH_GC_THRESHOLD` for a
    batch run, and put the thresholds back as they were afterwards."""
    threshold = gc.get_threshold()
    if BATCH_GC_THRESHOLD is not None:
        gc.set_threshold(BATCH_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _years(specs: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for spec in specs:
        path, sep, year = spec.rpartition("=")
        if (
            not sep
            or not path
            or not (year.isascii() and year.isdigit() and len(year) == 4)
            or not (MIN_YEAR <= int(year) <= MAX_YEAR)
        ):
            raise UsageError(
                f"--year expects PATH=YYYY (the year of the return's 31 March, {MIN_YEAR} to "
                f"{MAX_YEAR}), got {spec!r}"
            )
        out[path] = int(year)
    return out


def _spool_wanted(args: argparse.Namespace) -> bool:
    """Whether standard input must be read twice (labels first): a row format with every label
    column, from JSON on standard input; not when the inputs are refused anyway."""
    return (
        args.command == "evaluate"
        and args.format in ROW_FORMATS
        and needs_label_keys(args.columns)
        and "-" in args.paths
        and args.input_format != "ssda903"
        and all(p == "-" or os.path.exists(p) for p in args.paths)
    )


@contextlib.contextmanager
def _spooled_stdin(wanted: bool) -> Iterator[IO[bytes] | None]:
    """Standard input copied to a temporary file (the default temporary directory), open for
    reading; the file is removed on the way out, whatever happens."""
    if not wanted:
        yield None
        return
    import shutil
    import tempfile

    try:
        fd, path = tempfile.mkstemp(prefix="lacplan-stdin-", suffix=".json")
    except OSError as exc:
        raise UsageError(
            f"cannot copy standard input to a temporary file: {exc.strerror}"
        ) from None
    try:
        try:
            with os.fdopen(fd, "wb") as copy:
                source = getattr(sys.stdin, "buffer", None)
                if source is not None:
                    shutil.copyfileobj(source, copy, 1 << 20)
                else:  # a text stream without bytes beneath (a test's StringIO)
                    for chunk in iter(lambda: sys.stdin.read(1 << 20), ""):
                        copy.write(chunk.encode("utf-8"))
        except OSError as exc:
            raise UsageError(
                f"cannot copy standard input to a temporary file: {exc.strerror}"
            ) from None
        with open(path, "rb") as spool:
            yield spool
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _read_inputs(
    args: argparse.Namespace, years: Mapping[str, int], spool: IO[bytes] | None
) -> Batch:
    """``args.paths`` as a batch; ``-`` is read from ``spool`` (standard input's copy) if any,
    under its own name (``<stdin>``)."""
    return read_inputs(args.paths, input_format=args.input_format, years=years, stdin=spool)


def evaluate_inputs(args: argparse.Namespace) -> int:
    """``lacplan evaluate`` and the audit commands over ``args.paths``."""
    years = _years(args.year)
    if getattr(args, "columns", None) is not None:
        select_columns(args.columns)  # an unknown column is refused before anything is read
    with batch_gc(), _spooled_stdin(_spool_wanted(args)) as spool:
        batch = _read_inputs(args, years, spool)
        copy = spool.name if spool is not None else None
        return run_evaluate(
            batch,
            args,
            lambda: scan_label_keys(args.paths, input_format=args.input_format, stdin=copy),
        )


def _with_progress(
    items: Iterator[Case | RecordError], out: TextIO, every: int = 500
) -> Iterator[Case | RecordError]:
    """Pass ``items`` through, counting records on ``out`` (a terminal) as they go by."""
    n = rejected = 0
    for item in items:
        n += 1
        rejected += isinstance(item, RecordError)
        if n % every == 0:
            out.write(f"\r{n:,} records read, {rejected:,} rejected")
            out.flush()
        yield item
    if n >= every:
        out.write(f"\r{n:,} records read, {rejected:,} rejected\n")
        out.flush()


def run_evaluate(batch: Batch, args: argparse.Namespace, label_keys: LabelKeys) -> int:
    """Evaluate ``batch`` and write what ``args`` asks for; the exit status."""
    items: Iterator[Case | RecordError] = iter(batch)
    if args.progress or (args.progress is None and sys.stderr.isatty()):
        items = _with_progress(items, sys.stderr)
    try:
        return _evaluate_to_output(batch, items, args, label_keys)
    finally:
        if getattr(args, "report_accounting", False):
            sys.stderr.write(batch.accounting.render())


class _Run:
    """What one evaluation run needs: the pack, conventions, calendar and ``as_of``."""

    __slots__ = ("as_of", "calendar", "conventions", "pack")

    def __init__(self, args: argparse.Namespace) -> None:
        self.conventions = Conventions(month_arithmetic=args.months)
        self.pack: RulePack = get_pack(args.rules, args.overlay)
        self.calendar = england_and_wales()
        self.as_of = args.as_of

    def children(
        self, items: Iterable[Case | RecordError], on_error: Callable[[RecordError], None]
    ) -> Iterator[ChildResult]:
        from lacplan.evaluate import iter_evaluate

        return iter_evaluate(
            items,
            as_of=self.as_of,
            pack=self.pack,
            conventions=self.conventions,
            calendar=self.calendar,
            on_error=on_error,
        )

    def report(self, batch: Batch | None = None, errors: Sequence[RecordError] = ()) -> Report:
        """A report of no children with this run's provenance (as :func:`lacplan.evaluate`
        gives it), the ``errors`` and the batch's accounting and file findings."""
        return Report(
            as_of=self.as_of,
            rules=self.pack.name,
            rules_version=self.pack.version,
            lacplan_version=__version__,
            conventions=self.conventions.as_dict(),
            calendar=self.calendar.source.as_dict(),
            children=(),
            errors=tuple(errors),
            rules_hash=self.pack.content_hash,
            accounting=batch.accounting.as_dict() if batch is not None else {},
            source_findings=tuple(Finding(f.code, f.field, f.message) for f in batch.findings)
            if batch is not None
            else (),
        )


def _evaluate_to_output(
    batch: Batch, items: Iterator[Case | RecordError], args: argparse.Namespace, keys: LabelKeys
) -> int:
    fmt = getattr(args, "format", None)
    if fmt in FILE_FORMATS and not args.output:
        raise UsageError(f"--format {fmt} writes a file: give -o FILE")
    if args.command in AUDIT_COMMANDS or fmt in (None, "table"):
        if getattr(args, "columns", None) is not None:
            raise UsageError(f"--columns applies to --format json, jsonl, {', '.join(ROW_FORMATS)}")
        return _report_output(batch, items, args)
    run = _Run(args)
    spec = args.columns
    if fmt in ROW_FORMATS:
        return _write_rows(run, batch, items, args, keys)
    fields = obligation_fields(select_columns(spec))
    pick = None if fields == list(OBLIGATION_FIELDS) else obligation_picker(fields)
    with output_stream(args.output) as out:
        if fmt == "jsonl":
            rejected = 0

            def on_error(err: RecordError) -> None:
                nonlocal rejected
                rejected += 1
                write_jsonl_error(err, out)
                write_error_line(err, sys.stderr)

            for child in run.children(items, on_error):
                write_jsonl_child(child, out, pick)
            write_jsonl_trailer(batch, out)
            return 1 if rejected else 0
        errors: list[RecordError] = []
        header = run.report().header()
        if pick is not None:
            header["catalogue"] = _catalogue(run.pack)
        doc = JsonDocument(out, header)
        for child in run.children(items, errors.append):
            doc.child(child_dict(child, pick))
        whole = run.report(batch, errors).to_dict()
        doc.close({k: v for k, v in whole.items() if k not in header and k != "children"})
    _report_rejections(errors)
    return 1 if errors else 0


def _catalogue(pack: RulePack) -> Any:
    """The pack's rule catalogue, as ``lacplan rules --format json`` prints it."""
    from lacplan.rules.catalogue import render_catalogue

    return json.loads(render_catalogue(pack, "json"))


def _write_rows(
    run: _Run,
    batch: Batch,
    items: Iterator[Case | RecordError],
    args: argparse.Namespace,
    keys: LabelKeys,
) -> int:
    """CSV, xlsx or Parquet written row by row as the children are evaluated."""
    with output_stream(args.output if args.format == "csv" else None) as out:
        labels = keys() if needs_label_keys(args.columns) else []
        if labels is None:
            raise UsageError("the label columns of standard input cannot be read ahead")
        columns = select_columns(args.columns, labels)
        errors: list[RecordError] = []
        rows_of = row_maker(
            columns, as_of=run.as_of, rules_version=run.pack.version, iso=args.format == "csv"
        )
        rows = (row for child in run.children(items, errors.append) for row in rows_of(child))
        if args.format == "csv":
            write_csv_values(rows, columns, out)
        else:
            _write_file(args, columns, rows, errors)
    if args.format == "csv":
        for f in batch.findings:
            sys.stderr.write(f"finding {f.code}: {f.message}\n")
    _report_rejections(errors)
    return 1 if errors else 0


def _write_file(
    args: argparse.Namespace,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    errors: Iterable[RecordError],
) -> None:
    """``--format parquet`` (the rows) or ``xlsx`` (the rows, then a sheet of the rejected
    records' problems, read after the rows: a stream fills ``errors`` as it goes)."""
    from lacplan.tabular import write_parquet_rows, write_xlsx

    if args.format == "parquet":
        write_parquet_rows(args.output, columns, rows)
        return
    problems = (
        {"file": e.file, "line": e.line, "child_id": e.child_id, **p.as_dict()}
        for e in errors
        for p in e.problems
    )
    error_columns = ["file", "line", "child_id", "field", "code", "message"]
    write_xlsx(args.output, {"obligations": (columns, rows), "errors": (error_columns, problems)})


def _report_output(
    batch: Batch, items: Iterator[Case | RecordError], args: argparse.Namespace
) -> int:
    """The outputs that need the whole report: ``table`` and the audit commands."""
    from lacplan.evaluate import evaluate

    run = _Run(args)
    to_stdout = args.command == "plot" or getattr(args, "format", None) in FILE_FORMATS
    cases: list[Case] = []
    if args.command == "plot" or getattr(args, "dfe", False):  # these read the cases too
        kept = list(items)
        cases = [c for c in kept if isinstance(c, Case)]
        items = iter(kept)
    with output_stream(None if to_stdout else args.output) as out:
        report = evaluate(
            _Rebatched(batch, items),
            as_of=run.as_of,
            rules=run.pack,
            conventions=run.conventions,
            calendar=run.calendar,
        )
        if args.command in AUDIT_COMMANDS or args.format is None:
            run_audit(report, args, out, cases)
            _report_rejections(report.errors)
        else:
            write_table(report, out, explain=args.explain)
    return 1 if report.errors else 0


def _report_rejections(errors: Sequence[RecordError]) -> None:
    if errors:
        sys.stderr.write(f"{count_of(len(errors), 'record', 'records')} rejected:\n")
        for err in errors:
            write_error_line(err, sys.stderr)


class _Rebatched(Batch):
    """``batch`` read through ``items`` (its progress counter), keeping its accounting."""

    __slots__ = ("_items", "_of")

    def __init__(self, of: Batch, items: Iterator[Case | RecordError]) -> None:
        super().__init__()
        self._of, self._items = of, items
        self.accounting = of.accounting
        self.findings = of.findings

    def __iter__(self) -> Iterator[Case | RecordError]:
        return self._items
