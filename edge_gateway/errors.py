"""Every exception the gateway raises, as the standard `{code, message, details}` body."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from schemas.contracts import ErrorBody
from schemas.errors import CODE_BY_HTTP_STATUS, LoadstarError

log = logging.getLogger("loadstar.edge_gateway")

_encode = msgspec.json.Encoder().encode


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    return _encode(ErrorBody(code=code, message=message, details=details or {}))  # type: ignore[arg-type]


def error_of(exc: Exception, path: str = "") -> tuple[int, str, bytes]:
    """(status, code, body) for any exception; unexpected ones are logged and answered 500."""
    if isinstance(exc, LoadstarError):
        return exc.status, exc.code, error_body(exc.code, exc.message, exc.details)
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list | dict) else None
        body = error_body("INVALID_INPUT", str(exc.detail), {"errors": extra} if extra else {})
        return 400, "INVALID_INPUT", body
    if isinstance(exc, NotFoundException):
        return 404, "NOT_FOUND", error_body("NOT_FOUND", "no such route", {"path": path})
    if isinstance(exc, HTTPException):
        code = CODE_BY_HTTP_STATUS.get(exc.status_code, "INTERNAL_ERROR")
        status = exc.status_code if code != "INTERNAL_ERROR" else 500
        details: dict[str, Any] = {}
        message = str(exc.detail)
        allow = (exc.headers or {}).get("allow")
        if code == "METHOD_NOT_ALLOWED" and allow:
            details = {"path": path, "allowed": allow.split(", ")}
            message = f"{message}; allowed: {allow}"
        return status, code, error_body(code, message, details)
    log.exception("unhandled error on %s", path, exc_info=exc)
    message = f"internal error: {type(exc).__name__}"
    return 500, "INTERNAL_ERROR", error_body("INTERNAL_ERROR", message, {"path": path})


def exception_to_response(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    status, code, body = error_of(exc, request.url.path)
    request.scope["state"]["error_code"] = code
    allow = exc.headers.get("allow") if isinstance(exc, HTTPException) and exc.headers else None
    headers = {"Allow": allow} if status == 405 and allow else None
    return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)


EXCEPTION_HANDLERS = {Exception: exception_to_response}
