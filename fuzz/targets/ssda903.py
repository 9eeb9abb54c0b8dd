"""The SSDA903 adapter (``read_ssda903``) over mutated returns, the cases it builds evaluated.

Properties: the only exception is the documented ``UsageError`` for a file that cannot be read
or matches no table (its message names the file, never a cell); otherwise every data row of
every table is counted once (``rows == used + ignored + rejected``, and the rows counted are the
rows in the files), each rejected row has a rejection naming it (file and row), every child with
rows in a used table is either a case or rejected (never both, never lost), rows without a child
id are rejected without one, codes are documented, and no message (rejections, findings on the
cases and on the files, the evaluation's) holds the sentinel date of birth when the return has
it only in DOB cells.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from fuzz.checks import (
    DOCS,
    PropertyFailure,
    check_codes,
    check_no_sentinel,
    csv_data_rows,
    sentinel_places_csv,
)
from fuzz.returns import Return, mutate_return, read_rows, write_rows
from fuzz.targets.base import Outcome, Target, shape
from fuzz.targets.loaders import AS_OF, check_evaluation

__all__ = ["Ssda903Target", "seed_returns"]

_SAMPLES: Final = DOCS.parent / "tests" / "data" / "ssda903-samples"
_MAX_FILE: Final = 256 << 10


def _keep(files: dict[str, bytes], children: int, sentinel: str, iso: bool) -> Return:
    """``files`` cut to the first ``children`` children of the Header (with every row of
    theirs), the first child's date of birth set to the sentinel (every DOB cell of theirs)."""
    header = next(v for k, v in files.items() if "header" in k.lower())
    rows = read_rows(header) or []
    ids = list(dict.fromkeys(r[0] for r in rows[1:] if r))[:children]
    first = ids[0] if ids else ""
    out: Return = {}
    for name, data in files.items():
        table = read_rows(data) or []
        if not table:
            continue
        cols = [c.replace("\ufeff", "").strip().upper() for c in table[0]]
        child = cols.index("CHILD") if "CHILD" in cols else 0
        body = [r for r in table[1:] if r and (r[child] in ids or not ids)]
        if not body:
            body = table[1:2]
        for r in body:
            for k, col in enumerate(cols):
                if col == "DOB" and r[child] == first and k < len(r):
                    r[k] = sentinel if not iso else "2009-07-13"
        out[name] = write_rows([table[0], *body])
    return out


def _folder(path: Path, prefix: str = "") -> dict[str, bytes]:
    return {f"{prefix}{p.name}": p.read_bytes() for p in sorted(path.glob("*.csv"))}


def seed_returns() -> list[Return]:
    """The docs' two-year example, the DfE validator's fake return, a LIIA extract (ISO dates,
    ``YEAR`` column) and liiatools' test files, each cut to a few children, one of them born on
    the sentinel date."""
    examples = DOCS / "examples" / "ssda903"
    docs = {**_folder(examples / "2023", "2023/"), **_folder(examples / "2024", "2024/")}
    liia = _folder(_SAMPLES / "liiatools")
    liia.pop("SSDA903_episodes_for_testing_fixes_INPUT.csv", None)
    return [
        _keep(docs, 4, "13/07/2009", iso=False),
        _keep(_folder(_SAMPLES / "d2i-validator-fake", "2018/"), 5, "13/07/2009", iso=False),
        _keep(_folder(_SAMPLES / "demand-model-liia-format"), 5, "2009-07-13", iso=True),
        _keep(liia, 3, "13/07/2009", iso=False),
    ]


def _sniffs_as_csv(data: bytes) -> bool:
    head = data[:64]
    return not head.startswith(b"PK\x03\x04") and not head.lstrip(
        b"\xef\xbb\xbf \t\r\n"
    ).startswith(b"<")


class Ssda903Target(Target[Return]):
    name = "ssda903"
    suffixes = ("",)  # each entry is a folder (a return)

    def __init__(self) -> None:
        super().__init__()
        self._seeds = seed_returns()
        vocab: dict[str, None] = {}
        for ret in self._seeds:
            for data in ret.values():
                for row in (read_rows(data) or [])[:6]:
                    vocab.update(dict.fromkeys(row))
        self._vocab = list(vocab)

    def seeds(self) -> list[Return]:
        return [dict(s) for s in self._seeds]

    def mutate(self, item: Return, rnd: random.Random, pool: Sequence[Return]) -> Return:
        others = [rnd.choice(pool)] if pool else []
        out = mutate_return(item, rnd, self._vocab, others)
        return {k: v[:_MAX_FILE] for k, v in out.items()} or dict(item)

    def _write(self, item: Return) -> Path:
        root = self.scratch / "return"
        shutil.rmtree(root, ignore_errors=True)
        for name, data in item.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        root.mkdir(parents=True, exist_ok=True)
        return root

    def check(self, item: Return) -> Outcome:
        from lacplan.adapters.ssda903 import read_ssda903
        from lacplan.errors import UsageError

        root = self._write(item)
        private = sentinel_places_csv(item)
        batch = read_ssda903([str(root)])
        try:
            items = list(batch)
        except UsageError as exc:
            if private:
                check_no_sentinel([str(exc)], "a usage error")
            return Outcome("usage_error", ("usage_error", shape(str(exc).replace(str(root), ""))))
        return self._properties(item, batch, items, private)

    def _properties(self, item: Return, batch: Any, items: Sequence[Any], private: bool) -> Outcome:
        from lacplan.adapters.ssda903.tables import identify
        from lacplan.model import Case, RecordError

        cases = [x for x in items if isinstance(x, Case)]
        errors = [x for x in items if isinstance(x, RecordError)]
        if len(cases) + len(errors) != len(items):
            raise PropertyFailure("read_ssda903 yielded something that is neither Case nor error")
        accounting = batch.accounting.as_dict()
        counted = 0
        for table in accounting.values():
            parts = table["used"] + sum(table["ignored"].values()) + table["rejected"]
            if parts != table["rows"]:
                raise PropertyFailure("a table's rows != used + ignored + rejected")
            counted += table["rows"]
        ids: set[str] = set()
        blank = 0
        expected: int | None = 0
        for data in item.values():
            rows = read_rows(data) if _sniffs_as_csv(data) else None
            n = csv_data_rows(data) if rows is not None else None
            if rows is None or n is None or expected is None:
                expected = None
                continue
            expected += n
            body = [r for r in rows if any(c.strip() for c in r)]
            cols = [c.replace("\ufeff", "").strip().upper() for c in body[0]]
            spec = identify(frozenset(c for c in cols if c))
            if spec is None or not spec.used:
                continue
            k = cols.index("CHILD")
            for r in body[1:]:
                child = r[k].strip() if k < len(r) else ""
                if child:
                    ids.add(child)
                else:
                    blank += 1
        if expected is not None and counted != expected:
            raise PropertyFailure("rows counted != data rows in the files")
        rejected = sum(t["rejected"] for t in accounting.values())
        if len({(e.file, e.line) for e in errors}) != rejected:
            raise PropertyFailure("rejected rows != rows named by rejections")
        case_ids = [c.child_id for c in cases]
        error_ids = {e.child_id for e in errors if e.child_id is not None}
        if len(set(case_ids)) != len(case_ids) or set(case_ids) & error_ids:
            raise PropertyFailure("a child is a case twice, or both a case and rejected")
        if expected is not None and (set(case_ids) | error_ids != ids):
            raise PropertyFailure("children with rows != cases + rejected children")
        if expected is not None and sum(e.child_id is None for e in errors) != blank:
            raise PropertyFailure("rows without a child id != rejections without one")
        codes = [p.code for e in errors for p in e.problems]
        check_codes(codes, "read_ssda903")
        messages = [p.message for e in errors for p in e.problems]
        messages += [str(e.to_exception()) for e in errors]
        findings: list[Any] = [f for c in cases for f in c.source_findings]
        findings += list(batch.findings)
        findings += [f for c in cases for f in c.findings(AS_OF)]
        check_codes([f.code for f in findings], "SSDA903 findings")
        if private:
            check_no_sentinel(messages + [f.message for f in findings], "an SSDA903 message")
        evaluated = check_evaluation(cases, sentinel_dob=private) if cases else "none"
        label = "empty" if not items else "valid" if not errors else "rejected"
        if cases and errors:
            label = "mixed"
        return Outcome(
            label, (label, evaluated, *sorted(set(codes)), *sorted({f.code for f in findings}))
        )

    def save(self, item: Return, directory: Path, stem: str) -> Path:
        root = directory / stem
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        for name, data in item.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return root

    def load(self, path: Path) -> Return:
        return {
            p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*"))
            if p.is_file()
        }

    def size(self, item: Return) -> int:
        return sum(len(v) for v in item.values())

    def entries(self, directory: Path) -> list[Path]:
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
