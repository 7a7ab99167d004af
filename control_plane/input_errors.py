"""Exceptions that are the caller's bad input though they do not say so.

- A body field named like one of the app's dependencies (`user` in a share request):
  the framework reads its validation error as the dependency's and raises a bare 500.
  The cause still says which body field failed.
- Text with a NUL character: PostgreSQL cannot store or compare it, and the driver's
  error is not an input error by type.
- A number past a column's range (an id of 2**60 for an integer key): the driver refuses
  to encode it, or PostgreSQL to store it.

Both are answered 400 INVALID_INPUT, and nothing was written (the failed statement, or
the decode before the handler ran).
"""

from __future__ import annotations

import re

import asyncpg
import msgspec
from litestar.exceptions import InternalServerException

from schemas.errors import InvalidInput

# msgspec's message: "Expected `str | null`, got `object` - at `$.data.user`"
_AT_BODY = re.compile(r"^(?P<message>.*) - at `\$\.data\.?(?P<key>[^`]*)`$")
# the driver could not encode an argument ("invalid input for query argument $1: ... (value
# out of int32 range)", raised as the data-error base class), or the server's overflow
_DRIVER_REFUSED = "invalid input for query argument"
_UNSTORABLE_TEXT = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)


def as_input_error(exc: BaseException) -> InvalidInput | None:
    """The 400 answer for an exception that is really bad input; else None."""
    if isinstance(exc, InternalServerException) and isinstance(
        exc.__cause__, msgspec.ValidationError
    ):
        found = _AT_BODY.match(str(exc.__cause__))
        if found is not None:
            key = found["key"] or "body"
            error = {"message": found["message"], "key": key, "source": "body"}
            return InvalidInput(f"{key}: {found['message']}", {"errors": [error]})
    if isinstance(exc, _UNSTORABLE_TEXT):
        return InvalidInput(
            "text may not hold a NUL character (\\u0000)", {"reason": "unstorable character"}
        )
    if isinstance(exc, asyncpg.exceptions.NumericValueOutOfRangeError) or (
        type(exc) is asyncpg.exceptions.DataError and str(exc).startswith(_DRIVER_REFUSED)
    ):
        return InvalidInput(
            "a number in the request is out of range", {"reason": str(exc).split(":")[-1].strip()}
        )
    return None
