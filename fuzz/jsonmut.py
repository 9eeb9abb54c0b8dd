"""Structure-aware mutations of case files: JSON values, JSON Lines files, JSON documents.

:func:`mutate_value` changes one place in a parsed record (a value replaced by a hostile one, a
key dropped, doubled or added, a type changed, a list emptied or repeated, nesting deepened);
:func:`mutate_case_file` mutates a whole file: its lines, one record's structure, or its bytes.
Dates are set to the calendar's edges, impossible days, other formats and the sentinel date of
birth; strings to lone surrogates, controls and near-miss vocabulary.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

from fuzz.mutate import BOM, HUGE_NUMBER, Pairs, Raw, deep, encode, mutate_bytes

__all__ = [
    "HOSTILE_DATES",
    "HOSTILE_STRINGS",
    "doubled_key",
    "mutate_case_file",
    "mutate_value",
    "put_at_random",
    "shift_dates",
    "vocabulary",
    "write_records",
]

#: Date values: the calendar's edges and beyond, impossible days, other formats, the sentinel.
HOSTILE_DATES: Final[tuple[Any, ...]] = (
    "2009-07-13",
    "13/07/2009",
    "2009-07-13T00:00:00",
    "2009-07-13 ",
    "2009-7-13",
    "1900-01-01",
    "1989-12-31",
    "1990-01-01",
    "2060-12-31",
    "2061-01-01",
    "2099-12-31",
    "9999-12-31",
    "0001-01-01",
    "2021-02-29",
    "2020-02-29",
    "2020-13-01",
    "2020-00-10",
    "",
    None,
    20090713,
)

#: Strings: lone surrogates, controls, terminal escapes, long and blank text.
HOSTILE_STRINGS: Final[tuple[Any, ...]] = (
    "\ud800",
    "a\udfffb",
    "\x1b[2J\x1b[31mred",
    "line\nbreak",
    "cr\rreturn",
    "nul\x00byte",
    "\u202eevil",
    "\x85\u2028\u2029",
    " padded ",
    "",
    " ",
    "x" * 10_000,
    "é£€😀",
    "=HYPERLINK(1)",
    "null",
    "0",
)

#: Numbers Python's encoder cannot write, and edge values it can.
HOSTILE_NUMBERS: Final[tuple[Any, ...]] = (
    Raw(HUGE_NUMBER),
    Raw("-" + HUGE_NUMBER),
    Raw("1" + "0" * 400),
    Raw("1e999"),
    Raw("-1e999"),
    Raw("NaN"),
    Raw("Infinity"),
    Raw("-Infinity"),
    Raw("1E400"),
    Raw("0.1e-999"),
    2**64,
    2**63,
    -(2**63) - 1,
    -1,
    0,
    1.5,
    True,
)


def vocabulary(values: Sequence[Any]) -> list[Any]:
    """Every key and scalar value in ``values`` (and their near misses): what a mutation swaps in
    to stay close to valid input."""
    seen: dict[Any, None] = {}
    stack = list(values)
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, item in v.items():
                seen[k] = None
                stack.append(item)
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str | int | float | bool) or v is None:
            seen[v] = None
    out = list(seen)
    out += [s[:-1] for s in out if isinstance(s, str) and len(s) > 3]  # near misses
    out += [s.upper() for s in out if isinstance(s, str) and s.islower()]
    return out


def _copy(value: Any) -> Any:
    """``copy.deepcopy`` of ``value``'s dicts and lists (shared and circular ones included),
    made without recursion, so as deep as mutations made it at any stack depth. Anything else
    is shared: the mutators never change it (:class:`Pairs` and :class:`Raw` are immutable,
    and ``_places`` does not enter them)."""
    if not isinstance(value, dict | list):
        return value
    memo: dict[int, Any] = {}

    def fresh(v: Any) -> Any:
        done = memo.get(id(v))
        if done is None:
            done = memo[id(v)] = dict(v) if isinstance(v, dict) else list(v)
            stack.append(done)
        return done

    stack: list[Any] = []
    root = fresh(value)
    while stack:
        container = stack.pop()
        keys = list(container.keys()) if isinstance(container, dict) else range(len(container))
        for k in keys:
            if isinstance(container[k], dict | list):
                container[k] = fresh(container[k])
    return root


def _places(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in ``value`` (dicts and lists, never :class:`Pairs`)."""
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


def _hostile(current: Any, rnd: random.Random, vocab: Sequence[Any]) -> Any:
    """A replacement for ``current``: of the same kind (mostly), or of another type."""
    roll = rnd.random()
    if isinstance(current, str) and len(current) == 10 and current[4:5] == "-" and roll < 0.6:
        return rnd.choice(HOSTILE_DATES)
    if roll < 0.25 and vocab:
        return rnd.choice(vocab)
    if roll < 0.45:
        return rnd.choice(HOSTILE_STRINGS)
    if roll < 0.6:
        return rnd.choice(HOSTILE_NUMBERS)
    if roll < 0.7:
        return rnd.choice(HOSTILE_DATES)
    if roll < 0.8:
        return rnd.choice((None, True, False, [], {}, [current], {"value": current}))
    if roll < 0.9:
        return deep(rnd.choice((20, 60, 200, 1_000, 5_000, 100_000)), objects=rnd.random() < 0.5)
    return rnd.choice((0, -1, "", None))


def put_at_random(value: Any, rnd: random.Random, new: Any) -> Any:
    """A copy of ``value`` with ``new`` at one place chosen by ``rnd`` (any value or key's
    value, at any depth); ``value`` itself is replaced when it holds nothing."""
    value = _copy(value)
    places = _places(value)
    if not places:
        return new
    parent, key = rnd.choice(places)
    parent[key] = new
    return value


def doubled_key(value: dict[str, Any], rnd: random.Random) -> Any:
    """A copy of the record ``value`` in which one object (chosen by ``rnd``) repeats a key."""
    value = _copy(value)
    objects = [value] + [p[k] for p, k in _places(value) if isinstance(p[k], dict) and p[k]]
    target = rnd.choice([o for o in objects if o] or [value])
    if not target:
        return Pairs((("child_id", "a"), ("child_id", "b")))
    items = list(target.items())
    key, val = rnd.choice(items)
    items.insert(rnd.randrange(len(items) + 1), (key, rnd.choice((val, None, "x"))))
    if target is value:
        return Pairs(tuple(items))
    _replace(value, target, Pairs(tuple(items)))
    return value


def mutate_value(value: Any, rnd: random.Random, vocab: Sequence[Any] = ()) -> Any:
    """``value`` (a parsed record) with one place changed; the input is not modified."""
    value = _copy(value)  # a private copy (the seeds are shared)
    places = _places(value)
    if not places:
        return _hostile(value, rnd, vocab)
    parent, key = rnd.choice(places)
    op = rnd.randrange(9)
    current = parent[key]
    if op <= 2:
        parent[key] = _hostile(current, rnd, vocab)
    elif op == 3:  # drop a key or an item
        del parent[key]
    elif op == 4 and isinstance(parent, dict):  # an unknown key, or a known one elsewhere
        extra = rnd.choice([k for k in vocab if isinstance(k, str)] or ["nickname"])
        parent[extra] = _hostile(current, rnd, vocab)
    elif op == 5 and isinstance(parent, dict):  # the same key twice
        items = list(parent.items())
        items.insert(rnd.randrange(len(items) + 1), (key, rnd.choice((current, None, "x"))))
        _replace(value, parent, Pairs(tuple(items)))
        return value if parent is not value else Pairs(tuple(items))
    elif op == 6 and isinstance(current, list):
        choice = rnd.randrange(4)
        if choice == 0:
            current.clear()
        elif choice == 1 and 0 < len(current) < 100:  # (bounded: rounds must not multiply)
            current.extend([current[rnd.randrange(len(current))]] * rnd.choice((1, 5, 50)))
        elif choice == 2:
            rnd.shuffle(current)
        else:
            current.reverse()
    elif op == 7:  # swap with another place
        other_parent, other_key = rnd.choice(places)
        with contextlib.suppress(KeyError, IndexError):  # one place held the other
            parent[key], other_parent[other_key] = other_parent[other_key], parent[key]
    else:
        parent[key] = rnd.choice(([current], {"value": current}, str(current), 0, None))
    return value


def shift_dates(value: Any, days: int) -> Any:
    """``value`` with every ``YYYY-MM-DD`` string moved by ``days`` (a valid record stays valid,
    and may move beyond the calendar's range); dates that would leave years 1-9999 stay."""
    value = _copy(value)
    for parent, key in _places(value):
        v = parent[key]
        if isinstance(v, str) and len(v) == 10 and v[4:5] == "-" == v[7:8]:
            try:
                parent[key] = (date.fromisoformat(v) + timedelta(days=days)).isoformat()
            except (ValueError, OverflowError):
                continue
    return value


def _replace(root: Any, old: Any, new: Any) -> None:
    """Put ``new`` where the container ``old`` sits in ``root`` (by identity)."""
    for parent, key in _places(root):
        if parent[key] is old:
            parent[key] = new
            return


def _record_line(record: Any, rnd: random.Random) -> bytes:
    return encode(record, ascii_only=rnd.random() < 0.3, compact=rnd.random() < 0.5)


def write_records(records: Sequence[Any], rnd: random.Random, layout: str) -> bytes:
    """``records`` as a file: ``jsonl`` (one per line), ``array`` or ``object`` (the first)."""
    if layout == "jsonl":
        lines = [_record_line(r, rnd) for r in records]
        if rnd.random() < 0.2:
            lines.insert(rnd.randrange(len(lines) + 1), rnd.choice((b"", b"  ", b"\t", b"\r")))
        return b"\n".join(lines) + (b"\n" if rnd.random() < 0.8 else b"")
    if layout == "array":
        return encode(list(records), compact=rnd.random() < 0.5)
    first = records[0] if records else {}
    text = json.dumps(first, indent=rnd.choice((None, 2)), ensure_ascii=rnd.random() < 0.3)
    return text.encode("utf-8", "surrogatepass")


def _parses(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return _NOT_JSON


_NOT_JSON: Final = object()


def _lines_op(data: bytes, rnd: random.Random, others: Sequence[bytes]) -> bytes:
    lines = data.split(b"\n")
    op = rnd.randrange(8)
    k = rnd.randrange(len(lines))
    if op == 0 and len(lines) > 1:
        del lines[k]
    elif op == 1:
        lines.insert(k, lines[k])
    elif op == 2:
        j = rnd.randrange(len(lines))
        lines[k], lines[j] = lines[j], lines[k]
    elif op == 3:
        lines.insert(k, rnd.choice((b"", b"   ", b"\t\r", b"\x0c", b"\xc2\xa0", BOM)))
    elif op == 4 and others:
        other = rnd.choice(others).split(b"\n")
        lines.insert(k, rnd.choice(other))
    elif op == 5 and k + 1 < len(lines):
        lines[k : k + 2] = [lines[k] + rnd.choice((b"", b" ", b",")) + lines[k + 1]]
    elif op == 6:
        lines.insert(k, rnd.choice((b"{", b"}", b"[", b"]", b"{}", b"[]", b"null", b'"x"', b"1")))
    else:
        return data[: rnd.randrange(len(data) + 1)]
    return b"\n".join(lines)


#: Whole documents larger than this are mutated line by line only (a list of records repeated
#: fifty times, round after round, would otherwise grow without bound).
_LARGEST_DOCUMENT: Final = 256 << 10


def _structure_op(data: bytes, rnd: random.Random, vocab: Sequence[Any]) -> bytes:
    if rnd.random() < 0.1:  # every date of one record moved: still valid, maybe out of range
        return _shift_op(data, rnd)
    whole = _parses(data) if len(data) <= _LARGEST_DOCUMENT else _NOT_JSON
    if whole is not _NOT_JSON and rnd.random() < 0.5:
        changed = mutate_value(whole, rnd, vocab)
        if rnd.random() < 0.3:
            changed = mutate_value(changed, rnd, vocab)
        return encode(changed, compact=rnd.random() < 0.5)
    lines = data.split(b"\n")
    candidates = [k for k, line in enumerate(lines) if line.strip()]
    if not candidates:
        return data
    k = rnd.choice(candidates)
    if len(lines[k]) > _LARGEST_DOCUMENT:
        return mutate_bytes(data, rnd)
    parsed = _parses(lines[k])
    if parsed is _NOT_JSON:
        return mutate_bytes(data, rnd)
    changed = mutate_value(parsed, rnd, vocab)
    if rnd.random() < 0.1:  # pretty-printed over several lines
        lines[k] = encode(changed, pretty=True)
    else:
        lines[k] = _record_line(changed, rnd)
    return b"\n".join(lines)


#: Date shifts, in days: a few days, a few years, beyond the calendar's range (1990-2060).
_SHIFTS: Final = (1, -1, 7, 365, -365, 10 * 365, 40 * 365, -40 * 365, 80 * 365, -300 * 365)


def _shift_op(data: bytes, rnd: random.Random) -> bytes:
    lines = data.split(b"\n")
    k = rnd.randrange(len(lines))
    parsed = _parses(lines[k])
    if parsed is _NOT_JSON:
        return data
    lines[k] = _record_line(shift_dates(parsed, rnd.choice(_SHIFTS)), rnd)
    return b"\n".join(lines)


def mutate_case_file(
    data: bytes,
    rnd: random.Random,
    vocab: Sequence[Any] = (),
    others: Sequence[bytes] = (),
    *,
    max_size: int = 2 << 20,
) -> bytes:
    """A case file after a few mutations of its lines, its records' structure or its bytes,
    cut to ``max_size`` bytes after each."""
    for _ in range(rnd.choice((1, 1, 2, 3))):
        data = data[:max_size]
        roll = rnd.random()
        if roll < 0.45:
            data = _structure_op(data, rnd, vocab)
        elif roll < 0.7:
            data = _lines_op(data, rnd, others)
        else:
            data = mutate_bytes(data, rnd)
    return data[:max_size]
