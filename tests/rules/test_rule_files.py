"""Rule files (TOML): the England pack round-trips, overlays load with clear errors, and a
council's own file runs on the docs' example case."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from lacplan import evaluate, load_cases
from lacplan.cli import main
from lacplan.errors import RuleFileError, UsageError
from lacplan.model import parse_case
from lacplan.rules import get_pack
from lacplan.rules.england import ENGLAND
from lacplan.rules.england.scenarios import SCENARIOS
from lacplan.rules.files import dump_rule_file, load_rule_file, loads_rule_file
from lacplan.rules.pack import RulePack

ROOT = Path(__file__).resolve().parents[2]
COUNCIL = ROOT / "docs" / "examples" / "my-council.toml"
EXAMPLE = ROOT / "docs" / "examples" / "case.json"

OVERLAY = """\
[pack]
name = "my-council"
source = "local"
prefix = "my-council"
base = "england"
in_force = { start = 2011-04-01 }

[[rules]]
id = "my-council-visit"
title = "Visits every 4 weeks"
scope = "placement"
version = "1"
base_rule = "visit"
schedule = { kind = "chain" }
anchor = [{ date = { ref = "rule:visit-first.met_on" }, label = "the date of the first visit" }]
offsets = [{ offset = { unit = "weeks", n = 4 } }]
satisfied_by = { events = [{ type = "visit", fields = { by = "social_worker" } }] }
citation.instrument = "C"
citation.instrument_title = "Council"
citation.provision = "s 1"
citation.url = "https://example.org/c"
citation.status = "P"
"""


def test_the_england_pack_round_trips_through_a_rule_file() -> None:
    text = dump_rule_file(ENGLAND)
    again = loads_rule_file(text, file="england.toml")
    assert again.content_hash == ENGLAND.content_hash
    assert again.rules == ENGLAND.rules and again.ids == ENGLAND.ids
    for s in SCENARIOS:
        c = parse_case(s.case)
        assert list(evaluate(c, as_of=s.as_of, rules=again).obligations) == list(
            evaluate(c, as_of=s.as_of).obligations
        ), s.title


def test_every_golden_test_passes_with_the_reloaded_pack() -> None:
    env = {**os.environ, "LACPLAN_GOLDEN_PACK": "toml"}
    skip = "not test_generated_pages_are_current and not test_every_golden_test"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/rules", "-k", skip],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_agency_pack_round_trips_too() -> None:
    ifa = get_pack("england+ifa")
    again = loads_rule_file(dump_rule_file(ifa), file="ifa.toml", base=ENGLAND)
    assert again.content_hash == ifa.content_hash and again.name == "england+ifa"
    assert again.layers[-1].settings == {"emergency_review_working_days": 10}


def _load(text: str) -> None:
    loads_rule_file(text, file="council.toml")


def test_an_overlay_naming_an_unknown_base_rule() -> None:
    with pytest.raises(RuleFileError) as info:
        _load(OVERLAY.replace('base_rule = "visit"', 'base_rule = "visits"'))
    err = info.value
    assert (err.file, err.line) == ("council.toml", 8)
    assert "base rule 'visits'" in str(err) and "did you mean 'visit'?" in str(err)
    assert str(err).startswith("council.toml:8: ")


def test_malformed_toml_names_the_line() -> None:
    with pytest.raises(RuleFileError) as info:
        _load(OVERLAY.replace('title = "Visits every 4 weeks"', 'title = "Visits every 4 weeks'))
    assert info.value.line == 10 and "is not valid TOML" in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "hint"),
    [
        ('base_rule = "visit"', 'base_rul = "visit"', 13, "base_rul", "did you mean 'base_rule'?"),
        ("offset = { unit", "ofset = { unit", 16, "offsets.0.ofset", "did you mean 'offset'?"),
        ('kind = "chain"', 'kind = "chian"', 14, "schedule", "did you mean 'chain'?"),
    ],
)
def test_misspelt_keys_are_named_with_a_suggestion(
    old: str, new: str, line: int, key: str, hint: str
) -> None:
    with pytest.raises(RuleFileError) as info:
        _load(OVERLAY.replace(old, new))
    err = info.value
    assert (err.line, err.rule, err.key) == (line, "my-council-visit", key), str(err)
    assert hint in str(err)


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ('type = "visit"', 'type = "vist"', "did you mean 'visit'?"),
        ("fields = { by =", "fields = { bye =", "did you mean 'by'?"),
        ("rule:visit-first.met_on", "rule:visit-frist.met_on", "did you mean 'visit-first'?"),
    ],
)
def test_misspelt_event_types_fields_and_rule_ids(old: str, new: str, hint: str) -> None:
    with pytest.raises(RuleFileError) as info:
        _load(OVERLAY.replace(old, new))
    assert hint in str(info.value) and info.value.line == 8, str(info.value)


def test_overlay_ids_carry_the_prefix_and_a_source() -> None:
    with pytest.raises(RuleFileError, match="must start with the pack's prefix 'my-council-'"):
        _load(OVERLAY.replace('id = "my-council-visit"', 'id = "visit-4-weekly"'))
    with pytest.raises(RuleFileError, match="an overlay's source is 'agency' or 'local'"):
        _load(OVERLAY.replace('source = "local"', 'source = "statutory"'))
    with pytest.raises(RuleFileError, match="unknown top-level key; did you mean 'rules'"):
        _load(OVERLAY + "\n[[rule]]\nid = 'x'\n")


def test_a_base_the_rules_do_not_include() -> None:
    with pytest.raises(RuleFileError, match="extends 'england', which the rules given"):
        loads_rule_file(OVERLAY, file="c.toml", base=RulePack("other", "1", ()))
    with pytest.raises(UsageError, match="unknown overlay 'ifaa'"):
        get_pack("england+ifaa")


def test_the_council_example_runs_on_the_docs_example_case() -> None:
    cases = list(load_cases(EXAMPLE))
    report = evaluate(cases, as_of=date(2021, 3, 1), overlays=[COUNCIL])
    assert report.rules == "england+my-council"
    council = {o.rule: o for o in report.obligations if o.source == "local" and o.period_id == "2"}
    # Emergency entry Fri 18 Dec 2020, 5 working days on the council's calendar: Mon 21, Tue 22,
    # Wed 23, Thu 24 Dec, then Christmas Day, Boxing Day (observed, Mon 28), the council's
    # closure (29-31 Dec), New Year's Day: the 5th is Mon 4 Jan 2021. Met Wed 23 Dec.
    plan = council["my-council-care-plan"]
    assert (plan.due, plan.met_on, plan.status) == (
        date(2021, 1, 4),
        date(2020, 12, 23),
        "met_on_time",
    )
    assert "Tue 29 Dec 2020 (council Christmas closure)" in plan.explanation
    # The statutory 10 working days never see the council's closure: Wed 6 Jan 2021.
    statutory = report.obligation("612408:2:-:care-plan:2020-12-18")
    assert statutory.due == date(2021, 1, 6) and "council" not in statutory.explanation
    # Every 4 weeks from the first visit, Tue 22 Dec 2020: Tue 19 Jan 2021, none by then; PL-1002
    # ended on 15 Feb 2021: missed.
    visit = council["my-council-visit"]
    assert (visit.due, visit.status, visit.base_rule) == (date(2021, 1, 19), "missed", "visit")


def test_cli_check_and_toml_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["rules", "--overlay", str(COUNCIL), "--check"]) == 0
    out = capsys.readouterr().out
    assert "my-council 2026.1 (local): 3 declarations" in out and "ok: england+my-council" in out
    bad = tmp_path / "bad.toml"
    bad.write_text(OVERLAY.replace('base_rule = "visit"', 'base_rule = "visits"'), encoding="utf-8")
    assert main(["rules", "--overlay", str(bad), "--check"]) == 1
    assert "bad.toml:8: " in capsys.readouterr().err
    assert main(["rules", "--format", "toml"]) == 0
    text = capsys.readouterr().out
    assert loads_rule_file(text).content_hash == ENGLAND.content_hash
    assert main(["rules", "--rules", "england+ifa", "--format", "toml"]) == 0
    assert 'name = "ifa"' in capsys.readouterr().out


def test_load_rule_file_reports_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read the file"):
        load_rule_file(tmp_path / "missing.toml")
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(RuleFileError, match="is not UTF-8 text"):
        load_rule_file(binary)
