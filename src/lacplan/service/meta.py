"""The read-only requests: the rule catalogue (:func:`rules`, :func:`rule`), the case format's
JSON Schema (:func:`case_schema`), working-day arithmetic (:func:`calendar_add`), the
provenance every answer carries (:func:`provenance`) and :func:`health`.

Their parameters are query parameters as given (name, value pairs, every value a string), as
``GET`` requests carry them; an unknown or repeated parameter is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from lacplan._version import __version__
from lacplan.calendar import england_and_wales, fmt_date
from lacplan.errors import CalendarRangeError
from lacplan.model import case_json_schema
from lacplan.rules import RulePack
from lacplan.rules.catalogue import render_catalogue
from lacplan.service.errors import ServiceError
from lacplan.service.values import (
    MAX_CALENDAR_STEP,
    pack_of,
    query_date,
    query_int,
    query_values,
)

__all__ = ["calendar_add", "case_schema", "health", "provenance", "rule", "rules"]

Parameters = Iterable[tuple[str, str]]
_RULES_PARAMETERS: Final = ("as_of", "rules")


def provenance(pack: RulePack | str = "england") -> dict[str, str]:
    """What every answer is computed with: lacplan's version, the rule pack (name, version,
    content hash) and the calendar (name and its holidays' provider version)."""
    chosen = pack if isinstance(pack, RulePack) else pack_of(pack)
    source = england_and_wales().source
    provider = source.provider.split(" ", 1)[0]
    return {
        "lacplan_version": __version__,
        "rules": chosen.name,
        "rules_version": chosen.version,
        "rules_hash": chosen.content_hash,
        "calendar": f"{source.name}; {provider} {source.provider_version}",
    }


def health() -> dict[str, Any]:
    """``{"status": "ok", "lacplan_version": ...}``."""
    return {"status": "ok", "lacplan_version": __version__}


def _catalogue(parameters: Parameters) -> tuple[RulePack, dict[str, Any]]:
    params = query_values(parameters, _RULES_PARAMETERS)
    pack = pack_of(params.get("rules") or "england")
    on = query_date(params, "as_of", required=False)
    return pack, json.loads(render_catalogue(pack, "json", on=on))


def rules(parameters: Parameters = ()) -> dict[str, Any]:
    """The rule catalogue as ``lacplan rules --format json`` prints it (``rules``,
    ``rules_version``, ``content_hash``, ``declarations``): the pack ``rules`` (default
    england), only the versions in force on ``as_of`` if given."""
    return _catalogue(parameters)[1]


def rule(rule_id: str, parameters: Parameters = ()) -> dict[str, Any]:
    """One rule's declarations (every variant and version, or those in force on ``as_of``),
    in the catalogue's shape with its ``id``; ``not_found`` if the pack has no such rule."""
    pack, catalogue = _catalogue(parameters)
    if rule_id not in pack.ids:
        raise ServiceError(
            "not_found",
            "rule_id",
            f"rule_id: pack {pack.name} has no rule with that id (the rule catalogue lists them).",
        )
    declarations = [d for d in catalogue["declarations"] if d.get("id") == rule_id]
    return {
        **{k: v for k, v in catalogue.items() if k != "declarations"},
        "id": rule_id,
        "declarations": declarations,
    }


def case_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one case, as ``lacplan schema`` prints it."""
    return case_json_schema()


def calendar_add(parameters: Parameters) -> dict[str, Any]:
    """The ``n``-th working day after ``date`` (England and Wales), as ``lacplan calendar
    explain`` gives it: the ``result``, each bank holiday skipped and the weekend days, and the
    ``explanation`` in words."""
    params = query_values(parameters, ("date", "n"))
    start = query_date(params, "date", required=True)
    n = query_int(params, "n", limit=MAX_CALENDAR_STEP)
    assert start is not None
    cal = england_and_wales()
    try:
        step = cal.explain(start, n)
    except CalendarRangeError as exc:
        raise ServiceError(
            "calendar_range",
            "date",
            f"date: the date, or the date {abs(n)} working days from it, falls outside the "
            f"working-day calendar's covered range ({exc.first.isoformat()} to "
            f"{exc.last.isoformat()}).",
        ) from None
    return {
        "date": start.isoformat(),
        "n": n,
        "result": step.result.isoformat(),
        "skipped": [
            {"date": s.day.isoformat(), "name": s.name, "statutory": s.statutory}
            for s in step.skipped
        ],
        "weekend_days": step.weekend_days,
        "explanation": f"{fmt_date(step.result)}: {n} working days after {fmt_date(start)}, "
        f"{step.describe()}",
        "calendar": cal.source.as_dict(),
    }
