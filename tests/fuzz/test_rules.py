"""Rule files fuzzed: the council example, the fostering agency overlay and two minimal packs,
mutated as documents, as text and as bytes, and hostile lines inserted anywhere.

Every file goes through the ``rules`` target (``fuzz/targets/rules.py``): it is refused with a
``RuleFileError`` naming the file, or accepted as a pack that writes back to the same content
hash and evaluates two children without an undocumented exception.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fuzz.rulemut import HOSTILE_LINES
from fuzz.targets import Target
from fuzz.targets.rules import RuleFile
from tests.fuzz import examples


@cache
def _seeds(target: Target[Any]) -> tuple[RuleFile, ...]:
    return tuple(target.seeds())


@examples(700)
@given(rnd=st.randoms(use_true_random=False), k=st.integers(0, 3), rounds=st.integers(1, 3))
def test_mutated_rule_files(rules: Target[Any], rnd: Any, k: int, rounds: int) -> None:
    seeds = _seeds(rules)
    item = seeds[k]
    for _ in range(rounds):
        item = rules.mutate(item, rnd, seeds)
    rules.check(item)


@examples(300)
@given(line=st.sampled_from(HOSTILE_LINES), k=st.integers(0, 3), at=st.integers(0, 10_000))
def test_hostile_lines_anywhere(rules: Target[Any], line: str, k: int, at: int) -> None:
    lines = _seeds(rules)[k].data.decode().split("\n")
    lines.insert(at % (len(lines) + 1), line)
    rules.check(RuleFile("\n".join(lines).encode()))


@examples(300)
@given(data=st.binary(max_size=1_000))
def test_arbitrary_bytes(rules: Target[Any], data: bytes) -> None:
    rules.check(RuleFile(data))
