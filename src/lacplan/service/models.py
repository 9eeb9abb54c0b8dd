"""The requests of the request layer as pydantic models: validated here, and the source of the
HTTP app's OpenAPI schemas (:mod:`lacplan.server.openapi`), so the two cannot disagree.

Every model is strict (a string is a string, a number a number: ``"14"`` is not 14, ``1`` is
not ``true``), forbids unknown fields and never puts a submitted value in an error
(:func:`lacplan.service.values.validated` turns pydantic's errors into
:class:`~lacplan.service.errors.ServiceError` with the field's path). The fields are the CLI's
options under the same names (``--as-of`` is ``as_of``, ``--per-child`` is ``per_child``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from lacplan.domain.fields import IsoDate

__all__ = [
    "CompareRequest",
    "DueDate",
    "EvaluateRequest",
    "ExplainRequest",
    "FileIn",
    "Inputs",
    "SessionRequest",
    "SummaryRequest",
    "UpcomingRequest",
]

_CONFIG = ConfigDict(strict=True, extra="forbid", hide_input_in_errors=True, frozen=True)


def _base64(value: object) -> bytes:
    """A file's bytes: a base64 string (JSON), or ``bytes`` given from Python."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if not isinstance(value, str):
        raise PydanticCustomError("invalid_value", "must be the file's bytes as a base64 string.")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise PydanticCustomError(
            "invalid_value", "is not base64 (the characters A-Z a-z 0-9 + / and = padding)."
        ) from None


FileBytes = Annotated[
    bytes,
    BeforeValidator(_base64),
    WithJsonSchema(
        {
            "type": "string",
            "contentEncoding": "base64",
            "description": "The file's content, base64-encoded (`base64 -w0 FILE`).",
        }
    ),
]


class FileIn(BaseModel):
    """One input file: its name (a relative path: ``episodes.csv``, ``2024/header.csv``) and
    its bytes."""

    model_config = ConfigDict(**_CONFIG, populate_by_name=False)

    name: Annotated[
        str,
        Field(
            min_length=1,
            max_length=1024,
            description="A relative path, / between directories (no `..`, no leading /); "
            "rejected records name the file by it.",
        ),
    ]
    data: Annotated[FileBytes, Field(alias="bytes")]


class Inputs(BaseModel):
    """What every evaluating request holds: the cases (``cases``, or ``files`` read as
    ``input_format``), ``as_of`` and the rule and convention options."""

    model_config = _CONFIG

    cases: Annotated[
        list[Any] | None,
        Field(
            description="Case objects (docs/case-format.md; `GET /v1/schema/case`). Give "
            "`cases` or `files`, not both. An invalid case is a rejected record in `errors`."
        ),
    ] = None
    files: Annotated[
        list[FileIn] | None,
        Field(description="Input files, read as `input_format` (as `lacplan evaluate` does)."),
    ] = None
    input_format: Annotated[
        str,
        Field(
            description="How `files` are read: `json` (a case, an array or JSON Lines), "
            "`ssda903` (the DfE return: CSV, XML or xlsx), `auto` (recognise each file), and "
            "every other format `lacplan evaluate --input-format` takes."
        ),
    ] = "json"
    years: Annotated[
        dict[str, int] | None,
        Field(
            description="SSDA903: the collection year (of its 31 March) of a file or of a "
            "directory of files, by name, instead of the year read from its dates."
        ),
    ] = None
    extract_date: Annotated[
        IsoDate | None,
        Field(
            description="SSD: the day the extract was taken, the data's last day (default: "
            "the latest date recorded in it)."
        ),
    ] = None
    window_years: Annotated[
        int | Literal["all"],
        Field(
            description="SSD: how many years back the extract reaches (1 to 100, default 6), "
            "or `all`.",
        ),
    ] = 6
    as_of: Annotated[IsoDate, Field(description="Evaluate as at this date (YYYY-MM-DD).")]

    @field_validator("window_years")
    @classmethod
    def _years_back(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not 1 <= value <= 100:
            raise PydanticCustomError("invalid_value", "must be from 1 to 100, or all.")
        return value

    rules: Annotated[
        str, Field(description="The rule pack: `england` or `england+ifa` (`GET /v1/rules`).")
    ] = "england"
    overlay_files: Annotated[
        list[FileIn] | None,
        Field(
            description="Rule files (TOML, docs/rule-files.md) stacked on `rules` in the order "
            "given, as `--overlay FILE`: a council's or an agency's own standards."
        ),
    ] = None
    months: Annotated[
        Literal["calendar", "fixed_days"],
        Field(description="Month arithmetic: calendar months, or 91/183/365 days."),
    ] = "calendar"
    redact: Annotated[
        bool,
        Field(
            description="Withhold the dates derived from the date of birth (docs/privacy.md): "
            "`lacplan evaluate --redact`."
        ),
    ] = False


class EvaluateRequest(Inputs):
    """``POST /v1/evaluate``: the report, as ``lacplan evaluate --format json`` writes it."""

    columns: Annotated[
        str | None,
        Field(
            description="The fields of each obligation: `all` (default), `compact`, or a "
            "comma-separated list (`key,rule,due,status`), as `--columns`."
        ),
    ] = None


class ExplainRequest(Inputs):
    """``POST /v1/explain``: how each due date of one child was reached."""

    child: Annotated[
        str | None, Field(description="The child's id (may be left out for one child).")
    ] = None
    rule: Annotated[str | None, Field(description="Only this rule's obligations.")] = None
    sequence: Annotated[int | None, Field(ge=1, description="Only the N-th obligation.")] = None


class SummaryRequest(Inputs):
    """``POST /v1/summary``: on-time rates per rule for a reporting period."""

    period: Annotated[
        str | None,
        Field(
            description="FROM..TO, e.g. `2023-04-01..2024-03-31` (default: the council year "
            "containing `as_of`)."
        ),
    ] = None
    by: Annotated[
        list[str],
        Field(
            default_factory=list,
            description="Group by `rule` (default), `month` or `label:KEY`; several allowed.",
        ),
    ]
    per_child: Annotated[
        bool, Field(description="Instead: per child, whether all reviews were on time.")
    ] = False
    dfe: Annotated[
        bool,
        Field(description="Instead: the DfE's indicators for children looked after 12 months."),
    ] = False


class UpcomingRequest(Inputs):
    """``POST /v1/upcoming``: the worklist, most urgent first."""

    days: Annotated[int, Field(ge=0, le=3660, description="How far ahead to look.")] = 14
    by: Annotated[
        str | None, Field(description="`label:KEY`: a worklist per label (team, IRO).")
    ] = None


class SessionRequest(Inputs):
    """:meth:`lacplan.service.session.Session.open`: the records to evaluate once, with the
    summary's ``period`` and the worklist's ``days`` (the in-browser app's views)."""

    period: Annotated[
        str | None,
        Field(
            description="The summary's reporting period, `YYYY-MM-DD..YYYY-MM-DD` (default: "
            "the council year, 1 April to 31 March, holding `as_of`)."
        ),
    ] = None
    days: Annotated[int, Field(ge=0, le=3660, description="How far ahead the worklist looks.")] = 14


class DueDate(BaseModel):
    """One due date a case system stored: a row of ``lacplan compare --due-dates``."""

    model_config = _CONFIG

    child_id: Annotated[str, Field(min_length=1, max_length=200)]
    rule: Annotated[str, Field(min_length=1, max_length=200)]
    due: Annotated[IsoDate | None, Field(description="null: the system stored none.")]
    sequence: Annotated[int | None, Field(ge=1, le=10_000, description="Default 1.")] = None
    period_id: Annotated[str | None, Field(max_length=200)] = None
    period_start: IsoDate | None = None
    anchor: IsoDate | None = None
    placement_id: Annotated[str | None, Field(max_length=200)] = None


class CompareRequest(Inputs):
    """``POST /v1/compare``: the parity report, a case system's stored due dates beside
    lacplan's (``lacplan compare``)."""

    due_dates: Annotated[
        list[DueDate] | None,
        Field(
            description="The stored due dates (the rows of `--due-dates`); without them or "
            "`due_dates_file`, those the input files carry (the SSD's review due dates)."
        ),
    ] = None
    due_dates_file: Annotated[
        FileIn | None,
        Field(
            description="The stored due dates as `--due-dates` takes them: a CSV of child_id, "
            "rule, due and optional sequence, period_id, period_start, anchor, placement_id."
        ),
    ] = None


def request_fields() -> frozenset[str]:
    """Every field name of every request model (the names an error path may show)."""
    names: set[str] = set()
    for model in (
        EvaluateRequest,
        ExplainRequest,
        SummaryRequest,
        UpcomingRequest,
        CompareRequest,
        FileIn,
        DueDate,
    ):
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
    return frozenset(names)
