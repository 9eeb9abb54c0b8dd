"""The engine fuzzed: generated valid cases (``lacplan.testing.strategies``), some born on the
sentinel date or moved decades beyond the calendar's range, at random as-of dates, under the
England pack and England with the fostering agency overlay. Each input is evaluated twice.

The ``engine`` target (``fuzz/targets/engine.py``) checks that nothing undocumented escapes,
every case is a child or a rejection (never ``internal_error``), children keep input order,
statuses are documented, no message holds the sentinel, and both evaluations are identical.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given

from fuzz.targets.engine import EngineInput, EngineTarget, engine_inputs
from tests.fuzz import examples


@pytest.fixture(scope="module")
def twice() -> Iterator[EngineTarget]:
    target = EngineTarget(repeat=True)
    yield target
    target.close()


@examples(150)
@given(item=engine_inputs())
def test_generated_cases(twice: EngineTarget, item: EngineInput) -> None:
    twice.check(item)


def test_seeds_at_the_calendar_edges(twice: EngineTarget) -> None:
    for seed in twice.seeds():
        for as_of in ("1990-01-01", "2060-12-31", "2024-02-29"):
            twice.check(EngineInput(seed.cases, as_of, seed.rules))
