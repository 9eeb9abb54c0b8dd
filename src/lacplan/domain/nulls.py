"""``null`` means "not given": a record's ``null`` for an optional field takes the field's
default, as leaving the field out does (``docs/case-format.md``).

Validation tries the record as it is first (pydantic's fast paths, in Rust); only when that
fails and the record holds a ``null`` is it tried again with those ``null`` values left out,
so records without ``null`` pay nothing. A ``null`` for a required field is still an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel

__all__ = ["has_null", "without_defaulted_nulls"]


def has_null(obj: object, depth: int = 0) -> bool:
    """Whether ``obj`` (JSON-like data) holds a ``null`` anywhere (bounded depth)."""
    if obj is None:
        return True
    if depth > 64:
        return False
    if isinstance(obj, Mapping):
        return any(has_null(v, depth + 1) for v in obj.values())
    if isinstance(obj, list | tuple):
        return any(has_null(v, depth + 1) for v in obj)
    return False


@cache
def _fields(model: type[BaseModel]) -> dict[str, tuple[bool, type[BaseModel] | None]]:
    """Per input key (its alias if any): (whether a null there takes a non-null default, the
    model of the value or of each list item, when it is one)."""
    out: dict[str, tuple[bool, type[BaseModel] | None]] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        defaulted = not info.is_required() and (
            info.default_factory is not None or info.default is not None
        )
        out[key] = (defaulted, _nested(info.annotation))
    return out


def _nested(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation) if get_origin(annotation) is not None else ():
        found = _nested(arg)
        if found is not None:
            return found
    return None


def without_defaulted_nulls(obj: Any, model: type[BaseModel]) -> Any:
    """``obj`` with each ``null`` left out where ``model`` (and the models nested in it) has a
    default for the field; anything else unchanged. Events are matched to their class by
    ``type``."""
    if not isinstance(obj, Mapping):
        return obj
    from lacplan.domain.events import _EVENT_CLASS_BY_TYPE, _EventBase

    fields = _fields(model)
    out: dict[Any, Any] = {}
    for key, value in obj.items():
        spec = fields.get(key) if isinstance(key, str) else None
        if spec is None:
            out[key] = value
            continue
        defaulted, nested = spec
        if value is None and defaulted:
            continue
        if nested is not None and nested is not _EventBase and not issubclass(nested, _EventBase):
            value = _each(value, lambda v, m=nested: without_defaulted_nulls(v, m))
        elif nested is not None:
            value = _each(value, lambda v: _event(v, _EVENT_CLASS_BY_TYPE))
        out[key] = value
    return out


def _event(value: Any, classes: Mapping[str, type[BaseModel]]) -> Any:
    if isinstance(value, Mapping):
        kind = value.get("type")
        model = classes.get(kind) if isinstance(kind, str) else None
        if model is not None:
            return without_defaulted_nulls(value, model)
    return value


def _each(value: Any, fix: Any) -> Any:
    if isinstance(value, list | tuple):
        return [fix(v) for v in value]
    return fix(value)
