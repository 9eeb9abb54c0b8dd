"""The fuzz targets: what each feeds lacplan, the outcomes it counts and the properties it checks.

* ``loaders``: ``lacplan.load_cases`` over mutated JSON and JSON Lines files (the valid cases'
  findings computed and the first one evaluated);
* ``ssda903``: ``lacplan.adapters.ssda903.read_ssda903`` over mutated returns (CSV tables in
  collection-year folders), the cases evaluated;
* ``rules``: ``lacplan.rules.files.load_rule_file`` over mutated rule files (TOML), an accepted
  pack written back and evaluated;
* ``engine``: ``lacplan.evaluate`` over generated valid cases at random as-of dates.

``base.py`` defines :class:`~fuzz.targets.base.Target` and :class:`~fuzz.targets.base.Outcome`.
"""

from __future__ import annotations

from typing import Any, Final

from fuzz.targets.base import CORPUS, Outcome, Target

__all__ = ["CORPUS", "NAMES", "Outcome", "Target", "get_target"]

#: The targets, in the order the runner and the docs list them.
NAMES: Final[tuple[str, ...]] = ("loaders", "ssda903", "rules", "engine")


def get_target(name: str) -> Target[Any]:
    """A new instance of the target called ``name``."""
    if name == "loaders":
        from fuzz.targets.loaders import LoadersTarget

        return LoadersTarget()
    if name == "ssda903":
        from fuzz.targets.ssda903 import Ssda903Target

        return Ssda903Target()
    if name == "rules":
        from fuzz.targets.rules import RulesTarget

        return RulesTarget()
    if name == "engine":
        from fuzz.targets.engine import EngineTarget

        return EngineTarget()
    raise ValueError(f"unknown target {name!r}; targets: {', '.join(NAMES)}")
