"""The columns of ``lacplan evaluate --columns``, and rows built from just those columns.

``--columns`` takes a preset of :data:`COLUMN_PRESETS` (``all``, the default: every field of
:data:`~lacplan.report.ROW_FIELDS`; ``compact``: :data:`COMPACT_COLUMNS`) or a list of columns
(:func:`select_columns`). :func:`obligation_picker` (the obligations of JSON and JSON Lines) and
:func:`row_maker` (the rows of CSV, xlsx and Parquet) read only the chosen attributes of each
obligation, so a field that is not chosen (the explanation, written when first read) is never
computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Final, cast

from lacplan.calendar import iso_date
from lacplan.errors import UsageError
from lacplan.escape import excel_safe as safe
from lacplan.obligation import RULE_FIELDS, SCOPE_FIELDS, explanation_text
from lacplan.report import OBLIGATION_FIELDS, ROW_FIELDS, ChildResult, Obligation

__all__ = [
    "COLUMN_PRESETS",
    "COMPACT_COLUMNS",
    "child_dict",
    "needs_label_keys",
    "obligation_fields",
    "obligation_picker",
    "row_maker",
    "select_columns",
]

#: ``--columns compact``: an obligation's identity, dates and status and the run's ``as_of`` and
#: ``rules_version``; no title, source, citation, URL, explanation or base rule (the rule
#: catalogue has them: ``lacplan rules --format json``, the JSON document's ``catalogue``).
COMPACT_COLUMNS: Final[tuple[str, ...]] = (
    "key",
    "rule",
    "rule_version",
    "rule_variant",
    "child_id",
    "period_id",
    "placement_id",
    "sequence",
    "anchor",
    "due",
    "met_on",
    "status",
    "reason",
    "days_late",
    "as_of",
    "rules_version",
)
#: The named column sets of ``--columns`` (each followed by the ``label_<name>`` columns).
COLUMN_PRESETS: Final[Mapping[str, tuple[str, ...]]] = {
    "all": ROW_FIELDS,
    "compact": COMPACT_COLUMNS,
}
_RUN_FIELDS: Final = frozenset(ROW_FIELDS) - frozenset(OBLIGATION_FIELDS)
_ISO_FIELDS: Final = frozenset({"anchor", "due", "met_on"})


def select_columns(spec: str | None, label_keys: Iterable[str] = ()) -> list[str]:
    """The columns ``--columns spec`` names: a preset of :data:`COLUMN_PRESETS` (``None`` is
    ``all``) followed by a ``label_<name>`` column per key of ``label_keys`` (sorted); or a
    comma-separated list of :data:`ROW_FIELDS`, ``label_<name>`` columns and presets (a preset
    in a list stands for its columns, without labels), in the order given, repeats dropped.
    An unknown column is a ``UsageError`` naming it."""
    preset = COLUMN_PRESETS.get("all" if spec is None else spec.strip())
    if preset is not None:
        return [*preset, *(f"label_{k}" for k in sorted(set(label_keys)))]
    chosen = [c.strip() for c in (spec or "").split(",") if c.strip()]
    unknown = [
        c
        for c in chosen
        if c not in ROW_FIELDS and c not in COLUMN_PRESETS and not c.startswith("label_")
    ]
    if unknown or not chosen:
        raise UsageError(
            f"unknown column(s) {', '.join(unknown) or '(none given)'}; --columns takes "
            f"{' or '.join(COLUMN_PRESETS)}, or a list of {', '.join(ROW_FIELDS)} and "
            "label_<name>"
        )
    expanded = (col for c in chosen for col in COLUMN_PRESETS.get(c, (c,)))
    return list(dict.fromkeys(expanded))


def needs_label_keys(spec: str | None) -> bool:
    """Whether ``--columns spec`` includes every label column (a preset), so that the label
    keys of the input must be known before the first row is written."""
    return spec is None or spec.strip() in COLUMN_PRESETS


#: Fields an obligation reads from its shared :class:`~lacplan.obligation.RuleFacts` (``_r``)
#: and :class:`~lacplan.obligation.ScopeFacts` (``_s``); the generated code reads each of the
#: two once per obligation instead of once per field.
_RULE_FIELDS: Final = frozenset(RULE_FIELDS)
_SCOPE_FIELDS: Final = frozenset(SCOPE_FIELDS)
#: ``o.key``, inlined: the key given, else written from the scope's prefix, the rule and the
#: anchor (what ``Obligation.key`` does).
_KEY: Final = '(_k if (_k := _s.key) is not None else f"{_s.key_prefix}{_r.rule}:{_iso(o.anchor)}")'


def _value(field: str, iso: bool) -> str:
    """The Python expression reading ``field`` of obligation ``o`` (a checked field name)."""
    if field not in OBLIGATION_FIELDS:
        raise ValueError(f"not an obligation field: {field!r}")
    if iso and field in _ISO_FIELDS:
        return f"(None if (_{field} := o.{field}) is None else _iso(_{field}))"
    if field == "explanation":  # written for the copy, not kept by the obligation
        return "_explained(o)"
    if field == "key":
        return _KEY
    if field in _RULE_FIELDS:
        return f"_r.{field}"
    if field in _SCOPE_FIELDS:
        return f"_s.{field}"
    return f"o.{field}"


def _reads(fields: Iterable[str]) -> str:
    """The statements reading the facts ``fields`` need, before the ``return``."""
    chosen = set(fields)
    rule = bool(chosen & (_RULE_FIELDS | {"key"}))
    scope = bool(chosen & (_SCOPE_FIELDS | {"key"}))
    return ("    _r = o._rule\n" if rule else "") + ("    _s = o._scope\n" if scope else "")


def _compiled(source: str, name: str) -> Callable[..., Any]:
    """The function ``name`` defined by ``source`` (built from checked field names only, like
    ``collections.namedtuple``: one attribute read per chosen field, nothing else)."""
    namespace: dict[str, Any] = {"_iso": iso_date, "_explained": explanation_text}
    exec(compile(source, f"<lacplan.columns {name}>", "exec"), namespace)
    return cast("Callable[..., Any]", namespace[name])


def obligation_picker(fields: Sequence[str]) -> Callable[[Obligation], dict[str, Any]]:
    """A function giving an obligation's ``fields`` (names of :data:`OBLIGATION_FIELDS`) as
    :meth:`Obligation.as_dict` does (ISO dates), in the order given; reading only those
    attributes (a lazy explanation that is not chosen is never written). A name that is not
    an obligation field is a ``ValueError``."""
    items = ", ".join(f"{f!r}: {_value(f, True)}" for f in dict.fromkeys(fields))
    return cast(
        "Callable[[Obligation], dict[str, Any]]",
        _compiled(f"def pick(o):\n{_reads(fields)}    return {{{items}}}\n", "pick"),
    )


#: :meth:`Obligation.as_dict` as a picker (the same keys, order and values; no call per date).
_EVERY: Final = obligation_picker(OBLIGATION_FIELDS)


def child_dict(child: ChildResult, pick: Callable[[Obligation], dict[str, Any]] | None) -> Any:
    """:meth:`ChildResult.as_dict`, with each obligation given by ``pick`` (``None``: all of
    its fields, as :meth:`Obligation.as_dict` gives them)."""
    if pick is None:
        pick = _EVERY
    return {
        "child_id": child.child_id,
        "labels": dict(child.labels),
        "obligations": [pick(o) for o in child.obligations],
        "findings": [f.as_dict() for f in child.findings],
    }


def row_maker(
    columns: Sequence[str],
    *,
    as_of: date,
    rules_version: str,
    iso: bool = True,
    excel_safe: bool = False,
) -> Callable[[ChildResult], Iterator[list[Any]]]:
    """A function giving a child's flat rows as lists of values in ``columns`` order (those of
    :meth:`Report.rows`: obligation fields, the run's ``as_of`` and ``rules_version``,
    ``label_<name>``; any other name is a ``ValueError``); dates are ISO strings, or ``date``
    objects when ``iso`` is false. Only the chosen attributes are read. With ``excel_safe``
    (CSV's ``--excel-safe``), each string is :func:`lacplan.escape.excel_safe`'s."""
    run = {"as_of": as_of.isoformat() if iso else as_of, "rules_version": rules_version}
    others = [c for c in columns if c not in OBLIGATION_FIELDS]
    unknown = [c for c in others if c not in _RUN_FIELDS and not c.startswith("label_")]
    if unknown:
        raise ValueError(f"not a row column: {', '.join(map(repr, unknown))}")
    spots = iter(range(len(others)))
    cells = ", ".join(
        _value(c, iso) if c in OBLIGATION_FIELDS else f"rest[{next(spots)}]" for c in columns
    )
    row = _compiled(f"def row(o, rest):\n{_reads(columns)}    return [{cells}]\n", "row")

    def rows(child: ChildResult) -> Iterator[list[Any]]:
        labels = child.labels
        rest = [run[c] if c in run else labels.get(c[6:]) for c in others]
        for o in child.obligations:
            yield row(o, rest)

    def safe_rows(child: ChildResult) -> Iterator[list[Any]]:
        for values in rows(child):
            yield [safe(v) for v in values]

    return safe_rows if excel_safe else rows


def obligation_fields(columns: Sequence[str]) -> list[str]:
    """The fields of each obligation object (JSON, JSON Lines) among ``columns``, in the order
    given: those of :data:`OBLIGATION_FIELDS`. ``as_of`` and ``rules_version`` are the run's
    (the JSON document's header has them), ``label_<name>`` the child's ``labels``."""
    return [c for c in columns if c in OBLIGATION_FIELDS]
