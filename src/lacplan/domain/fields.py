"""Field types and helpers shared by the case model: strict ISO dates, ids, messages that never
echo a value."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Final, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from lacplan.domain.base import _Deferred

__all__ = ["Id", "IsoDate", "Text"]

_PROBLEMS: Final = "lacplan_problems"  # pydantic error type carrying relational problems

_ISO_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _kind(value: object) -> str:
    """A value's JSON kind, for messages that must not echo the value itself."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


@lru_cache(maxsize=16_384)  # a pure function: a cohort's records repeat the same few thousand dates
def _strict_iso(text: str) -> date | None:
    """The date ``text`` writes exactly as ``YYYY-MM-DD``, else ``None`` (parsed, then proved
    strict: the forms :func:`_parse_iso_date` refuses never print back as themselves)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if day.isoformat() == text else None


def _parse_iso_date(value: object) -> date:
    """Accept ``date`` objects and strict ``YYYY-MM-DD`` strings; never echo the value."""
    if value.__class__ is str:  # the common case, read from JSON
        day = _strict_iso(value)
        if day is not None:
            return day
    if isinstance(value, datetime):
        raise PydanticCustomError("invalid_date", "expected a date, found a datetime.")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if _ISO_DATE_RE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError(
                    "invalid_date", "is not a real calendar date; check the month and the day."
                ) from None
        if "T" in value or ":" in value:
            raise PydanticCustomError(
                "invalid_date", "is a date and time; give the date only, as YYYY-MM-DD."
            )
        raise PydanticCustomError(
            "invalid_date",
            "is not written as YYYY-MM-DD (four-digit year, two-digit month and day).",
        )
    raise PydanticCustomError(
        "invalid_date", "must be a date written as YYYY-MM-DD, found " + _kind(value) + "."
    )


IsoDate = Annotated[
    date,
    BeforeValidator(_parse_iso_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    ),
]
"""A calendar date; in JSON strictly ``YYYY-MM-DD`` (no times, no other formats)."""

Id = Annotated[str, Strict(), StringConstraints(pattern=r"^\S(?:.*\S)?$")]
"""A non-empty identifier string without leading or trailing spaces (never a number)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    if _SURROGATE.search(value):  # a lone surrogate: no UTF-8 output could hold it
        raise PydanticCustomError("string_unicode", "a lone surrogate is not text.")
    return value


Text = Annotated[str, AfterValidator(_text)]
"""A string that is valid Unicode text (no lone surrogate: code ``invalid_string``)."""


#: Config of a model with a ``from`` field (a Python keyword): JSON uses the alias ``from``,
#: Python code may pass ``from_``; frozen, no unknown fields, inputs never echoed.
FROM_ALIAS_CONFIG: Final = ConfigDict(
    frozen=True,
    extra="forbid",
    hide_input_in_errors=True,
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
)


def _no_default(schema: dict[str, Any]) -> None:
    """Drop a misleading ``default`` from a field's JSON schema (the default is computed)."""
    schema.pop("default", None)


def _require_type(schema: dict[str, Any]) -> None:
    """Mark an event's ``type`` as required in the JSON schema (it has a Python default)."""
    schema.get("properties", {}).get("type", {}).pop("default", None)
    required = schema.setdefault("required", [])
    if "type" not in required:
        required.insert(0, "type")


def _problems_error(problems: list[tuple[str, str, str]]) -> PydanticCustomError:
    """Relational problems ``(code, relative field, detail)`` as one pydantic error."""
    summary = "; ".join(f"{field or 'record'}: {detail}" for _, field, detail in problems)
    return PydanticCustomError(_PROBLEMS, "{summary}", {"problems": problems, "summary": summary})


def _q(identifier: str) -> str:
    return json.dumps(identifier, ensure_ascii=False)


class _CaseErrors(_Deferred):
    """Mixin: validating the model directly (``Case.model_validate(...)``,
    ``Case.model_validate_json(...)``) raises :class:`~lacplan.errors.CaseError` with
    lacplan's codes and value-free messages instead of pydantic's ``ValidationError``.

    Keyword construction (``Case(child_id=...)``) raises it too. The ``__init__`` below is
    marked as pydantic's base initialiser (as ``RootModel`` does), so pydantic-core does not
    call it for nested models: only the outermost construction translates the error, and the
    field paths stay those of the whole record."""

    if not TYPE_CHECKING:  # type checkers keep the field-typed ``__init__`` pydantic declares

        def __init__(self, /, **data: Any) -> None:
            try:
                self.__pydantic_validator__.validate_python(data, self_instance=self)
            except ValidationError as exc:
                raise _case_error(type(self), exc, data) from None

        __init__.__pydantic_base_init__ = True

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        try:
            return super().model_validate(obj, **options)
        except ValidationError as exc:
            error = exc
        from lacplan.domain.nulls import has_null, without_defaulted_nulls

        if has_null(obj):  # again with each null for an optional field left out
            try:
                return super().model_validate(without_defaulted_nulls(obj, cls), **options)
            except ValidationError as exc:
                error = exc
        raise _case_error(cls, error, obj) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Self:
        try:
            return super().model_validate_json(json_data, **options)
        except ValidationError as exc:
            error = exc
        try:  # a null for an optional field means "not given": read it as data, then again
            data = json.loads(json_data)
        except ValueError:
            data = None
        from lacplan.domain.nulls import has_null, without_defaulted_nulls

        if has_null(data):
            try:
                return super().model_validate(without_defaulted_nulls(data, cls), **options)
            except ValidationError as exc:
                error = exc
        raise _case_error(cls, error, None) from None


def _case_error(model: type[BaseModel], exc: ValidationError, obj: object) -> Exception:
    from lacplan.domain.validation import _exception_message, _problems_from, _readable_child_id
    from lacplan.errors import CaseError

    child_id = _readable_child_id(obj) if model.__name__ == "Case" else None
    problems = _problems_from(exc, child_id, model, obj)
    return CaseError(
        _exception_message(f"invalid {model.__name__.lower()}, ", problems),
        child_id=child_id,
        problems=[p.as_dict() for p in problems],
    )
