"""What the in-browser app's Web Worker calls (docs/web.md): a
:class:`~lacplan.service.session.Session` behind functions that take and give JSON text, so
that nothing but strings and bytes crosses between JavaScript and Python.

Every answer is a JSON object: the view asked for, or ``{"error": {"code", "path",
"message"}}`` (a :class:`~lacplan.service.ServiceError`'s body; ``code`` ``too_large`` when
the input does not fit in the browser's memory). No message quotes a value from the files.

Pure Python with no browser in it, so the same functions are tested under CPython
(``tests/web/test_bridge.py``) and under Pyodide in Node (``tests/web/test_node.py``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

from lacplan._version import __version__
from lacplan.rules import BASE_PACKS, OVERLAYS
from lacplan.service.errors import ServiceError
from lacplan.service.session import Session

__all__ = [
    "MAX_RECORDS",
    "RULE_FILE_SUFFIX",
    "child",
    "csv",
    "explanation",
    "open_session",
    "overview",
    "ready",
    "xlsx",
]

#: The most records one run of the page takes (the browser's memory is the real bound).
MAX_RECORDS: Final = 200_000
#: Files named so are rule files (an agency's or a council's own standards, docs/overlays.md),
#: stacked on the chosen pack as ``--overlay FILE`` is, in the order given.
RULE_FILE_SUFFIX: Final = ".toml"
#: How often, at most, progress is reported (seconds).
_PROGRESS_EVERY: Final = 0.1

Progress = Callable[[str, int], None]


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _error(code: str, path: str, message: str) -> str:
    return _dumps({"error": {"code": code, "path": path, "message": message}})


def _answer(work: Callable[[], Any]) -> str:
    """``work()``'s value as JSON, or the error body of what it raised."""
    try:
        return _dumps(work())
    except ServiceError as exc:
        return _dumps(exc.as_dict())
    except MemoryError:
        return _error(
            "too_large",
            "files",
            "the input is too large for this browser's memory; split it (by year or by team) "
            "or use the command line (lacplan evaluate).",
        )


def ready() -> str:
    """What the page needs before any file: versions, packs, overlays, whether xlsx works."""
    return _dumps(
        {
            "lacplan_version": __version__,
            "python": ".".join(map(str, sys.version_info[:3])),
            "packs": list(BASE_PACKS),
            "overlays": list(OVERLAYS),
            "xlsx": importlib.util.find_spec("openpyxl") is not None,
            "holidays_imported": "holidays" in sys.modules,
        }
    )


def open_session(
    files: Sequence[tuple[str, bytes]], options: str, progress: Progress | None = None
) -> tuple[Session | None, str]:
    """Evaluate ``files`` (``(name, bytes)``, read as ``input_format`` ``auto``; those named
    ``*.toml`` are rule files stacked on the pack, as ``--overlay``) with the ``options``
    (JSON: ``as_of``, ``rules``, ``days``, ``period``, ``months``): the session and its
    :meth:`~Session.overview` as JSON, or ``None`` and the error.

    ``progress(phase, records)`` is called at most every 0.1 s: ``"reading"`` or
    ``"evaluating"``, and the records so far."""
    try:
        chosen = json.loads(options)
    except (ValueError, RecursionError):
        return None, _error("invalid_json", "options", "options: not a JSON object.")
    if not isinstance(chosen, dict):
        return None, _error("invalid_value", "options", "options: not a JSON object.")
    given = [{"name": name, "bytes": bytes(data)} for name, data in files]
    rule_files = [f for f in given if str(f["name"]).lower().endswith(RULE_FILE_SUFFIX)]
    request = {
        **chosen,
        "files": [f for f in given if f not in rule_files],
        "input_format": "auto",
    }
    if rule_files:
        request["overlay_files"] = rule_files
    last = time.monotonic()

    def tick(phase: str, records: int) -> None:
        nonlocal last
        now = time.monotonic()
        if progress is not None and now - last >= _PROGRESS_EVERY:
            last = now
            progress(phase, records)

    session: Session | None = None

    def opened() -> dict[str, Any]:
        nonlocal session
        session = Session.open(request, max_cases=MAX_RECORDS, progress=tick)
        return session.overview()

    answer = _answer(opened)
    return session, answer


def overview(session: Session) -> str:
    """:meth:`Session.overview` as JSON."""
    return _answer(session.overview)


def child(session: Session, child_id: str) -> str:
    """:meth:`Session.child` as JSON."""
    return _answer(lambda: session.child(child_id))


def explanation(session: Session, child_id: str, key: str) -> str:
    """:meth:`Session.explanation` as JSON."""
    return _answer(lambda: session.explanation(child_id, key))


def csv(session: Session, kind: str) -> str:
    """``{"text": ...}``: :meth:`Session.csv` (Excel-safe) as JSON."""
    return _answer(lambda: {"text": session.csv(kind)})


def xlsx(session: Session, kind: str) -> bytes:
    """:meth:`Session.xlsx`'s bytes (empty when ``kind`` is not a download)."""
    try:
        return session.xlsx(kind)
    except ServiceError:
        return b""
