"""Serialisers: what each worker of :func:`lacplan.parallel.evaluate_serialised` makes of a
child's result, so that the parent only writes: :class:`TextOf` (a writer's text: a JSON Lines
line, a child of the JSON document), :class:`CsvText` (CSV rows), :class:`RowsOf` (rows for the
xlsx and Parquet writers), :func:`keep` (the result itself); :class:`Made` sends a closure to the
workers as the recipe that makes it. Each pickles (for the ``forkserver`` and ``spawn`` start
methods) as its function and arguments.

Cheap to import (no ``multiprocessing``): the command line serialises through them with one
process too, so every ``--jobs`` runs the same functions.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lacplan.escape import csv_text
from lacplan.report import ChildResult

__all__ = ["CsvText", "Made", "RowsOf", "TextOf", "keep"]


def keep(child: ChildResult) -> ChildResult:
    """The serialiser that keeps each :class:`ChildResult` (for outputs that need the whole
    report: the table, the audit commands). Results are pickled back: slower than text."""
    return child


class _Recipe:
    """A callable given by its function and arguments, which pickles as them."""

    __slots__ = ("args", "func", "kwargs")

    def __init__(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        self.func, self.args, self.kwargs = func, args, kwargs

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.func, self.args, self.kwargs)


def _rebuilt(
    kind: type[_Recipe], func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> _Recipe:
    return kind(func, *args, **kwargs)


class Made(_Recipe):
    """The callable ``factory(*args, **kwargs)`` returns, made once in each process that
    calls it: a closure (``lacplan.columns.row_maker(...)``, ``obligation_picker(...)``) sent
    to workers as its recipe, which pickles where the closure does not."""

    __slots__ = ("_made",)

    def __init__(self, factory: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        super().__init__(factory, *args, **kwargs)
        self._made: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        made = self._made
        if made is None:
            made = self._made = self.func(*self.args, **self.kwargs)
        return made(*args)


class TextOf(_Recipe):
    """A serialiser: the text ``writer(child, out, *args, **kwargs)`` writes, e.g.
    ``TextOf(write_jsonl_child)`` for JSON Lines (the arguments pickle with it)."""

    __slots__ = ()

    def __call__(self, child: ChildResult) -> str:
        buf = io.StringIO()
        self.func(child, buf, *self.args, **self.kwargs)
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class RowsOf:
    """A serialiser: the list of ``rows(child)`` (``Made(row_maker, ...)``, or
    ``functools.partial(child_rows, ...)``), for the xlsx and Parquet writers."""

    rows: Callable[[ChildResult], Iterable[Any]]

    def __call__(self, child: ChildResult) -> list[Any]:
        return list(self.rows(child))


@dataclass(frozen=True, slots=True)
class CsvText:
    """A serialiser: ``rows(child)`` (lists of values in column order, ``None`` an empty cell)
    as CSV text, no header: the bytes ``write_csv_values`` writes for them."""

    rows: Callable[[ChildResult], Iterable[Sequence[Any]]]

    def __call__(self, child: ChildResult) -> str:
        return csv_text(self.rows(child))
