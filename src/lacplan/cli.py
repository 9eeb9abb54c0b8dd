"""The ``lacplan`` command line.

    lacplan demo [--as-of D] [--format ...]         evaluate the bundled synthetic cases
    lacplan summary PATH... --as-of D [--period FROM..TO] [--by rule|month|label:KEY]...
    lacplan upcoming PATH... --as-of D [--days 14] [--by label:KEY]
    lacplan explain PATH... --as-of D [--child ID] [--rule ID] [--sequence N]
    lacplan compare PATH... --as-of D [--due-dates FILE.csv] [--format table|csv|json|xlsx]
                     [-o FILE]                   stored due dates beside lacplan's (parity)
    lacplan evaluate PATH... --as-of D [--rules england[+ifa]] [--overlay FILE]...
                     [--format json|jsonl|csv|table|xlsx|parquet] [-o FILE]
                     [--columns all|compact|A,B,...] [--jobs N]
                     [--input-format json|ssda903|auto] [--year PATH=YYYY]... [--report-accounting]
                     [--pseudonymise KEYFILE] [--redact]
    lacplan rules [--rules R] [--overlay FILE]... [--as-of D] [--format table|json|markdown|toml]
    lacplan rules --overlay FILE --check              validate a rule file, evaluate nothing
    lacplan synth N [--seed S] [-o FILE]             a synthetic cohort (JSON Lines)
    lacplan schema                                   JSON Schema of the case format
    lacplan calendar add|between|explain|check ...   the working-day calendar
    lacplan serve [--host 127.0.0.1] [--port 8000] [--workers N] ...   answer over HTTP
    lacplan web build DIR | lacplan web serve DIR [--port 8123]   the in-browser app

Exit status: 0 when every record was evaluated, 1 when some records were rejected (the rest are
still evaluated and written), 2 for usage errors (bad options, unreadable files) and output errors
(an output that cannot be written, or that names an input), 130 when interrupted (Ctrl-C). Bad
input never produces a traceback; messages name records by file, line, id and field only.

The evaluating commands' outputs are written by :mod:`lacplan.cli_evaluate`; every output goes
through :mod:`lacplan.output_files` (a file named by ``-o`` is written whole or not at all, and
never over an input: exit 2), and every line for a terminal (the table, standard error) through
:func:`lacplan.escape.printable`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from importlib.resources import files
from typing import TYPE_CHECKING, NoReturn, TextIO

from lacplan._build import version_text
from lacplan._version import __version__
from lacplan.adapters import INPUT_FORMATS, Batch
from lacplan.adapters.json import load_cases
from lacplan.calendar import england_and_wales, fmt_date
from lacplan.cli_audit import (
    AUDIT_COMMANDS,
    add_audit_commands,
    add_excel_safe_option,
    add_privacy_options,
)
from lacplan.cli_compare import add_compare_command, run_compare
from lacplan.cli_evaluate import evaluate_inputs, run_evaluate
from lacplan.cli_serve import add_serve_command, run_serve
from lacplan.cli_web import add_web_command, run_web
from lacplan.columns import COLUMN_PRESETS
from lacplan.cpus import SMALL_INPUT_BYTES
from lacplan.errors import LacplanError, RuleSetError, UsageError
from lacplan.escape import printable, printable_lines
from lacplan.model import Case, RecordError, case_json_schema
from lacplan.output_files import STDOUT, OutputError, flush_stdout, output_stream, refuse_inputs
from lacplan.outputs import FORMATS, count_of
from lacplan.rules import PACK_NAMES, get_pack
from lacplan.rules.catalogue import render_catalogue

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["DEMO_AS_OF", "main"]

#: The date the bundled demo is evaluated at unless ``--as-of`` is given (no clock is read).
DEMO_AS_OF = date(2024, 6, 3)


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose error line is :func:`printable`'s (an argument may hold
    anything); its subcommands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        """Help and version on standard output fail as any output does (argparse ignores a
        write error); the rest goes to standard error as argparse sends it."""
        if message and (file is None or file is sys.stdout):
            with output_stream(None) as out:
                out.write(message)
            return
        super()._print_message(message, file)


def _window_years(text: str) -> int | None:
    if text == "all":
        return None
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError("expected a number of years from 1 to 100, or all")
    return int(text)


#: The dates an option may name (as the HTTP service's): beyond them date arithmetic overflows.
_FIRST_DATE, _LAST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def _iso_date(text: str) -> date:
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
    if not _FIRST_DATE <= d <= _LAST_DATE:
        raise argparse.ArgumentTypeError(
            f"expected a date from {_FIRST_DATE.isoformat()} to {_LAST_DATE.isoformat()}, "
            f"got {text!r}"
        )
    return d


def _job_count(text: str) -> int:
    """``--jobs``: a whole number, at least 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of processes, 1 or more, got {text!r}"
        )
    return n


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
        help="case file, - for standard input, or (SSDA903, SSD) a file or directory",
    )
    sp.add_argument("--as-of", type=_iso_date, required=True, help="evaluate as at YYYY-MM-DD")
    sp.add_argument(
        "--input-format",
        default="json",
        choices=INPUT_FORMATS,
        help="json (default: a case, an array of cases or JSON Lines), ssda903 (the DfE return "
        "as CSV, XML or xlsx files or directories), ssd (Standard Safeguarding Dataset tables "
        "as CSV or Parquet files or directories) or auto (recognise each file)",
    )
    sp.add_argument(
        "--extract-date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="SSD: the day the extract was taken, the data's last day (default: the latest "
        "date recorded in it)",
    )
    sp.add_argument(
        "--window-years",
        type=_window_years,
        default=6,
        metavar="N",
        help="SSD: how many years back the extract reaches (default 6, the SSD scripts'; "
        "'all' if it holds every child's whole history)",
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
    "still evaluated and written), 2 for usage and output errors, 130 when interrupted (Ctrl-C)."
)


def _parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    p = _Parser(
        prog="lacplan",
        description="Statutory clocks for looked-after children in England.",
    )
    p.add_argument("--version", action="version", version=version_text(__version__))
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
        add_excel_safe_option(sp)
        sp.add_argument(
            "--columns",
            metavar="A,B,...",
            help=f"the fields of each obligation or row: {' or '.join(COLUMN_PRESETS)} "
            "(default all; compact leaves out the title, citation, explanation... that the "
            "rule catalogue gives), or a list in order (e.g. key,rule,due,status)",
        )

    ev = sub.add_parser(
        "evaluate",
        help="evaluate case files (JSON, JSON Lines) or SSDA903 return files",
        formatter_class=raw,
        description="Compute every statutory clock for the cases in PATH as at --as-of: "
        "each obligation's due date, status and explanation.",
        epilog="examples:\n  lacplan evaluate docs/examples/case.json --as-of 2021-03-01 "
        "--format table\n  lacplan evaluate returns/2023 returns/2024 --input-format ssda903 "
        "--as-of 2024-03-31 --format csv -o out.csv\n  lacplan evaluate cohort.jsonl --as-of "
        "2024-06-03 --format jsonl -o out.jsonl --jobs 4\n\n" + EXIT_EVALUATE,
    )
    add_input_options(ev)
    add_eval_options(ev, default_format="json")
    ev.add_argument(
        "--jobs",
        type=_job_count,
        metavar="N",
        help="evaluate in N processes; the output is the same, in input order, for every N "
        "(default: the CPUs this process may use, by its CPU affinity and cgroup CPU quota, "
        f"whichever is fewer; 1 for standard input or inputs under "
        f"{SMALL_INPUT_BYTES // 2**20} MiB)",
    )
    add_privacy_options(ev)
    add_audit_commands(sub, add_input_options)
    add_compare_command(sub, add_input_options)
    add_serve_command(sub)
    add_web_command(sub)

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


#: The demo's bundled inputs: six hand-written cases (``--format``), and a synthetic cohort
#: (the overview), ``lacplan synth 300 --seed 2024 --as-of 2024-06-03`` (a test keeps it so).
DEMO_CASES = "data/demo_cases.jsonl"
DEMO_COHORT = "data/demo_cohort.jsonl"
DEMO_COHORT_SPEC = (300, 2024)  # (children, seed), as at DEMO_AS_OF


def _demo_items(name: str) -> Iterator[Case | RecordError]:
    resource = files("lacplan").joinpath(name)
    with resource.open("r", encoding="utf-8") as fh:
        yield from load_cases(fh, name=name.rsplit("/", 1)[-1])


def _demo_label_keys(name: str) -> list[str]:
    """The label keys of the bundled cases (a first pass over them: they are few)."""
    return sorted({k for c in _demo_items(name) if isinstance(c, Case) for k in c.labels})


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    if args.check:
        try:
            pack = get_pack(args.rules, args.overlay)
        except RuleSetError as exc:
            sys.stderr.write(f"lacplan: invalid rule file: {printable(str(exc))}\n")
            return 1
        for layer in pack.layers:
            n = sum(pack.layer(r.id) is layer for r in pack.rules)
            what = count_of(n, "declaration", "declarations")
            out.write(printable(f"{layer.name} {layer.version} ({layer.source}): {what}") + "\n")
        out.write(printable(f"ok: {pack.name}, content hash {pack.content_hash}") + "\n")
        return 0
    pack = get_pack(args.rules, args.overlay)
    if args.format == "toml":
        from lacplan.rules.files import dump_rule_file

        out.write(dump_rule_file(pack))
        return 0
    text = render_catalogue(pack, args.format, on=args.as_of)
    out.write(text if args.format == "json" else printable_lines(text))
    return 0


def _calendar(args: argparse.Namespace, out: TextIO) -> int:
    cal = england_and_wales()
    if args.calendar_command == "check":
        name = cal.holiday_name(args.date)
        verdict = (
            "a working day"
            if cal.is_working_day(args.date)
            else (f"not a working day ({name})" if name else "not a working day (weekend)")
        )
        out.write(f"{fmt_date(args.date)} is {verdict}\n")
    elif args.calendar_command == "between":
        out.write(f"{cal.working_days_between(args.a, args.b)}\n")
    elif args.calendar_command == "add":
        out.write(cal.add_working_days(args.date, args.n).isoformat() + "\n")
    else:
        step = cal.explain(args.date, args.n)
        out.write(
            f"{fmt_date(step.result)}: {args.n} working days after {fmt_date(args.date)}, "
            f"{step.describe()}\n"
        )
    return 0


def _check_outputs(args: argparse.Namespace) -> None:
    """Before anything is opened: an output that is an input (or inside an input directory)
    is refused, and so is ``--excel-safe`` without CSV or xlsx."""
    if getattr(args, "excel_safe", False) and getattr(args, "format", None) not in ("csv", "xlsx"):
        raise UsageError("--excel-safe applies to --format csv (xlsx cells are always safe)")
    outputs = [getattr(args, "output", None), getattr(args, "chart", None)]
    inputs = [*getattr(args, "paths", ()), *getattr(args, "overlay", ())]
    if getattr(args, "pseudonymise", None) is not None:  # never write over the key file
        inputs.append(args.pseudonymise)
    if args.command == "demo":
        inputs.append(str(files("lacplan").joinpath(_demo_name(args))))
    refuse_inputs(outputs, inputs)


def _demo_name(args: argparse.Namespace) -> str:
    return DEMO_CASES if args.format is not None else DEMO_COHORT


def _command(args: argparse.Namespace) -> int:
    """Run the command ``args`` asks for; the exit status."""
    if args.command == "compare":
        return run_compare(args)
    if args.command == "serve":
        return run_serve(args)
    if args.command == "web":
        return run_web(args)
    if args.command == "evaluate" or args.command in AUDIT_COMMANDS:
        return evaluate_inputs(args)
    if args.command == "demo":
        name = _demo_name(args)
        if args.cases:
            with output_stream(None) as out:
                out.write(printable(str(files("lacplan").joinpath(name))) + "\n")
            return 0
        return run_evaluate(Batch([_demo_items(name)]), args, lambda: _demo_label_keys(name))
    if args.command == "synth":
        from lacplan.synth import write_cohort

        with output_stream(args.output) as out:
            write_cohort(out, args.n, seed=args.seed, as_of=args.as_of)
        return 0
    with output_stream(None) as out:
        if args.command == "rules":
            return _rules(args, out)
        if args.command == "schema":
            out.write(json.dumps(case_json_schema(), indent=2) + "\n")
            return 0
        return _calendar(args, out)


def _settle_stdout() -> None:
    """After an error or an interrupt: flush what standard output holds, if it can be."""
    with contextlib.suppress(OutputError):
        flush_stdout()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (the console script exits with it)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except OutputError as exc:  # --help, --version: standard output cannot be written
        parser.exit(2, f"lacplan: error: {exc}\n")
    try:
        _check_outputs(args)
        status = _command(args)
        flush_stdout()
        return status
    except LacplanError as exc:
        _settle_stdout()
        parser.exit(2, f"lacplan: error: {printable(str(exc))}\n")
    except BrokenPipeError as exc:  # standard output written to unguarded (a library's print)
        _settle_stdout()
        sys.stderr.write(f"lacplan: error: {OutputError(STDOUT, exc)}\n")
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the workers, if any, are stopped on the way here
        _settle_stdout()
        sys.stderr.write("lacplan: interrupted\n")
        return 130
    return 0  # pragma: no cover - parser.exit raises


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
