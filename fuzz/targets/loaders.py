"""``lacplan.load_cases`` over mutated case files (JSON Lines, JSON arrays, single objects).

Properties: no exception escapes; the records yielded are as many as the file holds (one per
non-blank line of JSON Lines, one per item of an array, one for anything else), each a ``Case``
or a ``RecordError`` with problems, documented codes and, in order, its line; no rejection,
exception text or finding holds the sentinel date of birth when the input has it only as a date
of birth. The valid cases' findings are computed and the first valid case is evaluated (a
``CalendarRangeError`` is counted, as the documented exception it is today).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

from fuzz.checks import (
    DOCS,
    SENTINEL_DOB,
    PropertyFailure,
    check_codes,
    check_no_sentinel,
    expected_json_records,
    sentinel_places_json,
)
from fuzz.jsonmut import mutate_case_file, vocabulary, write_records
from fuzz.targets.base import Outcome, Target

__all__ = [
    "AS_OF",
    "JsonFile",
    "LoadersTarget",
    "check_evaluation",
    "check_report",
    "seed_records",
]

#: The as-of date findings and evaluations use.
AS_OF: Final = date(2024, 3, 31)
_NAMES: Final[tuple[str | None, ...]] = ("cases.jsonl", "cases.json", None, "CASES.NDJSON")
_MAX_SIZE: Final = 2 << 20


@dataclass(frozen=True, slots=True)
class JsonFile:
    """A case file: its bytes and the name it is read under (``None``: an unnamed stream)."""

    data: bytes
    name: str | None


def seed_records() -> list[dict[str, Any]]:
    """``lacplan synth 5 --seed 1``, the first three children born on the sentinel date."""
    from lacplan.synth import synth_cases

    records = synth_cases(5, seed=1)
    for record in records[:3]:
        record["date_of_birth"] = SENTINEL_DOB.isoformat()
    return records


def check_evaluation(cases: Sequence[Any], *, sentinel_dob: bool, as_of: date = AS_OF) -> str:
    """Evaluate ``cases`` and check the report: every case is a child or a rejection, children
    in input order, documented codes, no ``internal_error`` (an exception inside the engine: a
    crash the batch survived), no sentinel in any message. Returns ``"evaluated"``,
    ``"rejected"`` (some case rejected, e.g. ``calendar_range``) or ``"calendar_range_raised"``
    (the documented ``CalendarRangeError`` escaped)."""
    from lacplan import evaluate
    from lacplan.errors import CalendarRangeError

    try:
        report = evaluate(list(cases), as_of=as_of)
    except CalendarRangeError as exc:
        if sentinel_dob:
            check_no_sentinel([str(exc)], "a calendar range error")
        return "calendar_range_raised"
    check_report(report, [c.child_id for c in cases], sentinel_dob=sentinel_dob)
    return "rejected" if report.errors else "evaluated"


def check_report(report: Any, ids: Sequence[str], *, sentinel_dob: bool) -> None:
    """The properties of a report of the cases ``ids`` (in input order)."""
    if len(report.children) + len(report.errors) != len(ids):
        raise PropertyFailure("evaluate: cases in != children + rejected")
    remaining = iter(ids)
    if not all(any(c.child_id == i for i in remaining) for c in report.children):
        raise PropertyFailure("evaluate: children not in input order")
    codes = [p.code for e in report.errors for p in e.problems]
    if "internal_error" in codes:
        detail = next(p.message for e in report.errors for p in e.problems)
        raise PropertyFailure(f"evaluate: internal_error: {detail}")
    check_codes(codes, "evaluate rejections")
    messages = [p.message for e in report.errors for p in e.problems]
    for child in report.children:
        check_codes([f.code for f in child.findings], "evaluate findings")
        messages += [f.message for f in child.findings]
    if sentinel_dob:
        check_no_sentinel(messages, "an evaluation message")


class LoadersTarget(Target[JsonFile]):
    name = "loaders"
    suffixes = (".json", ".jsonl", ".ndjson", ".bin")

    def __init__(self) -> None:
        super().__init__()
        records = seed_records()
        self._vocab = vocabulary(records)
        self._records = records

    def seeds(self) -> list[JsonFile]:
        rnd = random.Random(0)
        records = self._records
        small = {
            "child_id": "C1",
            "date_of_birth": SENTINEL_DOB.isoformat(),
            "periods": [
                {
                    "start": "2020-12-18",
                    "placements": [{"placement_id": "P1", "start": "2020-12-18"}],
                }
            ],
            "events": [{"type": "review", "date": "2021-01-22"}],
        }
        example = (DOCS / "examples" / "case.json").read_bytes()
        return [
            JsonFile(write_records(records, rnd, "jsonl"), "cases.jsonl"),
            JsonFile(write_records(records, rnd, "jsonl"), "cases.json"),
            JsonFile(write_records(records, rnd, "array"), "cases.json"),
            JsonFile(write_records(records[:1], rnd, "object"), "case.json"),
            JsonFile(write_records([small, records[3]], rnd, "jsonl"), None),
            JsonFile(json.dumps(small).encode(), "one.json"),
            JsonFile(example, "case.json"),
        ]

    def mutate(self, item: JsonFile, rnd: random.Random, pool: Sequence[JsonFile]) -> JsonFile:
        others = [rnd.choice(pool).data for _ in range(2)] if pool else []
        data = mutate_case_file(item.data, rnd, self._vocab, others, max_size=_MAX_SIZE)
        name = rnd.choice(_NAMES) if rnd.random() < 0.1 else item.name
        return JsonFile(data, name)

    def check(self, item: JsonFile) -> Outcome:
        from lacplan import load_cases
        from lacplan.model import Case, RecordError

        items = list(load_cases(io.BytesIO(item.data), name=item.name))
        expected = expected_json_records(item.data, item.name)
        if len(items) != expected:
            raise PropertyFailure(f"records in ({expected}) != cases + rejected ({len(items)})")
        cases = [x for x in items if isinstance(x, Case)]
        errors = [x for x in items if isinstance(x, RecordError)]
        if len(cases) + len(errors) != len(items):
            raise PropertyFailure("load_cases yielded something that is neither Case nor error")
        only_dates, only_dob = sentinel_places_json(item.data)
        file = item.name if item.name is not None else "<stream>"
        lines = [e.line for e in errors]
        if any(n < 1 for n in lines) or any(b <= a for a, b in pairwise(lines)):
            raise PropertyFailure("rejections not in input order (or a line below 1)")
        codes: list[str] = []
        for e in errors:
            if e.file != file or not e.problems:
                raise PropertyFailure("a rejection names another file or has no problem")
            if e.child_id is not None and not isinstance(e.child_id, str):
                raise PropertyFailure("a rejection's child_id is not a string")
            json.dumps(e.as_dict())
            codes += [p.code for p in e.problems]
            if only_dates:
                texts = [p.message for p in e.problems] + [str(e.to_exception())]
                check_no_sentinel(texts, "a rejection")
        check_codes(codes, "load_cases")
        finding_codes: set[str] = set()
        for case in cases:
            found = case.findings(AS_OF)
            finding_codes.update(f.code for f in found)
            if only_dob:
                check_no_sentinel([f.message for f in found], "a finding")
        check_codes(finding_codes, "Case.findings")
        evaluated = check_evaluation(cases[:1], sentinel_dob=only_dob) if cases else "none"
        label = "empty" if not items else "valid" if not errors else "rejected"
        if cases and errors:
            label = "mixed"
        signature = (label, evaluated, *sorted(set(codes)), *sorted(finding_codes))
        return Outcome(label, signature)

    def save(self, item: JsonFile, directory: Path, stem: str) -> Path:
        if item.name is None:
            suffix = ".bin"
        else:
            suffix = ".jsonl" if item.name.lower().endswith((".jsonl", ".ndjson")) else ".json"
        path = directory / f"{stem}{suffix}"
        path.write_bytes(item.data)
        return path

    def load(self, path: Path) -> JsonFile:
        return JsonFile(path.read_bytes(), None if path.suffix == ".bin" else path.name)

    def size(self, item: JsonFile) -> int:
        return len(item.data)
