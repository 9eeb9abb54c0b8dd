"""lacplan's pydantic models build their validators on first use (``defer_build``, for the cold
start); nothing a user can see depends on when: signatures, validation and JSON Schema are
those of a model built at import.

Each check runs a fresh interpreter, because this test process has built every model already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "schema" / "case.schema.json"

PROBE = """
import inspect, json, re
import lacplan.model, lacplan.domain.coverage, lacplan.offsets, lacplan.rules.conventions
import lacplan.rules.schema
from pydantic import BaseModel

modules = (lacplan.model, lacplan.domain.coverage, lacplan.offsets, lacplan.rules.conventions,
           lacplan.rules.schema)
classes = {}
for module in modules:
    for name in sorted(dir(module)):
        value = getattr(module, name)
        if isinstance(value, type) and issubclass(value, BaseModel) and not name.startswith("_"):
            classes[f"{module.__name__}.{name}"] = value
unbuilt = sorted(n for n, c in classes.items() if not c.__pydantic_complete__)
# Bases first: a base built before its subclasses must not lend them its signature.
bases = [lacplan.domain.base._Deferred, lacplan.domain.base._Trusted, lacplan.rules.terms._Frozen,
         lacplan.domain.events._EventBase, lacplan.offsets._Offset]
for base in bases:
    inspect.signature(base)
first = {n: str(inspect.signature(c)) for n, c in classes.items()}
for c in classes.values():
    c.model_rebuild(force=True)
again = {n: str(inspect.signature(c)) for n, c in classes.items()}
fields = {n: sorted(c.model_fields) for n, c in classes.items()}
print(json.dumps({"unbuilt": unbuilt, "first": first, "again": again, "fields": fields}))
"""


def test_signatures_are_those_of_built_models() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.splitlines()[-1])
    assert {
        "lacplan.model.Case",
        "lacplan.model.Visit",
        "lacplan.offsets.WorkingDays",
        "lacplan.rules.schema.Rule",
    } <= set(got["unbuilt"])
    assert got["first"] == got["again"]
    for name, signature in got["first"].items():
        for field in got["fields"][name]:
            assert f"{field}:" in signature, (name, field)


def test_a_deferred_model_validates_refuses_and_describes_itself_as_before() -> None:
    code = (
        "import json\n"
        "from lacplan.errors import CaseError\n"
        "from lacplan.model import Visit, case_json_schema\n"
        "assert not Visit.__pydantic_complete__\n"
        "v = Visit(date='2024-01-02', seen_alone=True)\n"
        "try:\n"
        "    Visit(date='2024-13-02')\n"
        "except CaseError as exc:\n"
        "    codes = [p['code'] for p in exc.problems]\n"
        "print(json.dumps([v.date.isoformat(), v.seen_alone, codes, case_json_schema()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    date, seen_alone, codes, schema = json.loads(out.stdout.splitlines()[-1])
    assert (date, seen_alone, codes) == ("2024-01-02", True, ["invalid_date"])
    assert schema == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
