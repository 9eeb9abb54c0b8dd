"""From read tables to cases: finding the files, joining rows by person and period of care,
the data's last day, per-child assembly and accounting.

``read_ssd`` (in :mod:`lacplan.adapters.ssd`) returns an :class:`SsdBatch`. The whole extract
is held in memory (a council's is tens of MB at most); each child is yielded once all its rows
are read. Every row ends in exactly one place: used, ignored with a reason, or rejected with an
error naming its file, line and column (a child with a rejected row is not evaluated; its other
rows are ignored with reason ``child_rejected``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Final

from dateutil.relativedelta import relativedelta

from lacplan.adapters.sources import Batch, given_files
from lacplan.adapters.ssd.child import EVENTS_BY_TABLE, Context, PersonRows, Ref, build_child
from lacplan.adapters.ssd.readers import SUFFIXES, read_file
from lacplan.adapters.ssd.tables import SsdTable
from lacplan.adapters.ssd.values import parse_date
from lacplan.domain.coverage import SourceFinding
from lacplan.domain.validation import Problem
from lacplan.errors import UsageError
from lacplan.model import Case, RecordError

__all__ = ["SSD_ERROR_CODES", "SSD_FINDING_CODES", "SsdBatch"]

#: Codes of rows the adapter rejects (besides the case format's own, should a built case fail).
SSD_ERROR_CODES: Final[tuple[str, ...]] = (
    "missing_value",
    "invalid_date",
    "end_before_start",
    "no_person",
    "conflicting_person",
)
#: Codes of the findings the adapter adds (per child, or per extract in ``source_findings``).
SSD_FINDING_CODES: Final[tuple[str, ...]] = (
    "estimated_dob",
    "entered_care_differs",
    "no_end_reason",
    "period_end_moved",
    "placement_continued",
    "overlapping_placements",
    "placement_before_period",
    "placement_after_period",
    "placement_outside_period",
    "placements_from_episodes",
    "period_before_window",
    "unknown_flag",
    "invalid_sdq_score",
    "legal_status_descriptions",
    "unknown_health_status",
    "ids_differ_by_leading_zeros",
    "extract_date_assumed",
)

#: The column holding the person's id, by table (reviews may name only the period).
_PERSON: Final[dict[str, str]] = {
    "ssd_person": "pers_person_id",
    "ssd_cla_episodes": "clae_person_id",
    "ssd_cla_placement": "clap_person_id",
    "ssd_legal_status": "lega_person_id",
    "ssd_cla_reviews": "clar_cla_person_id",
    "ssd_cla_visits": "clav_person_id",
    "ssd_cla_health": "clah_person_id",
    "ssd_sdq_scores": "csdq_person_id",
    "ssd_cla_care_plan": "lacp_person_id",
}
#: The column naming the period of care, for tables whose rows may name only it.
_PERIOD: Final[dict[str, str]] = {
    "ssd_cla_placement": "clap_cla_id",
    "ssd_cla_reviews": "clar_cla_id",
}
#: Columns of recorded (past) dates, by table: the latest is the data's last day by default.
_RECORDED: Final[dict[str, tuple[str, ...]]] = {
    "ssd_cla_episodes": ("clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
    "ssd_cla_placement": ("clap_cla_placement_start_date", "clap_cla_placement_end_date"),
    "ssd_cla_reviews": ("clar_cla_review_date",),
    "ssd_cla_visits": ("clav_cla_visit_date",),
    "ssd_sdq_scores": ("csdq_sdq_completed_date",),
    "ssd_cla_care_plan": ("lacp_cla_care_plan_start_date",),
}
_REQUIRED_TABLES: Final = ("ssd_person", "ssd_cla_episodes")


class SsdBatch(Batch):
    """The cases of a Standard Safeguarding Dataset extract (CSV or Parquet tables)."""

    __slots__ = ("_extract_date", "_paths", "_window_years")

    def __init__(
        self,
        paths: Sequence[str],
        *,
        extract_date: date | None = None,
        window_years: int | None = 6,
    ) -> None:
        super().__init__()
        if window_years is not None and not 1 <= window_years <= 100:
            raise UsageError("the SSD window must be from 1 to 100 years")
        self._paths = list(paths)
        self._extract_date = extract_date
        self._window_years = window_years

    # ------------------------------------------------------------------ reading
    def _read(self) -> dict[str, list[SsdTable]]:
        tables: dict[str, list[SsdTable]] = defaultdict(list)
        for path in given_files(self._paths, SUFFIXES, ".csv or .parquet"):
            t = read_file(path)
            tables[t.spec.name].append(t)
        missing = [t for t in _REQUIRED_TABLES if t not in tables]
        if missing:
            raise UsageError(
                f"the SSD files given have no {' or '.join(missing)} table; lacplan needs "
                "ssd_person and ssd_cla_episodes (and reads ssd_cla_placement, "
                "ssd_legal_status, ssd_cla_reviews, ssd_cla_visits, ssd_cla_health, "
                "ssd_sdq_scores and ssd_cla_care_plan where given)"
            )
        return tables

    def _until(self, tables: dict[str, list[SsdTable]]) -> date:
        if self._extract_date is not None:
            return self._extract_date
        latest: date | None = None
        for name, cols in _RECORDED.items():
            for t in tables.get(name, ()):
                for row in t.rows:
                    for c in cols:
                        d = parse_date(row.cells.get(c))
                        if isinstance(d, date) and (latest is None or d > latest):
                            latest = d
        if latest is None:
            raise UsageError(
                "the SSD files hold no dated episode, review or visit, so the extract's date "
                "cannot be told; give it (--extract-date)"
            )
        self.findings.append(
            SourceFinding(
                code="extract_date_assumed",
                field="ssd",
                message=f"The extract is taken to end on {latest.isoformat()}, the latest date "
                "recorded in its episodes, placements, reviews, visits, SDQs and care plans; give "
                "the day it was taken (--extract-date) if later.",
            )
        )
        return latest

    # ------------------------------------------------------------------ joining
    def _join(
        self, tables: dict[str, list[SsdTable]]
    ) -> Iterator[RecordError | tuple[str, PersonRows]]:
        persons: dict[str, PersonRows] = defaultdict(PersonRows)
        period_person: dict[str, str] = {}
        for t in tables["ssd_cla_episodes"]:
            for row in t.rows:
                pid, cla = row.text("clae_person_id"), row.text("clae_cla_id")
                if pid and cla:
                    period_person.setdefault(cla, pid)
        for name, group in tables.items():
            for t in group:
                acc = self.accounting.table(name)
                if t.blank:
                    acc.ignored["blank_row"] += t.blank
                if not t.spec.used:
                    acc.ignored["table_not_used"] += len(t.rows)
                    continue
                person_col = _PERSON[name]
                for row in t.rows:
                    pid = row.text(person_col)
                    if not pid and name in _PERIOD:
                        pid = period_person.get(row.text(_PERIOD[name]), "")
                    if not pid:
                        acc.rejected += 1
                        yield RecordError(
                            t.file,
                            row.number,
                            None,
                            (
                                Problem(
                                    f"{name}.{person_col}",
                                    "missing_value",
                                    f"{t.where(row, person_col)}: the person's id is blank (and "
                                    "no period of care names one), so the row belongs to no "
                                    "child.",
                                ),
                            ),
                        )
                        continue
                    persons[pid].add(Ref(t, row))
        self._leading_zeros(persons)
        for pid in sorted(persons):
            yield pid, persons[pid]

    def _leading_zeros(self, persons: dict[str, PersonRows]) -> None:
        stripped: dict[str, set[str]] = defaultdict(set)
        for pid in persons:
            stripped[pid.lstrip("0") or "0"].add(pid)
        clashes = sum(1 for ids in stripped.values() if len(ids) > 1)
        if clashes:
            self.findings.append(
                SourceFinding(
                    code="ids_differ_by_leading_zeros",
                    field="ssd",
                    message=f"{clashes} group(s) of person ids differ only by leading zeros "
                    "(such as 0123 and 123); they are kept as different children, as the ids "
                    "are written. A spreadsheet round trip may have stripped the zeros.",
                )
            )

    # ------------------------------------------------------------------ assembly
    def __iter__(self) -> Iterator[Case | RecordError]:
        self.accounting.tables.clear()
        self.findings.clear()
        self.stored_due_dates.clear()
        tables = self._read()
        until = self._until(tables)
        window = None
        if self._window_years is not None:
            window = until - relativedelta(years=self._window_years) + relativedelta(days=1)
        observed = tuple(t for name, ts in EVENTS_BY_TABLE.items() if name in tables for t in ts)
        ctx = Context(until, window, observed)
        for item in self._join(tables):
            if isinstance(item, RecordError):
                yield item
                continue
            child_id, rows = item
            res = build_child(child_id, rows, ctx)
            yield from res.errors
            for table, refs in rows.refs.items():
                acc = self.accounting.table(table)
                for ref in refs:
                    rid = id(ref.row)
                    if rid in res.rejected:
                        acc.rejected += 1
                    elif res.errors:  # (a child not looked after has none, and no case)
                        acc.ignored["child_rejected"] += 1
                    elif rid in res.ignored:
                        acc.ignored[res.ignored[rid]] += 1
                    else:
                        acc.used += 1
            if res.case is not None:
                self.stored_due_dates.extend(res.stored)
                yield res.case
        self._batch_findings(ctx)

    def _batch_findings(self, ctx: Context) -> None:
        if ctx.descriptions:
            read = ", ".join(f"{code} ({n})" for code, n in sorted(ctx.descriptions.items()))
            self.findings.append(
                SourceFinding(
                    code="legal_status_descriptions",
                    field="ssd_legal_status.lega_legal_status",
                    message=f"{sum(ctx.descriptions.values())} legal status row(s) carry a "
                    f"description instead of an SSDA903 code; they were read as {read} ('?': "
                    "not recognised, taken as another status). docs/ssd.md lists the words "
                    "matched.",
                )
            )
        if ctx.unknown_status:
            self.findings.append(
                SourceFinding(
                    code="unknown_health_status",
                    field="ssd_cla_health.clah_health_check_status",
                    message=f"{ctx.unknown_status} health check row(s) have a status other than "
                    "Completed, Refused, Planned, Cancelled or none; they are not used.",
                )
            )
