"""``Obligation`` keeps the frozen dataclass's contract while its explanation is written lazily
(issue 12): same attributes, ``as_dict()`` keys and order, equality, hashing and pickling."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path

import pytest

from lacplan import evaluate, load_cases
from lacplan.obligation import OBLIGATION_FIELDS, Obligation, explanation_text, lazy_obligation

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

    def recipe(ob: Obligation) -> tuple[str, str]:  # a recipe is called with its obligation
        assert ob.status == "overdue"
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


def test_explanation_text_writes_the_text_without_keeping_it() -> None:
    """Copies (``explanation_text``, ``as_dict``) write the text and keep nothing; only
    reading ``explanation`` keeps it."""
    calls: list[int] = []
    lazy = _lazy("Due Mon 1 Feb 2021.", calls)
    assert explanation_text(lazy) == "Due Mon 1 Feb 2021." and calls == [1]
    assert explanation_text(lazy) == "Due Mon 1 Feb 2021." and calls == [1, 1]  # not kept
    assert lazy.as_dict()["explanation"] == "Due Mon 1 Feb 2021." and calls == [1, 1, 1]
    assert lazy.explanation == "Due Mon 1 Feb 2021." and calls == [1, 1, 1, 1]
    assert explanation_text(lazy) == "Due Mon 1 Feb 2021." and calls == [1, 1, 1, 1]  # kept
    assert lazy.as_dict()["explanation"] == "Due Mon 1 Feb 2021." and len(calls) == 4
    eager = Obligation(**_values())  # type: ignore[arg-type]
    assert explanation_text(eager) == "Due Mon 1 Feb 2021."


def test_engine_keys_name_child_period_placement_rule_and_anchor() -> None:
    """An engine obligation's key is ``child:period:placement-or-dash:rule:anchor``, and
    survives pickling."""
    report = evaluate(load_cases(DEMO), as_of=date(2024, 6, 3))
    obligations = report.obligations
    assert obligations
    for o in obligations:
        assert o.anchor is not None
        place = o.placement_id or "-"
        assert o.key == f"{o.child_id}:{o.period_id}:{place}:{o.rule}:{o.anchor.isoformat()}"
        assert report.obligation(o.key).key == o.key
    back = pickle.loads(pickle.dumps(obligations))
    assert [o.key for o in back] == [o.key for o in obligations]
    given = Obligation(**{**_values(), "key": obligations[0].key})  # type: ignore[arg-type]
    assert given.key == obligations[0].key


def test_a_frame_leaves_the_reports_explanations_unwritten() -> None:
    """``to_dataframe`` writes every explanation into its column but keeps none in the report
    (which would otherwise hold each text twice)."""
    pytest.importorskip("pandas")
    report = evaluate(load_cases(DEMO), as_of=date(2024, 6, 3))
    df = report.to_dataframe()
    assert list(df["explanation"]) == [o.explanation for o in report.obligations]
    fresh = evaluate(load_cases(DEMO), as_of=date(2024, 6, 3))
    assert all(o._recipe is not None for o in fresh.obligations)
    fresh.to_dataframe()
    # Only those whose basis a later obligation's explanation quotes are written (and kept).
    quoted = [o for o in fresh.obligations if o._recipe is None]
    assert len(quoted) < len(fresh.obligations) / 10
