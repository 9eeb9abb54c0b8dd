"""The HTTP app: :func:`create_app` builds it from :class:`~lacplan.server.settings.Settings`.

Each endpoint is a thin adapter over :mod:`lacplan.service`: it checks the content type
(415), reads the body counting the bytes as they arrive, with or without a Content-Length
(``--max-body``, 413), runs the request layer in a worker thread with a deadline checked
between cases (``--timeout``, 503) and sends the answer. The framework's own validation and
error handlers are replaced: every error body is ``{"error": {"code", "path", "message"}}``
and never echoes what was sent. ``/openapi.json`` is :func:`lacplan.server.openapi.build`'s
document (``docs/openapi.json``); the interactive docs exist only with ``--docs``
(:mod:`lacplan.server.docs_page`, from vendored assets).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from lacplan import service
from lacplan._version import __version__
from lacplan.server.guard import BearerAuth, Guard
from lacplan.server.settings import Settings, read_token_file
from lacplan.service import ServiceError
from lacplan.service.values import query_values

__all__ = ["JSON", "NDJSON", "create_app", "provenance_headers"]

JSON: Final = "application/json"
NDJSON: Final = "application/x-ndjson"
_HEADER_NAMES: Final = {
    "lacplan_version": "Lacplan-Version",
    "rules": "Lacplan-Rules",
    "rules_version": "Lacplan-Rules-Version",
    "rules_hash": "Lacplan-Rules-Hash",
    "calendar": "Lacplan-Calendar",
}
#: Headers a browser may read from a cross-origin answer (with ``--cors-origin``).
EXPOSED: Final = (*_HEADER_NAMES.values(), "Lacplan-Rejected")


def provenance_headers(rules: str = "england") -> dict[str, str]:
    """The provenance headers of answers computed with the pack ``rules``."""
    return {_HEADER_NAMES[k]: v for k, v in service.provenance(rules).items()}


def _answer_headers(doc: Mapping[str, Any]) -> dict[str, str]:
    """The pack headers of an answer, from its provenance block (the catalogue's
    ``content_hash`` is its ``rules_hash``)."""
    out = {}
    if isinstance(doc.get("rules"), str) and isinstance(doc.get("rules_version"), str):
        out["Lacplan-Rules"] = doc["rules"]
        out["Lacplan-Rules-Version"] = doc["rules_version"]
        digest = doc.get("rules_hash", doc.get("content_hash"))
        if isinstance(digest, str):
            out["Lacplan-Rules-Hash"] = digest
    if isinstance(doc.get("errors"), list):
        out["Lacplan-Rejected"] = str(len(doc["errors"]))
    return out


def _json(doc: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(doc, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=JSON, headers=dict(headers or {}))


def _error(exc: ServiceError, headers: Mapping[str, str] | None = None) -> Response:
    return _json(exc.as_dict(), exc.status, headers)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as more than ``limit`` bytes are announced or
    have arrived."""
    too_large = ServiceError(
        "body_too_large",
        "",
        f"the request body is larger than the server's limit of {limit} bytes (--max-body); "
        "send fewer cases per request.",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _ticker(timeout: float) -> Callable[[], None]:
    """A deadline ``timeout`` seconds from now, checked between cases."""
    deadline = time.monotonic() + timeout

    def tick() -> None:
        if time.monotonic() > deadline:
            raise ServiceError(
                "timeout",
                "",
                f"the request took longer than the server's limit of {timeout:g} seconds "
                "(--timeout); send fewer cases per request.",
            )

    return tick


def _unsupported(allowed: tuple[str, ...]) -> ServiceError:
    return ServiceError(
        "unsupported_media_type",
        "",
        f"this endpoint takes Content-Type {' or '.join(allowed)}.",
    )


def _routes(api: FastAPI, settings: Settings) -> None:
    limit, cases = settings.max_body, settings.max_cases
    evaluating: dict[str, Callable[..., dict[str, Any]]] = {
        "/v1/evaluate": service.evaluate,
        "/v1/explain": service.explain,
        "/v1/summary": service.summary,
        "/v1/upcoming": service.upcoming,
        "/v1/compare": service.compare,
    }

    def endpoint(path: str, run: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
        async def answer(request: Request) -> Response:
            media = _media_type(request)
            lines = path == "/v1/evaluate" and media == NDJSON
            if media != JSON and not lines:
                raise _unsupported((JSON, NDJSON) if path == "/v1/evaluate" else (JSON,))
            tick = _ticker(settings.timeout)
            if lines:
                return await _lines(request, limit, cases, tick)
            query_values(list(request.query_params.multi_items()), ())
            body = await _body(request, limit)
            doc = await run_in_threadpool(_parsed_and_run, run, body, cases, tick)
            return _json(doc, headers=_answer_headers(doc))

        answer.__name__ = path.rsplit("/", 1)[-1]
        return answer

    for path, run in evaluating.items():
        api.add_api_route(path, endpoint(path, run), methods=["POST"])

    def reading(get: Callable[[list[tuple[str, str]]], dict[str, Any]]) -> Callable[..., Any]:
        async def answer(request: Request) -> Response:
            doc = await run_in_threadpool(get, list(request.query_params.multi_items()))
            return _json(doc, headers=_answer_headers(doc))

        return answer

    api.add_api_route("/v1/rules", reading(service.rules), methods=["GET"])

    async def one_rule(request: Request, rule_id: str) -> Response:
        query = list(request.query_params.multi_items())
        doc = await run_in_threadpool(service.rule, rule_id, query)
        return _json(doc, headers=_answer_headers(doc))

    api.add_api_route("/v1/rules/{rule_id}", one_rule, methods=["GET"])
    api.add_api_route(
        "/v1/schema/case", reading(lambda q: _no_query(q, service.case_schema)), methods=["GET"]
    )
    api.add_api_route("/v1/calendar/add", reading(service.calendar_add), methods=["GET"])
    api.add_api_route("/healthz", reading(lambda q: service.health()), methods=["GET"])

    document: list[bytes] = []

    async def openapi(request: Request) -> Response:
        if not document:  # built once, on first use
            from lacplan.server.openapi import build

            document.append(json.dumps(build(), separators=(",", ":")).encode())
        return Response(document[0], media_type=JSON)

    api.add_api_route("/openapi.json", openapi, methods=["GET"])
    if settings.docs:
        from lacplan.server.docs_page import add_docs_routes

        add_docs_routes(api)


def _parsed_and_run(
    run: Callable[..., dict[str, Any]], body: bytes, cases: int, tick: Callable[[], None]
) -> dict[str, Any]:
    """``run`` on the body's JSON (one trip to a worker thread)."""
    return run(service.parse_json(body), max_cases=cases, tick=tick)


def _no_query(query: list[tuple[str, str]], get: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    query_values(query, ())
    return get()


async def _lines(request: Request, limit: int, cases: int, tick: Callable[[], None]) -> Response:
    body = await _body(request, limit)
    query = list(request.query_params.multi_items())
    answer = await run_in_threadpool(
        service.evaluate_lines, body, query, max_cases=cases, tick=tick
    )

    def encoded() -> Iterator[bytes]:
        for line in answer.lines:
            yield line.encode()

    return StreamingResponse(encoded(), media_type=NDJSON, headers=_answer_headers(answer.header))


def _handlers(api: FastAPI) -> None:
    async def on_service_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServiceError)
        return _error(exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 405:
            error = ServiceError("method_not_allowed", "", "this path does not take that method.")
        elif exc.status_code == 404:
            error = ServiceError("not_found", "", "no such path (GET /openapi.json lists them).")
        else:
            error = ServiceError("invalid_value", "", "the request cannot be acted on.")
        response = _error(error)
        for name, value in (exc.headers or {}).items():
            if name.lower() == "allow":
                response.headers[name] = value
        if error.code == "invalid_value":
            response.status_code = exc.status_code
        return response

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        return _error(ServiceError("invalid_value", "", "the request cannot be read."))

    async def on_any_error(request: Request, exc: Exception) -> Response:
        return _error(
            ServiceError("internal_error", "", "the server failed to answer; the log names why.")
        )

    api.add_exception_handler(ServiceError, on_service_error)
    api.add_exception_handler(StarletteHTTPException, on_http_error)
    api.add_exception_handler(RequestValidationError, on_validation_error)
    api.add_exception_handler(Exception, on_any_error)


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The ASGI app for ``settings`` (default: loopback, no token, the default limits).
    The token file is read here (a bad one is a ``UsageError``)."""
    settings = settings or Settings()
    token = read_token_file(settings.token_file) if settings.token_file is not None else None
    api = FastAPI(
        title="lacplan",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    _handlers(api)
    _routes(api, settings)
    app: ASGIApp = api
    if token is not None:
        app = BearerAuth(app, token)
    if settings.cors_origins:
        app = CORSMiddleware(
            app,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=list(EXPOSED),
            max_age=600,
        )
    return Guard(app, {**provenance_headers(), "Lacplan-Version": __version__})
