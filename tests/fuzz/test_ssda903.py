"""The SSDA903 adapter fuzzed: mutated returns (the docs' example, the DfE validator's fake
return, a LIIA extract, liiatools' files), and bad dates, encodings, missing and extra columns
and empty files on purpose.

Every return goes through the ``ssda903`` target (``fuzz/targets/ssda903.py``): only the
documented ``UsageError`` escapes, every row is used, ignored or rejected, every child is a
case or rejected, codes are documented, no message holds the sentinel date of birth.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz.returns import HOSTILE_CELLS, read_rows, write_rows
from fuzz.targets import Target
from fuzz.targets.ssda903 import seed_returns
from lacplan.adapters.ssda903 import read_ssda903
from lacplan.model import Case, RecordError
from tests.fuzz import examples

Return = dict[str, bytes]


@cache
def _seeds() -> tuple[Return, ...]:
    return tuple(seed_returns())


def _docs() -> Return:
    return dict(_seeds()[0])


def _edit(ret: Return, name: str, edit: Any) -> Return:
    rows = read_rows(ret[name])
    assert rows is not None
    edit(rows)
    return {**ret, name: write_rows(rows)}


@examples(700)
@given(rnd=st.randoms(use_true_random=False), k=st.integers(0, 3), rounds=st.integers(1, 3))
def test_mutated_returns(ssda903: Target[Any], rnd: Any, k: int, rounds: int) -> None:
    seeds = list(_seeds())
    item = seeds[k]
    for _ in range(rounds):
        item = ssda903.mutate(item, rnd, seeds)
    ssda903.check(item)


_DATE_CELLS = [
    ("2024/header.csv", "DOB"),
    ("2024/episodes.csv", "DECOM"),
    ("2024/episodes.csv", "DEC"),
    ("2023/reviews.csv", "REVIEW"),
    ("2023/reviews.csv", "DOB"),
    ("2024/oc2.csv", "DOB"),
]


@examples(400)
@given(
    where=st.sampled_from(_DATE_CELLS),
    value=st.sampled_from(HOSTILE_CELLS),
    row=st.integers(1, 6),
)
def test_bad_values_in_date_cells(
    ssda903: Target[Any], where: tuple[str, str], value: str, row: int
) -> None:
    name, column = where

    def edit(rows: list[list[str]]) -> None:
        k = rows[0].index(column)
        rows[min(row, len(rows) - 1)][k] = value

    ssda903.check(_edit(_docs(), name, edit))


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig", "utf-32"])
def test_encodings(ssda903: Target[Any], encoding: str) -> None:
    ret = _docs()
    for name, data in ret.items():
        text = data.decode("utf-8").replace("AB1 2", "Zoë £ Straße")
        ret[name] = text.encode(encoding)
    ssda903.check(ret)


def _columns() -> list[tuple[str, str]]:
    return [
        (name, col)
        for name, data in sorted(_docs().items())
        for col in (read_rows(data) or [[]])[0]
    ]


@pytest.mark.parametrize(("name", "column"), _columns())
def test_each_column_missing(ssda903: Target[Any], name: str, column: str) -> None:
    def edit(rows: list[list[str]]) -> None:
        k = rows[0].index(column)
        for row in rows:
            del row[k]

    ssda903.check(_edit(_docs(), name, edit))


@pytest.mark.parametrize("extra", ["LA", "YEAR", "NOTES", "", "child", "CHILD", "dob"])
@pytest.mark.parametrize("value", ["2024", "1990", "abcd", "13/07/2009", ""])
def test_extra_columns(ssda903: Target[Any], extra: str, value: str) -> None:
    def edit(rows: list[list[str]]) -> None:
        for n, row in enumerate(rows):
            row.append(extra if n == 0 else value)

    ssda903.check(_edit(_docs(), "2024/episodes.csv", edit))


@pytest.mark.parametrize("name", sorted(_docs()))
@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf", "header only", "short rows"])
def test_empty_files(ssda903: Target[Any], name: str, content: bytes | str) -> None:
    ret = _docs()
    if content == "header only":
        ret[name] = ret[name].split(b"\n", 1)[0] + b"\n"
    elif content == "short rows":
        ret[name] = b"\n".join(line.split(b",", 1)[0] for line in ret[name].split(b"\n"))
    else:
        assert isinstance(content, bytes)
        ret[name] = content
    ssda903.check(ret)


def test_a_date_of_birth_after_entry_is_a_rejected_child_not_a_crash(tmp_path: Path) -> None:
    """Regression (found by the fuzzer): a Header DOB after the child's first DECOM made
    ``Case.model_validate`` raise ``CaseError`` out of the adapter, ending the batch."""
    (tmp_path / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC\nA1,1,01/06/2022,WBRI\nB2,2,13/07/2009,WBRI\n", encoding="utf-8"
    )
    (tmp_path / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\nA1,06/06/2021,S,C2,U4,,\nB2,06/06/2021,S,C2,U4,,\n",
        encoding="utf-8",
    )
    batch = read_ssda903([str(tmp_path)])
    items = list(batch)
    cases = [x for x in items if isinstance(x, Case)]
    errors = [x for x in items if isinstance(x, RecordError)]
    assert [c.child_id for c in cases] == ["B2"]
    assert [(e.child_id, e.problems[0].code) for e in errors] == [("A1", "birth_after_entry")]
    assert errors[0].file.endswith("episodes.csv") and errors[0].line == 2
    assert batch.accounting.as_dict()["Header"]["rejected"] == 0
    assert sum(t["rejected"] for t in batch.accounting.as_dict().values()) == 1


def _liia(tmp_path: Path, year: str, score: str) -> list[Any]:
    (tmp_path / "header.csv").write_text(
        f"CHILD,SEX,DOB,ETHNIC,YEAR\nA1,1,13/07/2009,WBRI,{year}\n", encoding="utf-8"
    )
    (tmp_path / "episodes.csv").write_text(
        f"CHILD,DECOM,RNE,LS,PLACE,DEC,REC,YEAR\nA1,06/06/2021,S,C2,U4,,,{year}\n",
        encoding="utf-8",
    )
    (tmp_path / "oc2.csv").write_text(
        f"CHILD,DOB,SDQ_SCORE,HEALTH_CHECK\nA1,13/07/2009,{score},1\n", encoding="utf-8"
    )
    return list(read_ssda903([str(tmp_path)]))


@pytest.mark.parametrize(("year", "score"), [("9" * 5_000, "12"), ("2022", "4" * 5_000)])
def test_cells_of_thousands_of_digits_are_not_numbers(
    tmp_path: Path, year: str, score: str
) -> None:
    """Regression (fuzzer): a YEAR cell (or an SDQ score) of more than 4,300 digits made int()
    raise ValueError out of the adapter; it is now a value that is not a year (the file's year is
    used) or not a score (finding ``invalid_sdq_score``)."""
    (case,) = _liia(tmp_path, year, score)
    assert isinstance(case, Case)
    codes = [f.code for f in case.source_findings]
    assert ("invalid_sdq_score" in codes) == (len(score) > 2)


def test_leading_zeros_still_read_as_before(tmp_path: Path) -> None:
    (case,) = _liia(tmp_path, "02022", "040")
    assert isinstance(case, Case)
    assert [f.code for f in case.source_findings if f.code == "invalid_sdq_score"] == []
    assert [e.date.isoformat() for e in case.events if e.type == "sdq"] == ["2022-03-31"]
