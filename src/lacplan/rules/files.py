"""Rule files: rule packs and overlays written in TOML, validated by the rule schema.

A rule file is data only (``tomllib``; nothing in it is executed). It holds a ``[pack]`` table and
a ``[[rules]]`` array of tables, one per declaration, in the fields of
:class:`~lacplan.rules.schema.Rule`; an absent key takes the field's default (null where a field
may be null). ``docs/rule-files.md`` describes the format; :func:`dump_rule_file` writes any pack
in it (``lacplan rules --format toml``)::

    [pack]
    name = "my-council"            # the pack's name (and, for an overlay, ``--rules england+NAME``)
    prefix = "my-council"          # every rule id of an overlay starts "my-council-"
    source = "local"               # statutory (a base pack) | agency | local (overlays)
    base = "england"               # the pack it extends (absent: a base pack)
    version = "2026.1"
    in_force = { start = 2011-04-01 }        # the default for rules without their own
    closures = [{ from = "12-27", to = "12-31", name = "council Christmas closure" }]
    settings = { emergency_review_working_days = 10 }

Errors name the file, the line (where it is known), the rule id and the key, and suggest the
closest known key, rule id, event type or field.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, get_args, get_origin

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lacplan.errors import RuleFileError, RuleSetError, UsageError
from lacplan.rules.pack import RulePack, Source
from lacplan.rules.schema import InForce, Rule

__all__ = ["Closure", "PackHeader", "dump_rule_file", "load_rule_file", "loads_rule_file"]

#: Years over which a yearly closure (``from = "12-27"``) is expanded: the calendar's range.
_CLOSURE_YEARS = range(1990, 2061)
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class Closure(BaseModel):
    """Non-working days of one pack: ``from``/``to`` dates (one-off), or ``"MM-DD"`` strings
    (every year), both inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: date | str = Field(alias="from")
    to: date | str
    name: str = ""

    @field_validator("from_", "to")
    @classmethod
    def _month_day(cls, v: date | str) -> date | str:
        if isinstance(v, str):
            m = _MONTH_DAY.match(v)
            if not m:
                raise ValueError('expected a date, or "MM-DD" for the same days every year')
            date(2000, int(m[1]), int(m[2]))  # raises on an impossible day
        return v

    def dates(self) -> list[date]:
        """Every day the closure covers (yearly ones over the calendar's range)."""
        if isinstance(self.from_, date) and isinstance(self.to, date):
            return _days(self.from_, self.to)
        if isinstance(self.from_, str) and isinstance(self.to, str):
            out: list[date] = []
            (fm, fd), (tm, td) = (map(int, x.split("-")) for x in (self.from_, self.to))
            for year in _CLOSURE_YEARS:
                try:
                    start = date(year, fm, fd)
                    end = date(year + ((tm, td) < (fm, fd)), tm, td)
                except ValueError:  # 29 February in a common year
                    continue
                out += _days(start, end)
            return out
        raise ValueError("give both ends as dates, or both as MM-DD")


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]


class PackHeader(BaseModel):
    """The ``[pack]`` table of a rule file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = ""
    version: str = "1"
    source: Source = "local"
    prefix: str = ""
    base: str | None = None
    in_force: InForce | None = None
    closures: tuple[Closure, ...] = ()
    settings: dict[str, int] = Field(default_factory=dict)


# ------------------------------------------------------------------------------- loading
def load_rule_file(path: str | os.PathLike[str], *, base: RulePack | None = None) -> RulePack:
    """Read a rule file; an overlay is stacked on ``base`` (or on the pack its ``base`` names).

    Raises :class:`~lacplan.errors.RuleFileError` naming the file, line, rule and key.
    """
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RuleFileError(f"cannot read the file: {exc.strerror}", file=name) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleFileError("is not UTF-8 text", file=name) from None
    return loads_rule_file(text, file=name, base=base)


def loads_rule_file(text: str, *, file: str = "<string>", base: RulePack | None = None) -> RulePack:
    """:func:`load_rule_file` from the text of a rule file."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise RuleFileError(
            f"is not valid TOML: {detail}", file=file, line=int(m[1]) if m else None
        ) from None
    lines = _Lines(text)
    for key in doc:
        if key not in ("pack", "rules"):
            raise RuleFileError(
                "unknown top-level key" + _suggest(key, ("pack", "rules")),
                file=file,
                line=lines.top(key),
                key=key,
            )
    header = _header(doc.get("pack"), file, lines)
    raw_rules = doc.get("rules", [])
    if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
        raise RuleFileError("rules must be an array of tables ([[rules]])", file=file)
    rules = [_rule(raw, k, header, file, lines) for k, raw in enumerate(raw_rules)]
    stack = _base(header, base, file)
    closures = sorted({d for c in header.closures for d in c.dates()})
    names = {c.name for c in header.closures if c.name}
    try:
        return RulePack(
            header.name,
            header.version,
            rules,
            title=header.title,
            source=header.source,
            base=stack,
            prefix=header.prefix,
            closures=closures,
            closure_name=" / ".join(sorted(names)) or f"{header.name} closure",
            closure_spec=tuple(c.model_dump(by_alias=True) for c in header.closures),
            settings=header.settings,
        )
    except RuleSetError as exc:
        m = re.match(r"rule '([^']+)'", str(exc))
        rule_id = m[1] if m else None
        index = next((k for k, r in enumerate(rules) if r.id == rule_id), None)
        line = lines.rule(index) if index is not None else None
        raise RuleFileError(str(exc), file=file, line=line) from None


def _header(raw: object, file: str, lines: _Lines) -> PackHeader:
    if not isinstance(raw, dict):
        raise RuleFileError("needs a [pack] table (name, source, ...)", file=file)
    try:
        return PackHeader.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = _message(err, PackHeader, err["loc"])
        raise RuleFileError(msg, file=file, line=lines.pack(key), key=f"pack.{key}") from None


def _rule(raw: dict[str, Any], index: int, header: PackHeader, file: str, lines: _Lines) -> Rule:
    rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    data = _with_settings(raw, header.settings, file, lines.rule(index), rule_id)
    if "in_force" not in data and header.in_force is not None:
        data["in_force"] = header.in_force.model_dump()
    try:
        return Rule.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = _message(err, Rule, err["loc"])
        line = lines.key_in_rule(index, err["loc"])
        raise RuleFileError(msg, file=file, line=line, rule=rule_id, key=key or None) from None


def _with_settings(
    obj: Any, settings: Mapping[str, int], file: str, line: int | None, rule_id: str | None
) -> Any:
    """``obj`` with every offset naming a ``setting`` given that setting's number as ``n``."""
    if isinstance(obj, list):
        return [_with_settings(x, settings, file, line, rule_id) for x in obj]
    if not isinstance(obj, dict):
        return obj
    out = {k: _with_settings(v, settings, file, line, rule_id) for k, v in obj.items()}
    if "unit" in out and isinstance(out.get("setting"), str):
        name = out["setting"]
        if name not in settings:
            raise RuleFileError(
                f"names setting {name!r}, which [pack] settings does not define"
                + _suggest(name, settings),
                file=file,
                line=line,
                rule=rule_id,
                key="setting",
            )
        out["n"] = settings[name]
    return out


def _base(header: PackHeader, given: RulePack | None, file: str) -> RulePack | None:
    if header.base is None:
        if given is not None:
            raise RuleFileError(
                f"pack {header.name!r} has no base, so it cannot overlay {given.name!r}; give "
                "the file a [pack] base",
                file=file,
            )
        return None
    if given is None:
        from lacplan.rules import get_pack

        try:
            return get_pack(header.base)
        except UsageError as exc:
            raise RuleFileError(str(exc), file=file, key="pack.base") from None
    if header.base != given.name and header.base not in [la.name for la in given.layers]:
        raise RuleFileError(
            f"pack {header.name!r} extends {header.base!r}, which the rules given "
            f"({given.name!r}) do not include",
            file=file,
            key="pack.base",
        )
    return given


# ------------------------------------------------------------------------------- messages
def _message(err: Mapping[str, Any], root: type[BaseModel], loc: Sequence[int | str]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        options = list(parent.model_fields) if parent is not None else []
        aliases = [f.alias for f in parent.model_fields.values() if f.alias] if parent else []
        return "is not a known key" + _suggest(str(loc[-1]), options + aliases)
    if kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        tags = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
        return f"{ctx.get('tag')!r} is not a known kind" + _suggest(str(ctx.get("tag")), tags)
    if kind == "missing":
        return "is required but missing"
    return str(err["msg"])


def _model_at(root: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class validating the table at ``loc`` (a pydantic error location)."""
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        models = _models(current)
        by_tag = {_tag(m): m for m in models if _tag(m)}
        if part in by_tag:  # a discriminated union's tag in the location
            current = by_tag[part]
            continue
        owner = next((m for m in models if part in m.model_fields), None)
        if owner is None:
            return None
        current = owner.model_fields[part].annotation
    models = _models(current)
    return models[0] if len(models) == 1 else None


def _models(tp: Any) -> list[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    if get_origin(tp) is None:
        return []
    # Unions, tuples and Annotated alike: the models among the arguments (metadata, ``...`` and
    # ``None`` contribute none).
    return [m for arg in get_args(tp) for m in _models(arg)]


def _tag(model: type[BaseModel]) -> str | None:
    for name in ("kind", "unit"):
        field = model.model_fields.get(name)
        if field is not None and isinstance(field.default, str):
            return field.default
    return None


def _suggest(word: str, options: Sequence[str] | Mapping[str, Any]) -> str:
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


class _Lines:
    """Where keys sit in the text, for error lines (tomllib gives positions only on syntax
    errors)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.rule_starts = [
            i + 1 for i, line in enumerate(self.lines) if line.strip().startswith("[[rules]]")
        ]

    def _find(self, key: str, start: int = 0, stop: int | None = None) -> int | None:
        pattern = re.compile(rf"^\s*(\[+[\w.]*\b)?{re.escape(key)}\b\s*(=|\]|\.)")
        for i in range(start, len(self.lines) if stop is None else stop):
            if pattern.search(self.lines[i]):
                return i + 1
        return None

    def top(self, key: str) -> int | None:
        return self._find(key)

    def pack(self, key: str) -> int | None:
        first = key.split(".")[0]
        return self._find(first) or self._find("pack")

    def rule(self, index: int | None) -> int | None:
        if index is None or index >= len(self.rule_starts):
            return None
        return self.rule_starts[index]

    def key_in_rule(self, index: int, loc: Sequence[int | str]) -> int | None:
        start = self.rule(index)
        if start is None:
            return None
        stop = self.rule(index + 1)
        names = [str(p) for p in loc if isinstance(p, str)]
        for name in reversed(names):
            found = self._find(name, start - 1, (stop - 1) if stop else None)
            if found is not None:
                return found
        return start


# ------------------------------------------------------------------------------- writing
def dump_rule_file(pack: RulePack) -> str:
    """The top layer of ``pack`` as a rule file (a base pack: the whole pack)."""
    layer = pack.layers[-1]
    header: dict[str, Any] = {
        "name": layer.name,
        "title": layer.title,
        "version": layer.version,
        "source": layer.source,
    }
    if len(pack.layers) > 1:
        header["prefix"] = layer.prefix
        header["base"] = "+".join(la.name for la in pack.layers[:-1])
    if layer.closure_spec:
        header["closures"] = [_plain(dict(c)) for c in layer.closure_spec]
    elif layer.closures:
        header["closures"] = [{"from": d, "to": d} for d in layer.closures]
    if layer.settings:
        header["settings"] = dict(layer.settings)
    rules = [r for r in pack.rules if pack.layer(r.id) is layer]
    doc = {"pack": header, "rules": [_table(r) for r in rules]}
    return _HEADER + tomli_w.dumps(doc)


_HEADER = (
    "# A lacplan rule file (docs/rule-files.md). Data only: nothing here is executed.\n"
    "# An absent key takes the field's default (null where a field may be null).\n\n"
)


#: Keys written even when they hold their default: the tags of discriminated unions.
_TAGS = frozenset({"kind", "unit"})


def _table(model: BaseModel) -> dict[str, Any]:
    """A model as a TOML table: fields at their default left out (they read back the same),
    tags kept, event fields as a table."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if name not in _TAGS and not info.is_required() and value == info.get_default():
            continue
        key = info.alias or name
        if name == "fields" and isinstance(value, tuple):
            out[key] = dict(value)
        else:
            out[key] = _value(value)
    return out


def _value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _table(value)
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    return value


def _plain(value: Mapping[str, Any]) -> dict[str, Any]:
    """A closure spec as written (no nulls)."""
    return {k: v for k, v in value.items() if v is not None and v != ""}
