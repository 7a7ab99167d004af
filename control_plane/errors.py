"""The control plane's error handler (the table is `loadstar_core.errors`) and the OpenAPI
document's account of the standard `{code, message, details}` body."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Litestar, MediaType, Request, Response
from litestar.openapi.datastructures import ResponseSpec

from control_plane.auth.security import PUBLIC_PATHS
from loadstar_core.errors import error_reply
from schemas.contracts import ErrorBody

log = logging.getLogger("loadstar.errors")


def exception_to_response(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Send the shared table's answer for any exception a handler raises."""
    reply = error_reply(exc, request.url.path)
    if reply.unexpected:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(content=reply.body, status_code=reply.status, media_type=MediaType.JSON)


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
