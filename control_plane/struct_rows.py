"""A table row as a wire Struct: each camelCase field read from its snake_case column.

Slices answer with Structs whose fields are the columns' names in camelCase (`createdAt`
from `created_at`); `from_row` is that mapping written once, instead of a constructor call
naming every field again in each slice. Values are passed as they are (as the Struct's
own constructor does), so what the database returns is what the Struct holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)

_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


def column_name(field: str) -> str:
    """`createdAt` -> `created_at`, `ruleId` -> `rule_id`, `id` -> `id`."""
    return _UPPER.sub("_", field).lower()


@cache
def _columns(kind: type[msgspec.Struct]) -> tuple[tuple[str, str, bool], ...]:
    """(field, column, has a default) for each field of `kind`."""
    return tuple(
        (f.name, column_name(f.name), f.required is False) for f in msgspec.structs.fields(kind)
    )


def from_row(kind: type[S], row: Mapping[str, Any], **given: Any) -> S:
    """`kind` from `row`: a field in `given` takes that value, any other its column's; a
    field with a default and no column keeps the default (a missing required one is a
    KeyError naming the column)."""
    values = dict(given)
    for field, column, optional in _columns(kind):
        if field in values or (optional and column not in row):
            continue
        values[field] = row[column]
    return kind(**values)
