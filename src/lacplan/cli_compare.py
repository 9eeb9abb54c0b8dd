"""``lacplan compare``: the parity report of a case system's stored due dates (``docs/parity.md``).

The inputs are read and evaluated exactly as ``lacplan evaluate`` reads them (the same paths,
``--input-format``, ``--year``, rule and convention options); the stored due dates come from
``--due-dates FILE.csv`` or, without it, from the source itself (the SSD's review due dates,
``Batch.stored_due_dates``). The comparison (:func:`lacplan.compare.compare_report`) is written
as a table, CSV, JSON or xlsx through :mod:`lacplan.output_files`, terminal text through
:func:`lacplan.escape.printable`.

Exit status: 0 when the run completes, differences or not; 1 when some records were rejected
(the rest are still compared); 2 for usage errors (no stored due dates, an unreadable
``--due-dates`` file, bad options) and output errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from typing import Any

from lacplan.adapters import Batch, read_inputs
from lacplan.calendar import england_and_wales
from lacplan.cli_audit import add_excel_safe_option
from lacplan.cli_evaluate import _progress_wanted, _with_progress, _years, batch_gc, ssd_options
from lacplan.compare import Comparison, PeriodSpan, compare_report, read_stored
from lacplan.compare.render import COMPARE_FORMATS, write_csv, write_json, write_table, write_xlsx
from lacplan.compare.stored import stored_source
from lacplan.errors import UsageError
from lacplan.escape import printable_lines
from lacplan.evaluate import evaluate
from lacplan.model import Case, RecordError
from lacplan.output_files import output_file, output_stream, refuse_inputs
from lacplan.outputs import count_of, write_error_line
from lacplan.rules import Conventions, get_pack

__all__ = ["add_compare_command", "run_compare"]

_EXIT = (
    "Exit status: 0 when the run completes, differences or not; 1 when some records were "
    "rejected (the rest are still compared); 2 for usage errors (no stored due dates: give "
    "--due-dates, or a source that carries them) and output errors; 130 when interrupted."
)


def add_compare_command(
    sub: Any, add_input_options: Callable[..., None]
) -> None:  # sub: argparse's private _SubParsersAction
    """Add the ``compare`` parser to ``sub``."""
    cp = sub.add_parser(
        "compare",
        help="parity report: a case system's stored due dates beside lacplan's",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Join the due dates a case system stored (--due-dates, or the SSD reviews' "
        "own) with lacplan's, by child, period, rule and sequence, and classify every "
        "difference: agree, day_count_91_183, anchor_day_counted, holiday_as_working_day, "
        "working_day_as_holiday, chain_from_due, no_stored_date, no_lacplan_date, other (and "
        "unmatched rows). Differences are facts to investigate: nothing is mended.",
        epilog="examples:\n  lacplan compare docs/examples/parity/cases.json --as-of 2023-03-31 "
        "--due-dates docs/examples/parity/due-dates.csv\n  lacplan compare extract/ "
        "--input-format ssd --as-of 2024-03-31 --format csv -o drift.csv\n\n" + _EXIT,
    )
    add_input_options(cp)
    cp.add_argument(
        "--due-dates",
        metavar="FILE.csv",
        help="the stored due dates: a CSV of child_id, rule, due, with optional sequence "
        "(default 1), period_id, period_start, anchor, placement_id (default: the due dates "
        "the source carries, such as the SSD's reviews)",
    )
    cp.add_argument("--format", default="table", choices=COMPARE_FORMATS, help="default table")
    cp.add_argument("-o", "--output", help="write here instead of standard output")
    add_excel_safe_option(cp)


class _Recorded(Batch):
    """``batch`` read through, keeping each case's period spans (to place stored rows) and,
    afterwards, the batch's accounting, findings and stored due dates."""

    __slots__ = ("_of", "_progress", "spans")

    def __init__(self, of: Batch, progress: bool) -> None:
        super().__init__()
        self._of, self._progress = of, progress
        self.spans: dict[str, list[PeriodSpan]] = {}

    def __iter__(self) -> Iterator[Case | RecordError]:
        items: Iterator[Case | RecordError] = iter(self._of)
        if self._progress:
            items = _with_progress(items, sys.stderr)
        for item in items:
            if isinstance(item, Case) and item.child_id not in self.spans:
                self.spans[item.child_id] = [
                    PeriodSpan(p.period_id, p.start, p.end) for p in item.periods
                ]
            yield item
        self.accounting = self._of.accounting
        self.findings = self._of.findings
        self.stored_due_dates = self._of.stored_due_dates


def _write(comparison: Comparison, args: argparse.Namespace) -> None:
    if args.format == "xlsx":
        with output_file(args.output, binary=True) as fh:
            write_xlsx(comparison, fh)
        return
    with output_stream(args.output) as out:
        if args.format == "csv":
            write_csv(comparison, out, safe=bool(args.excel_safe))
        elif args.format == "json":
            write_json(comparison, out)
        else:
            write_table(comparison, out)


def run_compare(args: argparse.Namespace) -> int:
    """``lacplan compare``: read, evaluate, compare and write; the exit status."""
    if args.format == "xlsx" and not args.output:
        raise UsageError("--format xlsx writes a file: give -o FILE")
    if args.due_dates is None and args.input_format == "json":
        raise UsageError(
            "no stored due dates to compare: JSON cases carry none; give --due-dates FILE.csv"
        )
    if args.due_dates is not None:
        refuse_inputs([args.output], [args.due_dates])
    stored: Any = read_stored(args.due_dates) if args.due_dates is not None else None
    years = _years(args.year)
    pack = get_pack(args.rules, args.overlay)
    conventions = Conventions(month_arithmetic=args.months)
    with batch_gc():
        batch = read_inputs(
            args.paths, input_format=args.input_format, years=years, **ssd_options(args)
        )
        recorded = _Recorded(batch, _progress_wanted(args))
        try:
            report = evaluate(
                recorded,
                as_of=args.as_of,
                rules=pack,
                conventions=conventions,
                calendar=england_and_wales(),
            )
        finally:
            if args.report_accounting:
                sys.stderr.write(printable_lines(batch.accounting.render()))
    if stored is None:
        stored = recorded.stored_due_dates
        if not stored:
            raise UsageError(
                "no stored due dates to compare: the inputs carry none (the SSD's reviews do); "
                "give --due-dates FILE.csv"
            )
    compared = compare_report(report, stored, cases=recorded.spans, rules=pack)
    source = stored_source(args.due_dates) if args.due_dates else _source_name(args.paths)
    comparison = Comparison(compared.rows, source, compared.header)
    _write(comparison, args)
    if report.errors:
        sys.stderr.write(f"{count_of(len(report.errors), 'record', 'records')} rejected:\n")
        for err in report.errors:
            write_error_line(err, sys.stderr)
        return 1
    return 0


def _source_name(paths: list[str]) -> str:
    """How the table names stored dates read from the inputs themselves."""
    return "the inputs (" + ", ".join(paths) + ")"
