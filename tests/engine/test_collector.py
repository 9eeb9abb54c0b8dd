"""The collector's threshold during batches (``lacplan.collector``): raised while any batch
runs, put back by the last to end, whatever the order; ``evaluate`` runs under it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from lacplan import Case, evaluate, load_cases
from lacplan.collector import BATCH_GC_THRESHOLD, raised_threshold
from lacplan.model import RecordError
from lacplan.report import ChildResult

DEMO = Path(__file__).parents[2] / "src" / "lacplan" / "data" / "demo_cases.jsonl"


@pytest.fixture(autouse=True)
def _known_thresholds() -> Iterator[tuple[int, ...]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_the_threshold_is_raised_inside_and_put_back_after() -> None:
    with raised_threshold(12_345):
        assert gc.get_threshold() == (12_345, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)
    with pytest.raises(ZeroDivisionError), raised_threshold(12_345):
        1 / 0  # noqa: B018
    assert gc.get_threshold() == (700, 10, 10)
    with raised_threshold(None):
        assert gc.get_threshold() == (700, 10, 10)


def test_nested_batches_put_it_back_once_the_last_ends() -> None:
    with raised_threshold(12_345):
        with raised_threshold(9_999):  # the first batch's threshold holds
            assert gc.get_threshold() == (12_345, 10, 10)
        assert gc.get_threshold() == (12_345, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("a_ends_first", [True, False])
def test_batches_in_threads_put_it_back_however_they_interleave(a_ends_first: bool) -> None:
    """A starts, then B; either ends first: while one runs the threshold stays raised, and
    once both have ended it is what it was (a plain save-and-restore would leave B's view of
    A's raised threshold behind when A ends first)."""
    a_in, b_in, a_go, b_go = (threading.Event() for _ in range(4))
    seen: dict[str, tuple[int, ...]] = {}

    def batch(name: str, entered: threading.Event, go: threading.Event) -> None:
        with raised_threshold(12_345):
            entered.set()
            assert go.wait(10)
        seen[name] = gc.get_threshold()  # just after this batch ended

    a = threading.Thread(target=batch, args=("a", a_in, a_go))
    b = threading.Thread(target=batch, args=("b", b_in, b_go))
    a.start()
    assert a_in.wait(10)
    b.start()
    assert b_in.wait(10)
    first, second = (a_go, b_go) if a_ends_first else (b_go, a_go)
    first.set()
    (a if a_ends_first else b).join(10)
    assert gc.get_threshold() == (12_345, 10, 10)  # the other still runs
    second.set()
    a.join(10)
    b.join(10)
    assert gc.get_threshold() == (700, 10, 10)
    assert seen[("a" if a_ends_first else "b")] == (12_345, 10, 10)


def test_evaluate_runs_under_the_raised_threshold_and_puts_it_back() -> None:
    seen: list[tuple[int, ...]] = []

    def cases() -> Iterator[Case | RecordError]:
        for item in load_cases(DEMO):
            seen.append(gc.get_threshold())
            yield item

    report = evaluate(cases(), as_of=date(2024, 6, 3))
    assert report.children and seen
    assert set(seen) == {(BATCH_GC_THRESHOLD, 10, 10)}
    assert gc.get_threshold() == (700, 10, 10)


def test_a_frame_is_built_under_the_raised_threshold() -> None:
    pytest.importorskip("pandas")
    from lacplan import iter_evaluate
    from lacplan.frames import children_frame

    seen: list[tuple[int, ...]] = []
    results = iter_evaluate(load_cases(DEMO), as_of=date(2024, 6, 3))

    def children() -> Iterator[ChildResult]:
        for child in results:
            seen.append(gc.get_threshold())
            yield child

    df = children_frame(children(), as_of=date(2024, 6, 3), rules_version="x")
    assert len(df) and set(seen) == {(BATCH_GC_THRESHOLD, 10, 10)}
    assert gc.get_threshold() == (700, 10, 10)


def test_the_batch_threshold_is_read_when_a_batch_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    from lacplan import collector

    monkeypatch.setattr(collector, "BATCH_GC_THRESHOLD", 23_456)
    with raised_threshold():
        assert gc.get_threshold() == (23_456, 10, 10)
    monkeypatch.setattr(collector, "BATCH_GC_THRESHOLD", None)
    with raised_threshold():
        assert gc.get_threshold() == (700, 10, 10)
