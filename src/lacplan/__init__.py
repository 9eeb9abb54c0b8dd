"""lacplan: statutory clocks for looked-after children in England."""

from lacplan._version import __version__
from lacplan.errors import CalendarRangeError, InputError, LacplanError, RuleSetError, UsageError

__all__ = [
    "CalendarRangeError",
    "InputError",
    "LacplanError",
    "RuleSetError",
    "UsageError",
    "__version__",
]
