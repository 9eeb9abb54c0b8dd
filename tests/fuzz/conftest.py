"""One instance of each fuzz target per test module (their seeds are built once)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fuzz.targets import Target, get_target


def _target(name: str) -> Iterator[Target[Any]]:
    target = get_target(name)
    try:
        yield target
    finally:
        target.close()


@pytest.fixture(scope="module")
def loaders() -> Iterator[Target[Any]]:
    yield from _target("loaders")


@pytest.fixture(scope="module")
def ssda903() -> Iterator[Target[Any]]:
    yield from _target("ssda903")


@pytest.fixture(scope="module")
def rules() -> Iterator[Target[Any]]:
    yield from _target("rules")


@pytest.fixture(scope="module")
def engine() -> Iterator[Target[Any]]:
    yield from _target("engine")
