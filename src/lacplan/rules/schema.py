"""The rule declaration schema: every statutory duty is one frozen, typed ``Rule``.

A rule says *where* its clock runs (``scope``: each period of care, or each placement), *how many*
obligations it makes (``schedule``: once, a chain restarted by each satisfying event, or one per
calendar window), *when* each is due (``anchor`` options then ``offsets`` options, both chosen by
conditions when the interval starts), *what* satisfies it, what exempts it or ends it early, and
*which law* it comes from (``citation``, ``in_force``). The engine (``rules/engine.py``) reads
these fields and nothing else: it has no rule-specific code.

Date references (``DateExpr.ref``) form a small closed vocabulary, checked when a rule is built:

* ``anchor``, ``due``: the obligation being computed;
* ``period.start``, ``period.first_placement_start``;
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
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from lacplan.domain.case import LEGAL_STATUSES, LegalStatusCode
from lacplan.offsets import Offset
from lacplan.report import STATUS_ORDER, Status
from lacplan.rules.conventions import TermWindow

__all__ = [
    "STATUSES",
    "AgeCondition",
    "AllCondition",
    "AnchorOption",
    "AnyCondition",
    "AttrCondition",
    "Chain",
    "Citation",
    "Condition",
    "ConventionCondition",
    "DateBefore",
    "DateExpr",
    "DateOnOrAfter",
    "DateRef",
    "EarlierDue",
    "Ending",
    "EventExists",
    "EventMatch",
    "EventState",
    "Exemption",
    "InForce",
    "InPeriod",
    "Instrument",
    "LegalStatusIs",
    "LookedAfterFor",
    "NotCondition",
    "OffsetOption",
    "Once",
    "PerEvent",
    "RollingWindows",
    "Rule",
    "RuleStatusCondition",
    "Satisfaction",
    "Schedule",
    "ScopeEnd",
    "Status",
    "Windows",
]

#: Statuses in their documented order (most urgent first); defined with the report.
STATUSES = STATUS_ORDER

Scope = Literal["period", "placement"]
EventScope = Literal["period", "placement", "child"]

_FIXED_REFS = frozenset(
    {
        "anchor",
        "due",
        "period.start",
        "period.first_placement_start",
        "placement.start",
        "placement.end",
    }
)
_RULE_REF = re.compile(r"^rule:(?P<rule>[a-z0-9][a-z0-9-]*)\.(?P<field>due|met_on|closed_on)$")
_FACT_REF = re.compile(r"^fact:(?P<fact>[a-z0-9_]+)$")
_LEGAL_STATUS_REF = re.compile(r"^legal_status:(?P<status>[a-z0-9_]+)$")

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class _Frozen(BaseModel):
    model_config = _FROZEN


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


# --------------------------------------------------------------------------- conditions
class AttrCondition(_Frozen):
    """An attribute of the period, the placement or the next placement equals a value.

    Besides the model's fields, placements expose ``ends_in_move`` (the placement ended, on or
    before ``as_of`` and before the 18th birthday, on the day the next placement of the same
    period started) and ``first_in_period``.
    """

    kind: Literal["attr"] = "attr"
    target: Literal["period", "placement", "next_placement"]
    field: str
    equals: str | bool | int | None = None
    """The value; null (in a rule file: no ``equals`` key) when the field must be null."""


class AgeCondition(_Frozen):
    """The child's completed age on a date is below ``below`` / at least ``at_least`` / inside
    the inclusive range named by a ``Conventions`` field (``range_convention``)."""

    kind: Literal["age"] = "age"
    on: DateRef = "anchor"
    below: int | None = None
    at_least: int | None = None
    range_convention: str | None = None


class DateBefore(_Frozen):
    """``on`` is strictly before ``limit`` (e.g. the interval starts in the first year)."""

    kind: Literal["date_before"] = "date_before"
    on: DateRef = "anchor"
    limit: DateExpr


class DateOnOrAfter(_Frozen):
    """``on`` is on or after a fixed date (e.g. an amendment's commencement)."""

    kind: Literal["date_on_or_after"] = "date_on_or_after"
    on: DateRef = "anchor"
    date: date


class EventState(_Frozen):
    """The latest of the ``set``/``clear`` events dated on or before ``on`` is a ``set`` event."""

    kind: Literal["event_state"] = "event_state"
    scope: EventScope
    on: DateRef = "anchor"
    set: EventMatch
    clear: EventMatch


class EventExists(_Frozen):
    """An event matching ``match`` is dated in ``[start, before)`` (``scope`` ``child`` searches
    every period)."""

    kind: Literal["event_exists"] = "event_exists"
    scope: EventScope
    match: EventMatch
    start: DateExpr
    before: DateExpr


class LookedAfterFor(_Frozen):
    """The child has been looked after continuously, in this period of care, throughout the
    ``months`` calendar months ending on ``on`` (both days counted): for "12 months at 31 March"
    (the SDQ cohort of the SSDA903 return), a period that began on or before 1 April of the year
    before and had not ended before 31 March."""

    kind: Literal["looked_after_for"] = "looked_after_for"
    on: DateRef = "due"
    months: int


class InPeriod(_Frozen):
    """``on`` resolves and falls within the period of care (from its start to its end; an open
    period has no end): e.g. the leaving-care eligibility date falls in this period."""

    kind: Literal["in_period"] = "in_period"
    on: DateRef


class LegalStatusIs(_Frozen):
    """The period's legal status on ``on`` (the latest ``legal_status`` entry dated on or before
    it) is one of ``status_in``."""

    kind: Literal["legal_status"] = "legal_status"
    on: DateRef = "anchor"
    status_in: tuple[LegalStatusCode, ...]


class RuleStatusCondition(_Frozen):
    """The first obligation of an earlier rule in the same period has one of these statuses."""

    kind: Literal["rule_status"] = "rule_status"
    rule: str
    status_in: tuple[Status, ...]


class ConventionCondition(_Frozen):
    """A ``Conventions`` field equals a value (where councils read the law differently)."""

    kind: Literal["convention"] = "convention"
    name: str
    equals: str | bool | int


class NotCondition(_Frozen):
    """All of ``conditions`` do not hold together."""

    kind: Literal["not"] = "not"
    conditions: tuple[Condition, ...]


class AnyCondition(_Frozen):
    """At least one of ``conditions`` holds."""

    kind: Literal["any"] = "any"
    conditions: tuple[Condition, ...]


class AllCondition(_Frozen):
    """Every one of ``conditions`` holds (to group conditions inside ``any``)."""

    kind: Literal["all"] = "all"
    conditions: tuple[Condition, ...]


Condition = Annotated[
    AttrCondition
    | AgeCondition
    | DateBefore
    | DateOnOrAfter
    | EventState
    | EventExists
    | LookedAfterFor
    | InPeriod
    | LegalStatusIs
    | RuleStatusCondition
    | ConventionCondition
    | NotCondition
    | AnyCondition
    | AllCondition,
    Field(discriminator="kind"),
]


# ------------------------------------------------------------------ parts of a rule
class AnchorOption(_Frozen):
    """One way to find the date a clock starts; the first option whose conditions hold and whose
    date resolves is used."""

    date: DateExpr
    label: str
    when: tuple[Condition, ...] = ()


class EarlierDue(_Frozen):
    """A date that becomes the due date when it is earlier than the offset's (and its conditions
    hold): "before the first review" is due on the first review's due date, or on the day the
    review was actually held if that came first."""

    date: DateExpr
    label: str
    when: tuple[Condition, ...] = ()


class OffsetOption(_Frozen):
    """The interval from the anchor to the due date, chosen by conditions at the anchor.

    ``offset=None`` declares a duty with no fixed timescale (``due`` is null). ``earlier_of``
    lists dates that replace the due date when they resolve and come earlier (the anchor, and so
    the obligation's key, does not move).
    """

    offset: Offset | None = None
    when: tuple[Condition, ...] = ()
    label: str = ""
    citation: Citation | None = None
    earlier_of: tuple[EarlierDue, ...] = ()


class Satisfaction(_Frozen):
    """Which events meet the duty, searched in the rule's scope (or ``scope`` if given).

    ``start`` (inclusive) / ``after`` (exclusive) bound the event date from below (chains always
    search strictly after the anchor); events count up to the scope's last day, or up to ``end``
    (inclusive) instead when it is given, earlier or later (leaving-care duties count events up to
    the 21st birthday). ``within_placements`` keeps only events dated inside one of the period's
    placements (short breaks: visits on days the child is placed). ``pick`` chooses the earliest or
    latest matching event.
    """

    events: tuple[EventMatch, ...]
    scope: EventScope | None = None
    start: DateExpr | None = None
    after: DateExpr | None = None
    end: DateExpr | None = None
    within_placements: bool = False
    closes_at_end: bool = False
    """Unmet once ``end`` has passed (on or before ``as_of``), the duty is ``missed``: it can no
    longer be done in time (a consultation before a review already held)."""
    pick: Literal["first", "last"] = "first"


class Exemption(_Frozen):
    """When all ``when`` conditions hold (no conditions: always) the obligation gets ``status``
    and ``reason``."""

    when: tuple[Condition, ...] = ()
    status: Literal["exempt", "not_required"]
    reason: str
    label: str


class Ending(_Frozen):
    """An event that closes an unmet obligation (a consent refusal, say).

    Dated on or before the due date it gives ``on_or_before_due`` (``missed`` or
    ``not_evaluated`` for per-event duties decided by the event itself, such as a visit where the
    child was not seen alone); later, ``after_due`` (with ``met_on`` = its date when that is
    ``met_late``). An event that satisfies the duty on the same day wins. Either way the date
    becomes the obligation's ``closed_on``, from which a chain restarts.
    """

    event: EventMatch
    reason: str
    on_or_before_due: Literal["not_required", "exempt", "missed", "not_evaluated"] = "not_required"
    after_due: Literal["met_late", "missed", "not_required"] = "met_late"
    label: str = ""
    """Plain English for the explanation, e.g. "the child refused consent"."""


class ScopeEnd(_Frozen):
    """A rule's own end of scope, instead of its scope's end and the 18th birthday: a ``date``
    (the 21st birthday) and how explanations name it ("the leaving-care duties ended at 21"); or,
    with ``period``, the end of the period of care (a placement duty that outlives the placement,
    such as a review after an emergency move)."""

    date: DateExpr | None = None
    label: str = ""
    period: bool = False

    @model_validator(mode="after")
    def _one(self) -> ScopeEnd:
        if (self.date is None) == (not self.period):
            raise ValueError("give exactly one of scope_end.date and scope_end.period")
        return self


class Once(_Frozen):
    """One obligation per scope."""

    kind: Literal["once"] = "once"


class Chain(_Frozen):
    """A recurring clock: each obligation is anchored on the previous one's ``closed_on``
    (the actual date it was met or closed, convention A5) and the chain ends with exactly one
    unmet obligation."""

    kind: Literal["chain"] = "chain"


class Windows(_Frozen):
    """One obligation per yearly window, for each window that starts after ``starting_after``
    while the scope is open; due at the window's end and satisfied by ``min_count`` events
    inside it. The windows come from a ``Conventions`` field (``windows_convention``, e.g. school
    terms) or are declared inline (``windows``, e.g. a year ending 31 March).

    With ``pro_rata_convention`` (a ``Conventions`` field of sub-windows, e.g. school terms),
    every window the scope overlaps and that ends after ``starting_after`` counts: one the scope
    covers throughout needs ``min_count`` events; one it covers in part needs one event per
    sub-window starting in the covered part ("one PEP review per term looked after"), and is due
    at the scope's end when the scope ended inside it."""

    kind: Literal["windows"] = "windows"
    windows_convention: str | None = None
    windows: tuple[TermWindow, ...] = ()
    starting_after: DateExpr
    min_count: int = Field(default=1, ge=1)
    pro_rata_convention: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Windows:
        if (self.windows_convention is None) == (not self.windows):
            raise ValueError("give exactly one of windows_convention and windows")
        return self


class RollingWindows(_Frozen):
    """One obligation per consecutive window of ``every`` (12 months: each year of a placement)
    from ``starting``, for each window starting while the scope is open (and on or before
    ``as_of``); due on the window's last day and satisfied by ``min_count`` events inside it.
    ``name`` labels the windows, ``{n}`` standing for the window's number and ``{nth}`` for it as
    an ordinal (``{nth} year of the placement``: "1st year of the placement")."""

    kind: Literal["rolling_windows"] = "rolling_windows"
    every: Offset
    starting: DateExpr
    name: str
    min_count: int = Field(default=1, ge=1)
    number_from: int = 1
    """The number ``{n}`` of the first window (2: windows from the first anniversary are
    "year 2", "year 3", ...)."""


class PerEvent(_Frozen):
    """One obligation per event matching ``event`` in the scope (dated on or before ``as_of``),
    anchored on the event's date: for duties tied to each occurrence of something, such as a
    consultation due 20 working days before each review meeting."""

    kind: Literal["per_event"] = "per_event"
    event: EventMatch


Schedule = Annotated[
    Once | Chain | Windows | RollingWindows | PerEvent, Field(discriminator="kind")
]


class Rule(_Frozen):
    """One version of one variant of a statutory duty."""

    id: str
    title: str
    scope: Scope
    citation: Citation
    also_cites: tuple[Citation, ...] = ()
    variant: str = "standard"
    variant_when: tuple[Condition, ...] = ()
    version: str
    in_force: InForce
    chosen_by: Literal["due", "anchor"] = "due"
    """How this version is chosen (A20): ``due``, the version in force on its own due date (on its
    anchor when it has none); ``anchor``, a modification tied to an event (placements made in a
    window, children first placed before a date), chosen when in force on the anchor, before any
    ``due`` version."""
    schedule: Schedule = Field(default_factory=Once)
    scope_end: ScopeEnd | None = None
    """The clock runs until this date instead of the scope's end and the 18th birthday (the
    pathway plan reviews run to the 21st birthday)."""
    anchor: tuple[AnchorOption, ...]
    offsets: tuple[OffsetOption, ...] = ()
    satisfied_by: Satisfaction
    applies: tuple[Condition, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    endings: tuple[Ending, ...] = ()
    conventions: tuple[str, ...] = ()
    notes: str = ""
    base_rule: str | None = None
    """An overlay rule: the base pack's rule it tightens or relaxes (reported beside it)."""

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", v):
            raise ValueError(f"rule id {v!r} must be lower-case words joined by '-'")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if not self.anchor:
            raise ValueError(f"rule {self.id!r} declares no anchor")
        if not isinstance(self.schedule, Windows | RollingWindows) and not self.offsets:
            raise ValueError(f"rule {self.id!r} declares no offset")
        if self.offsets and self.offsets[-1].when:
            raise ValueError(f"rule {self.id!r}: the last offset option must be unconditional")
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.id, self.variant, self.version)


NotCondition.model_rebuild()
AnyCondition.model_rebuild()
AllCondition.model_rebuild()
