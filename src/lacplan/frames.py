"""Obligations as a ``pandas.DataFrame``, built column by column (the notebook path).

:func:`report_frame` gives what ``Report.to_dataframe()`` gives: one row per obligation in
report order, the columns :data:`~lacplan.report.ROW_FIELDS` then ``label_<name>`` (label
keys sorted). :func:`children_frame` builds the same frame from any iterable of
:class:`~lacplan.report.ChildResult` (for example :func:`lacplan.iter_evaluate`), so a cohort
can go into a DataFrame without a whole ``Report`` held beside it.

No dict is made per row: each column is read straight from the obligations' attributes, a
chunk of rows at a time (:data:`CHUNK_ROWS`), and turned into an array at once, so apart from
the frame itself only one chunk's values are held. Column types:

* **ordered categorical** ``status``, its categories :data:`~lacplan.report.STATUS_ORDER` (most
  urgent first: sorting by it puts overdue first);
* **categorical** (categories sorted, missing values ``NaN``) every column whose values come
  from the rule pack or the run rather than from the cohort, so that it holds one small
  integer a row: ``rule``, ``title``, ``source``, ``rule_version``, ``rule_variant``,
  ``reason``, ``citation``, ``citation_url``, ``base_rule``, ``rules_version``, and the
  ``label_<name>`` columns (a child's labels come from a short list: teams, IROs, councils);
* **text** (pandas' default string dtype: ``str`` under pandas 3, ``object`` under pandas 2)
  the identifiers and free text, whose number of distinct values grows with the cohort:
  ``key``, ``child_id``, ``period_id``, ``placement_id`` and ``explanation``;
* **dates** ``anchor``, ``due``, ``met_on`` and ``as_of``: ``datetime64`` at the resolution
  pandas gives parsed ISO dates (``us`` under pandas 3, ``ns`` under pandas 2), missing
  ``NaT``;
* **integers** ``sequence`` (``int64``) and ``days_late`` (nullable ``Int64``).

The types do not depend on the data: an empty report, or one whose ``base_rule`` is always
null, has the same dtypes as any other. Frames of runs with different packs or labels have
different categories; ``pandas.concat`` then gives plain text columns for those (use
``pandas.api.types.union_categoricals`` or ``.astype("category")`` to get categoricals back).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

from lacplan.collector import raised_threshold
from lacplan.errors import UsageError
from lacplan.obligation import RULE_FIELDS, SCOPE_FIELDS, explanation_text
from lacplan.report import (
    OBLIGATION_FIELDS,
    ROW_FIELDS,
    STATUS_ORDER,
    ChildResult,
    Obligation,
    Report,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "CATEGORICAL_COLUMNS",
    "CHUNK_ROWS",
    "DATE_COLUMNS",
    "TEXT_COLUMNS",
    "children_frame",
    "report_frame",
]

#: Obligation fields held as (unordered) categoricals, besides ``status`` and the labels.
CATEGORICAL_COLUMNS: Final[tuple[str, ...]] = (
    "rule",
    "title",
    "source",
    "rule_version",
    "rule_variant",
    "reason",
    "citation",
    "citation_url",
    "base_rule",
)
#: Obligation fields held as ``datetime64`` (``as_of`` too, from the run).
DATE_COLUMNS: Final[tuple[str, ...]] = ("anchor", "due", "met_on")
#: Obligation fields held as text (pandas' default string dtype): ``key``, ``child_id``,
#: ``period_id``, ``placement_id``, ``explanation``, and any field added later.
TEXT_COLUMNS: Final[tuple[str, ...]] = tuple(
    f
    for f in OBLIGATION_FIELDS
    if f not in {*CATEGORICAL_COLUMNS, *DATE_COLUMNS, "status", "sequence", "days_late"}
)
#: Where a shared field is read from (its facts' slot: one C-level dotted read, no property).
_READ: Final[dict[str, str]] = {
    **{f: f"_rule.{f}" for f in RULE_FIELDS},
    **{f: f"_scope.{f}" for f in SCOPE_FIELDS},
}
#: Rows read and converted at a time (what is held besides the frame being built).
CHUNK_ROWS: int = 1 << 14

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
#: The ordinal standing for a missing date (``date.min`` is ordinal 1).
_NO_DATE: Final = 0


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("DataFrames need pandas: pip install 'lacplan[pandas]'") from exc
    return pandas


@functools.cache
def _date_dtype() -> Any:
    """The dtype pandas gives ISO date strings (what ``to_dataframe`` always had)."""
    pd = _pandas()
    return pd.to_datetime(pd.Series(["2000-01-01"]), format="ISO8601").dtype


@functools.cache
def _text_dtype() -> Any:
    """Pandas' default dtype for a column of strings (``str`` under pandas 3, else object)."""
    return _pandas().Series(["a"]).dtype


@functools.cache
def _arrow_text() -> Any:
    """``pyarrow`` when the default string dtype is stored in Arrow (fast to build), else None."""
    if getattr(_text_dtype(), "storage", None) != "pyarrow":
        return None
    return importlib.import_module("pyarrow")


def _code_type(n: int) -> Any:
    """The smallest signed integer type holding codes ``-1 .. n - 1``."""
    import numpy as np

    return np.int8 if n < 1 << 7 else np.int16 if n < 1 << 15 else np.int32


class _Text:
    """A text column, chunk by chunk (each chunk an array; joined without copying)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[Any] = []

    def add(self, values: list[str | None]) -> None:
        pd, pa = _pandas(), _arrow_text()
        if pa is not None:
            self.parts.append(
                pd.array(
                    pa.array(values, type=pa.large_string(), memory_pool=pa.system_memory_pool()),
                    _text_dtype(),
                )
            )
        else:
            self.parts.append(pd.array(values, dtype=_text_dtype()))

    def series(self) -> Any:
        pd = _pandas()
        parts, self.parts = self.parts, []
        if not parts:
            return pd.Series([], dtype=_text_dtype())
        # Arrow-backed chunks become one chunked array (no copy); object ones are concatenated.
        return pd.concat([pd.Series(p, copy=False) for p in parts], ignore_index=True)


class _Codes:
    """A categorical column, chunk by chunk: values are coded as they come (in order of first
    appearance), and the codes renumbered once at the end for sorted (or fixed) categories."""

    __slots__ = ("index", "parts")

    def __init__(self, fixed: Sequence[str] = ()) -> None:
        self.index: dict[str, int] = {v: i for i, v in enumerate(fixed)}
        self.parts: list[np.ndarray[Any, Any]] = []

    def add(self, values: Sequence[str | None], repeats: Sequence[int] | None = None) -> None:
        """Code ``values`` (None is missing) and keep the codes, each ``repeats[i]`` times if
        given (a child's label over its rows)."""
        import numpy as np

        codes, uniques = _pandas().factorize(np.array(values, dtype=object))
        index = self.index
        # The extra -1 at the end maps factorize's -1 (missing) to -1.
        remap = np.array([index.setdefault(u, len(index)) for u in uniques] + [-1], np.int32)
        # Kept in the smallest integer type that holds every code so far (at most 2 bytes a
        # row for any real pack); np.concatenate widens earlier chunks if it must.
        coded = remap[codes].astype(_code_type(len(index)), copy=False)
        if repeats is not None:
            coded = np.repeat(coded, np.asarray(repeats, dtype=np.int64))
        self.parts.append(coded)

    def categorical(self, *, fixed: Sequence[str] | None = None, ordered: bool = False) -> Any:
        """The column: categories ``fixed`` (values outside them missing), else sorted."""
        import numpy as np

        pd = _pandas()
        seen = list(self.index)
        categories = list(fixed) if fixed is not None else sorted(seen)
        position = {v: i for i, v in enumerate(categories)}
        remap = np.array([position.get(v, -1) for v in seen] + [-1], _code_type(len(seen)))
        parts, self.parts = self.parts, []
        codes = remap[np.concatenate(parts)] if parts else np.empty(0, np.int8)
        del parts
        return pd.Categorical.from_codes(
            codes, categories=pd.Index(categories, dtype=_text_dtype()), ordered=ordered
        )


class _Dates:
    """A date column, chunk by chunk (day numbers; ``NaT`` where missing)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[np.ndarray[Any, Any]] = []

    def add(self, values: Iterable[date | None]) -> None:
        import numpy as np

        none = _NO_DATE
        self.parts.append(
            np.array([none if d is None else d.toordinal() for d in values], dtype=np.int32)
        )

    def series(self) -> Any:
        import numpy as np

        parts, self.parts = self.parts, []
        ordinals = np.concatenate(parts) if parts else np.empty(0, np.int32)
        del parts
        days = (ordinals.astype(np.int64) - _EPOCH_ORDINAL).astype("datetime64[D]")
        days[ordinals == _NO_DATE] = np.datetime64("NaT")
        return _pandas().Series(days.astype(_date_dtype()), copy=False)


class _Builder:
    """Accumulates children's obligations and converts them a chunk at a time."""

    def __init__(self, label_keys: Sequence[str] | None) -> None:
        self.label_keys = label_keys
        # Every child's label keys count, even a child without obligations (as in rows()).
        self.keys_seen: set[str] = set()
        self.pending: list[Obligation] = []
        self.rows = 0
        # One entry per child with obligations: its labels, and how many rows it has.
        self.child_labels: list[Mapping[str, str]] = []
        self.child_rows: list[int] = []
        self.text = {name: _Text() for name in TEXT_COLUMNS}
        self.codes = {name: _Codes() for name in CATEGORICAL_COLUMNS}
        self.status = _Codes(STATUS_ORDER)
        self.dates = {name: _Dates() for name in DATE_COLUMNS}
        self.sequence: list[np.ndarray[Any, Any]] = []
        self.late: list[np.ndarray[Any, Any]] = []
        self.late_mask: list[np.ndarray[Any, Any]] = []

    def add(self, child: ChildResult) -> None:
        if self.label_keys is None:
            self.keys_seen.update(child.labels)
        obligations = child.obligations
        if not obligations:
            return
        self.child_labels.append(child.labels)
        self.child_rows.append(len(obligations))
        self.pending.extend(obligations)
        if len(self.pending) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        """Convert the pending obligations' values into each column's arrays."""
        import numpy as np

        chunk, self.pending = self.pending, []
        if not chunk:
            return
        self.rows += len(chunk)

        def values(name: str) -> list[Any]:
            # Explanations are written for the column but not kept by the obligations (a
            # report would otherwise hold every text beside the frame's copy).
            get: Callable[[Obligation], Any] = (
                explanation_text if name == "explanation" else attrgetter(_READ.get(name, name))
            )
            return list(map(get, chunk))

        for name, text in self.text.items():
            text.add(values(name))
        for name, codes in self.codes.items():
            codes.add(values(name))
        self.status.add(values("status"))
        for name, dates in self.dates.items():
            dates.add(values(name))
        self.sequence.append(np.array(values("sequence"), dtype=np.int64))
        late = values("days_late")
        self.late_mask.append(np.fromiter((v is None for v in late), bool, len(late)))
        self.late.append(np.fromiter((0 if v is None else v for v in late), np.int64, len(late)))

    def _days_late(self) -> Any:
        import numpy as np

        if not self.late:
            return _pandas().array([], dtype="Int64")
        return _pandas().arrays.IntegerArray(
            np.concatenate(self.late), np.concatenate(self.late_mask)
        )

    def _labels(self) -> dict[str, Any]:
        """``label_<key>`` columns: each child's value, repeated over its rows."""
        keys = sorted(self.keys_seen) if self.label_keys is None else self.label_keys
        out = {}
        for key in keys:
            codes = _Codes()
            codes.add([labels.get(key) for labels in self.child_labels], self.child_rows)
            out[f"label_{key}"] = codes.categorical()
        return out

    def frame(self, *, as_of: date, rules_version: str) -> Any:
        """The DataFrame: :data:`ROW_FIELDS` then the ``label_<key>`` columns."""
        import numpy as np

        self.flush()
        pd = _pandas()
        n = self.rows
        made: dict[str, Any] = {name: text.series() for name, text in self.text.items()}
        made.update((name, codes.categorical()) for name, codes in self.codes.items())
        made["status"] = self.status.categorical(fixed=STATUS_ORDER, ordered=True)
        made.update((name, dates.series()) for name, dates in self.dates.items())
        made["sequence"] = np.concatenate(self.sequence) if self.sequence else np.empty(0, np.int64)
        made["days_late"] = self._days_late()
        run_day = np.full(n, as_of.toordinal() - _EPOCH_ORDINAL, np.int64).astype("datetime64[D]")
        made["as_of"] = pd.Series(run_day.astype(_date_dtype()), copy=False)
        made["rules_version"] = pd.Categorical.from_codes(
            np.zeros(n, np.int8), categories=pd.Index([rules_version], dtype=_text_dtype())
        )
        columns = {name: made[name] for name in ROW_FIELDS}
        columns.update(self._labels())
        # copy=False: the columns are new arrays; a dict would otherwise be copied once more.
        return pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)


def children_frame(
    children: Iterable[ChildResult],
    *,
    as_of: date,
    rules_version: str,
    label_keys: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The obligations of ``children`` as a DataFrame, one row each in order: the columns
    :data:`~lacplan.report.ROW_FIELDS` (``as_of`` and ``rules_version`` are the run's) then
    a ``label_<key>`` column per label key, typed as the module docstring says.

    ``label_keys`` fixes the label columns (in the order given; other labels are left out, a
    child without one has ``NaN``), as a streaming writer that read them ahead would
    (:func:`lacplan.adapters.scan_label_keys`); ``None`` (the default) takes every key
    found, sorted. ``children`` is read once, so a generator such as
    :func:`lacplan.iter_evaluate` works and no ``Report`` is held beside the frame.
    """
    if isinstance(label_keys, str):
        raise UsageError("label_keys is a list of label names, not one string")
    builder = _Builder(None if label_keys is None else list(label_keys))
    with raised_threshold():  # the collector would walk a report held meanwhile, and the frame
        for child in children:
            builder.add(child)
        return builder.frame(as_of=as_of, rules_version=rules_version)


def report_frame(report: Report) -> pd.DataFrame:
    """``report``'s obligations as a DataFrame (what ``Report.to_dataframe()`` gives): the
    rows of :meth:`~lacplan.report.Report.rows` with their columns in order, built column by
    column; ``rule``, ``status`` and the labels are categoricals (see the module docstring
    for every column's type)."""
    return children_frame(report.children, as_of=report.as_of, rules_version=report.rules_version)
