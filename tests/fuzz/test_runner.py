"""The long fuzz runner (``fuzz/run.py``): it counts outcomes, saves the smallest input of each
kind of crash into the corpus folder (where the tests replay it), saves novel inputs when
asked, and is reproducible from its seed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fuzz.run import Run, main
from fuzz.targets.base import Outcome
from fuzz.targets.loaders import JsonFile, LoadersTarget


class _Boom(LoadersTarget):
    """The loaders target, crashing on inputs that hold ``BOOM``."""

    def check(self, item: JsonFile) -> Outcome:
        if b"BOOM" in item.data:
            raise RuntimeError("boom")
        return super().check(item)


def test_a_short_run_prints_its_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--target", "loaders", "--inputs", "300", "--corpus", str(tmp_path), "--every", "100"]
    assert main([*argv, "--save-novel", "4"]) == 0
    out = capsys.readouterr().out
    assert "target loaders: 300 inputs in" in out
    assert "no crash, no broken property" in out
    assert "saved 4 novel inputs" in out
    assert len(list(tmp_path.glob("novel-*"))) == 4
    target = LoadersTarget()
    for path in target.entries(tmp_path):
        target.check(target.load(path))


def test_runs_are_reproducible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outs = []
    for k in range(2):
        argv = ["--target", "rules", "--inputs", "60", "--corpus", str(tmp_path / str(k))]
        assert main(argv) == 0
        outs.append(
            [line for line in capsys.readouterr().out.splitlines()[2:] if " s (" not in line]
        )
    assert outs[0] == outs[1]


def test_the_engine_target_runs_from_hypothesis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--target", "engine", "--inputs", "12", "--corpus", str(tmp_path)]) == 0
    assert "target engine: 12 inputs" in capsys.readouterr().out


def test_a_crash_is_counted_and_its_smallest_input_saved(tmp_path: Path) -> None:
    messages: list[str] = []
    run = Run(_Boom(), tmp_path, out=messages.append)
    run.one(JsonFile(b'{"child_id": "BOOM", "x": 1}', "a.jsonl"))
    run.one(JsonFile(b"BOOM", "b.jsonl"))
    run.one(JsonFile(b'{"child_id": "BOOM", "y": 22222}', "c.jsonl"))
    run.one(JsonFile(b"", "d.jsonl"))
    assert run.counts == {"crash": 3, "empty": 1}
    saved = list(tmp_path.iterdir())
    assert len(saved) == 1 and saved[0].read_bytes() == b"BOOM"
    assert saved[0].name.startswith("crash-RuntimeError-")
    assert len(messages) == 1 and "boom" in messages[0]
    summary = run.summary(1.0)
    assert re.search(r"crash +3\n", summary) and "FAILURE RuntimeError" in summary
    run.target.close()


def test_the_exit_status_says_whether_anything_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fuzz.run

    monkeypatch.setattr(fuzz.run, "get_target", lambda name: _Boom())
    (tmp_path / "seed-BOOM.jsonl").write_bytes(b"BOOM")
    assert main(["--target", "loaders", "--inputs", "20", "--corpus", str(tmp_path)]) == 1
