"""The request layer: lacplan's answers as plain functions from JSON-compatible values to
JSON-compatible values, with no web framework in them.

The HTTP app (:mod:`lacplan.server`), the CLI where it fits and the in-browser app all call
these::

    evaluate(request)              the report, as ``lacplan evaluate --format json``
    evaluate_lines(body, query)    a JSON Lines body, as ``--format jsonl``, ending in a summary
    explain(request)               one child's explanations (``lacplan explain``)
    summary(request)               on-time rates (``lacplan summary``)
    upcoming(request)              the worklist (``lacplan upcoming``)
    compare(request)               a case system's due dates beside lacplan's (``lacplan compare``)
    rules(query), rule(id, query)  the rule catalogue (``lacplan rules --format json``)
    case_schema()                  the case format's JSON Schema (``lacplan schema``)
    calendar_add(query)            working-day arithmetic (``lacplan calendar explain``)
    provenance(rules), health()    what answers are computed with; liveness

A request is a JSON object (a ``dict``) of the fields of its model in
:mod:`lacplan.service.models`, the CLI's options by the same names: the cases as ``cases``
(case objects) or ``files`` (``[{"name": ..., "bytes": <base64>}]`` read as ``input_format``,
any of :data:`lacplan.adapters.INPUT_FORMATS`), ``as_of``, ``rules`` and the command's own
options. A request that cannot be acted on raises :class:`ServiceError` (``code``, ``path``,
``message``, ``status``; its ``as_dict()`` is the HTTP error body); invalid cases in a valid
request are rejected records in the answer's ``errors``, as the CLI reports them. No message
ever quotes a submitted value, and nothing is kept once the answer is returned. Nothing here
imports pandas, numpy or a web framework.
"""

from __future__ import annotations

from lacplan.service.compare import compare
from lacplan.service.errors import ERROR_STATUS, ServiceError
from lacplan.service.meta import calendar_add, case_schema, health, provenance, rule, rules
from lacplan.service.reports import (
    DATE_RANGE,
    MAX_CASES,
    Lines,
    evaluate,
    evaluate_lines,
    explain,
    summary,
    upcoming,
)
from lacplan.service.values import parse_json

__all__ = [
    "DATE_RANGE",
    "ERROR_STATUS",
    "MAX_CASES",
    "Lines",
    "ServiceError",
    "calendar_add",
    "case_schema",
    "compare",
    "evaluate",
    "evaluate_lines",
    "explain",
    "health",
    "parse_json",
    "provenance",
    "rule",
    "rules",
    "summary",
    "upcoming",
]
