"""Byte-level mutations and a JSON encoder for hostile documents.

Every function takes a :class:`random.Random`, so a run is reproducible from its seed (the
hypothesis tests pass ``st.randoms(use_true_random=False)``).

:func:`encode` writes JSON from Python values plus three markers Python's encoder has no way to
express: :class:`Raw` (any literal text: a 5,000-digit number, ``NaN``, ``1e999``, 10^5 nested
brackets), :class:`Pairs` (an object that repeats a key) and lone surrogates in strings (escaped
``\\ud800``, or raw, which makes the bytes invalid UTF-8).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "BOM",
    "HUGE_NUMBER",
    "Pairs",
    "Raw",
    "deep",
    "encode",
    "mutate_bytes",
]

BOM: Final = b"\xef\xbb\xbf"

#: A number literal longer than Python reads by default (``sys.get_int_max_str_digits()``, 4300).
HUGE_NUMBER: Final = "9" * 4301

#: Bytes that matter to the parsers: JSON and CSV punctuation, controls, broken UTF-8 leads.
_SPECIAL_BYTES: Final = b"\x00\x01\x08\t\n\r\x1b\"',:;=[]{}\\#\x7f\x80\xbf\xc0\xc3\xed\xef\xf0\xff"

#: Tokens inserted or swapped in by the byte mutator (the targets add their own).
BYTE_TOKENS: Final[tuple[bytes, ...]] = (
    b"null",
    b"true",
    b"false",
    b"NaN",
    b"-Infinity",
    b"1e999",
    b"-0",
    b"0.0",
    b"18446744073709551616",
    HUGE_NUMBER.encode(),
    b'"\\ud800"',
    b'"\\udfff\\ud800"',
    b"\xed\xa0\x80",  # a surrogate encoded as UTF-8 (invalid)
    b"\xc3\x28",
    b"\xf4\x90\x80\x80",
    BOM,
    b"\xff\xfe",
    b"\r\n",
    b"\r",
    b"\n\n",
    "\u2028".encode(),
    b"\x00",
    b"\x1b[2J",
    b"[" * 64,
    b"]" * 64,
    b"{" * 64,
    b'"2009-07-13"',
    b"13/07/2009",
    b"2021-02-30",
    b"9999-12-31",
    b"0001-01-01",
    b"1899-12-31",
    b"2061-01-01",
)


@dataclass(frozen=True, slots=True)
class Raw:
    """Literal JSON text, written as is."""

    text: str


@dataclass(frozen=True, slots=True)
class Pairs:
    """A JSON object written from its (key, value) pairs, keys repeated or not."""

    items: tuple[tuple[str, Any], ...]


def deep(depth: int, *, objects: bool = False) -> Raw:
    """``depth`` nested arrays (or objects ``{"a": ...}``) around ``0``, as literal text."""
    if objects:
        return Raw('{"a":' * depth + "0" + "}" * depth)
    return Raw("[" * depth + "0" + "]" * depth)


# ------------------------------------------------------------------------------- encoding
def _string(text: str, ascii_only: bool) -> str:
    try:
        return json.dumps(text, ensure_ascii=ascii_only)
    except UnicodeEncodeError:  # pragma: no cover - json.dumps escapes or keeps surrogates
        return json.dumps(text, ensure_ascii=True)


def _encode(value: Any, out: list[str], ascii_only: bool, sep: tuple[str, str]) -> None:
    # Iterative over a stack of pending writes, so deep values cannot exhaust the recursion.
    stack: list[Any] = [value]
    item_sep, key_sep = sep
    while stack:
        v = stack.pop()
        if isinstance(v, _Text | Raw):
            out.append(v.text)
        elif isinstance(v, str):
            out.append(_string(v, ascii_only))
        elif v is None or isinstance(v, bool):
            out.append(json.dumps(v))
        elif isinstance(v, int):
            out.append(int.__repr__(v) if v.bit_length() < 13_000 else HUGE_NUMBER)
        elif isinstance(v, float):
            out.append(json.dumps(v))  # NaN, Infinity and -Infinity as Python writes them
        elif isinstance(v, dict | Pairs):
            pairs = list(v.items()) if isinstance(v, dict) else list(v.items)
            pending: list[Any] = [_Text("{")]
            for k, (key, val) in enumerate(pairs):
                if k:
                    pending.append(_Text(item_sep))
                pending += [_Text(_string(str(key), ascii_only) + key_sep), val]
            pending.append(_Text("}"))
            stack.extend(reversed(pending))
        elif isinstance(v, list | tuple):
            pending = [_Text("[")]
            for k, val in enumerate(v):
                if k:
                    pending.append(_Text(item_sep))
                pending.append(val)
            pending.append(_Text("]"))
            stack.extend(reversed(pending))
        else:
            out.append(_string(str(v), ascii_only))


@dataclass(frozen=True, slots=True)
class _Text:
    text: str


def encode(
    value: Any, *, ascii_only: bool = False, compact: bool = False, pretty: bool = False
) -> bytes:
    """``value`` as JSON bytes (UTF-8; lone surrogates kept with ``surrogatepass``); ``pretty``
    puts every item on a line of its own (a record over several lines)."""
    out: list[str] = []
    sep = (",\n  ", ": ") if pretty else (",", ":") if compact else (", ", ": ")
    _encode(value, out, ascii_only, sep)
    return "".join(out).encode("utf-8", "surrogatepass")


# ------------------------------------------------------------------------------- bytes
def _span(rnd: random.Random, n: int) -> tuple[int, int]:
    a = rnd.randrange(n + 1)
    b = min(n, a + rnd.choice((1, 2, 4, 8, 16, 64, 256)))
    return a, b


def _flip(data: bytearray, rnd: random.Random, _: Sequence[bytes]) -> None:
    if data:
        data[rnd.randrange(len(data))] ^= 1 << rnd.randrange(8)


def _set_byte(data: bytearray, rnd: random.Random, _: Sequence[bytes]) -> None:
    if data:
        data[rnd.randrange(len(data))] = rnd.choice(_SPECIAL_BYTES)


def _delete(data: bytearray, rnd: random.Random, _: Sequence[bytes]) -> None:
    a, b = _span(rnd, len(data))
    del data[a:b]


def _duplicate(data: bytearray, rnd: random.Random, _: Sequence[bytes]) -> None:
    a, b = _span(rnd, len(data))
    data[b:b] = data[a:b] * rnd.choice((1, 2, 10))


def _truncate(data: bytearray, rnd: random.Random, _: Sequence[bytes]) -> None:
    del data[rnd.randrange(len(data) + 1) :]


def _insert_token(data: bytearray, rnd: random.Random, tokens: Sequence[bytes]) -> None:
    at = rnd.randrange(len(data) + 1)
    data[at:at] = rnd.choice(tokens)


def _replace_token(data: bytearray, rnd: random.Random, tokens: Sequence[bytes]) -> None:
    """Replace one occurrence of a token by another (a date by ``NaN``, a key by a key)."""
    old = rnd.choice(tokens)
    where = bytes(data).find(old, rnd.randrange(len(data) + 1) if data else 0)
    if where < 0:
        where = bytes(data).find(old)
    if where >= 0:
        data[where : where + len(old)] = rnd.choice(tokens)


def _random_bytes(data: bytearray, rnd: random.Random, _: Sequence[bytes]) -> None:
    at = rnd.randrange(len(data) + 1)
    data[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.choice((1, 3, 16))))


def _bom(data: bytearray, rnd: random.Random, _: Sequence[bytes]) -> None:
    data[0:0] = rnd.choice((BOM, BOM + BOM, b"\xff\xfe", b"\xfe\xff", b" \t\r\n"))


def _line_endings(data: bytearray, rnd: random.Random, _: Sequence[bytes]) -> None:
    new = rnd.choice((b"\r\n", b"\r", b"\n\n", b"\x85", b"\n \n"))
    data[:] = bytes(data).replace(b"\n", new)


_BYTE_OPS: Final[tuple[Callable[[bytearray, random.Random, Sequence[bytes]], None], ...]] = (
    _flip,
    _flip,
    _set_byte,
    _set_byte,
    _delete,
    _duplicate,
    _truncate,
    _insert_token,
    _insert_token,
    _replace_token,
    _replace_token,
    _random_bytes,
    _bom,
    _line_endings,
)


def mutate_bytes(
    data: bytes,
    rnd: random.Random,
    tokens: Sequence[bytes] = BYTE_TOKENS,
    *,
    rounds: int | None = None,
    max_size: int = 1 << 20,
) -> bytes:
    """``data`` after one to four byte-level mutations (``rounds`` to fix the number)."""
    out = bytearray(data)
    for _ in range(rounds if rounds is not None else rnd.choice((1, 1, 2, 3, 4))):
        rnd.choice(_BYTE_OPS)(out, rnd, tokens)
        if len(out) > max_size:
            del out[max_size:]
    return bytes(out)
