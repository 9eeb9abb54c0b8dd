"""Output safety: ``-o`` is written whole or not at all (a temporary file renamed into place,
removed on any failure or Ctrl-C), keeps the replaced file's permissions, replaces a link's
target, writes devices and FIFOs directly, is refused when it names an input, and a write error
is exit 2 with one line (docs/outputs.md)."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lacplan.cli_evaluate
import lacplan.output_files
from lacplan.cli import main
from lacplan.output_files import OutputError, output_file, output_stream, refuse_inputs

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "docs" / "examples" / "case.json")
AS_OF = "2021-03-01"
OLD = b"the old contents\n"
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux devices")


def _exit_2(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run ``argv``, expect a usage error (exit 2); its standard error."""
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    assert exc.value.code == 2
    return capsys.readouterr().err


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lacplan: error: "), err
    return lines[0]


def _temporaries(directory: Path) -> list[Path]:
    return sorted(directory.glob(".*.tmp"))


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """An existing output file, ``0o640``."""
    path = tmp_path / "out.json"
    path.write_bytes(OLD)
    path.chmod(0o640)
    return path


# ---------------------------------------------------------------------------- atomic writes
def test_a_new_file_is_written_whole_with_the_umask_s_permissions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "new.json"
    mask = os.umask(0o027)
    try:
        assert main(["evaluate", EXAMPLE, "--as-of", AS_OF, "-o", str(out)]) == 0
    finally:
        os.umask(mask)
    assert json.loads(out.read_bytes())["as_of"] == AS_OF
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert _temporaries(tmp_path) == []


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table", "xlsx", "parquet"])
def test_a_replaced_file_keeps_its_permissions(
    capsys: pytest.CaptureFixture[str], old: Path, fmt: str
) -> None:
    if fmt in ("xlsx", "parquet"):
        pytest.importorskip({"xlsx": "openpyxl", "parquet": "pyarrow"}[fmt])
    old.chmod(0o604)
    assert main(["evaluate", EXAMPLE, "--as-of", AS_OF, "--format", fmt, "-o", str(old)]) == 0
    assert old.read_bytes() != OLD and old.stat().st_size > 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o604
    assert _temporaries(old.parent) == []


def test_a_symlink_s_target_is_replaced_not_the_link(
    capsys: pytest.CaptureFixture[str], old: Path, tmp_path: Path
) -> None:
    link = tmp_path / "elsewhere" / "link.json"
    link.parent.mkdir()
    link.symlink_to(old)
    assert main(["evaluate", EXAMPLE, "--as-of", AS_OF, "-o", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == old.resolve()
    assert json.loads(old.read_bytes())["as_of"] == AS_OF
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    assert _temporaries(tmp_path) == [] and _temporaries(link.parent) == []


def test_a_dangling_symlink_s_target_is_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "target.json")
    assert main(["evaluate", EXAMPLE, "--as-of", AS_OF, "-o", str(link)]) == 0
    assert link.is_symlink() and json.loads((tmp_path / "target.json").read_bytes())


def _interrupt_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> None:
    """Make the ``writes``-th write to an output file write half of its bytes and then raise
    ``KeyboardInterrupt`` (Ctrl-C in the middle of a write)."""
    real = lacplan.output_files._Raw.write
    seen = 0

    def write(self: Any, data: Any, /) -> int:
        nonlocal seen
        seen += 1
        if seen == writes:
            real(self, bytes(data)[: len(data) // 2])
            raise KeyboardInterrupt
        return real(self, data)

    monkeypatch.setattr(lacplan.output_files._Raw, "write", write)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "xlsx", "parquet"])
def test_ctrl_c_in_the_middle_of_a_write_leaves_the_old_file(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    old: Path,
    big_cohort: Path,
    fmt: str,
) -> None:
    if fmt in ("xlsx", "parquet"):
        pytest.importorskip({"xlsx": "openpyxl", "parquet": "pyarrow"}[fmt])
    _interrupt_after(monkeypatch, 2)
    argv = ["evaluate", str(big_cohort), "--as-of", "2024-06-03", "--format", fmt]
    assert main([*argv, "--jobs", "1", "-o", str(old)]) == 130
    assert capsys.readouterr().err.endswith("lacplan: interrupted\n")
    assert old.read_bytes() == OLD and stat.S_IMODE(old.stat().st_mode) == 0o640
    assert _temporaries(old.parent) == []


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX signals")
def test_sigint_to_a_real_process_leaves_the_old_file(old: Path, tmp_path: Path) -> None:
    """Ctrl-C (``SIGINT`` to the process group) while the temporary file fills: exit 130, one
    line, the old file as it was, no temporary file."""
    from lacplan.synth import write_cohort

    source = tmp_path / "many.jsonl"
    write_cohort(str(source), 1_500, seed=9)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = ["evaluate", str(source), "--as-of", "2024-06-03", "--format", "csv", "--jobs", "1"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "lacplan", *argv, "-o", str(old)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size for p in _temporaries(tmp_path) if p.exists()):
            assert proc.poll() is None and time.monotonic() < deadline, "no output"
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (proc.returncode, err) == (130, "lacplan: interrupted\n")
    assert old.read_bytes() == OLD and stat.S_IMODE(old.stat().st_mode) == 0o640
    assert _temporaries(tmp_path) == []


def test_ctrl_c_from_a_writer_leaves_no_new_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(lacplan.cli_evaluate, "write_jsonl_trailer", interrupted)
    out = tmp_path / "out.jsonl"
    argv = ["evaluate", EXAMPLE, "--as-of", AS_OF, "--format", "jsonl", "-o", str(out)]
    assert main(argv) == 130
    assert capsys.readouterr().err == "lacplan: interrupted\n"
    assert not out.exists() and _temporaries(tmp_path) == []


def test_an_input_error_mid_run_leaves_the_old_file(
    capsys: pytest.CaptureFixture[str], old: Path, tmp_path: Path
) -> None:
    err = _exit_2(capsys, "evaluate", EXAMPLE, str(tmp_path / "missing.json"), "--as-of", AS_OF,
                  "-o", str(old))  # fmt: skip
    assert "missing.json" in err
    assert old.read_bytes() == OLD and _temporaries(old.parent) == []


# ---------------------------------------------------------------------------- write errors
def _failing_after(monkeypatch: pytest.MonkeyPatch, writes: int, code: int) -> None:
    """From the ``writes``-th write on, a write to an output file writes part of its bytes,
    then fails with ``OSError(code)`` (a disk filling up), below lacplan's own raw stream."""
    seen = 0

    class Failing(io.FileIO):
        def write(self, data: Any, /) -> int:
            nonlocal seen
            seen += 1
            if seen >= writes:
                super().write(bytes(data)[:10])
                raise OSError(code, os.strerror(code))
            return super().write(data)

    class Raw(lacplan.output_files._Raw, Failing):
        pass

    monkeypatch.setattr(lacplan.output_files, "_Raw", Raw)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table", "xlsx", "parquet"])
def test_a_full_disk_is_exit_2_with_one_line_and_the_old_file_kept(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    old: Path,
    big_cohort: Path,
    fmt: str,
) -> None:
    if fmt in ("xlsx", "parquet"):
        pytest.importorskip({"xlsx": "openpyxl", "parquet": "pyarrow"}[fmt])
    _failing_after(monkeypatch, 2, errno.ENOSPC)
    err = _exit_2(capsys, "evaluate", str(big_cohort), "--as-of", "2024-06-03", "--format", fmt,
                  "--jobs", "1", "-o", str(old))  # fmt: skip
    line = _one_error_line(err)
    assert line == f"lacplan: error: cannot write {old}: No space left on device"
    assert old.read_bytes() == OLD and _temporaries(old.parent) == []


@linux
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table", "xlsx"])
def test_dev_full_is_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    if fmt == "xlsx":
        pytest.importorskip("openpyxl")
    err = _exit_2(capsys, "evaluate", EXAMPLE, "--as-of", AS_OF, "--format", fmt, "-o", "/dev/full")
    assert _one_error_line(err) == "lacplan: error: cannot write /dev/full: No space left on device"


@pytest.mark.parametrize(
    "argv",
    [
        ["synth", "3"],
        ["demo", "--format", "csv"],
        ["summary", EXAMPLE, "--as-of", AS_OF, "--format", "csv"],
        ["upcoming", EXAMPLE, "--as-of", AS_OF],
        ["explain", EXAMPLE, "--as-of", AS_OF],
    ],
)
def test_every_subcommand_with_o_writes_through_the_same_door(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    out = tmp_path / "out"
    out.write_bytes(OLD)
    assert main([*argv, "-o", str(out)]) == 0
    assert out.read_bytes() != OLD and _temporaries(tmp_path) == []
    if sys.platform.startswith("linux"):
        err = _exit_2(capsys, *argv, "-o", "/dev/full")
        assert _one_error_line(err).endswith("cannot write /dev/full: No space left on device")


def test_an_unwritable_place_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    for where, reason in [
        (tmp_path / "no" / "such" / "out.json", "No such file or directory"),
        (afile / "out.json", "Not a directory"),
        (tmp_path, "Is a directory"),
    ]:
        err = _exit_2(capsys, "evaluate", EXAMPLE, "--as-of", AS_OF, "-o", str(where))
        assert _one_error_line(err) == f"lacplan: error: cannot write {where}: {reason}"
    assert _temporaries(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anyway")
def test_a_read_only_directory_is_exit_2_and_the_file_kept(
    capsys: pytest.CaptureFixture[str], old: Path
) -> None:
    old.parent.chmod(0o500)
    try:
        err = _exit_2(capsys, "evaluate", EXAMPLE, "--as-of", AS_OF, "-o", str(old))
    finally:
        old.parent.chmod(0o700)
    assert _one_error_line(err) == f"lacplan: error: cannot write {old}: Permission denied"
    assert old.read_bytes() == OLD


class _Full:
    """A text stream standing for a full device: every write fails."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_standard_output_failing_is_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(sys, "stdout", _Full())
    err = _exit_2(capsys, "evaluate", EXAMPLE, "--as-of", AS_OF, "--format", fmt)
    assert _one_error_line(err) == (
        "lacplan: error: cannot write standard output: No space left on device"
    )


def _lacplan(*argv: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "lacplan", *argv], text=True, env=env, check=False, **kwargs
    )


@linux
def test_standard_output_on_dev_full_in_a_real_process(tmp_path: Path) -> None:
    """Nothing more at exit (no "Exception ignored" when Python flushes standard output)."""
    for argv in (["demo", "--format", "table"], ["schema"], ["rules"], ["--help"], ["--version"]):
        with open("/dev/full", "w") as full:
            done = _lacplan(*argv, stdout=full, stderr=subprocess.PIPE)
        assert done.returncode == 2, (argv, done.stderr)
        assert done.stderr == (
            "lacplan: error: cannot write standard output: No space left on device\n"
        )


@pytest.mark.skipif(os.name != "posix", reason="POSIX file descriptors")
def test_standard_output_closed_from_the_start_is_exit_2_with_one_line(tmp_path: Path) -> None:
    """``lacplan ... >&-``: Python then has no ``sys.stdout``; ``-o`` still works."""
    closed = {"preexec_fn": lambda: os.close(1), "stderr": subprocess.PIPE}
    done = _lacplan("demo", "--format", "csv", **closed)
    assert (done.returncode, done.stderr) == (
        2,
        "lacplan: error: cannot write standard output: Bad file descriptor\n",
    )
    out = tmp_path / "out.csv"
    assert _lacplan("demo", "--format", "csv", "-o", str(out), **closed).returncode == 0
    assert out.stat().st_size > 0


def test_a_closed_pipe_on_standard_output_is_exit_2_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lacplan", "demo", "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone (`| head` after its lines)
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 2
    assert err == "lacplan: error: cannot write standard output: Broken pipe\n"


# ---------------------------------------------------------------------------- not regular files
@linux
def test_dev_stdout_is_written_directly() -> None:
    done = _lacplan("evaluate", EXAMPLE, "--as-of", AS_OF, "--format", "jsonl", "-o",
                    "/dev/stdout", capture_output=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["child_id"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_is_written_directly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        assert main(["evaluate", EXAMPLE, "--as-of", AS_OF, "-o", str(fifo)]) == 0
    finally:
        reader.join(timeout=30)
    assert json.loads(got[0])["as_of"] == AS_OF
    assert stat.S_ISFIFO(fifo.stat().st_mode) and _temporaries(tmp_path) == []


# ---------------------------------------------------------------------------- -o naming an input
@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.json"
    path.write_bytes(Path(EXAMPLE).read_bytes())
    return path


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], *inputs: Path) -> str:
    before = [p.read_bytes() for p in inputs]
    line = _one_error_line(_exit_2(capsys, *argv))
    assert [p.read_bytes() for p in inputs] == before
    assert "nothing was written" in line
    return line


def _names(tmp_path: Path, cases: Path) -> Iterator[tuple[str, str]]:
    """(input as given, output naming the same file another way)."""
    yield str(cases), str(cases)
    yield str(cases), cases.name
    (tmp_path / "sub").mkdir()
    yield str(cases), str(tmp_path / "." / "sub" / ".." / cases.name)
    yield f"./{cases.name}", f"sub/../{cases.name}"
    hard = tmp_path / "sub" / "hard.json"
    os.link(cases, hard)
    yield str(cases), str(hard)
    soft = tmp_path / "soft.json"
    soft.symlink_to(cases)
    yield str(cases), str(soft)
    yield str(soft), str(cases)


@pytest.mark.parametrize("command", ["evaluate", "summary", "upcoming", "explain"])
def test_o_naming_an_input_however_named_is_refused(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    cases: Path,
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for given, output in _names(tmp_path, cases):
        line = _refused(capsys, [command, given, "--as-of", AS_OF, "-o", output], cases)
        assert line.startswith(f"lacplan: error: the output {output} is the input")
    assert _temporaries(tmp_path) == []


def test_o_inside_an_input_directory_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    returns = tmp_path / "returns"
    (returns / "2024").mkdir(parents=True)
    header = returns / "2024" / "header.csv"
    header.write_text("CHILD,SEX,DOB\n", encoding="utf-8")
    argv = ["evaluate", str(returns), "--input-format", "ssda903", "--as-of", "2024-03-31"]
    for output in (returns / "out.csv", returns / "2024" / "new" / "deep.csv", header):
        line = _refused(capsys, [*argv, "--format", "csv", "-o", str(output)], header)
        assert "is inside the input directory" in line or "is the input" in line
    assert sorted(p.name for p in returns.rglob("*")) == ["2024", "header.csv"]
    via_link = tmp_path / "link"
    via_link.symlink_to(returns)
    line = _refused(capsys, [*argv, "--format", "csv", "-o", str(via_link / "x.csv")], header)
    assert f"inside the input directory {returns}" in line


def test_a_path_through_a_missing_directory_is_no_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cases: Path
) -> None:
    """``missing/../cases.json`` cannot be opened: it is not taken for ``cases.json``."""
    output = str(tmp_path / "missing" / ".." / cases.name)
    before = cases.read_bytes()
    err = _exit_2(capsys, "evaluate", EXAMPLE, "--as-of", AS_OF, "-o", output)
    assert (
        _one_error_line(err) == f"lacplan: error: cannot write {output}: No such file or directory"
    )
    assert cases.read_bytes() == before


def test_an_overlay_or_a_chart_naming_an_input_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cases: Path
) -> None:
    overlay = tmp_path / "local.toml"
    overlay.write_text("# nothing\n", encoding="utf-8")
    argv = ["evaluate", str(cases), "--as-of", AS_OF, "--overlay", str(overlay)]
    _refused(capsys, [*argv, "-o", str(overlay)], overlay)
    _refused(capsys, ["summary", str(cases), "--as-of", AS_OF, "--chart", str(cases)], cases)


def test_standard_input_redirected_from_the_output_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cases: Path
) -> None:
    with open(cases, encoding="utf-8") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        line = _refused(capsys, ["evaluate", "-", "--as-of", AS_OF, "-o", str(cases)], cases)
    assert "is the input standard input" in line


def test_other_outputs_are_not_refused(tmp_path: Path, cases: Path) -> None:
    refuse_inputs([None, "-", str(tmp_path / "other.json")], [str(cases), "-", "missing"])
    refuse_inputs([str(cases)], [])
    refuse_inputs(["/dev/null"], ["/dev/null"])  # a device: nothing is emptied


# ---------------------------------------------------------------------------- the functions
def test_output_file_removes_its_temporary_file_on_any_exception(tmp_path: Path) -> None:
    out = tmp_path / "out.bin"
    out.write_bytes(OLD)
    with pytest.raises(RuntimeError), output_file(str(out), binary=True) as fh:
        fh.write(b"x" * 200_000)
        assert len(_temporaries(tmp_path)) == 1
        raise RuntimeError
    assert out.read_bytes() == OLD and _temporaries(tmp_path) == []
    with output_file(str(out)) as text:
        text.write("caf\u00e9 \ud800\n")  # a lone surrogate is written escaped
    assert out.read_bytes() == "caf\u00e9 \\ud800\n".encode()


def test_a_rename_that_fails_removes_the_temporary_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*args: Any) -> None:
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(lacplan.output_files.os, "replace", refuse)
    out = tmp_path / "out.txt"
    with (
        pytest.raises(OutputError, match=r"cannot write .*out\.txt: "),
        output_file(str(out)) as fh,
    ):
        fh.write("new")
    assert not out.exists() and _temporaries(tmp_path) == []


def test_output_stream_is_standard_output_for_none_and_dash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for path in (None, "-"):
        with output_stream(path) as out:
            out.write("x\ud800\n")
    assert capsys.readouterr().out == "x\\ud800\n" * 2


@pytest.fixture(scope="module")
def big_cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough children that every format writes more than one buffer."""
    from lacplan.synth import write_cohort

    path = tmp_path_factory.mktemp("cohort") / "cohort.jsonl"
    write_cohort(str(path), 60, seed=5)
    return path
