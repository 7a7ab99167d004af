"""One table from exceptions to the standard `{code, message, details}` body."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec

from control_plane.auth.security import PUBLIC_PATHS
from schemas.contracts import ErrorBody
from schemas.errors import CODE_BY_HTTP_STATUS, HTTP_STATUS, LoadstarError

log = logging.getLogger("loadstar.errors")


def error_response(
    code: str, message: str, details: dict[str, Any] | None = None, status: int | None = None
) -> Response[bytes]:
    body = ErrorBody(code=code, message=message, details=details or {})  # type: ignore[arg-type]
    return Response(
        content=msgspec.json.encode(body),
        status_code=status or HTTP_STATUS.get(code, 500),
        media_type=MediaType.JSON,
    )


def exception_to_response(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Map any exception a handler raises onto the standard error body."""
    if isinstance(exc, LoadstarError):
        return error_response(exc.code, exc.message, exc.details, exc.status)
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list | dict) else None
        return error_response("INVALID_INPUT", str(exc.detail), {"errors": extra} if extra else {})
    if isinstance(exc, NotAuthorizedException):
        return error_response("UNAUTHORIZED", str(exc.detail) or "authentication required")
    if isinstance(exc, PermissionDeniedException):
        return error_response("FORBIDDEN", str(exc.detail) or "not allowed")
    if isinstance(exc, NotFoundException):
        return error_response(
            "NOT_FOUND", str(exc.detail) or "not found", {"path": request.url.path}
        )
    if isinstance(exc, HTTPException):
        code = CODE_BY_HTTP_STATUS.get(exc.status_code, "INTERNAL_ERROR")
        return error_response(
            code, str(exc.detail), {}, exc.status_code if code != "INTERNAL_ERROR" else 500
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        "INTERNAL_ERROR", f"internal error: {type(exc).__name__}", {"path": request.url.path}
    )


EXCEPTION_HANDLERS = {Exception: exception_to_response}


_STANDARD = (
    "The standard error: `code` says what went wrong (INVALID_INPUT for a body, query or "
    "path that is not valid), `details` names the field. Every other error status has this "
    "shape too."
)
_UNAUTHORIZED = "UNAUTHORIZED: no valid Bearer token (log in at /api/auth/login)."


def document_errors(app: Litestar) -> None:
    """Make the OpenAPI document show the error body the API really sends: every route's
    400, and 401 on every route that needs a token (the framework's own schema for them
    describes a body this API never returns)."""
    # no generated examples: they are random strings, and the committed document must be
    # the same every time it is generated
    bad_request = ResponseSpec(ErrorBody, description=_STANDARD, generate_examples=False)
    unauthorized = ResponseSpec(ErrorBody, description=_UNAUTHORIZED, generate_examples=False)
    public = [re.compile(pattern) for pattern in PUBLIC_PATHS]
    for route in app.routes:
        open_route = any(p.search(route.path) for p in public)
        for handler in getattr(route, "route_handlers", ()):
            if not handler.include_in_schema:
                continue
            documented: dict[int, ResponseSpec] = {400: bad_request}
            if not (open_route or handler.opt.get("exclude_from_auth")):
                documented[401] = unauthorized
            handler.responses = {**documented, **(handler.responses or {})}
