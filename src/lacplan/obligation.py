"""One obligation: a statutory duty for one child, scope and interval, with its status.

An :class:`Obligation` is immutable and compares, hashes and prints like the frozen dataclass it
used to be: its public attributes are :data:`OBLIGATION_FIELDS` (plus the internal ``closed_on``,
``basis`` and ``branch``, which take no part in equality). Its fields are plain slots, filled by
one ordinary ``__init__`` of a private base class (the engine's hot loop builds tens of millions
of them: a frozen dataclass's per-field ``object.__setattr__`` cost more than the rest of the
obligation), after which the instance becomes an ``Obligation``, whose ``__setattr__`` refuses
every assignment.

A report holds a million of them for a large cohort, so each keeps only what is its own. The
eight fields it shares with its rule version (``rule``, ``title``, ``source``, ``rule_version``,
``rule_variant``, ``citation``, ``citation_url``, ``base_rule``) are read from one shared
:class:`RuleFacts`, the three it shares with its period or placement (``child_id``,
``period_id``, ``placement_id``) from one :class:`ScopeFacts`, and an engine-built obligation's
``key`` is written from the scope's key prefix, the rule and the anchor when it is read.

The explanation is the only expensive field, and most runs never read it (a compact output, a
measure, a worklist). The engine therefore hands over a *recipe*, ``(function, *arguments)``;
``function(obligation, *arguments)`` returns ``(explanation, basis)`` from the obligation's
own fields and what else the evaluation recorded, and the text is produced
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
from operator import attrgetter
from typing import Any, cast

from lacplan.calendar import iso_date

__all__ = [
    "OBLIGATION_FIELDS",
    "RULE_FIELDS",
    "SCOPE_FIELDS",
    "Obligation",
    "Recipe",
    "RuleFacts",
    "ScopeFacts",
    "explanation_text",
    "facts_obligation",
    "lazy_obligation",
]

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

#: Builds ``(explanation, basis)`` when first asked for: ``(function, *arguments)``, called as
#: ``function(obligation, *arguments)``; a flat tuple (a report holds one per unread
#: explanation, so it is kept small: what the obligation itself holds is read from it).
Recipe = tuple[Any, ...]

#: The fields an obligation reads from its :class:`RuleFacts` (slot ``_rule``) and its
#: :class:`ScopeFacts` (slot ``_scope``): for code that reads many obligations' fields at
#: once (``operator.attrgetter("_rule.title")``, generated pickers).
RULE_FIELDS: tuple[str, ...] = (
    "rule",
    "title",
    "source",
    "rule_version",
    "rule_variant",
    "citation",
    "citation_url",
    "base_rule",
)
SCOPE_FIELDS: tuple[str, ...] = ("child_id", "period_id", "placement_id")

#: The fields an obligation is compared on, in order, but for the explanation.
_COMPARED: tuple[str, ...] = tuple(f for f in OBLIGATION_FIELDS if f != "explanation")
_EXPLANATION_AT = OBLIGATION_FIELDS.index("explanation")


def _iso(d: date | None) -> str | None:
    return None if d is None else iso_date(d)


class RuleFacts:
    """What every obligation of one rule version shares under one citation: its ``rule``,
    ``title``, ``source``, ``rule_version``, ``rule_variant``, ``citation``, ``citation_url``
    and ``base_rule``. A compiled rule keeps one per offset option (options may cite
    differently) and one for its own citation, so an obligation holds one reference instead of
    eight (immutable by convention: internal, never handed out). The engine's also carry what
    an explanation reads of them: the offset ``option`` (``None`` for the rule's own citation)
    and ``citing``, the explanation's closing citation sentence (neither takes part in
    equality)."""

    __slots__ = (
        "base_rule",
        "citation",
        "citation_url",
        "citing",
        "option",
        "rule",
        "rule_variant",
        "rule_version",
        "source",
        "title",
    )

    def __init__(
        self,
        rule: str,
        title: str,
        source: str,
        rule_version: str | None,
        rule_variant: str | None,
        citation: str,
        citation_url: str,
        base_rule: str | None,
        option: Any = None,
        citing: str = "",
    ) -> None:
        self.rule = rule
        self.title = title
        self.source = source
        self.rule_version = rule_version
        self.rule_variant = rule_variant
        self.citation = citation
        self.citation_url = citation_url
        self.base_rule = base_rule
        self.option = option
        self.citing = citing

    def _values(self) -> tuple[Any, ...]:
        return (
            self.rule,
            self.title,
            self.source,
            self.rule_version,
            self.rule_variant,
            self.citation,
            self.citation_url,
            self.base_rule,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleFacts):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[Any, ...]:
        return (RuleFacts, (*self._values(), self.option, self.citing))


class ScopeFacts:
    """What every obligation of one child's period or placement shares: ``child_id``,
    ``period_id``, ``placement_id``, and ``key_prefix`` (``"child:period:placement-or-dash:"``,
    the start of an engine-built obligation's key, which is written from it when read).
    An obligation built with its key given has facts of its own, holding that ``key``. The
    engine's also hold ``close``, ``(as_of, ended_by, end, end_label)``: how the scope ends,
    which the explanations of its obligations read (set once, before the first of them is
    built; no part of equality). Internal, immutable by convention."""

    __slots__ = ("child_id", "close", "key", "key_prefix", "period_id", "placement_id")

    def __init__(
        self,
        child_id: str,
        period_id: str,
        placement_id: str | None,
        key_prefix: str = "",
        key: str | None = None,
    ) -> None:
        self.child_id = child_id
        self.period_id = period_id
        self.placement_id = placement_id
        self.key_prefix = key_prefix
        self.key = key
        self.close: tuple[Any, ...] | None = None

    def _values(self) -> tuple[str, str, str | None, str, str | None]:
        return (self.child_id, self.period_id, self.placement_id, self.key_prefix, self.key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScopeFacts):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[Any, ...]:
        return (ScopeFacts, self._values())


class _Fields:
    """An obligation's storage (private), set by a plain ``__init__``: a slot per field of its
    own, one :class:`RuleFacts` and one :class:`ScopeFacts` for the fields it shares with its
    rule and its scope (the scope's facts also give its key), and what it says: the recipe
    ``(function, *arguments)`` while its explanation is unread, ``(_QUOTED, basis,
    function, *arguments)`` once only its basis was read, then ``(None, explanation,
    basis)``.

    Most obligations' recipe is ``(outcome_explanation, label, note, event)``; for those the
    engine stores the function alone in ``_said`` and its three arguments in the slots
    ``_label``, ``_note`` and ``_event`` (``None`` for every other obligation): three slots
    cost a report less than a tuple each."""

    __slots__ = (
        "_event",
        "_label",
        "_note",
        "_rule",
        "_said",
        "_scope",
        "anchor",
        "branch",
        "closed_on",
        "days_late",
        "due",
        "met_on",
        "reason",
        "sequence",
        "status",
    )

    _rule: RuleFacts
    _scope: ScopeFacts
    sequence: int
    anchor: date | None
    due: date | None
    met_on: date | None
    status: str
    reason: str | None
    days_late: int | None
    closed_on: date | None
    branch: str
    _said: Any  # a Recipe tuple, or the function of a recipe kept in the three slots below
    _label: Any
    _note: Any
    _event: str | None

    def __init__(
        self,
        rule: RuleFacts,
        scope: ScopeFacts,
        sequence: int,
        anchor: date | None,
        due: date | None,
        met_on: date | None,
        status: str,
        reason: str | None,
        days_late: int | None,
        closed_on: date | None,
        branch: str,
        said: Any,
        label: Any = None,
        note: Any = None,
        event: str | None = None,
    ) -> None:
        self._rule = rule
        self._scope = scope
        self.sequence = sequence
        self.anchor = anchor
        self.due = due
        self.met_on = met_on
        self.status = status
        self.reason = reason
        self.days_late = days_late
        self.closed_on = closed_on
        self.branch = branch
        self._said = said
        self._label = label
        self._note = note
        self._event = event

    def _unpacked(self) -> Recipe:
        """``_said`` as a tuple: a recipe kept in slots, as the tuple it stands for."""
        said = self._said
        if type(said) is tuple:
            return said
        event = self._event
        if event is None:
            return (said, self._label, self._note)
        return (said, self._label, self._note, event)

    def _settle(self, said: Recipe) -> None:
        """Replace what it says by ``said`` (a tuple), dropping the slots' recipe."""
        _set(self, "_said", said)
        if self._note is not None or self._label is not None:
            _set(self, "_label", None)
            _set(self, "_note", None)
            _set(self, "_event", None)


def _shared(name: str, facts: str, doc: str) -> property:
    """A read-only attribute read from the obligation's :class:`RuleFacts` or
    :class:`ScopeFacts` (``facts``: the slot holding them)."""
    return property(attrgetter(f"{facts}.{name}"), doc=doc)


class Obligation(_Fields):
    """One statutory duty for one child, scope and interval, with its status as at ``as_of``.

    Built by keyword (or positionally, in :data:`OBLIGATION_FIELDS` order, then ``closed_on``,
    ``basis``, ``branch``, ``base_rule``) exactly as the dataclass it replaces. ``closed_on`` is
    the date it was met or closed by an ending event (restarts chains); ``basis`` how the due
    date was reached from the anchor (quoted by dependent rules); ``branch`` which part of the
    declaration decided it (``offset:1``, ``exemption:<reason>``...; ``docs/explanations.md``).
    """

    __slots__ = ()

    rule = _shared("rule", "_rule", "The rule's id.")
    title = _shared("title", "_rule", "The rule's title.")
    source = _shared("source", "_rule", "``statutory``, ``agency`` or ``local``.")
    rule_version = _shared("rule_version", "_rule", "The rule version that judged it.")
    rule_variant = _shared("rule_variant", "_rule", "The rule variant that judged it.")
    citation = _shared("citation", "_rule", "Where the duty comes from.")
    citation_url = _shared("citation_url", "_rule", "The citation's address.")
    base_rule = _shared("base_rule", "_rule", "The statutory rule an overlay rule tightens.")
    child_id = _shared("child_id", "_scope", "The child's id.")
    period_id = _shared("period_id", "_scope", "The period of care's id.")
    placement_id = _shared("placement_id", "_scope", "The placement's id (placement scope).")

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
        self = lazy_obligation(
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
            (None, explanation, basis),  # given: nothing to write
        )
        if cls is not Obligation:
            _set(self, "__class__", cls)
        return self

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Everything was set by ``__new__``."""

    @property
    def key(self) -> str:
        """The obligation's key: ``child:period:placement-or-dash:rule:anchor`` for one the
        engine built (written when read, from what it shares with its scope)."""
        scope = self._scope
        key = scope.key
        if key is None:
            anchor = self.anchor
            assert anchor is not None  # the engine keys every obligation by its anchor
            return f"{scope.key_prefix}{self._rule.rule}:{iso_date(anchor)}"
        return key

    def _explain(self) -> Recipe:
        said = self._unpacked()
        fn = said[0]
        if fn is not None:
            recipe = said[2:] if fn is _QUOTED else said
            text, basis = recipe[0](self, *recipe[1:])
            said = (None, text, basis)
            self._settle(said)  # drops what the recipe held on to
        return said

    @property
    def explanation(self) -> str:
        """How the due date was reached, what happened and where the duty comes from."""
        said = self._said
        text: str = (said if type(said) is tuple and said[0] is None else self._explain())[1]
        return text

    @property
    def basis(self) -> str:
        """How the due date was reached from the anchor (internal: quoted by dependent rules).

        Read before the explanation (a later obligation quoting this one's due date), it is
        kept beside the recipe, and the explanation is not: a report written out or turned
        into a frame then holds one sentence for such an obligation, not two."""
        said = self._unpacked()
        fn = said[0]
        if fn is None:
            resolved: str = said[2]
            return resolved
        if fn is _QUOTED:
            kept: str = said[1]
            return kept
        basis: str = fn(self, *said[1:])[1]
        self._settle((_QUOTED, basis, *said))
        return basis

    @property
    def _recipe(self) -> Recipe | None:
        """The recipe its explanation will be written from, or ``None`` once it is written
        (or was given)."""
        said = self._unpacked()
        fn = said[0]
        return None if fn is None else said[2:] if fn is _QUOTED else said

    # -------------------------------------------------------------- value semantics
    def _key_values(self) -> tuple[Any, ...]:
        return (*(getattr(self, f) for f in _COMPARED), self.explanation)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Obligation)
        return self._key_values() == other._key_values()

    def __hash__(self) -> int:
        return hash(self._key_values())

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
        facts = self._rule
        scope = self._scope
        out = {
            "key": self.key,
            "rule": facts.rule,
            "title": facts.title,
            "source": facts.source,
            "rule_version": facts.rule_version,
            "rule_variant": facts.rule_variant,
            "child_id": scope.child_id,
            "period_id": scope.period_id,
            "placement_id": scope.placement_id,
            "sequence": self.sequence,
            "anchor": _iso(self.anchor),
            "due": _iso(self.due),
            "met_on": _iso(self.met_on),
            "status": self.status,
            "reason": self.reason,
            "days_late": self.days_late,
            "citation": facts.citation,
            "citation_url": facts.citation_url,
            "explanation": explanation_text(self) if explanation else None,
            "base_rule": facts.base_rule,
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
    """An obligation with every field but the explanation, which ``recipe`` writes when first
    read."""
    return facts_obligation(
        RuleFacts(
            rule, title, source, rule_version, rule_variant, citation, citation_url, base_rule
        ),
        ScopeFacts(child_id, period_id, placement_id, "", key),
        sequence,
        anchor,
        due,
        met_on,
        status,
        reason,
        days_late,
        closed_on,
        branch,
        recipe,
    )


def facts_obligation(
    rule: RuleFacts,
    scope: ScopeFacts,
    sequence: int,
    anchor: date | None,
    due: date | None,
    met_on: date | None,
    status: str,
    reason: str | None,
    days_late: int | None,
    closed_on: date | None,
    branch: str,
    recipe: Recipe,
) -> Obligation:
    """:func:`lazy_obligation` from the facts it shares with its rule and scope (a copy of
    another obligation can share them: ``ob._rule``); its key is the scope's ``key``, or when
    that is ``None`` written from the scope's ``key_prefix`` when read."""
    self = _Fields(
        rule,
        scope,
        sequence,
        anchor,
        due,
        met_on,
        status,
        reason,
        days_late,
        closed_on,
        branch,
        recipe,
    )
    self.__class__ = Obligation
    return cast(Obligation, self)


def explanation_text(ob: Obligation) -> str:
    """``ob.explanation``, written from its recipe if it was never read, but not kept: for
    readers that copy every obligation's explanation elsewhere (a DataFrame column, an output
    file), so that a report does not end up holding each text as well as the copy."""
    said = ob._said
    if type(said) is not tuple:  # the usual recipe, kept in slots
        written: str = said(ob, ob._label, ob._note, ob._event)[0]
        return written
    fn = said[0]
    if fn is None:
        given: str = said[1]
        return given
    if fn is _QUOTED:
        said = said[2:]
        fn = said[0]
    text: str = fn(ob, *said[1:])[0]
    return text


class _Quoted:
    """Marks ``Obligation._said`` as ``(_QUOTED, basis, *recipe)``: the basis was read (and is
    kept), the explanation not yet (internal)."""

    __slots__ = ()


_QUOTED = _Quoted()


def _restore(
    values: tuple[Any, ...], closed_on: date | None, branch: str, explanation: str, basis: str
) -> Obligation:
    # ``values`` are the compared fields in OBLIGATION_FIELDS order: base_rule is the last.
    return Obligation(*values[:-1], explanation, closed_on, basis, branch, values[-1])
