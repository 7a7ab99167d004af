"""The control plane's error handler (the table is `loadstar_core.errors`) and the OpenAPI
document's account of the standard `{code, message, details}` body."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Litestar, MediaType, Request, Response
from litestar.openapi.datastructures import ResponseSpec

from control_plane.auth.security import PUBLIC_PATHS
from control_plane.input_errors import as_input_error
from control_plane.outages import as_outage
from loadstar_core.errors import error_reply
from schemas.contracts import ErrorBody

log = logging.getLogger("loadstar.errors")


def exception_to_response(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Send the shared table's answer for any exception a handler raises."""
    outage = as_outage(exc)
    if outage is not None:
        log.warning("%s %s: %s", request.method, request.url.path, outage.message)
        exc = outage
    exc = as_input_error(exc) or exc
    reply = error_reply(exc, request.url.path)
    if reply.unexpected:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        content=reply.body,
        status_code=reply.status,
        media_type=MediaType.JSON,
        headers=reply.headers or None,
    )


EXCEPTION_HANDLERS = {Exception: exception_to_response}


_STANDARD = (
    "The standard error: `code` says what went wrong (INVALID_INPUT for a body, query or "
    "path that is not valid), `details` names the field. Every other error status has this "
    "shape too."
)
_UNAUTHORIZED = "UNAUTHORIZED: no valid Bearer token (log in at /api/auth/login)."
# What any operation may answer besides its own successes (the same body every time).
_EVERY_OPERATION = {
    404: "NOT_FOUND: a record the request names (in the path, query or body) does not exist.",
    409: "CONFLICT: the request contradicts the record's state (it is in use, it exists "
    "already, or its data is missing from the object store); `message` says which.",
    503: "SERVICE_UNAVAILABLE: the database, Redis or the object store did not answer; "
    "nothing was changed, try again (see `Retry-After`).",
}
_WRITES = {
    403: "FORBIDDEN: the signed-in user's role may not change things.",
    413: "PAYLOAD_TOO_LARGE: the body is over the configured limit.",
    422: "A business rule refuses the request (UNIT_INCONSISTENT, INPUT_MISSING_EXCEEDS...).",
}
# public operations that still check a credential of their own
_OWN_CREDENTIAL = {
    "/api/auth/login": "UNAUTHORIZED: wrong username or password.",
    "/api/gateway/snapshot": "UNAUTHORIZED: the gateway sync token (X-Gateway-Token) is wrong.",
    "/api/gateway/records": "UNAUTHORIZED: the gateway sync token (X-Gateway-Token) is wrong.",
    "/api/gateway/key-use": "UNAUTHORIZED: the gateway sync token (X-Gateway-Token) is wrong.",
    "/api/v1/training-jobs": "UNAUTHORIZED: no valid token, nor a live API key with the train "
    "scope.",
    "/api/v1/training-jobs/{job_id}": "UNAUTHORIZED: no valid token, nor a live API key with "
    "the train scope.",
}


def _spec(description: str) -> ResponseSpec:
    # no generated examples: they are random strings, and the committed document must be
    # the same every time it is generated
    return ResponseSpec(ErrorBody, description=description, generate_examples=False)


def document_errors(app: Litestar) -> None:
    """Make the OpenAPI document show every error status the API really sends, with the
    standard body (the framework's own schema for them describes a body never returned):
    400 and 404 and 503 everywhere, 401 where a token is needed, 403/409/413/422 on writes."""
    public = [re.compile(pattern) for pattern in PUBLIC_PATHS]
    for route in app.routes:
        open_route = any(p.search(route.path) for p in public)
        for handler in getattr(route, "route_handlers", ()):
            if not handler.include_in_schema:
                continue
            documented = {400: _spec(_STANDARD)}
            documented |= {status: _spec(text) for status, text in _EVERY_OPERATION.items()}
            if handler.http_methods & {"POST", "PUT", "PATCH", "DELETE"}:
                documented |= {status: _spec(text) for status, text in _WRITES.items()}
            if not (open_route or handler.opt.get("exclude_from_auth")):
                documented[401] = _spec(_UNAUTHORIZED)
            elif (path := re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)) in _OWN_CREDENTIAL:
                documented[401] = _spec(_OWN_CREDENTIAL[path])
                if path.startswith("/api/v1/"):  # a key of another asset, or a viewer
                    documented[403] = _spec("FORBIDDEN: the key belongs to another asset.")
            handler.responses = {**documented, **(handler.responses or {})}
