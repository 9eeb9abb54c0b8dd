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
    findings_part = findings_part.split("\n# Source errors and findings\n")[0]
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


def test_ssda903_md_has_one_section_per_code() -> None:
    from lacplan.adapters.ssda903 import SSDA903_ERROR_CODES, SSDA903_FINDING_CODES

    text = (DOCS / "ssda903.md").read_text(encoding="utf-8")
    part = text.split("\n## Errors and findings\n")[1]
    errors_part, findings_part = part.split("\nFindings (valid data")
    assert re.findall(r"^### `(\w+)`$", errors_part, re.M) == list(SSDA903_ERROR_CODES)
    assert re.findall(r"^### `(\w+)`$", findings_part, re.M) == list(SSDA903_FINDING_CODES)


def test_ssda903_codes_in_the_code_are_listed() -> None:
    from lacplan.adapters.ssda903 import SSDA903_ERROR_CODES, SSDA903_FINDING_CODES

    src = Path(__file__).parents[2] / "src" / "lacplan" / "adapters" / "ssda903"
    text = "".join(p.read_text(encoding="utf-8") for p in src.glob("*.py"))
    used = set(re.findall(r'(?:note|reject)\(\s*(?:ref,\s*"\w+",\s*)?"(\w+)"', text))
    used |= set(re.findall(r'code="(\w+)"', text))
    assert used <= set(SSDA903_ERROR_CODES) | set(SSDA903_FINDING_CODES)
    assert "unknown_code" in used
