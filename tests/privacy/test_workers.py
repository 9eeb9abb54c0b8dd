"""A :class:`~lacplan.privacy.Privacy` reaches the worker processes of ``lacplan.parallel``: it
pickles with the evaluation, is applied there before serialising, and gives what one process
gives (also with workers that do not fork)."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from datetime import date
from pathlib import Path

import pytest

from lacplan import evaluate
from lacplan.adapters import read_inputs
from lacplan.model import RecordError
from lacplan.outputs import write_jsonl_child
from lacplan.parallel import _Evaluation, evaluate_report, evaluate_serialised, read_raw_inputs
from lacplan.privacy import Privacy, pseudonym
from lacplan.rules import Conventions, get_pack
from lacplan.serialisers import TextOf
from tests.privacy import canary as c

AS_OF = date.fromisoformat(c.AS_OF)
PRIVACY = Privacy(c.KEY, pseudonymise=True, redact=True)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return c.write_jsonl(tmp_path_factory.mktemp("workers") / "cases.jsonl")


def _lines(path: Path, jobs: int, start: str | None = None) -> list[str]:
    items, _ = read_raw_inputs([str(path)])
    out = evaluate_serialised(
        items,
        as_of=AS_OF,
        serialise=TextOf(write_jsonl_child),
        jobs=jobs,
        chunk_size=2,
        start=start,
        privacy=PRIVACY,
    )
    return [json.dumps(x.as_dict()) if isinstance(x, RecordError) else x for x in out]


@pytest.mark.parametrize("start", [None, "forkserver"])
def test_the_workers_apply_it(cases: Path, start: str | None) -> None:
    if start is not None and start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    one = _lines(cases, 1)
    assert _lines(cases, 2, start) == one
    text = "".join(one)
    assert c.ID_PREFIX not in text and not c.leaks(text, c.birthday_forms())
    assert pseudonym(c.KEY, f"{c.ID_PREFIX}G1") in text


def test_it_pickles_with_the_evaluation(cases: Path) -> None:
    job = _Evaluation(AS_OF, get_pack("england"), Conventions(), None, TextOf(write_jsonl_child))
    private = _Evaluation(
        AS_OF, get_pack("england"), Conventions(), None, TextOf(write_jsonl_child), PRIVACY
    )
    again = pickle.loads(pickle.dumps(private))
    assert again.privacy == PRIVACY and pickle.loads(pickle.dumps(job)).privacy is None
    items = list(read_raw_inputs([str(cases)])[0])
    assert again(items) == private(items) != job(items)


def test_evaluate_report_is_evaluate(cases: Path) -> None:
    want = evaluate(read_inputs([str(cases)]), as_of=AS_OF, privacy=PRIVACY)
    got = evaluate_report(read_inputs([str(cases)]), as_of=AS_OF, jobs=2, privacy=PRIVACY)
    assert got.to_dict() == want.to_dict()
    assert all(e.child_id is None or not e.child_id.startswith(c.ID_PREFIX) for e in got.errors)
