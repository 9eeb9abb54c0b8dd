"""``Obligation`` keeps the frozen dataclass's contract while its explanation is written lazily
(issue 12): same attributes, ``as_dict()`` keys and order, equality, hashing and pickling."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path

import pytest

from lacplan import evaluate, load_cases
from lacplan.obligation import OBLIGATION_FIELDS, Obligation, lazy_obligation

DEMO = Path(__file__).parents[2] / "src" / "lacplan" / "data" / "demo_cases.jsonl"


def _values(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "key": "C1:P1:-:review-first:2021-01-04",
        "rule": "review-first",
        "title": "First review",
        "source": "statutory",
        "rule_version": "2011-04-01",
        "rule_variant": "standard",
        "child_id": "C1",
        "period_id": "P1",
        "placement_id": None,
        "sequence": 1,
        "anchor": date(2021, 1, 4),
        "due": date(2021, 2, 1),
        "met_on": None,
        "status": "overdue",
        "reason": None,
        "days_late": 3,
        "citation": "SI 2010/959 reg 33(1)",
        "citation_url": "https://www.legislation.gov.uk/uksi/2010/959/regulation/33",
        "explanation": "Due Mon 1 Feb 2021.",
        "base_rule": None,
    }
    base.update(over)
    return base


def _lazy(text: str, calls: list[int]) -> Obligation:
    v = _values()

    def recipe() -> tuple[str, str]:
        calls.append(1)
        return text, "28 days after"

    args = [v[f] for f in OBLIGATION_FIELDS if f != "explanation"]
    return lazy_obligation(*args, date(2021, 2, 4), "offset:0", (recipe,))  # type: ignore[arg-type]


def test_lazy_and_eager_obligations_are_indistinguishable() -> None:
    calls: list[int] = []
    lazy = _lazy("Due Mon 1 Feb 2021.", calls)
    eager = Obligation(**_values(), closed_on=date(2021, 2, 4))  # type: ignore[arg-type]
    assert calls == []  # nothing built yet
    assert lazy.status == "overdue" and lazy.closed_on == date(2021, 2, 4)
    assert calls == []  # reading other fields does not build the text
    assert lazy == eager and hash(lazy) == hash(eager)
    assert calls == [1]
    assert lazy.explanation == "Due Mon 1 Feb 2021." and lazy.basis == "28 days after"
    assert calls == [1]  # built once, then kept
    assert repr(lazy) == repr(eager)
    assert repr(eager).startswith("Obligation(key='C1:P1:-:review-first:2021-01-04', rule=")
    assert list(eager.as_dict()) == list(OBLIGATION_FIELDS)
    assert lazy.as_dict() == eager.as_dict()
    assert eager != Obligation(**_values(explanation="other"))  # type: ignore[arg-type]
    assert eager != Obligation(**_values(status="pending"))  # type: ignore[arg-type]
    # internal fields take no part in equality, as before
    assert eager == Obligation(**_values(), branch="window")  # type: ignore[arg-type]
    assert eager.__eq__(object()) is NotImplemented


def test_as_dict_without_explanation_does_not_build_it() -> None:
    calls: list[int] = []
    lazy = _lazy("text", calls)
    row = lazy.as_dict(explanation=False)
    assert "explanation" not in row and calls == []
    assert list(row) == [f for f in OBLIGATION_FIELDS if f != "explanation"]
    assert row["anchor"] == "2021-01-04" and row["due"] == "2021-02-01"


def test_obligations_are_frozen() -> None:
    ob = Obligation(**_values())  # type: ignore[arg-type]
    with pytest.raises(FrozenInstanceError):
        ob.status = "met_on_time"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del ob.key  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        ob.explanation = "x"  # type: ignore[misc]


def test_pickle_round_trip_keeps_the_text() -> None:
    calls: list[int] = []
    lazy = _lazy("Due Mon 1 Feb 2021.", calls)
    back = pickle.loads(pickle.dumps(lazy))
    assert back == lazy and back.explanation == "Due Mon 1 Feb 2021."
    assert back.basis == "28 days after" and back.closed_on == date(2021, 2, 4)
    assert back.branch == "offset:0"


def test_engine_obligations_pickle_and_compare_after_a_round_trip() -> None:
    report = evaluate(load_cases(DEMO), as_of=date(2024, 6, 3))
    obligations = report.obligations
    assert obligations
    back = pickle.loads(pickle.dumps(obligations))
    assert back == obligations
    assert [o.explanation for o in back] == [o.explanation for o in obligations]
