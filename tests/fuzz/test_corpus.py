"""Every file of ``tests/fuzz/corpus`` replayed through its target.

The corpus holds the inputs that once crashed lacplan or broke a property (the named regression
files), small, diverse inputs the long runs found (``novel-*``), and inputs that still fail for
a bug reported but not yet fixed (``known-*``, expected to fail). ``fuzz/run.py`` adds a
crashing input here (``crash-*``) as it finds one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fuzz.targets import CORPUS, NAMES, Target


def _entries() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for name in NAMES:
        folder = CORPUS / name
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.name.startswith((".", "README")):
                continue
            if (name == "ssda903") == path.is_dir():
                out.append((name, path))
    return out


ENTRIES = _entries()

#: Entries (``known-*``) that still fail, for a bug in code the fuzz work does not own, each
#: with its reason. They are expected to fail (strictly): once the bug is fixed the test fails,
#: and the entry is renamed (dropping ``known-``) and removed from here.
KNOWN: dict[str, str] = {}


def _param(name: str, path: Path) -> Any:
    entry = f"{name}/{path.name}"
    if path.name.startswith("known-"):
        mark = pytest.mark.xfail(strict=True, reason=KNOWN[entry])
        return pytest.param(name, path, id=entry, marks=mark)
    return pytest.param(name, path, id=entry)


@pytest.mark.parametrize(("name", "path"), [_param(n, p) for n, p in ENTRIES])
def test_corpus_entry(request: pytest.FixtureRequest, name: str, path: Path) -> None:
    target: Target[Any] = request.getfixturevalue(name)
    target.check(target.load(path))


def test_every_known_failure_has_its_entry() -> None:
    entries = {f"{name}/{path.name}" for name, path in ENTRIES}
    assert set(KNOWN) <= entries
    assert {e for e in entries if e.split("/")[1].startswith("known-")} == set(KNOWN)


@pytest.mark.parametrize("name", NAMES)
def test_every_target_has_a_corpus(name: str) -> None:
    assert sum(n == name for n, _ in ENTRIES) >= 5
