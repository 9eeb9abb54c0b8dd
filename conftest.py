"""Collection rules for the whole suite: without the ``server`` extra (FastAPI, uvicorn), the
modules of the HTTP app that import it are not collected for their doctests (the tests of
``tests/server`` skip themselves)."""

from __future__ import annotations

import importlib.util

collect_ignore_glob: list[str] = []
if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
    collect_ignore_glob += [
        "src/lacplan/server/app.py",
        "src/lacplan/server/docs_page.py",
        "src/lacplan/server/guard.py",
        "src/lacplan/server/run.py",
    ]
