"""What every input adapter returns: a :class:`Batch` of cases and rejected records, with the
accounting of the rows it read and the findings about whole files.

Each source also declares what it can see. A JSON case sees everything (``Case.coverage`` is
null); the SSDA903 return shows reviews (and SDQs for the children in its OC2 table) only, so its
cases carry a ``Coverage`` and every other duty is ``not_evaluated`` (reason ``not_in_source``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from lacplan.domain.coverage import SourceFinding
from lacplan.errors import UsageError
from lacplan.model import Case, RecordError

__all__ = [
    "OBSERVED_EVENTS",
    "Accounting",
    "Batch",
    "StoredDue",
    "TableCount",
    "files_under",
    "given_files",
]


def files_under(path: str, suffixes: tuple[str, ...]) -> list[str]:
    """``path`` itself, or the files named ``*<suffix>`` in a directory and its subdirectories
    (sorted; hidden files and Office's ``~$`` lock files left out)."""
    if not os.path.isdir(path):
        return [path]
    return sorted(
        os.path.join(d, f)
        for d, _, names in os.walk(path)
        for f in names
        if f.lower().endswith(suffixes) and not f.startswith((".", "~$"))
    )


def given_files(paths: Sequence[str], suffixes: tuple[str, ...], kinds: str) -> Iterator[str]:
    """Every file of ``paths`` (files, or directories of ``kinds`` files: :func:`files_under`);
    a missing path, or a directory holding none, is a ``UsageError``."""
    for given in paths:
        if not os.path.exists(given):
            raise UsageError(f"no such file or directory: {given}")
        found = files_under(given, suffixes)
        if not found:
            raise UsageError(f"{given}: no {kinds} files in the directory")
        yield from found


#: The event types each source can show (``None``: all of them).
OBSERVED_EVENTS: Final[dict[str, tuple[str, ...] | None]] = {
    "json": None,
    "ssda903": ("review", "sdq"),
    # (the SSD shows those of the tables given: lacplan.adapters.ssd.EVENTS_BY_TABLE)
    "ssd": (
        "review",
        "visit",
        "health_assessment",
        "health_consent_refused",
        "dental_check",
        "sdq",
        "care_plan",
    ),
}


@dataclass(frozen=True, slots=True)
class StoredDue:
    """A due date a case system stored for one obligation (the parity report compares it with
    lacplan's): the child, the period (its id as the source names it), the rule and sequence it
    stands for, the date (``None``: the row has none) and where it was read (table, file, row)."""

    child_id: str
    period_id: str
    rule: str
    sequence: int
    due: date | None
    where: str


@dataclass(slots=True)
class TableCount:
    """One table's rows: each used, ignored (with a reason) or rejected."""

    used: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    rejected: int = 0

    @property
    def rows(self) -> int:
        return self.used + sum(self.ignored.values()) + self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "used": self.used,
            "ignored": dict(sorted(self.ignored.items())),
            "rejected": self.rejected,
        }


class Accounting:
    """Row counts by table; ``rows == used + ignored + rejected`` holds by construction."""

    __slots__ = ("tables",)

    def __init__(self) -> None:
        self.tables: dict[str, TableCount] = {}

    def table(self, name: str) -> TableCount:
        return self.tables.setdefault(name, TableCount())

    def used(self, name: str, n: int = 1) -> None:
        self.table(name).used += n

    def ignored(self, name: str, reason: str, n: int = 1) -> None:
        self.table(name).ignored[reason] += n

    def rejected(self, name: str, n: int = 1) -> None:
        self.table(name).rejected += n

    def merge(self, other: Accounting) -> None:
        for name, count in other.tables.items():
            mine = self.table(name)
            mine.used += count.used
            mine.ignored.update(count.ignored)
            mine.rejected += count.rejected

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: self.tables[name].as_dict() for name in self.tables}

    def render(self) -> str:
        """A plain-text table (``--report-accounting`` prints it to standard error)."""
        w = max([16, *(len(name) + 2 for name in self.tables)])
        lines = [f"{'table':<{w}}{'rows':>8}{'used':>8}{'ignored':>9}{'rejected':>10}  reasons"]
        for name, c in self.tables.items():
            reasons = ", ".join(f"{r} {k}" for r, k in sorted(c.ignored.items()))
            lines.append(
                f"{name:<{w}}{c.rows:>8}{c.used:>8}{sum(c.ignored.values()):>9}"
                f"{c.rejected:>10}  {reasons}".rstrip()
            )
        return "\n".join(lines) + "\n"


class Batch:
    """Cases and rejected records from one or more inputs, read when iteration starts.

    After iteration, ``accounting`` holds the row counts of every table read (empty for JSON,
    whose records are counted as cases and errors), ``findings`` the findings about whole
    files (a collection year assumed, dates of birth cut to the 1st of the month) and
    ``stored_due_dates`` the due dates the source's case system stored itself (the SSD's review
    due dates; empty for other sources), for the parity report (:mod:`lacplan.compare`).
    """

    __slots__ = ("_parts", "accounting", "findings", "stored_due_dates")

    def __init__(self, parts: Iterable[Iterable[Case | RecordError]] = ()) -> None:
        self._parts = list(parts)
        self.accounting = Accounting()
        self.findings: list[SourceFinding] = []
        self.stored_due_dates: list[StoredDue] = []

    def add(self, part: Iterable[Case | RecordError]) -> None:
        self._parts.append(part)

    def __iter__(self) -> Iterator[Case | RecordError]:
        self.accounting.tables.clear()  # each iteration counts afresh
        self.findings.clear()
        self.stored_due_dates.clear()
        for part in self._parts:
            yield from part
            if isinstance(part, Batch):
                self.accounting.merge(part.accounting)
                self.findings.extend(part.findings)
                self.stored_due_dates.extend(part.stored_due_dates)
