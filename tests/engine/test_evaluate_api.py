"""The evaluate() entry point: inputs it accepts and refuses."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lacplan import Case, RecordError, UsageError, evaluate, load_cases

CASE = Case.model_validate(
    {
        "child_id": "E1",
        "date_of_birth": "2010-01-01",
        "periods": [
            {"start": "2020-01-06", "placements": [{"placement_id": "A", "start": "2020-01-06"}]}
        ],
    }
)


@pytest.mark.parametrize("bad", ["2024-01-01", None, datetime(2024, 1, 1, 12, 0)])
def test_as_of_must_be_a_date(bad: object) -> None:
    with pytest.raises(UsageError, match=r"as_of must be a datetime\.date"):
        evaluate(CASE, as_of=bad)  # type: ignore[arg-type]


def test_unknown_rule_pack_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown rule pack 'wales'"):
        evaluate(CASE, as_of=date(2024, 1, 1), rules="wales")


def test_one_case_a_list_or_loader_output() -> None:
    one = evaluate(CASE, as_of=date(2020, 3, 1))
    many = evaluate([CASE, CASE], as_of=date(2020, 3, 1))
    assert [c.child_id for c in one.children] == ["E1"]
    assert len(many.children) == 2
    loaded = list(load_cases("docs/examples/case.json"))
    bad = RecordError(file="x.jsonl", line=2, child_id=None, problems=())
    report = evaluate([*loaded, bad], as_of=date(2021, 3, 1))
    assert len(report.children) + len(report.errors) == 2
    assert report.errors == (bad,)
