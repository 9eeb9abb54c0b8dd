"""Judging obligations against what a case's source can show (``Case.coverage``).

A source that records only some duties, or only some years, cannot prove a duty was missed: an
absent event may simply not be in the data. :class:`Seen` answers, for one obligation, whether
the data can judge it, and if not why (the ``not_evaluated`` reasons):

* ``not_in_source``: the rule reads an event type the source never shows, or shows only in other
  spans of dates than the ones this obligation's events would fall in;
* ``start_before_data``: events from before the first day the source shows would count (the
  clock started before the data, or the period of care began before it);
* ``after_data``: the obligation is due after the data's last day (``Coverage.until``) and not
  met by then: the data cannot show what happened after it.

The engine calls it for every obligation of a case with a coverage; nothing here knows a rule.
"""

from __future__ import annotations

from datetime import date

from lacplan.calendar import fmt_date
from lacplan.model import Case

__all__ = ["COVERAGE_REASONS", "Seen", "unknown_start"]

#: The ``not_evaluated`` reasons this module gives.
COVERAGE_REASONS: tuple[str, ...] = ("not_in_source", "start_before_data", "after_data")


def _nouns(types: list[str]) -> str:
    """``"review events"``, ``"pep or pep_review events"`` (the event types by name)."""
    names = list(types)
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"{joined} events"


#: How explanations name a source (else "the <source> data").
_SOURCE_NOUNS = {"ssda903": "SSDA903 return", "ssd": "SSD extract"}


class Seen:
    """One case's coverage, ready for the engine: merged spans of dates by event type."""

    __slots__ = ("source", "spans", "until")

    def __init__(self, case: Case) -> None:
        cov = case.coverage
        assert cov is not None
        self.source = _SOURCE_NOUNS.get(cov.source, f"{cov.source} data")
        self.until = cov.until
        self.spans = {t: cov.spans(t) for t in sorted({s.type for s in cov.observed})}

    def start(self, types: frozenset[str]) -> date | None:
        """The first day the source shows any of ``types`` (None if it shows none of them)."""
        starts = [self.spans[t][0][0] for t in types if t in self.spans]
        return min(starts) if starts else None

    def blind_to(self, types: frozenset[str]) -> tuple[str, str] | None:
        """``("not_in_source", sentence)`` when the source never shows one of ``types``."""
        missing = sorted(t for t in types if t not in self.spans)
        if not missing:
            return None
        return (
            "not_in_source",
            f"Not evaluated: the {self.source} does not record {_nouns(missing)}, so it "
            "cannot show whether this was done.",
        )

    def judge(self, types: frozenset[str], lo: date, hi: date) -> tuple[str, str] | None:
        """Why an obligation counting events of ``types`` from ``lo`` to ``hi`` cannot be
        judged, or None."""
        first = self.start(types)
        if first is not None and lo < first:
            return (
                "start_before_data",
                f"Not evaluated: events from {fmt_date(lo)} would count, but the {self.source} "
                f"shows them only from {fmt_date(first)}.",
            )
        if lo > self.until:
            return self.after_data()
        end = min(hi, self.until)
        for t in sorted(types):
            if not any(a <= lo and end <= b for a, b in self.spans[t]):
                shown = "; ".join(f"{fmt_date(a)} to {fmt_date(b)}" for a, b in self.spans[t])
                return (
                    "not_in_source",
                    f"Not evaluated: the {self.source} shows {_nouns([t])} for this child "
                    f"only from {shown}, which does not cover {fmt_date(lo)} to {fmt_date(end)}.",
                )
        return None

    def after_data(self) -> tuple[str, str]:
        return (
            "after_data",
            f"Not evaluated: not met by {fmt_date(self.until)}, when the {self.source} ends; "
            "the data cannot show what happened after that day.",
        )


def unknown_start(proxy_start: date, seen: Seen | None) -> tuple[str, str]:
    """``start_before_data`` for a clock anchored on (or before) the start of a period that
    began before the data: ``proxy_start`` is the first date the data shows."""
    source = seen.source if seen is not None else "data"
    return (
        "start_before_data",
        "Not evaluated: the period of care began before the data does, so the clock's real "
        f"start is not known ({fmt_date(proxy_start)} is the first date the {source} shows).",
    )
