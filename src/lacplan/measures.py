"""Measures over evaluated children: on-time rates per rule (optionally by month or by a label),
per-child measures, and the worklist of what is overdue or falls due soon.

Everything here is plain Python over :class:`~lacplan.report.ChildResult` objects and returns
lists of dicts, so it runs where pandas is absent; ``Report.summary()`` and
``Report.upcoming()`` wrap the same rows in DataFrames. The definitions (``docs/measures.md``):

* an obligation counts for a reporting period when its **due date** falls in it (both ends
  included); one with no fixed due date counts in ``no_fixed_due`` when its anchor does, and
  nowhere else;
* **rate** = on time / (on time + met late + overdue + missed), the denominator written out;
  ``pending``, ``exempt``, ``not_required`` and ``not_evaluated`` are counted beside it, never
  in it; the rate is ``None`` when the denominator is 0;
* the default reporting period is the council year (1 April to 31 March) containing ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, Final

from lacplan.errors import UsageError
from lacplan.report import ChildResult, Obligation

__all__ = [
    "CHILD_MEASURE_COLUMNS",
    "SUMMARY_COLUMNS",
    "UPCOMING_COLUMNS",
    "child_measures",
    "council_year",
    "group_columns",
    "parse_period",
    "summary_rows",
    "summary_table",
    "upcoming_rows",
    "worklist_table",
]

#: The measure columns of a summary row, after its group columns (a contract).
SUMMARY_COLUMNS: Final[tuple[str, ...]] = (
    "source",
    "rule",
    "on_time",
    "met_late",
    "overdue",
    "missed",
    "denominator",
    "rate",
    "pending",
    "exempt",
    "not_required",
    "not_evaluated",
    "no_fixed_due",
)
#: Columns of a worklist row, after its label columns.
UPCOMING_COLUMNS: Final[tuple[str, ...]] = (
    "child_id",
    "source",
    "rule",
    "due",
    "status",
    "days_overdue",
    "period_id",
    "placement_id",
    "key",
)
#: Columns of a per-child measure row, after its label columns.
CHILD_MEASURE_COLUMNS: Final[tuple[str, ...]] = (
    "child_id",
    "measure",
    "due_in_period",
    "on_time",
    "not_on_time",
    "pending",
    "not_judged",
    "all_on_time",
)

_COLUMN_OF: Final[dict[str, str]] = {
    "met_on_time": "on_time",
    "met_late": "met_late",
    "overdue": "overdue",
    "missed": "missed",
    "pending": "pending",
    "exempt": "exempt",
    "not_required": "not_required",
    "not_evaluated": "not_evaluated",
}
_IN_RATE: Final = ("on_time", "met_late", "overdue", "missed")
_SOURCE_ORDER: Final = {"statutory": 0, "agency": 1, "local": 2}

#: The review rules, for per-child review measures.
REVIEW_RULES: Final[tuple[str, ...]] = ("review-first", "review-second", "review-subsequent")


def council_year(on: date) -> tuple[date, date]:
    """The council (and SSDA903 collection) year, 1 April to 31 March, containing ``on``."""
    start = date(on.year if on.month >= 4 else on.year - 1, 4, 1)
    return start, date(start.year + 1, 3, 31)


def parse_period(text: str) -> tuple[date, date]:
    """``"2023-04-01..2024-03-31"`` -> the two dates (both included)."""
    first, sep, last = text.partition("..")
    try:
        if not sep:
            raise ValueError
        lo, hi = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise UsageError(
            f"a period is written FROM..TO with ISO dates (2023-04-01..2024-03-31), got {text!r}"
        ) from None
    if hi < lo:
        raise UsageError(f"the period {text!r} ends before it starts")
    return lo, hi


def _groups(by: str | Sequence[str]) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by)
    for k in keys:
        if k not in ("rule", "month") and not (k.startswith("label:") and len(k) > 6):
            raise UsageError(f"--by expects rule, month or label:KEY, got {k!r}")
    return [k for k in keys if k != "rule"]


def _group_column(key: str) -> str:
    return "month" if key == "month" else f"label_{key[6:]}"


def group_columns(by: str | Sequence[str]) -> list[str]:
    """The group columns a summary ``by`` these keys starts with (``month``, ``label_<KEY>``;
    ``rule`` adds none)."""
    return [_group_column(k) for k in _groups(by)]


def _group_value(key: str, child: ChildResult, when: date) -> str:
    if key == "month":
        return when.strftime("%Y-%m")
    return child.labels.get(key[6:], "")


def _rule_rank(order: Sequence[str] | None) -> dict[str, int]:
    return {r: i for i, r in enumerate(order or ())}


def summary_rows(
    children: Iterable[ChildResult],
    *,
    as_of: date,
    period: tuple[date, date] | None = None,
    by: str | Sequence[str] = "rule",
    rule_order: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """One row per group and rule: the group columns (``month``, ``label_<KEY>``), then
    :data:`SUMMARY_COLUMNS`. Statutory and overlay results are kept apart (``source``).

    ``by`` is ``"rule"`` (the default), ``"month"`` (of the due date) or ``"label:KEY"``, or a
    list of them. Rules are ordered by ``rule_order`` (a pack's ids) where given, else by id.
    """
    lo, hi = period or council_year(as_of)
    keys = _groups(by)
    table: dict[tuple[Any, ...], dict[str, Any]] = {}
    for child in children:
        for o in child.obligations:
            when = o.due if o.due is not None else o.anchor
            if when is None or not (lo <= when <= hi):
                continue
            group = tuple(_group_value(k, child, when) for k in keys)
            row = table.get((*group, o.source, o.rule))
            if row is None:
                row = {_group_column(k): v for k, v in zip(keys, group, strict=True)}
                row.update({c: 0 for c in SUMMARY_COLUMNS})
                row["source"], row["rule"] = o.source, o.rule
                table[(*group, o.source, o.rule)] = row
            if o.due is None:
                row["no_fixed_due"] += 1
            else:
                row[_COLUMN_OF[o.status]] += 1
    rank = _rule_rank(rule_order)
    out = []
    for key in sorted(
        table,
        key=lambda k: (
            k[:-2],
            _SOURCE_ORDER.get(k[-2], 9),
            rank.get(k[-1], len(rank)),
            k[-1],
        ),
    ):
        row = table[key]
        row["denominator"] = sum(row[c] for c in _IN_RATE)
        row["rate"] = round(row["on_time"] / row["denominator"], 4) if row["denominator"] else None
        out.append(row)
    return out


def child_measures(
    children: Iterable[ChildResult],
    *,
    as_of: date,
    period: tuple[date, date] | None = None,
    rules: Sequence[str] = REVIEW_RULES,
    measure: str = "reviews",
    labels: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Per child: of ``rules``' obligations due in the period, how many were on time, and
    whether all were (``all_on_time``: ``None`` when none was judged: all pending or not
    evaluated). Children with none due in the period are left out."""
    lo, hi = period or council_year(as_of)
    wanted = set(rules)
    out: list[dict[str, Any]] = []
    for child in children:
        due = [
            o
            for o in child.obligations
            if o.rule in wanted and o.due is not None and lo <= o.due <= hi
        ]
        if not due:
            continue
        on_time = sum(o.status == "met_on_time" for o in due)
        not_on_time = sum(o.status in ("met_late", "overdue", "missed") for o in due)
        pending = sum(o.status == "pending" for o in due)
        row: dict[str, Any] = {f"label_{k}": child.labels.get(k, "") for k in labels}
        row.update(
            child_id=child.child_id,
            measure=measure,
            due_in_period=len(due),
            on_time=on_time,
            not_on_time=not_on_time,
            pending=pending,
            not_judged=len(due) - on_time - not_on_time - pending,
            all_on_time=None if on_time + not_on_time == 0 else not_on_time == 0,
        )
        out.append(row)
    out.sort(key=lambda r: r["child_id"])
    return out


def _urgency(o: Obligation, as_of: date) -> tuple[int, int, date]:
    assert o.due is not None
    if o.status == "overdue":
        return (0, -(as_of - o.due).days, o.due)
    return (1, 0, o.due)


def upcoming_rows(
    children: Iterable[ChildResult],
    *,
    as_of: date,
    days: int = 14,
    by: str | None = None,
) -> list[dict[str, Any]]:
    """What is overdue, or pending and due within ``days`` days after ``as_of``: most urgent
    first (most days overdue, then soonest due), then by child and rule. ``by="label:KEY"``
    puts a ``label_<KEY>`` column first and sorts by it first (a worklist per team or IRO)."""
    if days < 0:
        raise UsageError("--days must be 0 or more")
    if by is not None:
        _groups(by)
        if not by.startswith("label:"):
            raise UsageError(f"the worklist is cut by label:KEY, got {by!r}")
    horizon = as_of + timedelta(days=days)
    picked: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for child in children:
        for o in child.obligations:
            if o.due is None:
                continue
            if not (o.status == "overdue" or (o.status == "pending" and o.due <= horizon)):
                continue
            row: dict[str, Any] = {}
            label = ""
            if by is not None:
                label = child.labels.get(by[6:], "")
                row[f"label_{by[6:]}"] = label
            row.update(
                child_id=child.child_id,
                source=o.source,
                rule=o.rule,
                due=o.due,
                status=o.status,
                days_overdue=(as_of - o.due).days if o.status == "overdue" else None,
                period_id=o.period_id,
                placement_id=o.placement_id,
                key=o.key,
            )
            picked.append(((label, *_urgency(o, as_of), child.child_id, o.rule, o.key), row))
    picked.sort(key=lambda t: t[0])
    return [row for _, row in picked]


def summary_table(
    children: Iterable[ChildResult],
    *,
    as_of: date,
    period: tuple[date, date],
    by: str | Sequence[str],
    rule_order: Sequence[str],
) -> tuple[list[str], list[dict[str, Any]]]:
    """``lacplan summary``'s columns and rows: :func:`summary_rows` per ``by`` (``"rule"``
    when empty), the group columns first."""
    groups = by or "rule"
    rows = summary_rows(children, as_of=as_of, period=period, by=groups, rule_order=rule_order)
    return [*group_columns(groups), *SUMMARY_COLUMNS], rows


def worklist_table(
    children: Iterable[ChildResult], *, as_of: date, days: int, by: str | None
) -> tuple[list[str], list[dict[str, Any]]]:
    """``lacplan upcoming``'s columns and rows: :func:`upcoming_rows`, the ``label_<KEY>``
    column first when cut ``by`` a label."""
    rows = upcoming_rows(children, as_of=as_of, days=days, by=by)
    return [*(group_columns(by) if by else []), *UPCOMING_COLUMNS], rows
