"""Rule files are data only, and bounded: each limit refuses a file with a ``RuleFileError``
naming the file and the limit, never the file's content; the crashes the fuzzer found are
refused the same way.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

import lacplan.rules.files as files
from fuzz.targets.rules import MINIMAL_OVERLAY
from lacplan.errors import RuleFileError
from lacplan.rules.files import (
    MAX_CLOSURE_DAYS,
    MAX_CLOSURES,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NUMBER,
    MAX_RULES,
    load_rule_file,
    loads_rule_file,
)

#: Content that must never appear in a limit's message.
SECRET = "secret-content-2009-07-13"
COUNCIL = Path(__file__).resolve().parents[2] / "docs" / "examples" / "my-council.toml"


def _refused(text: str, *, file: str = "f.toml") -> str:
    with pytest.raises(RuleFileError) as info:
        loads_rule_file(text, file=file)
    message = str(info.value)
    assert message.startswith(f"{file}")
    assert SECRET not in message
    return message


def _rule(k: int, *, when: str = "") -> str:
    return (
        f'[[rules]]\nid = "tiny-r{k}"\ntitle = "{SECRET}"\nscope = "period"\nversion = "1"\n'
        'anchor = [{ date = { ref = "period.start" }, label = "start" }]\n'
        f'offsets = [{when}{{ offset = {{ unit = "days", n = 7 }}, label = "{SECRET}" }}]\n'
        'satisfied_by = { events = [{ type = "review" }] }\n'
        'citation = { instrument = "T", instrument_title = "T", url = "https://e.org", '
        'provision = "1", status = "P" }\n'
    )


HEADER = (
    '[pack]\nname = "tiny"\nprefix = "tiny"\nbase = "england"\n'
    "in_force = { start = 2020-04-01 }\n\n"
)


def test_the_limits_leave_room_for_the_shipped_files() -> None:
    loads_rule_file(COUNCIL.read_text(encoding="utf-8"), file="my-council.toml")
    loads_rule_file(HEADER + "".join(_rule(k) for k in range(MAX_RULES)), file="many.toml")


def test_file_size(tmp_path: Path) -> None:
    big = HEADER + f"# {SECRET}\n" * (MAX_FILE_BYTES // 20)
    assert len(big.encode()) > MAX_FILE_BYTES
    assert "larger than 5,000,000 bytes (the limit for a rule file)" in _refused(big)
    path = tmp_path / "big.toml"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"big\.toml: is larger than 5,000,000 bytes"):
        load_rule_file(path)
    path.write_text(big[:MAX_FILE_BYTES], encoding="utf-8")  # at the limit: read (and valid)
    assert load_rule_file(path).name == "england+tiny"


@pytest.mark.parametrize(
    "value",
    [
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),  # deep enough for the walk
        "[" * 100_000 + "]" * 100_000,  # deep enough to exhaust tomllib's recursion
        "{ a = " * 5_000 + "1" + " }" * 5_000,
    ],
    ids=["arrays-51", "arrays-100000", "inline-tables-5000"],
)
def test_nesting_depth_of_values(value: str) -> None:
    message = _refused(HEADER + f'title = "{SECRET}"\nx = {value}\n')
    assert "nests tables and arrays more than 50 deep (the limit for a rule file)" in message


@pytest.mark.parametrize("parts", [MAX_DEPTH + 1, 40_000])
@pytest.mark.parametrize(
    "form", ["key", "spaced key", "quoted key", "table header", "array header", "inline table"]
)
def test_nesting_depth_of_dotted_keys(parts: int, form: str) -> None:
    """A dotted key of 40,000 parts took tomllib 20 s (1 s in a header or an inline table); it
    is refused before parsing."""
    if form == "key":
        text = ".".join(["a"] * parts) + " = 1"
    elif form == "spaced key":
        text = " . ".join(["a"] * parts) + " = 1"
    elif form == "quoted key":
        text = ".".join(['"a"'] * parts) + " = 1"
    elif form == "table header":
        text = "[" + ".".join(["a"] * parts) + "]"
    elif form == "array header":
        text = "[[" + ".".join(["a"] * parts) + "]]"
    else:
        text = "x = [{ " + ".".join(["a"] * parts) + " = 1 }]"
    start = time.perf_counter()
    assert "more than 50 deep" in _refused(HEADER + text + "\n")
    assert time.perf_counter() - start < 1.0


def test_nesting_at_the_limit_is_not_refused_for_depth() -> None:
    at_limit = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # [pack] is level 1, x's array 2
    assert "is not a known key" in _refused(HEADER + f"x = {at_limit}\n")
    assert "more than 50 deep" in _refused(HEADER + f"x = [{at_limit}]\n")


def test_rule_count() -> None:
    text = HEADER + "".join(_rule(k) for k in range(MAX_RULES + 1))
    assert "declares more than 1,000 rules (the limit for a rule file)" in _refused(text)


def test_condition_count() -> None:
    conditions = "{ kind = 'attr', target = 'period', field = 'entry', equals = 'planned' }, "
    when = "{ when = [" + conditions * 101 + "], offset = { unit = 'days', n = 1 }, label = 'x' }, "
    per_rule = 101
    rules = MAX_CONDITIONS // per_rule + 1
    text = HEADER + "".join(_rule(k, when=when) for k in range(rules))
    assert "declares more than 10,000 conditions (the limit for a rule file)" in _refused(text)


def test_nested_conditions_count_too() -> None:
    leaf = "{ kind = 'attr', target = 'period', field = 'entry', equals = 'planned' }"
    nested = "{ kind = 'all', conditions = [" + ", ".join([leaf] * 2_000) + "] }"
    when = (
        "{ when = ["
        + ", ".join([nested] * 6)
        + "], offset = { unit = 'days', n = 1 }, label = 'x' }, "
    )
    assert "more than 10,000 conditions" in _refused(HEADER + _rule(1, when=when))


@pytest.mark.parametrize("number", [MAX_NUMBER + 1, -MAX_NUMBER - 1, 10**9, "0x" + "f" * 5_000])
def test_whole_numbers(number: int | str) -> None:
    text = MINIMAL_OVERLAY.replace('setting = "days"', f"n = {number}") + f"# {SECRET}\n"
    message = _refused(text)
    assert "holds a whole number outside -10,000 to 10,000 (the limit for a rule file)" in message
    line = MINIMAL_OVERLAY.split("\n").index("[[rules]]") + 1
    assert message.startswith(f"f.toml:{line}:")  # the line of the rule's [[rules]] header


def test_whole_numbers_at_the_limit_are_read() -> None:
    for number in (MAX_NUMBER, -MAX_NUMBER):
        loads_rule_file(MINIMAL_OVERLAY.replace('setting = "days"', f"n = {number}"))


def test_a_number_over_4300_digits_is_invalid_toml() -> None:
    """Regression (fuzzer): tomllib's ValueError escaped as a traceback."""
    text = MINIMAL_OVERLAY.replace('setting = "days"', "n = " + "9" * 5_000)
    assert _refused(text) == "f.toml: is not valid TOML: a number has too many digits"


def test_closure_count() -> None:
    closures = ", ".join(['{ from = "12-27", to = "12-27" }'] * (MAX_CLOSURES + 1))
    text = MINIMAL_OVERLAY.replace(
        'closures = [{ from = "12-27", to = "12-31", name = "closure" }]',
        f"closures = [{closures}]",
    )
    assert "key 'pack.closures': declares more than 100 closures" in _refused(text)


@pytest.mark.parametrize(
    "closure",
    [
        "{ from = 0001-01-01, to = 9999-12-31 }",  # 6 s to list before the limit
        "{ from = 1990-01-01, to = 2270-01-01 }",
    ],
)
def test_closure_days(closure: str) -> None:
    text = MINIMAL_OVERLAY.replace('{ from = "12-27", to = "12-31", name = "closure" }', closure)
    start = time.perf_counter()
    assert f"cover more than {MAX_CLOSURE_DAYS:,} days" in _refused(text)
    assert time.perf_counter() - start < 1.0


def test_yearly_closures_count_each_year() -> None:
    yearly = ", ".join(['{ from = "01-01", to = "12-31" }'] * 4)  # 4 x 366 x 71 days
    text = MINIMAL_OVERLAY.replace(
        'closures = [{ from = "12-27", to = "12-31", name = "closure" }]', f"closures = [{yearly}]"
    )
    assert "cover more than 100,000 days" in _refused(text)
    text = MINIMAL_OVERLAY.replace(
        'closures = [{ from = "12-27", to = "12-31", name = "closure" }]',
        'closures = [{ from = "01-01", to = "12-31" }]',
    )
    loads_rule_file(text)


def test_a_closure_mixing_a_date_and_a_month_day_is_refused() -> None:
    """Regression (fuzzer): a ValueError escaped when the closure days were listed."""
    text = MINIMAL_OVERLAY.replace('from = "12-27"', "from = 2024-12-27")
    message = _refused(text)
    assert "key 'pack.closures.0'" in message
    assert "give both ends as dates, or both as MM-DD" in message


_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "open"}
_FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "importlib", "subprocess", "yaml", "ctypes"}


def test_rule_files_are_data_only() -> None:
    """files.py parses with tomllib only: no eval, exec, compile, pickle, marshal or dynamic
    import; the one open() reads bytes (bounded by MAX_FILE_BYTES)."""
    source = Path(files.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert not imported & _FORBIDDEN_MODULES
    calls = [
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]
    assert [c for c in calls if c in _FORBIDDEN_CALLS] == ["open"]
    assert "globals(" not in source and "locals(" not in source


IFA = Path(__file__).resolve().parents[2] / "src" / "lacplan" / "rules" / "overlays" / "ifa.toml"


@pytest.mark.parametrize(
    "name",
    [
        "{nth} year of the pl} year",  # found by the fuzzer: a ValueError in every evaluation
        "{n.__class__.__mro__}",  # Python's internals in every explanation
        "{nth.__doc__}",
        "{n:>100000000}",  # a gigabyte of padding per obligation
        "{n!r}",
        "{x}",
        "{0}",
        "{}",
    ],
)
def test_a_rolling_window_name_holds_only_its_placeholders(name: str) -> None:
    text = IFA.read_text(encoding="utf-8")
    assert 'name = "{nth} year of the placement"' in text
    bad = text.replace('name = "{nth} year of the placement"', f'name = "{name}"')
    message = _refused(bad, file="ifa.toml")
    assert "key 'schedule.name': may hold only the placeholders {n} and {nth}" in message
    assert name not in message
    good = text.replace('name = "{nth} year of the placement"', 'name = "{{{n}}}: {nth} year"')
    loads_rule_file(good, file="ifa.toml")
