"""Declarative rule packs and the engine that evaluates them.

* ``schema.py``: what a rule declaration is (anchor, offsets, satisfaction, schedules, ...),
  built from ``terms.py`` (citations, dates in force, date references, event filters) and
  ``conditions.py``;
* ``pack.py``: ``RulePack``, an ordered, load-time-checked collection of rules, and overlays
  stacked on a base pack;
* ``files.py``: rule files (TOML) to and from packs;
* ``conventions.py``: ``Conventions``, readings where the law is silent;
* ``engine.py``: evaluation, with no rule-specific code (``resolve.py``: date references and
  conditions; ``windows.py``: windowed schedules; ``state.py``; ``status.py``: an obligation's
  status; ``explain.py``: explanations);
* ``england/``: the England statutory pack, one module per instrument;
* ``overlays/``: the shipped overlay rule files (``ifa.toml``, the fostering agency pack).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from importlib import resources

from lacplan.errors import UsageError
from lacplan.rules.conventions import Conventions
from lacplan.rules.pack import RulePack

__all__ = ["BASE_PACKS", "OVERLAYS", "PACK_NAMES", "Conventions", "RulePack", "get_pack"]

#: Built-in base packs.
BASE_PACKS: tuple[str, ...] = ("england",)
#: Built-in overlays, stacked on a base pack with ``+`` (``"england+ifa"``).
OVERLAYS: tuple[str, ...] = ("ifa",)
#: Names accepted by ``evaluate(rules=...)`` and ``--rules`` (any base, then any overlays).
PACK_NAMES: tuple[str, ...] = ("england", "england+ifa")


def _base(name: str) -> RulePack:
    if name == "england":
        from lacplan.rules.england import ENGLAND

        return ENGLAND
    raise UsageError(
        f"unknown rule pack {name!r}; base packs: {', '.join(BASE_PACKS)}; overlays (after a "
        f"'+'): {', '.join(OVERLAYS)}"
    )


def _builtin_overlay(name: str, base: RulePack) -> RulePack:
    if name not in OVERLAYS:
        raise UsageError(
            f"unknown overlay {name!r}; built-in overlays: {', '.join(OVERLAYS)} (a rule file: "
            "--overlay PATH)"
        )
    from lacplan.rules.files import loads_rule_file

    text = (
        resources.files("lacplan")
        .joinpath(f"rules/overlays/{name}.toml")
        .read_text(encoding="utf-8")
    )
    return loads_rule_file(text, file=f"{name}.toml", base=base)


@cache
def _stack(name: str) -> RulePack:
    """A built-in stack by name, built once (the packs are immutable)."""
    base, *overlays = name.split("+")
    pack = _base(base)
    for overlay in overlays:
        pack = _builtin_overlay(overlay, pack)
    return pack


def get_pack(
    rules: str | RulePack,
    overlays: Iterable[str | os.PathLike[str] | RulePack] = (),
) -> RulePack:
    """The rule pack named ``rules`` (``"england"``, ``"england+ifa"``) or ``rules`` itself,
    with each of ``overlays`` stacked on it: a built-in overlay's name, a rule file's path, or
    a ``RulePack`` overlay already stacked on this pack."""
    pack = rules if isinstance(rules, RulePack) else _stack(rules)
    for overlay in overlays:
        if isinstance(overlay, RulePack):
            if overlay.layers[: len(pack.layers)] != pack.layers:
                raise UsageError(
                    f"overlay {overlay.name!r} is not stacked on {pack.name!r}; load it with "
                    "base=<that pack>"
                )
            pack = overlay
        elif isinstance(overlay, str) and overlay in OVERLAYS:
            pack = _builtin_overlay(overlay, pack)
        else:
            from lacplan.rules.files import load_rule_file

            pack = load_rule_file(overlay, base=pack)
    return pack
