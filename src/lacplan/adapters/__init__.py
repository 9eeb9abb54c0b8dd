"""Input adapters: one module per source format, each yielding the same stream of
:class:`~lacplan.model.Case` and :class:`~lacplan.model.RecordError` items.

* ``json.py``: a case object, a JSON array of cases, or JSON Lines (the case format);
* ``ssda903/``: the SSDA903 children-looked-after return (CSV, XML or xlsx);
* ``ssd/``: the Standard Safeguarding Dataset (its tables as CSV exports or Parquet files);
* ``sources.py``: the :class:`Batch` every adapter returns (with its row accounting), and what
  each source can see.

:func:`read_inputs` picks the adapter for ``--input-format``: ``json`` (the default), ``ssda903``,
``ssd``, or ``auto`` (recognise each file by its content and columns; opt-in).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import IO, Any, Final

from lacplan.adapters.json import JSONL_SUFFIXES, accepted_records, load_cases
from lacplan.adapters.sources import Accounting, Batch, StoredDue
from lacplan.adapters.ssd import read_ssd
from lacplan.adapters.ssd.readers import SUFFIXES as SSD_SUFFIXES
from lacplan.adapters.ssd.readers import files_in as ssd_files_in
from lacplan.adapters.ssd.readers import sniff as sniff_ssd
from lacplan.adapters.ssda903 import read_ssda903
from lacplan.adapters.ssda903.readers import SUFFIXES as SSDA903_SUFFIXES
from lacplan.adapters.ssda903.readers import files_in
from lacplan.domain.case import Case
from lacplan.domain.validation import RecordError
from lacplan.errors import UsageError

__all__ = [
    "INPUT_FORMATS",
    "Accounting",
    "Batch",
    "StoredDue",
    "detect_format",
    "read_inputs",
    "scan_label_keys",
]

#: ``--input-format`` values.
INPUT_FORMATS: Final[tuple[str, ...]] = ("json", "ssda903", "ssd", "auto")
_JSON_SUFFIXES: Final = (".json", *JSONL_SUFFIXES)


def _json_files_in(directory: str) -> list[str]:
    """The JSON case files (``.json``, ``.jsonl``, ``.ndjson``) under ``directory``, sorted."""
    return sorted(
        os.path.join(d, f)
        for d, _, names in os.walk(directory)
        for f in names
        if f.lower().endswith(_JSON_SUFFIXES)
    )


def detect_format(path: str) -> str:
    """``"json"``, ``"ssd"`` or ``"ssda903"`` for one file, from its content (``auto``): an
    SSD table is a Parquet file or a CSV file with an SSD table's columns."""
    if path.lower().endswith(_JSON_SUFFIXES):
        return "json"
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    if sniff_ssd(path):
        return "ssd"
    return "ssda903"  # CSV, XML or xlsx: the SSDA903 reader recognises the table by its columns


def _not_json(path: str) -> None:
    if path.lower().endswith((*SSDA903_SUFFIXES, *SSD_SUFFIXES)):
        raise UsageError(
            f"{path} is a {os.path.splitext(path)[1].lower()} file, which the default input "
            f"format (json) does not read; give --input-format ssda903 for SSDA903 return files, "
            f"ssd for Standard Safeguarding Dataset tables (or auto to recognise each file). "
            f"Input formats: {', '.join(INPUT_FORMATS)}"
        )


def read_inputs(
    paths: Sequence[str],
    *,
    input_format: str = "json",
    years: Mapping[str, int] | None = None,
    stdin: IO[Any] | None = None,
    extract_date: date | None = None,
    window_years: int | None = 6,
) -> Batch:
    """The cases in ``paths`` (``-`` is standard input, JSON only) as one :class:`Batch`;
    ``stdin`` is the stream ``-`` names (default ``sys.stdin``; e.g. a spooled copy of it).
    ``years`` are SSDA903 collection years by path; ``extract_date`` and ``window_years`` say
    when an SSD extract was taken and how far back it reaches (:func:`read_ssd`)."""
    if input_format not in INPUT_FORMATS:
        raise UsageError(
            f"unknown input format {input_format!r}; expected one of {', '.join(INPUT_FORMATS)}"
        )
    missing = [p for p in paths if p != "-" and not os.path.exists(p)]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    batch = Batch()
    if input_format == "ssda903":
        if "-" in paths:
            raise UsageError("SSDA903 files cannot be read from standard input; name the files")
        batch.add(read_ssda903(paths, years=years))
        return batch
    if input_format == "ssd":
        if "-" in paths:
            raise UsageError("SSD tables cannot be read from standard input; name the files")
        batch.add(read_ssd(paths, extract_date=extract_date, window_years=window_years))
        return batch
    ssda903: list[str] = []
    ssd: list[str] = []
    for path in paths:
        if path == "-":
            batch.add(load_cases(sys.stdin if stdin is None else stdin, name="<stdin>"))
            continue
        if os.path.isdir(path):
            if input_format == "json":
                raise UsageError(
                    f"{path} is a directory; name the case files (or give --input-format "
                    "ssda903, ssd or auto to read a directory of return files or SSD tables)"
                )
            jsons = _json_files_in(path)
            found = sorted({*files_in(path), *ssd_files_in(path)} - set(jsons))
            kinds = [(f, detect_format(f)) for f in found] + [(f, "json") for f in jsons]
        elif input_format == "json":
            _not_json(path)
            kinds = [(path, "json")]
        else:
            kinds = [(path, detect_format(path))]
        for f, kind in kinds:
            if kind == "json":
                batch.add(load_cases(f))
            else:
                (ssd if kind == "ssd" else ssda903).append(f)
    if ssda903:
        batch.add(read_ssda903(ssda903, years=years))
    if ssd:
        batch.add(read_ssd(ssd, extract_date=extract_date, window_years=window_years))
    return batch


def _new_label_keys(obj: object, keys: set[str]) -> bool:
    """Whether the record ``obj`` names a label key not in ``keys`` (a cheap look: only such
    records are validated, to learn whether the loader accepts them)."""
    if not isinstance(obj, dict):
        return False
    labels = obj.get("labels")
    return isinstance(labels, dict) and any(isinstance(k, str) and k not in keys for k in labels)


def _accepted_label_keys(records: Iterable[Case | RecordError], keys: set[str]) -> None:
    """Add the label keys of the records the loader accepts (a rejected record's keys are
    shown nowhere, not even as a column header)."""
    for record in records:
        if isinstance(record, Case):
            keys.update(record.labels)


def scan_label_keys(
    paths: Sequence[str], *, input_format: str = "json", stdin: str | None = None
) -> list[str] | None:
    """The label keys of every case in ``paths``, read ahead so that a streaming writer knows
    its ``label_<name>`` columns before the first row. Standard input (``-``) is read from
    ``stdin``, the path of a copy of it (read as JSON, as :func:`read_inputs` reads it);
    without one the keys cannot be known without holding the input, and the answer is
    ``None``. SSDA903 files and SSD tables carry no labels. JSON Lines are read a line at a
    time. Only the records the loader accepts count (a rejected record's label names appear
    nowhere, not even as a column header): a record naming a key not yet known is validated as
    the loader validates it; the others are only parsed."""
    if input_format in ("ssda903", "ssd"):
        return []
    files: list[tuple[str, bool]] = []  # (path, named as JSON Lines)
    for path in paths:
        if path == "-":
            if stdin is None:
                return None
            files.append((stdin, False))
        elif os.path.isdir(path):
            files += [(f, f.lower().endswith(JSONL_SUFFIXES)) for f in _json_files_in(path)]
        elif input_format == "json" or detect_format(path) == "json":
            files.append((path, path.lower().endswith(JSONL_SUFFIXES)))
    keys: set[str] = set()
    for f, jsonl in files:
        _scan_file(f, jsonl, keys)
    return sorted(keys)


def _scan_file(path: str, jsonl: bool, keys: set[str]) -> None:
    """Add the label keys of the records in one JSON file that the loader accepts: a record
    naming a key not yet known is validated as the loader validates it, the others are only
    parsed (:func:`lacplan.adapters.json.accepted_records`)."""
    _accepted_label_keys(
        accepted_records(path, lambda r: _new_label_keys(r, keys), jsonl=jsonl), keys
    )
