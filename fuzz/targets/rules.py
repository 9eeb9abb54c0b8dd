"""Rule files (``load_rule_file``) over mutated TOML: rejected cleanly, or usable.

Properties: the only exception is ``RuleFileError``, its message starting with the file's name;
a file that is accepted gives a pack that writes back (``dump_rule_file``) to a file that reads
back with the same content hash, and that evaluates two synthetic children without an
undocumented exception or an ``internal_error`` (the report's properties as in ``loaders``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fuzz.checks import DOCS, PropertyFailure
from fuzz.rulemut import mutate_rule_file, toml_vocabulary
from fuzz.targets.base import Outcome, Target, shape
from fuzz.targets.loaders import AS_OF, check_report, seed_records

__all__ = ["MINIMAL_BASE", "MINIMAL_OVERLAY", "RuleFile", "RulesTarget"]

_OVERLAYS: Final = DOCS.parent / "src" / "lacplan" / "rules" / "overlays"

#: A base pack of one rule (no ``base``).
MINIMAL_BASE: Final = """\
[pack]
name = "mini"
source = "statutory"
version = "1"

[[rules]]
id = "visit-first"
title = "Visit in the first week"
scope = "placement"
version = "1"
in_force = { start = 2011-04-01 }
anchor = [{ date = { ref = "placement.start" }, label = "the start of the placement" }]
offsets = [{ offset = { unit = "days", n = 7 }, label = "within a week" }]
satisfied_by = { events = [{ type = "visit" }] }
[rules.citation]
instrument = "Local"
instrument_title = "Local standards"
url = "https://example.org/local"
provision = "1"
status = "P"
"""

#: An overlay of one rule on the England pack.
MINIMAL_OVERLAY: Final = """\
[pack]
name = "tiny"
prefix = "tiny"
base = "england"
in_force = { start = 2020-04-01 }
closures = [{ from = "12-27", to = "12-31", name = "closure" }]
settings = { days = 10 }

[[rules]]
id = "tiny-review"
title = "Review within 10 working days"
scope = "period"
version = "1"
base_rule = "review-first"
anchor = [{ date = { ref = "period.start" }, label = "the start of the period" }]
offsets = [{ offset = { unit = "working_days", setting = "days" }, label = "10 working days" }]
satisfied_by = { events = [{ type = "review" }] }
[rules.citation]
instrument = "Tiny"
instrument_title = "Tiny standards"
url = "https://example.org/tiny"
provision = "2"
status = "P"
"""


@dataclass(frozen=True, slots=True)
class RuleFile:
    """A rule file's bytes."""

    data: bytes


class RulesTarget(Target[RuleFile]):
    name = "rules"
    suffixes = (".toml",)

    def __init__(self) -> None:
        super().__init__()
        self._texts = [
            (DOCS / "examples" / "my-council.toml").read_text(encoding="utf-8"),
            (_OVERLAYS / "ifa.toml").read_text(encoding="utf-8"),
            MINIMAL_BASE,
            MINIMAL_OVERLAY,
        ]
        self._vocab = toml_vocabulary(self._texts)
        self._cases: list[Any] | None = None

    def seeds(self) -> list[RuleFile]:
        return [RuleFile(t.encode()) for t in self._texts]

    def mutate(self, item: RuleFile, rnd: random.Random, pool: Sequence[RuleFile]) -> RuleFile:
        return RuleFile(mutate_rule_file(item.data, rnd, self._vocab)[: 6 << 20])

    def _children(self) -> list[Any]:
        if self._cases is None:
            from lacplan.model import Case

            self._cases = [Case.model_validate(r) for r in seed_records()[:2]]
        return self._cases

    def check(self, item: RuleFile) -> Outcome:
        from lacplan.errors import RuleFileError
        from lacplan.rules.files import dump_rule_file, load_rule_file, loads_rule_file

        path = self.scratch / "rules.toml"
        path.write_bytes(item.data)
        try:
            pack = load_rule_file(path)
        except RuleFileError as exc:
            message = str(exc)
            if not message.startswith(f"{path}:"):
                raise PropertyFailure(
                    "a rule file error does not start with the file's name"
                ) from None
            return Outcome("rejected", ("rejected", shape(message[len(str(path)) :])))
        again = loads_rule_file(dump_rule_file(pack), file="written-back.toml")
        if again.content_hash != pack.content_hash:
            raise PropertyFailure("a pack written back reads back with another content hash")
        evaluated = self._evaluate(pack)
        return Outcome("accepted", ("accepted", evaluated, str(len(pack.rules))))

    def _evaluate(self, pack: Any) -> str:
        from lacplan import evaluate
        from lacplan.errors import CalendarRangeError

        cases = self._children()
        try:
            report = evaluate(cases, as_of=AS_OF, rules=pack)
        except CalendarRangeError:
            return "calendar_range_raised"
        check_report(report, [c.child_id for c in cases], sentinel_dob=True)
        return "rejected" if report.errors else "evaluated"

    def save(self, item: RuleFile, directory: Path, stem: str) -> Path:
        path = directory / f"{stem}.toml"
        path.write_bytes(item.data)
        return path

    def load(self, path: Path) -> RuleFile:
        return RuleFile(path.read_bytes())

    def size(self, item: RuleFile) -> int:
        return len(item.data)
