"""Declarative rule packs and the engine that evaluates them.

* ``schema.py``: what a rule declaration is (citation, anchor, offsets, satisfaction, ...);
* ``pack.py``: ``RulePack``, an ordered, load-time-checked collection of rules;
* ``conventions.py``: ``Conventions``, readings where the law is silent;
* ``engine.py``: evaluation, with no rule-specific code;
* ``england/``: the England statutory pack, one module per instrument.
"""

from __future__ import annotations

from lacplan.errors import UsageError
from lacplan.rules.conventions import Conventions
from lacplan.rules.pack import RulePack

__all__ = ["PACK_NAMES", "Conventions", "RulePack", "get_pack"]

#: Names accepted by ``evaluate(rules=...)`` and ``--rules``.
PACK_NAMES: tuple[str, ...] = ("england",)


def get_pack(rules: str | RulePack) -> RulePack:
    """The rule pack named ``rules`` (or ``rules`` itself if it already is one)."""
    if isinstance(rules, RulePack):
        return rules
    if rules == "england":
        from lacplan.rules.england import ENGLAND

        return ENGLAND
    raise UsageError(f"unknown rule pack {rules!r}; available: {', '.join(PACK_NAMES)}")
