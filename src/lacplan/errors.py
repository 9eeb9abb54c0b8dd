"""The lacplan exception tree.

Every exception lacplan raises on purpose derives from :class:`LacplanError`::

    LacplanError
    ├── InputError            a record cannot be read or validated (``problems``: field, code)
    │   └── CaseError         a model class (``Case(...)``, ``Case.model_validate``) refused it
    ├── RuleSetError          a rule pack is inconsistent (unknown id, overlapping versions)
    │   └── RuleFileError     a rule file cannot be read (``file``, ``line``, ``rule``, ``key``)
    ├── CalendarRangeError    a date lies outside the calendar's covered range
    └── UsageError            a caller passed arguments lacplan cannot act on

Messages name records by id and field path only. They never contain personal values such as a
date of birth; stable ``code`` strings are documented in ``docs/errors.md``.
"""

from __future__ import annotations

from datetime import date


class LacplanError(Exception):
    """Base class of every error lacplan raises deliberately."""

    code: str = "lacplan_error"


class InputError(LacplanError, ValueError):
    """A record could not be read or validated.

    ``problems`` is a list of ``{"field", "code", "message"}`` dicts; ``child_id`` is the record's
    id when it could be read.
    """

    code = "invalid_input"

    def __init__(
        self,
        message: str,
        *,
        child_id: str | None = None,
        problems: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.child_id = child_id
        self.problems = problems or []


class CaseError(InputError):
    """Building a :class:`~lacplan.model.Case` (or a period, placement or event) from the model
    classes failed: the same codes, field paths and value-free messages as ``parse_case``."""

    code = "invalid_case"


class RuleSetError(LacplanError, ValueError):
    """A rule pack, overlay or conventions object is inconsistent."""

    code = "invalid_rule_set"


class RuleFileError(RuleSetError):
    """A rule file (TOML) cannot be read or does not declare a valid pack.

    ``file`` is the file's name, ``line`` the line where it is known (else ``None``), ``rule``
    the rule id and ``key`` the dotted key path, where they apply.
    """

    code = "invalid_rule_file"

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        rule: str | None = None,
        key: str | None = None,
    ) -> None:
        where = f"{file}:{line}" if line is not None else file
        about = ", ".join(
            part
            for part in (f"rule {rule!r}" if rule else "", f"key {key!r}" if key else "")
            if part
        )
        super().__init__(f"{where}: {about + ': ' if about else ''}{message}")
        self.file = file
        self.line = line
        self.rule = rule
        self.key = key


class UsageError(LacplanError, ValueError):
    """Arguments lacplan cannot act on (unknown rule pack name, bad option value)."""

    code = "usage"


class CalendarRangeError(LacplanError, ValueError):
    """A date (or a result) falls outside the range a working-day calendar covers."""

    code = "calendar_range"

    def __init__(self, what: date | str, first: date, last: date) -> None:
        super().__init__(
            f"{what} is outside the working-day calendar's covered range "
            f"{first.isoformat()}..{last.isoformat()}; build a calendar with a wider range"
        )
        self.first = first
        self.last = last
