"""One obligation: a statutory duty for one child, scope and interval, with its status.

An :class:`Obligation` is immutable and compares, hashes and prints like the frozen dataclass it
used to be: its public attributes are :data:`OBLIGATION_FIELDS` (plus the internal ``closed_on``,
``basis`` and ``branch``, which take no part in equality). Its fields are plain slots, filled by
one ordinary ``__init__`` of a private base class (the engine's hot loop builds tens of millions
of them: a frozen dataclass's per-field ``object.__setattr__`` cost more than the rest of the
obligation), after which the instance becomes an ``Obligation``, whose ``__setattr__`` refuses
every assignment.

The explanation is the only expensive field, and most runs never read it (a compact output, a
measure, a worklist). The engine therefore hands over a *recipe*, ``(function, *arguments)``
returning ``(explanation, basis)`` from what the evaluation recorded, and the text is produced
the first time ``explanation`` (or ``basis``) is read, then kept. What copies every
explanation out (``as_dict()``, rows, output files, a DataFrame) writes it with
:func:`explanation_text` instead, which keeps nothing: a report that has been written out or
turned into a frame holds no text beside the copy. Equality, hashing, ``repr``,
``as_dict()`` and pickling read the text, so a lazy obligation and one built with its
explanation given are indistinguishable.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date
from typing import Any, cast

from lacplan.calendar import iso_date

__all__ = ["OBLIGATION_FIELDS", "Obligation", "Recipe", "explanation_text", "lazy_obligation"]

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

#: Builds ``(explanation, basis)`` when first asked for: ``(function, *arguments)``, a flat
#: tuple (a report holds one per unread explanation, so it is kept small).
Recipe = tuple[Any, ...]

#: The fields an obligation is compared on, in order, but for the explanation.
_COMPARED: tuple[str, ...] = tuple(f for f in OBLIGATION_FIELDS if f != "explanation")
_EXPLANATION_AT = OBLIGATION_FIELDS.index("explanation")


def _iso(d: date | None) -> str | None:
    return None if d is None else iso_date(d)


class _Fields:
    """An obligation's storage (private): one slot per field, set by a plain ``__init__``."""

    __slots__ = (
        "_basis",
        "_recipe",
        "_text",
        "anchor",
        "base_rule",
        "branch",
        "child_id",
        "citation",
        "citation_url",
        "closed_on",
        "days_late",
        "due",
        "key",
        "met_on",
        "period_id",
        "placement_id",
        "reason",
        "rule",
        "rule_variant",
        "rule_version",
        "sequence",
        "source",
        "status",
        "title",
    )

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
    base_rule: str | None
    closed_on: date | None
    branch: str
    _text: str
    _basis: str
    _recipe: Recipe | None

    def __init__(
        self,
        key: str,
        rule: str,
        title: str,
        source: str,
        rule_version: str | None,
        rule_variant: str | None,
        child_id: str,
        period_id: str,
        placement_id: str | None,
        sequence: int,
        anchor: date | None,
        due: date | None,
        met_on: date | None,
        status: str,
        reason: str | None,
        days_late: int | None,
        citation: str,
        citation_url: str,
        base_rule: str | None,
        closed_on: date | None,
        branch: str,
        text: str,
        basis: str,
        recipe: Recipe | None,
    ) -> None:
        self.key = key
        self.rule = rule
        self.title = title
        self.source = source
        self.rule_version = rule_version
        self.rule_variant = rule_variant
        self.child_id = child_id
        self.period_id = period_id
        self.placement_id = placement_id
        self.sequence = sequence
        self.anchor = anchor
        self.due = due
        self.met_on = met_on
        self.status = status
        self.reason = reason
        self.days_late = days_late
        self.citation = citation
        self.citation_url = citation_url
        self.base_rule = base_rule
        self.closed_on = closed_on
        self.branch = branch
        self._text = text
        self._basis = basis
        self._recipe = recipe


class Obligation(_Fields):
    """One statutory duty for one child, scope and interval, with its status as at ``as_of``.

    Built by keyword (or positionally, in :data:`OBLIGATION_FIELDS` order, then ``closed_on``,
    ``basis``, ``branch``, ``base_rule``) exactly as the dataclass it replaces. ``closed_on`` is
    the date it was met or closed by an ending event (restarts chains); ``basis`` how the due
    date was reached from the anchor (quoted by dependent rules); ``branch`` which part of the
    declaration decided it (``offset:1``, ``exemption:<reason>``...; ``docs/explanations.md``).
    """

    __slots__ = ()

    def __new__(
        cls,
        key: str,
        rule: str,
        title: str,
        source: str,
        rule_version: str | None,
        rule_variant: str | None,
        child_id: str,
        period_id: str,
        placement_id: str | None,
        sequence: int,
        anchor: date | None,
        due: date | None,
        met_on: date | None,
        status: str,
        reason: str | None,
        days_late: int | None,
        citation: str,
        citation_url: str,
        explanation: str,
        closed_on: date | None = None,
        basis: str = "",
        branch: str = "",
        base_rule: str | None = None,
    ) -> Obligation:
        self = _Fields(
            key,
            rule,
            title,
            source,
            rule_version,
            rule_variant,
            child_id,
            period_id,
            placement_id,
            sequence,
            anchor,
            due,
            met_on,
            status,
            reason,
            days_late,
            citation,
            citation_url,
            base_rule,
            closed_on,
            branch,
            explanation,
            basis,
            None,
        )
        self.__class__ = cls
        return cast(Obligation, self)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Everything was set by ``__new__``."""

    def _explain(self) -> None:
        recipe = self._recipe
        if recipe is not None:
            text, basis = recipe[0](*recipe[1:])
            _set(self, "_text", text)
            _set(self, "_basis", basis)
            _set(self, "_recipe", None)  # drop what the recipe held on to

    @property
    def explanation(self) -> str:
        """How the due date was reached, what happened and where the duty comes from."""
        if self._recipe is not None:
            self._explain()
        return self._text

    @property
    def basis(self) -> str:
        """How the due date was reached from the anchor (internal: quoted by dependent rules)."""
        if self._recipe is not None:
            self._explain()
        return self._basis

    # -------------------------------------------------------------- value semantics
    def _key(self) -> tuple[Any, ...]:
        return (*(getattr(self, f) for f in _COMPARED), self.explanation)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Obligation)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in OBLIGATION_FIELDS)
        return f"Obligation({parts})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        values = tuple(getattr(self, f) for f in _COMPARED)
        return (_restore, (values, self.closed_on, self.branch, self.explanation, self.basis))

    def as_dict(self, *, explanation: bool = True) -> dict[str, Any]:
        """JSON-ready dict with ISO dates, keys in :data:`OBLIGATION_FIELDS` order.

        ``explanation=False`` leaves the explanation out (and does not build it); otherwise
        it is written for the dict but, like every copy, not kept (:func:`explanation_text`)."""
        out = {
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
            "explanation": explanation_text(self) if explanation else None,
            "base_rule": self.base_rule,
        }
        if not explanation:
            del out["explanation"]
        return out


_set = object.__setattr__


def lazy_obligation(
    key: str,
    rule: str,
    title: str,
    source: str,
    rule_version: str | None,
    rule_variant: str | None,
    child_id: str,
    period_id: str,
    placement_id: str | None,
    sequence: int,
    anchor: date | None,
    due: date | None,
    met_on: date | None,
    status: str,
    reason: str | None,
    days_late: int | None,
    citation: str,
    citation_url: str,
    base_rule: str | None,
    closed_on: date | None,
    branch: str,
    recipe: Recipe,
) -> Obligation:
    """The engine's constructor: every field but the explanation, which ``recipe`` writes
    when first read."""
    self = _Fields(
        key,
        rule,
        title,
        source,
        rule_version,
        rule_variant,
        child_id,
        period_id,
        placement_id,
        sequence,
        anchor,
        due,
        met_on,
        status,
        reason,
        days_late,
        citation,
        citation_url,
        base_rule,
        closed_on,
        branch,
        "",
        "",
        recipe,
    )
    self.__class__ = Obligation
    return cast(Obligation, self)


def explanation_text(ob: Obligation) -> str:
    """``ob.explanation``, written from its recipe if it was never read, but not kept: for
    readers that copy every obligation's explanation elsewhere (a DataFrame column, an output
    file), so that a report does not end up holding each text as well as the copy."""
    recipe = ob._recipe
    if recipe is None:
        return ob._text
    text: str = recipe[0](*recipe[1:])[0]
    return text


def _restore(
    values: tuple[Any, ...], closed_on: date | None, branch: str, explanation: str, basis: str
) -> Obligation:
    self = _Fields(*values, closed_on, branch, explanation, basis, None)  # type: ignore[call-arg]
    self.__class__ = Obligation
    return cast(Obligation, self)
