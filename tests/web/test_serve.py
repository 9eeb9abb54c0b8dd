""":mod:`lacplan.web.serve` (the loopback server of a bundle: its headers, types, no listings,
no escape from the directory) and :mod:`lacplan.web.build` with the build tools replaced by a
fake ``run`` (the bundle's layout, lock file, sizes, refusals and replacement)."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import sys
import threading
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from lacplan.cli import main
from lacplan.errors import UsageError
from lacplan.web import CONTENT_SECURITY_POLICY
from lacplan.web import build as build_module
from lacplan.web.build import (
    CORE_PACKAGES,
    EXTRA_PACKAGES,
    FRONT_END,
    RUNTIME_FILES,
    BuildError,
    build,
)
from lacplan.web.precompile import precompile_zip
from lacplan.web.serve import HOST, make_server

SECRET = b"outside the bundle: must never be served"
SITE = {
    "index.html": b"<!doctype html><title>lacplan</title>",
    "app.js": b"console.log(1);",
    "worker.mjs": b"export {};",
    "pyodide.asm.wasm": b"\x00asm\x01\x00\x00\x00",
    "style.css": b"body{}",
    "build-info.json": b"{}",
    "python_stdlib.zip": b"PK\x05\x06" + bytes(18),
    "blob.bin": b"\x01\x02",
    "sub/inner.js": b"1;",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("serve")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    root = tmp_path / "site"
    for name, data in SITE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[tuple[str, int]]:
    httpd = make_server(site, 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    yield str(host), int(port)
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def get(server: tuple[str, int], path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """The status, headers and body of GET ``path`` (sent exactly as written)."""
    conn = http.client.HTTPConnection(*server, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(("path", "status"), [("/index.html", 200), ("/no-such.js", 404)])
def test_the_security_headers_are_sent(server: tuple[str, int], path: str, status: int) -> None:
    got, headers, _ = get(server, path)
    assert got == status
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "connect-src 'self'" in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/index.html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/worker.mjs", "text/javascript; charset=utf-8"),
        ("/pyodide.asm.wasm", "application/wasm"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/build-info.json", "application/json"),
        ("/python_stdlib.zip", "application/zip"),
        ("/blob.bin", "application/octet-stream"),
    ],
)
def test_each_file_has_its_exact_type(
    server: tuple[str, int], path: str, content_type: str
) -> None:
    status, headers, body = get(server, path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert body == SITE[path.lstrip("/") or "index.html"]


def test_a_directory_is_not_listed(server: tuple[str, int]) -> None:
    status, headers, body = get(server, "/sub/")
    assert status == 404 and b"inner.js" not in body
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    status, _, body = get(server, "/sub/inner.js")
    assert (status, body) == (200, SITE["sub/inner.js"])
    with pytest.raises(urllib.error.HTTPError) as caught:  # /sub redirects to /sub/
        urllib.request.urlopen(f"http://{server[0]}:{server[1]}/sub", timeout=10)
    assert caught.value.code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/sub/%2E%2E/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "//../secret.txt",
    ],
)
def test_dot_dot_cannot_leave_the_directory(server: tuple[str, int], path: str) -> None:
    status, _, body = get(server, path)
    assert SECRET not in body
    assert status == 404


def test_the_server_listens_on_loopback_only(server: tuple[str, int]) -> None:
    assert server[0] == HOST == "127.0.0.1" and server[1] != 0


@pytest.mark.parametrize("index", [None, "dir"])
def test_a_directory_without_index_html_is_refused(tmp_path: Path, index: str | None) -> None:
    (tmp_path / "app.js").write_bytes(b"1;")
    if index == "dir":
        (tmp_path / "index.html").mkdir()
    with pytest.raises(UsageError, match=r"index\.html"):
        make_server(tmp_path, 0)


# ---------------------------------------------------------------------------- build
INFO = {"abi_version": "2025_0", "arch": "wasm32", "python": "3.13.2", "version": "0.28.0"}
PYODIDE = "0.28.0"


#: Each distribution's top-level entry: a package, or a module (``.py``), as the real ones.
TOPS = {
    **{name: name.replace("-", "_") for name in (*CORE_PACKAGES, *EXTRA_PACKAGES, "lacplan")},
    "python-dateutil": "dateutil",
    "six": "six.py",
    "typing-extensions": "typing_extensions.py",
}
SITE_PACKAGES = "/lib/python3.13/site-packages"


def fake_wheel(directory: Path, name: str, version: str) -> Path:
    """A wheel holding a module or package, its METADATA (a description with a ``Name:`` line
    too) and RECORD."""
    directory.mkdir(parents=True, exist_ok=True)
    dist, top = name.replace("-", "_"), TOPS[name]
    path = directory / f"{dist}-{version}-py3-none-any.whl"
    meta = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n\nName: not-this\n"
    with zipfile.ZipFile(path, "w") as wheel:
        module = top if top.endswith(".py") else f"{top}/__init__.py"
        wheel.writestr(module, f"VERSION = {version!r}\n" * len(name))
        wheel.writestr(f"{dist}-{version}.dist-info/METADATA", meta)
        wheel.writestr(f"{dist}-{version}.dist-info/RECORD", "")
    return path


def stdlib_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("os.py", "sep = '/'\n")
    return out.getvalue()


class Tools:
    """``npm ci``, ``pip download``, ``pip wheel`` and the byte-compiling ``node`` step,
    leaving what the real ones leave (``node``: :func:`precompile_zip`, run here)."""

    def __init__(self, version: str = "9.8.7", skip: Sequence[str] = ()) -> None:
        self.version, self.skip = version, skip
        self.commands: list[list[str]] = []
        self.jobs: list[dict[str, str]] = []

    def __call__(self, command: Sequence[str], cwd: Path) -> None:
        argv = list(command)
        self.commands.append(argv)
        if argv[0] == "npm":
            assert (cwd / "package-lock.json").is_file()
            runtime = cwd / "node_modules" / "pyodide"
            runtime.mkdir(parents=True)
            for n, name in enumerate(RUNTIME_FILES, 1):
                (runtime / name).write_bytes(name.encode() * 10 * n)
            (runtime / "python_stdlib.zip").write_bytes(stdlib_zip())
            (runtime / "not-served.d.ts").write_text("x")
            (runtime / "package.json").write_text(json.dumps({"version": PYODIDE}))
            lock = {"info": INFO, "packages": {"numpy": {"name": "numpy"}}}
            (runtime / "pyodide-lock.json").write_text(json.dumps(lock))
        elif argv[0] == "node":
            self.jobs = json.loads(Path(argv[4]).read_text())
            for job in self.jobs:
                prefix = SITE_PACKAGES if job["kind"] == "site" else "/lib/python313.zip"
                data = precompile_zip(Path(job["input"]).read_bytes(), prefix)
                Path(job["output"]).write_bytes(data)
        elif argv[3] == "download":
            out = Path(argv[argv.index("-d") + 1])
            for n, name in enumerate((*CORE_PACKAGES, *EXTRA_PACKAGES)):
                if name not in self.skip:
                    fake_wheel(out, name, f"1.{n}.0")
        else:
            assert argv[3] == "wheel"
            fake_wheel(Path(argv[argv.index("-w") + 1]), "lacplan", self.version)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "web").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'lacplan'\n")
    for name in ("package.json", "package-lock.json", "requirements.txt", *FRONT_END):
        (root / "web" / name).write_text(f"/* {name} */\n" * (len(name) + 3))
    return root


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def wheel_names(version: str = "9.8.7") -> list[str]:
    names = [
        f"{p.replace('-', '_')}-1.{n}.0-py3-none-any.whl"
        for n, p in enumerate((*CORE_PACKAGES, *EXTRA_PACKAGES))
    ]
    return [*names, f"lacplan-{version}-py3-none-any.whl"]


def entries(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


@pytest.mark.parametrize("precompile", [True, False])
def test_the_bundle_has_the_runtime_wheels_and_front_end(
    checkout: Path, tmp_path: Path, precompile: bool
) -> None:
    tools = Tools()
    result = build(tmp_path / "out", root=checkout, run=tools, precompile=precompile)
    out = tmp_path / "out"
    assert result.directory == out.resolve()
    got = files_of(out)
    pyodide = [*RUNTIME_FILES, "pyodide-lock.json", *wheel_names()]
    assert sorted(got) == sorted(
        [*FRONT_END, "build-info.json", *(f"pyodide/{n}" for n in pyodide)]
    )
    for name in FRONT_END:
        assert got[name] == (checkout / "web" / name).read_bytes()
    for n, name in enumerate(RUNTIME_FILES[:-1], 1):
        assert got[f"pyodide/{name}"] == name.encode() * 10 * n
    npm, download, wheel, *node = tools.commands
    assert npm[:2] == ["npm", "ci"] and "--ignore-scripts" in npm
    assert download[:4] == [sys.executable, "-m", "pip", "download"]
    assert "--require-hashes" in download and "--no-deps" in download
    assert download[download.index("--platform") + 1] == "pyemscripten_2025_0_wasm32"
    assert download[download.index("--python-version") + 1] == "3.13"
    assert download[download.index("-r") + 1] == str(checkout / "web" / "requirements.txt")
    assert wheel[3] == "wheel" and wheel[-1] == str(checkout)
    stdlib, six = got["pyodide/python_stdlib.zip"], got["pyodide/" + wheel_names()[6]]
    if precompile:
        assert [argv[0] for argv in node] == ["node"]
        kinds = sorted((Path(j["input"]).name, j["kind"]) for j in tools.jobs)
        assert kinds == sorted(
            [*((w, "site") for w in wheel_names()), ("python_stdlib.zip", "stdlib")]
        )
        assert entries(stdlib) == ["os.pyc"] and "six.pyc" in entries(six)
    else:
        assert node == [] and stdlib == stdlib_zip() and "six.py" in entries(six)


@pytest.mark.parametrize("precompile", [True, False])
def test_the_lock_file_lists_each_wheel_with_its_sha256(
    checkout: Path, tmp_path: Path, precompile: bool
) -> None:
    build(tmp_path / "out", root=checkout, run=Tools(), precompile=precompile)
    pyodide = tmp_path / "out" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert lock["info"] == INFO
    assert sorted(lock["packages"]) == sorted([*CORE_PACKAGES, *EXTRA_PACKAGES, "lacplan"])
    for name, entry in lock["packages"].items():
        wheel = pyodide / entry["file_name"]
        assert entry["name"] == name
        assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
        assert wheel.name.startswith(f"{name.replace('-', '_')}-{entry['version']}-")
    assert lock["packages"]["lacplan"]["depends"] == list(CORE_PACKAGES)
    assert lock["packages"]["lacplan"]["version"] == "9.8.7"
    assert lock["packages"]["openpyxl"]["depends"] == ["et-xmlfile"]
    assert lock["packages"]["six"]["depends"] == []


@pytest.mark.parametrize(
    "precompile",
    [True, False],
)
def test_the_lock_file_names_each_wheels_imports(
    checkout: Path, tmp_path: Path, precompile: bool
) -> None:
    build(tmp_path / "out", root=checkout, run=Tools(), precompile=precompile)
    lock = json.loads((tmp_path / "out" / "pyodide" / "pyodide-lock.json").read_text())
    imports = {name: entry["imports"] for name, entry in lock["packages"].items()}
    assert imports == {name: [top.removesuffix(".py")] for name, top in TOPS.items()}


def test_build_info_sizes_add_up(checkout: Path, tmp_path: Path) -> None:
    result = build(tmp_path / "out", root=checkout, run=Tools())
    got = files_of(tmp_path / "out")
    info = json.loads(got.pop("build-info.json"))
    assert info == result.info
    assert info["files"] == {
        name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in got.items()
    }

    def size(names: Sequence[str]) -> int:
        return sum(len(got[n]) for n in names)

    sizes = info["sizes"]
    wheels = [f"pyodide/{w}" for w in wheel_names()]
    assert sizes["runtime"] == size([f"pyodide/{n}" for n in RUNTIME_FILES])
    assert sizes["wheels"] == size(wheels)
    assert sizes["front_end"] == size(FRONT_END)
    lock = len(got["pyodide/pyodide-lock.json"])
    assert sizes["total"] == sizes["runtime"] + sizes["wheels"] + sizes["front_end"] + lock
    extra = [w for w in wheels if w.split("/")[1].startswith(("openpyxl-", "et_xmlfile-"))]
    assert len(extra) == 2 and sizes["start_up"] == sizes["total"] - size(extra)
    assert (info["lacplan_version"], info["pyodide_version"]) == ("9.8.7", PYODIDE)
    assert (info["python"], info["platform"]) == ("3.13.2", "pyemscripten_2025_0_wasm32")
    assert info["packages"]["six"] == f"1.{CORE_PACKAGES.index('six')}.0"
    assert "9.8.7" in result.size_report() and "total" in result.size_report()


def test_a_second_build_replaces_the_first(checkout: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()  # an empty directory is taken
    build(out, root=checkout, run=Tools("9.8.7"))
    (out / "stale.txt").write_text("left by hand")
    result = build(out, root=checkout, run=Tools("9.8.8"))
    got = files_of(out)
    assert "stale.txt" not in got
    lacplan_wheels = [n for n in got if n.startswith("pyodide/lacplan-")]
    assert lacplan_wheels == ["pyodide/lacplan-9.8.8-py3-none-any.whl"]
    assert json.loads(got["build-info.json"])["lacplan_version"] == "9.8.8"
    assert result.info["lacplan_version"] == "9.8.8"


@pytest.mark.parametrize("kind", ["non_empty", "file"])
def test_a_target_that_is_not_a_bundle_is_refused(
    checkout: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "mine"
    if kind == "file":
        target.write_text("notes")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("notes")
        (target / "pyodide-lock.json").write_text("{}")  # not a bundle's build-info.json
    tools = Tools()
    with pytest.raises(UsageError, match="mine"):
        build(target, root=checkout, run=tools)
    assert tools.commands == []
    if kind == "file":
        assert target.read_text() == "notes"
    else:
        assert sorted(p.name for p in target.iterdir()) == ["notes.txt", "pyodide-lock.json"]


def test_a_wheel_not_downloaded_fails_the_build(checkout: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="et-xmlfile") as caught:
        build(tmp_path / "out", root=checkout, run=Tools(skip=("et-xmlfile",)))
    assert "six" not in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_build_outside_a_checkout_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(build_module, "checkout_root", lambda: None)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("built outside a checkout")

    with pytest.raises(UsageError, match="checkout"):
        build(tmp_path / "out", run=never)
    monkeypatch.setattr(build_module, "build", never)
    assert main(["web", "build", str(tmp_path / "out")]) == 2
    out, err = capsys.readouterr()
    assert "checkout" in err and "web build" in err and out == ""
    assert not (tmp_path / "out").exists()
