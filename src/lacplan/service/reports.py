"""The evaluating requests: :func:`evaluate`, :func:`evaluate_lines`, :func:`explain`,
:func:`summary` and :func:`upcoming`, from JSON-compatible requests to JSON-compatible answers.

Each answer starts with the run's provenance (:meth:`lacplan.report.Report.header`: ``as_of``,
``rules``, ``rules_version``, ``rules_hash``, ``lacplan_version``, ``conventions``,
``calendar``) and ends with the rejected records (``errors``: ``RecordError.as_dict()``, as
the CLI writes them), the row ``accounting`` and the ``source_findings`` of the input files.
:func:`evaluate`'s is the document of ``lacplan evaluate --format json``; the others carry the
rows the CLI's ``summary``, ``upcoming`` and ``explain`` print (:mod:`lacplan.measures`,
:mod:`lacplan.indicators`), with ISO dates.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, TypeVar

from lacplan.calendar import WorkingDayCalendar, england_and_wales
from lacplan.columns import child_dict, obligation_fields, obligation_picker, select_columns
from lacplan.evaluate import iter_evaluate, report_of
from lacplan.measures import (
    CHILD_MEASURE_COLUMNS,
    child_measures,
    council_year,
    summary_table,
    worklist_table,
)
from lacplan.model import Case, RecordError
from lacplan.obligation import Obligation
from lacplan.outputs import write_jsonl_child, write_jsonl_error, write_jsonl_trailer
from lacplan.report import OBLIGATION_FIELDS, ChildResult
from lacplan.rules import Conventions, RulePack
from lacplan.rules.catalogue import render_catalogue
from lacplan.service.errors import ServiceError
from lacplan.service.inputs import Loaded, load_inputs, load_lines
from lacplan.service.models import (
    EvaluateRequest,
    ExplainRequest,
    Inputs,
    SummaryRequest,
    UpcomingRequest,
)
from lacplan.service.values import (
    by_keys,
    check_columns,
    pack_of,
    period_of,
    query_values,
    stacked,
    validated,
)

__all__ = [
    "DATE_RANGE",
    "MAX_CASES",
    "Lines",
    "evaluate",
    "evaluate_lines",
    "explain",
    "summary",
    "upcoming",
]

#: The most records one request may hold unless the caller says otherwise (``--max-cases``).
MAX_CASES: Final = 1000
#: The dates ``as_of`` and ``period`` may take: far beyond any child's records, and near
#: enough that every date derived from them (a worklist's horizon, a council year) exists.
DATE_RANGE: Final = (date(1900, 1, 1), date(2999, 12, 31))

R = TypeVar("R", bound=Inputs)
Tick = Callable[[], None]
Pick = Callable[[Obligation], dict[str, Any]]


def request_of(model: type[R], request: Mapping[str, Any] | R) -> R:
    """``request`` as ``model``: validated if it is a JSON object, itself if already one."""
    if isinstance(request, model):
        return request
    return validated(model, request)


@dataclass(frozen=True, slots=True)
class Run:
    """One evaluation's pack, conventions, calendar, ``as_of`` and privacy (``--redact``)."""

    pack: RulePack
    conventions: Conventions
    calendar: WorkingDayCalendar
    as_of: date
    redact: bool

    @classmethod
    def of(cls, request: Inputs) -> Run:
        """The run a request asks for (its ``rules`` checked before anything is read)."""
        in_range(request.as_of, "as_of")
        return cls(
            pack=stacked(pack_of(request.rules), request.overlay_files),
            conventions=Conventions(month_arithmetic=request.months),
            calendar=england_and_wales(),
            as_of=request.as_of,
            redact=request.redact,
        )

    def children(
        self, items: Iterable[Case | RecordError], errors: list[RecordError], tick: Tick | None
    ) -> Iterator[ChildResult]:
        """Each valid record evaluated, ``tick`` called before each record; the rejected ones
        (and those whose evaluation failed) appended to ``errors``."""
        from lacplan.privacy import Privacy

        def ticking() -> Iterator[Case | RecordError]:
            for item in items:
                if tick is not None:
                    tick()
                yield item

        return iter_evaluate(
            ticking(),
            as_of=self.as_of,
            rules=self.pack,
            conventions=self.conventions,
            calendar=self.calendar,
            on_error=errors.append,
            privacy=Privacy.from_options(None, True) if self.redact else None,
        )

    def header(self, pick: Pick | None = None) -> dict[str, Any]:
        """The provenance block (and, with chosen columns, the rule ``catalogue``, as
        ``lacplan evaluate --columns`` writes it)."""
        header = report_of(
            None, self.as_of, self.pack, self.conventions, self.calendar, (), ()
        ).header()
        if pick is not None:
            header["catalogue"] = json.loads(render_catalogue(self.pack, "json"))
        return header

    def tail(self, loaded: Loaded | None, errors: Sequence[RecordError]) -> dict[str, Any]:
        """``errors``, ``accounting`` and ``source_findings``, as the JSON document ends."""
        batch = loaded.batch if loaded is not None else None
        whole = report_of(
            batch, self.as_of, self.pack, self.conventions, self.calendar, (), errors
        ).to_dict()
        return {k: whole[k] for k in ("errors", "accounting", "source_findings")}


def in_range(day: date, path: str) -> date:
    """``day``, if within :data:`DATE_RANGE`."""
    lo, hi = DATE_RANGE
    if not lo <= day <= hi:
        raise ServiceError(
            "invalid_date",
            path,
            f"{path}: must be from {lo.isoformat()} to {hi.isoformat()}.",
        )
    return day


def _picker(columns: str | None) -> Pick | None:
    """The obligation fields ``columns`` chooses (``None``: all of them)."""
    if columns is None:
        return None
    check_columns(columns)
    fields = obligation_fields(select_columns(columns))
    return None if fields == list(OBLIGATION_FIELDS) else obligation_picker(fields)


def evaluated(
    request: Inputs, run: Run, max_cases: int, tick: Tick | None
) -> tuple[Loaded, list[ChildResult], list[RecordError]]:
    loaded = load_inputs(request, max_cases=max_cases, tick=tick)
    errors: list[RecordError] = []
    children = list(run.children(loaded.items, errors, tick))
    return loaded, children, errors


def evaluate(
    request: Mapping[str, Any] | EvaluateRequest,
    *,
    max_cases: int = MAX_CASES,
    tick: Tick | None = None,
) -> dict[str, Any]:
    """The report of ``request`` (:class:`~lacplan.service.models.EvaluateRequest`), shaped as
    ``lacplan evaluate --format json`` writes it: provenance, ``children[].obligations[]``,
    ``errors[]``, ``accounting``, ``source_findings``."""
    req = request_of(EvaluateRequest, request)
    run = Run.of(req)
    pick = _picker(req.columns)
    loaded = load_inputs(req, max_cases=max_cases, tick=tick)
    errors: list[RecordError] = []
    doc = run.header(pick)
    doc["children"] = [child_dict(c, pick) for c in run.children(loaded.items, errors, tick)]
    doc.update(run.tail(loaded, errors))
    return loaded.renamed(doc)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Lines:
    """A JSON Lines answer: the run's provenance (for the HTTP headers) and the lines, each
    ending ``\\n``, produced as they are iterated."""

    header: dict[str, Any]
    lines: Iterator[str]


#: The query parameters of a JSON Lines request (its body holds the cases).
LINES_PARAMETERS: Final = ("as_of", "rules", "columns", "months", "redact")


def evaluate_lines(
    body: bytes,
    parameters: Iterable[tuple[str, str]],
    *,
    max_cases: int = MAX_CASES,
    tick: Tick | None = None,
) -> Lines:
    """A JSON Lines body (one case a line) evaluated as ``lacplan evaluate --format jsonl``
    writes it: a line per child and per rejected record, in input order, then the trailer
    lines, then ``{"summary": {"in": n, "evaluated": e, "rejected": r}}``, so that a stream
    cut short is told from a complete one. ``parameters`` (the query string) give
    ``as_of``, ``rules``, ``columns``, ``months`` and ``redact`` (``true`` or ``false``).

    The request is checked, and the body counted against ``max_cases``, before the first line
    is made. If ``tick`` raises a :class:`ServiceError` (the deadline) between records, the
    last line is that error's body, ``{"error": {"code", "path", "message"}}``, instead of the
    summary."""
    params = query_values(parameters, LINES_PARAMETERS)
    fields: dict[str, Any] = {k: v for k, v in params.items() if k != "redact"}
    if "redact" in params:
        if params["redact"] not in ("true", "false"):
            raise ServiceError("invalid_value", "redact", "redact: must be true or false.")
        fields["redact"] = params["redact"] == "true"
    req = validated(EvaluateRequest, {**fields, "cases": []})
    run = Run.of(req)
    pick = _picker(req.columns)
    items = load_lines(body, max_cases=max_cases)
    return Lines(run.header(pick), _lines(run, items, pick, tick))


def _lines(
    run: Run, items: Iterator[Case | RecordError], pick: Pick | None, tick: Tick | None
) -> Iterator[str]:
    from lacplan.adapters.sources import Batch

    buf = io.StringIO()

    def taken() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    counts = {"in": 0, "evaluated": 0, "rejected": 0}
    pending: list[RecordError] = []

    def counted() -> Iterator[Case | RecordError]:
        for item in items:
            counts["in"] += 1
            yield item

    try:
        for child in run.children(counted(), pending, tick):
            for err in pending:  # rejected before this child: in input order
                write_jsonl_error(err, buf)
            counts["rejected"] += len(pending)
            pending.clear()
            write_jsonl_child(child, buf, pick)
            counts["evaluated"] += 1
            yield taken()
    except ServiceError as exc:
        for err in pending:
            write_jsonl_error(err, buf)
        buf.write(json.dumps(exc.as_dict(), separators=(",", ":")) + "\n")
        yield taken()
        return
    for err in pending:
        write_jsonl_error(err, buf)
    counts["rejected"] += len(pending)
    write_jsonl_trailer(Batch(), buf)
    buf.write(json.dumps({"summary": counts}, separators=(",", ":")) + "\n")
    yield taken()


def iso(value: object) -> object:
    """A date as its ISO text; anything else as it is."""
    return value.isoformat() if isinstance(value, date) else value


def iso_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as the CLI's ``--format json`` writes them: the columns in order, ISO dates."""
    return [{c: iso(r.get(c)) for c in columns} for r in rows]


def _one_child(
    children: Sequence[ChildResult], errors: Sequence[RecordError], child_id: str | None
) -> ChildResult | None:
    """The child ``explain`` is about (``None``: it was rejected, or nothing was valid)."""
    if child_id is None:
        if len(children) == 1:
            return children[0]
        if not children and errors:
            return None
        raise ServiceError(
            "usage",
            "child",
            f"child: the input holds {len(children)} children; say which by its id.",
        )
    found = [c for c in children if c.child_id == child_id]
    if found:
        return found[0]
    if any(e.child_id == child_id for e in errors):
        return None
    raise ServiceError("not_found", "child", "child: no child with that id in the input.")


def explain(
    request: Mapping[str, Any] | ExplainRequest,
    *,
    max_cases: int = MAX_CASES,
    tick: Tick | None = None,
) -> dict[str, Any]:
    """How each due date of one child was reached (``lacplan explain``): the child's
    obligations of ``rule`` and ``sequence`` (when given), each with its ``explanation``.
    A child whose record was rejected has no obligations: its rejection is in ``errors``."""
    req = request_of(ExplainRequest, request)
    run = Run.of(req)
    loaded, children, errors = evaluated(req, run, max_cases, tick)
    child = _one_child(children, errors, req.child)
    obligations = [
        o
        for o in (child.obligations if child is not None else ())
        if (req.rule is None or o.rule == req.rule)
        and (req.sequence is None or o.sequence == req.sequence)
    ]
    if child is not None and not obligations:
        raise ServiceError(
            "not_found", "rule", "rule: no obligation of that child matches rule and sequence."
        )
    doc = run.header()
    doc["child_id"] = child.child_id if child is not None else req.child
    doc["obligations"] = [o.as_dict() for o in obligations]
    doc.update(run.tail(loaded, errors))
    return loaded.renamed(doc)  # type: ignore[no-any-return]


def summary(
    request: Mapping[str, Any] | SummaryRequest,
    *,
    max_cases: int = MAX_CASES,
    tick: Tick | None = None,
) -> dict[str, Any]:
    """On-time rates per rule for the reporting period (``lacplan summary``): ``period``
    (``from``, ``to``), ``columns`` and ``rows`` (:func:`lacplan.measures.summary_rows`);
    with ``per_child``, per-child review measures; with ``dfe``, the DfE's indicators for
    the year ending ``year_end``."""
    req = request_of(SummaryRequest, request)
    run = Run.of(req)
    by = by_keys(req.by)
    period = period_of(req.period) if req.period is not None else council_year(req.as_of)
    for day in period:
        in_range(day, "period")
    loaded, children, errors = evaluated(req, run, max_cases, tick)
    doc = run.header()
    if req.dfe:
        from lacplan.indicators import INDICATOR_COLUMNS, dfe_indicators

        last_march = date(council_year(req.as_of)[0].year, 3, 31)
        year_end = period[1] if req.period is not None else last_march
        cases = [c for c in loaded.items if isinstance(c, Case)]
        rows = dfe_indicators(cases, year_end=year_end, as_of=req.as_of, results=children)
        columns: list[str] = list(INDICATOR_COLUMNS)
        doc["year_end"] = year_end.isoformat()
    elif req.per_child:
        labels = [k[6:] for k in by if k.startswith("label:")]
        rows = child_measures(children, as_of=req.as_of, period=period, labels=labels)
        columns = [*(f"label_{k}" for k in labels), *CHILD_MEASURE_COLUMNS]
    else:
        columns, rows = summary_table(
            children, as_of=req.as_of, period=period, by=by, rule_order=run.pack.ids
        )
    doc["period"] = {"from": period[0].isoformat(), "to": period[1].isoformat()}
    doc["columns"] = columns
    doc["rows"] = iso_rows(rows, columns)
    doc.update(run.tail(loaded, errors))
    return loaded.renamed(doc)  # type: ignore[no-any-return]


def upcoming(
    request: Mapping[str, Any] | UpcomingRequest,
    *,
    max_cases: int = MAX_CASES,
    tick: Tick | None = None,
) -> dict[str, Any]:
    """The worklist (``lacplan upcoming``): every obligation overdue as at ``as_of``, or
    pending and due within ``days`` days, most urgent first (:func:`upcoming_rows`)."""
    req = request_of(UpcomingRequest, request)
    run = Run.of(req)
    if req.by is not None:
        by_keys([req.by], "by", labels_only=True)
    loaded, children, errors = evaluated(req, run, max_cases, tick)
    columns, rows = worklist_table(children, as_of=req.as_of, days=req.days, by=req.by)
    doc = run.header()
    doc["days"] = req.days
    doc["until"] = (req.as_of + timedelta(days=req.days)).isoformat()
    doc["columns"] = columns
    doc["rows"] = iso_rows(rows, columns)
    doc.update(run.tail(loaded, errors))
    return loaded.renamed(doc)  # type: ignore[no-any-return]
