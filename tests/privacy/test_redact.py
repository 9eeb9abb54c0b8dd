"""``--redact``: the obligations anchored on a date derived from the date of birth (the needs
assessment, anchored on the leaving-care eligibility date; the pathway plan, on the needs
assessment's due date: docs/rules.md) get ``anchor`` null and a keyed hash for the date in their
``key``; every explanation and finding loses the dates derived from the date of birth; nothing
else changes."""

from __future__ import annotations

import copy
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lacplan import Case, evaluate, parse_case
from lacplan.calendar import birthday, fmt_date
from lacplan.cli import main
from lacplan.privacy import (
    WITHHELD,
    Privacy,
    dob_anchored_rules,
    keyed_hash,
    pseudonym,
    withheld_dates,
)
from lacplan.report import OBLIGATION_FIELDS
from lacplan.rules import get_pack
from lacplan.rules.facts import leaving_care_eligibility

KEY = bytes(range(32, 64))
DOB = date(2009, 7, 13)
AS_OF = date(2028, 1, 10)
B16, B18 = birthday(DOB, 16), birthday(DOB, 18)

RECORD: dict[str, Any] = {
    "child_id": "R1",
    "date_of_birth": DOB.isoformat(),
    "periods": [
        {
            "period_id": "P1",
            "start": "2023-01-09",
            "entry": "planned",
            "placements": [{"placement_id": "PL1", "start": "2023-01-09"}],
        }
    ],
    "events": [
        {"type": "review", "date": "2023-01-30"},
        {"type": "needs_assessment", "date": "2025-09-01"},
        {"type": "pathway_plan", "date": "2025-10-01"},
        {"type": "pathway_plan_review", "date": "2026-03-02"},
    ],
}


def _case(record: dict[str, Any] = RECORD) -> Case:
    return parse_case(record)


def _scrubbed(text: str, dates: frozenset[date]) -> str:
    for d in sorted(dates):
        text = text.replace(d.isoformat(), WITHHELD).replace(fmt_date(d), WITHHELD)
    return text


def test_the_rules_anchored_on_the_date_of_birth() -> None:
    assert dob_anchored_rules(get_pack("england")) == {"needs-assessment", "pathway-plan"}
    assert dob_anchored_rules(get_pack("england+ifa")) == {
        "needs-assessment",
        "pathway-plan",
        "ifa-pathway-plan",
    }


def test_the_withheld_dates() -> None:
    case = _case()
    dates = withheld_dates(case, AS_OF)
    assert dates == {birthday(DOB, n) for n in range(26)} | {leaving_care_eligibility(case, AS_OF)}
    assert leaving_care_eligibility(case, AS_OF) == B16  # looked after 13 weeks by then
    leap = parse_case({**RECORD, "date_of_birth": "2008-02-29"})
    assert date(2009, 3, 1) in withheld_dates(leap, AS_OF)  # A19: 1 March in other years


def test_redact_blanks_exactly_the_birthday_anchored_obligations() -> None:
    case = _case()
    plain = evaluate(case, as_of=AS_OF)
    redacted = evaluate(case, as_of=AS_OF, privacy=Privacy(KEY, redact=True))
    withheld = withheld_dates(case, AS_OF)
    blanked = set()
    changed_explanations = 0
    for before, after in zip(plain.obligations, redacted.obligations, strict=True):
        b, a = before.as_dict(), after.as_dict()
        if before.rule in ("needs-assessment", "pathway-plan"):
            blanked.add(before.rule)
            assert before.anchor is not None and after.anchor is None
            head, _, anchor = before.key.rpartition(":")
            assert anchor == before.anchor.isoformat()
            assert after.key == f"{head}:{keyed_hash(KEY, before.key)}"
            changed = {"anchor", "key", "explanation"}
        else:
            changed = {"explanation"}
        for name in OBLIGATION_FIELDS:
            if name not in changed:
                assert a[name] == b[name], (before.rule, name)
        assert after.explanation == _scrubbed(before.explanation, withheld)
        assert not any(fmt_date(d) in after.explanation for d in withheld)
        changed_explanations += after.explanation != before.explanation
    assert blanked == {"needs-assessment", "pathway-plan"}
    # the needs assessment's anchor (the 16th birthday) and every "care ended at 18" go
    needs = next(o for o in redacted.obligations if o.rule == "needs-assessment")
    assert f"3 months after {WITHHELD} (the date the young person became an eligible" in (
        needs.explanation
    )
    assert changed_explanations > 2
    assert any(f"care ended at 18 on {WITHHELD}" in o.explanation for o in redacted.obligations)
    assert not any(
        f"care ended at 18 on {fmt_date(B18)}" in o.explanation for o in redacted.obligations
    )
    assert redacted.children[0].child_id == "R1"  # ids stay without --pseudonymise


def test_an_anchor_on_a_birthday_is_blanked_whatever_the_rule() -> None:
    """A period that starts on the 14th birthday: the obligations anchored on its start have
    an anchor that is a birthday, so it is blanked too (every other field stays)."""
    b14 = birthday(DOB, 14).isoformat()
    record = copy.deepcopy(RECORD)
    record["periods"][0]["start"] = record["periods"][0]["placements"][0]["start"] = b14
    case = _case(record)
    plain = evaluate(case, as_of=AS_OF)
    redacted = evaluate(case, as_of=AS_OF, privacy=Privacy(KEY, redact=True))
    pairs = list(zip(plain.obligations, redacted.obligations, strict=True))
    on_start = [(b, a) for b, a in pairs if b.anchor == birthday(DOB, 14)]
    assert {b.rule for b, _ in on_start} >= {"review-first", "care-plan"}
    assert all(a.anchor is None and a.due == b.due for b, a in on_start)
    assert all(
        b.anchor == a.anchor
        for b, a in pairs
        if b.anchor != birthday(DOB, 14) and b.rule not in ("needs-assessment", "pathway-plan")
    )


def test_findings_lose_the_dates_too() -> None:
    record = {**RECORD, "coverage": {"source": "ssda903", "until": B16.isoformat()}}
    redacted = evaluate(_case(record), as_of=AS_OF, privacy=Privacy(KEY, redact=True))
    (finding,) = [f for f in redacted.children[0].findings if f.code == "as_of_after_data"]
    assert f"data ends on {WITHHELD}, before the as-of date" in finding.message


def test_a_privacy_with_no_flag_changes_nothing() -> None:
    """The copies hold every field of the originals, the internal ones included."""
    case = _case()
    plain = evaluate(case, as_of=AS_OF)
    same = evaluate(case, as_of=AS_OF, privacy=Privacy(KEY))
    assert plain.to_json() == same.to_json()
    assert plain.obligations == same.obligations
    for a, b in zip(plain.obligations, same.obligations, strict=True):
        assert (a.closed_on, a.branch, a.basis) == (b.closed_on, b.branch, b.basis)
        assert a is not b


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(RECORD) + "\n")
    return path


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "key"
    path.write_bytes(KEY)
    os.chmod(path, 0o600)
    return path


def _jsonl(cases: Path, tmp_path: Path, *flags: str) -> list[dict[str, Any]]:
    out = tmp_path / "out.jsonl"
    argv = ["evaluate", str(cases), "--as-of", AS_OF.isoformat(), "--format", "jsonl"]
    assert main([*argv, *flags, "-o", str(out)]) == 0
    return [o for line in out.read_text().splitlines() for o in json.loads(line)["obligations"]]


def test_without_a_key_file_redacted_keys_differ_between_runs(cases: Path, tmp_path: Path) -> None:
    first, second = _jsonl(cases, tmp_path, "--redact"), _jsonl(cases, tmp_path, "--redact")
    for a, b in zip(first, second, strict=True):
        if a["rule"] in ("needs-assessment", "pathway-plan"):
            assert a["key"] != b["key"] and a["anchor"] is b["anchor"] is None
            assert a["key"].startswith(f"R1:P1:-:{a['rule']}:")
        else:
            assert a == b


def test_with_a_key_file_they_are_the_same_and_hashed_with_it(
    cases: Path, tmp_path: Path, key_file: Path
) -> None:
    flags = ("--redact", "--pseudonymise", str(key_file))
    first, second = _jsonl(cases, tmp_path, *flags), _jsonl(cases, tmp_path, *flags)
    assert first == second
    plain = _jsonl(cases, tmp_path)
    alias = pseudonym(KEY, "R1")
    for before, after in zip(plain, first, strict=True):
        if before["rule"] == "needs-assessment":
            assert after["key"] == f"{alias}:P1:-:needs-assessment:{keyed_hash(KEY, before['key'])}"
        elif before["rule"] != "pathway-plan":
            assert after["key"] == alias + before["key"].removeprefix("R1")


def test_the_measures_do_not_change(cases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The summary and the worklist hold no anchors: ``--redact`` leaves their figures."""
    for command in (
        ["summary", "--period", "2022-04-01..2028-03-31"],
        ["upcoming", "--days", "9999"],
    ):
        argv = [
            command[0],
            str(cases),
            "--as-of",
            AS_OF.isoformat(),
            *command[1:],
            "--format",
            "csv",
        ]
        assert main(argv) == 0
        plain = capsys.readouterr().out
        assert main([*argv, "--redact"]) == 0
        redacted = capsys.readouterr().out
        if command[0] == "summary":
            assert redacted == plain
        else:  # the worklist shows keys: the redacted ones differ, nothing else
            strip = [r.rsplit(",", 1)[0] for r in plain.splitlines()]
            assert [r.rsplit(",", 1)[0] for r in redacted.splitlines()] == strip


def test_an_eligibility_date_that_is_no_birthday_is_withheld() -> None:
    """Looked after from 16 and a half: eligible 13 weeks later (reg 40), not on a birthday."""
    record = copy.deepcopy(RECORD)
    record["periods"][0]["start"] = record["periods"][0]["placements"][0]["start"] = "2026-01-05"
    record["events"] = []
    case = _case(record)
    as_of = date(2026, 9, 1)
    eligible = leaving_care_eligibility(case, as_of)
    assert eligible == date(2026, 4, 6) and eligible in withheld_dates(case, as_of)
    plain = evaluate(case, as_of=as_of)
    redacted = evaluate(case, as_of=as_of, privacy=Privacy(KEY, redact=True))
    (before,) = [o for o in plain.obligations if o.rule == "needs-assessment"]
    (after,) = [o for o in redacted.obligations if o.rule == "needs-assessment"]
    assert before.anchor == eligible and fmt_date(eligible) in before.explanation
    assert after.anchor is None and fmt_date(eligible) not in after.explanation
    assert all(fmt_date(eligible) not in o.explanation for o in redacted.obligations)
