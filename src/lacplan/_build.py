"""Which build of lacplan is running: pure Python (the default and the reference) or the
optional native build, whose rules engine is compiled with mypyc (docs/compiled.md).

Both give byte-identical results; the native one evaluates faster. Nothing here imports the
modules it reports on: it looks for their extension files beside the package, which Python's
import system loads in preference to the ``.py`` sources.
"""

from __future__ import annotations

from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

#: The modules the native build compiles (kept equal to the mypyc hook's ``include`` in
#: pyproject.toml by a test): the engine and what it calls for every case. The mixins of the
#: evaluator (resolve, windows, satisfy, engine) are compiled together (mypyc cannot compile a
#: class whose bases are only partly native); no class of the public API is defined in them (a
#: compiled class is a native one, which the interpreter cannot build as it builds a dataclass:
#: ``Assignment`` and ``Finding`` live in ``domain/records.py`` for that reason).
COMPILED: tuple[str, ...] = (
    "lacplan.domain.assign",
    "lacplan.domain.findings",
    "lacplan.rules.compiled",
    "lacplan.rules.engine",
    "lacplan.rules.explain",
    "lacplan.rules.resolve",
    "lacplan.rules.satisfy",
    "lacplan.rules.state",
    "lacplan.rules.status",
    "lacplan.rules.windows",
)

_ROOT = Path(__file__).resolve().parent


def compiled_modules() -> tuple[str, ...]:
    """The lacplan modules this installation runs as native extension modules: all of
    :data:`COMPILED` in the native build, none in the pure-Python one.

    >>> from lacplan import compiled_modules
    >>> set(compiled_modules()) <= set(COMPILED)
    True
    """
    found = []
    for name in COMPILED:
        stem = _ROOT.joinpath(*name.split(".")[1:])
        if any(stem.with_name(stem.name + suffix).is_file() for suffix in EXTENSION_SUFFIXES):
            found.append(name)
    return tuple(found)


def version_text(version: str) -> str:
    """What ``lacplan --version`` prints: the pure build as ever, the native one says so.

    >>> version_text("1.0") in {"lacplan 1.0", f"lacplan 1.0 (native: {len(COMPILED)} modules)"}
    True
    """
    native = compiled_modules()
    return f"lacplan {version} (native: {len(native)} modules)" if native else f"lacplan {version}"
