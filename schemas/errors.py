"""Domain errors: one exception per standard error code, with no HTTP in them.

Every service turns these into the standard `{code, message, details}` body; the status
code for each code is in `HTTP_STATUS` so the table lives in one place.
"""

from __future__ import annotations

from typing import Any, Literal

ErrorCode = Literal[
    "INVALID_INPUT",
    "UNIT_INCONSISTENT",
    "INPUT_MISSING_EXCEEDS",
    "INPUT_OUT_OF_RANGE",
    "INFERENCE_FAILED",
    "UNAUTHORIZED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "PAYLOAD_TOO_LARGE",
    "METHOD_NOT_ALLOWED",
    "SERVICE_UNAVAILABLE",
    "INTERNAL_ERROR",
]

HTTP_STATUS: dict[str, int] = {
    "INVALID_INPUT": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "METHOD_NOT_ALLOWED": 405,
    "SERVICE_UNAVAILABLE": 503,
    "UNIT_INCONSISTENT": 422,
    "INPUT_MISSING_EXCEEDS": 422,
    "INPUT_OUT_OF_RANGE": 422,
    "INFERENCE_FAILED": 503,
    "INTERNAL_ERROR": 500,
}

# A framework's own HTTP errors (routing, body limits, validation) mapped onto our codes.
CODE_BY_HTTP_STATUS: dict[int, str] = {
    400: "INVALID_INPUT",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "INVALID_INPUT",
    503: "SERVICE_UNAVAILABLE",
}


class LoadstarError(Exception):
    """Base of every domain error; `code` is one of `ErrorCode`."""

    code: ErrorCode = "INTERNAL_ERROR"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]


class InvalidInput(LoadstarError):
    code = "INVALID_INPUT"


class UnitInconsistent(LoadstarError):
    code = "UNIT_INCONSISTENT"


class InputMissingExceeds(LoadstarError):
    code = "INPUT_MISSING_EXCEEDS"


class InputOutOfRange(LoadstarError):
    """Readings far outside the range the model was trained on (deployments that refuse)."""

    code = "INPUT_OUT_OF_RANGE"


class InferenceFailed(LoadstarError):
    """Triton unreachable (503), too slow (504) or answering nonsense (502)."""

    code = "INFERENCE_FAILED"

    def __init__(
        self,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        kind: Literal["unavailable", "timeout", "bad_output"] = "unavailable",
    ) -> None:
        super().__init__(message, details)
        self.kind = kind

    @property
    def status(self) -> int:
        return {"unavailable": 503, "timeout": 504, "bad_output": 502}[self.kind]


class Unauthorized(LoadstarError):
    code = "UNAUTHORIZED"


class Forbidden(LoadstarError):
    code = "FORBIDDEN"


class NotFound(LoadstarError):
    code = "NOT_FOUND"


class Conflict(LoadstarError):
    code = "CONFLICT"


class PayloadTooLarge(LoadstarError):
    code = "PAYLOAD_TOO_LARGE"


class ServiceUnavailable(LoadstarError):
    """A service this one depends on (the database, Redis, the S3 store) did not answer:
    the request changed nothing and may be tried again."""

    code = "SERVICE_UNAVAILABLE"
