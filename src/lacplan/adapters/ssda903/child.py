"""One child's case from its rows: the Header (date of birth), episodes de-duplicated across
years, reviews and OC2 SDQs, the coverage, and the rows rejected or ignored on the way."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from lacplan.adapters.sources import OBSERVED_EVENTS
from lacplan.adapters.ssda903.codes import CODE_LISTS, valid_code
from lacplan.adapters.ssda903.episodes import Episode, build_periods
from lacplan.adapters.ssda903.tables import RawTable, Row
from lacplan.adapters.ssda903.values import code, parse_date, safe_code
from lacplan.adapters.ssda903.years import year_span
from lacplan.domain.coverage import SourceFinding
from lacplan.domain.validation import Problem, _validate, with_origin
from lacplan.model import Case, RecordError

__all__ = ["SOURCE", "ChildRows", "ChildState", "Ref"]

SOURCE: Final = "ssda903"
_EPISODE_CODES: Final = ("RNE", "LS", "PLACE", "REC", "REASON_PLACE_CHANGE")


@dataclass(slots=True)
class Ref:
    """A row of a table with its collection year."""

    table: RawTable
    row: Row
    year: int

    def where(self, column: str | None = None) -> str:
        return self.table.where(self.row, column)


@dataclass(slots=True)
class ChildRows:
    refs: dict[str, list[Ref]] = field(default_factory=lambda: defaultdict(list))
    errors: list[RecordError] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)  # id(row) of rejected rows


class ChildState:
    """Builds one child's case from its rows."""

    def __init__(self, child_id: str, child: ChildRows) -> None:
        self.child_id = child_id
        self.child = child
        self.findings: list[SourceFinding] = []
        self.ignored: dict[int, str] = {}

    # -------------------------------------------------------------- helpers
    def reject(
        self, ref: Ref, column: str, code_: str, text: str, *, field: str | None = None
    ) -> None:
        """Reject ``ref``'s row; the problem's field is ``TABLE.COLUMN`` unless ``field``."""
        self.child.rejected.add(id(ref.row))
        where = field or f"{ref.table.spec.name}.{column}"
        self.child.errors.append(
            RecordError(
                ref.table.file,
                ref.row.number,
                self.child_id,
                (Problem(where, code_, f"{ref.where(column)}: {text}"),),
            )
        )

    def note(self, code_: str, where: str, text: str) -> None:
        self.findings.append(SourceFinding(code=code_, field=where, message=f"{where}: {text}"))

    def date_in(self, ref: Ref, column: str, *, required: bool) -> date | bool | None:
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

    def check_code(self, ref: Ref, column: str, value: str) -> None:
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
            self.reject(
                first,
                "CHILD",
                "no_header",
                "the child has no Header row in the files given, so the date of birth is "
                "unknown and no clock can be computed.",
                field="Header.CHILD",
            )
            return None
        dated: list[tuple[int, date, Ref]] = []
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
        by_decom: dict[date, list[tuple[Ref, date | None]]] = defaultdict(list)
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
        events: dict[date, Ref] = {}
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
            # (length checked before int(): a cell of 4,301 digits would make int() raise)
            digits = score.isascii() and score.isdigit() and len(score.lstrip("0")) <= 2
            valid = digits and int(score) <= 40
            if score and not valid:
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
        first = next(r for rs in self.child.refs.values() for r in rs)
        # As the JSON loader validates a record: a Case, or lacplan's problems (Case.model_validate
        # raises CaseError, which a rejected row must never let escape).
        result = _validate(record)
        if isinstance(result, Case):
            return with_origin(result, first.table.file, first.row.number)
        self.child.rejected.add(id(first.row))
        self.child.errors.append(
            RecordError(first.table.file, first.row.number, self.child_id, result[1])
        )
        return None


def _episode_cells(row: Row) -> dict[str, str]:
    cells = {col: code(row.cells.get(col, "")) for col in _EPISODE_CODES}
    cells["URN"] = row.text("URN")
    cells["PL_POST"] = row.text("PL_POST").upper()
    return cells
