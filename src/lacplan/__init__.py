"""lacplan: statutory clocks for looked-after children in England.

The public API, in the order data flows::

    load_cases(path)            JSON / JSON array / JSON Lines -> Case | RecordError  (adapters)
    read_ssda903(paths)         the SSDA903 return (CSV, XML, xlsx) -> a Batch of the same
    Case, Period, Placement     validated, frozen case model: ids and dates only        (model)
    evaluate(cases, as_of=...)  rule pack + calendar -> Report                           (rules)
    Report.to_dict() / rows()   provenance, obligations, findings, errors                (report)

The working-day calendar lives in :mod:`lacplan.calendar`; rule declarations under
:mod:`lacplan.rules`.
"""

from lacplan._version import __version__
from lacplan.adapters import Batch, read_inputs
from lacplan.adapters.ssda903 import read_ssda903
from lacplan.calendar import WorkingDayCalendar, england_and_wales
from lacplan.errors import (
    CalendarRangeError,
    CaseError,
    InputError,
    LacplanError,
    RuleSetError,
    UsageError,
)
from lacplan.evaluate import evaluate, iter_evaluate
from lacplan.loaders import load_cases
from lacplan.model import (
    Case,
    Finding,
    Period,
    Placement,
    Problem,
    RecordError,
    case_json_schema,
    parse_case,
)
from lacplan.report import ChildResult, Obligation, Report
from lacplan.rules import Conventions, RulePack, get_pack

__all__ = [
    "Batch",
    "CalendarRangeError",
    "Case",
    "CaseError",
    "ChildResult",
    "Conventions",
    "Finding",
    "InputError",
    "LacplanError",
    "Obligation",
    "Period",
    "Placement",
    "Problem",
    "RecordError",
    "Report",
    "RulePack",
    "RuleSetError",
    "UsageError",
    "WorkingDayCalendar",
    "__version__",
    "case_json_schema",
    "england_and_wales",
    "evaluate",
    "get_pack",
    "iter_evaluate",
    "load_cases",
    "parse_case",
    "read_inputs",
    "read_ssda903",
]
