"""One child's case from its SSD rows: the date of birth, periods of care and placements
(``periods.py``), the events of the reviews, visits, health, SDQ and care-plan tables, the
review due dates the case system stored, the coverage, and the rows rejected or ignored."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from lacplan.adapters.sources import StoredDue
from lacplan.adapters.ssd.codes import (
    DENTAL_CHECK,
    HEALTH_ASSESSMENT,
    check_kind,
    check_status,
    legal_status_code,
)
from lacplan.adapters.ssd.periods import EpisodeRow, LegalRow, PlacementRow, build_periods
from lacplan.adapters.ssd.tables import SsdRow, SsdTable
from lacplan.adapters.ssd.values import flag, normal_text, parse_date
from lacplan.domain.coverage import SourceFinding
from lacplan.domain.validation import Problem, _validate, with_origin
from lacplan.model import Case, RecordError

__all__ = ["SOURCE", "Context", "PersonRows", "Ref", "build_child"]

SOURCE: Final = "ssd"

#: The event types each table shows (the coverage of a case lists those of the tables given).
EVENTS_BY_TABLE: Final[dict[str, tuple[str, ...]]] = {
    "ssd_cla_reviews": ("review",),
    "ssd_cla_visits": ("visit",),
    "ssd_cla_health": ("health_assessment", "health_consent_refused", "dental_check"),
    "ssd_sdq_scores": ("sdq",),
    "ssd_cla_care_plan": ("care_plan",),
}

#: The review rules the stored due dates stand for, by position in the period (from 1).
_REVIEW_RULES: Final = ("review-first", "review-second")


@dataclass(slots=True)
class Ref:
    table: SsdTable
    row: SsdRow

    def where(self, column: str | None = None) -> str:
        return self.table.where(self.row, column)


@dataclass(slots=True)
class PersonRows:
    refs: dict[str, list[Ref]] = field(default_factory=dict)

    def add(self, ref: Ref) -> None:
        self.refs.setdefault(ref.table.spec.name, []).append(ref)


@dataclass(slots=True)
class Context:
    """What every child's build shares: the data's last day, the first day the window shows,
    the event types the tables given show, and counts for the batch's findings."""

    until: date
    window_start: date | None
    observed: tuple[str, ...]
    descriptions: Counter[str] = field(default_factory=Counter)  # LS code read from a description
    unknown_status: int = 0


class _Child:
    def __init__(self, child_id: str, rows: PersonRows, ctx: Context) -> None:
        self.child_id = child_id
        self.rows = rows
        self.ctx = ctx
        self.errors: list[RecordError] = []
        self.rejected: set[int] = set()
        self.ignored: dict[int, str] = {}
        self.findings: list[SourceFinding] = []
        self.events: list[dict[str, Any]] = []
        self.stored: list[StoredDue] = []
        self.open: set[str] = set()  # ids of the periods still open

    # ------------------------------------------------------------------ helpers
    def refs(self, table: str) -> list[Ref]:
        return self.rows.refs.get(table, [])

    def reject(self, ref: Ref, column: str, code: str, text: str) -> None:
        self.rejected.add(id(ref.row))
        self.errors.append(
            RecordError(
                ref.table.file,
                ref.row.number,
                self.child_id,
                (Problem(f"{ref.table.spec.name}.{column}", code, f"{ref.where(column)}: {text}"),),
            )
        )

    def note(self, code: str, where: str, text: str) -> None:
        self.findings.append(SourceFinding(code=code, field=where, message=f"{where}: {text}"))

    def date_in(self, ref: Ref, column: str, *, required: bool) -> date | bool | None:
        """The date in a cell (``None``: blank); ``False`` when the row was rejected for it."""
        d = parse_date(ref.row.cells.get(column))
        if d is False:
            self.reject(
                ref,
                column,
                "invalid_date",
                "is not a date written yyyy-mm-dd (a time may follow) or dd/mm/yyyy, or not a "
                "real date from 1900 to 2099.",
            )
            return False
        if d is None and required:
            self.reject(ref, column, "missing_value", "the date is blank.")
            return False
        return d

    def dated_rows(self, table: str, column: str) -> tuple[list[tuple[Ref, date]], bool]:
        """The rows of ``table`` with their (required) date in ``column``, and whether none
        was rejected for it."""
        out: list[tuple[Ref, date]] = []
        ok = True
        for ref in self.refs(table):
            d = self.date_in(ref, column, required=True)
            if isinstance(d, date):
                out.append((ref, d))
            else:
                ok = False
        return out, ok

    # ------------------------------------------------------------------ person
    def dob(self) -> date | None:
        refs = self.refs("ssd_person")
        if not refs:
            first = next(r for rs in self.rows.refs.values() for r in rs)
            self.reject(
                first,
                "person_id",
                "no_person",
                "the child has no ssd_person row in the files given, so the date of birth is "
                "unknown and no clock can be computed.",
            )
            return None
        found: list[tuple[date, Ref]] = []
        for ref in refs:
            d = self.date_in(ref, "pers_dob", required=False)
            if d is None:
                d = self.date_in(ref, "pers_expected_dob", required=False)
                if isinstance(d, date):
                    self.note(
                        "estimated_dob",
                        ref.where("pers_dob"),
                        "the date of birth is blank and pers_expected_dob is used (the System C "
                        "extract moves an estimated date of birth there).",
                    )
                elif d is None:
                    self.reject(ref, "pers_dob", "missing_value", "the date of birth is blank.")
                    return None
            if d is False:
                return None
            assert isinstance(d, date)
            found.append((d, ref))
        if len({d for d, _ in found}) > 1:
            self.reject(
                found[1][1],
                "pers_dob",
                "conflicting_person",
                "the child has several ssd_person rows with different dates of birth.",
            )
            return None
        for _, ref in found[1:]:
            self.ignored[id(ref.row)] = "duplicate_row"
        return found[0][0]

    # ------------------------------------------------------------------ care
    def episodes(self) -> list[EpisodeRow] | None:
        out: list[EpisodeRow] = []
        ok = True
        for ref in self.refs("ssd_cla_episodes"):
            row = ref.row
            start = self.date_in(ref, "clae_cla_episode_start_date", required=True)
            ceased = self.date_in(ref, "clae_cla_episode_ceased_date", required=False)
            entered = self.date_in(ref, "clae_entered_care_date", required=False)
            if start is False or ceased is False or entered is False:
                ok = False
                continue
            assert isinstance(start, date)
            assert ceased is None or isinstance(ceased, date)
            assert entered is None or isinstance(entered, date)
            cla_id = row.text("clae_cla_id")
            if not cla_id:
                self.reject(ref, "clae_cla_id", "missing_value", "the period-of-care id is blank.")
                ok = False
                continue
            if ceased is not None and ceased < start:
                self.reject(
                    ref,
                    "clae_cla_episode_ceased_date",
                    "end_before_start",
                    "the episode ends before it starts.",
                )
                ok = False
                continue
            out.append(
                EpisodeRow(
                    key=id(row),
                    where=ref.where(),
                    cla_id=cla_id,
                    start=start,
                    ceased=ceased,
                    reason=normal_text(row.cells.get("clae_cla_episode_ceased_reason")),
                    placement_id=row.text("clae_cla_placement_id"),
                    entered=entered,
                )
            )
        return out if ok else None

    def placements(self, cla_ids: set[str]) -> dict[str, list[PlacementRow]] | None:
        out: dict[str, list[PlacementRow]] = {}
        ok = True
        for ref in self.refs("ssd_cla_placement"):
            row = ref.row
            start = self.date_in(ref, "clap_cla_placement_start_date", required=True)
            end = self.date_in(ref, "clap_cla_placement_end_date", required=False)
            if start is False or end is False:
                ok = False
                continue
            assert isinstance(start, date)
            assert end is None or isinstance(end, date)
            if end is not None and end < start:
                self.reject(
                    ref,
                    "clap_cla_placement_end_date",
                    "end_before_start",
                    "the placement ends before it starts.",
                )
                ok = False
                continue
            cla_id = row.text("clap_cla_id")
            if cla_id not in cla_ids:
                self.ignored[id(row)] = "unknown_period"
                continue
            out.setdefault(cla_id, []).append(
                PlacementRow(
                    key=id(row),
                    where=ref.where(),
                    placement_id=row.text("clap_cla_placement_id") or f"{cla_id}-{start}",
                    start=start,
                    end=end,
                    place=normal_text(row.cells.get("clap_cla_placement_type")),
                    change=normal_text(row.cells.get("clap_cla_placement_change_reason")),
                )
            )
        return out if ok else None

    def legal(self) -> list[LegalRow] | None:
        out: list[LegalRow] = []
        ok = True
        for ref in self.refs("ssd_legal_status"):
            start = self.date_in(ref, "lega_legal_status_start_date", required=True)
            end = self.date_in(ref, "lega_legal_status_end_date", required=False)
            if start is False or end is False:
                ok = False
                continue
            assert isinstance(start, date)
            assert end is None or isinstance(end, date)
            code, described = legal_status_code(normal_text(ref.row.cells.get("lega_legal_status")))
            if described:
                self.ctx.descriptions[code or "?"] += 1
            out.append(LegalRow(id(ref.row), code, start, end))
        return out if ok else None

    # ------------------------------------------------------------------ events
    def period_of(self, cla_id: str, d: date, spans: dict[str, tuple[date, date]]) -> str | None:
        """The period an event belongs to: the one its period id names (if it is the child's),
        else the one whose span holds its date; ``None`` if its date is outside that one."""
        span = spans.get(cla_id)
        if span is None:
            cla_id = next((p for p, (a, b) in spans.items() if a <= d <= b), "")
            span = spans.get(cla_id)
        return cla_id if span is not None and span[0] <= d <= span[1] else None

    def event(self, ref: Ref, d: date, event: dict[str, Any], id_column: str) -> None:
        if d > self.ctx.until:
            self.ignored[id(ref.row)] = "after_extract"
            return
        event_id = ref.row.text(id_column)
        self.events.append({"date": d, **event, **({"event_id": event_id} if event_id else {})})

    def reviews(self, spans: dict[str, tuple[date, date]], chain_ok: set[str]) -> bool:
        ok = True
        seen: set[str] = set()
        chains: dict[str, list[tuple[date, str, date | None, Ref]]] = {}
        open_spans = {
            p: (a, date.max if b == self.ctx.until and p in self.open else b)
            for p, (a, b) in spans.items()
        }
        for ref in self.refs("ssd_cla_reviews"):
            row = ref.row
            held = self.date_in(ref, "clar_cla_review_date", required=False)
            due = self.date_in(ref, "clar_cla_review_due_date", required=False)
            if held is False or due is False:
                ok = False
                continue
            assert held is None or isinstance(held, date)
            assert due is None or isinstance(due, date)
            rid = row.text("clar_cla_review_id")
            if rid and rid in seen:
                self.ignored[id(row)] = "duplicate_row"
                continue
            seen.add(rid)
            cancelled = flag(row.cells.get("clar_cla_review_cancelled"))
            if cancelled == "unknown":
                self.note(
                    "unknown_flag",
                    ref.where("clar_cla_review_cancelled"),
                    "the cancelled flag is not Y or N; the review is taken as not cancelled.",
                )
            if cancelled is True:
                self.ignored[id(row)] = "cancelled"
                continue
            when = held or due
            # (a review not yet held may be due after the data's last day: an open period's
            # span then reaches on)
            within = spans if held is not None else open_spans
            cla_id = self.period_of(row.text("clar_cla_id"), when, within) if when else None
            if cla_id is None:
                self.ignored[id(row)] = "outside_period" if when else "no_date"
                continue
            chains.setdefault(cla_id, []).append((when, rid, due, ref))  # type: ignore[arg-type]
            if held is None:
                self.ignored[id(row)] = "not_held"
                continue
            self.event(ref, held, {"type": "review"}, "clar_cla_review_id")
        for cla_id, rows in chains.items():
            if cla_id not in chain_ok:
                continue
            rows.sort(key=lambda t: (t[0], t[2] or date.max, t[1]))
            for n, (_, _, due, ref) in enumerate(rows, start=1):
                rule = _REVIEW_RULES[n - 1] if n <= 2 else "review-subsequent"
                seq = 1 if n <= 2 else n - 2
                self.stored.append(
                    StoredDue(
                        self.child_id, cla_id, rule, seq, due, ref.where("clar_cla_review_due_date")
                    )
                )
        return ok

    def visits(self, spans: dict[str, tuple[date, date]]) -> bool:
        rows, ok = self.dated_rows("ssd_cla_visits", "clav_cla_visit_date")
        for ref, d in rows:
            seen = flag(ref.row.cells.get("clav_cla_visit_seen"))
            alone = flag(ref.row.cells.get("clav_cla_visit_seen_alone"))
            for col, value in (("clav_cla_visit_seen", seen), ("clav_cla_visit_seen_alone", alone)):
                if value == "unknown":
                    self.note(
                        "unknown_flag",
                        ref.where(col),
                        "the flag is not Y or N; it is taken as not recorded.",
                    )
            if seen is False:
                self.ignored[id(ref.row)] = "child_not_seen"
                continue
            if self.period_of(ref.row.text("clav_cla_id"), d, spans) is None:
                self.ignored[id(ref.row)] = "outside_period"
                continue
            event: dict[str, Any] = {"type": "visit", "by": "social_worker"}
            if isinstance(alone, bool):
                event["seen_alone"] = alone
            self.event(ref, d, event, "clav_cla_visit_id")
        return ok

    def health(self, spans: dict[str, tuple[date, date]]) -> bool:
        rows, ok = self.dated_rows("ssd_cla_health", "clah_health_check_date")
        for ref, d in rows:
            kind = check_kind(normal_text(ref.row.cells.get("clah_health_check_type")))
            status = check_status(normal_text(ref.row.cells.get("clah_health_check_status")))
            if kind is None:
                self.ignored[id(ref.row)] = "other_check_type"
                continue
            if status == "unknown":
                self.ctx.unknown_status += 1
            if status in ("planned", "cancelled", "unknown") or (
                status == "refused" and kind == DENTAL_CHECK
            ):
                self.ignored[id(ref.row)] = "unknown_status" if status == "unknown" else status
                continue
            if self.period_of("", d, spans) is None:
                self.ignored[id(ref.row)] = "outside_period"
                continue
            etype = "health_consent_refused" if status == "refused" else kind
            assert etype in (HEALTH_ASSESSMENT, DENTAL_CHECK, "health_consent_refused")
            self.event(ref, d, {"type": etype}, "clah_health_check_id")
        return ok

    def dated(
        self,
        table: str,
        column: str,
        id_column: str,
        etype: str,
        spans: dict[str, tuple[date, date]],
    ) -> bool:
        """SDQ scores and care plans: one event per row dated inside a period."""
        rows, ok = self.dated_rows(table, column)
        for ref, d in rows:
            if etype == "sdq":
                score = ref.row.text("csdq_sdq_score")
                if not score:
                    self.ignored[id(ref.row)] = "no_score"
                    continue
                digits = score.isascii() and score.isdigit() and len(score.lstrip("0")) <= 2
                if not (digits and int(score) <= 40):
                    self.note(
                        "invalid_sdq_score",
                        ref.where("csdq_sdq_score"),
                        "the SDQ score is not a whole number from 0 to 40; the row is not used.",
                    )
                    self.ignored[id(ref.row)] = "invalid_sdq_score"
                    continue
            if self.period_of("", d, spans) is None:
                self.ignored[id(ref.row)] = "outside_period"
                continue
            self.event(ref, d, {"type": etype}, id_column)
        return ok

    # ------------------------------------------------------------------ the case
    def build(self) -> Case | None:
        if not self.refs("ssd_cla_episodes"):
            for refs in self.rows.refs.values():
                for ref in refs:
                    self.ignored[id(ref.row)] = "not_looked_after"
            return None
        dob = self.dob()
        episodes = self.episodes()
        if dob is None or episodes is None:
            return None
        cla_ids = {e.cla_id for e in episodes}
        placements = self.placements(cla_ids)
        legal = self.legal()
        if placements is None or legal is None:
            return None
        periods, findings, ignored = build_periods(episodes, placements, legal)
        self.findings.extend(findings)
        self.ignored.update(ignored)
        used = set().union(*(p.used for p in periods))
        for ref in self.refs("ssd_legal_status"):
            if id(ref.row) not in used:
                self.ignored[id(ref.row)] = "outside_period"
        until = self.ctx.until
        self.open = {p.record["period_id"] for p in periods if p.record["end"] is None}
        spans = {
            p.record["period_id"]: (p.record["start"], p.record["end"] or until) for p in periods
        }
        window = self.ctx.window_start
        chain_ok = set()
        for pid, (start, _) in spans.items():
            if window is not None and start < window:
                self.note(
                    "period_before_window",
                    f"ssd_cla_episodes.clae_cla_id {pid}",
                    "the period of care began before the extract's window, so its first "
                    "reviews may be missing: the stored review due dates of this period are "
                    "not numbered or compared.",
                )
            else:
                chain_ok.add(pid)
        ok = self.reviews(spans, chain_ok)
        ok = self.visits(spans) and ok
        ok = self.health(spans) and ok
        ok = (
            self.dated("ssd_sdq_scores", "csdq_sdq_completed_date", "csdq_table_id", "sdq", spans)
            and ok
        )
        ok = (
            self.dated(
                "ssd_cla_care_plan",
                "lacp_cla_care_plan_start_date",
                "lacp_table_id",
                "care_plan",
                spans,
            )
            and ok
        )
        if not ok:
            return None
        first_start = min(s for s, _ in spans.values())
        lo = window if window is not None else first_start
        observed = [{"type": t, "from": min(lo, until), "to": until} for t in self.ctx.observed]
        record: dict[str, Any] = {
            "child_id": self.child_id,
            "date_of_birth": dob,
            "periods": [p.record for p in periods],
            "events": self.events,
            "coverage": {"source": SOURCE, "observed": observed, "until": until},
            "source_findings": [f.model_dump() for f in self.findings],
        }
        first = self.refs("ssd_person")[0]
        result = _validate(record)
        if isinstance(result, Case):
            return with_origin(result, first.table.file, first.row.number)
        self.rejected.add(id(first.row))
        self.errors.append(
            RecordError(first.table.file, first.row.number, self.child_id, result[1])
        )
        return None


@dataclass(slots=True)
class ChildResult:
    case: Case | None
    errors: list[RecordError]
    rejected: set[int]
    ignored: dict[int, str]
    stored: list[StoredDue]


def build_child(child_id: str, rows: PersonRows, ctx: Context) -> ChildResult:
    """Build one child's case from all its rows; every row's disposition is in the result."""
    c = _Child(child_id, rows, ctx)
    case = c.build()
    return ChildResult(case, c.errors, c.rejected, c.ignored, c.stored if case is not None else [])
