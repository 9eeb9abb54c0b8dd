"""The SSDA903 tables, recognised by their columns (never by file name), and one read table.

Column sets follow the DfE's CSV layout as the DfE validator reads it
(``lac_validator/config.py``); a file may carry extra columns (LIIA adds ``LA`` and ``YEAR``),
and a table is recognised when its key columns are all present. Only Header, Episodes,
Reviews and OC2 feed the clocks; every other table is read, counted and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from lacplan.adapters.ssda903.values import Cell

__all__ = ["TABLES", "RawTable", "Row", "TableSpec", "identify"]


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of the return: its DfE columns, the columns that identify it, if lacplan uses
    it."""

    name: str
    columns: tuple[str, ...]
    key: frozenset[str]
    used: bool = False


def _spec(name: str, columns: str, key: str, *, used: bool = False) -> TableSpec:
    return TableSpec(name, tuple(columns.split()), frozenset(key.split()), used)


#: Every table of the return, in the DfE guide's order.
TABLES: Final[tuple[TableSpec, ...]] = (
    _spec("Header", "CHILD SEX DOB ETHNIC UPN MOTHER MC_DOB", "CHILD SEX DOB ETHNIC", used=True),
    _spec(
        "Episodes",
        "CHILD DECOM RNE LS CIN PLACE PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE HOME_POST "
        "PL_POST URN",
        "CHILD DECOM RNE LS PLACE",
        used=True,
    ),
    _spec("Reviews", "CHILD DOB REVIEW REVIEW_CODE", "CHILD REVIEW", used=True),
    _spec("UASC", "CHILD SEX DOB DUC", "CHILD DUC"),
    _spec(
        "OC2",
        "CHILD DOB SDQ_SCORE SDQ_REASON CONVICTED HEALTH_CHECK IMMUNISATIONS TEETH_CHECK "
        "HEALTH_ASSESSMENT SUBSTANCE_MISUSE INTERVENTION_RECEIVED INTERVENTION_OFFERED",
        "CHILD SDQ_SCORE HEALTH_CHECK",
        used=True,
    ),
    _spec("OC3", "CHILD DOB IN_TOUCH ACTIV ACCOM", "CHILD IN_TOUCH ACTIV"),
    _spec(
        "AD1",
        "CHILD DOB DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR SEX_ADOPTR LS_ADOPTR",
        "CHILD DATE_INT DATE_MATCH",
    ),
    _spec(
        "PlacedAdoption",
        "CHILD DOB DATE_PLACED DATE_PLACED_CEASED REASON_PLACED_CEASED",
        "CHILD DATE_PLACED",
    ),
    _spec("PrevPerm", "CHILD DOB PREV_PERM LA_PERM DATE_PERM", "CHILD PREV_PERM"),
    _spec("Missing", "CHILD DOB MISSING MIS_START MIS_END", "CHILD MIS_START"),
    _spec("SWEpisodes", "CHILD DOB SW_ID SW_DECOM SW_DEC SW_REASON", "CHILD SW_ID SW_DECOM"),
    _spec("DoLo", "CHILD DOB DOLO_START DOLO_END", "CHILD DOLO_START"),
)
_BY_NAME: Final[dict[str, TableSpec]] = {t.name: t for t in TABLES}


def identify(columns: frozenset[str]) -> TableSpec | None:
    """The table whose key columns ``columns`` holds (the closest match if several do)."""
    fits = [t for t in TABLES if t.key <= columns]
    if not fits:
        return None
    return max(fits, key=lambda t: (len(columns & set(t.columns)), len(t.key)))


def spec(name: str) -> TableSpec:
    return _BY_NAME[name]


@dataclass(slots=True)
class Row:
    """One data row: its number in the file (line, sheet row or element ordinal) and cells by
    upper-case column name."""

    number: int
    cells: dict[str, Cell]
    line: int = 0  # XML: the line the element starts on (0: the number is the line)

    def text(self, column: str) -> str:
        value = self.cells.get(column, "")
        return value.strip() if isinstance(value, str) else ""


@dataclass(slots=True)
class RawTable:
    """One table read from one file (a CSV file, an XML file's elements, a workbook's sheet)."""

    file: str  # as shown in messages
    path: str  # the file it came from (for --year)
    spec: TableSpec
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    numbering: str = "row"  # "row" (CSV line / sheet row) or "element" (XML: n-th of the table)

    def where(self, row: Row, column: str | None = None) -> str:
        col = f", column {column}" if column else ""
        line = f" (line {row.line})" if row.line else ""
        return f"{self.spec.name} ({self.file}) {self.numbering} {row.number}{line}{col}"
