"""Writing SSDA903 tables for tests: CSV files of a return, and a case turned into a return.

``write_return(root, {2023: {"Header": [...], "Episodes": [...]}, 2024: {...}})`` writes one
directory per collection year (``root/2023/header.csv``...) with the DfE columns in the DfE
order; rows are dicts of the columns that matter, dates as :class:`datetime.date` or text, every
other column blank.

``case_to_tables(case, years)`` turns a JSON-style case (standard-regime periods with contiguous
placements, review events, a date of birth) into the Header, Episodes and Reviews rows of each
collection year in ``years``, as a local authority's return would hold them:

* one episode per placement (a period without placement changes is one episode); the first
  episode of a period has ``RNE = S``, each later one ``RNE = P`` with ``REASON_PLACE_CHANGE``
  the previous placement's end reason (``planned`` -> CARPL, ``immediate_risk`` -> ALLEG,
  ``other`` -> CLOSE, none -> OTHER); ``REC = X1`` between episodes, ``E8`` at the period's end;
* a year's return holds every episode open at some time in the year; an episode still open at
  the year's end is written without ``DEC`` and ``REC`` (it is carried into the next return,
  where it has them);
* a year's Header row is written for a child with an episode or a review in it;
* a year's Reviews rows are the case's reviews dated in it.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from lacplan.adapters.ssda903.tables import spec

__all__ = [
    "END_REASON_CODE",
    "case_to_tables",
    "cell",
    "write_return",
    "write_table",
    "year_span",
]

#: The previous placement's end reason -> REASON_PLACE_CHANGE on the episode starting the next.
END_REASON_CODE: dict[str | None, str] = {
    "planned": "CARPL",
    "immediate_risk": "ALLEG",
    "other": "CLOSE",
    None: "OTHER",
}

#: Placement kind -> a PLACE code the adapter maps back to it (U3: foster, not long-term).
_PLACE_BY_KIND: dict[str, str] = {
    "foster": "U3",
    "residential": "K2",
    "placed_with_parents": "P1",
    "other": "R3",
}

_FILE_NAMES: dict[str, str] = {
    "Header": "header.csv",
    "Episodes": "episodes.csv",
    "Reviews": "reviews.csv",
    "OC2": "oc2.csv",
}


def cell(value: Any) -> str:
    """A cell as the DfE layout writes it: dates dd/mm/yyyy, None blank."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def year_span(year: int) -> tuple[date, date]:
    """1 April to 31 March of collection ``year`` (named by its 31 March)."""
    return date(year - 1, 4, 1), date(year, 3, 31)


def write_table(path: Path, table: str, rows: Sequence[Mapping[str, Any]]) -> Path:
    """One CSV file of ``table`` (its DfE columns; unknown columns are an error)."""
    columns = spec(table).columns
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            unknown = set(row) - set(columns)
            if unknown:
                raise ValueError(f"{table}: no such columns {sorted(unknown)}")
            writer.writerow([cell(row.get(c)) for c in columns])
    return path


def write_return(
    root: Path, years: Mapping[int, Mapping[str, Sequence[Mapping[str, Any]]]]
) -> list[str]:
    """The directories ``root/<year>`` with one CSV file per table given; returns their paths."""
    out: list[str] = []
    for year in sorted(years):
        directory = root / str(year)
        directory.mkdir(parents=True, exist_ok=True)
        for table, rows in years[year].items():
            write_table(directory / _FILE_NAMES.get(table, f"{table.lower()}.csv"), table, rows)
        out.append(str(directory))
    return out


def _d(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _episodes(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The case's episodes, whole (DEC and REC as at the end of the story)."""
    out: list[dict[str, Any]] = []
    n = 0
    for period in sorted(case["periods"], key=lambda p: _d(p["start"])):
        placements = sorted(period["placements"], key=lambda p: _d(p["start"]))
        p_end = _d(period.get("end"))
        for i, pl in enumerate(placements):
            n += 1
            start = _d(pl["start"])
            last = i == len(placements) - 1
            end = p_end if last else _d(pl["end"])
            change = "" if i == 0 else END_REASON_CODE[placements[i - 1].get("end_reason")]
            out.append(
                {
                    "CHILD": case["child_id"],
                    "DECOM": start,
                    "RNE": "S" if i == 0 else "P",
                    "LS": "C2",
                    "CIN": "N1",
                    "PLACE": _PLACE_BY_KIND[pl.get("kind") or "other"],
                    "PLACE_PROVIDER": "PR1",
                    "DEC": end,
                    "REC": None if end is None else ("E8" if last else "X1"),
                    "REASON_PLACE_CHANGE": change,
                    "HOME_POST": "AB1 2",
                    "PL_POST": f"CD{n} 4",
                    "URN": f"SC{n:06d}",
                }
            )
    return out


def case_to_tables(
    case: Mapping[str, Any], years: Sequence[int]
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """The Header, Episodes and Reviews rows of ``case`` in each collection year of ``years``.

    Every year gets all three tables (possibly without rows for this child). The case must be
    expressible: standard-regime periods whose placements are contiguous (each starts when the
    previous ends, the first at the period's start) and reviews that are neither cancelled nor
    two on one day.
    """
    dob = _d(case["date_of_birth"])
    episodes = _episodes(case)
    reviews = sorted(_d(e["date"]) for e in case.get("events", ()) if e["type"] == "review")
    out: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for year in years:
        lo, hi = year_span(year)
        eps: list[dict[str, Any]] = []
        for ep in episodes:
            if ep["DECOM"] > hi or (ep["DEC"] is not None and ep["DEC"] < lo):
                continue
            row = dict(ep)
            if row["DEC"] is not None and row["DEC"] > hi:  # still open at this return
                row["DEC"] = row["REC"] = None
            eps.append(row)
        revs = [
            {"CHILD": case["child_id"], "DOB": dob, "REVIEW": r, "REVIEW_CODE": "PN1"}
            for r in reviews
            if lo <= r <= hi
        ]
        header = (
            [{"CHILD": case["child_id"], "SEX": "1", "DOB": dob, "ETHNIC": "WBRI"}]
            if eps or revs
            else []
        )
        out[year] = {"Header": header, "Episodes": eps, "Reviews": revs}
    return out
