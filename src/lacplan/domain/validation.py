"""Rejected records: pydantic's errors translated into stable codes, field paths and messages
that never contain a value from the record; :func:`parse_case` and the JSON Schema."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from lacplan.domain.case import Case, Period, Placement
from lacplan.domain.events import _EVENT_CLASS_BY_TYPE, _EVENT_CLASSES, EVENT_TYPES
from lacplan.domain.fields import _PROBLEMS, _kind, _q
from lacplan.domain.findings import _subject
from lacplan.domain.nulls import has_null, without_defaulted_nulls
from lacplan.errors import InputError

__all__ = [
    "ERROR_CODES",
    "Problem",
    "RecordError",
    "case_json_schema",
    "evaluation_error",
    "origin_of",
    "parse_case",
    "with_origin",
]

ERROR_CODES: Final[tuple[str, ...]] = (
    "invalid_json",
    "not_an_object",
    "missing_field",
    "unknown_field",
    "invalid_value",
    "invalid_date",
    "unknown_event_type",
    "end_before_start",
    "no_placements",
    "placement_outside_period",
    "overlapping_placements",
    "overlapping_periods",
    "duplicate_placement_id",
    "duplicate_period_id",
    "birth_after_entry",
    "unknown_placement",
    "duplicate_legal_status",
    "legal_status_outside_period",
    "invalid_string",
    "calendar_range",
    "internal_error",
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a record was rejected: ``field`` path, stable ``code``, ``message``."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


def _exception_message(prefix: str, problems: Sequence[Problem]) -> str:
    n = len(problems)
    head = f"{prefix}{n} problem{'s' if n != 1 else ''}: "
    return head + "; ".join(p.message for p in problems)


@dataclass(frozen=True, slots=True)
class RecordError:
    """A rejected record: where it was (``file``, ``line``), its ``child_id`` if readable, why."""

    file: str
    line: int
    child_id: str | None
    problems: tuple[Problem, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "child_id": self.child_id,
            "problems": [p.as_dict() for p in self.problems],
        }

    def to_exception(self) -> InputError:
        """This error as an :class:`~lacplan.errors.InputError` (to raise it)."""
        return InputError(
            _exception_message(f"{self.file}:{self.line}: rejected record, ", self.problems),
            child_id=self.child_id,
            problems=[p.as_dict() for p in self.problems],
        )


# Where a loaded case came from, kept in the instance's ``__dict__`` beside its fields: not a
# field, so equality, hashing, ``repr`` and every dump ignore it; pickling keeps it.
_ORIGIN = "_lacplan_origin"


def with_origin(case: Case, file: str, line: int) -> Case:
    """``case``, remembering the file and line (or row) it was read from (for an error naming
    the record if its evaluation fails)."""
    case.__dict__[_ORIGIN] = (file, line)
    return case


def origin_of(case: Case) -> tuple[str, int] | None:
    """The ``(file, line)`` a loader read ``case`` from, or ``None`` (built in code)."""
    origin: tuple[str, int] | None = case.__dict__.get(_ORIGIN)
    return origin


def evaluation_error(case: Case, exc: Exception, position: int) -> RecordError:
    """The rejection of a valid case whose evaluation failed: ``calendar_range`` when one of its
    dates (or a due date computed from one) falls outside the calendar's covered range, else
    ``internal_error`` naming only the exception's type. ``position`` (counting from 1) stands in
    for the line of a case built in code (its file is then ``"<cases>"``)."""
    from lacplan.errors import CalendarRangeError

    file, line = origin_of(case) or ("<cases>", position)
    if isinstance(exc, CalendarRangeError):
        problem = Problem(
            "",
            "calendar_range",
            f"{_subject(case.child_id, '')}a date of this case, or a date computed from one, "
            f"falls outside the working-day calendar's covered range "
            f"({exc.first.isoformat()} to {exc.last.isoformat()}), so its clocks cannot be "
            "computed. Check the case's dates.",
        )
    else:
        problem = Problem(
            "",
            "internal_error",
            f"{_subject(case.child_id, '')}evaluating this case failed ({type(exc).__name__}). "
            "This is a fault in lacplan: please report it with the error code and the rule "
            "pack, not the case.",
        )
    return RecordError(file, line, case.child_id, (problem,))


def _readable_child_id(obj: object) -> str | None:
    if isinstance(obj, Mapping):
        value = obj.get("child_id")
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for an invalid mapping key
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, _Hidden) or part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{_q(part)}]"
    return out


def _join(base: str, rel: str) -> str:
    if not base:
        return rel
    if not rel:
        return base
    return base + rel if rel.startswith("[") else f"{base}.{rel}"


def _model_at(loc: Sequence[int | str], root: type[BaseModel] = Case) -> type[BaseModel] | None:
    """The model class validating the object at ``loc`` (a path into a ``root``), if known."""
    model: type[BaseModel] | None = root
    i = 0
    while i < len(loc):
        part = loc[i]
        indexed = i + 1 < len(loc) and isinstance(loc[i + 1], int)
        if model is Case and part == "periods" and indexed:
            model, i = Period, i + 2
        elif model is Period and part == "placements" and indexed:
            model, i = Placement, i + 2
        elif model is Case and part == "events" and indexed and i + 2 < len(loc):
            model, i = _EVENT_CLASS_BY_TYPE.get(str(loc[i + 2])), i + 3
        else:
            return None
    return model


def _strip_event_tags(loc: Sequence[int | str]) -> tuple[int | str, ...]:
    out: list[int | str] = []
    for i, part in enumerate(loc):
        if (
            i >= 2
            and loc[i - 2] == "events"
            and isinstance(loc[i - 1], int)
            and part in _EVENT_CLASS_BY_TYPE
        ):
            continue
        out.append(part)
    return tuple(out)


def _suggest(word: str, choices: Sequence[str]) -> str:
    import difflib  # only for a rejected record

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {_q(match[0])}?" if match else ""


_ID_FIELDS: Final = frozenset({"child_id", "period_id", "placement_id", "event_id"})


def _translate(err: Mapping[str, Any], root: type[BaseModel] = Case) -> list[tuple[str, str, str]]:
    """One pydantic error as ``(code, field, detail)`` triples, never echoing input values."""
    raw_loc: tuple[int | str, ...] = tuple(err["loc"])
    etype: str = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    loc = _strip_event_tags(raw_loc)
    field = _path(loc)
    last = loc[-1] if loc else ""
    if etype == _PROBLEMS:
        return [(code, _join(field, rel), detail) for code, rel, detail in ctx["problems"]]
    if etype == "invalid_date":
        return [("invalid_date", field, str(err["msg"]))]
    if etype == "missing":
        return [("missing_field", field, "is required but missing.")]
    if etype == "extra_forbidden":
        key = str(last)
        if key not in _known_names():  # never a key's own text: a key may be personal
            base = _path(loc[:-1])
            field = f"{base}.{_UNKNOWN_KEY}" if base else _UNKNOWN_KEY
        model = _model_at(raw_loc[:-1], root)
        text = "is not a known field."
        if model is not None:
            allowed = [f for f in model.model_fields if f != "type"]
            text = f"is not a field of {_describe(model)}."
            if model in _EVENT_CLASSES:
                owners = [t for t, c in _EVENT_CLASS_BY_TYPE.items() if key in c.model_fields]
                if owners:
                    text += f" It is only allowed on {', '.join(owners)} events."
                else:
                    text += _suggest(key, allowed)
            else:
                text += _suggest(key, allowed)
            text += f" Allowed: {', '.join(allowed)}."
        return [("unknown_field", field, text)]
    if etype == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        return [
            (
                "unknown_event_type",
                _join(field, "type"),
                "is not a known event type."
                + _suggest(tag, EVENT_TYPES)
                + " Expected one of: "
                + ", ".join(EVENT_TYPES)
                + ".",
            )
        ]
    if etype == "union_tag_not_found":
        return [
            (
                "missing_field",
                _join(field, "type"),
                "is required: every event needs a type, one of: " + ", ".join(EVENT_TYPES) + ".",
            )
        ]
    if etype in {"model_type", "model_attributes_type", "dict_type"}:
        return [("not_an_object", field, "must be a JSON object.")]
    if etype in {"tuple_type", "list_type"}:
        return [("invalid_value", field, "must be a list.")]
    if etype == "literal_error":
        return [("invalid_value", field, f"must be {ctx.get('expected', 'one of the listed')}.")]
    if etype in {"bool_type", "bool_parsing"}:
        return [("invalid_value", field, "must be true or false.")]
    if etype == "string_type":
        text = "must be a string."
        if last in _ID_FIELDS or (len(loc) >= 2 and loc[0] == "labels"):
            text += ' Write ids as JSON strings (for example "000123"), so leading zeros are kept.'
        return [("invalid_value", field, text)]
    if etype in {"greater_than_equal", "less_than_equal"}:
        limit = ctx.get("ge", ctx.get("le"))
        side = "at least" if etype == "greater_than_equal" else "at most"
        return [("invalid_value", field, f"must be a whole number {side} {limit}.")]
    if etype == "string_unicode":
        return [
            (
                "invalid_string",
                field,
                "holds a character that is not text (a lone surrogate, as an unpaired \\ud800 "
                "escape gives); write it as valid Unicode.",
            )
        ]
    if etype in {"string_pattern_mismatch", "string_too_short"}:
        return [
            ("invalid_value", field, "must be a non-empty id without leading or trailing spaces.")
        ]
    return [("invalid_value", field, f"is not valid here (pydantic error type {etype}).")]


def _describe(model: type[BaseModel]) -> str:
    if model in _EVENT_CLASSES:
        return f"a {model.model_fields['type'].default} event"
    return {Case: "a case", Period: "a period", Placement: "a placement"}.get(model, model.__name__)


@cache
def _known_names() -> frozenset[str]:
    """Every field name of the case model's classes (a misplaced one is shown: not personal)."""
    from lacplan.domain.case import LegalStatus
    from lacplan.domain.coverage import Coverage, ObservedSpan, SourceFinding

    models: list[type[BaseModel]] = [Case, Period, Placement, LegalStatus, *_EVENT_CLASSES]
    models += [Coverage, ObservedSpan, SourceFinding]
    return frozenset(
        info.alias or name for model in models for name, info in model.model_fields.items()
    )


class _Hidden(str):
    """A key shown as its position, never its text (a key may itself be personal data)."""

    __slots__ = ()


def _hide_label_key(err: dict[str, Any], obj: object) -> dict[str, Any]:
    loc = err["loc"]
    if len(loc) < 2 or loc[0] != "labels" or not isinstance(loc[1], str):
        return err
    labels = obj.get("labels") if isinstance(obj, Mapping) else None
    keys = list(labels) if isinstance(labels, Mapping) else []
    n = f" {keys.index(loc[1]) + 1}" if loc[1] in keys else ""
    return {**err, "loc": ("labels", _Hidden(f"<key{n}>"), *loc[2:])}


def _problems_from(
    exc: ValidationError, child_id: str | None, root: type[BaseModel] = Case, obj: object = None
) -> tuple[Problem, ...]:
    """Each of pydantic's errors as lacplan's problems; ``obj`` (the record, when at hand)
    numbers label keys by their position."""
    out: list[Problem] = []
    unknown = 0
    for raw in exc.errors(include_url=False, include_input=False):
        err = _hide_label_key(dict(raw), obj) if root is Case else raw
        for code, field, detail in _translate(err, root):
            if field.endswith(_UNKNOWN_KEY):  # never the key's text: a key may be personal
                unknown += 1
                field = f"{field[: -len(_UNKNOWN_KEY)]}<unknown key {unknown}>"
            out.append(Problem(field, code, _subject(child_id, field) + detail))
    return tuple(out)


_UNKNOWN_KEY = "<unknown key>"


def _not_an_object(child_id: str | None, found: object) -> tuple[Problem, ...]:
    return (
        Problem(
            "",
            "not_an_object",
            _subject(child_id, "") + f"a case must be a JSON object, found {_kind(found)}.",
        ),
    )


def _validate(obj: object) -> Case | tuple[str | None, tuple[Problem, ...]]:
    """A :class:`Case`, or ``(child_id, problems)`` when ``obj`` is not a valid case."""
    if isinstance(obj, Case):
        return obj
    if not isinstance(obj, Mapping):
        return None, _not_an_object(None, obj)
    child_id = _readable_child_id(obj)
    try:  # pydantic's own validator: a ValidationError, translated here (not a CaseError)
        case: Case = Case.__pydantic_validator__.validate_python(dict(obj))
        return case
    except ValidationError as exc:
        if not has_null(obj):
            return child_id, _problems_from(exc, child_id, obj=obj)
    try:  # again with each null for an optional field left out (it means "not given")
        case = Case.__pydantic_validator__.validate_python(without_defaulted_nulls(obj, Case))
        return case
    except ValidationError as exc:
        return child_id, _problems_from(exc, child_id, obj=obj)


def parse_case(obj: object) -> Case:
    """Validate one case (a mapping as read from JSON); raise :class:`InputError` if invalid.

    The error's ``problems`` is a list of ``{"field", "code", "message"}`` dicts and its
    ``child_id`` the record's id when readable. Messages never contain personal values.
    """
    result = _validate(obj)
    if isinstance(result, Case):
        return result
    child_id, problems = result
    raise InputError(
        _exception_message("invalid case, ", problems),
        child_id=child_id,
        problems=[p.as_dict() for p in problems],
    )


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case (shipped as ``docs/schema/case.schema.json``)."""
    schema = Case.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
