"""Charts (matplotlib, the ``plot`` extra): one child's timeline and a cohort's on-time rates.

Both functions return a :class:`matplotlib.figure.Figure` built without pyplot (no global
figure state, no display needed); save it with ``fig.savefig("x.png")`` or ``.svg``. The CLI's
``lacplan plot`` and ``lacplan summary --chart`` call them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

from lacplan.calendar import birthday
from lacplan.errors import UsageError
from lacplan.model import Case
from lacplan.report import ChildResult, Obligation

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["STATUS_COLOURS", "child_timeline", "summary_chart"]

#: One colour per status (colour-blind-safe Okabe-Ito hues where it matters).
STATUS_COLOURS: Final[dict[str, str]] = {
    "overdue": "#D55E00",
    "missed": "#8B0000",
    "met_late": "#E69F00",
    "pending": "#0072B2",
    "met_on_time": "#009E73",
    "exempt": "#999999",
    "not_required": "#BBBBBB",
    "not_evaluated": "#DDDDDD",
}
_STATUS_LABELS: Final = {
    "overdue": "overdue",
    "missed": "missed",
    "met_late": "met late",
    "pending": "pending",
    "met_on_time": "met on time",
    "exempt": "exempt",
    "not_required": "not required",
    "not_evaluated": "not evaluated",
}


def _figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        raise UsageError("charts need matplotlib: pip install 'lacplan[plot]'") from None
    return Figure(figsize=(width, height), layout="constrained")


def child_timeline(case: Case, result: ChildResult, *, as_of: date) -> Figure:
    """One child's timeline: periods of care and placements, recorded events, and every
    obligation's due date coloured by status (a line to the day a late one was met), with the
    as-of date and the 18th birthday marked."""
    import matplotlib.dates

    mdates: Any = matplotlib.dates  # matplotlib's stubs take floats, not dates: draw untyped
    rules = list(dict.fromkeys(o.rule for o in result.obligations))
    event_types = sorted({e.type for e in case.events if e.date <= as_of})
    rows = [("care", "care"), *(("event", t) for t in event_types), *(("rule", r) for r in rules)]
    fig = _figure(11, max(3.0, 1.2 + 0.32 * len(rows)))
    ax: Any = fig.add_subplot()
    y = {key: len(rows) - 1 - i for i, key in enumerate(rows)}
    labels: dict[tuple[str, str], str] = {
        ("care", "care"): "periods, placements",
        **{("event", t): f"recorded: {t}" for t in event_types},
        **{("rule", r): r for r in rules},
    }
    eighteen = birthday(case.date_of_birth, 18)
    starts = [p.start for p in case.periods] or [as_of]
    lo = min(starts) - timedelta(days=30)
    hi = max(as_of, *(o.due for o in result.obligations if o.due is not None)) + timedelta(days=30)
    for p in case.periods:
        end = p.end or min(as_of, eighteen)
        ax.barh(y["care", "care"], (end - p.start).days, left=p.start, height=0.8,
                color="#E8E8E8")  # fmt: skip
        for k, pl in enumerate(p.placements):
            pl_end = p.placement_end(pl) or end
            ax.barh(
                y["care", "care"],
                max(1, (pl_end - pl.start).days),
                left=pl.start,
                height=0.5,
                color=("#56B4E9", "#CC79A7")[k % 2],
                edgecolor="white",
            )
    for e in case.events:
        if e.date <= as_of:
            ax.plot([e.date], [y["event", e.type]], marker="|", markersize=10, color="#333333")
    if rules:
        ax.axhline(y["rule", rules[0]] + 0.5, color="#999999", linewidth=0.8)
    seen: set[str] = set()
    for o in result.obligations:
        when = o.due or o.anchor
        if when is None:
            continue
        colour = STATUS_COLOURS[o.status]
        if o.met_on is not None and o.due is not None and o.met_on > o.due:
            ax.plot([o.due, o.met_on], [y["rule", o.rule]] * 2, color=colour, linewidth=2)
        label = None if o.status in seen else _STATUS_LABELS[o.status]
        seen.add(o.status)
        ax.plot(
            [when],
            [y["rule", o.rule]],
            marker="o" if o.due is not None else "D",
            markersize=6,
            color=colour,
            markeredgecolor="#333333",
            markeredgewidth=0.5,
            linestyle="none",
            label=label,
        )
    ax.axvline(as_of, color="#0072B2", linestyle="--", linewidth=1)
    ax.text(as_of, len(rows) - 0.4, " as at", color="#0072B2", fontsize=8, va="bottom")
    if lo <= eighteen <= hi:
        ax.axvline(eighteen, color="#8B0000", linestyle=":", linewidth=1)
        ax.text(eighteen, len(rows) - 0.4, " 18th birthday", color="#8B0000", fontsize=8,
                va="bottom")  # fmt: skip
    ax.set_yticks(range(len(rows)), [labels[k] for k in reversed(rows)], fontsize=8)
    ax.set_ylim(-0.7, len(rows) + 0.2)
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(axis="x", color="#EEEEEE")
    ax.set_title(
        f"Child {result.child_id} as at {as_of.isoformat()}: periods of care and placements "
        "(bars), recorded events (ticks), each duty's due date by status (a line: met late)",
        fontsize=10,
    )
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        title="due date\n(diamond: no fixed\ndate, at its anchor)",
        title_fontsize=8,
    )
    return fig


def summary_chart(
    rows: Sequence[dict[str, Any]], obligations: Iterable[Obligation] = (), *, title: str = ""
) -> Figure:
    """On-time rate per rule (bars, with the denominator written beside each), and, for the
    obligations given, how many days late the late and overdue ones were (a box per rule)."""
    judged = [r for r in rows if r["denominator"]]
    if not judged:
        raise UsageError("nothing to chart: no obligation in the period was judged")
    names = [f"{r['rule']}" + (f" ({r['source']})" if r["source"] != "statutory" else "")
             for r in judged]  # fmt: skip
    fig = _figure(11, max(3.0, 1.0 + 0.35 * len(judged)))
    axes: Any = fig.subplots(1, 2, width_ratios=(3, 2), sharey=True)
    ax, box = axes
    ys = list(range(len(judged)))[::-1]
    rates = [100 * (r["on_time"] / r["denominator"]) for r in judged]
    ax.barh(ys, rates, color="#009E73", height=0.6)
    for y, r, rate in zip(ys, judged, rates, strict=True):
        ax.text(min(rate, 100) + 1, y, f"{rate:.0f}% of {r['denominator']}", va="center",
                fontsize=8)  # fmt: skip
    ax.set_yticks(ys, names, fontsize=8)
    ax.set_xlim(0, 118)
    ax.set_xlabel("on time, % of on time + late + overdue + missed")
    ax.grid(axis="x", color="#EEEEEE")
    late: dict[str, list[int]] = {n: [] for n in names}
    index = {(r["source"], r["rule"]): n for r, n in zip(judged, names, strict=True)}
    for o in obligations:
        name = index.get((o.source, o.rule))
        if name is not None and o.days_late is not None and o.status in ("met_late", "overdue"):
            late[name].append(o.days_late)
    have = [(y, late[n]) for y, n in zip(ys, names, strict=True) if late[n]]
    if have:
        box.boxplot(
            [d for _, d in have],
            positions=[y for y, _ in have],
            orientation="horizontal",
            widths=0.5,
            showfliers=True,
        )
        box.set_xscale("symlog", linthresh=10)
    else:
        box.text(0.5, 0.5, "none late", transform=box.transAxes, ha="center", color="#666666")
    ax.set_yticks(ys, names, fontsize=8)  # after the boxplot, which resets shared ticks
    box.tick_params(axis="y", labelleft=False)
    box.set_xlabel("days late (met late or overdue; symmetric log scale)")
    box.grid(axis="x", color="#EEEEEE")
    fig.suptitle(title or "On-time rates per rule", fontsize=10)
    return fig
