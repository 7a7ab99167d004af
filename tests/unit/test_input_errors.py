"""Bad input the framework or the driver reports as something else is a 400."""

from __future__ import annotations

import asyncpg
import msgspec
from litestar.exceptions import InternalServerException

from control_plane.input_errors import as_input_error
from loadstar_core.errors import error_reply


class Share(msgspec.Struct):
    user: str | None = None


class Kwargs(msgspec.Struct):  # the framework decodes a handler's kwargs as one Struct
    data: Share


def _framework_500(body: bytes) -> InternalServerException:
    try:
        msgspec.convert({"data": msgspec.json.decode(body)}, Kwargs)
    except msgspec.ValidationError as cause:
        exc = InternalServerException()
        exc.__cause__ = cause
        return exc
    raise AssertionError("the body should not decode")


def test_a_body_field_named_like_a_dependency_is_a_400_naming_the_field() -> None:
    found = as_input_error(_framework_500(b'{"user": {}}'))
    assert found is not None
    reply = error_reply(found, "/api/v2/notebooks/nb-1/share")
    assert reply.status == 400 and not reply.unexpected
    body = msgspec.json.decode(reply.body)
    assert body["code"] == "INVALID_INPUT" and body["message"].startswith("user: Expected")
    assert body["details"]["errors"][0] == {
        "message": "Expected `str | null`, got `object`",
        "key": "user",
        "source": "body",
    }


def test_a_real_internal_error_stays_one() -> None:
    assert as_input_error(InternalServerException()) is None
    assert as_input_error(ValueError("x")) is None
    wrapped = InternalServerException()
    wrapped.__cause__ = msgspec.ValidationError("Expected `int`, got `str` - at `$.settings`")
    assert as_input_error(wrapped) is None  # a dependency really failed


def test_text_the_database_cannot_store_is_a_400() -> None:
    found = as_input_error(asyncpg.exceptions.CharacterNotInRepertoireError("0x00"))
    assert found is not None and error_reply(found).status == 400


def test_a_number_past_a_columns_range_is_a_400() -> None:
    driver = asyncpg.exceptions.DataError(  # the class the driver really raises
        "invalid input for query argument $2: 195647542651438848 (value out of int32 range)"
    )
    for exc in (driver, asyncpg.exceptions.NumericValueOutOfRangeError("integer out of range")):
        found = as_input_error(exc)
        assert found is not None and error_reply(found).status == 400
        assert "range" in found.details["reason"]
    assert as_input_error(asyncpg.exceptions.DivisionByZeroError("x")) is None  # our own bug
