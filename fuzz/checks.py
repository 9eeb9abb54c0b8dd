"""The properties every fuzz target checks.

* Only documented exceptions escape (each target says which); anything else is a crash.
* Every record is accounted for: records in == cases + rejected (JSON); every row of a return
  is used, ignored or rejected, and every child is a case or a rejection (SSDA903).
* Every problem code is documented (``docs/errors.md``, ``docs/ssda903.md``).
* No message (a rejection's problems, its exception text, a finding) contains the sentinel date
  of birth in any of its forms, whenever the input holds it only where a date belongs.

A broken property raises :class:`PropertyFailure` (an ``AssertionError``), whose message names
the property and never the input's values.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

from lacplan.adapters.ssda903.readers import decode  # as the adapter reads a file

__all__ = [
    "DOCS",
    "SENTINEL_DOB",
    "SENTINEL_FORMS",
    "PropertyFailure",
    "check_codes",
    "check_no_sentinel",
    "csv_data_rows",
    "documented_codes",
    "expected_json_records",
    "sentinel_places_csv",
    "sentinel_places_json",
]

#: The repository's docs folder (the error codes are read from it).
DOCS: Final = Path(__file__).resolve().parents[1] / "docs"

#: The privacy canary: a date of birth that must never appear in a message.
SENTINEL_DOB: Final = date(2009, 7, 13)
#: The sentinel as ISO, as the DfE writes dates, as explanations write them, and as digits.
SENTINEL_FORMS: Final[tuple[str, ...]] = ("2009-07-13", "13/07/2009", "13 Jul 2009", "20090713")

_DATE_KEYS: Final = rb'"(?:date_of_birth|date|start|end|from|until|to)"'
_DOB_KEY: Final = rb'"date_of_birth"'
_ESCAPED_DIGIT: Final = re.compile(rb"\\u00(?:3[0-9]|2[dDfF])")
_DOB_COLUMNS: Final = frozenset({"DOB", "MC_DOB"})


class PropertyFailure(AssertionError):
    """A fuzzed input broke a property (the message names the property, not the input)."""


@cache
def documented_codes() -> frozenset[str]:
    """Every error and finding code the docs describe (``## `code``` headings)."""
    codes: set[str] = set()
    for name in ("errors.md", "ssda903.md"):
        text = (DOCS / name).read_text(encoding="utf-8")
        codes.update(re.findall(r"^#{2,3} `([a-z0-9_]+)`", text, flags=re.MULTILINE))
    return frozenset(codes)


def check_codes(codes: Iterable[str], where: str) -> None:
    unknown = sorted(set(codes) - documented_codes())
    if unknown:
        raise PropertyFailure(f"{where}: undocumented code(s) {unknown}")


def check_no_sentinel(texts: Iterable[str], where: str) -> None:
    """No text holds the sentinel date of birth in any form."""
    for text in texts:
        for form in SENTINEL_FORMS:
            if form in text:
                raise PropertyFailure(f"{where}: a message holds the sentinel date ({form!r})")


def _count(data: bytes, needle: bytes) -> int:
    return data.count(needle)


def sentinel_places_json(data: bytes) -> tuple[bool, bool]:
    """``(only_as_dates, only_as_dob)``: whether every sentinel in ``data`` is the value of a
    date field (then no rejection may echo it), and of ``date_of_birth`` (then no finding may
    either). Both are false when an escape could hide a sentinel from this count."""
    if _ESCAPED_DIGIT.search(data):
        return False, False
    dates = dob = True
    for form in SENTINEL_FORMS:
        raw = form.encode()
        total = _count(data, raw)
        if not total:
            continue
        quoted = rb'\s*:\s*"' + re.escape(raw) + rb'"'
        in_dates = len(re.findall(_DATE_KEYS + quoted, data))
        in_dob = len(re.findall(_DOB_KEY + quoted, data))
        dates = dates and in_dates == total
        dob = dob and in_dob == total
    return dates, dob


def sentinel_places_csv(files: dict[str, bytes]) -> bool:
    """Whether every cell holding a sentinel form is a DOB cell (``DOB``, ``MC_DOB``), and no
    sentinel sits anywhere else (a header, a broken row)."""
    for data in files.values():
        if not any(form.encode() in data for form in SENTINEL_FORMS):
            continue
        rows = _csv_rows(data)
        if rows is None:
            return False
        header, body = rows
        cols = [str(c).replace("\ufeff", "").strip().upper() for c in header]
        in_cells = 0
        for row in [header, *body]:
            for k, cell in enumerate(row):
                if any(form in cell for form in SENTINEL_FORMS):
                    if row is header or k >= len(cols) or cols[k] not in _DOB_COLUMNS:
                        return False
                    in_cells += 1
        text = decode(data)
        if sum(text.count(form) for form in SENTINEL_FORMS) != in_cells:
            return False  # a sentinel the reader sees differently (split by a quote, ...)
    return True


# ------------------------------------------------------------------------------- JSON records
def _no_dup(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError("duplicate key")
        obj[k] = v
    return obj


def _json(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text, object_pairs_hook=_no_dup)
    except (ValueError, RecursionError):
        return False, None


def _lines(data: bytes) -> list[str | None]:
    """Physical lines as ``readline`` splits bytes, decoded (``None``: not UTF-8), BOM of the
    first removed."""
    out: list[str | None] = []
    for k, raw in enumerate(io.BytesIO(data).readlines()):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            out.append(None)
            continue
        out.append(text.removeprefix("\ufeff") if k == 0 else text)
    return out


def expected_json_records(data: bytes, name: str | None) -> int:
    """How many records ``load_cases`` must yield for ``data``, from the rules its docs give.

    JSON Lines (a ``.jsonl``/``.ndjson`` name, or a first non-blank line that is a complete object
    with more non-blank lines after it): one per non-blank line. Otherwise one document: an array
    gives one per item, anything else (an object, a value, invalid JSON or UTF-8) one.
    """
    lines = _lines(data)
    non_blank = [t for t in lines if t is None or t.strip()]
    if name is not None and name.lower().endswith((".jsonl", ".ndjson")):
        return len(non_blank)
    if not non_blank:
        return 0
    first = non_blank[0]
    if first is not None and first.lstrip().startswith("{"):
        ok, value = _json(first)
        if ok and isinstance(value, dict):
            return len(non_blank)
    start = next(k for k, t in enumerate(lines) if t is None or t.strip())
    rest = lines[start:]  # the blank lines before the document are skipped
    if any(t is None for t in rest):
        return 1
    ok, value = _json("".join(t for t in rest if t is not None))
    return len(value) if ok and isinstance(value, list) else 1


# ------------------------------------------------------------------------------- CSV rows
def _csv_rows(data: bytes) -> tuple[list[str], list[list[str]]] | None:
    """The header and the non-blank data rows of a CSV file (``None``: not readable CSV)."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    rows: list[list[str]] = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                rows.append(record)
    except csv.Error:
        return None
    if not rows:
        return None
    return rows[0], rows[1:]


def csv_data_rows(data: bytes) -> int | None:
    """The data rows of one CSV table (its non-blank rows after the header; ``None``: the file
    cannot be read as CSV)."""
    rows = _csv_rows(data)
    return None if rows is None else len(rows[1])
