"""What a fresh process imports: ``import lacplan`` is lazy, and evaluating a child needs
neither ``holidays`` (when the shipped table matches it) nor any optional extra.

Each check runs a fresh interpreter, because this test process has imported everything.
Timings are not asserted here: ``benchmarks/bench_coldstart.py`` measures them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import lacplan
from lacplan.calendar_table import installed_holidays_version, shipped

DEMO = Path(lacplan.__file__).parent / "data" / "demo_cases.jsonl"

#: Optional extras, and ``holidays``: none of them may load to evaluate one child.
HEAVY = ("holidays", "numpy", "pandas", "pyarrow", "matplotlib", "openpyxl", "dask")

TABLE_MATCHES = shipped().holidays_version == installed_holidays_version()


def loaded_after(code: str, *args: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``code``."""
    probe = (
        f"{code}\nimport sys, json\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_lacplan_loads_nothing_heavy() -> None:
    loaded = loaded_after("import lacplan")
    assert not loaded & {*HEAVY, "pydantic", "pydantic_core"}


def test_the_calendar_alone_needs_no_pydantic() -> None:
    code = "from lacplan.calendar import england_and_wales\ncalendar = england_and_wales()"
    loaded = loaded_after(code)
    assert "pydantic" not in loaded
    if TABLE_MATCHES:
        assert "holidays" not in loaded


def test_evaluating_one_child_loads_no_extra_and_no_holidays() -> None:
    record = DEMO.read_text(encoding="utf-8").splitlines()[0]
    code = (
        "import datetime, json, sys, lacplan\n"
        "case = lacplan.parse_case(json.loads(sys.argv[1]))\n"
        "report = lacplan.evaluate(case, as_of=datetime.date(2024, 6, 30))\n"
        "assert list(report.obligations)"
    )
    loaded = loaded_after(code, record)
    expected_absent = set(HEAVY) if TABLE_MATCHES else set(HEAVY) - {"holidays"}
    assert not loaded & expected_absent


def test_evaluating_one_child_builds_no_rule_validator_and_loads_no_adapter() -> None:
    """The built-in pack is declared without validation and hashed without pydantic's
    serializers, so one child never builds the rule schema's validators (rule files do)."""
    record = DEMO.read_text(encoding="utf-8").splitlines()[0]
    code = (
        "import datetime, json, sys, lacplan\n"
        "case = lacplan.parse_case(json.loads(sys.argv[1]))\n"
        "report = lacplan.evaluate(case, as_of=datetime.date(2024, 6, 30))\n"
        "from lacplan.rules import conventions, schema, terms\n"
        "built = [m.__name__ for m in (schema.Rule, schema.Satisfaction, terms.DateExpr,\n"
        "    terms.Citation, terms.EventMatch, conventions.Conventions,\n"
        "    conventions.TermWindow) if m.__pydantic_complete__]\n"
        "adapters = sorted(m for m in sys.modules if m.startswith('lacplan.adapters'))\n"
        "print(json.dumps([built, adapters]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, record], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.splitlines()[-1]) == [[], []]


# ------------------------------------------------------------------ the lazy names
def test_every_public_name_resolves_to_its_source_object() -> None:
    import importlib

    for name in lacplan.__all__:
        value = getattr(lacplan, name)
        if name == "__version__":
            continue
        module = importlib.import_module(lacplan._LAZY[name])
        assert value is getattr(module, name), name
    assert set(lacplan._LAZY) == set(lacplan.__all__) - {"__version__"}
    assert set(lacplan.__all__) <= set(dir(lacplan))


def test_evaluate_stays_the_function_after_its_module_is_imported() -> None:
    import lacplan.evaluate

    assert isinstance(lacplan.evaluate, types.FunctionType)
    assert lacplan.evaluate is sys.modules["lacplan.evaluate"].evaluate
    code = "import lacplan.evaluate, lacplan, types\nprint(type(lacplan.evaluate).__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "function"


def test_submodules_and_unknown_names() -> None:
    assert lacplan.rules is sys.modules["lacplan.rules"]
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        getattr(lacplan, "no_such_name")  # noqa: B009 (mypy rejects the attribute: good)
    namespace: dict[str, object] = {}
    exec("from lacplan import *", namespace)
    assert set(lacplan.__all__) <= set(namespace)
