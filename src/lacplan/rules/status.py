"""An unexcused obligation's status from what happened and when (the engine's status rules).

For an obligation with due date ``due`` as at ``as_of`` (``rules/engine.py`` says more):

* met by an event: ``met_on_time`` when ``met_on <= due`` (or there is no fixed due), else
  ``met_late``;
* unmet, scope ended (on or before ``as_of``): ``not_required`` when it ended before ``due``,
  ``missed`` when it ended on or after ``due`` or the duty has no fixed due date;
* unmet, scope open: ``overdue`` when ``as_of > due``, else ``pending``.
"""

from __future__ import annotations

from datetime import date

__all__ = ["status_of"]


def status_of(
    met_on: date | None, due: date | None, scope_end: date | None, as_of: date
) -> tuple[str, str | None]:
    """``(status, reason)``: the reason is ``no_fixed_timescale`` or ``scope_ended`` where one
    is reported, else ``None``."""
    if met_on is not None:
        return ("met_on_time" if due is None or met_on <= due else "met_late"), None
    if scope_end is not None:
        if due is None:
            return "missed", "no_fixed_timescale"
        return ("not_required", "scope_ended") if scope_end < due else ("missed", None)
    if due is None:
        return "pending", "no_fixed_timescale"
    return ("overdue", None) if as_of > due else ("pending", None)
