"""The byte-compilation step of ``lacplan web build`` (:mod:`lacplan.web.precompile`), run here
under CPython: the bundle runs it under Pyodide, for that Python's bytecode."""

from __future__ import annotations

import base64
import hashlib
import importlib
import io
import sys
import zipfile
from pathlib import Path

import pytest

from lacplan.web.precompile import precompile_zip


def wheel(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
        z.writestr("demo_pkg-1.0.dist-info/RECORD", "stale,,\n")
    return out.getvalue()


FILES = {
    "demo_pkg/__init__.py": "from demo_pkg.calc import add\nVALUE = add(2, 3)\n",
    "demo_pkg/calc.py": "def add(a, b):\n    return a + b\n",
    "demo_pkg/broken.py": "def (:\n",
    "demo_pkg/data.tsv": "a\tb\n",
    "demo_pkg-1.0.dist-info/METADATA": "Name: demo-pkg\nVersion: 1.0\n",
}


def test_sources_become_sourceless_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = precompile_zip(wheel(FILES), "/lib/site")
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        names = set(z.namelist())
        record = z.read("demo_pkg-1.0.dist-info/RECORD").decode()
        z.extractall(tmp_path)
    assert "demo_pkg/__init__.pyc" in names and "demo_pkg/__init__.py" not in names
    assert "demo_pkg/calc.pyc" in names and "demo_pkg/calc.py" not in names
    # A file that does not compile keeps its source; data files are untouched.
    assert "demo_pkg/broken.py" in names and "demo_pkg/broken.pyc" not in names
    assert (tmp_path / "demo_pkg" / "data.tsv").read_text() == "a\tb\n"
    # RECORD lists what the archive now holds, with the right hashes and sizes.
    lines = dict(line.split(",", 1) for line in record.splitlines())
    assert set(lines) == names
    body = (tmp_path / "demo_pkg" / "calc.pyc").read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
    assert lines["demo_pkg/calc.pyc"] == f"sha256={digest},{len(body)}"
    assert lines["demo_pkg-1.0.dist-info/RECORD"] == ","
    # The bytecode imports without its source, and names the file it will have installed.
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "demo_pkg", raising=False)
    module = importlib.import_module("demo_pkg")
    assert module.VALUE == 5
    calc = importlib.import_module("demo_pkg.calc")
    assert calc.add.__code__.co_filename == "/lib/site/demo_pkg/calc.py"
    for name in ("demo_pkg", "demo_pkg.calc"):
        sys.modules.pop(name, None)


def test_an_archive_without_python_is_unchanged_in_content() -> None:
    data = wheel({"pkg/data.json": "{}"})
    with zipfile.ZipFile(io.BytesIO(precompile_zip(data, "/lib"))) as z:
        assert z.read("pkg/data.json") == b"{}"
        assert sorted(z.namelist()) == ["demo_pkg-1.0.dist-info/RECORD", "pkg/data.json"]
