"""ISO 8601 timestamps to epoch microseconds (UTC), offsets honoured, naive read as UTC.

Requests carry hundreds of timestamps in one layout, so a vectorised parser reads that
layout straight from the bytes; anything else (or anything it doubts) goes through
`datetime.fromisoformat` row by row, which also names the bad row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from schemas.errors import InvalidInput

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_ZERO_DIGITS = str.maketrans("123456789", "000000000")

# Columns of the value matrix a layout computes from the digits (one matrix product):
# months (12 * year + month), day, seconds of day net of the offset, microseconds, then
# the parts whose ranges must be checked.
_MONTHS, _DAY, _SOD, _MICRO, _YEAR, _MONTH, _HOUR, _MINUTE, _SECOND, _OFF_H, _OFF_M = range(11)
_N_PARTS = 11
_INF = float("inf")
_MIN = np.array([-_INF, 1, -_INF, 0, 1, 1, 0, 0, 0, 0, 0], dtype=np.float64)
_MAX = np.array([_INF, 31, _INF, 999_999, 9999, 12, 23, 59, 59, 23, 59], dtype=np.float64)
_EPOCH_MONTHS = 12 * 1970 + 1


class ParsedTimes(msgspec.Struct, frozen=True):
    """Epoch microseconds per row (input order) and how many rows had no offset."""

    epoch_us: npt.NDArray[np.int64]
    naive: int


class _Layout(msgspec.Struct, frozen=True):
    """One fixed-width timestamp layout: byte bounds per column and digit weights per part."""

    width: int  # characters per row, the '\n' separator included
    low: npt.NDArray[np.float32]  # [width, 1]: smallest legal character code per column
    high: npt.NDArray[np.float32]  # [width, 1]
    # [_N_PARTS, width] applied to character codes, minus `bias` (the weight of the '0's);
    # every sum is an integer below 2**24, so float32 is exact.
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]  # [_N_PARTS, 1]
    naive: bool


@lru_cache(maxsize=64)
def _layout_of_shape(shape: str) -> _Layout | None:
    """The layout of `YYYY-MM-DD(T| )HH:MM:SS[.f{1,6}][Z|±HH:MM]` (digits zeroed in
    `shape`), or None for any other form, which the row-by-row parser then handles."""
    width = len(shape)
    if width < 19 or not shape.isascii() or shape[10] not in "T ":
        return None
    low = np.full(width + 1, ord("0"), dtype=np.uint8)
    high = np.full(width + 1, ord("9"), dtype=np.uint8)
    weights = np.zeros((width + 1, _N_PARTS), dtype=np.float64)

    def fixed(col: int) -> None:
        low[col] = high[col] = ord(shape[col]) if col < width else ord("\n")

    def number(start: int, length: int, targets: dict[int, float]) -> None:
        for i in range(length):
            for part, scale in targets.items():
                weights[start + i, part] += scale * 10 ** (length - 1 - i)

    for col in (4, 7, 10, 13, 16, width):  # the newline after each row is checked too
        fixed(col)
    number(0, 4, {_YEAR: 1, _MONTHS: 12})
    number(5, 2, {_MONTH: 1, _MONTHS: 1})
    number(8, 2, {_DAY: 1})
    number(11, 2, {_HOUR: 1, _SOD: 3600})
    number(14, 2, {_MINUTE: 1, _SOD: 60})
    number(17, 2, {_SECOND: 1, _SOD: 1})
    pos = 19
    if pos < width and shape[pos] == ".":
        digits = len(shape[pos + 1 :]) - len(shape[pos + 1 :].lstrip("0"))
        if not 1 <= digits <= 6:
            return None
        fixed(pos)
        number(pos + 1, digits, {_MICRO: 10 ** (6 - digits)})
        pos += 1 + digits
    if pos == width:
        return _layout(low, high, weights, naive=True)
    if shape[pos] == "Z" and pos + 1 == width:
        fixed(pos)
    elif shape[pos] in "+-" and pos + 6 == width and shape[pos + 3] == ":":
        sign = 1 if shape[pos] == "+" else -1  # local time minus offset is UTC
        fixed(pos)
        fixed(pos + 3)
        number(pos + 1, 2, {_OFF_H: 1, _SOD: -3600 * sign})
        number(pos + 4, 2, {_OFF_M: 1, _SOD: -60 * sign})
    else:
        return None
    return _layout(low, high, weights, naive=False)


def _layout(
    low: npt.NDArray[np.uint8],
    high: npt.NDArray[np.uint8],
    weights: npt.NDArray[np.float64],
    naive: bool,
) -> _Layout:
    per_part = weights.T.astype(np.float32)
    return _Layout(
        width=low.size,
        low=low.astype(np.float32)[:, None],
        high=high.astype(np.float32)[:, None],
        weights=per_part,
        bias=(per_part.sum(axis=1) * np.float32(48))[:, None],
        naive=naive,
    )


def _month_days(months: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Days since the epoch of the first day of each month (months since 1970-01)."""
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _parse_fast(texts: Sequence[Any]) -> ParsedTimes | None:
    """Vectorised parse when every row has the first row's layout; None to fall back.

    Rows are joined with a newline after each: with the total length n * width and a
    newline in the last column only (no other column allows one), every row has exactly
    the layout's width, so no row can borrow characters from its neighbour.
    """
    layout = _layout_of_shape(texts[0].translate(_ZERO_DIGITS))
    if layout is None:
        return None
    try:
        raw = ("\n".join(texts) + "\n").encode("ascii")
    except (TypeError, UnicodeEncodeError):
        return None
    n = len(texts)
    if len(raw) != n * layout.width:
        return None
    chars = np.frombuffer(raw, dtype=np.uint8).reshape(n, layout.width)
    codes = chars.T.astype(np.float32, order="C")  # [width, n]: rows reduce fast
    if (codes.min(axis=1, keepdims=True) < layout.low).any() or (
        codes.max(axis=1, keepdims=True) > layout.high
    ).any():
        return None
    parts = layout.weights @ codes - layout.bias  # [_N_PARTS, n]
    if (parts.min(axis=1) < _MIN).any() or (parts.max(axis=1) > _MAX).any():
        return None
    whole = parts.astype(np.int64)
    months = whole[_MONTHS] - _EPOCH_MONTHS
    first, last = int(months.min()), int(months.max())
    if last - first > 1200:  # a table per month would be large: convert each row
        month_start, next_start = _month_days(months), _month_days(months + 1)
    else:
        table = _month_days(np.arange(first, last + 2, dtype=np.int64))
        slot = months - first
        month_start, next_start = table[slot], table[slot + 1]
    day = whole[_DAY]
    if day.max() > 28 and (day > next_start - month_start).any():
        return None  # e.g. 31 April: let the row parser name the row
    seconds = (month_start + day - 1) * 86_400 + whole[_SOD]
    return ParsedTimes(epoch_us=seconds * 1_000_000 + whole[_MICRO], naive=n * layout.naive)


def parse_one(value: object, row: int, field: str) -> tuple[int, bool]:
    """Epoch microseconds of one ISO 8601 timestamp and whether it had no offset."""
    if not isinstance(value, str):
        raise InvalidInput(
            f"row {row}: '{field}' must be an ISO 8601 string",
            {"row": row, "field": field, "value": repr(value)[:100]},
        )
    try:
        parsed = datetime.fromisoformat(value)
        naive = parsed.tzinfo is None
        if naive:
            parsed = parsed.replace(tzinfo=UTC)
        return (parsed - _EPOCH) // _ONE_US, naive
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(
            f"row {row}: '{field}' is not an ISO 8601 timestamp: {value[:64]!r}",
            {"row": row, "field": field, "value": value[:100], "cause": str(exc)[:200]},
        ) from exc


def parse_timestamps(values: Sequence[object], field: str) -> ParsedTimes:
    """Parses every row's timestamp; INVALID_INPUT names the first bad row."""
    if values and isinstance(values[0], str):
        fast = _parse_fast(values)
        if fast is not None:
            return fast
    epoch_us = np.empty(len(values), dtype=np.int64)
    naive = 0
    for row, value in enumerate(values):
        epoch_us[row], was_naive = parse_one(value, row, field)
        naive += was_naive
    return ParsedTimes(epoch_us=epoch_us, naive=naive)


def format_epoch_s(epoch_s: npt.NDArray[np.int64]) -> list[str]:
    """ISO 8601 UTC strings with 'Z' for epoch seconds."""
    strings = np.datetime_as_string(epoch_s.astype("datetime64[s]"), timezone="UTC")
    return [str(s) for s in strings.tolist()]
