"""The parity report's join: stored due dates with lacplan's obligations (:func:`compare_report`).

A stored row is matched by child, period, rule and sequence (and placement, for a rule that runs
per placement, when the row names one). Its period is the one its ``period_id`` names, else the
one starting on its ``period_start``, else the one whose span holds its date (the due date, or
the anchor when it has none). A row that cannot be placed is ``unmatched``, with the reason:
no such child in the report, no such rule in the pack, no such period, several placements'
obligations, or a second row for one obligation.

The join is outer over the children and rules of the stored data: each lacplan obligation of a
rule the stored data names, for a child it names, that no row matched is ``no_stored_date``
(unless lacplan finds it ``not_required``: then neither side holds a due date to compare).
Nothing is mended: every row is classified (:mod:`lacplan.compare.classify`) as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from lacplan.calendar import england_and_wales
from lacplan.compare.classify import UNMATCHED, Clock, Verdict, classify
from lacplan.compare.comparison import Comparison, ComparisonRow
from lacplan.compare.stored import StoredRow, read_stored, stored_source
from lacplan.errors import CalendarRangeError, LacplanError, UsageError
from lacplan.model import Case
from lacplan.obligation import Obligation
from lacplan.offsets import Offset, offset_date
from lacplan.report import Report
from lacplan.rules import RulePack, get_pack
from lacplan.rules.schema import Chain, Rule

__all__ = ["PeriodSpan", "compare_report", "period_spans"]

_BRANCH: Final = re.compile(r"(?:offset:([0-9]+)|earlier:([0-9]+)\.[0-9]+)")
_LAST: Final = 1 << 30  # sorts after every rank


@dataclass(frozen=True, slots=True)
class PeriodSpan:
    """A period of care's id and span (``end`` ``None``: still open; ``start`` ``None``:
    unknown)."""

    period_id: str
    start: date | None
    end: date | None

    def contains(self, d: date) -> bool:
        return self.start is not None and self.start <= d and (self.end is None or d <= self.end)


#: Each child's periods, by child id.
PeriodSpans = Mapping[str, Sequence[PeriodSpan]]


def period_spans(cases: Iterable[object]) -> dict[str, list[PeriodSpan]]:
    """The period spans of each case in ``cases`` (other items are skipped; the first case of
    a repeated child id counts)."""
    out: dict[str, list[PeriodSpan]] = {}
    for case in cases:
        if isinstance(case, Case) and case.child_id not in out:
            out[case.child_id] = [PeriodSpan(p.period_id, p.start, p.end) for p in case.periods]
    return out


def _report_spans(report: Report) -> dict[str, list[PeriodSpan]]:
    """Without the cases: each period from its obligations' earliest anchor to the day before
    the child's next period (the last one open)."""
    starts: dict[str, dict[str, date | None]] = {}
    for o in report.obligations:
        periods = starts.setdefault(o.child_id, {})
        first = periods.get(o.period_id)
        if o.anchor is not None and (first is None or o.anchor < first):
            periods[o.period_id] = o.anchor
        else:
            periods.setdefault(o.period_id, None)
    out: dict[str, list[PeriodSpan]] = {}
    for child, periods in starts.items():
        known = sorted((d, p) for p, d in periods.items() if d is not None)
        spans = [
            PeriodSpan(p, d, known[i + 1][0] - timedelta(days=1) if i + 1 < len(known) else None)
            for i, (d, p) in enumerate(known)
        ]
        spans += [PeriodSpan(p, None, None) for p, d in periods.items() if d is None]
        out[child] = spans
    return out


def _pack(report: Report, rules: str | RulePack | None) -> RulePack:
    if rules is None:
        try:
            pack = get_pack(report.rules)
        except LacplanError:
            raise UsageError(
                f"the report's rules ({report.rules}) cannot be loaded by name: pass rules=, "
                "the RulePack it was evaluated with"
            ) from None
    else:
        pack = get_pack(rules)
    if report.rules_hash and pack.content_hash != report.rules_hash:
        raise UsageError(
            f"the rules given ({pack.name}) are not those the report was evaluated with "
            "(their content hashes differ)"
        )
    return pack


def compare_report(
    report: Report,
    stored: object,
    *,
    cases: Iterable[Case] | PeriodSpans | None = None,
    rules: str | RulePack | None = None,
) -> Comparison:
    """The parity report of ``stored`` (a CSV file's path, a ``pandas.DataFrame``, or an
    iterable of mappings or of :class:`~lacplan.adapters.sources.StoredDue`) against
    ``report``.

    ``cases`` (the cases evaluated, or :func:`period_spans` of them) gives the periods' spans,
    which place a row that names no period; without it they are taken from the report (each
    period from its obligations' earliest anchor to the next period). ``rules`` is the pack the
    report was evaluated with (default: the pack its name gives; one with rule files must be
    passed)."""
    rows = read_stored(stored)
    pack = _pack(report, rules)
    if cases is None:
        spans: PeriodSpans = _report_spans(report)
    elif isinstance(cases, Mapping):
        spans = cases
    else:
        spans = period_spans(cases)
    return _Join(report, pack, spans).run(rows, stored_source(stored))


_Key = tuple[str, str, str, int]  # child, period, rule, sequence


class _Join:
    """One comparison: the report's obligations indexed, the rows matched and classified."""

    def __init__(self, report: Report, pack: RulePack, spans: PeriodSpans) -> None:
        self.report, self.pack, self.spans = report, pack, spans
        self.by_child: dict[str, list[Obligation]] = {}
        self.by_key: dict[_Key, list[Obligation]] = {}
        self.period_rank: dict[tuple[str, str], int] = {}
        for child_id, child_spans in spans.items():
            for i, s in enumerate(child_spans):
                self.period_rank.setdefault((child_id, s.period_id), i)
        for o in report.obligations:
            self.by_child.setdefault(o.child_id, []).append(o)
            key = (o.child_id, o.period_id, o.rule, o.sequence)
            self.by_key.setdefault(key, []).append(o)
            self.period_rank.setdefault((o.child_id, o.period_id), len(self.period_rank))
        self.child_rank = {c.child_id: i for i, c in reversed(list(enumerate(report.children)))}
        self.rule_rank = {r: i for i, r in enumerate(pack.ids)}
        self.calendars = pack.calendars(england_and_wales())
        self.months = str(report.conventions.get("month_arithmetic", "calendar"))
        self.decls: dict[tuple[str, str | None, str | None], Rule | None] = {}
        self.stored_due: dict[int, date | None] = {}  # id(obligation) -> its stored date

    # ----------------------------------------------------------------- matching
    def _period(self, row: StoredRow) -> tuple[str | None, str]:
        """The period ``row`` belongs to, or ``None`` and why not."""
        spans = self.spans.get(row.child_id, ())
        if row.period_id is not None:
            known = {s.period_id for s in spans}
            known |= {o.period_id for o in self.by_child.get(row.child_id, ())}
            if row.period_id in known:
                return row.period_id, ""
            return None, "the child has no period with this period_id"
        if row.period_start is not None:
            found = [s.period_id for s in spans if s.start == row.period_start]
            if found:
                return found[0], ""
            return None, "no period of the child starts on its period_start"
        when = row.due or row.anchor
        if when is None:
            return None, "no due date or anchor to find its period by (give period_id)"
        found = [s.period_id for s in spans if s.contains(when)]
        if len(found) == 1:
            return found[0], ""
        what = "due date" if row.due is not None else "anchor"
        if found:
            return None, f"several periods of the child hold its {what} (give period_id)"
        return None, f"no period of the child holds its {what}"

    def _match(self, row: StoredRow) -> tuple[str | None, Obligation | None, str]:
        """(period, obligation, why unmatched: "" when matched)."""
        if row.child_id not in self.child_rank:
            return None, None, "no child with this id in the report"
        if row.rule not in self.rule_rank:
            return None, None, f"no rule with this id in the {self.pack.name} rule pack"
        period, why = self._period(row)
        if period is None:
            return None, None, why
        found = self.by_key.get((row.child_id, period, row.rule, row.sequence), [])
        if row.placement_id is not None:
            found = [o for o in found if o.placement_id == row.placement_id]
        if len(found) > 1:
            return (
                period,
                None,
                (
                    f"{len(found)} obligations of this rule and sequence in the period, one per "
                    "placement (give placement_id)"
                ),
            )
        return period, (found[0] if found else None), ""

    # ----------------------------------------------------------------- clocks
    def _decl(self, o: Obligation) -> Rule | None:
        k = (o.rule, o.rule_variant, o.rule_version)
        if k not in self.decls:
            self.decls[k] = next(
                (
                    r
                    for versions in (self.pack.variants(o.rule) if o.rule in self.rule_rank else ())
                    for r in versions
                    if r.variant == o.rule_variant and r.version == o.rule_version
                ),
                None,
            )
        return self.decls[k]

    def _offset(self, o: Obligation, decl: Rule | None, clock: Clock) -> Offset | None:
        """The offset that timed ``o``: the option its branch names, else the first option
        that gives its due date from its anchor."""
        if decl is None:
            return None
        m = _BRANCH.fullmatch(o.branch)
        if m is not None:
            i = int(m.group(1) or m.group(2))
            if i < len(decl.offsets):
                return decl.offsets[i].offset
        for option in decl.offsets:
            if option.offset is None or o.anchor is None or o.due is None:
                continue
            try:
                if offset_date(o.anchor, option.offset, clock.calendar, self.months) == o.due:
                    return option.offset
            except CalendarRangeError:
                continue
        return None

    def _chained_from(self, o: Obligation, decl: Rule) -> tuple[tuple[date, str], ...]:
        """The due dates of the obligation ``o`` runs from (a chain's previous link, or a rule
        its anchor names), when ``o``'s anchor is the date that one was met or closed."""
        same = [
            p
            for p in self.by_child.get(o.child_id, ())
            if p is not o
            and p.period_id == o.period_id
            and (p.placement_id is None or p.placement_id == o.placement_id)
        ]
        before: list[Obligation] = []
        if isinstance(decl.schedule, Chain) and o.sequence > 1:
            before += [p for p in same if p.rule == o.rule and p.sequence == o.sequence - 1]
        for option in decl.anchor:
            ref = option.date.rule_ref
            if ref is not None and ref[1] in ("met_on", "closed_on"):
                before += sorted((p for p in same if p.rule == ref[0]), key=lambda p: p.sequence)[
                    :1
                ]
        out: dict[date, str] = {}
        for p in before:
            if p.due is None or o.anchor is None or o.anchor not in (p.met_on, p.closed_on):
                continue
            name = f"the due date of {p.rule} #{p.sequence}"
            kept = self.stored_due.get(id(p))
            if kept is not None:
                out.setdefault(kept, f"{name} as the case system stored it")
            out.setdefault(p.due, f"{name} as lacplan has it")
        return tuple(out.items())

    def _clock(self, o: Obligation, *, bare: bool = False) -> Clock:
        """How ``o`` was timed (``bare``: its dates and status only, for a row without a
        stored date, which no date test reads)."""
        layer = self.pack.layer(o.rule).name if o.rule in self.rule_rank else ""
        calendar = self.calendars.get(layer) or england_and_wales()
        status = o.status + (f", {o.reason}" if o.reason else "")
        clock = Clock(o.anchor, o.due, None, calendar, self.months, status=status)
        if bare:
            return clock
        decl = self._decl(o)
        offset = self._offset(o, decl, clock)
        chained = self._chained_from(o, decl) if decl is not None else ()
        return Clock(o.anchor, o.due, offset, calendar, self.months, chained, status)

    # ----------------------------------------------------------------- rows
    def run(self, rows: Sequence[StoredRow], source: str) -> Comparison:
        matched: list[tuple[int, StoredRow, str, Obligation | None]] = []
        unmatched: list[tuple[int, StoredRow, str | None, str]] = []
        taken: dict[tuple[str, str, str, int, str | None], str] = {}
        for n, row in enumerate(rows):
            period, o, why = self._match(row)
            if period is not None and not why:
                place = o.placement_id if o is not None else row.placement_id
                key = (row.child_id, period, row.rule, row.sequence, place)
                if key in taken:
                    why = f"a second row for this child, period, rule and sequence ({taken[key]})"
                else:
                    taken[key] = row.where or f"row {n + 1}"
            if why:
                unmatched.append((n, row, period, why))
                continue
            assert period is not None
            matched.append((n, row, period, o))
            if o is not None:
                self.stored_due[id(o)] = row.due
        out: list[tuple[tuple[int, ...], ComparisonRow]] = []
        for n, row, period, o in matched:
            clock = self._clock(o, bare=row.due is None) if o is not None else None
            verdict = classify(row.due, clock)
            out.append(
                (
                    self._rank(row.child_id, period, row.rule, row.sequence, n),
                    _row(row, o, period, verdict),
                )
            )
        for n, row, period, why in unmatched:
            verdict = Verdict(UNMATCHED, (), why)
            rank = self._rank(row.child_id, None, row.rule, row.sequence, n)
            out.append((rank, _row(row, None, period, verdict)))
        children = {r.child_id for r in rows if r.child_id in self.child_rank}
        rules = {r.rule for r in rows}
        for child in sorted(children, key=self.child_rank.__getitem__):
            for o in self.by_child.get(child, ()):
                # (an obligation lacplan finds not required, e.g. a review due after the period
                # ended, is no difference when the case system stored nothing either)
                if o.rule in rules and id(o) not in self.stored_due and o.status != "not_required":
                    verdict = classify(None, self._clock(o, bare=True), row=False)
                    rank = self._rank(child, o.period_id, o.rule, o.sequence, _LAST)
                    out.append((rank, _row(None, o, o.period_id, verdict)))
        out.sort(key=lambda t: t[0])
        return Comparison(tuple(r for _, r in out), source, self.report.header())

    def _rank(
        self, child: str, period: str | None, rule: str, sequence: int, n: int
    ) -> tuple[int, ...]:
        return (
            self.child_rank.get(child, _LAST),
            _LAST if period is None else self.period_rank.get((child, period), _LAST - 1),
            self.rule_rank.get(rule, _LAST),
            sequence,
            n,
        )


def _row(
    stored: StoredRow | None, o: Obligation | None, period: str | None, verdict: Verdict
) -> ComparisonRow:
    if stored is not None:
        child, rule, sequence = stored.child_id, stored.rule, stored.sequence
    else:
        assert o is not None
        child, rule, sequence = o.child_id, o.rule, o.sequence
    stored_due = stored.due if stored is not None else None
    lacplan_due = o.due if o is not None else None
    return ComparisonRow(
        child_id=child,
        period_id=period,
        rule=rule,
        sequence=sequence,
        stored_due=stored_due,
        lacplan_due=lacplan_due,
        difference_days=(stored_due - lacplan_due).days
        if stored_due is not None and lacplan_due is not None
        else None,
        class_=verdict.class_,
        also=verdict.also,
        explanation=o.explanation if o is not None else None,
        reason=verdict.reason,
        status=o.status if o is not None else None,
        anchor=o.anchor if o is not None else None,
        stored_anchor=stored.anchor if stored is not None else None,
        placement_id=o.placement_id if o is not None else (stored.placement_id if stored else None),
        key=o.key if o is not None else None,
        where=stored.where if stored is not None else None,
    )
