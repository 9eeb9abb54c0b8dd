"""The small frozen records of the case model: which period and placement an event belongs to
(:class:`Assignment`) and a valid but suspicious piece of data (:class:`Finding`).

They live apart from the code that makes them (``assign.py``, ``findings.py``) so that the
native build (docs/compiled.md) can compile that code while these stay ordinary Python classes,
built and pickled as any dataclass is.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Assignment", "Finding"]


@dataclass(frozen=True, slots=True)
class Assignment:
    """The period and placement an event belongs to (``None`` when it belongs to none)."""

    period_id: str | None
    placement_id: str | None


@dataclass(frozen=True, slots=True)
class Finding:
    """Valid but suspicious data: a stable ``code``, the ``field`` path and a ``message``."""

    code: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}
