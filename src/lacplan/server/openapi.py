"""The HTTP app's OpenAPI document, built from the request models of
:mod:`lacplan.service.models` and this module's description of each endpoint and answer, never
by the web framework (a new FastAPI release cannot change it; this module does not import it).

It is served at ``/openapi.json`` and shipped as ``docs/openapi.json``; CI checks the file is
current::

    python -m lacplan.server.openapi --check docs/openapi.json
    python -m lacplan.server.openapi --write docs/openapi.json   # after changing the API

The check compares the two documents as JSON values (key order and spacing aside) without
``info.version``, so a release that changes only lacplan's version number needs no rewrite.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from lacplan._version import __version__
from lacplan.report import OBLIGATION_FIELDS
from lacplan.service.errors import ERROR_STATUS
from lacplan.service.models import (
    CompareRequest,
    EvaluateRequest,
    ExplainRequest,
    SummaryRequest,
    UpcomingRequest,
)

__all__ = ["build", "main", "normalised"]

_REF = "#/components/schemas/"
_STR = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_NULL_STR = {"type": ["string", "null"]}
_OBJECT = {"type": "object"}


def _obligation_schema() -> dict[str, Any]:
    types: dict[str, Any] = {
        "sequence": {"type": "integer"},
        "days_late": {"type": ["integer", "null"]},
        "anchor": {"type": ["string", "null"], "format": "date"},
        "due": {"type": ["string", "null"], "format": "date"},
        "met_on": {"type": ["string", "null"], "format": "date"},
    }
    return {
        "type": "object",
        "description": "One obligation (docs/evaluate.md); `columns` may choose fewer fields.",
        "properties": {f: types.get(f, _NULL_STR) for f in OBLIGATION_FIELDS},
    }


def _provenance(extra: dict[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    props = {
        "as_of": _DATE,
        "rules": _STR,
        "rules_version": _STR,
        "rules_hash": _STR,
        "lacplan_version": _STR,
        "conventions": _OBJECT,
        "calendar": _OBJECT,
        **extra,
        "errors": {"type": "array", "items": {"$ref": _REF + "RecordError"}},
        "accounting": _OBJECT,
        "source_findings": {"type": "array", "items": {"$ref": _REF + "Finding"}},
    }
    return {
        "type": "object",
        "required": ["as_of", "rules", "rules_version", "rules_hash", *required, "errors"],
        "properties": props,
    }


def _answers() -> dict[str, Any]:
    """The schemas of the answers (hand-written: they are the CLI's outputs)."""
    rows = {"type": "array", "items": _OBJECT}
    columns = {"type": "array", "items": _STR}
    period = {"type": "object", "properties": {"from": _DATE, "to": _DATE}}
    catalogue = {
        "rules": _STR,
        "rules_version": _STR,
        "content_hash": _STR,
        "declarations": {"type": "array", "items": _OBJECT},
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "path", "message"],
                    "properties": {
                        "code": {"type": "string", "enum": list(ERROR_STATUS)},
                        "path": {"type": "string", "description": "Where in the request."},
                        "message": {"type": "string", "description": "Never quotes a value."},
                    },
                }
            },
        },
        "Problem": {
            "type": "object",
            "properties": {"field": _STR, "code": _STR, "message": _STR},
        },
        "RecordError": {
            "type": "object",
            "description": "A rejected record, as the CLI reports it (docs/errors.md).",
            "properties": {
                "file": _STR,
                "line": {"type": "integer"},
                "child_id": _NULL_STR,
                "problems": {"type": "array", "items": {"$ref": _REF + "Problem"}},
            },
        },
        "Finding": {
            "type": "object",
            "properties": {"code": _STR, "field": _STR, "message": _STR},
        },
        "Obligation": _obligation_schema(),
        "Child": {
            "type": "object",
            "properties": {
                "child_id": _STR,
                "labels": {"type": "object", "additionalProperties": _STR},
                "obligations": {"type": "array", "items": {"$ref": _REF + "Obligation"}},
                "findings": {"type": "array", "items": {"$ref": _REF + "Finding"}},
            },
        },
        "Report": _provenance(
            {
                "catalogue": _OBJECT,
                "children": {"type": "array", "items": {"$ref": _REF + "Child"}},
            },
            ["children"],
        ),
        "Explanation": _provenance(
            {
                "child_id": _NULL_STR,
                "obligations": {"type": "array", "items": {"$ref": _REF + "Obligation"}},
            },
            ["obligations"],
        ),
        "Rows": _provenance(
            {
                "period": period,
                "year_end": _DATE,
                "days": {"type": "integer"},
                "until": _DATE,
                "columns": columns,
                "rows": rows,
                "source": _STR,
                "summary": _OBJECT,
            },
            ["columns", "rows"],
        ),
        "Catalogue": {"type": "object", "properties": catalogue},
        "RuleDeclarations": {"type": "object", "properties": {**catalogue, "id": _STR}},
        "CalendarStep": {
            "type": "object",
            "properties": {
                "date": _DATE,
                "n": {"type": "integer"},
                "result": _DATE,
                "skipped": {"type": "array", "items": _OBJECT},
                "weekend_days": {"type": "integer"},
                "explanation": _STR,
                "calendar": _OBJECT,
            },
        },
        "Health": {"type": "object", "properties": {"status": _STR, "lacplan_version": _STR}},
    }


_HEADERS: Final = {
    "Lacplan-Version": "lacplan's version.",
    "Lacplan-Rules": "The rule pack the answer was computed with (else the default pack).",
    "Lacplan-Rules-Version": "That pack's version.",
    "Lacplan-Rules-Hash": "That pack's content hash.",
    "Lacplan-Calendar": "The working-day calendar and its holidays' version.",
}

_LINES_PARAMETERS: Final = [
    ("as_of", True, "Evaluate as at this date (YYYY-MM-DD)."),
    ("rules", False, "The rule pack (default england)."),
    ("columns", False, "The fields of each obligation, as `--columns`."),
    ("months", False, "calendar (default) or fixed_days."),
    ("redact", False, "true to withhold the dates derived from the date of birth."),
]


def _query(name: str, required: bool, description: str, where: str = "query") -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


def _response(description: str, schema: str | None, media: str = "application/json") -> Any:
    content = {media: {"schema": {"$ref": _REF + schema} if schema else {"type": "string"}}}
    headers = {h: {"$ref": f"#/components/headers/{h}"} for h in _HEADERS}
    if schema in ("Report", "Explanation", "Rows"):
        headers["Lacplan-Rejected"] = {"$ref": "#/components/headers/Lacplan-Rejected"}
    return {"description": description, "headers": headers, "content": content}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"$ref": f"#/components/responses/Error{s}"} for s in statuses}


def _post(summary: str, model: type[BaseModel], answer: str, description: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "description": description,
            "operationId": model.__name__.removesuffix("Request").lower(),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": _REF + model.__name__}}},
            },
            "responses": {
                "200": _response(summary, answer),
                **_errors(400, 401, 413, 415, 422, 500, 503),
            },
        }
    }


def _get(
    summary: str, op: str, answer: str, parameters: list[Any], errors: Sequence[int] = (401, 422)
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": op,
            "parameters": parameters,
            "responses": {"200": _response(summary, answer), **_errors(*errors, 500)},
        }
    }


def _paths() -> dict[str, Any]:
    evaluate = _post(
        "Evaluate cases",
        EvaluateRequest,
        "Report",
        "The report, as `lacplan evaluate --format json` writes it. Or send JSON Lines "
        "(`Content-Type: application/x-ndjson`, one case a line) with the options as query "
        "parameters: the answer streams `lacplan evaluate --format jsonl`'s lines and ends "
        'with `{"summary": {"in", "evaluated", "rejected"}}`.',
    )
    op = evaluate["post"]
    op["requestBody"]["content"]["application/x-ndjson"] = {
        "schema": {"type": "string", "description": "One case object a line."}
    }
    op["parameters"] = [_query(n, False, f"JSON Lines only. {d}") for n, _, d in _LINES_PARAMETERS]
    op["responses"]["200"]["content"]["application/x-ndjson"] = {"schema": {"type": "string"}}
    rules_query = [
        _query("as_of", False, "Only the versions in force on this date."),
        _query("rules", False, "The rule pack (default england)."),
    ]
    paths = {
        "/v1/evaluate": evaluate,
        "/v1/explain": _post(
            "Explain one child's due dates",
            ExplainRequest,
            "Explanation",
            "As `lacplan explain`: each obligation of the child with its explanation.",
        ),
        "/v1/summary": _post(
            "On-time rates per rule",
            SummaryRequest,
            "Rows",
            "As `lacplan summary --format json`: the rows of a reporting period.",
        ),
        "/v1/upcoming": _post(
            "The worklist",
            UpcomingRequest,
            "Rows",
            "As `lacplan upcoming --format json`: overdue, or due within `days` days.",
        ),
        "/v1/compare": _post(
            "Stored due dates beside lacplan's",
            CompareRequest,
            "Rows",
            "As `lacplan compare --format json`: one row per due date, classified, and a "
            "summary counting each class.",
        ),
        "/v1/rules": _get("The rule catalogue", "rules", "Catalogue", rules_query),
        "/v1/rules/{rule_id}": _get(
            "One rule's declarations",
            "rule",
            "RuleDeclarations",
            [_query("rule_id", True, "The rule's id.", "path"), *rules_query],
            (401, 404, 422),
        ),
        "/v1/schema/case": _get("The case format's JSON Schema", "schema", "", []),
        "/v1/calendar/add": _get(
            "Working-day arithmetic",
            "calendar_add",
            "CalendarStep",
            [
                _query("date", True, "The start date (YYYY-MM-DD)."),
                _query("n", True, "How many working days after it (negative: before)."),
            ],
        ),
        "/healthz": _get("Liveness (no token needed)", "health", "Health", [], ()),
        "/openapi.json": _get("This document", "openapi", "", [], (401,)),
    }
    for path in ("/v1/schema/case", "/openapi.json"):
        content = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
        content["schema"] = {"type": "object"}
    paths["/healthz"]["get"]["security"] = []
    return paths


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in (
        EvaluateRequest,
        ExplainRequest,
        SummaryRequest,
        UpcomingRequest,
        CompareRequest,
    ):
        schema = model.model_json_schema(ref_template=_REF + "{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    schemas.update(_answers())
    headers: dict[str, Any] = {
        name: {"description": text, "schema": {"type": "string"}} for name, text in _HEADERS.items()
    }
    headers["Lacplan-Rejected"] = {
        "description": "How many records of the request were rejected (listed in `errors`).",
        "schema": {"type": "integer"},
    }
    responses = {
        f"Error{status}": {
            "description": ", ".join(c for c, s in ERROR_STATUS.items() if s == status),
            "headers": {h: {"$ref": f"#/components/headers/{h}"} for h in _HEADERS},
            "content": {"application/json": {"schema": {"$ref": _REF + "Error"}}},
        }
        for status in sorted(set(ERROR_STATUS.values()))
    }
    return {
        "schemas": dict(sorted(schemas.items())),
        "headers": headers,
        "responses": responses,
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "Needed when the server was started with --token-file.",
            }
        },
    }


@cache
def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lacplan",
            "version": __version__,
            "summary": "Statutory clocks for looked-after children in England, over HTTP.",
            "description": "See docs/service.md. Every response, errors included, carries "
            "the Lacplan-* provenance headers, Cache-Control: no-store and "
            "X-Content-Type-Options: nosniff. Error bodies never quote a submitted value.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "security": [{"bearer": []}, {}],
        "paths": _paths(),
        "components": _components(),
    }


def build() -> dict[str, Any]:
    """The OpenAPI document (a fresh copy)."""
    return copy.deepcopy(_document())


def normalised(document: Any) -> Any:
    """``document`` without what the staleness check ignores (``info.version``)."""
    doc = copy.deepcopy(document)
    if isinstance(doc, dict) and isinstance(doc.get("info"), dict):
        doc["info"].pop("version", None)
    return doc


def text() -> str:
    """The document as ``docs/openapi.json`` holds it."""
    return json.dumps(build(), indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``--write PATH`` writes the document; ``--check PATH`` exits 1 if the file differs."""
    p = argparse.ArgumentParser(prog="python -m lacplan.server.openapi")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="PATH")
    g.add_argument("--check", metavar="PATH")
    args = p.parse_args(argv)
    if args.write:
        Path(args.write).write_text(text(), encoding="utf-8")
        return 0
    path = Path(args.check)
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = None
    if normalised(current) != normalised(build()):
        sys.stderr.write(
            f"{args.check} is stale: run python -m lacplan.server.openapi --write {args.check}\n"
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
