"""``available_cpus`` (affinity and the cgroup CPU quota, whichever is smaller) and
``default_jobs``, with fake cgroup files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lacplan import cpus
from lacplan.parallel import SMALL_INPUT_BYTES, available_cpus, cgroup_cpu_limit, default_jobs


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="ascii")


@pytest.fixture
def eight(monkeypatch: pytest.MonkeyPatch) -> None:
    """An affinity of eight CPUs."""
    monkeypatch.setattr(cpus, "_affinity", lambda: 8)


def _cpus(root: Path, self_cgroup: str = "") -> int:
    listing = root / "self_cgroup"
    listing.write_text(self_cgroup, encoding="ascii")
    return available_cpus(str(root / "sys"), self_cgroup=str(listing))


@pytest.mark.usefixtures("eight")
@pytest.mark.parametrize(
    ("cpu_max", "want"),
    [
        ("max 100000", 8),
        ("200000 100000", 2),
        ("150000 100000", 2),  # 1.5 CPUs: rounded up
        ("50000 100000", 1),  # half a CPU: at least 1
        ("1600000 100000", 8),  # more quota than affinity
        ("garbage", 8),
        ("", 8),
    ],
)
def test_cgroup_v2_quota(tmp_path: Path, cpu_max: str, want: int) -> None:
    _write(tmp_path / "sys" / "cpu.max", cpu_max)
    assert _cpus(tmp_path, "0::/\n") == want


@pytest.mark.usefixtures("eight")
def test_cgroup_v2_nested_cgroup_and_its_parents(tmp_path: Path) -> None:
    _write(tmp_path / "sys" / "cpu.max", "max 100000")
    _write(tmp_path / "sys" / "work.slice" / "cpu.max", "300000 100000")
    _write(tmp_path / "sys" / "work.slice" / "app" / "cpu.max", "max 100000")
    assert _cpus(tmp_path, "0::/work.slice/app\n") == 3
    _write(tmp_path / "sys" / "work.slice" / "app" / "cpu.max", "100000 100000")
    assert _cpus(tmp_path, "0::/work.slice/app\n") == 1


@pytest.mark.usefixtures("eight")
@pytest.mark.parametrize("mount", ["cpu", "cpu,cpuacct", ""])
def test_cgroup_v1_quota(tmp_path: Path, mount: str) -> None:
    base = tmp_path / "sys" / mount if mount else tmp_path / "sys"
    _write(base / "cpu.cfs_quota_us", "-1")
    _write(base / "cpu.cfs_period_us", "100000")
    assert _cpus(tmp_path, "4:cpu,cpuacct:/\n") == 8
    _write(base / "cpu.cfs_quota_us", "250000")
    assert _cpus(tmp_path, "4:cpu,cpuacct:/\n") == 3


@pytest.mark.usefixtures("eight")
def test_cgroup_v1_nested_cgroup(tmp_path: Path) -> None:
    base = tmp_path / "sys" / "cpu,cpuacct"
    _write(base / "cpu.cfs_quota_us", "-1")
    _write(base / "cpu.cfs_period_us", "100000")
    _write(base / "docker" / "abc" / "cpu.cfs_quota_us", "200000")
    _write(base / "docker" / "abc" / "cpu.cfs_period_us", "100000")
    assert _cpus(tmp_path, "9:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n") == 2


def test_affinity_smaller_than_quota(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpus, "_affinity", lambda: 2)
    _write(tmp_path / "sys" / "cpu.max", "400000 100000")
    assert _cpus(tmp_path, "0::/\n") == 2


def test_no_cgroup_files(tmp_path: Path) -> None:
    assert cgroup_cpu_limit(str(tmp_path / "none"), str(tmp_path / "none")) is None


def test_this_machine() -> None:
    cpus = available_cpus()
    assert 1 <= cpus <= (os.cpu_count() or 1)


@pytest.fixture
def seven(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpus, "available_cpus", lambda: 7)


@pytest.mark.usefixtures("seven")
def test_default_jobs(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text("{}\n", encoding="utf-8")
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as fh:
        fh.truncate(SMALL_INPUT_BYTES)  # sparse: nothing is written
    assert default_jobs([str(small)], stdin=False) == 1
    assert default_jobs([str(big)], stdin=False) == 7
    assert default_jobs([str(big)], stdin=True) == 1
    assert default_jobs([str(big), "-"], stdin=False) == 1
    assert default_jobs([str(tmp_path)], stdin=False) == 7  # a directory: its files
    assert default_jobs([str(tmp_path / "missing")], stdin=False) == 1


@pytest.mark.usefixtures("seven")
def test_default_jobs_adds_up_small_files(tmp_path: Path) -> None:
    paths = []
    for i in range(4):
        path = tmp_path / f"part{i}.jsonl"
        with open(path, "wb") as fh:
            fh.truncate(SMALL_INPUT_BYTES // 4)
        paths.append(str(path))
    assert default_jobs(paths[:3], stdin=False) == 1
    assert default_jobs(paths, stdin=False) == 7
