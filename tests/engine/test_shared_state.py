"""An evaluation writes nothing that outlives it into state other evaluations share (the design
value "no global mutable state"): the index every event-less scope shares stays empty."""

from __future__ import annotations

from datetime import date

from lacplan import evaluate, parse_case
from lacplan.rules.state import EMPTY_INDEX
from lacplan.synth import synth_cases


def test_the_shared_empty_index_keeps_no_memo() -> None:
    as_of = date(2024, 6, 3)
    batch = [parse_case(d) for d in synth_cases(200, seed=3, as_of=as_of)]
    report = evaluate(batch, as_of=as_of, rules="england+ifa")
    assert report.obligations  # the placements without events asked it for events
    assert EMPTY_INDEX.by_type == {}
    assert EMPTY_INDEX._memo == {}
