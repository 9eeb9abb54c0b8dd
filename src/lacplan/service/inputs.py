"""The cases of a request: case objects (``cases``), input files (``files`` read as
``input_format``) or a JSON Lines body, read exactly as ``lacplan evaluate`` reads them.

* ``cases``: each object validated as a record of a JSON array is (:func:`lacplan.parse_case`'s
  codes), rejected records named ``<cases>`` and their position counting from 1 (as a case
  built in code is named);
* ``files`` in ``json``: read from their bytes by :func:`lacplan.load_cases` under their own
  names (a name ending ``.jsonl`` or ``.ndjson`` is JSON Lines);
* ``files`` in any other format of :data:`lacplan.adapters.INPUT_FORMATS` (``ssda903``,
  ``auto``, and those added later): written to a private temporary directory (mode 0700,
  removed as soon as they are read, whatever happens) and read by
  :func:`lacplan.adapters.read_inputs`; every text of the answer then names each file by the
  name the client gave it, never by where it was written;
* a JSON Lines body (``application/x-ndjson``): one case a line, rejected records named
  ``<body>`` and their physical line.

Each is bounded by ``max_cases`` (``too_many_cases``); ``tick`` is called between records (the
HTTP app's deadline). Nothing is kept once the request is answered.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from lacplan import adapters
from lacplan.adapters.json import load_cases, record, records
from lacplan.adapters.json_text import read_lines
from lacplan.adapters.sources import Batch
from lacplan.adapters.ssda903.build import MAX_YEAR, MIN_YEAR
from lacplan.adapters.ssda903.readers import SUFFIXES as SSDA903_SUFFIXES
from lacplan.errors import UsageError
from lacplan.model import Case, RecordError
from lacplan.service.errors import ServiceError
from lacplan.service.models import FileIn, Inputs

__all__ = [
    "CASES_NAME",
    "LINES_NAME",
    "Loaded",
    "count_lines",
    "load_inputs",
    "load_lines",
    "private_directory",
    "too_many",
]

#: The file name of rejected records given as ``cases`` (their line: the position from 1).
CASES_NAME: Final = "<cases>"
#: The file name of rejected records of a JSON Lines body (their line: the physical line).
LINES_NAME: Final = "<body>"

Tick = Callable[[], None]
Item = Case | RecordError

_NAME_PART: Final = re.compile(r"[^/\\\x00-\x1f\x7f]{1,255}")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


@dataclass(slots=True)
class Loaded:
    """A request's records, in input order, with the batch they came from (its accounting,
    file findings and stored due dates; ``None`` for ``cases``) and the temporary directory
    they were read from (``None``: read from memory), whose name :meth:`renamed` takes out of
    every text."""

    items: list[Item]
    batch: Batch | None
    root: str | None = None

    def renamed(self, value: Any) -> Any:
        """``value`` (a JSON-ready answer) with each file's temporary path replaced by the
        name the client gave it."""
        if self.root is None:
            return value
        return _renamed(value, self.root)


def _renamed(value: Any, root: str) -> Any:
    """``value`` with ``root/`` taken out of every text, and ``root`` itself (a finding about
    the folder of all the files) written ``.``, as the CLI names the folder it was given."""
    if isinstance(value, str):
        if root not in value:
            return value
        return value.replace(root + os.sep, "").replace(root, ".")
    if isinstance(value, dict):
        return {_renamed(k, root): _renamed(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, root) for v in value]
    return value


def _bounded(items: Iterable[Item], max_cases: int, tick: Tick | None, what: str) -> list[Item]:
    """``items`` as a list, ``tick`` called before each; more than ``max_cases`` records is
    ``too_many_cases``."""
    out: list[Item] = []
    for item in items:
        if tick is not None:
            tick()
        out.append(item)
        if len(out) > max_cases:
            raise too_many(max_cases, what)
    return out


def too_many(max_cases: int, what: str = "cases") -> ServiceError:
    return ServiceError(
        "too_many_cases",
        what,
        f"{what}: more than {max_cases} records in one request (the server's --max-cases); "
        "send them in several requests.",
    )


def load_inputs(request: Inputs, *, max_cases: int, tick: Tick | None = None) -> Loaded:
    """The records of a request's ``cases`` or ``files``."""
    if (request.cases is None) == (request.files is None):
        raise ServiceError(
            "missing_field" if request.cases is None else "invalid_value",
            "cases",
            "the request must give cases (case objects) or files (input files), not both "
            "and not neither.",
        )
    if request.cases is not None:
        if len(request.cases) > max_cases:
            raise too_many(max_cases)
        loaded = (record(obj, CASES_NAME, n) for n, obj in enumerate(request.cases, 1))
        return Loaded(_bounded(loaded, max_cases, tick, "cases"), None)
    files = request.files or []
    fmt = request.input_format
    formats: Sequence[str] = adapters.INPUT_FORMATS  # read now: adapters may add formats
    if fmt not in formats:
        raise ServiceError(
            "invalid_value",
            "input_format",
            f"input_format: must be one of {', '.join(formats)}.",
        )
    _check_names(files)
    years = _check_years(request.years or {}, files)
    if fmt == "json":
        for n, f in enumerate(files):
            if f.name.lower().endswith(SSDA903_SUFFIXES):
                path = f"files[{n}].name"
                raise ServiceError(
                    "invalid_value",
                    path,
                    f"{path}: names a CSV, XML or xlsx file, which input_format json does not "
                    f"read; give the input_format of the files ({', '.join(formats)}).",
                )
        batch = Batch(load_cases(io.BytesIO(f.data), name=f.name) for f in files)
        return Loaded(_bounded(batch, max_cases, tick, "files"), batch)
    return _from_directory(request, files, years, max_cases, tick)


def _check_names(files: Sequence[FileIn]) -> None:
    seen: dict[str, int] = {}
    dirs: set[str] = set()
    for n, f in enumerate(files):
        path = f"files[{n}].name"
        if _SURROGATE.search(f.name):
            raise ServiceError("invalid_string", path, f"{path}: a lone surrogate is not text.")
        parts = f.name.split("/")
        if any(p in (".", "..") or not _NAME_PART.fullmatch(p) for p in parts):
            raise ServiceError(
                "invalid_value",
                path,
                f"{path}: must be a relative path of names joined by / (no empty part, no . "
                "or .., no backslash or control character, at most 255 characters a part).",
            )
        if f.name in seen or f.name in dirs:
            raise ServiceError(
                "invalid_value", path, f"{path}: names the same file or directory as another."
            )
        prefixes = ["/".join(parts[:k]) for k in range(1, len(parts))]
        if any(p in seen for p in prefixes):
            raise ServiceError(
                "invalid_value", path, f"{path}: lies inside a file named by another entry."
            )
        seen[f.name] = n
        dirs.update(prefixes)


def _check_years(years: dict[str, int], files: Sequence[FileIn]) -> dict[str, int]:
    names = {f.name for f in files}
    dirs = {"/".join(f.name.split("/")[:k]) for f in files for k in range(1, f.name.count("/") + 1)}
    for n, (name, year) in enumerate(years.items(), 1):
        if name not in names and name not in dirs:
            raise ServiceError(
                "invalid_value",
                "years",
                f"years: entry {n} names no file and no directory of the files given.",
            )
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ServiceError(
                "invalid_value",
                "years",
                f"years: entry {n} must be a collection year from {MIN_YEAR} to {MAX_YEAR}.",
            )
    return years


@contextlib.contextmanager
def private_directory() -> Iterator[str]:
    root = tempfile.mkdtemp(prefix="lacplan-service-")  # mode 0700
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _write(root: str, files: Sequence[FileIn]) -> list[str]:
    paths = []
    for f in files:
        path = os.path.join(root, *f.name.split("/"))
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(f.data)
        paths.append(path)
    return paths


def _from_directory(
    request: Inputs,
    files: Sequence[FileIn],
    years: dict[str, int],
    max_cases: int,
    tick: Tick | None,
) -> Loaded:
    fmt = request.input_format
    with private_directory() as root:
        paths = _write(root, files)
        where = {os.path.join(root, *name.split("/")): year for name, year in years.items()}
        try:
            batch = adapters.read_inputs(
                paths,
                input_format=fmt,
                years=where,
                extract_date=request.extract_date,
                window_years=None if request.window_years == "all" else request.window_years,
            )
            items = _bounded(batch, max_cases, tick, "files")
        except UsageError as exc:
            raise _unreadable(str(exc), paths, fmt) from None
        return Loaded(items, batch, root)


def _unreadable(message: str, paths: Sequence[str], fmt: str) -> ServiceError:
    """A file the adapter refused, named by its place (its name and content are the
    client's; the adapter's message may quote either)."""
    found = [n for n, p in sorted(enumerate(paths), key=lambda t: -len(t[1])) if p in message]
    where = f"files[{found[0]}]" if found else "files"
    return ServiceError(
        "unreadable_file",
        where,
        f"{where}: cannot be read as {fmt} input (a file of no known table, an empty file, a "
        "column given twice, or a malformed CSV, XML or xlsx file; `lacplan evaluate "
        f"--input-format {fmt}` on it says which).",
    )


def count_lines(body: bytes) -> int:
    """The records of a JSON Lines body: its lines that are not blank."""
    return sum(1 for line in body.split(b"\n") if line.strip())


def load_lines(body: bytes, *, max_cases: int) -> Iterator[Item]:
    """The records of a JSON Lines body, one a line, read as they are reached (more than
    ``max_cases`` non-blank lines is ``too_many_cases``, before anything is read)."""
    if count_lines(body) > max_cases:
        raise too_many(max_cases, "body")
    return records(read_lines(io.BytesIO(body)), LINES_NAME, True)
