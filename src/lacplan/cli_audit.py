"""The audit subcommands of the ``lacplan`` command: ``summary``, ``upcoming`` and ``explain``.

Each reads cases exactly as ``lacplan evaluate`` does (the same inputs, rule and convention
options, and exit codes) and writes a view of the evaluated report: on-time rates per rule
(:func:`lacplan.measures.summary_rows`), the worklist (:func:`lacplan.measures.upcoming_rows`)
or the explanations of chosen obligations. ``cli.py`` parses, evaluates and opens the output;
this module only adds the parsers and writes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TextIO

from lacplan.errors import UsageError
from lacplan.escape import printable
from lacplan.measures import (
    CHILD_MEASURE_COLUMNS,
    UPCOMING_COLUMNS,
    child_measures,
    council_year,
    parse_period,
    summary_table,
    upcoming_rows,
    worklist_table,
)
from lacplan.model import Case
from lacplan.output_files import output_file
from lacplan.outputs import write_measure_csv
from lacplan.report import ChildResult, Report
from lacplan.rules import get_pack

__all__ = [
    "AUDIT_COMMANDS",
    "add_audit_commands",
    "add_excel_safe_option",
    "add_privacy_options",
    "run_audit",
]

AUDIT_COMMANDS = ("summary", "upcoming", "explain", "plot")
_ROW_FORMATS = ("table", "csv", "json", "xlsx")

_EXIT = (
    "Exit status: 0 when every record was evaluated, 1 when some were rejected (the rest are "
    "still counted), 2 for usage and output errors, 130 when interrupted (Ctrl-C)."
)


def add_audit_commands(
    sub: Any, add_input_options: Callable[..., None]
) -> None:  # sub: argparse's private _SubParsersAction
    """Add the ``summary``, ``upcoming`` and ``explain`` parsers to ``sub``."""
    fmt = argparse.RawDescriptionHelpFormatter
    sm = sub.add_parser(
        "summary",
        help="on-time rates per rule for a reporting period",
        formatter_class=fmt,
        description="Counts by status and the on-time rate per rule, for obligations due in "
        "the reporting period (default: the council year, 1 April to 31 March, containing "
        "--as-of). rate = on time / (on time + late + overdue + missed); pending, exempt, "
        "not-required and not-evaluated obligations are counted beside it.",
        epilog="example:\n  lacplan summary cases.jsonl --as-of 2024-03-31 --by label:team\n\n"
        + _EXIT,
    )
    add_input_options(sm)
    sm.add_argument(
        "--period", metavar="FROM..TO", help="reporting period, e.g. 2023-04-01..2024-03-31"
    )
    sm.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="rule|month|label:KEY",
        help="group by month of the due date or by a label (team, IRO); repeatable",
    )
    sm.add_argument(
        "--dfe",
        action="store_true",
        help="instead: the DfE's indicators for children looked after 12 months at the "
        "period's 31 March (health assessment, dental check, SDQ), beside lacplan's rates",
    )
    sm.add_argument(
        "--per-child",
        action="store_true",
        help="instead: per child, whether all reviews due in the period were on time",
    )
    sm.add_argument("--format", default="table", choices=_ROW_FORMATS)
    sm.add_argument("-o", "--output", help="write here instead of standard output")
    add_excel_safe_option(sm)
    add_privacy_options(sm)
    sm.add_argument(
        "--chart",
        metavar="FILE",
        help="also draw the on-time rates and days late per rule (.png or .svg; the plot extra)",
    )

    up = sub.add_parser(
        "upcoming",
        help="the worklist: what is overdue or falls due in the next N days",
        formatter_class=fmt,
        description="Every obligation overdue as at --as-of, or pending and due within --days "
        "days of it, most urgent first (most days overdue, then soonest due).",
        epilog="example:\n  lacplan upcoming cases.jsonl --as-of 2024-06-03 --days 14 "
        "--by label:team\n\n" + _EXIT,
    )
    add_input_options(up)
    up.add_argument("--days", type=int, default=14, help="how far ahead to look (default 14)")
    up.add_argument("--by", metavar="label:KEY", help="a worklist per label (team, IRO)")
    up.add_argument("--format", default="table", choices=_ROW_FORMATS)
    up.add_argument("-o", "--output", help="write here instead of standard output")
    add_excel_safe_option(up)
    add_privacy_options(up)

    pl = sub.add_parser(
        "plot",
        help="draw one child's timeline (.png or .svg; needs the plot extra)",
        formatter_class=fmt,
        description="Periods of care, placements, recorded events and every duty's due date "
        "coloured by status, with the as-of date and the 18th birthday (--child may be left "
        "out when the input holds one child).",
        epilog="example:\n  lacplan plot docs/examples/case.json --as-of 2021-03-01 -o child.png"
        "\n\n" + _EXIT,
    )
    add_input_options(pl)
    pl.add_argument("--child", metavar="ID", help="the child's id")
    pl.add_argument("-o", "--output", required=True, help="the image file (.png or .svg)")

    ex = sub.add_parser(
        "explain",
        help="how each due date was reached, for one child",
        formatter_class=fmt,
        description="Print the explanation of each obligation of one child (--child may be "
        "left out when the input holds one child), optionally of one rule and sequence.",
        epilog="example:\n  lacplan explain docs/examples/case.json --as-of 2021-03-01 "
        "--rule review-first\n\n" + _EXIT,
    )
    add_input_options(ex)
    ex.add_argument("--child", metavar="ID", help="the child's id")
    ex.add_argument("--rule", metavar="ID", help="only this rule")
    ex.add_argument("--sequence", type=int, metavar="N", help="only the N-th obligation")
    ex.add_argument("-o", "--output", help="write here instead of standard output")
    add_privacy_options(ex)


def add_excel_safe_option(sp: argparse.ArgumentParser) -> None:
    """``--excel-safe``: the CSV output's text cells that a spreadsheet would read as a formula
    get ``'`` in front (:func:`lacplan.escape.excel_safe`)."""
    sp.add_argument(
        "--excel-safe",
        action="store_true",
        help="csv: put ' before each text cell that starts with = + - @, a tab or a carriage "
        "return, so that a spreadsheet shows it as text, not a formula (xlsx is always safe)",
    )


def add_privacy_options(sp: argparse.ArgumentParser) -> None:
    """``--pseudonymise KEYFILE`` and ``--redact`` (:mod:`lacplan.privacy`; docs/privacy.md)."""
    sp.add_argument(
        "--pseudonymise",
        metavar="KEYFILE",
        help="replace each child id, in every output and message, by the first 20 hex digits of "
        "HMAC-SHA256(the key file's bytes, the id); the key file holds at least 32 bytes and is "
        "readable by its owner only (--child takes the id or its pseudonym)",
    )
    sp.add_argument(
        "--redact",
        action="store_true",
        help="withhold the dates derived from the date of birth (birthdays to 25, eligibility "
        "for leaving care): blank the anchor and hash the key of each obligation anchored on "
        "one, and take them out of explanations and findings",
    )


# ---------------------------------------------------------------------------- writers
def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.1%}"
    if isinstance(v, date):
        return v.isoformat()
    return printable(str(v))


def _plain(v: object) -> object:
    return v.isoformat() if isinstance(v, date) else v


def _write_rows(
    rows: list[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    out: TextIO,
    path: str | None = None,
    *,
    safe: bool = False,
) -> None:
    """``rows`` as ``fmt``: xlsx (to ``path``), JSON, CSV (``safe``: ``--excel-safe``) or a
    table (each cell :func:`~lacplan.escape.printable`'s)."""
    if fmt == "xlsx":
        from lacplan.tabular import write_xlsx

        if not path:
            raise UsageError("--format xlsx writes a file: give -o FILE")
        with output_file(path, binary=True) as fh:
            write_xlsx(fh, {"rows": (columns, rows)})
        return
    if fmt == "json":
        json.dump([{c: _plain(r.get(c)) for c in columns} for r in rows], out, indent=2)
        out.write("\n")
        return
    if fmt == "csv":
        write_measure_csv(rows, columns, out, safe=safe)
        return
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    names = [printable(c) for c in columns]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(names)]
    out.write("  ".join(c.ljust(w) for c, w in zip(names, widths, strict=True)).rstrip() + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _summary(
    report: Report, args: argparse.Namespace, out: TextIO, cases: Sequence[Case] = ()
) -> int:
    period = parse_period(args.period) if args.period else council_year(report.as_of)
    if getattr(args, "dfe", False):
        from lacplan.indicators import INDICATOR_COLUMNS, dfe_indicators

        # Without --period, the last complete year: the latest 31 March on or before as_of.
        last_march = date(council_year(report.as_of)[0].year, 3, 31)
        year_end = period[1] if args.period else last_march
        rows = dfe_indicators(cases, year_end=year_end, as_of=report.as_of, results=report.children)
        if args.format == "table":
            out.write(
                f"DfE indicators, children looked after for 12 months at "
                f"{year_end.isoformat()} (short breaks excluded), computed the DfE's way; "
                "lacplan's on-time figures for its nearest rule beside them.\n\n"
            )
        _write_rows(rows, INDICATOR_COLUMNS, args.format, out, args.output, safe=_safe(args))
        return 0
    if args.per_child:
        labels = [k[6:] for k in args.by if k.startswith("label:")]
        rows = child_measures(report.children, as_of=report.as_of, period=period, labels=labels)
        cols = [*(f"label_{k}" for k in labels), *CHILD_MEASURE_COLUMNS]
    else:
        cols, rows = summary_table(
            report.children,
            as_of=report.as_of,
            period=period,
            by=args.by,
            rule_order=get_pack(args.rules, args.overlay).ids,
        )
    if args.format == "table":
        out.write(
            f"Obligations due {period[0].isoformat()} to {period[1].isoformat()} "
            f"(as at {report.as_of.isoformat()}; "
            f"rules {printable(f'{report.rules} {report.rules_version}')}).\n"
            "rate = on_time / denominator, denominator = on_time + met_late + overdue + missed; "
            "the other columns are counted beside it.\n\n"
        )
    _write_rows(rows, cols, args.format, out, args.output, safe=_safe(args))
    if args.chart and not args.per_child:
        from lacplan.charts import summary_chart

        path = _image_path(args.chart)
        title = (
            f"On-time rates per rule, obligations due {period[0].isoformat()} to "
            f"{period[1].isoformat()} (as at {report.as_of.isoformat()})"
        )
        _save(summary_chart(rows, report.obligations, title=title), path)
    return 0


def _upcoming(report: Report, args: argparse.Namespace, out: TextIO) -> int:
    cols, rows = worklist_table(report.children, as_of=report.as_of, days=args.days, by=args.by)
    if args.format == "table":
        out.write(
            f"Overdue, or due by {date.fromordinal(report.as_of.toordinal() + args.days)} "
            f"({args.days} days after {report.as_of.isoformat()}): {len(rows)} obligations, "
            "most urgent first.\n\n"
        )
    _write_rows(rows, cols, args.format, out, args.output, safe=_safe(args))
    return 0


def _one_child(report: Report, child_id: str | None) -> ChildResult:
    children = report.children
    if child_id is None:
        if len(children) != 1:
            raise UsageError(f"the input holds {len(children)} children; say which with --child ID")
        return children[0]
    found = [c for c in children if c.child_id == child_id]
    if not found:
        raise UsageError("no child with that id in the input (check --child)")
    return found[0]


def _safe(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "excel_safe", False))


def _image_path(path: str) -> str:
    if not path.lower().endswith((".png", ".svg")):
        raise UsageError(f"the image file must end .png or .svg, got {printable(path)}")
    return path


def _save(fig: Any, path: str) -> None:
    """Draw ``fig`` to ``path`` (.png or .svg), as every output is written (a temporary file
    renamed into place: :func:`lacplan.output_files.output_file`)."""
    with output_file(path, binary=True) as fh:
        fig.savefig(fh, format=path.rsplit(".", 1)[-1].lower(), dpi=110)


def _plot(report: Report, args: argparse.Namespace, cases: Sequence[Case]) -> int:
    from lacplan.charts import child_timeline

    path = _image_path(args.output)
    child = _one_child(report, args.child)
    case = next(c for c in cases if c.child_id == child.child_id)
    _save(child_timeline(case, child, as_of=report.as_of), path)
    return 0


def _explain(report: Report, args: argparse.Namespace, out: TextIO) -> int:
    child = _one_child(report, args.child)
    obs = [
        o
        for o in child.obligations
        if (args.rule is None or o.rule == args.rule)
        and (args.sequence is None or o.sequence == args.sequence)
    ]
    if not obs:
        raise UsageError("no obligation of that child matches --rule / --sequence")
    for o in obs:
        where = f"period {o.period_id}" + (
            f", placement {o.placement_id}" if o.placement_id else ""
        )
        head = f"{o.rule} #{o.sequence} ({where}): {o.status}"
        out.write(printable(head + (f" ({o.reason})" if o.reason else "")) + "\n")
        out.write(f"  {printable(o.explanation)}\n")
    return 0


def _overview(report: Report, args: argparse.Namespace, out: TextIO) -> int:
    """``lacplan demo`` without ``--format``: the summary, the top of the worklist, next steps."""
    out.write(
        f"lacplan demo: a synthetic cohort of {len(report.children)} invented children "
        f"(lacplan synth), evaluated as at {report.as_of.isoformat()}.\n\n"
    )
    _summary(
        report,
        argparse.Namespace(
            **{
                **vars(args),
                "period": None,
                "by": [],
                "per_child": False,
                "format": "table",
                "chart": None,
            }
        ),
        out,
    )
    rows = upcoming_rows(report.children, as_of=report.as_of, days=14)
    first = "; the first 10" if len(rows) > 10 else ""
    out.write(
        f"\nThe worklist (overdue, or due in the next 14 days): {len(rows)} obligations{first}:\n\n"
    )
    _write_rows(rows[:10], UPCOMING_COLUMNS, "table", out)
    example = printable(rows[0]["child_id"] if rows else report.children[0].child_id)
    out.write(
        "\nNext: lacplan demo --format table (six hand-written cases, every obligation); "
        f'lacplan explain "$(lacplan demo --cases)" --as-of {report.as_of.isoformat()} '
        f"--child {example} (how each date was reached); lacplan summary ... --by label:team, "
        "lacplan upcoming ..., lacplan plot ... --child ID -o child.png; docs/measures.md "
        "explains the figures.\n"
    )
    return 0


def run_audit(
    report: Report, args: argparse.Namespace, out: TextIO, cases: Sequence[Case] = ()
) -> int:
    """Write the view ``args.command`` asks for; returns 0 (the caller adds rejections).
    ``cases`` are the evaluated cases (``plot`` draws from them)."""
    if args.command == "demo":
        return _overview(report, args, out)
    if args.command == "plot":
        return _plot(report, args, cases)
    if args.command == "summary":
        return _summary(report, args, out, cases)
    run = {"summary": _summary, "upcoming": _upcoming, "explain": _explain}[args.command]
    return run(report, args, out)
