"""Collection years: which return each file (or row) belongs to.

A collection year is named by the 31 March it ends on (2024 = the 2023-24 return). A file's
year is the one containing its latest DECOM, DEC or REVIEW date, unless ``--year PATH=YYYY``
(a file or a directory given) says otherwise; a ``YEAR`` column (LIIA files) gives each row's
own; a file with no such dates takes the year of the dated files beside it (finding
``year_assumed``). Files of one folder with different years get the finding ``mixed_years``.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Final

from lacplan.adapters.ssda903.tables import RawTable, Row
from lacplan.adapters.ssda903.values import parse_date
from lacplan.domain.coverage import SourceFinding
from lacplan.errors import UsageError

__all__ = ["MAX_YEAR", "MIN_YEAR", "CollectionYears", "collection_year", "row_year", "year_span"]

#: Collection years lacplan accepts (from a --year, a YEAR cell or a file's dates).
MIN_YEAR: Final = 1991
MAX_YEAR: Final = 2100


def collection_year(d: date) -> int:
    """The collection year (named by the 31 March it ends on) containing ``d``."""
    return d.year + 1 if d.month >= 4 else d.year


def year_span(year: int) -> tuple[date, date]:
    return date(year - 1, 4, 1), date(year, 3, 31)


def row_year(row: Row, file_year: int) -> int:
    text = row.text("YEAR")
    # At most four digits after leading zeros before int(): 4,301 digits would make int() raise.
    digits = text.isascii() and text.isdigit() and len(text.lstrip("0")) <= 4
    if digits and MIN_YEAR <= int(text) <= MAX_YEAR:
        return int(text)
    return file_year


class CollectionYears:
    """The years given with ``--year`` and the years read from the files' dates."""

    __slots__ = ("_matched", "_years", "findings")

    def __init__(self, years: Mapping[str, int] | None) -> None:
        self._years = {os.fspath(k): v for k, v in (years or {}).items()}
        self._matched: set[str] = set()
        self.findings: list[SourceFinding] = []
        for given, year in self._years.items():
            if not (MIN_YEAR <= year <= MAX_YEAR):
                raise UsageError(
                    f"the collection year for {given} must be from {MIN_YEAR} to {MAX_YEAR}"
                )

    def year_of(self, path: str) -> int | None:
        target = os.path.abspath(path)
        for given, year in self._years.items():  # a --year naming a directory covers its files
            where = os.path.abspath(given)
            if target == where or target.startswith(where + os.sep):
                self._matched.add(given)
                return year
        return None

    def assign(self, tables: list[RawTable]) -> dict[int, int]:
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
            given = self.year_of(t.path)
            if given is not None:
                by_path[t.path] = given
            elif t.path in latest:
                by_path[t.path] = collection_year(latest[t.path])
        by_dir: dict[str, set[int]] = defaultdict(set)
        for t in tables:
            if t.spec.used and t.path in by_path and self.year_of(t.path) is None:
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
