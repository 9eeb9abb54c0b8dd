"""Episodes to periods of care and placements (the mapping ``docs/ssda903.md`` tabulates).

* ``RNE = S`` starts a period of care; ``REC = X1`` continues it; any other ``REC`` ends it on
  ``DEC``. A period whose first episode in the data is not ``S`` began before the data: it is
  flagged ``started_before_data`` (its clocks anchored on the start are not evaluated).
* ``RNE`` P, T, B or U starts a new placement (``L`` changes the legal status only), except when
  ``REASON_PLACE_CHANGE = PLACE`` (a change in the placement's status, not a move) and for
  temporary placements (PLACE T0-T4), which continue the placement before them; the child's
  return from one starts a new placement only if the carer differs (PLACE, URN or PL_POST).
* ``REASON_PLACE_CHANGE`` on the episode starting a placement is the previous placement's end
  reason (``codes.END_REASON_BY_CHANGE``).
* ``LS`` V3/V4 episodes form one short-breaks period: it starts at the first break's DECOM, each
  break (episode) is a placement ending on its DEC, and the period stays open until an episode
  under another legal status starts (it then ends the day before).

Dirty chains are repaired the documented way and each repair is a finding: an open episode
followed by a later one ends when that one starts; an episode overlapping the next is cut at the
next one's start; a gap between chained episodes is kept as a gap.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from lacplan.adapters.ssda903.codes import (
    END_REASON_BY_CHANGE,
    LEGAL_STATUS_BY_LS,
    LONG_TERM_FOSTER,
    NEW_PLACEMENT_RNE,
    PLACEMENT_KIND_BY_PLACE,
    SHORT_BREAK_LS,
    TEMPORARY_PLACE,
)
from lacplan.calendar import fmt_date
from lacplan.domain.coverage import SourceFinding

__all__ = ["Episode", "build_periods"]

_DAY = timedelta(days=1)


@dataclass(slots=True)
class Episode:
    """One episode row, parsed (codes upper-cased, blank = "")."""

    decom: date
    dec: date | None
    rne: str
    ls: str
    place: str
    rec: str
    change: str  # REASON_PLACE_CHANGE
    carer: tuple[str, str, str]  # (PLACE, URN, PL_POST): who the child lives with
    where: str  # "Episodes (file) row N", for findings


@dataclass(slots=True)
class _Period:
    start: date
    regime: str
    started_before_data: bool = False
    end: date | None = None
    placements: list[dict[str, Any]] = field(default_factory=list)
    legal_status: list[dict[str, Any]] = field(default_factory=list)

    def close(self, end: date) -> None:
        self.end = end
        for pl in self.placements:
            if pl["end"] is not None and pl["end"] > end:
                pl["end"] = end
        if self.placements and self.placements[-1]["end"] == end:
            self.placements[-1]["end"] = None  # ends with the period

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "regime": self.regime,
            "placements": self.placements,
        }
        if self.started_before_data:
            out["started_before_data"] = True
        if self.legal_status:
            out["legal_status"] = self.legal_status
        return out


def _placement(ep: Episode, taken: set[str]) -> dict[str, Any]:
    pid = ep.decom.isoformat()
    n = 1
    while pid in taken:  # an id per start date; a second one that day gets a suffix
        n += 1
        pid = f"{ep.decom.isoformat()}-{n}"
    taken.add(pid)
    return {
        "placement_id": pid,
        "start": ep.decom,
        "end": None,
        "kind": PLACEMENT_KIND_BY_PLACE.get(ep.place, "other"),
        "long_term_foster": ep.place in LONG_TERM_FOSTER,
    }


class _Builder:
    def __init__(self) -> None:
        self.periods: list[_Period] = []
        self.findings: list[SourceFinding] = []
        self.taken: set[str] = set()
        self.before_temp: Episode | None = None  # the episode before a temporary placement

    def note(self, code: str, where: str, text: str) -> None:
        self.findings.append(SourceFinding(code=code, field=where, message=f"{where}: {text}"))

    def start(self, ep: Episode, regime: str, *, before_data: bool) -> _Period:
        last = self.periods[-1] if self.periods else None
        if last is not None and last.end is not None and last.end >= ep.decom:
            last.close(max(last.start, ep.decom - _DAY))
            self.note(
                "period_end_moved",
                ep.where,
                "a period of care starts on the day the previous one ended; the previous one is "
                "taken to end the day before (periods of care cannot share a day).",
            )
        p = _Period(ep.decom, regime, before_data)
        p.placements.append(_placement(ep, self.taken))
        self.periods.append(p)
        self.before_temp = ep if ep.place in TEMPORARY_PLACE else None
        return p

    def status(self, p: _Period, ep: Episode) -> None:
        if p.regime != "standard" or not ep.ls:
            return
        status = LEGAL_STATUS_BY_LS.get(ep.ls, "other")
        if not p.legal_status or p.legal_status[-1]["status"] != status:
            p.legal_status.append({"from": ep.decom, "status": status})

    def move(self, p: _Period, prev: Episode, ep: Episode) -> None:
        """Continue ``p`` with ``ep``: a new placement, or the same one."""
        temp = ep.place in TEMPORARY_PLACE
        current = p.placements[-1]
        if temp:
            if self.before_temp is None:
                self.before_temp = prev
                self.note(
                    "temporary_placement",
                    ep.where,
                    "a temporary placement (PLACE T0-T4) continues the placement before it for "
                    "the placement clocks; it is not a move.",
                )
            return
        returning, self.before_temp = self.before_temp, None
        if returning is not None and returning.carer == ep.carer:
            return  # back with the same carer after a temporary placement
        if returning is None and (ep.rne not in NEW_PLACEMENT_RNE or ep.change == "PLACE"):
            return  # a change of legal status or of the placement's status only
        gap_end = prev.dec if prev.dec is not None and prev.dec < ep.decom else ep.decom
        current["end"] = max(gap_end, current["start"])
        current["end_reason"] = END_REASON_BY_CHANGE.get(ep.change)
        p.placements.append(_placement(ep, self.taken))


def _repair(eps: list[Episode], b: _Builder) -> None:
    for a, nxt in itertools.pairwise(eps):
        if a.dec is None:
            a.dec = nxt.decom
            b.note(
                "open_episode_superseded",
                a.where,
                f"the episode has no end date but a later one starts on {fmt_date(nxt.decom)} "
                "(an open episode carried into a later return); it is taken to end then.",
            )
        elif a.dec > nxt.decom:
            a.dec = nxt.decom
            b.note(
                "overlapping_episodes",
                a.where,
                "the episode ends after the next one starts; it is taken to end when the next "
                "one starts.",
            )


def build_periods(episodes: list[Episode]) -> tuple[list[dict[str, Any]], list[SourceFinding]]:
    """A child's periods of care (case-format dicts) from its de-duplicated episodes."""
    eps = sorted(episodes, key=lambda e: e.decom)
    b = _Builder()
    _repair(eps, b)
    cur: _Period | None = None
    prev: Episode | None = None
    for ep in eps:
        regime = "short_breaks" if ep.ls in SHORT_BREAK_LS else "standard"
        if cur is not None and cur.end is None and regime != cur.regime:
            cur.close(max(cur.start, ep.decom - _DAY))
            if cur.regime == "short_breaks":
                b.note(
                    "short_breaks_ended",
                    ep.where,
                    "the series of short breaks is taken to end the day before this episode, "
                    "under another legal status, starts.",
                )
            else:
                b.note(
                    "short_breaks_began",
                    ep.where,
                    "an agreed series of short breaks (LS V3/V4) follows a period of care; the "
                    "period is taken to end the day before the series starts.",
                )
            after_short = cur.regime == "short_breaks"
            cur = None
        else:
            after_short = False
        if regime == "short_breaks":
            if cur is None or cur.end is not None:
                cur = b.start(ep, regime, before_data=False)
                b.note(
                    "short_breaks_period",
                    ep.where,
                    "the child's short-break episodes (LS V3/V4) form one short-breaks period "
                    "from this break; each break is a placement, and the period stays open until "
                    "an episode under another legal status starts.",
                )
            else:
                if cur.placements[-1]["end"] is None:
                    cur.placements[-1]["end"] = prev.dec if prev and prev.dec else ep.decom
                cur.placements.append(_placement(ep, b.taken))
            cur.placements[-1]["end"] = ep.dec
            prev = ep
            continue
        if cur is None or cur.end is not None:
            known = ep.rne == "S" or after_short
            cur = b.start(ep, regime, before_data=not known)
            if not known:
                first = prev is None
                b.note(
                    "start_before_data" if first else "missing_start",
                    ep.where,
                    (
                        "the child's first episode in the data does not start a period of care "
                        "(RNE is not S): the period began before the data, so clocks anchored "
                        "on its start are not evaluated."
                        if first
                        else "the episode follows a period that ended, but does not start a "
                        "period of care (RNE is not S); its start is treated as unknown."
                    ),
                )
        else:
            assert prev is not None
            if ep.rne == "S":
                cur.close(max(cur.start, ep.decom - _DAY))
                b.note(
                    "start_within_period",
                    ep.where,
                    "a new period of care (RNE S) starts although the previous episode continued "
                    "the period (REC X1); the previous period is taken to end the day before.",
                )
                cur = b.start(ep, regime, before_data=False)
            else:
                if prev.dec is not None and prev.dec < ep.decom:
                    b.note(
                        "episode_gap",
                        ep.where,
                        f"the episode starts {(ep.decom - prev.dec).days} day(s) after the "
                        "previous one ended, though that one continued the period (REC X1); the "
                        "gap is kept.",
                    )
                b.move(cur, prev, ep)
        b.status(cur, ep)
        if ep.dec is not None and ep.rec != "X1":
            if not ep.rec:
                b.note(
                    "no_end_reason",
                    ep.where,
                    "the episode has an end date but no reason (REC); the period is taken to "
                    "end then.",
                )
            cur.close(ep.dec)
        prev = ep
    return [p.as_dict() for p in b.periods], b.findings
