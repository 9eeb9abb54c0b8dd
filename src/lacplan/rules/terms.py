"""The vocabulary rule declarations are built from: citations, dates in force, date references
and expressions, and event filters (``rules/schema.py`` assembles them into rules).

Date references (``DateExpr.ref``) form a small closed vocabulary, checked when a rule is built:

* ``anchor``, ``due``: the obligation being computed;
* ``period.start``, ``period.first_placement_start``;
* ``data.start``: the first day the data shows the rule's events in this period: the later of
  the period's start and the first span of ``Case.coverage``; unresolved for a case whose
  source shows everything and whose periods all began inside the data;
* ``placement.start``, ``placement.end`` (a placement's end, or its period's end);
* ``fact:<name>``: a named derived fact of the child (``rules/facts.py``: ``birthday_16``,
  ``birthday_18``, ``birthday_21``, ``leaving_care_eligibility``);
* ``legal_status:<status>``: the first date within the scope (from its start to its end, on or
  before ``as_of``) on which the period's legal status becomes ``<status>`` (a change to it, not
  a status already held when the scope began);
* ``rule:<id>.due`` / ``rule:<id>.met_on`` / ``rule:<id>.closed_on``: the first obligation of an
  earlier rule in the same placement (for placement-scoped rules) or period. ``closed_on`` is
  ``met_on``, the date of an ending event (such as a consent refusal) that closed it, or the date
  of the event an exemption relied on (such as a pre-placement health assessment).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator, model_validator

from lacplan.domain.base import _Trusted
from lacplan.domain.case import LEGAL_STATUSES
from lacplan.offsets import Offset

__all__ = ["Citation", "DateExpr", "DateRef", "EventMatch", "EventScope", "InForce", "Instrument"]

EventScope = Literal["period", "placement", "child"]

_FIXED_REFS = frozenset(
    {
        "anchor",
        "due",
        "period.start",
        "period.first_placement_start",
        "placement.start",
        "placement.end",
        "data.start",
    }
)
_RULE_REF = re.compile(r"^rule:(?P<rule>[a-z0-9][a-z0-9-]*)\.(?P<field>due|met_on|closed_on)$")
_FACT_REF = re.compile(r"^fact:(?P<fact>[a-z0-9_]+)$")
_LEGAL_STATUS_REF = re.compile(r"^legal_status:(?P<status>[a-z0-9_]+)$")

#: Declarations are frozen, refuse unknown keys, and build their validators on first use
#: (``defer_build``, from ``_Trusted``): the built-in packs are declared without them (see
#: ``trusted_construction``), so a cold process that only evaluates never pays for them.
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class _Frozen(_Trusted):
    model_config = _FROZEN


def _json_value(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``value`` as ``model_dump(mode="json")`` writes it, for the types declarations and
    conventions hold (models, tuples, dates, strings, numbers, booleans, null), without building
    pydantic's serializers; ``TypeError`` for anything else. With ``memo``, a model met again
    (declarations share parts) gives the same dict, looked up by ``id``: only while all of them
    are alive, and only for output that is not handed out (the content hash)."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, BaseModel):
        if memo is None:
            return {name: _json_value(v) for name, v in value.__dict__.items()}
        done = memo.get(id(value))
        if done is None:
            done = memo[id(value)] = {
                name: _json_value(v, memo) for name, v in value.__dict__.items()
            }
        return done
    if isinstance(value, tuple | list):
        return [_json_value(v, memo) for v in value]
    if isinstance(value, int):  # bool is an int
        return value
    if type(value) is date:
        return value.isoformat()
    raise TypeError(f"unexpected {type(value).__name__} in a declaration")


def _known_date_ref(v: str) -> str:
    if v in _FIXED_REFS or _RULE_REF.match(v) or _FACT_REF.match(v):
        return v
    m = _LEGAL_STATUS_REF.match(v)
    if m and m["status"] in LEGAL_STATUSES:
        return v
    raise ValueError(
        f"unknown date reference {v!r}; expected one of {sorted(_FIXED_REFS)}, "
        "'rule:<id>.due|met_on|closed_on', 'fact:<name>' or 'legal_status:<status>' (one of "
        f"{', '.join(LEGAL_STATUSES)})"
    )


#: A date reference from the vocabulary in the module docstring, checked when a rule is built.
DateRef = Annotated[str, AfterValidator(_known_date_ref)]


# ---------------------------------------------------------------------------- sources
class Citation(_Frozen):
    """Where a rule comes from, carried into every obligation and the generated catalogue.

    ``status`` follows the reference: ``P`` primary text read, ``S`` secondary sources only,
    ``UNVERIFIED`` not confirmed (docs say so).
    """

    instrument: str
    instrument_title: str
    provision: str
    quote: str = ""
    url: str
    status: Literal["P", "S", "UNVERIFIED"]
    note: str = ""

    @field_validator("url")
    @classmethod
    def _canonical_url(cls, v: str) -> str:
        if not v.startswith("https://"):
            raise ValueError(f"citation url {v!r} must use https://")
        host = v.removeprefix("https://").split("/", 1)[0]
        if host in {"legislation.gov.uk", "legislation.data.gov.uk"} or (
            host == "www.legislation.gov.uk" and "/cy/" in v
        ):
            raise ValueError(
                f"citation url {v!r}: legislation is cited as https://www.legislation.gov.uk/... "
                "(never the /cy/ Welsh-language interface)"
            )
        return v

    @property
    def label(self) -> str:
        """``"SI 2010/959 reg 33(1)"``."""
        return f"{self.instrument} {self.provision}"


class Instrument(_Frozen):
    """A statutory instrument or guidance document; :meth:`at` makes citations of it."""

    code: str
    title: str
    url: str

    def at(
        self,
        provision: str,
        *,
        quote: str = "",
        status: Literal["P", "S", "UNVERIFIED"] = "P",
        url: str | None = None,
        note: str = "",
    ) -> Citation:
        return Citation(
            instrument=self.code,
            instrument_title=self.title,
            provision=provision,
            quote=quote,
            url=url or self.url,
            status=status,
            note=note,
        )


class InForce(_Frozen):
    """Dates a rule version is in force, both inclusive; ``end=None`` means still in force."""

    start: date
    end: date | None = None

    def contains(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)

    @model_validator(mode="after")
    def _ordered(self) -> InForce:
        if self.end is not None and self.end < self.start:
            raise ValueError("in_force.end is before in_force.start")
        return self


# ----------------------------------------------------------------------- dates, events
class DateExpr(_Frozen):
    """A date reference from the vocabulary in the module docstring, plus an optional offset."""

    ref: DateRef
    offset: Offset | None = None
    minus_months_convention: str | None = None
    """Name of a ``Conventions`` field holding a number of months to subtract (after ``offset``)."""
    plus_days_field: str | None = None
    """Name of a period field holding a number of days to add (e.g. the interval agreed for
    short-break visits); while it is null the date does not resolve."""
    latest_before: EventMatch | None = None
    """Instead of ``ref`` itself: the date of the latest event of the period matching this,
    dated strictly before ``ref`` (the previous review before this one); unresolved if none."""
    not_before: DateRef | None = None
    """The result is never earlier than this date (the later of the two), if it resolves."""
    first_on_or_after: EventMatch | None = None
    """Instead of ``ref`` itself: the date of the first event of the period matching this,
    dated on or after ``ref`` (the first review the data shows); unresolved if none."""

    @property
    def rule_ref(self) -> tuple[str, str] | None:
        """``(rule_id, field)`` for ``rule:`` references, else ``None``."""
        m = _RULE_REF.match(self.ref)
        return (m["rule"], m["field"]) if m else None

    @property
    def fact(self) -> str | None:
        """The fact name of ``fact:`` references (see ``rules/facts.py``), else ``None``."""
        m = _FACT_REF.match(self.ref)
        return m["fact"] if m else None


class EventMatch(_Frozen):
    """Events of ``type`` whose listed ``fields`` equal the given values and whose
    ``null_fields`` are null (not recorded). In a rule file ``fields`` is a table
    (``fields = {by = "social_worker"}``)."""

    type: str
    fields: tuple[tuple[str, str | bool], ...] = ()
    null_fields: tuple[str, ...] = ()

    @field_validator("fields", mode="before")
    @classmethod
    def _from_table(cls, v: object) -> object:
        return tuple(v.items()) if isinstance(v, dict) else v

    def describe(self) -> str:
        conds = [f"{k}={v}" for k, v in self.fields] + [f"{k}=null" for k in self.null_fields]
        return f"{self.type} ({', '.join(conds)})" if conds else self.type
