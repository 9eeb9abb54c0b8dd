"""The result of an evaluation: obligations per child, findings and rejected records.

``Obligation`` rows are plain frozen dataclasses (cheap to build in the engine's hot loop);
``Report`` bundles them with everything needed to reproduce the run: ``as_of``, the rule pack and
its version, lacplan's version, the conventions and the calendar's data source.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

from lacplan.model import Finding, RecordError

__all__ = ["OBLIGATION_FIELDS", "STATUS_ORDER", "ChildResult", "Obligation", "Report", "Status"]

#: Output columns of an obligation, in order (a contract: add, don't rename).
OBLIGATION_FIELDS: tuple[str, ...] = (
    "key",
    "rule",
    "title",
    "source",
    "rule_version",
    "rule_variant",
    "child_id",
    "period_id",
    "placement_id",
    "sequence",
    "anchor",
    "due",
    "met_on",
    "status",
    "reason",
    "days_late",
    "citation",
    "citation_url",
    "explanation",
    "base_rule",
)


#: An obligation's status.
Status = Literal[
    "overdue",
    "missed",
    "met_late",
    "pending",
    "met_on_time",
    "exempt",
    "not_required",
    "not_evaluated",
]
#: Statuses, most urgent first (the order reports and tables sort by).
STATUS_ORDER: tuple[str, ...] = get_args(Status)


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


@dataclass(frozen=True, slots=True)
class Obligation:
    """One statutory duty for one child, scope and interval, with its status as at ``as_of``."""

    key: str
    rule: str
    title: str
    source: str
    rule_version: str | None
    rule_variant: str | None
    child_id: str
    period_id: str
    placement_id: str | None
    sequence: int
    anchor: date | None
    due: date | None
    met_on: date | None
    status: str
    reason: str | None
    days_late: int | None
    citation: str
    citation_url: str
    explanation: str
    closed_on: date | None = field(default=None, compare=False, repr=False)
    """Date the obligation was met or closed by an ending event (internal: restarts chains)."""
    basis: str = field(default="", compare=False, repr=False)
    """How the due date was reached from the anchor (internal: quoted by dependent rules)."""
    branch: str = field(default="", compare=False, repr=False)
    """Which part of the declaration decided it (internal: ``offset:1``, ``exemption:<reason>``,
    ``ending:<reason>``...; ``docs/explanations.md`` shows one of each)."""
    base_rule: str | None = None
    """For an overlay's obligation, the statutory rule it tightens or relaxes (else null)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict with ISO dates, keys in :data:`OBLIGATION_FIELDS` order."""
        return {
            "key": self.key,
            "rule": self.rule,
            "title": self.title,
            "source": self.source,
            "rule_version": self.rule_version,
            "rule_variant": self.rule_variant,
            "child_id": self.child_id,
            "period_id": self.period_id,
            "placement_id": self.placement_id,
            "sequence": self.sequence,
            "anchor": _iso(self.anchor),
            "due": _iso(self.due),
            "met_on": _iso(self.met_on),
            "status": self.status,
            "reason": self.reason,
            "days_late": self.days_late,
            "citation": self.citation,
            "citation_url": self.citation_url,
            "explanation": self.explanation,
            "base_rule": self.base_rule,
        }


@dataclass(frozen=True, slots=True)
class ChildResult:
    """Everything computed for one child."""

    child_id: str
    labels: Mapping[str, str]
    obligations: tuple[Obligation, ...]
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "labels": dict(self.labels),
            "obligations": [o.as_dict() for o in self.obligations],
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class Report:
    """An evaluation's result and the provenance needed to reproduce it."""

    as_of: date
    rules: str
    rules_version: str
    lacplan_version: str
    conventions: Mapping[str, Any]
    calendar: Mapping[str, Any]
    children: tuple[ChildResult, ...]
    errors: tuple[RecordError, ...] = ()
    rules_hash: str = ""
    """Content hash of the rule declarations used (``RulePack.content_hash``)."""
    accounting: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Rows read per input table: ``{TABLE: {"rows", "used", "ignored": {REASON: n},
    "rejected"}}`` (from table sources such as SSDA903; empty for JSON)."""
    source_findings: tuple[Finding, ...] = ()
    """Findings about whole input files (a collection year assumed, dates of birth cut to the
    1st of the month); each child's own findings are in its result."""

    def header(self) -> dict[str, Any]:
        """The provenance block written at the top of every output."""
        return {
            "as_of": self.as_of.isoformat(),
            "rules": self.rules,
            "rules_version": self.rules_version,
            "rules_hash": self.rules_hash,
            "lacplan_version": self.lacplan_version,
            "conventions": dict(self.conventions),
            "calendar": dict(self.calendar),
        }

    def to_dict(self) -> dict[str, Any]:
        out = self.header()
        out["children"] = [c.as_dict() for c in self.children]
        out["errors"] = [e.as_dict() for e in self.errors]
        out["accounting"] = {k: dict(v) for k, v in self.accounting.items()}
        out["source_findings"] = [f.as_dict() for f in self.source_findings]
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @property
    def obligations(self) -> Iterator[Obligation]:
        """Every obligation of every child, in report order."""
        for child in self.children:
            yield from child.obligations

    def rows(self) -> Iterator[dict[str, Any]]:
        """Flat rows (one per obligation) with the child's labels as ``label_<name>`` columns."""
        for child in self.children:
            extra = {f"label_{k}": v for k, v in child.labels.items()}
            for o in child.obligations:
                row = o.as_dict()
                row.update(extra)
                yield row

    def to_dataframe(self) -> Any:
        """The obligations as a ``pandas.DataFrame`` (needs the ``pandas`` extra).

        One row per obligation, columns :data:`OBLIGATION_FIELDS` then ``label_<name>``;
        ``anchor``, ``due`` and ``met_on`` are ``datetime64`` columns, ``status`` an ordered
        categorical (most urgent first), ``days_late`` a nullable integer.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Report.to_dataframe needs pandas: pip install 'lacplan[pandas]'"
            ) from exc
        labels = sorted({k for c in self.children for k in c.labels})
        columns = [*OBLIGATION_FIELDS, *(f"label_{k}" for k in labels)]
        df = pd.DataFrame(list(self.rows()), columns=columns)
        for col in ("anchor", "due", "met_on"):
            df[col] = pd.to_datetime(df[col], format="ISO8601")
        df["status"] = pd.Categorical(df["status"], categories=STATUS_ORDER, ordered=True)
        df["days_late"] = df["days_late"].astype("Int64")
        df["sequence"] = df["sequence"].astype("int64")
        return df

    def status_counts(self) -> dict[str, int]:
        """How many obligations have each status."""
        return dict(Counter(o.status for o in self.obligations))

    def obligation(self, key: str) -> Obligation:
        """The obligation with this key (``KeyError`` if none)."""
        for o in self.obligations:
            if o.key == key:
                return o
        raise KeyError(key)
