"""The optional native build (docs/compiled.md): which modules it compiles, how an
installation tells which build it is, and, when the suite runs against that build
(``LACPLAN_NATIVE=1``, as .ci/run does), that it really is the compiled engine under test."""

from __future__ import annotations

import os
import sys
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import lacplan
from lacplan import _build
from lacplan._build import COMPILED, compiled_modules, version_text

ROOT = Path(__file__).resolve().parents[2]
NATIVE = os.environ.get("LACPLAN_NATIVE") == "1"


def test_the_hook_compiles_exactly_the_listed_modules() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hook = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    assert hook["enable-by-default"] is False  # pure Python stays the default build
    listed = {p.removeprefix("src/").removesuffix(".py").replace("/", ".") for p in hook["include"]}
    assert listed == set(COMPILED)
    assert all((ROOT / p).is_file() for p in hook["include"])


def test_all_or_none_of_the_modules_are_compiled() -> None:
    """A partly compiled evaluator cannot be imported (its mixins must all be native)."""
    assert compiled_modules() in {(), COMPILED}


@pytest.mark.skipif(not NATIVE, reason="the suite runs against the pure-Python build")
def test_the_native_build_is_what_runs() -> None:
    assert compiled_modules() == COMPILED
    for name in COMPILED:
        __import__(name)
        assert sys.modules[name].__file__.endswith(tuple(EXTENSION_SUFFIXES)), name
    assert not Path(lacplan.__file__).is_relative_to(ROOT / "src")


@pytest.mark.skipif(NATIVE, reason="the suite runs against the native build")
def test_the_pure_build_is_what_runs() -> None:
    assert compiled_modules() == ()
    assert version_text("9.9") == "lacplan 9.9"


def test_an_installation_with_extension_files_reports_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in COMPILED[:3]:
        *package, stem = name.split(".")[1:]
        where = tmp_path.joinpath(*package)
        where.mkdir(parents=True, exist_ok=True)
        (where / f"{stem}{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / "status.py").write_text("")  # sources alone are not compiled
    monkeypatch.setattr(_build, "_ROOT", tmp_path)
    assert compiled_modules() == COMPILED[:3]
    assert version_text("1.2") == "lacplan 1.2 (native: 3 modules)"
