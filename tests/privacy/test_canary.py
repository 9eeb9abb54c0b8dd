"""The privacy canary (issue 13): children born on a sentinel date (13 July 2009), with the
sentinel also as unknown keys and in the return's ``13/07/2009`` form, fed through every input
path (a JSON document, JSON Lines, an SSDA903 return, an SSD extract) to every output
(``evaluate`` as jsonl, json, csv, table, xlsx and parquet, with one job and two; ``summary``,
``upcoming``, ``explain``), good records among bad.

What is checked, precisely (``docs/privacy.md``):

* always: the date of birth, in any form, is in no output and not on standard error; neither is
  any of its birthdays (0 to 25) or the date facts on standard error, in a rejected record's
  error (the JSON Lines and JSON outputs' error objects) or in a finding; no traceback;
* without ``--redact``, the birthdays appear only where the data shows them: an obligation's
  ``anchor``, ``key`` and ``explanation``;
* with ``--redact``, no birthday appears anywhere in any output;
* with ``--pseudonymise``, no original child id appears anywhere in any output or on standard
  error;
* a label named by the sentinel is shown only where labels are shown (its child's ``labels``,
  the ``label_<name>`` column), and never in errors or on standard error.
"""

from __future__ import annotations

import importlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lacplan.cli import main
from tests.privacy import canary as c

EVALUATE_FORMATS = ("jsonl", "json", "csv", "table", "xlsx", "parquet")
AUDITS: dict[str, tuple[str, ...]] = {
    "summary": ("summary",),
    "summary-csv": ("summary", "--format", "csv", "--by", "label:team"),
    "summary-per-child": (
        "summary",
        "--per-child",
        "--format",
        "json",
        "--period",
        "2022-04-01..2028-03-31",
    ),
    "upcoming": ("upcoming", "--days", "3650"),
    "upcoming-json": ("upcoming", "--days", "3650", "--format", "json"),
    "explain": ("explain", "--child", f"{c.ID_PREFIX}G1"),
}
FLAGS: dict[str, tuple[str, ...]] = {
    "plain": (),
    "redact": ("--redact",),
    "pseudonymise": ("--pseudonymise", "KEY"),
    "both": ("--pseudonymise", "KEY", "--redact"),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The arguments naming each input path's files (and the key file, as ``KEY``)."""
    root = tmp_path_factory.mktemp("canary")
    years = c.write_ssda903(root / "return")
    ssda903 = [*years, "--input-format", "ssda903"]
    for path in years:
        ssda903 += ["--year", f"{path}={Path(path).name}"]
    return {
        "json": [str(c.write_json(root / "cases.json"))],
        "jsonl": [str(c.write_jsonl(root / "cases.jsonl"))],
        "ssda903": ssda903,
        "ssd": c.write_ssd(root / "ssd"),
        "KEY": [str(c.private_key_file(root / "key"))],
    }


def _flags(name: str, inputs: dict[str, list[str]]) -> list[str]:
    return [inputs["KEY"][0] if f == "KEY" else f for f in FLAGS[name]]


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    parts = []
    for sheet in book.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def _parquet_text(path: Path) -> str:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    rows = table.to_pylist()
    return "\n".join([*table.column_names, *(str(v) for r in rows for v in r.values())])


def _run(
    capsys: pytest.CaptureFixture[str], tmp: Path, argv: list[str], fmt: str | None
) -> tuple[int, str, str]:
    """Exit status, the output as text (a file's cells for xlsx and Parquet) and stderr."""
    target = tmp / f"out.{fmt or 'txt'}"
    code = main([*argv, "-o", str(target)])
    out, err = capsys.readouterr()
    assert out == ""
    if fmt == "xlsx":
        text = _xlsx_text(target)
    elif fmt == "parquet":
        text = _parquet_text(target)
    else:
        text = target.read_text(encoding="utf-8")
    return code, text, err


def _errors_and_findings(text: str, fmt: str | None) -> list[Any]:
    """The error objects and findings of a JSON Lines or JSON output."""
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        found: list[Any] = [r["error"] for r in rows if "error" in r]
        found += [r["source_finding"] for r in rows if "source_finding" in r]
        return found + [f for r in rows for f in r.get("findings", ())]
    if fmt == "json":
        doc = json.loads(text)
        found = [*doc["errors"], *doc.get("source_findings", ())]
        return found + [f for child in doc["children"] for f in child["findings"]]
    return []


def _check(flags: str, fmt: str | None, code: int, text: str, err: str) -> None:
    assert code == 1, err  # the bad records are rejected, the good ones evaluated
    assert "Traceback" not in err
    assert "invalid_date" in (text if fmt == "table" else err)  # the rejections are reported
    assert not c.leaks(text, c.dob_forms())
    assert not c.leaks(err, c.birthday_forms())
    for item in _errors_and_findings(text, fmt):
        assert not c.leaks(json.dumps(item, ensure_ascii=False), c.birthday_forms()), item
    if "redact" in flags or flags == "both":
        assert not c.leaks(text, c.birthday_forms())
    if flags in ("pseudonymise", "both"):
        assert c.ID_PREFIX not in text
        assert c.ID_PREFIX not in err
    else:
        assert c.ID_PREFIX in text
    if flags == "plain" and fmt == "jsonl":
        shown = set()
        for line in text.splitlines():
            for where, s in c.walk_strings(json.loads(line)):
                if c.leaks(s, c.birthday_forms()):
                    shown.add(where.rsplit(".", 1)[-1])
        assert shown == {"anchor", "key", "explanation"}


@pytest.mark.parametrize("flags", list(FLAGS))
@pytest.mark.parametrize("fmt", EVALUATE_FORMATS)
@pytest.mark.parametrize("source", ["json", "jsonl", "ssda903", "ssd"])
def test_evaluate(
    inputs: dict[str, list[str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    source: str,
    fmt: str,
    flags: str,
) -> None:
    argv = ["evaluate", *inputs[source], "--as-of", c.AS_OF, "--format", fmt]
    argv += [*_flags(flags, inputs), "--jobs", "1", "--report-accounting"]
    code, text, err = _run(capsys, tmp_path, argv, fmt)
    _check(flags, fmt, code, text, err)


@pytest.mark.parametrize("flags", ["plain", "both"])
@pytest.mark.parametrize("fmt", EVALUATE_FORMATS)
@pytest.mark.parametrize("source", ["json", "jsonl", "ssda903", "ssd"])
def test_evaluate_with_two_jobs_is_the_same(
    inputs: dict[str, list[str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    source: str,
    fmt: str,
    flags: str,
) -> None:
    argv = ["evaluate", *inputs[source], "--as-of", c.AS_OF, "--format", fmt]
    argv += _flags(flags, inputs)
    one = _run(capsys, tmp_path, [*argv, "--jobs", "1"], fmt)
    two = _run(capsys, tmp_path, [*argv, "--jobs", "2"], fmt)
    assert two == one
    _check(flags, fmt, *two)


@pytest.mark.parametrize("flags", list(FLAGS))
@pytest.mark.parametrize("audit", list(AUDITS))
@pytest.mark.parametrize("source", ["json", "jsonl", "ssda903", "ssd"])
def test_audit_commands(
    inputs: dict[str, list[str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    source: str,
    audit: str,
    flags: str,
) -> None:
    command, *rest = AUDITS[audit]
    argv = [command, *inputs[source], "--as-of", c.AS_OF, *rest, *_flags(flags, inputs)]
    fmt = rest[rest.index("--format") + 1] if "--format" in rest else None
    code, text, err = _run(capsys, tmp_path, argv, fmt)
    assert code == 1 and "Traceback" not in err
    assert not c.leaks(text, c.dob_forms()) and not c.leaks(err, c.birthday_forms())
    if flags in ("redact", "both"):
        assert not c.leaks(text, c.birthday_forms())
    if flags in ("pseudonymise", "both"):
        assert c.ID_PREFIX not in text + err
    if audit == "explain":
        assert "needs-assessment #1" in text  # the child was found (by its id or pseudonym)
        withheld = "[date withheld]" in text
        assert withheld == (flags in ("redact", "both"))


def test_the_data_has_no_coincidences(
    inputs: dict[str, list[str]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No good record has an event, period, placement or due date on a birthday, so a birthday
    in an output can only have come from the date of birth; and the birthdays do show without
    ``--redact`` (the canary can see them)."""
    for record in c.records():
        dates = {e["date"] for e in record.get("events", ())}
        dates |= {p["start"] for p in record["periods"]}
        assert not dates & {d.isoformat() for d in c.birthdays()}
    argv = ["evaluate", *inputs["jsonl"], "--as-of", c.AS_OF, "--format", "jsonl"]
    _, text, _ = _run(capsys, tmp_path, argv, "jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    obligations = [o for r in rows for o in r.get("obligations", ())]
    assert not {o["due"] for o in obligations} & {d.isoformat() for d in c.birthdays()}
    assert not {o["met_on"] for o in obligations} & {d.isoformat() for d in c.birthdays()}
    assert c.leaks(text, c.birthday_forms())


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_a_label_named_by_the_sentinel_shows_only_as_a_label(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(c.label_case()) + "\n" + json.dumps(c.bad_cases()[3]) + "\n")
    argv = ["evaluate", str(path), "--as-of", c.AS_OF, "--format", fmt, "--redact"]
    code, text, err = _run(capsys, tmp_path, argv, fmt)
    assert code == 1
    name = c.SENTINEL_DOB.isoformat()
    assert not c.leaks(err, c.birthday_forms())
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        assert rows[0]["labels"] == {name: "v"}
        for row in rows:
            row.pop("labels", None)
        assert not c.leaks(json.dumps(rows), c.birthday_forms())
    elif fmt == "csv":
        header, *body = text.splitlines()
        assert f"label_{name}" in header.split(",")
        assert not c.leaks("\n".join(body), c.birthday_forms())
    else:
        heading = f"Child {c.ID_PREFIX}G7 ({name}=v)"
        assert heading in text
        assert not c.leaks(text.replace(heading, ""), c.birthday_forms())


@pytest.mark.parametrize("fmt", ["jsonl", "table", "csv", "parquet", "xlsx"])
def test_a_rejected_records_label_name_is_shown_nowhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "labels.jsonl"
    records = [c.good_case(1), c.rejected_label_case()]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    argv = ["evaluate", str(path), "--as-of", c.AS_OF, "--format", fmt, "--redact"]
    code, text, err = _run(capsys, tmp_path, argv, fmt)
    assert code == 1 and "labels.<key 1>" in text + err
    assert not c.leaks(text + err, c.birthday_forms())


def test_a_failed_evaluation_names_no_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case whose evaluation fails (here: made to raise with the date of birth in the
    exception's text) is an ``internal_error`` naming the exception's type only."""
    module = importlib.import_module("lacplan.evaluate")  # the module, not its function
    real: Callable[..., Any] = module.evaluate_case

    def failing(case: Any, *args: Any, **kwargs: Any) -> Any:
        if case.child_id.endswith("G2"):
            raise ValueError(f"{case.date_of_birth} {case.child_id}")
        return real(case, *args, **kwargs)

    monkeypatch.setattr(module, "evaluate_case", failing)
    path = c.write_jsonl(tmp_path / "cases.jsonl")
    key = c.private_key_file(tmp_path / "key")
    for flags in ([], ["--pseudonymise", str(key)]):
        argv = ["evaluate", str(path), "--as-of", c.AS_OF, "--format", "jsonl", *flags]
        code, text, err = _run(capsys, tmp_path, [*argv, "--jobs", "1"], "jsonl")
        assert code == 1
        assert "internal_error" in text and "ValueError" in err
        assert not c.leaks(text + err, c.dob_forms())
        assert (c.ID_PREFIX in text + err) == (not flags)


def test_progress_and_accounting_lines_hold_nothing(
    inputs: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Standard error with ``--progress`` (counts every 500 records: here a cohort of 1,000
    sentinel children) and ``--report-accounting``."""
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(c.good_case(n)) + "\n" for n in range(1000)))
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    argv = ["evaluate", str(path), "--as-of", c.AS_OF]
    argv += ["--format", "jsonl", "--columns", "compact", "--progress", "--report-accounting"]
    code = main([*argv, "--pseudonymise", inputs["KEY"][0], "-o", str(tmp_path / "out.jsonl")])
    assert code == 0
    assert "1,000 records read" in err.getvalue()
    assert not c.leaks(err.getvalue(), (*c.birthday_forms(), c.ID_PREFIX))
