"""``evaluate_serialised`` and ``evaluate_report``: the same bytes and the same report for every
``jobs``, rejected records in their places, and what goes to the workers pickles."""

from __future__ import annotations

import io
import json
import multiprocessing
import pickle
from collections.abc import Iterable
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from lacplan.adapters import read_inputs
from lacplan.adapters.json import load_cases
from lacplan.cli import main
from lacplan.columns import obligation_fields, obligation_picker, row_maker, select_columns
from lacplan.errors import UsageError
from lacplan.evaluate import evaluate, iter_evaluate
from lacplan.model import Case, RecordError
from lacplan.outputs import (
    write_csv_values,
    write_jsonl_child,
    write_jsonl_error,
    write_jsonl_trailer,
)
from lacplan.parallel import (
    CsvText,
    Item,
    Made,
    RawLine,
    RowsOf,
    TextOf,
    evaluate_report,
    evaluate_serialised,
    keep,
    read_raw_inputs,
)
from lacplan.rules import Conventions, get_pack

AS_OF = date(2024, 6, 3)
DEMO = files("lacplan").joinpath("data/demo_cohort.jsonl").read_bytes()

#: Broken records put among the demo cohort's lines: (after line, bytes).
BROKEN = [
    (10, b'{"child_id": "X1", \n'),  # not valid JSON
    (50, b"\n"),  # blank: skipped, still counted in line numbers
    (100, b'{"child_id": "X2", "date_of_birth": "2012-02-30", "periods": []}\n'),
    (150, b'{"child_id": "X3", "child_id": "X4"}\n'),  # a duplicate key
    (200, b'\xff\xfe{"child_id": "X5"}\n'),  # not UTF-8
    (250, b"[1, 2]\n"),  # not an object
]
REJECTED = 5


def _broken(path: Path, lines: int | None = None) -> Path:
    kept = DEMO.splitlines(keepends=True)[:lines]
    for after, text in sorted(BROKEN, reverse=True):
        if after <= len(kept):
            kept.insert(after, text)
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(kept))  # a byte order mark, as Excel writes
    return path


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo cohort (300 children) with broken records among them."""
    return _broken(tmp_path_factory.mktemp("cohort") / "cohort.jsonl")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Its first 110 lines, with a blank line and two broken records among them."""
    return _broken(tmp_path_factory.mktemp("small") / "small.jsonl", lines=110)


def _cli(*argv: str, tmp: Path, name: str) -> bytes:
    out = tmp / name
    code = main([*argv, "--as-of", AS_OF.isoformat(), "-o", str(out)])
    assert code == 1  # some records were rejected
    return out.read_bytes()


def _jsonl(items: Iterable[Item], jobs: int, **options: Any) -> tuple[bytes, int, int]:
    """JSON Lines as the CLI writes them, from ``evaluate_serialised``; and the counts."""
    out = io.StringIO()
    children = rejected = 0
    options.setdefault("serialise", TextOf(write_jsonl_child))
    outputs = evaluate_serialised(items, as_of=AS_OF, jobs=jobs, **options)
    for text in outputs:
        if isinstance(text, RecordError):
            rejected += 1
            write_jsonl_error(text, out)
        else:
            children += 1
            out.write(text)
    return out.getvalue().encode("utf-8"), children, rejected


def _records(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines() if line.strip())


@pytest.fixture(scope="module")
def cli_jsonl(cohort: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """What ``lacplan evaluate --format jsonl`` writes for the cohort (one process)."""
    tmp = tmp_path_factory.mktemp("cli")
    return _cli("evaluate", str(cohort), "--format", "jsonl", tmp=tmp, name="cli.jsonl")


@pytest.mark.parametrize(("jobs", "chunk_size"), [(1, 64), (2, 7)])
def test_jsonl_is_byte_identical_to_the_cli(
    cohort: Path, cli_jsonl: bytes, jobs: int, chunk_size: int
) -> None:
    items, batch = read_raw_inputs([str(cohort)])
    got, children, rejected = _jsonl(items, jobs, chunk_size=chunk_size)
    trailer = io.StringIO()
    write_jsonl_trailer(batch, trailer)
    assert got + trailer.getvalue().encode() == cli_jsonl
    assert rejected == REJECTED
    assert children + rejected == _records(cohort)  # records in = evaluated + rejected
    assert multiprocessing.active_children() == []


def test_validated_cases_give_the_same_bytes(cohort: Path, cli_jsonl: bytes) -> None:
    """Cases already read by ``read_inputs`` (pickled to the workers) rather than raw lines."""
    assert _jsonl(iter(read_inputs([str(cohort)])), 2, chunk_size=16)[0] == cli_jsonl


def test_rejections_in_order(small: Path) -> None:
    items, _ = read_raw_inputs([str(small)])
    outputs = list(evaluate_serialised(items, as_of=AS_OF, serialise=keep, jobs=2, chunk_size=4))
    want = [x for x in load_cases(small)]
    assert [type(o) for o in outputs] == [
        RecordError if isinstance(w, RecordError) else type(outputs[0]) for w in want
    ]
    assert [o for o in outputs if isinstance(o, RecordError)] == [
        w for w in want if isinstance(w, RecordError)
    ]
    rejected = [(e.line, e.child_id) for e in outputs if isinstance(e, RecordError)]
    assert rejected == [(11, None), (103, "X2")]


def test_raw_lines_are_read_as_load_cases_reads_them(cohort: Path) -> None:
    items, _ = read_raw_inputs([str(cohort)])
    raw = list(items)
    assert all(isinstance(x, RawLine) for x in raw)
    parsed = [x.parse() for x in raw if isinstance(x, RawLine)]
    assert parsed == list(load_cases(cohort))


def test_read_raw_inputs_reads_other_files_as_read_inputs(small: Path, tmp_path: Path) -> None:
    array = tmp_path / "cases.json"
    array.write_text(
        json.dumps([json.loads(line) for line in DEMO.splitlines()[:3]]), encoding="utf-8"
    )
    items, _ = read_raw_inputs([str(array), str(small)])
    got = list(items)
    assert all(isinstance(x, Case) for x in got[:3])
    assert all(isinstance(x, RawLine) for x in got[3:])
    with pytest.raises(UsageError) as raw_error:
        read_raw_inputs([str(tmp_path / "missing.jsonl")])
    with pytest.raises(UsageError) as error:
        read_inputs([str(tmp_path / "missing.jsonl")])
    assert str(raw_error.value) == str(error.value)


def _labels(lines: int) -> list[str]:
    return sorted({k for line in DEMO.splitlines()[:lines] for k in json.loads(line)["labels"]})


@pytest.mark.parametrize("spec", [None, "compact"])
def test_csv_text_is_byte_identical(small: Path, tmp_path: Path, spec: str | None) -> None:
    argv = ["evaluate", str(small), "--format", "csv", *(["--columns", spec] if spec else [])]
    want = _cli(*argv, tmp=tmp_path, name="cli.csv")
    pack = get_pack("england")
    columns = select_columns(spec, _labels(110))
    rows = Made(row_maker, columns, as_of=AS_OF, rules_version=pack.version)
    out = io.StringIO(newline="")
    write_csv_values([], columns, out)  # the header
    items, _ = read_raw_inputs([str(small)])
    for text in evaluate_serialised(
        items, as_of=AS_OF, serialise=CsvText(rows), jobs=2, chunk_size=8, start="forkserver"
    ):
        if not isinstance(text, RecordError):
            out.write(text)
    assert out.getvalue().encode("utf-8") == want


def test_compact_jsonl_is_byte_identical(small: Path, tmp_path: Path) -> None:
    argv = ["evaluate", str(small), "--format", "jsonl", "--columns", "compact"]
    want = _cli(*argv, tmp=tmp_path, name="cli.jsonl")
    pick = Made(obligation_picker, obligation_fields(select_columns("compact")))
    items, _ = read_raw_inputs([str(small)])
    got, _, _ = _jsonl(items, 2, chunk_size=8, serialise=TextOf(write_jsonl_child, pick))
    assert got == want


def test_rows(small: Path) -> None:
    pack = get_pack("england")
    columns = select_columns(None, _labels(110))
    maker = row_maker(columns, as_of=AS_OF, rules_version=pack.version, iso=False)
    cases = [c for c in load_cases(small) if isinstance(c, Case)]
    want = [list(maker(c)) for c in iter_evaluate(cases, as_of=AS_OF)]
    rows = RowsOf(Made(row_maker, columns, as_of=AS_OF, rules_version=pack.version, iso=False))
    got = evaluate_serialised(cases, as_of=AS_OF, serialise=rows, jobs=2, start="forkserver")
    assert list(got) == want


def test_evaluate_report_is_evaluate(small: Path) -> None:
    want = evaluate(read_inputs([str(small)]), as_of=AS_OF)
    got = evaluate_report(read_inputs([str(small)]), as_of=AS_OF, jobs=2, chunk_size=8)
    assert got == want
    assert got.to_dict() == want.to_dict()
    assert len(got.errors) == 2


def test_forkserver_workers(small: Path) -> None:
    """Workers that do not inherit the parent: the pack, conventions and serialiser pickle."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no forkserver here")
    conventions = Conventions(month_arithmetic="fixed_days")
    want, _, _ = _jsonl(read_raw_inputs([str(small)])[0], 1, conventions=conventions)
    got = _jsonl(read_raw_inputs([str(small)])[0], 2, conventions=conventions, start="forkserver")
    assert got[0] == want


def test_a_pack_sent_to_workers_is_built_again(small: Path) -> None:
    """The evaluation goes to workers that do not fork with its pack as layers and
    declarations, built again there: the same pack, and its tables keyed by the declarations
    work (an SSDA903 case asks which events each declaration reads)."""
    from lacplan.parallel import _Evaluation

    ssda903 = list(read_inputs(["docs/examples/ssda903"], input_format="ssda903"))
    assert any(isinstance(c, Case) and c.coverage is not None for c in ssda903)
    for name in ("england", "england+ifa"):
        job = _Evaluation(AS_OF, get_pack(name), Conventions(), None, TextOf(write_jsonl_child))
        again = pickle.loads(pickle.dumps(job))
        assert again.pack is not job.pack
        assert again.pack.content_hash == job.pack.content_hash
        assert again.pack.name == job.pack.name and again.pack.layers == job.pack.layers
        assert again(ssda903) == job(ssda903)


def test_ssda903_cases_with_a_fork_server(small: Path) -> None:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no forkserver here")
    batch = read_inputs(["docs/examples/ssda903"], input_format="ssda903")
    want, _, _ = _jsonl(iter(batch), 1)
    got = _jsonl(iter(batch), 2, chunk_size=3, start="forkserver")
    assert got[0] == want and got[1] > 0


def test_what_goes_to_the_workers_pickles(small: Path) -> None:
    items = list(load_cases(small))
    case = next(x for x in items if isinstance(x, Case))
    error = next(x for x in items if isinstance(x, RecordError))
    (child,) = iter_evaluate([case], as_of=AS_OF)
    for value in (case, error, child, child.obligations[0], Conventions(), RawLine("f", 1, None)):
        assert pickle.loads(pickle.dumps(value)) == value
    for name in ("england", "england+ifa"):
        pack = get_pack(name)
        again = pickle.loads(pickle.dumps(pack))
        assert again.content_hash == pack.content_hash
        assert list(iter_evaluate([case], as_of=AS_OF, rules=again)) == list(
            iter_evaluate([case], as_of=AS_OF, rules=pack)
        )
    pick = Made(obligation_picker, ["key", "due", "status"])
    for serialiser in (TextOf(write_jsonl_child), TextOf(write_jsonl_child, pick)):
        assert pickle.loads(pickle.dumps(serialiser))(child) == serialiser(child)


def test_an_item_that_is_not_a_case(small: Path) -> None:
    case = next(x for x in load_cases(small) if isinstance(x, Case))
    outputs = evaluate_serialised(
        [case, {"child_id": "C1"}],  # type: ignore[list-item]
        as_of=AS_OF,
        serialise=keep,
        jobs=2,
    )
    with pytest.raises(UsageError, match=r"item 1 .* dict"):
        list(outputs)
    assert multiprocessing.active_children() == []


def test_stopping_early(cohort: Path) -> None:
    items, _ = read_raw_inputs([str(cohort)])
    outputs = evaluate_serialised(
        items, as_of=AS_OF, serialise=TextOf(write_jsonl_child), jobs=2, chunk_size=4
    )
    first = next(outputs)
    assert isinstance(first, str) and json.loads(first)["child_id"] == "SYN-000001"
    outputs.close()
    assert multiprocessing.active_children() == []
