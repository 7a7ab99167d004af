"""Caller rows (JSON objects) to columns: the timestamps and one float array per source field.

Rows are read column-wise at C speed (`map(itemgetter)`, `msgspec.convert` for the type
check); only when that fails do we walk rows one by one to name the offending row.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from schemas.contracts import InferenceInput
from schemas.errors import InvalidInput

_CELL_AT = re.compile(r"\$\[(\d+)\]\[(\d+)\]")
_NumberColumns = list[list[float | None]]


class Columns(msgspec.Struct, frozen=True):
    """Timestamps as given and, per source field, values as float64 (NaN where null/absent)."""

    timestamps: Sequence[Any]
    values: npt.NDArray[np.float64]  # [n_rows, n_sources]
    present: npt.NDArray[np.bool_]  # per source: some row has a non-null value


def payload_rows(payload: InferenceInput) -> Sequence[Any]:
    """The rows of a request in either form (`series` or seed-003 `historical_data`)."""
    rows, field = payload.series, "series"
    if payload.historical_data is not None:
        if rows is not None:
            raise InvalidInput(
                "give either 'series' or 'historical_data', not both", {"field": "series"}
            )
        rows, field = payload.historical_data, "historical_data"
    if not isinstance(rows, list) or not rows:
        raise InvalidInput(f"'{field}' must be a non-empty list of rows", {"field": field})
    return rows


def _columns_slow(rows: Sequence[Any], fields: Sequence[str]) -> list[list[Any]]:
    for row, item in enumerate(rows):
        if not isinstance(item, dict):
            raise InvalidInput(
                f"row {row} must be a JSON object", {"row": row, "value": repr(item)[:100]}
            )
        if fields[0] not in item:
            raise InvalidInput(f"row {row} has no '{fields[0]}'", {"row": row, "field": fields[0]})
    return [[item.get(f) for item in rows] for f in fields]


def _columns_fast(rows: Sequence[Any], fields: Sequence[str]) -> list[list[Any]]:
    """One C-level pass per field; KeyError/TypeError sends the caller to `_columns_slow`."""
    columns = [list(map(operator.itemgetter(fields[0]), rows))]
    for field in fields[1:]:
        try:
            columns.append(list(map(operator.itemgetter(field), rows)))
        except KeyError:
            columns.append(list(map(dict.get, rows, repeat(field))))
    return columns


def _as_floats(
    columns: list[list[Any]], fields: Sequence[str]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """[n_rows, n_fields] float64 with NaN for null, and per field whether any value is
    there; INVALID_INPUT names the first bad cell."""
    try:
        msgspec.convert(columns, _NumberColumns)
        values = np.array(columns, dtype=np.float64).reshape(len(fields), -1).T
    except (msgspec.ValidationError, TypeError, ValueError, OverflowError) as exc:
        match = _CELL_AT.search(str(exc))
        j, row = (int(match.group(1)), int(match.group(2))) if match else (0, -1)
        value = columns[j][row] if row >= 0 else None
        raise InvalidInput(
            f"row {row}: '{fields[j]}' must be a number or null",
            {"row": row, "field": fields[j], "value": repr(value)[:100]},
        ) from exc
    finite = np.isfinite(values)
    if not finite.all():
        infinite = np.isinf(values)
        if infinite.any():
            row, j = (int(i) for i in np.argwhere(infinite)[0])
            raise InvalidInput(
                f"row {row}: '{fields[j]}' must be finite",
                {"row": row, "field": fields[j], "value": repr(columns[j][row])},
            )
    present = np.asarray(finite.any(axis=0), dtype=np.bool_)  # no infinities: not null
    return values, present


def read_columns(rows: Sequence[Any], timestamp_field: str, sources: Sequence[str]) -> Columns:
    """The timestamp column and the numeric source columns of `rows`.

    A missing key is null; a non-object row, a row without a timestamp, or a value that is
    not a finite number (or null) -> INVALID_INPUT naming the row and field.
    """
    fields = (timestamp_field, *sources)
    try:
        columns = _columns_fast(rows, fields)
    except (KeyError, TypeError):
        columns = _columns_slow(rows, fields)
    values, present = _as_floats(columns[1:], sources)
    return Columns(timestamps=columns[0], values=values, present=present)
