"""Structure-aware mutations of rule files (TOML).

:func:`mutate_rule_file` either edits the parsed document (a value replaced by one from the
seeds' vocabulary or a hostile one, a key dropped or added, a rule repeated or given another's
id, a list repeated, nesting deepened) and writes it back with ``tomli_w`` in a layout of its
own, or edits the text (lines dropped, repeated, swapped; hostile lines inserted: deep arrays
and inline tables, numbers over 4,300 digits, unterminated strings, table headers defined
twice) or its bytes.
"""

from __future__ import annotations

import contextlib
import copy
import random
import tomllib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Final

import tomli_w

from fuzz.mutate import mutate_bytes

__all__ = ["HOSTILE_LINES", "mutate_rule_file", "toml_vocabulary"]

#: TOML values of every type, at their edges.
HOSTILE_VALUES: Final[tuple[Any, ...]] = (
    date(1, 1, 1),
    date(9999, 12, 31),
    date(1989, 12, 31),
    date(2061, 1, 1),
    date(2009, 7, 13),
    datetime(2020, 4, 1, 12, 30),
    datetime(2020, 4, 1, tzinfo=UTC),
    time(12, 0),
    0,
    -1,
    7,
    10**6,
    2**63 - 1,
    -(2**63),
    10**40,
    float("inf"),
    float("nan"),
    1.5,
    True,
    "",
    " ",
    "x" * 5000,
    "\x1b[2J",
    "é",
    "12-27",
    "02-30",
    "13-01",
    [],
    {},
)

#: Lines inserted into the text as they are.
HOSTILE_LINES: Final[tuple[str, ...]] = (
    "x = " + "[" * 200 + "]" * 200,
    "x = " + "[" * 20_000 + "]" * 20_000,
    "x = " + "{a = " * 3_000 + "1" + "}" * 3_000,
    "x." + ".".join(["a"] * 5_000) + " = 1",
    "n = " + "9" * 5_000,
    "n = 0x" + "f" * 5_000,
    "n = 1e99999",
    'title = """unterminated',
    "[pack]",
    "[[rules]]",
    "[rules]",
    "[[pack]]",
    "rules = 1",
    "pack = 1",
    "\ufeff[pack]",
    "\x00",
    "id = 'a' 'b'",
    "= 1",
    "in_force = { start = 1979-05-27T07:32:00Z }",
    'closures = [{ from = 2024-12-27, to = "12-31" }]',
    "closures = [{ from = 0001-01-01, to = 9999-12-31 }]",
    "settings = { x = true, y = -99999999999 }",
)


#: Lists are repeated only while shorter than this, and documents with more places than
#: _MOST_PLACES are not written back: repeated copies must not grow without bound.
_LONGEST: Final = 100
_MOST_PLACES: Final = 100_000
#: Files parsed for a structural edit: at most this long, with at most this many dots.
_LARGEST_PARSED: Final = 1 << 20
_MOST_DOTS: Final = 5_000


def toml_vocabulary(texts: Sequence[str]) -> list[Any]:
    """Every key and scalar value in the documents ``texts``."""
    seen: dict[Any, None] = {}
    for text in texts:
        stack: list[Any] = [tomllib.loads(text)]
        while stack:
            v = stack.pop()
            if isinstance(v, dict):
                for k, item in v.items():
                    seen[k] = None
                    stack.append(item)
            elif isinstance(v, list):
                stack.extend(v)
            else:
                seen[v] = None
    return list(seen)


def _places(value: Any) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, item in v.items():
                out.append((v, k))
                stack.append(item)
        elif isinstance(v, list):
            for k, item in enumerate(v):
                out.append((v, k))
                stack.append(item)
    return out


def _replacement(current: Any, rnd: random.Random, vocab: Sequence[Any]) -> Any:
    """Mostly a value of the same type from the seeds (a valid file stays close to valid),
    else any value from them, else a hostile one."""
    roll = rnd.random()
    if roll < 0.5:
        same = [v for v in vocab if type(v) is type(current)]
        if same:
            return rnd.choice(same)
    if roll < 0.7 and vocab:
        return rnd.choice(vocab)
    return rnd.choice(HOSTILE_VALUES)


def _tree_op(doc: dict[str, Any], rnd: random.Random, vocab: Sequence[Any]) -> None:
    places = _places(doc)
    if not places:
        doc["pack"] = {"name": "x"}
        return
    parent, key = rnd.choice(places)
    op = rnd.randrange(10)
    if op <= 3:
        parent[key] = _replacement(parent[key], rnd, vocab)
    elif op == 4:
        del parent[key]
    elif op == 5 and isinstance(parent, dict):
        name = rnd.choice([k for k in vocab if isinstance(k, str)] or ["x"])
        parent[name] = copy.deepcopy(parent[key])
    elif op == 6 and isinstance(parent[key], list) and 0 < len(parent[key]) < _LONGEST:
        items = parent[key]
        items.extend(
            copy.deepcopy(items[rnd.randrange(len(items))]) for _ in range(rnd.choice((1, 3, 60)))
        )
    elif op == 7:  # nest deeper
        parent[key] = rnd.choice(([parent[key]], {"value": parent[key]}))
    elif op == 8:
        other_parent, other_key = rnd.choice(places)
        with contextlib.suppress(KeyError, IndexError):  # one place held the other
            parent[key], other_parent[other_key] = (
                copy.deepcopy(other_parent[other_key]),
                copy.deepcopy(parent[key]),
            )
    else:  # a rule repeated (same id: overlapping versions), or an id reused
        rules = doc.get("rules")
        if isinstance(rules, list) and rules:
            rule = copy.deepcopy(rules[rnd.randrange(len(rules))])
            if isinstance(rule, dict) and rnd.random() < 0.5 and len(rules) > 1:
                other = rules[rnd.randrange(len(rules))]
                rule["id"] = other.get("id") if isinstance(other, dict) else "x"
            rules.append(rule)


def _dump(doc: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError, RecursionError):  # a value TOML cannot hold, or too deep
        return None


def _text_op(text: str, rnd: random.Random) -> str:
    lines = text.split("\n")
    k = rnd.randrange(len(lines))
    op = rnd.randrange(5)
    if op == 0 and len(lines) > 1:
        del lines[k]
    elif op == 1:
        lines.insert(k, lines[k])
    elif op == 2:
        j = rnd.randrange(len(lines))
        lines[k], lines[j] = lines[j], lines[k]
    elif op == 3:
        lines.insert(k, rnd.choice(HOSTILE_LINES))
    else:
        return text[: rnd.randrange(len(text) + 1)]
    return "\n".join(lines)


def mutate_rule_file(data: bytes, rnd: random.Random, vocab: Sequence[Any] = ()) -> bytes:
    """A mutated copy of a rule file's bytes."""
    roll = rnd.random()
    if roll < 0.15:
        return mutate_bytes(data, rnd)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return mutate_bytes(data, rnd)
    if roll < 0.45 or len(text) > _LARGEST_PARSED or text.count(".") > _MOST_DOTS:
        # (tomllib takes time and memory growing with the square of a dotted key's parts: a
        # file with thousands of dots is only edited as text)
        return _text_op(text, rnd).encode("utf-8", "surrogatepass")
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return _text_op(text, rnd).encode("utf-8", "surrogatepass")
    try:
        for _ in range(rnd.choice((1, 1, 2, 3))):
            _tree_op(doc, rnd, vocab)
    except RecursionError:  # a document too deep to copy
        return _text_op(text, rnd).encode("utf-8", "surrogatepass")
    if len(_places(doc)) > _MOST_PLACES:
        return _text_op(text, rnd).encode("utf-8", "surrogatepass")
    dumped = _dump(doc)
    if dumped is None:
        return _text_op(text, rnd).encode("utf-8", "surrogatepass")
    return dumped.encode("utf-8", "surrogatepass")
