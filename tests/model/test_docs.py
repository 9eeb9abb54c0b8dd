"""The docs stay in step with the code: one section per code, the example case is current."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lacplan.loaders import load_cases
from lacplan.model import ERROR_CODES, EVENT_TYPES, FINDING_CODES, Case

DOCS = Path(__file__).parents[2] / "docs"


def test_errors_md_has_one_section_per_code() -> None:
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    errors_part, findings_part = text.split("\n# Findings\n")
    assert re.findall(r"^## `(\w+)`$", errors_part, re.M) == list(ERROR_CODES)
    assert re.findall(r"^## `(\w+)`$", findings_part, re.M) == list(FINDING_CODES)


def test_example_case_is_valid_clean_and_complete() -> None:
    [case] = load_cases(DOCS / "examples" / "case.json")
    assert isinstance(case, Case)
    assert case.findings() == ()
    assert {e.type for e in case.events} == set(EVENT_TYPES)


def test_case_format_shows_the_example_file() -> None:
    text = (DOCS / "case-format.md").read_text(encoding="utf-8")
    block = re.search(r"## A complete example\n.*?```json\n(.*?)```", text, re.S)
    assert block is not None
    shipped = json.loads((DOCS / "examples" / "case.json").read_text(encoding="utf-8"))
    assert json.loads(block.group(1)) == shipped


def test_case_format_lists_every_event_type() -> None:
    text = (DOCS / "case-format.md").read_text(encoding="utf-8")
    for event_type in EVENT_TYPES:
        assert f"| `{event_type}` |" in text
