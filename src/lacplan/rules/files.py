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

Nothing in a rule file is executed or imported: it is parsed by ``tomllib`` into plain values
(tables, arrays, strings, numbers, dates) and validated by pydantic models; the only names it
can refer to are the built-in packs (``base = "england+ifa"``), looked up in a fixed registry.
Its size, nesting and counts are limited (:data:`MAX_FILE_BYTES`, :data:`MAX_DEPTH`,
:data:`MAX_RULES`, :data:`MAX_CONDITIONS`, :data:`MAX_NUMBER`, :data:`MAX_CLOSURES`,
:data:`MAX_CLOSURE_DAYS`), each checked before the part it guards is used, and a file beyond
one is refused with a ``RuleFileError`` naming the file and the limit, never its content.
"""

from __future__ import annotations

import difflib
import os
import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final, get_args, get_origin

import tomli_w
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from lacplan.errors import RuleFileError, RuleSetError, UsageError
from lacplan.rules.pack import RulePack, Source
from lacplan.rules.schema import InForce, RollingWindows, Rule

__all__ = [
    "MAX_CLOSURES",
    "MAX_CLOSURE_DAYS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NUMBER",
    "MAX_RULES",
    "Closure",
    "PackHeader",
    "dump_rule_file",
    "load_rule_file",
    "loads_rule_file",
]

#: The largest rule file read, in bytes (UTF-8).
MAX_FILE_BYTES: Final = 5_000_000
#: How deep tables and arrays may nest (the document itself is level 0; the England pack uses 10).
MAX_DEPTH: Final = 50
#: The most ``[[rules]]`` tables one file may declare.
MAX_RULES: Final = 1_000
#: The most conditions one file may declare (every table in a ``when``, ``applies``,
#: ``variant_when`` or ``conditions`` array, nested ones included).
MAX_CONDITIONS: Final = 10_000
#: Whole numbers lie from ``-MAX_NUMBER`` to ``MAX_NUMBER`` (offsets, counts, settings): larger
#: ones could only push dates beyond any calendar.
MAX_NUMBER: Final = 10_000
#: The most closures a ``[pack]`` may declare, and the most days they may cover in total (a
#: yearly closure counts once per year of the calendar's range, 1990 to 2060).
MAX_CLOSURES: Final = 100
MAX_CLOSURE_DAYS: Final = 100_000

_CONDITION_LISTS: Final = frozenset({"when", "applies", "variant_when", "conditions"})
#: A dotted key of more than MAX_DEPTH parts (``a.b.c... = 1``, ``[a.b.c...]``, ``{ a.b... = 1 }``),
#: found in the text before parsing: ``tomllib`` takes time growing with the square of the number
#: of parts (40,000 parts: 20 s for a key, 1 s for a header). A chain starts only where no key
#: character, dot, quote or backslash comes before it, and the quantifiers are possessive, so the
#: search is linear in the text. (Dots in a string, as in a URL, never chain 50 bare words.)
_DEEP_KEY: Final = re.compile(
    r"(?<![A-Za-z0-9_.\"'\\-])"
    r"(?:(?:[A-Za-z0-9_-]++|\"(?:[^\"\\\n]|\\.)*+\"|'[^'\n]*+')[ \t]*+\.[ \t]*+)"
    + f"{{{MAX_DEPTH}}}"
)

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

    @model_validator(mode="after")
    def _same_kind(self) -> Closure:
        if isinstance(self.from_, date) != isinstance(self.to, date):
            raise ValueError("give both ends as dates, or both as MM-DD")
        return self

    def days(self) -> int:
        """How many days :meth:`dates` gives, at most (counted without listing them)."""
        if isinstance(self.from_, date) and isinstance(self.to, date):
            return max(0, (self.to - self.from_).days + 1)
        if isinstance(self.from_, str) and isinstance(self.to, str):
            first, last = (
                date(2000, int(x[:2]), int(x[3:])).toordinal() for x in (self.from_, self.to)
            )
            return ((last - first) % 366 + 1) * len(_CLOSURE_YEARS)
        return 0

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
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # never more than the limit (and one byte)
    except OSError as exc:
        raise RuleFileError(f"cannot read the file: {exc.strerror}", file=name) from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleFileError("is not UTF-8 text", file=name) from None
    return loads_rule_file(text, file=name, base=base)


def loads_rule_file(text: str, *, file: str = "<string>", base: RulePack | None = None) -> RulePack:
    """:func:`load_rule_file` from the text of a rule file."""
    if (
        len(text) > MAX_FILE_BYTES // 4
        and len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES
    ):
        raise _too_large(file)
    if text.count(".") >= MAX_DEPTH and _DEEP_KEY.search(text):
        raise _too_deep(file)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise RuleFileError(
            f"is not valid TOML: {detail}", file=file, line=int(m[1]) if m else None
        ) from None
    except RecursionError:  # far deeper than MAX_DEPTH: the parser itself gave up
        raise _too_deep(file) from None
    except ValueError:  # an integer longer than int() reads (4,300 digits by default)
        raise RuleFileError("is not valid TOML: a number has too many digits", file=file) from None
    lines = _Lines(text)
    _check_limits(doc, file, lines)
    for key in doc:
        if key not in ("pack", "rules"):
            raise RuleFileError(
                "unknown top-level key" + _suggest(key, ("pack", "rules")),
                file=file,
                line=lines.top(key),
                key=key,
            )
    header = _header(doc.get("pack"), file, lines)
    if sum(c.days() for c in header.closures) > MAX_CLOSURE_DAYS:
        raise _limit(
            file, f"its closures cover more than {MAX_CLOSURE_DAYS:,} days", "pack.closures"
        )
    raw_rules = doc.get("rules", [])
    if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
        raise RuleFileError("rules must be an array of tables ([[rules]])", file=file)
    rules = [_rule(raw, k, header, file, lines) for k, raw in enumerate(raw_rules)]
    for k, rule in enumerate(rules):
        _check_template(rule, file, lines.rule(k))
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


# ------------------------------------------------------------------------------- limits
def _limit(file: str, what: str, key: str | None = None, line: int | None = None) -> RuleFileError:
    return RuleFileError(f"{what} (the limit for a rule file)", file=file, key=key, line=line)


def _too_large(file: str) -> RuleFileError:
    return _limit(file, f"is larger than {MAX_FILE_BYTES:,} bytes")


def _too_deep(file: str) -> RuleFileError:
    return _limit(file, f"nests tables and arrays more than {MAX_DEPTH} deep")


def _check_limits(doc: dict[str, Any], file: str, lines: _Lines) -> None:
    """Refuse a document beyond a limit (depth, rules, conditions, closures, numbers) before any
    of it is validated. Walks the document without recursion; messages name no content."""
    rules = doc.get("rules")
    if isinstance(rules, list) and len(rules) > MAX_RULES:
        raise _limit(file, f"declares more than {MAX_RULES:,} rules")
    pack = doc.get("pack")
    closures = pack.get("closures") if isinstance(pack, dict) else None
    if isinstance(closures, list) and len(closures) > MAX_CLOSURES:
        raise _limit(file, f"declares more than {MAX_CLOSURES} closures", "pack.closures")
    conditions = 0
    # (value, depth, rule index or None, whether the value is a list of conditions)
    stack: list[tuple[Any, int, int | None, bool]] = [(doc, 0, None, False)]
    while stack:
        value, depth, rule, of_conditions = stack.pop()
        if isinstance(value, dict | list) and depth > MAX_DEPTH:
            raise _too_deep(file)
        if isinstance(value, dict):
            for key, item in value.items():
                if depth == 0 and key == "rules" and isinstance(item, list):
                    stack.extend((r, 2, k, False) for k, r in enumerate(item))
                    continue
                stack.append((item, depth + 1, rule, key in _CONDITION_LISTS))
        elif isinstance(value, list):
            if of_conditions:
                conditions += len(value)
                if conditions > MAX_CONDITIONS:
                    raise _limit(file, f"declares more than {MAX_CONDITIONS:,} conditions")
            stack.extend((item, depth + 1, rule, False) for item in value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise RuleFileError(
                f"holds a whole number outside {-MAX_NUMBER:,} to {MAX_NUMBER:,} (the limit for "
                "a rule file)",
                file=file,
                line=lines.rule(rule),
            )


def _check_template(rule: Rule, file: str, line: int | None) -> None:
    """A rolling window's ``name`` is filled in with ``str.format``: only ``{n}`` and ``{nth}``
    may appear (``{{``/``}}`` for braces), never a field's attribute (``{n.__class__}``), a
    format spec (``{n:>100000000}``, a gigabyte of padding) or an unbalanced brace."""
    if not isinstance(rule.schedule, RollingWindows):
        return
    try:
        parts = list(string.Formatter().parse(rule.schedule.name))
    except ValueError:
        parts = [("", "{", None, None)]  # an unbalanced brace
    if any(f is not None and (f not in ("n", "nth") or s or c) for _, f, s, c in parts):
        raise RuleFileError(
            "may hold only the placeholders {n} and {nth} (the window's number, and as an "
            "ordinal: 1st, 2nd), and {{ and }} for braces",
            file=file,
            line=line,
            rule=rule.id,
            key="schedule.name",
        )


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
