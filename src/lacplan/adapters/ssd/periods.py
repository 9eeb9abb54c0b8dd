"""Periods of care and placements from the SSD's episodes, placements and legal statuses (the
mapping ``docs/ssd.md`` tabulates).

* A period of care is every ``ssd_cla_episodes`` row sharing a ``clae_cla_id`` (its id is the
  period's ``period_id``). It starts on ``clae_entered_care_date`` (the earliest episode start
  when that is blank) and ends on the last episode's ceased date unless that episode's reason
  is ``X1`` (the episode ends, care continues) or it has none.
* Placements are the ``ssd_cla_placement`` rows of the period (by ``clap_cla_id``), with their
  own ids: ``clap_cla_placement_type`` gives the kind, ``clap_cla_placement_change_reason`` the
  reason the placement ended. As in the SSDA903 mapping, a temporary placement (T0-T4) and a
  change of a placement's status (change reason ``PLACE``) continue the placement before them.
  Without placement rows, the episodes' ``clae_cla_placement_id`` values give the placements.
* The legal status in force when the period starts decides its regime (V3/V4: a series of short
  breaks); the period's legal statuses come from ``ssd_legal_status`` by date.

Dirty data is repaired the documented way and each repair is a finding: periods that overlap are
cut where the next starts; a placement overlapping the next ends where that one starts, and one
reaching outside its period is cut to it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lacplan.adapters.ssda903.codes import (
    END_REASON_BY_CHANGE,
    LEGAL_STATUS_BY_LS,
    LONG_TERM_FOSTER,
    PLACEMENT_KIND_BY_PLACE,
    SHORT_BREAK_LS,
    TEMPORARY_PLACE,
)
from lacplan.calendar import fmt_date
from lacplan.domain.coverage import SourceFinding

__all__ = ["EpisodeRow", "LegalRow", "PeriodOut", "PlacementRow", "build_periods"]

_DAY = timedelta(days=1)


@dataclass(slots=True)
class EpisodeRow:
    key: int  # id() of the source row
    where: str
    cla_id: str
    start: date
    ceased: date | None
    reason: str  # clae_cla_episode_ceased_reason, normalised
    placement_id: str
    entered: date | None


@dataclass(slots=True)
class PlacementRow:
    key: int
    where: str
    placement_id: str
    start: date
    end: date | None
    place: str  # clap_cla_placement_type, normalised
    change: str  # clap_cla_placement_change_reason, normalised


@dataclass(slots=True)
class LegalRow:
    key: int
    code: str  # SSDA903 LS code ("" when not recognised)
    start: date
    end: date | None


@dataclass(slots=True)
class PeriodOut:
    """A built period (case-format dict), the rows it used, and the row keys it ignored."""

    record: dict[str, Any]
    used: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _Pl:
    rows: list[PlacementRow]
    placement_id: str
    start: date
    end: date | None
    place: str
    change: str


class _Builder:
    def __init__(self) -> None:
        self.findings: list[SourceFinding] = []
        self.ignored: dict[int, str] = {}

    def note(self, code: str, where: str, text: str) -> None:
        self.findings.append(SourceFinding(code=code, field=where, message=f"{where}: {text}"))

    # ------------------------------------------------------------------ placements
    def placements(
        self, cla_id: str, start: date, end: date | None, rows: list[PlacementRow]
    ) -> list[_Pl]:
        out: list[_Pl] = []
        for r in sorted(rows, key=lambda r: (r.start, r.placement_id)):
            if end is not None and r.start > end:
                self.ignored[r.key] = "outside_period"
                self.note(
                    "placement_outside_period",
                    r.where,
                    f"the placement starts after its period of care {cla_id} ends; it is not used.",
                )
                continue
            prev = out[-1] if out else None
            if prev is not None and (r.place in TEMPORARY_PLACE or prev.change == "PLACE"):
                why = (
                    "a temporary placement (T0-T4) continues the placement before it"
                    if r.place in TEMPORARY_PLACE
                    else "the placement before it ended with change reason PLACE (a change of "
                    "the placement's status, not a move), so this continues it"
                )
                self.note("placement_continued", r.where, f"{why} for the placement clocks.")
                prev.rows.append(r)
                prev.end, prev.change = r.end, r.change
                continue
            out.append(_Pl([r], r.placement_id, r.start, r.end, r.place, r.change))
        for a, b in itertools.pairwise(out):
            if a.end is None or a.end > b.start:
                self.note(
                    "overlapping_placements",
                    a.rows[-1].where,
                    "the placement "
                    + ("has no end date but" if a.end is None else "ends after")
                    + " the next one starts; it is taken to end when the next one starts.",
                )
                a.end = b.start
        if out and out[0].start < start:
            self.note(
                "placement_before_period",
                out[0].rows[0].where,
                f"the placement starts before its period of care begins ({fmt_date(start)}); it "
                "is taken to start then.",
            )
            out[0].start = start
            for p in out[1:]:
                p.start = max(p.start, start)
        if end is not None:
            for p in out:
                if p.end is not None and p.end > end:
                    self.note(
                        "placement_after_period",
                        p.rows[-1].where,
                        "the placement ends after its period of care does; it is taken to end "
                        "with the period.",
                    )
                    p.end = end
        return out

    def from_episodes(self, cla_id: str, eps: list[EpisodeRow], end: date | None) -> list[_Pl]:
        """Placements from the episodes' placement ids (no placement rows for the period)."""
        by_id: dict[str, list[EpisodeRow]] = {}
        for e in eps:
            by_id.setdefault(e.placement_id or f"{cla_id}-{e.start.isoformat()}", []).append(e)
        rows = [
            PlacementRow(
                key=-1,
                where=es[0].where,
                placement_id=pid,
                start=min(e.start for e in es),
                end=None
                if any(e.ceased is None for e in es)
                else max(e.ceased for e in es if e.ceased),
                place="",
                change="",
            )
            for pid, es in by_id.items()
        ]
        self.note(
            "placements_from_episodes",
            eps[0].where,
            f"no ssd_cla_placement rows for period of care {cla_id}: its placements are "
            "taken from the episodes' placement ids, and their kinds are unknown ('other').",
        )
        return self.placements(cla_id, min(e.start for e in eps), end, rows)


def _period_span(b: _Builder, cla_id: str, eps: list[EpisodeRow]) -> tuple[date, date | None]:
    entered = Counter(e.entered for e in eps if e.entered is not None)
    first = eps[0].start
    if len(entered) > 1:
        b.note(
            "entered_care_differs",
            eps[0].where,
            f"the episodes of period of care {cla_id} give different entered-care dates; the "
            "earliest is used.",
        )
    start = min([first, *entered])
    last = eps[-1]
    end: date | None = None
    if last.ceased is not None and last.reason != "X1":
        if not last.reason:
            b.note(
                "no_end_reason",
                last.where,
                "the episode has a ceased date but no reason; the period of care is taken to "
                "end then.",
            )
        end = last.ceased
    return start, end


def _legal(
    start: date, end: date | None, rows: list[LegalRow], used: set[int]
) -> tuple[str, list[dict[str, Any]]]:
    """The period's regime (from the status in force at its start) and its legal statuses."""
    at_start = [r for r in rows if r.start <= start and (r.end is None or r.end >= start)]
    regime = (
        "short_breaks"
        if at_start and max(at_start, key=lambda r: r.start).code in SHORT_BREAK_LS
        else "standard"
    )
    entries: list[dict[str, Any]] = []
    for r in sorted(rows, key=lambda r: (r.start, r.code)):
        if (end is not None and r.start > end) or (r.end is not None and r.end < start):
            continue
        used.add(r.key)
        if regime != "standard":
            continue
        status = LEGAL_STATUS_BY_LS.get(r.code, "other")
        frm = max(r.start, start)
        if entries and entries[-1]["from"] == frm:
            entries[-1]["status"] = status
        elif not entries or entries[-1]["status"] != status:
            entries.append({"from": frm, "status": status})
    return regime, entries


def build_periods(
    episodes: list[EpisodeRow],
    placements: dict[str, list[PlacementRow]],
    legal: list[LegalRow],
) -> tuple[list[PeriodOut], list[SourceFinding], dict[int, str]]:
    """One child's periods of care (case-format dicts, with ``period_id`` the SSD's
    ``clae_cla_id``), the findings made on the way, and the rows not used (key -> reason)."""
    b = _Builder()
    groups: dict[str, list[EpisodeRow]] = {}
    for e in episodes:
        groups.setdefault(e.cla_id, []).append(e)
    spans = []
    for cla_id, eps in groups.items():
        eps.sort(key=lambda e: (e.start, e.where))
        start, end = _period_span(b, cla_id, eps)
        spans.append((start, cla_id, end, eps))
    spans.sort(key=lambda s: (s[0], s[1]))
    out: list[PeriodOut] = []
    for i, (start, cla_id, end, eps) in enumerate(spans):
        if i + 1 < len(spans):
            nxt = spans[i + 1][0]
            if end is None or end >= nxt:
                b.note(
                    "period_end_moved",
                    eps[-1].where,
                    f"period of care {cla_id} "
                    + ("is open but" if end is None else "ends on or after the day")
                    + f" the next one starts ({fmt_date(nxt)}); it is taken to end the day "
                    "before (periods of care cannot overlap).",
                )
                end = max(start, nxt - _DAY)
        rows = placements.get(cla_id, [])
        pls = b.placements(cla_id, start, end, rows) if rows else []
        if not pls:
            pls = b.from_episodes(cla_id, eps, end)
        used = {e.key for e in eps} | {r.key for p in pls for r in p.rows}
        regime, statuses = _legal(start, end, legal, used)
        record: dict[str, Any] = {
            "period_id": cla_id,
            "start": start,
            "end": end,
            "regime": regime,
            "placements": [
                _placement(p, last=j == len(pls) - 1, end=end) for j, p in enumerate(pls)
            ],
        }
        if statuses:
            record["legal_status"] = statuses
        out.append(PeriodOut(record, used))
    return out, b.findings, b.ignored


def _placement(p: _Pl, *, last: bool, end: date | None) -> dict[str, Any]:
    pend = None if last and p.end is not None and p.end == end else p.end
    rec: dict[str, Any] = {
        "placement_id": p.placement_id,
        "start": p.start,
        "end": pend,
        "kind": PLACEMENT_KIND_BY_PLACE.get(p.place, "other"),
        "long_term_foster": p.place in LONG_TERM_FOSTER,
    }
    if pend is not None and p.change:
        rec["end_reason"] = END_REASON_BY_CHANGE.get(p.change)
    return rec
