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

``--jobs N`` evaluates in ``N`` processes (:mod:`lacplan.parallel`; default
:func:`lacplan.cpus.default_jobs`): every format is produced through a serialiser
(:mod:`lacplan.serialisers`) applied to each child in input order, in this process for one job
and in the workers for more, so the bytes are the same for every ``N``. JSON Lines files then
go to the workers unparsed. The workers are stopped whenever the run ends early (an error,
Ctrl-C, a closed pipe).

``--pseudonymise KEYFILE`` and ``--redact`` (:mod:`lacplan.privacy`) build one ``Privacy``
before anything is read (a bad key file is exit 2); the evaluation applies it to each result and
rejected record, here or in the workers, so every format and standard error see only what it
leaves.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Final, TextIO, TypeVar, cast

from lacplan import collector
from lacplan._version import __version__
from lacplan.adapters import Batch, read_inputs, scan_label_keys
from lacplan.adapters.ssda903.build import MAX_YEAR, MIN_YEAR
from lacplan.calendar import england_and_wales
from lacplan.cli_audit import AUDIT_COMMANDS, run_audit
from lacplan.columns import (
    needs_label_keys,
    obligation_fields,
    obligation_picker,
    row_maker,
    select_columns,
)
from lacplan.cpus import default_jobs
from lacplan.errors import UsageError
from lacplan.escape import printable, printable_lines
from lacplan.model import Case, Finding, RecordError
from lacplan.output_files import output_file, output_stream
from lacplan.outputs import (
    FILE_FORMATS,
    JsonDocument,
    count_of,
    write_csv_values,
    write_error_line,
    write_json_child,
    write_jsonl_child,
    write_jsonl_error,
    write_jsonl_trailer,
    write_table,
)
from lacplan.report import OBLIGATION_FIELDS, ChildResult, Report
from lacplan.rules import Conventions, RulePack, get_pack
from lacplan.serialisers import CsvText, Made, RowsOf, TextOf, keep

if TYPE_CHECKING:
    from lacplan.parallel import Item
    from lacplan.privacy import Privacy

__all__ = ["ROW_FORMATS", "batch_gc", "evaluate_inputs", "run_evaluate"]

T = TypeVar("T")
S = TypeVar("S")

#: Formats with one row per obligation (and ``label_<name>`` columns).
ROW_FORMATS: Final[tuple[str, ...]] = ("csv", *FILE_FORMATS)

#: The garbage collector's generation-0 threshold during a batch run (``None``: leave it):
#: :data:`lacplan.collector.BATCH_GC_THRESHOLD`, which says why.
BATCH_GC_THRESHOLD: int | None = collector.BATCH_GC_THRESHOLD

LabelKeys = Callable[[], list[str] | None]
"""Gives the label keys of the input (``None``: they cannot be known without holding it)."""


def batch_gc() -> contextlib.AbstractContextManager[None]:
    """Raise the garbage collector's generation-0 threshold to :data:`BATCH_GC_THRESHOLD` for a
    batch run, and put the thresholds back as they were afterwards
    (:func:`lacplan.collector.raised_threshold`)."""
    return collector.raised_threshold(BATCH_GC_THRESHOLD)


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
        and args.input_format in ("json", "auto")
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
    return read_inputs(
        args.paths, input_format=args.input_format, years=years, stdin=spool, **ssd_options(args)
    )


def ssd_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--extract-date`` and ``--window-years`` as :func:`read_inputs` takes them."""
    return {
        "extract_date": getattr(args, "extract_date", None),
        "window_years": getattr(args, "window_years", 6),
    }


def _jobs_of(args: argparse.Namespace) -> int:
    """The processes to evaluate with: ``--jobs`` if given, else :func:`default_jobs` (1 for
    standard input or small inputs, else the CPUs this process may use); 1 for the commands
    without ``--jobs`` (the audit commands)."""
    if args.command != "evaluate":
        return 1
    jobs: int | None = getattr(args, "jobs", None)
    return jobs if jobs is not None else default_jobs(args.paths, stdin="-" in args.paths)


def _privacy_of(args: argparse.Namespace) -> Privacy | None:
    """The :class:`~lacplan.privacy.Privacy` of ``--pseudonymise`` and ``--redact`` (``None``
    without either, or for a command without them)."""
    key_file: str | None = getattr(args, "pseudonymise", None)
    redact = bool(getattr(args, "redact", False))
    if key_file is None and not redact:
        return None
    from lacplan.privacy import Privacy

    return Privacy.from_options(key_file, redact)


def evaluate_inputs(args: argparse.Namespace) -> int:
    """``lacplan evaluate`` and the audit commands over ``args.paths``."""
    years = _years(args.year)
    if getattr(args, "columns", None) is not None:
        select_columns(args.columns)  # an unknown column is refused before anything is read
    privacy = _privacy_of(args)  # a bad key file is refused before anything is read
    jobs = _jobs_of(args)
    with batch_gc(), _spooled_stdin(_spool_wanted(args)) as spool:
        items: Iterator[Item] | None = None
        if jobs > 1:
            from lacplan.parallel import read_raw_inputs

            items, batch = read_raw_inputs(
                args.paths,
                input_format=args.input_format,
                years=years,
                stdin=spool,
                **ssd_options(args),
            )
        else:
            batch = _read_inputs(args, years, spool)
        copy = spool.name if spool is not None else None
        return run_evaluate(
            batch,
            args,
            lambda: scan_label_keys(args.paths, input_format=args.input_format, stdin=copy),
            items=items,
            jobs=jobs,
            privacy=privacy,
        )


def _progress_wanted(args: argparse.Namespace) -> bool:
    return bool(args.progress or (args.progress is None and sys.stderr.isatty()))


def _with_progress(items: Iterable[T], out: TextIO, every: int = 500) -> Iterator[T]:
    """Pass ``items`` through, counting records (and the rejected ones, ``RecordError``) on
    ``out`` (a terminal) as they go by."""
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


def run_evaluate(
    batch: Batch,
    args: argparse.Namespace,
    label_keys: LabelKeys,
    *,
    items: Iterator[Item] | None = None,
    jobs: int = 1,
    privacy: Privacy | None = None,
) -> int:
    """Evaluate ``batch`` (read through ``items`` if given: :func:`read_raw_inputs`'s) in
    ``jobs`` processes, applying ``privacy`` if given, and write what ``args`` asks for; the
    exit status."""
    stream: Iterator[Item] = iter(batch) if items is None else items
    if jobs == 1 and _progress_wanted(args):  # (with workers, their results are counted)
        stream = _with_progress(stream, sys.stderr)
    try:
        return _evaluate_to_output(batch, stream, args, label_keys, jobs, privacy)
    finally:
        if getattr(args, "report_accounting", False):
            sys.stderr.write(printable_lines(batch.accounting.render()))


class _Run:
    """What one evaluation run needs: the pack, conventions, calendar, ``as_of``, how many
    processes (``jobs``) with or without a progress count of their results, and the
    ``privacy`` applied to each result (``None``: none)."""

    __slots__ = ("as_of", "calendar", "conventions", "jobs", "pack", "privacy", "progress")

    def __init__(
        self, args: argparse.Namespace, jobs: int = 1, privacy: Privacy | None = None
    ) -> None:
        self.conventions = Conventions(month_arithmetic=args.months)
        self.pack: RulePack = get_pack(args.rules, args.overlay)
        self.calendar = england_and_wales()
        self.as_of = args.as_of
        self.jobs = jobs
        self.progress = jobs > 1 and _progress_wanted(args)
        self.privacy = privacy

    def children(
        self, items: Iterable[Item], on_error: Callable[[RecordError], None]
    ) -> Iterator[ChildResult]:
        """The children of ``items`` evaluated here, one at a time (one job)."""
        from lacplan.evaluate import iter_evaluate

        return iter_evaluate(
            _read(items),
            as_of=self.as_of,
            pack=self.pack,
            conventions=self.conventions,
            calendar=self.calendar,
            on_error=on_error,
            privacy=self.privacy,
        )

    @contextlib.contextmanager
    def serialised(
        self,
        items: Iterable[Item],
        serialise: Callable[[ChildResult], S],
        on_error: Callable[[RecordError], None],
    ) -> Iterator[Iterator[S]]:
        """``serialise(child)`` for each child of ``items``, in input order, each rejected
        record given to ``on_error`` in its place: here for one job, else by the workers of
        :func:`lacplan.parallel.evaluate_serialised` (``serialise`` then pickles for the start
        methods that do not fork). The workers are stopped and joined on the way out, whatever
        happens (an error, Ctrl-C, a closed pipe)."""
        if self.jobs == 1:
            yield (serialise(child) for child in self.children(items, on_error))
            return
        from lacplan.parallel import evaluate_serialised

        outputs = evaluate_serialised(
            items,
            as_of=self.as_of,
            serialise=serialise,
            rules=self.pack,
            conventions=self.conventions,
            calendar=None,  # england_and_wales(), which each worker has (self.calendar is it)
            jobs=self.jobs,
            privacy=self.privacy,
        )
        with contextlib.closing(outputs):
            counted = _with_progress(outputs, sys.stderr) if self.progress else outputs
            yield _errors_aside(counted, on_error)

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


def _read(items: Iterable[Item]) -> Iterator[Case | RecordError]:
    """``items`` as one job has them: read by ``read_inputs`` (cases and rejected records, no
    unparsed lines, which only :func:`read_raw_inputs` gives, for workers)."""
    return iter(cast("Iterable[Case | RecordError]", items))


def _errors_aside(
    outputs: Iterable[S | RecordError], on_error: Callable[[RecordError], None]
) -> Iterator[S]:
    for output in outputs:
        if isinstance(output, RecordError):
            on_error(output)
        else:
            yield output


def _evaluate_to_output(
    batch: Batch,
    items: Iterator[Item],
    args: argparse.Namespace,
    keys: LabelKeys,
    jobs: int,
    privacy: Privacy | None,
) -> int:
    fmt = getattr(args, "format", None)
    if fmt in FILE_FORMATS and not args.output:
        raise UsageError(f"--format {fmt} writes a file: give -o FILE")
    if args.command in AUDIT_COMMANDS or fmt in (None, "table"):
        if getattr(args, "columns", None) is not None:
            raise UsageError(f"--columns applies to --format json, jsonl, {', '.join(ROW_FORMATS)}")
        return _report_output(batch, items, args, _Run(args, jobs, privacy))
    run = _Run(args, jobs, privacy)
    spec = args.columns
    if fmt in ROW_FORMATS:
        return _write_rows(run, batch, items, args, keys)
    fields = obligation_fields(select_columns(spec))
    pick = None if fields == list(OBLIGATION_FIELDS) else Made(obligation_picker, fields)
    with output_stream(args.output) as out:
        if fmt == "jsonl":
            rejected = 0

            def on_error(err: RecordError) -> None:
                nonlocal rejected
                rejected += 1
                write_jsonl_error(err, out)
                write_error_line(err, sys.stderr)

            with run.serialised(items, TextOf(write_jsonl_child, pick), on_error) as lines:
                for line in lines:
                    out.write(line)
            write_jsonl_trailer(batch, out)
            return 1 if rejected else 0
        errors: list[RecordError] = []
        header = run.report().header()
        if pick is not None:
            header["catalogue"] = _catalogue(run.pack)
        doc = JsonDocument(out, header)
        with run.serialised(items, TextOf(write_json_child, pick), errors.append) as texts:
            for text in texts:
                doc.child_text(text)
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
    items: Iterator[Item],
    args: argparse.Namespace,
    keys: LabelKeys,
) -> int:
    """CSV, xlsx or Parquet written row by row as the children are evaluated."""
    as_csv = args.format == "csv"
    opened = output_stream(args.output) if as_csv else output_file(args.output, binary=True)
    with opened as out:
        labels = keys() if needs_label_keys(args.columns) else []
        if labels is None:
            raise UsageError("the label columns of standard input cannot be read ahead")
        columns = select_columns(args.columns, labels)
        errors: list[RecordError] = []
        rows_of = Made(
            row_maker,
            columns,
            as_of=run.as_of,
            rules_version=run.pack.version,
            iso=as_csv,
            excel_safe=as_csv and bool(getattr(args, "excel_safe", False)),
        )
        if as_csv:
            with run.serialised(items, CsvText(rows_of), errors.append) as texts:
                _write_csv_texts(texts, columns, cast("TextIO", out))
        else:
            with run.serialised(items, RowsOf(rows_of), errors.append) as lists:
                flat = (row for rows in lists for row in rows)
                _write_file(args.format, cast("IO[bytes]", out), columns, flat, errors)
    if as_csv:
        for f in batch.findings:
            sys.stderr.write(printable(f"finding {f.code}: {f.message}") + "\n")
    _report_rejections(errors)
    return 1 if errors else 0


def _write_csv_texts(texts: Iterable[str], columns: Sequence[str], out: TextIO) -> None:
    """Each child's CSV rows (:class:`CsvText`), after the header; as
    :func:`write_csv_values`, the header waits for the first row (or the end)."""
    header = False
    for text in texts:
        if text and not header:
            write_csv_values((), columns, out)
            header = True
        out.write(text)
    if not header:
        write_csv_values((), columns, out)


def _write_file(
    fmt: str,
    target: IO[bytes],
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    errors: Iterable[RecordError],
) -> None:
    """``--format parquet`` (the rows) or ``xlsx`` (the rows, then a sheet of the rejected
    records' problems, read after the rows: a stream fills ``errors`` as it goes) to
    ``target``."""
    from lacplan.tabular import obligation_sheets, write_parquet_rows, write_xlsx

    if fmt == "parquet":
        write_parquet_rows(target, columns, rows)
        return
    write_xlsx(target, obligation_sheets(columns, rows, errors))


def _report_output(batch: Batch, items: Iterator[Item], args: argparse.Namespace, run: _Run) -> int:
    """The outputs that need the whole report: ``table`` and the audit commands (which read
    with one job: ``plot`` and ``--dfe`` keep the cases)."""
    from lacplan.evaluate import evaluate, report_of

    to_stdout = args.command == "plot" or getattr(args, "format", None) in FILE_FORMATS
    cases: list[Case] = []
    if args.command == "plot" or getattr(args, "dfe", False):  # these read the cases too
        kept = list(items)
        cases = [c for c in kept if isinstance(c, Case)]
        items = iter(kept)
    with output_stream(None if to_stdout else args.output) as out:
        if run.jobs > 1:
            errors: list[RecordError] = []
            with run.serialised(items, keep, errors.append) as results:
                children = list(results)
            report = report_of(
                batch, run.as_of, run.pack, run.conventions, run.calendar, children, errors
            )
        else:
            report = evaluate(
                _Rebatched(batch, _read(items)),
                as_of=run.as_of,
                rules=run.pack,
                conventions=run.conventions,
                calendar=run.calendar,
                privacy=run.privacy,
            )
        if args.command in AUDIT_COMMANDS or args.format is None:
            run_audit(report, _child_named(args, report, run.privacy), out, cases)
            _report_rejections(report.errors)
        else:
            write_table(report, out, explain=args.explain)
    return 1 if report.errors else 0


def _child_named(
    args: argparse.Namespace, report: Report, privacy: Privacy | None
) -> argparse.Namespace:
    """``args`` with ``--child`` as the report names the child: with ``--pseudonymise``, the
    pseudonym of the id given, unless no child has it (the pseudonym itself was given)."""
    child: str | None = getattr(args, "child", None)
    if child is None or privacy is None or not privacy.pseudonymise:
        return args
    alias = privacy.pseudonym(child)
    if all(c.child_id != alias for c in report.children):
        return args
    return argparse.Namespace(**{**vars(args), "child": alias})


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
