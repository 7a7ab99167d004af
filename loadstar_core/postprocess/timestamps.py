"""ISO 8601 timestamps to epoch microseconds (UTC), offsets honoured, naive read as UTC.

Requests carry hundreds of timestamps in one layout, so a vectorised parser reads that
layout straight from the bytes with numpy's ISO parser; anything else (or anything it
doubts) goes through `datetime.fromisoformat` row by row, which also names the bad row.
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
_DASH = ord("-")
_ZERO, _NINE, _PLUS = ord("0"), ord("9"), ord("+")
_ZERO_DIGITS = str.maketrans("123456789", "000000000")
_T, _SPACE, _COMMA = ord("T"), ord(" "), ord(",")


class ParsedTimes(msgspec.Struct, frozen=True):
    """Epoch microseconds per row (input order) and how many rows had no offset."""

    epoch_us: npt.NDArray[np.int64]
    naive: int


class _Layout(msgspec.Struct, frozen=True):
    """One fixed-width timestamp layout and the characters each column may hold."""

    local: int  # characters of the local date-time (numpy parses these)
    suffix: str  # '', 'Z' or '±' (a ±HH:MM offset follows)
    low: npt.NDArray[np.uint8]  # [width + 1]: smallest legal code per column, '\n' last
    span: npt.NDArray[np.uint8]  # largest legal code minus `low`


@lru_cache(maxsize=64)
def _layout_of(shape: str) -> _Layout | None:
    """The layout `YYYY-MM-DD(T| )HH:MM:SS[.f{1,6}][Z|±HH:MM]` as the first row shows it
    (digits zeroed in `shape`, so one layout is one cache entry), else None."""
    if len(shape) < 19 or not shape.isascii() or shape[10] not in "T ":
        return None
    local = 19
    if shape[19:20] == ".":
        digits = len(shape[20:]) - len(shape[20:].lstrip("0"))
        if not 1 <= digits <= 6:
            return None
        local = 20 + digits
    suffix = shape[local:]
    if suffix not in ("", "Z") and not (
        len(suffix) == 6
        and suffix[0] in "+-"
        and suffix[3] == ":"
        and suffix[1:3] + suffix[4:] == "0000"
    ):
        return None
    codes = np.frombuffer((shape + "\n").encode(), dtype=np.uint8)
    low, high = codes.copy(), codes.copy()
    digit = codes == _ZERO
    low[digit], high[digit] = _ZERO, _NINE
    low[10], high[10] = _SPACE, _T  # numpy's parser takes only these two
    if len(suffix) == 6:
        low[local], high[local] = _PLUS, _DASH  # ',' in between is refused after
        high[local + 1], high[local + 4] = ord("2"), ord("5")  # hours <= 2x, minutes <= 59
    return _Layout(local, "±" if len(suffix) == 6 else suffix, low, high - low)


def _parse_fast(texts: Sequence[Any]) -> ParsedTimes | None:
    """Vectorised parse when every row has the first row's layout; None to fall back.

    Rows are joined with a newline after each; with the total length n * width and a
    newline legal in the last column only, every row has exactly the layout's width, so no
    row can borrow characters from its neighbour.
    """
    first = texts[0]
    if not isinstance(first, str):
        return None
    try:
        raw = ("\n".join(texts) + "\n").encode("ascii")
    except (TypeError, UnicodeEncodeError):
        return None
    n, width = len(texts), len(first) + 1
    if len(raw) != n * width:
        return None
    return parse_fixed_width(first, raw, 0, width, n, newline=True)


@lru_cache(maxsize=64)
def _bounds(
    shape: str, width: int, prefix: bytes
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """The first `width` columns of the layout of `shape` (a layout: `_layout_of` is not
    None), after `prefix`, whose bytes must be exact."""
    layout = _layout_of(shape)
    assert layout is not None
    exact = np.frombuffer(prefix, dtype=np.uint8)
    low = np.concatenate((exact, layout.low[:width]))
    span = np.concatenate((np.zeros_like(exact), layout.span[:width]))
    return low, span


@lru_cache(maxsize=256)
def _bounds_one_offset(
    shape: str, width: int, prefix: bytes, offset: str
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]] | None:
    """`_bounds` with the offset's six columns pinned to `offset` (the first text's), so one
    check also proves that every text has that offset; None when `offset` itself is not
    in the layout (the full check then names nothing new: it fails as well)."""
    low, span = _bounds(shape, width, prefix)
    layout = _layout_of(shape)
    assert layout is not None
    at = len(prefix) + layout.local
    codes = np.frombuffer(offset.encode("ascii"), dtype=np.uint8)
    if offset[0] == "," or ((codes - low[at : at + 6]) > span[at : at + 6]).any():
        return None
    low, span = low.copy(), span.copy()
    low[at : at + 6], span[at : at + 6] = codes, 0
    return low, span


def parse_fixed_width(
    first: str,
    buffer: bytes | npt.NDArray[np.uint8],
    offset: int,
    stride: int,
    n: int,
    newline: bool = False,
    one_offset: bool = False,
    prefix: bytes = b"",
) -> ParsedTimes | None:
    """Parses n texts of `len(first)` bytes at `offset + k * stride` in `buffer` (each
    followed by a newline when `newline`, each preceded by the bytes `prefix` when given),
    all in the layout `first` (the first of the texts) shows; None when any text is not in
    it, for the row-by-row parser to name. `one_offset`: the caller has checked that every
    text ends in the same UTC offset; an offset shared by all is read from `first`.

    Every character is checked against the layout, then numpy's own ISO parser reads the
    local date-times (it checks the ranges, 31 April included) and the offsets are applied.
    With a `±HH:MM` offset the check is first made with the offset pinned to the first
    text's (the usual case: one check proves both); only when that fails are the texts
    checked against the layout alone and each offset read.
    """
    shape = first.translate(_ZERO_DIGITS)
    layout = _layout_of(shape)
    if layout is None:
        return None
    width = layout.low.size - (0 if newline else 1)
    before = len(prefix)
    chars = np.ndarray(
        (n, before + width), dtype=np.uint8, buffer=buffer, offset=offset - before,
        strides=(stride, 1),
    )  # fmt: skip
    local = layout.local
    pinned = (
        _bounds_one_offset(shape, width, prefix, first[local : local + 6])
        if layout.suffix == "±"
        else None
    )
    if pinned is not None and not (np.subtract(chars, pinned[0]) > pinned[1]).any():
        one_offset = True  # every text in the layout, all with the first one's offset
    else:
        low, span = _bounds(shape, width, prefix)
        if (np.subtract(chars, low) > span).any():  # below wraps
            return None
    try:
        stamps = np.ndarray(
            (n,), dtype=f"S{local}", buffer=buffer, offset=offset, strides=(stride,)
        )
        epoch_us = stamps.astype("datetime64[us]").view(np.int64)
    except ValueError:
        return None
    if layout.suffix == "±":
        suffixes = chars[:, before + local : before + local + 6]
        if one_offset or (suffixes == suffixes[0]).all():  # one offset for all: usual
            # the first text's offset, checked above character by character
            sign, hours = first[local], int(first[local + 1 : local + 3])
            if sign == "," or hours > 23:
                return None
            shift = (hours * 60 + int(first[local + 4 : local + 6])) * 60_000_000
            epoch_us = epoch_us - shift if sign == "+" else epoch_us + shift  # local - offset
        else:
            offsets = suffixes.astype(np.int64)
            east = _COMMA - offsets[:, 0]  # '+' -> 1, '-' -> -1, ',' -> 0
            hours_of = offsets[:, 1] * 10 + offsets[:, 2] - 11 * _ZERO
            minutes = offsets[:, 4] * 10 + offsets[:, 5] - 11 * _ZERO
            if not east.all() or hours_of.max() > 23:
                return None
            epoch_us = epoch_us - east * (hours_of * 60 + minutes) * 60_000_000
    return ParsedTimes(epoch_us=epoch_us, naive=n if layout.suffix == "" else 0)


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
    strings: list[str] = np.datetime_as_string(
        epoch_s.astype("datetime64[s]"), timezone="UTC"
    ).tolist()
    return strings
