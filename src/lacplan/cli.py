"""The ``lacplan`` command line.

    lacplan demo [--as-of D] [--format ...]         evaluate the bundled synthetic cases
    lacplan summary PATH... --as-of D [--period FROM..TO] [--by rule|month|label:KEY]...
    lacplan upcoming PATH... --as-of D [--days 14] [--by label:KEY]
    lacplan explain PATH... --as-of D [--child ID] [--rule ID] [--sequence N]
    lacplan evaluate PATH... --as-of D [--rules england[+ifa]] [--overlay FILE]...
                     [--format json|jsonl|csv|table] [-o FILE]
                     [--input-format json|ssda903|auto] [--year PATH=YYYY]... [--report-accounting]
    lacplan rules [--rules R] [--overlay FILE]... [--as-of D] [--format table|json|markdown|toml]
    lacplan rules --overlay FILE --check              validate a rule file, evaluate nothing
    lacplan synth N [--seed S] [-o FILE]             a synthetic cohort (JSON Lines)
    lacplan schema                                   JSON Schema of the case format
    lacplan calendar add|between|explain|check ...   the working-day calendar

Exit status: 0 when every record was evaluated, 1 when some records were rejected (the rest are
still evaluated and written), 2 for usage errors (bad options, unreadable files). Bad input never
produces a traceback; messages name records by file, line, id and field only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from importlib.resources import files
from typing import Any, TextIO

from lacplan._version import __version__
from lacplan.adapters import INPUT_FORMATS, Batch, read_inputs, scan_label_keys
from lacplan.adapters.json import load_cases
from lacplan.adapters.ssda903.build import MAX_YEAR, MIN_YEAR
from lacplan.calendar import england_and_wales, fmt_date
from lacplan.cli_audit import AUDIT_COMMANDS, add_audit_commands, run_audit
from lacplan.errors import LacplanError, RuleSetError
from lacplan.model import Case, RecordError, case_json_schema
from lacplan.outputs import (
    FILE_FORMATS,
    FORMATS,
    count_of,
    csv_columns,
    write_csv,
    write_csv_rows,
    write_error_line,
    write_json,
    write_jsonl_child,
    write_jsonl_error,
    write_jsonl_trailer,
    write_table,
)
from lacplan.report import Report, child_rows
from lacplan.rules import PACK_NAMES, Conventions, RulePack, get_pack
from lacplan.rules.catalogue import render_catalogue

__all__ = ["DEMO_AS_OF", "main"]

#: The date the bundled demo is evaluated at unless ``--as-of`` is given (no clock is read).
DEMO_AS_OF = date(2024, 6, 3)


class _Usage(Exception):
    """A usage error: message to stderr, exit status 2."""


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _add_rules_options(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--rules",
        default="england",
        metavar="PACK",
        help=f"rule pack: {' or '.join(PACK_NAMES)} (default england; overlays after '+')",
    )
    sp.add_argument(
        "--overlay",
        action="append",
        default=[],
        metavar="FILE",
        help="a rule file (TOML) stacked on the pack; repeatable",
    )


def add_evaluation_options(sp: argparse.ArgumentParser) -> None:
    """The rule and convention options of every command that evaluates cases."""
    _add_rules_options(sp)
    sp.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="count records on standard error as they are read (default: when it is a terminal)",
    )
    sp.add_argument(
        "--months",
        choices=("calendar", "fixed_days"),
        default="calendar",
        help="month arithmetic convention (default calendar months; fixed_days = 91/183/365)",
    )


def add_input_options(sp: argparse.ArgumentParser, *, many: bool = True) -> None:
    """The inputs, ``--as-of`` and the evaluation options of every command that reads cases."""
    sp.add_argument(
        "paths",
        nargs="+" if many else 1,
        metavar="PATH",
        help="case file, - for standard input, or (SSDA903) a file or directory",
    )
    sp.add_argument("--as-of", type=_iso_date, required=True, help="evaluate as at YYYY-MM-DD")
    sp.add_argument(
        "--input-format",
        default="json",
        choices=INPUT_FORMATS,
        help="json (default: a case, an array of cases or JSON Lines), ssda903 (the DfE return "
        "as CSV, XML or xlsx files or directories) or auto (recognise each file)",
    )
    sp.add_argument(
        "--year",
        action="append",
        default=[],
        metavar="PATH=YYYY",
        help="SSDA903: the collection year (the year of its 31 March) of a file or directory, "
        "instead of the year read from its dates; repeatable",
    )
    sp.add_argument(
        "--report-accounting",
        action="store_true",
        help="print the rows read per table (used, ignored, rejected) to standard error",
    )
    add_evaluation_options(sp)


EXIT_EVALUATE = (
    "Exit status: 0 when every record was evaluated, 1 when some were rejected (the rest are "
    "still evaluated and written), 2 for usage errors."
)


def _parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="lacplan",
        description="Statutory clocks for looked-after children in England.",
    )
    p.add_argument("--version", action="version", version=f"lacplan {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_eval_options(sp: argparse.ArgumentParser, *, default_format: str) -> None:
        sp.add_argument(
            "--format",
            default=None if default_format == "overview" else default_format,
            choices=FORMATS,
            help="default: the summary and the top of the worklist"
            if default_format == "overview"
            else f"default {default_format}",
        )
        sp.add_argument("-o", "--output", help="write here instead of standard output")
        sp.add_argument(
            "--explain", action="store_true", help="table format: print each explanation"
        )
        sp.add_argument(
            "--columns",
            metavar="A,B,...",
            help="csv format: the columns to write, in order (e.g. key,rule,due,status; "
            "default all)",
        )

    ev = sub.add_parser(
        "evaluate",
        help="evaluate case files (JSON, JSON Lines) or SSDA903 return files",
        formatter_class=raw,
        description="Compute every statutory clock for the cases in PATH as at --as-of: "
        "each obligation's due date, status and explanation.",
        epilog="examples:\n  lacplan evaluate docs/examples/case.json --as-of 2021-03-01 "
        "--format table\n  lacplan evaluate returns/2023 returns/2024 --input-format ssda903 "
        "--as-of 2024-03-31 --format csv -o out.csv\n\n" + EXIT_EVALUATE,
    )
    add_input_options(ev)
    add_eval_options(ev, default_format="json")
    add_audit_commands(sub, add_input_options)

    demo = sub.add_parser(
        "demo",
        help="evaluate the bundled synthetic sample cases",
        formatter_class=raw,
        description="Without --format: a synthetic cohort of 300 invented children, its "
        "summary and the top of its worklist. With --format: six hand-written cases, every "
        "obligation.",
        epilog="examples:\n  lacplan demo\n  lacplan demo --format table --explain\n\n"
        + EXIT_EVALUATE,
    )
    demo.add_argument(
        "--as-of", type=_iso_date, default=DEMO_AS_OF, help=f"default {DEMO_AS_OF.isoformat()}"
    )
    add_evaluation_options(demo)
    add_eval_options(demo, default_format="overview")
    demo.add_argument(
        "--cases",
        action="store_true",
        help="print the path of the bundled cases file and stop (with --format: the six "
        "hand-written cases; without: the synthetic cohort of 300)",
    )

    rules = sub.add_parser(
        "rules",
        help="print the rule catalogue, or check a rule file",
        formatter_class=raw,
        description="The rules of a pack (and overlays): id, version, dates in force, "
        "citation and its verification status (P, S, UNVERIFIED).",
        epilog="examples:\n  lacplan rules --as-of 2024-03-31\n  lacplan rules --overlay "
        "my-council.toml --check\n\nExit status: 0; 1 when --check finds an invalid file; 2 "
        "for usage errors.",
    )
    rules.add_argument("--as-of", type=_iso_date, help="only the versions in force on this date")
    _add_rules_options(rules)
    rules.add_argument(
        "--format",
        default="table",
        choices=("table", "json", "markdown", "toml"),
        help="toml: the pack (its top layer) as a rule file",
    )
    rules.add_argument(
        "--check",
        action="store_true",
        help="validate the --overlay files (or the pack) and say what they declare; exit 1 if a "
        "file is invalid",
    )

    sub.add_parser(
        "schema",
        help="print the JSON Schema of the case format",
        formatter_class=raw,
        description="The JSON Schema (draft 2020-12) of one case, as docs/case-format.md "
        "describes it.",
        epilog="example:\n  lacplan schema > case.schema.json\n\nExit status: 0.",
    )

    syn = sub.add_parser(
        "synth",
        help="generate a synthetic cohort of invented children (JSON Lines)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A realistic, deterministic cohort in the case format: the same N, seed "
        "and as-of date give the same file. No real data (docs/synth.md).",
        epilog="example:\n  lacplan synth 500 --seed 7 -o cohort.jsonl\n  lacplan summary "
        "cohort.jsonl --as-of 2024-06-03\n\nExit status: 0, or 2 for usage errors.",
    )
    syn.add_argument("n", type=int, help="how many children")
    syn.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    syn.add_argument(
        "--as-of", type=_iso_date, default=DEMO_AS_OF, help=f"default {DEMO_AS_OF.isoformat()}"
    )
    syn.add_argument("-o", "--output", help="write here instead of standard output")

    cal = sub.add_parser(
        "calendar",
        help="England & Wales working-day arithmetic",
        formatter_class=raw,
        description="Working days skip weekends and England & Wales bank holidays.",
        epilog="examples:\n  lacplan calendar add 2020-12-18 20\n  lacplan calendar explain "
        "2020-12-18 20\n  lacplan calendar check 2022-09-19\n\nExit status: 0, or 2 for "
        "usage errors.",
    )
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")
    add = cal_sub.add_parser("add", help="the N-th working day after DATE")
    add.add_argument("date", type=_iso_date)
    add.add_argument("n", type=int)
    exp = cal_sub.add_parser("explain", help="like add, naming the non-working days skipped")
    exp.add_argument("date", type=_iso_date)
    exp.add_argument("n", type=int)
    bet = cal_sub.add_parser("between", help="working days in (A, B]")
    bet.add_argument("a", type=_iso_date)
    bet.add_argument("b", type=_iso_date)
    chk = cal_sub.add_parser("check", help="is DATE a working day?")
    chk.add_argument("date", type=_iso_date)
    return p


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise _Usage(f"cannot write {path}: {exc.strerror}") from None
    with fh:
        yield fh


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
            raise _Usage(
                f"--year expects PATH=YYYY (the year of the return's 31 March, {MIN_YEAR} to "
                f"{MAX_YEAR}), got {spec!r}"
            )
        out[path] = int(year)
    return out


def _sources(args: argparse.Namespace) -> Batch:
    return read_inputs(args.paths, input_format=args.input_format, years=_years(args.year))


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


def _run_evaluate(batch: Batch, args: argparse.Namespace) -> int:
    items: Iterator[Case | RecordError] = iter(batch)
    if args.progress or (args.progress is None and sys.stderr.isatty()):
        items = _with_progress(items, sys.stderr)
    try:
        return _evaluate_to_output(batch, items, args)
    finally:
        if getattr(args, "report_accounting", False):
            sys.stderr.write(batch.accounting.render())


def _evaluate_to_output(
    batch: Batch, items: Iterator[Case | RecordError], args: argparse.Namespace
) -> int:
    from lacplan.evaluate import evaluate, iter_evaluate

    conventions = Conventions(month_arithmetic=args.months)
    pack = get_pack(args.rules, args.overlay)
    rejected = 0
    file_format = getattr(args, "format", None) in FILE_FORMATS
    if file_format and not args.output:
        raise _Usage(f"--format {args.format} writes a file: give -o FILE")
    to_stdout = args.command == "plot" or file_format
    with _output(None if to_stdout else args.output) as out:
        if getattr(args, "format", None) == "jsonl":
            cal = england_and_wales()

            def on_error(err: RecordError) -> None:
                nonlocal rejected
                rejected += 1
                write_jsonl_error(err, out)
                write_error_line(err, sys.stderr)

            for child in iter_evaluate(
                items,
                as_of=args.as_of,
                pack=pack,
                conventions=conventions,
                calendar=cal,
                on_error=on_error,
            ):
                write_jsonl_child(child, out)
            write_jsonl_trailer(batch, out)
            return 1 if rejected else 0
        if args.command == "evaluate" and args.format in (*FILE_FORMATS, "csv"):
            keys = scan_label_keys(args.paths, input_format=args.input_format)
            if keys is not None:
                return _stream_rows(items, batch, args, pack, conventions, keys, out)
        cases: list[Case] = []
        if args.command == "plot" or getattr(args, "dfe", False):  # these read the cases too
            kept = list(items)
            cases = [c for c in kept if isinstance(c, Case)]
            items = iter(kept)
        report = evaluate(
            _Rebatched(batch, items), as_of=args.as_of, rules=pack, conventions=conventions
        )
        if args.command in AUDIT_COMMANDS or args.format is None:
            run_audit(report, args, out, cases)
            _report_rejections(report)
            return 1 if report.errors else 0
        if args.format in FILE_FORMATS and args.command not in AUDIT_COMMANDS:
            from lacplan.tabular import report_columns

            _write_file(args, report_columns(report), report.rows(), report.errors)
            _report_rejections(report)
            return 1 if report.errors else 0
        if args.format == "json":
            write_json(report, out)
        elif args.format == "csv":
            chosen = [c.strip() for c in args.columns.split(",")] if args.columns else None
            write_csv(report, out, chosen)
        else:
            write_table(report, out, explain=args.explain)
        if args.format == "csv":
            for f in report.source_findings:
                sys.stderr.write(f"finding {f.code}: {f.message}\n")
        if args.format != "table":
            _report_rejections(report)
        return 1 if report.errors else 0


def _stream_rows(
    items: Iterator[Case | RecordError],
    batch: Batch,
    args: argparse.Namespace,
    pack: RulePack,
    conventions: Conventions,
    label_keys: list[str],
    out: TextIO,
) -> int:
    """CSV, xlsx or Parquet written child by child as they are evaluated (flat memory)."""
    from lacplan.evaluate import iter_evaluate

    chosen = [c.strip() for c in args.columns.split(",")] if args.columns else None
    columns = csv_columns(None, chosen, label_keys=label_keys)
    errors: list[RecordError] = []
    children = iter_evaluate(
        items, as_of=args.as_of, pack=pack, conventions=conventions, on_error=errors.append
    )
    rows = (row for child in children for row in child_rows(child, args.as_of, pack.version))
    if args.format == "csv":
        write_csv_rows(rows, columns, out)
    else:
        _write_file(args, columns, rows, errors)
    if args.format == "csv":
        for f in batch.findings:
            sys.stderr.write(f"finding {f.code}: {f.message}\n")
    if errors:
        sys.stderr.write(f"{count_of(len(errors), 'record', 'records')} rejected:\n")
        for err in errors:
            write_error_line(err, sys.stderr)
    return 1 if errors else 0


def _write_file(
    args: argparse.Namespace,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
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


def _report_rejections(report: Report) -> None:
    if report.errors:
        rejected_text = count_of(len(report.errors), "record", "records")
        sys.stderr.write(f"{rejected_text} rejected:\n")
        for err in report.errors:
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


#: The demo's bundled inputs: six hand-written cases (``--format``), and a synthetic cohort
#: (the overview), ``lacplan synth 300 --seed 2024 --as-of 2024-06-03`` (a test keeps it so).
DEMO_CASES = "data/demo_cases.jsonl"
DEMO_COHORT = "data/demo_cohort.jsonl"
DEMO_COHORT_SPEC = (300, 2024)  # (children, seed), as at DEMO_AS_OF


def _demo_items(name: str) -> Iterator[Case | RecordError]:
    resource = files("lacplan").joinpath(name)
    with resource.open("r", encoding="utf-8") as fh:
        yield from load_cases(fh, name=name.rsplit("/", 1)[-1])


def _rules(args: argparse.Namespace) -> int:
    if args.check:
        try:
            pack = get_pack(args.rules, args.overlay)
        except RuleSetError as exc:
            sys.stderr.write(f"lacplan: invalid rule file: {exc}\n")
            return 1
        for layer in pack.layers:
            n = sum(pack.layer(r.id) is layer for r in pack.rules)
            what = count_of(n, "declaration", "declarations")
            print(f"{layer.name} {layer.version} ({layer.source}): {what}")
        print(f"ok: {pack.name}, content hash {pack.content_hash}")
        return 0
    pack = get_pack(args.rules, args.overlay)
    if args.format == "toml":
        from lacplan.rules.files import dump_rule_file

        print(dump_rule_file(pack), end="")
        return 0
    print(render_catalogue(pack, args.format, on=args.as_of), end="")
    return 0


def _calendar(args: argparse.Namespace) -> int:
    cal = england_and_wales()
    if args.calendar_command == "check":
        name = cal.holiday_name(args.date)
        verdict = (
            "a working day"
            if cal.is_working_day(args.date)
            else (f"not a working day ({name})" if name else "not a working day (weekend)")
        )
        print(f"{fmt_date(args.date)} is {verdict}")
    elif args.calendar_command == "between":
        print(cal.working_days_between(args.a, args.b))
    elif args.calendar_command == "add":
        print(cal.add_working_days(args.date, args.n).isoformat())
    else:
        step = cal.explain(args.date, args.n)
        print(
            f"{fmt_date(step.result)}: {args.n} working days after {fmt_date(args.date)}, "
            f"{step.describe()}"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (the console script exits with it)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "evaluate" or args.command in AUDIT_COMMANDS:
            return _run_evaluate(_sources(args), args)
        if args.command == "demo":
            name = DEMO_CASES if args.format is not None else DEMO_COHORT
            if args.cases:
                print(files("lacplan").joinpath(name))
                return 0
            return _run_evaluate(Batch([_demo_items(name)]), args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "synth":
            from lacplan.synth import write_cohort

            with _output(args.output) as out:
                write_cohort(out, args.n, seed=args.seed, as_of=args.as_of)
            return 0
        if args.command == "schema":
            print(json.dumps(case_json_schema(), indent=2))
            return 0
        return _calendar(args)
    except _Usage as exc:
        parser.exit(2, f"lacplan: error: {exc}\n")
    except LacplanError as exc:
        parser.exit(2, f"lacplan: error: {exc}\n")
    except BrokenPipeError:  # e.g. `lacplan demo | head`
        return 0
    return 0  # pragma: no cover - parser.exit raises


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
