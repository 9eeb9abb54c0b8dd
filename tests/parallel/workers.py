"""Top-level functions for the worker processes of the tests (importable by name, so that the
``forkserver`` and ``spawn`` start methods can pickle them)."""

from __future__ import annotations

import os
import random
import signal
import time

#: Set in each worker by :func:`remember`.
STATE: dict[str, object] = {}


def square(x: int) -> int:
    return x * x


def jittery_square(x: int) -> int:
    """``x * x`` after a random pause, so that chunks finish out of order."""
    time.sleep(random.random() * 0.004)
    return x * x


def pid_of(_: object) -> int:
    return os.getpid()


def slow_pid(_: object) -> int:
    time.sleep(0.01)
    return os.getpid()


def fail_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("item 7 is bad")
    return x


def die_on_seven(x: int) -> int:
    if x == 7:
        os._exit(3)
    return x


def remember(value: str) -> None:
    STATE["value"] = value


def remembered(_: object) -> object:
    return STATE.get("value")


def pairs(chunk: list[int]) -> list[tuple[int, int]]:
    """Batched: each item with the size of its chunk."""
    return [(x, len(chunk)) for x in chunk]


def short(chunk: list[int]) -> list[int]:
    """Batched, wrongly: one result too few."""
    return chunk[1:]


def interrupt_on_five(parent: int, x: int) -> int:
    """Ctrl-C for ``parent`` alone, from item 5 (the workers ignore SIGINT)."""
    if x == 5:
        os.kill(parent, signal.SIGINT)
    return x
