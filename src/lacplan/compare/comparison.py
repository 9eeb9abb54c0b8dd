"""A parity report's result: :class:`Comparison`, its rows and its summary.

Each :class:`ComparisonRow` puts a stored due date beside lacplan's for one obligation (or says
why none could be matched), with its class (:mod:`lacplan.compare.classify`), the reason for
that class and lacplan's explanation of its own date. A comparison is plain data: its rows as
JSON-ready dicts (:meth:`Comparison.as_rows`), a ``pandas.DataFrame``
(:meth:`Comparison.to_dataframe`), or written as a table, CSV, JSON or xlsx
(:mod:`lacplan.compare.render`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from lacplan.compare.classify import SUMMARY_CLASSES

__all__ = ["COMPARISON_FIELDS", "Comparison", "ComparisonRow"]

#: The fields of a row, in order (:meth:`ComparisonRow.as_dict`, CSV, JSON, xlsx, DataFrame):
#: the issue's ten, then ``reason`` (why the class), lacplan's ``status`` and ``anchor``, the
#: case system's ``stored_anchor``, the ``placement_id``, lacplan's obligation ``key`` and
#: ``where`` the stored row was read.
COMPARISON_FIELDS: Final[tuple[str, ...]] = (
    "child_id",
    "period_id",
    "rule",
    "sequence",
    "stored_due",
    "lacplan_due",
    "difference_days",
    "class",
    "also",
    "explanation",
    "reason",
    "status",
    "anchor",
    "stored_anchor",
    "placement_id",
    "key",
    "where",
)
#: The fields holding dates.
DATE_FIELDS: Final = frozenset({"stored_due", "lacplan_due", "anchor", "stored_anchor"})


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One stored due date beside lacplan's (either may be missing).

    ``difference_days`` is ``stored_due - lacplan_due`` in days (``None`` unless both are
    there); ``class_`` is the class (``class`` in :meth:`as_dict`), ``also`` the other classes
    that fit, ``reason`` why, ``explanation`` lacplan's own account of its date (``None`` without
    an obligation)."""

    child_id: str
    period_id: str | None
    rule: str
    sequence: int
    stored_due: date | None
    lacplan_due: date | None
    difference_days: int | None
    class_: str
    also: tuple[str, ...]
    explanation: str | None
    reason: str
    status: str | None = None
    anchor: date | None = None
    stored_anchor: date | None = None
    placement_id: str | None = None
    key: str | None = None
    where: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: :data:`COMPARISON_FIELDS` in order, dates as ISO strings, ``also`` a
        list."""
        return {
            "child_id": self.child_id,
            "period_id": self.period_id,
            "rule": self.rule,
            "sequence": self.sequence,
            "stored_due": _iso(self.stored_due),
            "lacplan_due": _iso(self.lacplan_due),
            "difference_days": self.difference_days,
            "class": self.class_,
            "also": list(self.also),
            "explanation": self.explanation,
            "reason": self.reason,
            "status": self.status,
            "anchor": _iso(self.anchor),
            "stored_anchor": _iso(self.stored_anchor),
            "placement_id": self.placement_id,
            "key": self.key,
            "where": self.where,
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """The parity report: ``rows`` (a tuple of :class:`ComparisonRow`), ``summary`` (rows per
    class), and the provenance of both sides: the report's header (``as_of``, rules, versions,
    conventions, calendar) and ``source``, the name of the stored data."""

    rows: tuple[ComparisonRow, ...]
    source: str
    header: Mapping[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        """Rows per class, every class (``unmatched`` last) in order, zero included."""
        counts = Counter(r.class_ for r in self.rows)
        return {c: counts[c] for c in SUMMARY_CLASSES}

    @property
    def differences(self) -> tuple[ComparisonRow, ...]:
        """The rows that do not ``agree``."""
        return tuple(r for r in self.rows if r.class_ != "agree")

    def as_rows(self) -> list[dict[str, Any]]:
        """Every row as a plain, JSON-compatible dict (:meth:`ComparisonRow.as_dict`)."""
        return [r.as_dict() for r in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: the header, ``source``, ``summary`` and ``rows``."""
        return {
            **dict(self.header),
            "source": self.source,
            "summary": self.summary,
            "rows": self.as_rows(),
        }

    def to_dataframe(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs the ``pandas`` extra): the columns of
        :data:`COMPARISON_FIELDS`; the date columns ``datetime64``, ``sequence`` and
        ``difference_days`` nullable integers, ``class`` an ordered categorical (in class
        order), ``also`` the other classes joined by ``;``."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("Comparison.to_dataframe needs pandas: pip install pandas") from exc
        rows = [r.as_dict() for r in self.rows]
        for r in rows:
            r["also"] = ";".join(r["also"])
        df = pd.DataFrame(rows, columns=list(COMPARISON_FIELDS))
        for c in DATE_FIELDS:
            df[c] = pd.to_datetime(df[c])
        for c in ("sequence", "difference_days"):
            df[c] = df[c].astype("Int64")
        df["class"] = pd.Categorical(df["class"], categories=SUMMARY_CLASSES, ordered=True)
        return df

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {c}" for c, n in self.summary.items() if n)
        n = len(self.rows)
        return f"<Comparison {self.source}: {n} row{'' if n == 1 else 's'}" + (
            f" ({counts})>" if counts else ">"
        )
