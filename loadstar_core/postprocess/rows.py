"""Caller rows (JSON objects) to columns: the timestamps and one float array per source field.

Rows are read column-wise at C speed (`map(itemgetter)`; msgspec packs a column of floats
that numpy then reads in place, or checks and converts any other column); only when a
row is malformed do we walk rows one by one to name the offending row.
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

_ROW_AT = re.compile(r"\$\[(\d+)\]")


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


_pack = msgspec.msgpack.Encoder().encode
_FLOAT64_TAG = 0xCB  # msgpack: a float64 follows, big-endian
_Floats = list[float | None]


def _packed_floats(column: list[Any]) -> npt.NDArray[np.float64] | None:
    """The column as float64 when every value is a Python float, else None.

    msgspec packs such a list at C speed as a header and then one 9-byte record (tag,
    big-endian float64) per value; numpy reads the records in place. Anything that is not
    a float (int, bool, None, text) packs to another length or tag, and is left to the
    caller.
    """
    n = len(column)
    try:
        packed = _pack(column)
    except (TypeError, OverflowError):  # objects msgpack has no form for, huge ints
        return None
    header = len(packed) - 9 * n
    if header < 1 or header > 5:
        return None
    tags = np.ndarray((n,), dtype=np.uint8, buffer=packed, offset=header, strides=(9,))
    if not (tags == _FLOAT64_TAG).all():
        return None
    values = np.ndarray((n,), dtype=">f8", buffer=packed, offset=header + 1, strides=(9,))
    return values.astype(np.float64)


def _column_floats(column: list[Any], field: str) -> npt.NDArray[np.float64]:
    """float64 with NaN for null; INVALID_INPUT names the first value that is not a number."""
    fast = _packed_floats(column)
    if fast is not None:
        return fast
    try:
        numbers = msgspec.convert(column, _Floats)  # ints become floats, bools are refused
    except msgspec.ValidationError as exc:
        match = _ROW_AT.search(str(exc))
        row = int(match.group(1)) if match else -1
        value = column[row] if row >= 0 else None
        raise InvalidInput(
            f"row {row}: '{field}' must be a number or null",
            {"row": row, "field": field, "value": repr(value)[:100]},
        ) from exc
    fast = _packed_floats(numbers)
    return fast if fast is not None else np.array(numbers, dtype=np.float64)


def _as_floats(
    columns: list[list[Any]], fields: Sequence[str]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """[n_rows, n_fields] float64 with NaN for null, and per field whether any value is
    there; INVALID_INPUT names the first bad cell."""
    values = np.empty((len(columns[0]) if columns else 0, len(fields)), dtype=np.float64)
    for j, (column, field) in enumerate(zip(columns, fields, strict=True)):
        values[:, j] = _column_floats(column, field)
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
