"""``lacplan evaluate --jobs N``: the same bytes (and exit status, and messages) for every ``N``
in every format, rejected records in their places; how the default is chosen; ``--jobs 0`` a
usage error; Ctrl-C stops the run and its workers."""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import lacplan.cpus
import lacplan.parallel
from lacplan.adapters import read_inputs
from lacplan.cli import main
from lacplan.evaluate import evaluate
from lacplan.outputs import write_json
from lacplan.synth import write_cohort

AS_OF = "2024-06-03"
ROOT = Path(__file__).resolve().parents[2]
SSDA903 = "docs/examples/ssda903"

#: Broken records put among the cohort's lines: (after line, bytes).
BROKEN = [
    (3, b'{"child_id": "X1", \n'),  # not valid JSON
    (40, b"\n"),  # blank: skipped, still counted in line numbers
    (90, b'{"child_id": "X2", "date_of_birth": "2012-02-30", "periods": []}\n'),
    (150, b'{"child_id": "X3", "child_id": "X4"}\n'),  # a duplicate key
    (200, b'\xff\xfe{"child_id": "X5"}\n'),  # not UTF-8
    (299, b"[1, 2]\n"),  # not an object
]


def _synth(path: Path, n: int, seed: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_cohort(out, n, seed=seed, as_of=date.fromisoformat(AS_OF))
    return path


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``lacplan synth 300 --seed 3``."""
    return _synth(tmp_path_factory.mktemp("clean") / "cohort.jsonl", 300, 3)


@pytest.fixture(scope="module")
def broken(clean: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same cohort with rejected records among its lines (and a byte order mark)."""
    lines = clean.read_bytes().splitlines(keepends=True)
    for after, text in sorted(BROKEN, reverse=True):
        lines.insert(after, text)
    path = tmp_path_factory.mktemp("broken") / "cohort.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(lines))
    return path


def _output(tmp: Path, jobs: int | None, extra: tuple[str, ...]) -> Path:
    fmt = extra[extra.index("--format") + 1] if "--format" in extra else "json"
    return tmp / f"out-{jobs}.{fmt}"


def _run(
    capsys: pytest.CaptureFixture[str], tmp: Path, src: str, jobs: int | None, *extra: str
) -> tuple[int, bytes, str]:
    """Exit status, the output file's bytes and standard error of one ``evaluate`` run."""
    out = _output(tmp, jobs, extra)
    argv = ["evaluate", src, "--as-of", AS_OF, *extra, "-o", str(out)]
    code = main(argv if jobs is None else [*argv, "--jobs", str(jobs)])
    err = capsys.readouterr().err
    return code, out.read_bytes(), err


@pytest.mark.parametrize(
    "extra",
    [
        ("--format", "jsonl"),
        ("--format", "json"),
        ("--format", "csv"),
        ("--format", "jsonl", "--columns", "compact"),
        ("--format", "json", "--columns", "compact"),
        ("--format", "csv", "--columns", "key,status,label_team"),
        ("--format", "table", "--explain"),
    ],
)
def test_two_jobs_write_the_same_bytes_as_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, broken: Path, extra: tuple[str, ...]
) -> None:
    one = _run(capsys, tmp_path, str(broken), 1, *extra)
    two = _run(capsys, tmp_path, str(broken), 2, *extra)
    assert one[0] == two[0] == 1  # records were rejected
    assert one[1] == two[1]  # the output, byte for byte
    assert one[2] == two[2]  # the rejections on standard error, in the same order
    told = one[2] or one[1].decode("utf-8")  # the table lists them itself
    assert "cohort.jsonl:4: invalid_json" in told and "(child X2)" in told
    assert multiprocessing.active_children() == []


def test_rejections_land_in_their_places(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, broken: Path
) -> None:
    code, out, _ = _run(capsys, tmp_path, str(broken), 2, "--format", "jsonl")
    lines = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert code == 1 and len(lines) == 300 + len(BROKEN) - 1  # the blank line is no record
    errors = [(i, x["error"]["line"]) for i, x in enumerate(lines) if "error" in x]
    assert errors == [(3, 4), (91, 93), (152, 154), (203, 205), (303, 305)]
    children = [x["child_id"] for x in lines if "error" not in x]
    assert children == [f"SYN-{i:06d}" for i in range(1, 301)]


def test_the_json_document_is_the_report_s(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, broken: Path
) -> None:
    """With workers, the streamed document is still ``write_json`` of the whole report."""
    _, got, _ = _run(capsys, tmp_path, str(broken), 2, "--format", "json")
    buf = io.StringIO()
    write_json(evaluate(read_inputs([str(broken)]), as_of=date.fromisoformat(AS_OF)), buf)
    assert got.decode("utf-8") == buf.getvalue()


def test_a_clean_cohort_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, clean: Path
) -> None:
    one = _run(capsys, tmp_path, str(clean), 1, "--format", "jsonl")
    two = _run(capsys, tmp_path, str(clean), 2, "--format", "jsonl")
    assert one == two and one[0] == 0 and one[2] == ""


def test_every_record_rejected(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_bytes(b"".join(text for _, text in BROKEN))
    for fmt in ("csv", "jsonl", "json"):
        one = _run(capsys, tmp_path, str(src), 1, "--format", fmt)
        two = _run(capsys, tmp_path, str(src), 2, "--format", fmt)
        assert one == two and one[0] == 1
    assert _run(capsys, tmp_path, str(src), 2, "--format", "csv")[1].count(b"\n") == 1  # header


def test_ssda903_return_with_two_jobs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Cases built in this process (a return is read whole) and sent to the workers; the
    accounting and file findings still close the output."""
    extra = ("--input-format", "ssda903", "--format", "jsonl")
    one = _run(capsys, tmp_path, SSDA903, 1, *extra)
    two = _run(capsys, tmp_path, SSDA903, 2, *extra)
    assert one == two
    assert b'{"accounting":' in one[1].splitlines()[-1]


def _cells(path: Path, fmt: str) -> Any:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return {s.title: [[c.value for c in row] for row in s.iter_rows()] for s in book.worksheets}


@pytest.mark.parametrize(("fmt", "module"), [("parquet", "pyarrow"), ("xlsx", "openpyxl")])
def test_file_formats_hold_the_same_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, broken: Path, fmt: str, module: str
) -> None:
    """With an overlay, so that the pack pickles (the writer's threads may make the workers
    start from a fork server); the first 60 lines (xlsx is slow to write)."""
    pytest.importorskip(module)
    src = tmp_path / "part.jsonl"
    src.write_bytes(b"".join(broken.read_bytes().splitlines(keepends=True)[:60]))
    extra = ("--format", fmt, "--rules", "england+ifa")
    one, two = (_run(capsys, tmp_path, str(src), jobs, *extra) for jobs in (1, 2))
    assert one[0] == two[0] == 1 and one[2] == two[2]
    paths = [_output(tmp_path, jobs, extra) for jobs in (1, 2)]
    assert _cells(paths[0], fmt) == _cells(paths[1], fmt)
    if fmt == "parquet":
        assert one[1] == two[1]  # the file itself


def test_progress_counts_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, broken: Path
) -> None:
    """With workers, their results are counted (the count is shown from 500 records)."""
    twice = tmp_path / "twice.jsonl"
    twice.write_bytes(broken.read_bytes() + broken.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    errs = [
        _run(capsys, tmp_path, str(twice), j, "--format", "jsonl", "--progress")[2] for j in (1, 2)
    ]
    assert errs[0] == errs[1]
    assert "\r500 records read, " in errs[0] and "\r610 records read, 10 rejected\n" in errs[0]


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_jobs_must_be_at_least_1(
    capsys: pytest.CaptureFixture[str], clean: Path, value: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", str(clean), "--as-of", AS_OF, f"--jobs={value}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --jobs: expected a whole number of processes, 1 or more, got {value!r}" in err
    assert "Traceback" not in err


@pytest.fixture
def jobs_used(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ``jobs`` of each run that went through workers' evaluation (none: one job); every
    input counts as big and this process may use two CPUs."""
    used: list[int] = []
    real: Callable[..., Any] = lacplan.parallel.evaluate_serialised

    def spy(*args: Any, **kwargs: Any) -> Any:
        used.append(kwargs["jobs"])
        return real(*args, **kwargs)

    monkeypatch.setattr(lacplan.parallel, "evaluate_serialised", spy)
    monkeypatch.setattr(lacplan.cpus, "SMALL_INPUT_BYTES", 1)
    monkeypatch.setattr(lacplan.cpus, "available_cpus", lambda: 2)
    return used


def test_the_default_is_the_cpus_for_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, clean: Path, jobs_used: list[int]
) -> None:
    _run(capsys, tmp_path, str(clean), None, "--format", "jsonl")
    assert jobs_used == [2]
    _run(capsys, tmp_path, str(clean), 1, "--format", "jsonl")  # --jobs 1: in this process
    assert jobs_used == [2]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])  # csv: standard input is copied aside first
def test_standard_input_takes_one_job_by_default(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    broken: Path,
    jobs_used: list[int],
    fmt: str,
) -> None:
    text = broken.read_bytes().decode("utf-8", errors="replace")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    default = _run(capsys, tmp_path, "-", None, "--format", fmt)
    assert jobs_used == []
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    two = _run(capsys, tmp_path, "-", 2, "--format", fmt)  # asked for: honoured
    assert jobs_used == [2] and default == two and "<stdin>:4" in two[2]


def test_small_inputs_take_one_job(tmp_path: Path, clean: Path) -> None:
    assert clean.stat().st_size < lacplan.cpus.SMALL_INPUT_BYTES
    assert lacplan.cpus.default_jobs([str(clean)], stdin=False) == 1


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _temporaries(out: Path) -> list[Path]:
    """The temporary files ``-o out`` is written to before it is renamed into place."""
    return list(out.parent.glob(f".{out.name}.*.tmp"))


def _written(out: Path) -> bool:
    """Whether output has reached ``out``'s temporary file."""
    with contextlib.suppress(FileNotFoundError):
        return any(p.stat().st_size for p in _temporaries(out))
    return False


@needs_proc
def test_ctrl_c_exits_130_and_stops_the_workers(tmp_path: Path) -> None:
    """SIGINT to the process group (what Ctrl-C does): one line on standard error, exit 130,
    no traceback, no worker left."""
    src = _synth(tmp_path / "big.jsonl", 3_000, 1)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    # The cohort three times over: on a loaded machine the run must still be going when the
    # signal comes (one pass takes about 2 s, its first output at 0.4 s; with one pass the test
    # once failed on a loaded machine).
    inputs = [str(src)] * 3
    argv = ["evaluate", *inputs, "--as-of", AS_OF, "--format", "jsonl", "--jobs", "2"]
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lacplan", *argv, "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, as a shell gives a job
    )
    try:
        deadline = time.monotonic() + 30
        while len(workers := _children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(workers) == 2, "the workers did not start"
        while not _written(out):  # results came back: set up
            assert time.monotonic() < deadline, "no output"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert err == "lacplan: interrupted\n"
    assert not out.exists() and not _temporaries(out)  # written whole or not at all
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{p}") for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(os.path.exists(f"/proc/{p}") for p in workers)
