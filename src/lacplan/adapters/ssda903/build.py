"""From read tables to cases: reading the files, collection years, per-child assembly,
accounting.

``read_ssda903`` (in :mod:`lacplan.adapters.ssda903`) returns an :class:`Ssda903Batch`. The
whole return is held in memory (a council's is a few MB); each child is yielded once all its
rows are read. Every row ends in exactly one place: used, ignored with a reason, or rejected
with an error naming its file, row and column (a child with a rejected row is not evaluated;
its other rows are ignored with reason ``child_rejected``). ``years.py`` assigns collection
years; ``child.py`` builds one child's case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Final

from lacplan.adapters.sources import Batch, given_files
from lacplan.adapters.ssda903.child import ChildRows, ChildState, Ref
from lacplan.adapters.ssda903.readers import SUFFIXES, read_file
from lacplan.adapters.ssda903.tables import RawTable
from lacplan.adapters.ssda903.values import parse_date
from lacplan.adapters.ssda903.years import (
    MAX_YEAR,
    MIN_YEAR,
    CollectionYears,
    collection_year,
    row_year,
    year_span,
)
from lacplan.domain.coverage import SourceFinding
from lacplan.domain.validation import Problem
from lacplan.model import Case, RecordError

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "SSDA903_ERROR_CODES",
    "SSDA903_FINDING_CODES",
    "Ssda903Batch",
    "collection_year",
]

#: Codes of rows the adapter rejects (besides the case format's own, should a built case fail).
SSDA903_ERROR_CODES: Final[tuple[str, ...]] = (
    "missing_value",
    "invalid_date",
    "end_before_start",
    "no_header",
    "conflicting_header",
)
#: Codes of the findings the adapter adds (per child, or per file in ``source_findings``).
SSDA903_FINDING_CODES: Final[tuple[str, ...]] = (
    "start_before_data",
    "missing_start",
    "start_within_period",
    "period_end_moved",
    "episode_gap",
    "open_episode_superseded",
    "overlapping_episodes",
    "no_end_reason",
    "temporary_placement",
    "short_breaks_period",
    "short_breaks_ended",
    "short_breaks_began",
    "unknown_code",
    "conflicting_years",
    "date_of_birth_differs",
    "invalid_sdq_score",
    "year_assumed",
    "mixed_years",
    "dob_first_of_month",
)


class Ssda903Batch(Batch):
    """The cases of an SSDA903 return (one or more collection years, CSV, XML or xlsx)."""

    __slots__ = ("_paths", "_years")

    def __init__(self, paths: Sequence[str], years: Mapping[str, int] | None = None) -> None:
        super().__init__()
        self._paths = list(paths)
        self._years = dict(years or {})
        CollectionYears(self._years)  # checks the years now, not when iteration starts

    # ------------------------------------------------------------------ reading
    def _read(self) -> list[RawTable]:
        tables: list[RawTable] = []
        for path in given_files(self._paths, SUFFIXES, ".csv, .xml or .xlsx"):
            tables.extend(read_file(path))
        return tables

    # ------------------------------------------------------------------ assembly
    def __iter__(self) -> Iterator[Case | RecordError]:
        self.accounting.tables.clear()  # each iteration counts afresh (in place: views share it)
        self.findings.clear()
        tables = self._read()
        assigner = CollectionYears(self._years)
        years = assigner.assign(tables)
        self.findings.extend(assigner.findings)
        children: dict[str, ChildRows] = defaultdict(ChildRows)
        review_years: set[int] = set()
        last_year = MIN_YEAR
        for t in tables:
            acc = self.accounting.table(t.spec.name)
            file_year = years[id(t)]
            if not t.spec.used:
                acc.ignored["table_not_used"] += len(t.rows)
            if t.spec.name == "Reviews" and "YEAR" not in t.columns:
                review_years.add(file_year)  # a year's reviews, even if none were held
            for row in t.rows:
                year = row_year(row, file_year)
                last_year = max(last_year, year)
                if t.spec.name == "Reviews":
                    review_years.add(year)
                if not t.spec.used:
                    continue
                child_id = row.text("CHILD")
                if not child_id:
                    acc.rejected += 1
                    yield RecordError(
                        t.file,
                        row.number,
                        None,
                        (
                            Problem(
                                f"{t.spec.name}.CHILD",
                                "missing_value",
                                f"{t.where(row, 'CHILD')}: the child's id is blank, so the row "
                                "belongs to no child.",
                            ),
                        ),
                    )
                    continue
                children[child_id].refs[t.spec.name].append(Ref(t, row, year))
            if t.spec.name == "Header":
                self._dob_finding(t)
        if not children:
            return
        until = year_span(last_year)[1]
        for child_id in sorted(children):
            yield from self._child(child_id, children[child_id], review_years, until)

    def _dob_finding(self, t: RawTable) -> None:
        dobs = [d for row in t.rows if (d := parse_date(row.cells.get("DOB", ""))) is not None]
        firsts = sum(d.day == 1 for d in dobs)
        if len(dobs) >= 2 and firsts * 2 > len(dobs):
            self.findings.append(
                SourceFinding(
                    code="dob_first_of_month",
                    field=t.file,
                    message=f"{t.file}: {firsts} of {len(dobs)} dates of birth fall on the 1st of "
                    "a month, as in shared regional data that cuts them to the month; ages, "
                    "the 18th birthday and age-based clocks may be up to a month early.",
                )
            )

    def _child(
        self, child_id: str, child: ChildRows, review_years: set[int], until: date
    ) -> Iterator[Case | RecordError]:
        st = ChildState(child_id, child)
        case = st.build(review_years, until)
        yield from child.errors
        acc = self.accounting
        for table, refs in child.refs.items():
            for ref in refs:
                rid = id(ref.row)
                if rid in child.rejected:
                    acc.rejected(table)
                elif case is None:
                    acc.ignored(table, "child_rejected")
                elif rid in st.ignored:
                    acc.ignored(table, st.ignored[rid])
                else:
                    acc.used(table)
        if case is not None:
            yield case
