"""``--pseudonymise KEYFILE``: child ids replaced by HMAC-SHA256(key file bytes, id) as
lower-case hex, first 20 digits, in ``child_id``, keys, errors and messages, in every format;
the key file's rules; deterministic, and the same for every ``--jobs``."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
from datetime import date
from pathlib import Path

import pytest

from lacplan import evaluate, load_cases
from lacplan.cli import main
from lacplan.errors import UsageError
from lacplan.privacy import Privacy, keyed_hash, pseudonym, read_key_file
from lacplan.synth import write_cohort

KEY = bytes(range(32, 64))
#: HMAC-SHA256(KEY, "C1"), first 20 hex digits: computed once (``openssl dgst -sha256 -mac
#: HMAC -macopt hexkey:202122...3f`` of ``C1``) and pinned.
C1_PSEUDONYM = "a5c3e2f31e4a8b4a8aab"
AS_OF = "2021-03-01"

GOOD = {
    "child_id": "CHILD-7Q",
    "date_of_birth": "2012-04-02",
    "labels": {"team": "CHILD-7Q-team"},
    "periods": [
        {
            "period_id": "A",
            "start": "2020-12-18",
            "entry": "emergency",
            "placements": [{"placement_id": "PL1", "start": "2020-12-18"}],
        }
    ],
    "events": [{"type": "review", "date": "2021-01-20"}],
}
BAD = {"child_id": "CHILD-9Z", "date_of_birth": "2012-02-30", "periods": []}


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "key"
    path.write_bytes(KEY)
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(BAD) + "\n")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit status (a usage error's included), standard output and standard error."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_pseudonym_is_the_hmac_of_the_id() -> None:
    expected = hmac.new(KEY, b"C1", hashlib.sha256).hexdigest()[:20]
    assert pseudonym(KEY, "C1") == expected == C1_PSEUDONYM
    assert len(pseudonym(KEY, "x")) == 20 and pseudonym(KEY, "x").islower()
    assert pseudonym(KEY, "Zoë") == hmac.new(KEY, "Zoë".encode(), "sha256").hexdigest()[:20]
    assert pseudonym(bytes(32), "C1") != C1_PSEUDONYM
    # a lone surrogate (an id the model rejects, still named in its error) has a hash too
    assert keyed_hash(KEY, "A\ud800") == hmac.new(KEY, b"A\xed\xa0\x80", "sha256").hexdigest()[:20]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "table"])
def test_every_id_is_replaced_and_nothing_else(
    capsys: pytest.CaptureFixture[str], cases: Path, key_file: Path, fmt: str
) -> None:
    """The pseudonymised output is the plain one with each child id replaced by its pseudonym
    (in ``child_id``, keys, errors, messages); labels stay, even one that contains the id."""
    argv = ["evaluate", str(cases), "--as-of", AS_OF, "--format", fmt, "--jobs", "1"]
    plain = _run(capsys, *argv)
    hidden = _run(capsys, *argv, "--pseudonymise", str(key_file))
    assert plain[0] == hidden[0] == 1
    good, bad = pseudonym(KEY, "CHILD-7Q"), pseudonym(KEY, "CHILD-9Z")
    for text, other in ((plain[1], hidden[1]), (plain[2], hidden[2])):
        team = "CHILD-7Q-team"
        expected = text.replace(team, "<team>").replace("CHILD-7Q", good).replace("CHILD-9Z", bad)
        assert other.replace(team, "<team>") == expected
    assert "CHILD-9Z" not in hidden[1] + hidden[2]
    assert "CHILD-7Q" not in (hidden[1] + hidden[2]).replace("CHILD-7Q-team", "")
    line = f'(child {bad}): date_of_birth: invalid_date: case "{bad}", date_of_birth:'
    assert line in (hidden[1] if fmt == "table" else hidden[2])
    if fmt == "jsonl":
        child, error = (json.loads(line) for line in hidden[1].splitlines())
        assert child["child_id"] == good and child["labels"] == {"team": "CHILD-7Q-team"}
        assert {o["child_id"] for o in child["obligations"]} == {good}
        assert all(o["key"].startswith(good + ":A:") for o in child["obligations"])
        assert error["error"]["child_id"] == bad


def test_it_is_deterministic_and_the_same_for_every_jobs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path
) -> None:
    cohort = tmp_path / "cohort.jsonl"
    with open(cohort, "w", encoding="utf-8") as out:
        write_cohort(out, 150, seed=5, as_of=date(2024, 6, 3))
    with open(cohort, "a", encoding="utf-8") as out:
        out.write(json.dumps(BAD) + "\n")
    outputs = []
    for jobs in ("1", "2", "2"):
        for fmt in ("jsonl", "csv"):
            target = tmp_path / f"out-{jobs}.{fmt}"
            argv = ["evaluate", str(cohort), "--as-of", "2024-06-03", "--format", fmt]
            code, _, err = _run(
                capsys, *argv, "--jobs", jobs, "--pseudonymise", str(key_file), "-o", str(target)
            )
            assert code == 1
            outputs.append((fmt, target.read_bytes(), err))
    assert outputs[0:2] == outputs[2:4] == outputs[4:6]
    assert b"CHILD-9Z" not in outputs[0][1] and "CHILD-9Z" not in outputs[0][2]


def test_the_python_api_gives_what_the_command_writes(cases: Path) -> None:
    privacy = Privacy(KEY, pseudonymise=True)
    report = evaluate(load_cases(cases), as_of=date(2021, 3, 1), privacy=privacy)
    plain = evaluate(load_cases(cases), as_of=date(2021, 3, 1))
    assert [c.child_id for c in report.children] == [pseudonym(KEY, "CHILD-7Q")]
    assert report.errors[0].child_id == pseudonym(KEY, "CHILD-9Z")
    for a, b in zip(report.obligations, plain.obligations, strict=True):
        assert a.key == pseudonym(KEY, "CHILD-7Q") + b.key.removeprefix("CHILD-7Q")
        assert (a.anchor, a.due, a.status, a.explanation) == (
            b.anchor,
            b.due,
            b.status,
            b.explanation,
        )
    # a Privacy pickles (for the workers) and never shows its key
    assert pickle.loads(pickle.dumps(privacy)) == privacy
    assert KEY.hex() not in repr(privacy) and repr(KEY) not in repr(privacy)


def test_explain_takes_the_id_or_its_pseudonym(
    capsys: pytest.CaptureFixture[str], cases: Path, key_file: Path
) -> None:
    argv = ["explain", str(cases), "--as-of", AS_OF, "--rule", "review-first"]
    plain = _run(capsys, *argv, "--child", "CHILD-7Q")
    by_id = _run(capsys, *argv, "--child", "CHILD-7Q", "--pseudonymise", str(key_file))
    alias = pseudonym(KEY, "CHILD-7Q")
    by_alias = _run(capsys, *argv, "--child", alias, "--pseudonymise", str(key_file))
    assert plain[1] == by_id[1] == by_alias[1] != ""
    assert by_id[0] == by_alias[0] == 1  # the bad record is still rejected
    assert "CHILD-9Z" not in by_id[2]


@pytest.mark.parametrize(
    ("content", "mode", "rule"),
    [
        (KEY[:31], 0o600, "holds 31 bytes; a key file must hold 32 bytes"),
        (b"", 0o600, "holds 0 bytes"),
        (KEY, 0o640, "readable by group or others (mode 0640)"),
        (KEY, 0o604, "readable by group or others (mode 0604)"),
        (KEY, 0o644, "readable by group or others"),
        (bytes(1 << 20) + b"x", 0o600, "holds more than 1 MiB"),
    ],
)
def test_a_bad_key_file_is_exit_2_naming_the_file_and_the_rule(
    capsys: pytest.CaptureFixture[str],
    cases: Path,
    tmp_path: Path,
    content: bytes,
    mode: int,
    rule: str,
) -> None:
    key = tmp_path / "my\x1bkey"
    key.write_bytes(content)
    os.chmod(key, mode)
    out = tmp_path / "out.jsonl"
    argv = ["evaluate", str(cases), "--as-of", AS_OF, "--format", "jsonl", "-o", str(out)]
    code, stdout, err = _run(capsys, *argv, "--pseudonymise", str(key))
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and rule in err
    assert "my\\x1bkey" in err and "\x1b" not in err  # named, escaped
    assert not out.exists()  # refused before anything was written
    if content:
        assert content[:8].decode("latin-1") not in err and content.hex()[:16] not in err


def test_a_key_file_that_is_not_a_file_or_is_missing(
    capsys: pytest.CaptureFixture[str], cases: Path, tmp_path: Path
) -> None:
    argv = ["summary", str(cases), "--as-of", AS_OF, "--pseudonymise"]
    code, _, err = _run(capsys, *argv, str(tmp_path / "absent"))
    assert code == 2 and "cannot open the key file" in err and "absent" in err
    code, _, err = _run(capsys, *argv, str(tmp_path))
    assert code == 2 and "is not a regular file" in err
    with pytest.raises(UsageError, match="at least 32"):
        Privacy(b"short", pseudonymise=True)


def test_an_owner_only_key_file_is_read_whole(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(KEY + b"\n")  # a trailing newline is part of the key
    os.chmod(key, 0o400)
    assert read_key_file(str(key)) == KEY + b"\n"


def test_the_output_may_not_be_the_key_file(
    capsys: pytest.CaptureFixture[str], cases: Path, key_file: Path
) -> None:
    argv = ["evaluate", str(cases), "--as-of", AS_OF, "--pseudonymise", str(key_file)]
    code, _, err = _run(capsys, *argv, "-o", str(key_file))
    assert code == 2 and "is the input" in err
    assert key_file.read_bytes() == KEY
