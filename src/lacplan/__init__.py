"""lacplan: statutory clocks for looked-after children in England.

The public API, in the order data flows::

    load_cases(path)            JSON / JSON array / JSON Lines -> Case | RecordError  (adapters)
    read_ssda903(paths)         the SSDA903 return (CSV, XML, xlsx) -> a Batch of the same
    read_ssd(paths)             Standard Safeguarding Dataset tables (CSV, Parquet) -> the same
    Case, Period, Placement     validated, frozen case model: ids and dates only        (model)
    evaluate(cases, as_of=...)  rule pack + calendar -> Report                           (rules)
    Report.to_dict() / rows()   provenance, obligations, findings, errors                (report)

The working-day calendar lives in :mod:`lacplan.calendar`; rule declarations under
:mod:`lacplan.rules`.

Every name above is imported on first use (PEP 562), so ``import lacplan`` and
``from lacplan.calendar import ...`` cost only what is actually used; ``from lacplan import
evaluate`` and ``lacplan.evaluate`` behave as if everything had been imported eagerly.
"""

from __future__ import annotations

import sys as _sys
from importlib import import_module as _import_module
from types import ModuleType as _ModuleType

from lacplan._version import __version__

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (type checkers know the name).
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from lacplan._build import compiled_modules
    from lacplan.adapters import Batch, read_inputs
    from lacplan.adapters.ssd import read_ssd
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

#: Each public name and the module it is imported from on first use.
_LAZY: dict[str, str] = {
    "Batch": "lacplan.adapters",
    "read_inputs": "lacplan.adapters",
    "read_ssda903": "lacplan.adapters.ssda903",
    "read_ssd": "lacplan.adapters.ssd",
    "WorkingDayCalendar": "lacplan.calendar",
    "england_and_wales": "lacplan.calendar",
    "CalendarRangeError": "lacplan.errors",
    "CaseError": "lacplan.errors",
    "InputError": "lacplan.errors",
    "LacplanError": "lacplan.errors",
    "RuleSetError": "lacplan.errors",
    "UsageError": "lacplan.errors",
    "evaluate": "lacplan.evaluate",
    "iter_evaluate": "lacplan.evaluate",
    "load_cases": "lacplan.loaders",
    "compiled_modules": "lacplan._build",
    "Case": "lacplan.model",
    "Finding": "lacplan.model",
    "Period": "lacplan.model",
    "Placement": "lacplan.model",
    "Problem": "lacplan.model",
    "RecordError": "lacplan.model",
    "case_json_schema": "lacplan.model",
    "parse_case": "lacplan.model",
    "ChildResult": "lacplan.report",
    "Obligation": "lacplan.report",
    "Report": "lacplan.report",
    "Conventions": "lacplan.rules",
    "RulePack": "lacplan.rules",
    "get_pack": "lacplan.rules",
}

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
    "compiled_modules",
    "england_and_wales",
    "evaluate",
    "get_pack",
    "iter_evaluate",
    "load_cases",
    "parse_case",
    "read_inputs",
    "read_ssd",
    "read_ssda903",
]


if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name stays an error there

    def __getattr__(name: str) -> Any:
        """Import a public name (or a submodule, ``lacplan.rules``) on first use, then keep it."""
        source = _LAZY.get(name)
        if source is None:
            if name.startswith("__"):
                raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
            try:
                return _import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise
                raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        value = getattr(_import_module(source), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """The module's names and every public name, imported yet or not."""
    return sorted(set(globals()) | set(__all__))


class _Package(_ModuleType):
    """``lacplan`` itself. Importing the submodule ``lacplan.evaluate`` binds the attribute
    ``evaluate`` on the package to that module; this keeps the function of that name there, as
    an eager ``from lacplan.evaluate import evaluate`` in this file used to."""

    def __setattr__(self, name: str, value: object) -> None:
        if (
            isinstance(value, _ModuleType)
            and value.__name__ == f"{__name__}.{name}"
            and _LAZY.get(name) == value.__name__
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
