"""From read tables to cases: collection years, merging years, per-child assembly, accounting.

``read_ssda903`` is the entry point (re-exported by :mod:`lacplan.adapters.ssda903`). The whole
return is held in memory (a council's is a few MB); each child is yielded once all its rows are
read. Every row ends in exactly one place: used, ignored with a reason, or rejected with an
error naming its file, row and column (a child with a rejected row is not evaluated; its other
rows are ignored with reason ``child_rejected``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from pydantic import ValidationError

from lacplan.adapters.sources import OBSERVED_EVENTS, Batch
from lacplan.adapters.ssda903.codes import CODE_LISTS, valid_code
from lacplan.adapters.ssda903.episodes import Episode, build_periods
from lacplan.adapters.ssda903.readers import files_in, read_file
from lacplan.adapters.ssda903.tables import RawTable, Row
from lacplan.adapters.ssda903.values import code, parse_date, safe_code
from lacplan.domain.coverage import SourceFinding
from lacplan.domain.validation import Problem, _problems_from
from lacplan.errors import UsageError
from lacplan.model import Case, RecordError

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "SSDA903_ERROR_CODES",
    "SSDA903_FINDING_CODES",
    "Ssda903Batch",
    "collection_year",
]

SOURCE: Final = "ssda903"

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
_EPISODE_CODES: Final = ("RNE", "LS", "PLACE", "REC", "REASON_PLACE_CHANGE")


#: Collection years lacplan accepts (from a --year, a YEAR cell or a file's dates).
MIN_YEAR: Final = 1991
MAX_YEAR: Final = 2100


def collection_year(d: date) -> int:
    """The collection year (named by the 31 March it ends on) containing ``d``."""
    return d.year + 1 if d.month >= 4 else d.year


def year_span(year: int) -> tuple[date, date]:
    return date(year - 1, 4, 1), date(year, 3, 31)


@dataclass(slots=True)
class _Ref:
    """A row of a table with its collection year."""

    table: RawTable
    row: Row
    year: int

    def where(self, column: str | None = None) -> str:
        return self.table.where(self.row, column)


@dataclass(slots=True)
class _Child:
    refs: dict[str, list[_Ref]] = field(default_factory=lambda: defaultdict(list))
    errors: list[RecordError] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)  # id(row) of rejected rows


class Ssda903Batch(Batch):
    """The cases of an SSDA903 return (one or more collection years, CSV, XML or xlsx)."""

    __slots__ = ("_matched", "_paths", "_years")

    def __init__(self, paths: Sequence[str], years: Mapping[str, int] | None = None) -> None:
        super().__init__()
        self._paths = list(paths)
        self._years = {os.fspath(k): v for k, v in (years or {}).items()}
        self._matched: set[str] = set()
        for given, year in self._years.items():
            if not (MIN_YEAR <= year <= MAX_YEAR):
                raise UsageError(
                    f"the collection year for {given} must be from {MIN_YEAR} to {MAX_YEAR}"
                )

    # ------------------------------------------------------------------ reading
    def _read(self) -> list[RawTable]:
        tables: list[RawTable] = []
        for given in self._paths:
            if not os.path.exists(given):
                raise UsageError(f"no such file or directory: {given}")
            found = files_in(given)
            if not found:
                raise UsageError(f"{given}: no .csv, .xml or .xlsx files in the directory")
            for path in found:
                tables.extend(read_file(path))
        return tables

    def _year_of(self, path: str) -> int | None:
        target = os.path.abspath(path)
        for given, year in self._years.items():  # a --year naming a directory covers its files
            where = os.path.abspath(given)
            if target == where or target.startswith(where + os.sep):
                self._matched.add(given)
                return year
        return None

    def _assign_years(self, tables: list[RawTable]) -> dict[int, int]:
        """Each table's collection year by ``id(table)`` (rows with a YEAR column keep theirs)."""
        latest: dict[str, date] = {}
        for t in tables:
            for row in t.rows:
                for col in ("DECOM", "DEC", "REVIEW"):
                    d = parse_date(row.cells.get(col, ""))
                    if (
                        d is not None
                        and MIN_YEAR <= collection_year(d) <= MAX_YEAR
                        and (t.path not in latest or d > latest[t.path])
                    ):
                        latest[t.path] = d
        by_path: dict[str, int] = {}
        for t in tables:
            given = self._year_of(t.path)
            if given is not None:
                by_path[t.path] = given
            elif t.path in latest:
                by_path[t.path] = collection_year(latest[t.path])
        by_dir: dict[str, set[int]] = defaultdict(set)
        for t in tables:
            if t.spec.used and t.path in by_path and self._year_of(t.path) is None:
                by_dir[os.path.dirname(t.path)].add(by_path[t.path])
        for folder, found in sorted(by_dir.items()):
            if len(found) > 1:
                self.findings.append(
                    SourceFinding(
                        code="mixed_years",
                        field=folder or ".",
                        message=f"{folder or '.'}: its files' dates put them in different "
                        f"collection years ({', '.join(str(y) for y in sorted(found))}); if "
                        "they are one return, give --year FOLDER=YYYY (a file whose only "
                        "dates are of episodes carried from earlier years looks older).",
                    )
                )
        unmatched = sorted(set(self._years) - self._matched)
        if unmatched:
            raise UsageError(f"--year names {', '.join(unmatched)}, which is not an input given")
        out: dict[int, int] = {}
        known = sorted(set(by_path.values()))
        for t in tables:
            if t.path in by_path:
                out[id(t)] = by_path[t.path]
                continue
            if not t.spec.used:  # counted and ignored: its year does not matter
                out[id(t)] = known[-1] if known else MIN_YEAR
                continue
            siblings = {
                y for p, y in by_path.items() if os.path.dirname(p) == os.path.dirname(t.path)
            }
            if "YEAR" in t.columns and not siblings:
                out[id(t)] = known[-1] if known else MIN_YEAR  # per-row YEAR decides
                continue
            pool = siblings or set(known)
            if not pool:
                raise UsageError(
                    f"{t.file}: cannot tell its collection year (no DECOM, DEC or REVIEW dates in "
                    f"the files given); give --year {t.path}=YYYY"
                )
            out[id(t)] = max(pool)
            if len(pool) > 1 or not siblings:
                self.findings.append(
                    SourceFinding(
                        code="year_assumed",
                        field=t.file,
                        message=f"{t.file}: the file has no DECOM, DEC or REVIEW dates; it is "
                        f"taken to be the {max(pool) - 1}-{max(pool) % 100:02d} return. Give "
                        f"--year {t.path}=YYYY if it is another year's.",
                    )
                )
        return out

    # ------------------------------------------------------------------ assembly
    def __iter__(self) -> Iterator[Case | RecordError]:
        self.accounting.tables.clear()  # each iteration counts afresh (in place: views share it)
        self.findings.clear()
        self._matched.clear()
        tables = self._read()
        years = self._assign_years(tables)
        children: dict[str, _Child] = defaultdict(_Child)
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
                year = _row_year(row, file_year)
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
                children[child_id].refs[t.spec.name].append(_Ref(t, row, year))
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
        self, child_id: str, child: _Child, review_years: set[int], until: date
    ) -> Iterator[Case | RecordError]:
        st = _ChildState(child_id, child, self)
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


def _row_year(row: Row, file_year: int) -> int:
    text = row.text("YEAR")
    if text.isascii() and text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR:
        return int(text)
    return file_year


class _ChildState:
    """Builds one child's case from its rows."""

    def __init__(self, child_id: str, child: _Child, batch: Ssda903Batch) -> None:
        self.child_id = child_id
        self.child = child
        self.batch = batch
        self.findings: list[SourceFinding] = []
        self.ignored: dict[int, str] = {}

    # -------------------------------------------------------------- helpers
    def reject(self, ref: _Ref, column: str, code_: str, text: str) -> None:
        self.child.rejected.add(id(ref.row))
        self.child.errors.append(
            RecordError(
                ref.table.file,
                ref.row.number,
                self.child_id,
                (
                    Problem(
                        f"{ref.table.spec.name}.{column}", code_, f"{ref.where(column)}: {text}"
                    ),
                ),
            )
        )

    def note(self, code_: str, where: str, text: str) -> None:
        self.findings.append(SourceFinding(code=code_, field=where, message=f"{where}: {text}"))

    def date_in(self, ref: _Ref, column: str, *, required: bool) -> date | bool | None:
        """The date in a cell; False when the row was rejected for it."""
        cell = ref.row.cells.get(column, "")
        if cell == "":
            if required:
                self.reject(ref, column, "missing_value", "the date is blank.")
                return False
            return None
        d = parse_date(cell)
        if d is None:
            self.reject(
                ref,
                column,
                "invalid_date",
                "is not a date written dd/mm/yyyy or yyyy-mm-dd (or is not a real date from 1900 "
                "to 2099).",
            )
            return False
        return d

    def check_code(self, ref: _Ref, column: str, value: str) -> None:
        if value and column in CODE_LISTS and not valid_code(column, value, ref.year):
            self.note(
                "unknown_code",
                ref.where(column),
                f"{safe_code(value)} is not in the {column} code list of the "
                f"{ref.year - 1}-{ref.year % 100:02d} return; the row is still used.",
            )

    # -------------------------------------------------------------- tables
    def header(self) -> date | None:
        refs = self.child.refs.get("Header", [])
        if not refs:
            first = next(r for rs in self.child.refs.values() for r in rs)
            self.child.rejected.add(id(first.row))
            self.child.errors.append(
                RecordError(
                    first.table.file,
                    first.row.number,
                    self.child_id,
                    (
                        Problem(
                            "Header.CHILD",
                            "no_header",
                            f"{first.where('CHILD')}: the child has no Header row in the files "
                            "given, so the date of birth is unknown and no clock can be computed.",
                        ),
                    ),
                )
            )
            return None
        dated: list[tuple[int, date, _Ref]] = []
        for ref in refs:
            d = self.date_in(ref, "DOB", required=True)
            if isinstance(d, date):
                dated.append((ref.year, d, ref))
                self.check_code(ref, "SEX", code(ref.row.cells.get("SEX", "")))
        if len(dated) != len(refs):
            return None
        latest = max(y for y, _, _ in dated)
        same_year = {d for y, d, _ in dated if y == latest}
        if len(same_year) > 1:
            ref = next(r for y, _, r in dated if y == latest)
            self.reject(
                ref,
                "DOB",
                "conflicting_header",
                "the child has several Header rows in one collection year with different dates "
                "of birth; correct the return so the child has one.",
            )
            return None
        dob = same_year.pop()
        kept = False
        for y, d, ref in sorted(dated, key=lambda t: (-t[0], t[2].row.number)):
            if y == latest and not kept:
                kept = True
                continue
            self.ignored[id(ref.row)] = "repeated_in_other_year" if y != latest else "duplicate_row"
            if d != dob:
                self.note(
                    "conflicting_years",
                    ref.where("DOB"),
                    "the date of birth differs from the later return's; the later one is used.",
                )
        return dob

    def episodes(self) -> list[Episode] | None:
        by_decom: dict[date, list[tuple[_Ref, date | None]]] = defaultdict(list)
        ok = True
        for ref in self.child.refs.get("Episodes", []):
            decom = self.date_in(ref, "DECOM", required=True)
            dec = self.date_in(ref, "DEC", required=False)
            if decom is False or dec is False:
                ok = False
                continue
            assert isinstance(decom, date)
            assert dec is None or isinstance(dec, date)
            if dec is not None and dec < decom:
                self.reject(ref, "DEC", "end_before_start", "the episode ends before it starts.")
                ok = False
                continue
            by_decom[decom].append((ref, dec))
        if not ok:
            return None
        out: list[Episode] = []
        for decom, rows in by_decom.items():
            # The row with an end date wins, then the later year (open episodes are carried into
            # the next year's return).
            rows.sort(key=lambda t: (t[1] is not None, t[0].year, -t[0].row.number), reverse=True)
            ref, dec = rows[0]
            cells = _episode_cells(ref.row)
            for other, other_dec in rows[1:]:
                theirs = _episode_cells(other.row)
                if other_dec is None:  # an open episode carried into a later return
                    theirs["REC"] = cells["REC"]
                same = theirs == cells and other_dec in (dec, None)
                reason = "duplicate_row" if other.year == ref.year else "repeated_in_other_year"
                self.ignored[id(other.row)] = reason if same else "superseded"
                if not same:
                    self.note(
                        "conflicting_years",
                        other.where(),
                        f"the episode starting {decom.isoformat()} differs from the one in "
                        f"{ref.where()}; that one is used (the row with an end date, then the "
                        "later return).",
                    )
            for col in _EPISODE_CODES:
                self.check_code(ref, col, cells[col])
            out.append(
                Episode(
                    decom=decom,
                    dec=dec,
                    rne=cells["RNE"],
                    ls=cells["LS"],
                    place=cells["PLACE"],
                    rec=cells["REC"],
                    change=cells["REASON_PLACE_CHANGE"],
                    carer=(cells["PLACE"], cells["URN"], cells["PL_POST"]),
                    where=ref.where(),
                )
            )
        return out

    def reviews(self, dob: date) -> list[dict[str, Any]] | None:
        events: dict[date, _Ref] = {}
        ok = True
        for ref in sorted(self.child.refs.get("Reviews", []), key=lambda r: -r.year):
            d = self.date_in(ref, "REVIEW", required=True)
            if not isinstance(d, date):
                ok = ok and d is None
                continue
            row_dob = parse_date(ref.row.cells.get("DOB", ""))
            if row_dob is not None and row_dob != dob:
                self.note(
                    "date_of_birth_differs",
                    ref.where("DOB"),
                    "the date of birth on the review row differs from the Header's; the "
                    "Header's is used.",
                )
            if d in events:
                other = events[d]
                self.ignored[id(ref.row)] = (
                    "duplicate_row" if other.year == ref.year else "repeated_in_other_year"
                )
                continue
            events[d] = ref
        if not ok:
            return None
        return [{"type": "review", "date": d} for d in sorted(events)]

    def oc2(self) -> tuple[list[dict[str, Any]], set[int]]:
        """SDQ events (one per year with a score) and the years the child has an OC2 row."""
        events: list[dict[str, Any]] = []
        years: set[int] = set()
        for ref in sorted(self.child.refs.get("OC2", []), key=lambda r: (r.year, r.row.number)):
            if ref.year in years:
                self.ignored[id(ref.row)] = "duplicate_row"
                continue
            score = ref.row.text("SDQ_SCORE")
            if score and not (score.isascii() and score.isdigit() and 0 <= int(score) <= 40):
                self.note(
                    "invalid_sdq_score",
                    ref.where("SDQ_SCORE"),
                    "the SDQ score is not a whole number from 0 to 40, so the year's SDQ is not "
                    "judged.",
                )
                self.ignored[id(ref.row)] = "invalid_sdq_score"
                continue
            years.add(ref.year)
            if score:
                events.append(
                    {"type": "sdq", "date": year_span(ref.year)[1], "date_precision": "year"}
                )
        return events, years

    # -------------------------------------------------------------- the case
    def build(self, review_years: set[int], until: date) -> Case | None:
        dob = self.header()
        episodes = self.episodes()
        if dob is None or episodes is None:
            return None
        reviews = self.reviews(dob)
        if reviews is None:
            return None
        sdqs, sdq_years = self.oc2()
        periods, period_findings = build_periods(episodes)
        observed = [
            {"type": "review", "from": a, "to": b}
            for a, b in (year_span(y) for y in sorted(review_years))
        ]
        observed += [
            {"type": "sdq", "from": a, "to": b}
            for a, b in (year_span(y) for y in sorted(sdq_years))
        ]
        assert set(OBSERVED_EVENTS[SOURCE] or ()) >= {o["type"] for o in observed}
        record: dict[str, Any] = {
            "child_id": self.child_id,
            "date_of_birth": dob,
            "periods": periods,
            "events": [*reviews, *sdqs],
            "coverage": {"source": SOURCE, "observed": observed, "until": until},
            "source_findings": [f.model_dump() for f in (*period_findings, *self.findings)],
        }
        try:
            return Case.model_validate(record)
        except ValidationError as exc:
            first = next(r for rs in self.child.refs.values() for r in rs)
            self.child.rejected.add(id(first.row))
            problems = _problems_from(exc, self.child_id)
            self.child.errors.append(
                RecordError(first.table.file, first.row.number, self.child_id, problems)
            )
            return None


def _episode_cells(row: Row) -> dict[str, str]:
    cells = {col: code(row.cells.get(col, "")) for col in _EPISODE_CODES}
    cells["URN"] = row.text("URN")
    cells["PL_POST"] = row.text("PL_POST").upper()
    return cells
