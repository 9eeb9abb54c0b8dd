"""Reading request values: the JSON body, the request models, query parameters and the
options shared with the CLI, each refusal a :class:`~lacplan.service.errors.ServiceError`
naming the field by its path and never quoting what was sent.

The body is parsed as the case loaders parse JSON (:mod:`lacplan.adapters.json`): a key given
twice, nesting too deep for the parser, a number of more digits than Python reads (4,300) and
bytes that are not UTF-8 are each ``invalid_json``, never an exception of another kind. A lone
surrogate (``"\\ud800"``) parses, and is refused where it lands: ``invalid_string`` in a file
name, ``unknown_rules`` in ``rules``, a rejected record (``invalid_string``) in a case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from lacplan.adapters.json_text import BadJson, strict_loads
from lacplan.columns import COLUMN_PRESETS
from lacplan.errors import RuleFileError
from lacplan.report import ROW_FIELDS
from lacplan.rules import BASE_PACKS, OVERLAYS, PACK_NAMES, RulePack, get_pack
from lacplan.service.errors import ServiceError
from lacplan.service.models import DueDate, FileIn, request_fields

__all__ = [
    "MAX_CALENDAR_STEP",
    "by_keys",
    "check_columns",
    "pack_of",
    "parse_json",
    "period_of",
    "query_date",
    "query_int",
    "query_values",
    "validated",
]

M = TypeVar("M", bound=BaseModel)

#: The largest ``n`` (either sign) of ``GET /v1/calendar/add``: more than the calendar's span.
MAX_CALENDAR_STEP: Final = 100_000

#: pydantic's tags of a union's members in an error's location (not fields of the request).
_UNION_TAG: Final = re.compile(r"int|str|bytes|bool|float|none|literal\[.*\]|function-.*")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT: Final = re.compile(r"[+-]?[0-9]{1,9}")


def parse_json(body: bytes) -> Any:
    """The JSON value of a request body, or ``invalid_json``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError(
            "invalid_json", "", "the request body is not valid UTF-8; send JSON as UTF-8."
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ServiceError("invalid_json", "", "the request body is empty; send a JSON object.")
    try:
        return strict_loads(text, with_line=True)
    except BadJson as exc:
        raise ServiceError(
            "invalid_json", "", f"the request body is not valid JSON: {exc.detail}."
        ) from None


def validated(model: type[M], value: object) -> M:
    """``value`` (a JSON object, as parsed) as a request ``model``; the first problem found is
    a :class:`ServiceError` at its path."""
    if not isinstance(value, Mapping):
        raise ServiceError("invalid_value", "", "the request body must be a JSON object ({...}).")
    try:
        return model.model_validate(dict(value))
    except ValidationError as exc:
        raise _error_of(exc, model) from None


@cache
def _known() -> frozenset[str]:
    return request_fields()


def _path(loc: Sequence[int | str], unknown_last: bool) -> str:
    """A pydantic location as a JSON path (``files[2].bytes``); a name that is no request
    field (a submitted key) is shown by its place: ``<unknown key 1>``, ``<key 1>``."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        last = i == len(loc) - 1
        if _UNION_TAG.fullmatch(part) and part not in _known():
            continue
        if part in _known() and not (unknown_last and last):
            name = part
        else:
            name = "<unknown key 1>" if unknown_last and last else "<key 1>"
        out += f".{name}" if out else name
    return out


def _fields_of(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The field names of the object at ``loc`` (the request, or one of its files)."""
    if "files" in loc[:-1] or "due_dates_file" in loc[:-1]:
        model = FileIn
    elif "due_dates" in loc[:-1]:
        model = DueDate
    return [info.alias or name for name, info in model.model_fields.items()]


_MESSAGES: Final[Mapping[str, str]] = {
    "string_type": "must be a string",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "bytes_type": "must be a string",
    "none_required": "must be null",
}


def _error_of(exc: ValidationError, model: type[BaseModel]) -> ServiceError:
    first = exc.errors(include_url=False, include_input=False, include_context=True)[0]
    kind, loc = first["type"], tuple(first["loc"])
    path = _path(loc, unknown_last=kind == "extra_forbidden")
    where = path or "the request"
    ctx = first.get("ctx") or {}
    if kind == "missing":
        return ServiceError("missing_field", path, f"{where}: is required.")
    if kind == "extra_forbidden":
        fields = ", ".join(_fields_of(model, loc))
        return ServiceError(
            "unknown_field", path, f"{where}: is not a field of this request; fields: {fields}."
        )
    if kind == "string_unicode":
        return ServiceError("invalid_string", path, f"{where}: a lone surrogate is not text.")
    if kind in ("invalid_date", "invalid_value"):  # lacplan's own value-free messages
        return ServiceError(kind, path, f"{where}: {first['msg']}")
    if kind == "literal_error":
        detail = f"must be one of {ctx.get('expected', 'the listed values')}"
    elif kind in ("greater_than_equal", "greater_than"):
        detail = f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    elif kind in ("less_than_equal", "less_than"):
        detail = f"must be at most {ctx.get('le', ctx.get('lt'))}"
    elif kind == "string_too_short":
        detail = "must not be empty"
    elif kind == "string_too_long":
        detail = f"must be at most {ctx.get('max_length')} characters long"
    else:
        detail = _MESSAGES.get(kind, "has a value of the wrong kind")
    return ServiceError("invalid_value", path, f"{where}: {detail}.")


def pack_of(name: str, path: str = "rules") -> RulePack:
    """The built-in rule pack ``name`` names (a base pack, then overlays after ``+``, each at
    most once), or ``unknown_rules``."""
    base, *overlays = name.split("+")
    if (
        base not in BASE_PACKS
        or any(o not in OVERLAYS for o in overlays)
        or len(set(overlays)) != len(overlays)
    ):
        raise ServiceError(
            "unknown_rules",
            path,
            f"{path}: no such rule pack; rule packs: {', '.join(PACK_NAMES)} (a base pack, "
            f"then overlays after '+': {', '.join(OVERLAYS)}).",
        )
    return get_pack(name)


def stacked(pack: RulePack, files: Sequence[FileIn] | None) -> RulePack:
    """``pack`` with each rule file of ``files`` stacked on it, in order (``--overlay FILE``);
    ``invalid_rule_file`` names the file by its place and says what is wrong with it, as
    ``lacplan rules --overlay FILE --check`` does."""
    from lacplan.rules.files import loads_rule_file

    for n, f in enumerate(files or ()):
        path = f"overlay_files[{n}]"
        try:
            text = f.data.decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError(
                "invalid_rule_file", path, f"{path}: the rule file is not UTF-8 text."
            ) from None
        try:
            pack = loads_rule_file(text, file=f.name, base=pack)
        except RuleFileError as exc:
            raise ServiceError("invalid_rule_file", path, f"{path}: {exc}") from None
    return pack


def check_columns(spec: str) -> None:
    """``columns`` as ``--columns`` takes it: a preset, or a comma-separated list of row
    fields, ``label_<name>`` columns and presets; refusals name an entry by its place."""
    if spec.strip() in COLUMN_PRESETS:
        return
    chosen = [c.strip() for c in spec.split(",") if c.strip()]
    if not chosen:
        raise ServiceError("invalid_value", "columns", "columns: names no column.")
    for n, c in enumerate(chosen, 1):
        if c not in ROW_FIELDS and c not in COLUMN_PRESETS and not c.startswith("label_"):
            raise ServiceError(
                "invalid_value",
                "columns",
                f"columns: entry {n} is not a column; columns takes "
                f"{' or '.join(COLUMN_PRESETS)}, or a list of {', '.join(ROW_FIELDS)} and "
                "label_<name>.",
            )


def _day(text: str, path: str) -> date:
    if not _DATE.fullmatch(text):
        raise ServiceError(
            "invalid_date",
            path,
            f"{path}: is not written as YYYY-MM-DD (four-digit year, two-digit month and day).",
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ServiceError(
            "invalid_date", path, f"{path}: is not a real calendar date; check the month and day."
        ) from None


def period_of(text: str) -> tuple[date, date]:
    """``period``: ``FROM..TO`` (both included), as ``--period``."""
    first, sep, last = text.partition("..")
    if not sep:
        raise ServiceError(
            "invalid_value", "period", "period: is written FROM..TO, e.g. 2023-04-01..2024-03-31."
        )
    lo, hi = _day(first.strip(), "period"), _day(last.strip(), "period")
    if hi < lo:
        raise ServiceError("invalid_value", "period", "period: ends before it starts.")
    return lo, hi


def by_keys(keys: Iterable[str], path: str = "by", *, labels_only: bool = False) -> list[str]:
    """``by`` as ``--by`` takes it: ``rule``, ``month`` or ``label:KEY`` (only ``label:KEY``
    for the worklist)."""
    out = list(keys)
    for n, key in enumerate(out):
        label = key.startswith("label:") and len(key) > 6
        if not label and (labels_only or key not in ("rule", "month")):
            where = path if labels_only else f"{path}[{n}]"
            allowed = "label:KEY" if labels_only else "rule, month or label:KEY"
            raise ServiceError("invalid_value", where, f"{where}: must be {allowed}.")
    return out


def query_values(items: Iterable[tuple[str, str]], allowed: Sequence[str]) -> dict[str, str]:
    """Query parameters (as given, in order) as a dict: each of ``allowed`` at most once; any
    other is ``unknown_field``, named by its place (its name is the client's)."""
    out: dict[str, str] = {}
    for n, (name, value) in enumerate(items, 1):
        if name not in allowed:
            raise ServiceError(
                "unknown_field",
                f"<unknown parameter {n}>",
                f"query parameter {n} is not a parameter of this request; parameters: "
                f"{', '.join(allowed) or '(none)'}.",
            )
        if name in out:
            raise ServiceError("invalid_value", name, f"{name}: is given more than once.")
        out[name] = value
    return out


def query_date(params: Mapping[str, str], name: str, *, required: bool) -> date | None:
    """A date query parameter (``YYYY-MM-DD``)."""
    text = params.get(name)
    if text is None or (text == "" and not required):
        if required:
            raise ServiceError("missing_field", name, f"{name}: is required.")
        return None
    return _day(text, name)


def query_int(params: Mapping[str, str], name: str, *, limit: int) -> int:
    """A required whole-number query parameter from ``-limit`` to ``limit``."""
    text = params.get(name)
    if text is None:
        raise ServiceError("missing_field", name, f"{name}: is required.")
    if not _INT.fullmatch(text) or abs(int(text)) > limit:
        raise ServiceError(
            "invalid_value", name, f"{name}: must be a whole number from -{limit} to {limit}."
        )
    return int(text)
