"""``lacplan web build DIR``: the self-hosted, in-browser bundle (docs/web.md).

What goes in, and where it comes from (nothing is fetched from a hard-coded address: ``npm``
and ``pip`` are run as this machine configures them):

- ``pyodide/`` the Pyodide runtime (``pyodide.mjs``, ``pyodide.asm.mjs``, ``pyodide.asm.wasm``,
  ``python_stdlib.zip``), installed by ``npm ci`` from ``web/package.json`` and
  ``web/package-lock.json`` (the version and its integrity hash pinned there);
- ``pyodide/*.whl`` the Pyodide-platform wheels of lacplan's pure core, by
  ``pip download --require-hashes -r web/requirements.txt`` for the runtime's platform
  (``pyemscripten_<abi>_wasm32``, read from the runtime's own lock file), and lacplan's own
  wheel, built from this checkout by ``pip wheel``;
- byte-compiled (unless ``precompile=False``, ``--no-precompile``): each wheel's and the
  standard library's ``.py`` files become ``.pyc`` files for the runtime's own Python, made by
  Node running that runtime (``web/tools/precompile.mjs``, :mod:`lacplan.web.precompile`);
- ``pyodide/pyodide-lock.json`` generated here: those wheels and nothing else, each with its
  SHA-256, which Pyodide checks as it loads them;
- ``index.html``, ``app.js``, ``worker.js``, ``view.js``, ``style.css`` copied from ``web/``;
- ``build-info.json``: the versions, and every file's size and SHA-256.

The build runs from a checkout only (the front end lives in ``web/``, which a wheel does not
hold): from an installed wheel it says so and exits 2. ``DIR`` must be empty, missing, or an
earlier bundle (it holds ``build-info.json``), which is replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from lacplan.errors import UsageError

__all__ = [
    "CORE_PACKAGES",
    "EXTRA_PACKAGES",
    "FRONT_END",
    "RUNTIME_FILES",
    "BuildError",
    "BuildResult",
    "build",
    "checkout_root",
]

#: The files of the Pyodide npm package the bundle serves.
RUNTIME_FILES: Final = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
#: The front end's files, from ``web/``.
FRONT_END: Final = ("index.html", "app.js", "worker.js", "view.js", "style.css")
#: What lacplan needs in the browser (``holidays`` is not among them: the shipped table serves).
CORE_PACKAGES: Final = (
    "pydantic",
    "pydantic-core",
    "typing-extensions",
    "annotated-types",
    "typing-inspection",
    "python-dateutil",
    "six",
    "tomli-w",
)
#: Loaded once the page is ready, for the xlsx downloads.
EXTRA_PACKAGES: Final = ("openpyxl", "et-xmlfile")

Run = Callable[[Sequence[str], Path], None]


class BuildError(UsageError):
    """A build step failed (its tool's last lines are in the message)."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What was built: the directory, the versions and the bytes of each part."""

    directory: Path
    info: dict[str, Any]

    def size_report(self) -> str:
        """A few lines: the bytes of the runtime, the wheels, the front end and the total."""
        parts = self.info["sizes"]
        lines = [f"lacplan {self.info['lacplan_version']} bundle in {self.directory}"]
        for name in ("runtime", "wheels", "front_end", "total"):
            lines.append(f"  {name.replace('_', ' '):<10} {parts[name] / 1e6:8.2f} MB")
        lines.append(f"  loaded at start-up: {parts['start_up'] / 1e6:.2f} MB")
        return "\n".join(lines)


def checkout_root() -> Path | None:
    """The checkout this lacplan is installed from (editable), or ``None`` (a wheel)."""
    root = Path(__file__).resolve().parents[3]
    if (root / "pyproject.toml").is_file() and (root / "web" / "index.html").is_file():
        return root
    return None


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: Sequence[str], cwd: Path) -> None:
    """Run a build tool; its output is shown only when it fails."""
    try:
        done = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BuildError(f"{command[0]} is not installed; the build needs it") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
        raise BuildError(f"{' '.join(command[:3])} failed (exit {done.returncode}):\n{tail}")


def _wheel_entry(path: Path) -> dict[str, Any]:
    """A ``pyodide-lock.json`` package entry for a wheel (read from its metadata)."""
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = wheel.read(metadata).decode("utf-8")
    head = text.partition("\n\n")[0]
    fields = dict(
        line.split(": ", 1) for line in head.splitlines() if ": " in line and line[0] != " "
    )
    tops = sorted(
        {
            re.sub(r"\.pyc?$", "", n.split("/")[0])
            for n in names
            if not n.split("/")[0].endswith((".dist-info", ".data"))
        }
    )
    return {
        "name": _normalise(fields["Name"]),
        "version": fields["Version"],
        "file_name": path.name,
        "install_dir": "site",
        "sha256": _sha256(path),
        "package_type": "package",
        "imports": [t for t in tops if t.isidentifier()],
        "depends": [],
        "unvendored_tests": False,
        "shared_library": False,
    }


def _lock_file(runtime_lock: dict[str, Any], wheels: Sequence[Path]) -> dict[str, Any]:
    """The bundle's lock file: the runtime's ``info``, and the wheels as its packages (lacplan
    depending on the core, openpyxl on et-xmlfile)."""
    packages = {entry["name"]: entry for entry in map(_wheel_entry, wheels)}
    missing = [p for p in (*CORE_PACKAGES, *EXTRA_PACKAGES, "lacplan") if p not in packages]
    if missing:
        raise BuildError(f"the wheels of {', '.join(missing)} were not downloaded")
    packages["lacplan"]["depends"] = list(CORE_PACKAGES)
    packages["openpyxl"]["depends"] = ["et-xmlfile"]
    return {"info": runtime_lock["info"], "packages": dict(sorted(packages.items()))}


def _platform(info: dict[str, Any]) -> tuple[str, str]:
    """The pip platform tag and Python version of the runtime (from its lock file)."""
    abi, arch, python = info.get("abi_version"), info.get("arch"), info.get("python")
    if not (isinstance(abi, str) and isinstance(arch, str) and isinstance(python, str)):
        raise BuildError("the Pyodide runtime's pyodide-lock.json has no abi_version/python")
    return f"pyemscripten_{abi}_{arch}", ".".join(python.split(".")[:2])


def _prepare(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / "build-info.json").is_file():
        raise UsageError(
            f"{target} is not empty and is not a lacplan bundle; give an empty or new directory"
        )


def build(
    target: Path, *, root: Path | None = None, run: Run = _run, precompile: bool = True
) -> BuildResult:
    """Build the bundle into ``target`` from the checkout at ``root`` (default: this one);
    ``precompile``: byte-compile the wheels and the standard library for the runtime
    (:mod:`lacplan.web.precompile`; the page is ready in about half the time, and the bundle
    is 3 MB larger)."""
    root = root or checkout_root()
    if root is None:
        raise UsageError(
            "lacplan web build runs from a checkout of lacplan (it needs the front end in web/ "
            "and builds lacplan's wheel): git clone the repository, pip install -e . and run it "
            "there"
        )
    target = target.resolve()
    _prepare(target)
    web = root / "web"
    with tempfile.TemporaryDirectory(prefix="lacplan-web-") as scratch:
        work = Path(scratch)
        npm = work / "npm"
        npm.mkdir()
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(web / name, npm / name)
        run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], npm)
        runtime = npm / "node_modules" / "pyodide"
        runtime_lock = json.loads((runtime / "pyodide-lock.json").read_text("utf-8"))
        platform, python = _platform(runtime_lock["info"])
        wheels = work / "wheels"
        pip = [sys.executable, "-m", "pip"]
        run(
            [
                *pip,
                "download",
                "--require-hashes",
                "--no-deps",
                "--only-binary=:all:",
                "--platform",
                platform,
                "--platform",
                "any",
                "--python-version",
                python,
                "-r",
                str(web / "requirements.txt"),
                "-d",
                str(wheels),
            ],
            work,
        )
        run([*pip, "wheel", "--no-deps", "--no-cache-dir", "-w", str(wheels), str(root)], work)
        out = work / "bundle"
        (out / "pyodide").mkdir(parents=True)
        for name in RUNTIME_FILES:
            shutil.copy2(runtime / name, out / "pyodide" / name)
        found = sorted(wheels.glob("*.whl"))
        for wheel in found:
            shutil.copy2(wheel, out / "pyodide" / wheel.name)
        if precompile:
            names = [w.name for w in found]
            _precompile(runtime, root, out / "pyodide", names, run, work)
            found = sorted((out / "pyodide").glob("*.whl"))
        lock = _lock_file(runtime_lock, found)
        (out / "pyodide" / "pyodide-lock.json").write_text(
            json.dumps(lock, indent=1, sort_keys=True) + "\n", "utf-8"
        )
        for name in FRONT_END:
            shutil.copy2(web / name, out / name)
        version = json.loads((runtime / "package.json").read_text("utf-8"))["version"]
        info = _info(out, lock, runtime_lock, platform, version)
        (out / "build-info.json").write_text(json.dumps(info, indent=1) + "\n", "utf-8")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), str(target))
    os.chmod(target, 0o755)
    return BuildResult(target, info)


def _precompile(
    runtime: Path, root: Path, target: Path, wheels: Sequence[str], run: Run, scratch: Path
) -> None:
    """Byte-compile ``target``'s wheels and ``python_stdlib.zip`` in place, by Node running
    the runtime itself (``web/tools/precompile.mjs``)."""
    jobs = [{"input": str(target / w), "output": str(target / w), "kind": "site"} for w in wheels]
    stdlib = target / "python_stdlib.zip"
    jobs.append({"input": str(stdlib), "output": str(stdlib), "kind": "stdlib"})
    listing = scratch / "precompile-jobs.json"
    listing.write_text(json.dumps(jobs), "utf-8")
    module = Path(__file__).with_name("precompile.py")
    script = root / "web" / "tools" / "precompile.mjs"
    run(["node", str(script), str(runtime), str(module), str(listing)], target)


def _info(
    out: Path, lock: dict[str, Any], runtime_lock: dict[str, Any], platform: str, version: str
) -> dict[str, Any]:
    files: dict[str, dict[str, Any]] = {
        p.relative_to(out).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }

    def size(pred: Callable[[str], bool]) -> int:
        return sum(f["bytes"] for name, f in files.items() if pred(name))

    extra = {lock["packages"][p]["file_name"] for p in EXTRA_PACKAGES}
    packages = lock["packages"]
    return {
        "lacplan_version": packages["lacplan"]["version"],
        "pyodide_version": version,
        "python": runtime_lock["info"]["python"],
        "platform": platform,
        "packages": {name: entry["version"] for name, entry in packages.items()},
        "sizes": {
            "runtime": size(lambda n: n.removeprefix("pyodide/") in RUNTIME_FILES),
            "wheels": size(lambda n: n.endswith(".whl")),
            "front_end": size(lambda n: "/" not in n),
            "total": size(lambda n: True),
            "start_up": size(lambda n: n.rpartition("/")[2] not in extra),
        },
        "files": files,
    }
