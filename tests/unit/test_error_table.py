"""The one error table both apps register: domain errors, framework errors, the rest."""

from __future__ import annotations

import msgspec
from litestar.exceptions import NotAuthorizedException, NotFoundException, ValidationException

from loadstar_core.errors import error_reply
from schemas.errors import Conflict, InferenceFailed


def body(exc: Exception, path: str = "/x") -> tuple[int, dict[str, object], bool]:
    reply = error_reply(exc, path)
    return reply.status, msgspec.json.decode(reply.body), reply.unexpected


def test_domain_errors_keep_their_code_message_and_details() -> None:
    assert body(Conflict("taken", {"name": "a"})) == (
        409,
        {"code": "CONFLICT", "message": "taken", "details": {"name": "a"}},
        False,
    )
    assert body(InferenceFailed("down", {}))[1]["code"] == "INFERENCE_FAILED"


def test_framework_errors_map_by_status_onto_the_standard_codes() -> None:
    status, sent, _ = body(ValidationException("bad body", extra=[{"key": "version"}]))
    assert status == 400 and sent["code"] == "INVALID_INPUT"
    assert sent["details"] == {"errors": [{"key": "version"}]}
    assert body(NotAuthorizedException())[1]["code"] == "UNAUTHORIZED"
    status, sent, _ = body(NotFoundException(), "/nowhere")
    assert status == 404 and sent["details"] == {"path": "/nowhere"}


def test_anything_else_is_an_internal_error_worth_a_trace() -> None:
    status, sent, unexpected = body(KeyError("k"), "/p")
    assert status == 500 and unexpected
    assert sent == {
        "code": "INTERNAL_ERROR",
        "message": "internal error: KeyError",
        "details": {"path": "/p"},
    }


def test_a_wrong_method_is_405_with_the_allowed_methods_in_allow_and_details() -> None:
    from litestar.exceptions import MethodNotAllowedException

    reply = error_reply(MethodNotAllowedException(headers={"allow": "GET, OPTIONS"}), "/api/x")
    sent = msgspec.json.decode(reply.body)
    assert reply.status == 405 and reply.headers == {"Allow": "GET, OPTIONS"}
    assert sent["code"] == "METHOD_NOT_ALLOWED"
    assert sent["details"] == {"path": "/api/x", "allowed": ["GET", "OPTIONS"]}


def test_an_unavailable_dependency_is_503_with_retry_after() -> None:
    from schemas.errors import ServiceUnavailable

    reply = error_reply(ServiceUnavailable("the database is not answering"))
    assert reply.status == 503 and reply.headers == {"Retry-After": "1"}
    assert msgspec.json.decode(reply.body)["code"] == "SERVICE_UNAVAILABLE"
