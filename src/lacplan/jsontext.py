"""JSON text for the outputs, byte for byte what the standard library writes, faster.

:func:`compact` is ``json.dumps(value, separators=(",", ":"))`` and :func:`indented`
``json.dumps(value, indent=2)``, for the values the outputs hold: dicts with string keys, lists,
strings, integers, booleans and ``None`` (no floats: ``orjson`` writes exponents differently).
When `orjson <https://github.com/ijl/orjson>`_ is installed (a dependency on CPython; not in the
browser bundle) it writes the text, some ten times faster than ``json``, and its bytes are used
only when they are provably what ``json.dumps`` gives: ``json`` escapes every character outside
printable ASCII and ``orjson`` does not, so text holding any byte outside ``0x20``-``0x7e`` (a
non-ASCII character or ``DEL``) is written by ``json`` instead, as is anything ``orjson``
refuses (a non-string key, an integer past 64 bits, a lone surrogate, a date or a dataclass,
which ``json`` refuses too). The property tests in
``tests/test_jsontext.py`` check the equality.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["FAST", "compact", "indented"]

_dumps: Callable[..., bytes] | None
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is installed wherever the tests run
    _dumps = None
    _STRICT = _INDENT = 0
else:
    _dumps = _orjson.dumps
    _INDENT = _orjson.OPT_INDENT_2
    # Dates and dataclasses are refused (as json refuses them) instead of written.
    _STRICT = _orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS
    _INDENT |= _STRICT

#: Whether ``orjson`` writes the text (else the standard library does all of it).
FAST: bool = _dumps is not None


def _printable(raw: bytes) -> bool:
    # orjson escapes the control characters as json does, so only bytes past 0x7e can differ.
    return raw.isascii() and b"\x7f" not in raw


def compact(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))``."""
    if _dumps is not None:
        try:
            raw = _dumps(value, option=_STRICT)
        except TypeError:  # orjson.JSONEncodeError: json decides (and may accept it)
            pass
        else:
            if _printable(raw):
                return raw.decode("ascii")
    return json.dumps(value, separators=(",", ":"))


def indented(value: Any) -> str:
    """``json.dumps(value, indent=2)``."""
    if _dumps is not None:
        try:
            raw = _dumps(value, option=_INDENT)
        except TypeError:
            pass
        else:
            if _printable(raw):
                return raw.decode("ascii")
    return json.dumps(value, indent=2)
