"""Request-level errors of the request layer: :class:`ServiceError` and its codes.

A request the layer cannot act on (an unparseable body, a missing or bad ``as_of``, an unknown
rule pack, too many cases...) raises a :class:`ServiceError`: a stable ``code``, the ``path``
of the bad field in the request (``as_of``, ``cases``, ``files[2].bytes``; empty for the whole
request) and a ``message`` that, like every lacplan message, never echoes a submitted value.
Its :meth:`~ServiceError.as_dict` is the error body the HTTP app sends,
``{"error": {"code", "path", "message"}}``, with :attr:`~ServiceError.status` as the HTTP
status. Cases that are invalid inside a valid request are not errors of the request: they are
rejected records in the answer's ``errors`` (``RecordError.as_dict()``), as the CLI reports
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from lacplan.errors import LacplanError

__all__ = ["ERROR_STATUS", "ServiceError"]

#: Every request-level code and its HTTP status (``docs/service.md`` lists them).
ERROR_STATUS: Final[Mapping[str, int]] = {
    "invalid_json": 400,
    "unauthorized": 401,
    "not_found": 404,
    "method_not_allowed": 405,
    "too_many_cases": 413,
    "body_too_large": 413,
    "unsupported_media_type": 415,
    "missing_field": 422,
    "unknown_field": 422,
    "invalid_value": 422,
    "invalid_date": 422,
    "invalid_string": 422,
    "unknown_rules": 422,
    "invalid_rule_file": 422,
    "unreadable_file": 422,
    "calendar_range": 422,
    "usage": 422,
    "internal_error": 500,
    "timeout": 503,
}


class ServiceError(LacplanError):
    """A request the request layer cannot act on: ``code`` (a key of :data:`ERROR_STATUS`),
    ``path`` (where in the request; ``""`` for the whole request) and a ``message`` that
    never quotes a submitted value."""

    def __init__(self, code: str, path: str, message: str) -> None:
        if code not in ERROR_STATUS:
            raise ValueError(f"not a service error code: {code!r}")
        super().__init__(message)
        self.code = code
        self.path = path
        self.message = message

    @property
    def status(self) -> int:
        """The HTTP status of this error."""
        return ERROR_STATUS[self.code]

    def as_dict(self) -> dict[str, Any]:
        """The error body: ``{"error": {"code", "path", "message"}}``."""
        return {"error": {"code": self.code, "path": self.path, "message": self.message}}

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.path!r})"
