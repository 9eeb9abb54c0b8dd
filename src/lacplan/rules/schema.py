"""The rule declaration schema: every statutory duty is one frozen, typed ``Rule``.

A rule says *where* its clock runs (``scope``: each period of care, or each placement), *how many*
obligations it makes (``schedule``: once, a chain restarted by each satisfying event, calendar or
rolling windows, or one per event), *when* each is due (``anchor`` options then ``offsets``
options, both chosen by conditions when the interval starts), *what* satisfies it, what exempts it
or ends it early, and *which law* it comes from (``citation``, ``in_force``). The engine
(``rules/engine.py``) reads these fields and nothing else: it has no rule-specific code.

The building blocks live beside it: ``rules/terms.py`` (citations, dates in force, date
references and expressions, event filters; the date-reference vocabulary is described there) and
``rules/conditions.py`` (the conditions). This module re-exports them.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from lacplan.offsets import Offset
from lacplan.report import STATUS_ORDER, Status
from lacplan.rules.conditions import (
    AgeCondition,
    AllCondition,
    AnyCondition,
    AttrCondition,
    Condition,
    ConventionCondition,
    DateBefore,
    DateOnOrAfter,
    EventExists,
    EventState,
    InPeriod,
    LegalStatusIs,
    LookedAfterFor,
    NotCondition,
    RuleStatusCondition,
)
from lacplan.rules.conventions import TermWindow
from lacplan.rules.terms import (
    Citation,
    DateExpr,
    DateRef,
    EventMatch,
    EventScope,
    InForce,
    Instrument,
    _Frozen,
)

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
