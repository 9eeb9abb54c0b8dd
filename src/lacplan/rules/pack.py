"""``RulePack``: an ordered, checked collection of rule declarations.

The pack's order is the *catalogue order* (reports list obligations in it, and a rule may refer
only to rules declared before it). Building a pack checks, and fails with a
:class:`~lacplan.errors.RuleSetError` naming the rule, that:

* each (id, variant, version) is declared once, the versions of one variant share a scope, a
  variant condition, a schedule and a scope end, and
  versions of one variant chosen the same way (``chosen_by``) never overlap in force;
* every ``rule:<id>`` reference names an earlier rule with a period-scoped variant (or one of the
  referring rule's scope);
* every event type and event field, period or placement field and fact named exists;
* every ``Conventions`` field named exists.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

from pydantic import BaseModel

from lacplan import model
from lacplan.calendar import WorkingDayCalendar
from lacplan.errors import RuleSetError
from lacplan.model import EVENT_TYPES
from lacplan.offsets import _Offset
from lacplan.rules.conventions import Conventions
from lacplan.rules.facts import DATE_FACTS
from lacplan.rules.schema import (
    AgeCondition,
    AttrCondition,
    ConventionCondition,
    DateExpr,
    EventMatch,
    Rule,
    RuleStatusCondition,
    Windows,
)
from lacplan.rules.terms import _RULE_REF, _json_value

__all__ = ["Layer", "RulePack", "Source"]

#: Period fields a ``DateExpr.plus_days_field`` may name (whole numbers of days).
_INT_PERIOD_FIELDS: frozenset[str] = frozenset(
    name for name, info in model.Period.model_fields.items() if info.annotation in (int, int | None)
)


_NESTED = (BaseModel, tuple, list)


def _models(obj: Any) -> list[BaseModel]:
    """Every pydantic model nested in ``obj`` (``obj`` itself first if it is one), depth first
    in field order. A declaration's fields are exactly its ``__dict__`` (frozen, no extras)."""
    out: list[BaseModel] = []

    def visit(value: Any) -> None:
        if isinstance(value, BaseModel):
            out.append(value)
            items: Iterable[Any] = value.__dict__.values()
        else:
            items = value
        for item in items:
            if isinstance(item, _NESTED):
                visit(item)

    if isinstance(obj, _NESTED):
        visit(obj)
    return out


Source = Literal["statutory", "agency", "local"]


@dataclass(frozen=True, slots=True)
class Layer:
    """One pack in a stack of packs: the statute at the bottom, overlays on top.

    ``closures`` are non-statutory non-working days that apply to this layer's rules only (never
    to the statute's); ``settings`` the named numbers its rule file declared (already substituted
    into its offsets).
    """

    name: str
    version: str
    title: str
    source: Source
    prefix: str = ""
    closures: tuple[date, ...] = ()
    closure_name: str = ""
    settings: Mapping[str, int] = field(default_factory=dict)
    closure_spec: tuple[Mapping[str, Any], ...] = ()
    """The closures as the rule file wrote them (yearly ``MM-DD`` ranges), for writing it back."""


class RulePack:
    """An immutable, validated rule pack (e.g. ``england``), or a stack of packs.

    ``RulePack(name, version, rules, base=england, source="agency", prefix="ifa")`` is an
    *overlay*: its rules are evaluated beside the base pack's (never instead of them), may refer
    to the base's results, carry the ``prefix`` in their ids and may name a ``base_rule`` they
    tighten. The stack's ``name`` is ``"england+ifa"``.
    """

    __slots__ = (
        "_by_id",
        "_hash",
        "_ids",
        "_layer_of",
        "_program",
        "_reads",
        "_scopes",
        "layers",
        "name",
        "rules",
        "source",
        "title",
        "version",
    )

    def __init__(
        self,
        name: str,
        version: str,
        rules: Iterable[Rule],
        *,
        title: str = "",
        source: Source = "statutory",
        base: RulePack | None = None,
        prefix: str = "",
        closures: Iterable[date] = (),
        closure_name: str = "",
        settings: Mapping[str, int] | None = None,
        closure_spec: tuple[Mapping[str, Any], ...] = (),
    ) -> None:
        own = tuple(rules)
        layer = Layer(
            name,
            version,
            title or name,
            source,
            prefix,
            tuple(sorted(set(closures))),
            closure_name,
            dict(settings or {}),
            closure_spec,
        )
        if base is None:
            self.layers: tuple[Layer, ...] = (layer,)
            self.name, self.version = name, version
            self.rules: tuple[Rule, ...] = own
            self._layer_of: dict[str, Layer] = {r.id: layer for r in own}
        else:
            _check_overlay(base, layer, own)
            self.layers = (*base.layers, layer)
            self.name, self.version = f"{base.name}+{name}", f"{base.version}+{version}"
            self.rules = (*base.rules, *own)
            self._layer_of = {**base._layer_of, **{r.id: layer for r in own}}
        self.title = " + ".join(la.title for la in self.layers)
        self.source = layer.source
        self._hash: str | None = None
        ids: list[str] = []
        by_id: dict[str, list[list[Rule]]] = {}
        scopes: dict[str, frozenset[str]] = {}
        seen: set[tuple[str, str, str]] = set()
        for r in self.rules:
            if r.key in seen:
                raise RuleSetError(
                    f"rule {r.id!r} variant {r.variant!r} version {r.version!r} is declared twice"
                )
            seen.add(r.key)
            if r.id not in by_id:
                ids.append(r.id)
                by_id[r.id] = []
                scopes[r.id] = frozenset()
            scopes[r.id] |= {r.scope}
            variants = by_id[r.id]
            for vs in variants:
                if vs[0].variant == r.variant:
                    for shared in ("scope", "variant_when", "schedule", "scope_end"):
                        if getattr(vs[0], shared) != getattr(r, shared):
                            raise RuleSetError(
                                f"rule {r.id!r} variant {r.variant!r}: every version of a "
                                f"variant must share one {shared.replace('_', ' ')}"
                            )
                    vs.append(r)
                    break
            else:
                variants.append([r])
        self._ids = tuple(ids)
        # Within a variant, versions tied to an event (chosen by anchor) are tried first (A20).
        self._by_id: dict[str, tuple[tuple[Rule, ...], ...]] = {
            k: tuple(tuple(sorted(vs, key=lambda r: r.chosen_by != "anchor")) for vs in v)
            for k, v in by_id.items()
        }
        self._scopes = scopes
        self._program: Any = None  # the compiled pack (rules/compiled.py), built on first use
        self._reads: dict[int, frozenset[str]] = {}
        for r in self.rules:
            nodes = _models(r)
            self._reads[id(r)] = frozenset(n.type for n in nodes if isinstance(n, EventMatch))
            self._check(r, ids, nodes)
        for grouped in self._by_id.values():
            for versions in grouped:
                _check_no_overlap(versions)

    # ----------------------------------------------------------------- checks
    def _check(self, r: Rule, ids: list[str], nodes: list[BaseModel]) -> None:
        earlier = set(ids[: ids.index(r.id)])
        settings = self._layer_of[r.id].settings
        for node in nodes:
            if isinstance(node, _Offset) and node.setting is not None:
                if node.setting not in settings:
                    raise RuleSetError(
                        f"rule {r.id!r} names unknown setting {node.setting!r}"
                        + _did_you_mean(node.setting, settings)
                    )
                if settings[node.setting] != node.n:
                    raise RuleSetError(
                        f"rule {r.id!r}: an offset reads setting {node.setting!r} "
                        f"({settings[node.setting]}) but says {node.n}"
                    )
            if isinstance(node, DateExpr) and node.rule_ref:
                self._check_ref(r, node.rule_ref[0], earlier)
            if isinstance(node, DateExpr) and node.plus_days_field is not None:
                days = node.plus_days_field
                if days not in _INT_PERIOD_FIELDS:
                    raise RuleSetError(
                        f"rule {r.id!r}: plus_days_field {days!r} is not a whole-number field of "
                        "a period" + _did_you_mean(days, _INT_PERIOD_FIELDS)
                    )
            if isinstance(node, DateExpr) and node.not_before is not None:
                m = _RULE_REF.match(node.not_before)
                if m:
                    self._check_ref(r, m["rule"], earlier)
            if isinstance(node, DateExpr) and node.fact and node.fact not in DATE_FACTS:
                raise RuleSetError(
                    f"rule {r.id!r} names unknown fact {node.fact!r}"
                    + _did_you_mean(node.fact, DATE_FACTS)
                )
            if isinstance(node, DateExpr) and node.minus_months_convention:
                if node.minus_months_convention not in Conventions.model_fields:
                    raise RuleSetError(
                        f"rule {r.id!r} names unknown convention {node.minus_months_convention!r}"
                    )
            elif isinstance(node, RuleStatusCondition):
                self._check_ref(r, node.rule, earlier)
            elif isinstance(node, EventMatch):
                if node.type not in EVENT_TYPES:
                    raise RuleSetError(
                        f"rule {r.id!r} names unknown event type {node.type!r}"
                        + _did_you_mean(node.type, EVENT_TYPES)
                    )
                allowed = event_fields(node.type)
                for k in (*(k for k, _ in node.fields), *node.null_fields):
                    if k not in allowed:
                        raise RuleSetError(
                            f"rule {r.id!r}: event type {node.type!r} has no field {k!r}"
                            + _did_you_mean(k, allowed)
                        )
            elif isinstance(node, AttrCondition):
                model_cls = model.Period if node.target == "period" else model.Placement
                allowed_attrs = set(model_cls.model_fields)
                if node.target != "period":
                    allowed_attrs |= {"ends_in_move", "first_in_period"}
                if node.field not in allowed_attrs:
                    raise RuleSetError(
                        f"rule {r.id!r}: a {node.target.replace('_', ' ')} has no field "
                        f"{node.field!r}" + _did_you_mean(node.field, allowed_attrs)
                    )
            elif isinstance(node, ConventionCondition | Windows | AgeCondition):
                names = (
                    (node.name,)
                    if isinstance(node, ConventionCondition)
                    else (node.windows_convention, node.pro_rata_convention)
                    if isinstance(node, Windows)
                    else (node.range_convention,)
                )
                for name in names:
                    if name is not None and name not in Conventions.model_fields:
                        raise RuleSetError(
                            f"rule {r.id!r} names unknown convention {name!r}"
                            + _did_you_mean(name, Conventions.model_fields)
                        )

    def _check_ref(self, r: Rule, ref: str, earlier: set[str]) -> None:
        if ref not in self._scopes:
            raise RuleSetError(
                f"rule {r.id!r} refers to unknown rule {ref!r} in pack {self.name!r} "
                f"{self.version}" + _did_you_mean(ref, self._ids)
            )
        if ref not in earlier or not self._scopes[ref] & {"period", r.scope}:
            raise RuleSetError(
                f"rule {r.id!r} refers to {ref!r}, which must be declared before it and be "
                "period-scoped or share its scope"
            )

    # ----------------------------------------------------------------- access
    @property
    def ids(self) -> tuple[str, ...]:
        """Rule ids in catalogue order."""
        return self._ids

    def scope(self, rule_id: str) -> str:
        """The scope of ``rule_id``'s first variant (see :meth:`scopes` for all of them)."""
        return self._by_id[rule_id][0][0].scope

    def scopes(self, rule_id: str) -> frozenset[str]:
        """Every scope a variant of ``rule_id`` runs in (``period``, ``placement``)."""
        return self._scopes[rule_id]

    def variants(self, rule_id: str) -> tuple[tuple[Rule, ...], ...]:
        """Versions of ``rule_id`` grouped by variant, in declaration order (within a variant,
        the versions chosen by their anchor first)."""
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise RuleSetError(
                f"no rule {rule_id!r} in the {self.name} rule pack {self.version}"
                + _did_you_mean(rule_id, self._ids)
            ) from None

    def reads(self, decl: Rule) -> frozenset[str]:
        """The event types a declaration of this pack reads (to meet, end, exempt or time it):
        a source that cannot show one of them cannot judge the rule."""
        return self._reads[id(decl)]

    def layer(self, rule_id: str) -> Layer:
        """The pack (layer) that declared ``rule_id``."""
        return self._layer_of[rule_id]

    def calendars(self, base: WorkingDayCalendar) -> dict[str, WorkingDayCalendar]:
        """The working-day calendar of each layer: ``base``, plus the layer's own closure days
        (which never reach the statute's rules)."""
        return {
            la.name: base.with_closures(la.closures, la.closure_name or None)
            if la.closures
            else base
            for la in self.layers
        }

    def in_force(self, on: date | None) -> tuple[Rule, ...]:
        """Declarations in force on ``on`` (all when ``on`` is None), in catalogue order."""
        order = {rid: i for i, rid in enumerate(self._ids)}
        rules = [r for r in self.rules if on is None or r.in_force.contains(on)]
        return tuple(sorted(rules, key=lambda r: order[r.id]))

    @property
    def content_hash(self) -> str:
        """SHA-256 (first 16 hex digits) of the declarations (and of each overlay's name, source
        and closure days), for reproducibility."""
        if self._hash is None:
            memo: dict[int, Any] = {}
            content: list[Any] = [_content(r, memo) for r in self.rules]
            if len(self.layers) > 1 or self.layers[0].closures:
                content.append(
                    [
                        [la.name, la.source, [d.isoformat() for d in la.closures]]
                        for la in self.layers
                    ]
                )
            blob = json.dumps(content, sort_keys=True)
            self._hash = hashlib.sha256(blob.encode()).hexdigest()[:16]
        return self._hash

    def __repr__(self) -> str:
        return f"RulePack({self.name!r}, {self.version!r}, {len(self._ids)} rules)"

    # ----------------------------------------------------------------- pickling
    def __getstate__(self) -> dict[str, Any]:
        """The pack's fields but its compiled program (closures, rebuilt on first use) and
        its per-declaration index (keyed by object identity, rebuilt on unpickling)."""
        return {k: getattr(self, k) for k in self.__slots__ if k not in ("_program", "_reads")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)
        self._program = None
        self._reads = {
            id(r): frozenset(n.type for n in _models(r) if isinstance(n, EventMatch))
            for r in self.rules
        }


def _content(r: Rule, memo: dict[int, Any]) -> Any:
    """What :attr:`RulePack.content_hash` hashes of ``r``: ``r.model_dump(mode="json")``."""
    try:
        return _json_value(r, memo)
    except TypeError:  # pragma: no cover - declarations hold only the types _json_value knows
        return r.model_dump(mode="json")


def _check_overlay(base: RulePack, layer: Layer, rules: tuple[Rule, ...]) -> None:
    """An overlay's rule ids carry its prefix, do not clash with the base, and every
    ``base_rule`` names a rule of the base pack."""
    if layer.source == "statutory":
        raise RuleSetError(f"pack {layer.name!r}: an overlay's source is 'agency' or 'local'")
    if not layer.prefix:
        raise RuleSetError(f"pack {layer.name!r}: an overlay needs a prefix for its rule ids")
    for r in rules:
        if not r.id.startswith(layer.prefix + "-"):
            raise RuleSetError(
                f"rule {r.id!r} of pack {layer.name!r} must start with the pack's prefix "
                f"{layer.prefix + '-'!r}"
            )
        if r.id in base._layer_of:
            raise RuleSetError(f"rule {r.id!r} of pack {layer.name!r} is already in {base.name!r}")
        if r.base_rule is not None and r.base_rule not in base._layer_of:
            raise RuleSetError(
                f"rule {r.id!r} of pack {layer.name!r} names base rule {r.base_rule!r}, which "
                f"{base.name!r} does not have" + _did_you_mean(r.base_rule, base.ids)
            )


def _check_no_overlap(versions: tuple[Rule, ...]) -> None:
    for chosen_by in ("due", "anchor"):
        _check_spans(sorted((v for v in versions if v.chosen_by == chosen_by), key=_start))


def _start(r: Rule) -> date:
    return r.in_force.start


def _check_spans(spans: list[Rule]) -> None:
    for a, b in itertools.pairwise(spans):
        if a.in_force.end is None or a.in_force.end >= b.in_force.start:
            raise RuleSetError(
                f"rule {a.id!r} variant {a.variant!r}: versions {a.version!r} and {b.version!r} "
                "overlap in force"
            )


def event_fields(event_type: str) -> frozenset[str]:
    """Field names of the case model's event class for ``event_type``."""
    union = get_args(model.Event)[0]
    for cls in get_args(union):
        if get_args(cls.model_fields["type"].annotation) == (event_type,):
            return frozenset(cls.model_fields)
    return frozenset()


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    import difflib  # only on an error

    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
