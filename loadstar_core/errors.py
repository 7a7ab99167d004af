"""The one table from an exception to an HTTP status and the standard error body.

Pure: domain errors (`schemas.errors.LoadstarError`) carry their code; a web framework's
own HTTP errors (routing, validation, auth, body limits) are read by their `status_code`,
`detail` and `extra` attributes, so this module needs no framework. Each app registers a
few lines that call `error_reply` and send what it returns.
"""

from __future__ import annotations

from typing import Any, cast

import msgspec

from loadstar_core.plain_words import plain_validation
from schemas.contracts import ErrorBody
from schemas.errors import CODE_BY_HTTP_STATUS, HTTP_STATUS, ErrorCode, LoadstarError

_encode = msgspec.json.Encoder().encode

# what a framework error says when it brings no words of its own
_DEFAULT_MESSAGE = {
    "UNAUTHORIZED": "authentication required",
    "FORBIDDEN": "not allowed",
    "NOT_FOUND": "no such route",
    "METHOD_NOT_ALLOWED": "this path does not take that method",
}
# headers of a framework error that are part of its answer
_KEPT_HEADERS = ("allow", "retry-after")


class ErrorReply(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    code: str
    body: bytes
    unexpected: bool = False  # neither a domain nor a framework error: worth a logged trace
    # headers the answer must carry: `Allow` on a 405, `Retry-After` on a 503
    headers: dict[str, str] = msgspec.field(default_factory=dict)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    return _encode(ErrorBody(code=cast(ErrorCode, code), message=message, details=details or {}))


def _reply(
    code: str,
    message: str,
    details: dict[str, Any],
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> ErrorReply:
    return ErrorReply(
        status=status or HTTP_STATUS.get(code, 500),
        code=code,
        body=error_body(code, message, details),
        headers=headers or {},
    )


def _kept_headers(exc: BaseException) -> dict[str, str]:
    raw = getattr(exc, "headers", None)
    if not isinstance(raw, dict):
        return {}
    return {k.title(): str(v) for k, v in raw.items() if k.lower() in _KEPT_HEADERS}


def _plain(extra: list[Any] | dict[str, Any]) -> str:
    """A framework's validation errors ({message, key} each) as one sentence in plain words."""
    items = extra if isinstance(extra, list) else [extra]
    said = [
        plain_validation(str(e["message"]), str(e["key"]) if e.get("key") else None)
        for e in items[:3]
        if isinstance(e, dict) and e.get("message")
    ]
    return "; ".join(said)


def error_reply(exc: BaseException, path: str = "") -> ErrorReply:
    """The status and standard body for any exception a handler raised at `path`."""
    if isinstance(exc, LoadstarError):
        retry = {"Retry-After": "1"} if exc.status == 503 else None
        return _reply(exc.code, exc.message, exc.details, exc.status, retry)
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):  # the framework's own HTTP error
        code = CODE_BY_HTTP_STATUS.get(status, "INTERNAL_ERROR")
        message = str(getattr(exc, "detail", "") or "") or _DEFAULT_MESSAGE.get(code, code)
        details: dict[str, Any] = {}
        extra = getattr(exc, "extra", None)
        if code == "INVALID_INPUT" and isinstance(extra, list | dict) and extra:
            details = {"errors": extra}
            message = _plain(extra) or message
        elif code in ("NOT_FOUND", "METHOD_NOT_ALLOWED"):
            details = {"path": path}
        headers = _kept_headers(exc)
        if code == "METHOD_NOT_ALLOWED" and "Allow" in headers:
            details["allowed"] = headers["Allow"].split(", ")
            message = f"{message}; allowed: {headers['Allow']}"
        status = status if code != "INTERNAL_ERROR" else 500
        return _reply(code, message, details, status, headers)
    message = f"internal error: {type(exc).__name__}"
    return ErrorReply(
        status=500,
        code="INTERNAL_ERROR",
        body=error_body("INTERNAL_ERROR", message, {"path": path}),
        unexpected=True,
    )
