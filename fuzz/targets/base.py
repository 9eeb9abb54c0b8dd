"""What every fuzz target is.

A :class:`Target` turns one input into an :class:`Outcome` (a label the runner counts, and a
signature of what the input exercised: error codes, message shapes) or raises:
:class:`~fuzz.checks.PropertyFailure` when a property breaks, any other exception when lacplan
let an undocumented one escape (a crash). Inputs are saved to and loaded from corpus files
(``tests/fuzz/corpus/<target>/``).
"""

from __future__ import annotations

import random
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Generic, TypeVar

__all__ = ["CORPUS", "Outcome", "Target", "scratch_dir", "shape"]

#: The committed corpus: one folder per target.
CORPUS: Final = Path(__file__).resolve().parents[2] / "tests" / "fuzz" / "corpus"

I = TypeVar("I")  # noqa: E741 - the input type of a target


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input did: ``label`` (counted) and ``signature`` (for novelty: an input with a
    new signature joins the runner's pool)."""

    label: str
    signature: tuple[str, ...] = ()


def shape(message: str) -> str:
    """A message reduced to its shape (quoted text and numbers blanked), for signatures."""
    out: list[str] = []
    quote: str | None = None
    for ch in message:
        if quote is not None:
            if ch == quote:
                quote = None
                out.append(ch)
            continue
        if ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch.isdigit():
            if not out or out[-1] != "#":
                out.append("#")
        else:
            out.append(ch)
    return "".join(out)[:300]


def scratch_dir() -> Path:
    """A private folder for the files a target writes (in memory when ``/dev/shm`` exists)."""
    base = "/dev/shm" if Path("/dev/shm").is_dir() else None
    return Path(tempfile.mkdtemp(prefix="lacplan-fuzz-", dir=base))


class Target(ABC, Generic[I]):
    """One input path under fuzzing."""

    name: str = ""
    #: File name endings of this target's corpus files (a folder, for SSDA903 returns: "/").
    suffixes: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._scratch: Path | None = None

    @property
    def scratch(self) -> Path:
        if self._scratch is None:
            self._scratch = scratch_dir()
        return self._scratch

    def close(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    @abstractmethod
    def seeds(self) -> list[I]:
        """Valid (or nearly valid) inputs to mutate, the sentinel date of birth in them."""

    @abstractmethod
    def mutate(self, item: I, rnd: random.Random, pool: Sequence[I]) -> I:
        """A new input from ``item`` (``pool``: other inputs to splice from)."""

    @abstractmethod
    def check(self, item: I) -> Outcome:
        """Run lacplan on ``item``; raise on a crash or a broken property."""

    @abstractmethod
    def save(self, item: I, directory: Path, stem: str) -> Path:
        """Write ``item`` as a corpus entry named ``stem`` (plus a suffix) in ``directory``."""

    @abstractmethod
    def load(self, path: Path) -> I:
        """The input a corpus entry holds."""

    @abstractmethod
    def size(self, item: I) -> int:
        """The input's size in bytes (small inputs are preferred as corpus entries)."""

    def entries(self, directory: Path) -> list[Path]:
        """The corpus entries in ``directory``, sorted (README files are not entries)."""
        if not directory.is_dir():
            return []
        return sorted(
            p
            for p in directory.iterdir()
            if not p.name.startswith((".", "README")) and p.name.endswith(self.suffixes)
        )
