"""Rows that all share one layout, read in one pass at C speed through their msgpack form.

Readings from one source usually repeat one shape: the same keys in the same order, each
value of the same kind and width (a float, an int of one size, a timestamp of one
layout). msgspec packs such rows back to back as records of equal length; the first
record tells where each value lies, and numpy then reads every column, timestamps
included, straight from the packed bytes. Anything that does not fit (a null, a missing
key, an int of another width, a bool, text where a number belongs) gives None, and the
caller reads the rows one field at a time instead, which also names what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import msgspec
import numpy as np
import numpy.typing as npt

from loadstar_core.postprocess.timestamps import ParsedTimes, parse_fixed_width

_pack = msgspec.msgpack.Encoder().encode

# msgpack tags of fixed-width numbers -> how numpy reads the bytes after the tag
_NUMBERS: dict[int, str] = {
    0xCA: ">f4",
    0xCB: ">f8",
    0xCC: "u1",
    0xCD: ">u2",
    0xCE: ">u4",
    0xCF: ">u8",
    0xD0: "i1",
    0xD1: ">i2",
    0xD2: ">i4",
    0xD3: ">i8",
}
_FIXINT = "fixint"  # ints in -32..127 are their own tag, one byte
_TEXT = "text"


class _Value(NamedTuple):
    kind: str  # a numpy dtype, _FIXINT or _TEXT
    start: int  # of the value's bytes within the record
    size: int


class PackedRows(NamedTuple):
    times: ParsedTimes
    values: npt.NDArray[np.float64]  # [n_rows, n_sources]; NaN only where a key is absent
    present: npt.NDArray[np.bool_]  # per source: the rows have it


def _record(packed: bytes, start: int) -> tuple[dict[str, _Value], list[int], int] | None:
    """The values of the map packed at `start`, the positions that every record of the same
    layout must repeat byte for byte (map header, keys, tags), and where the map ends."""
    tag = packed[start]
    if 0x80 <= tag <= 0x8F:
        count, pos = tag & 0x0F, start + 1
    elif tag == 0xDE:
        count, pos = int.from_bytes(packed[start + 1 : start + 3], "big"), start + 3
    else:
        return None
    fixed = list(range(start, pos))
    values: dict[str, _Value] = {}
    for _ in range(count):
        key_tag = packed[pos]
        if 0xA0 <= key_tag <= 0xBF:
            key_start, key_size = pos + 1, key_tag & 0x1F
        elif key_tag == 0xD9:
            key_start, key_size = pos + 2, packed[pos + 1]
        else:
            return None
        try:
            key = packed[key_start : key_start + key_size].decode()
        except UnicodeDecodeError:
            return None
        fixed.extend(range(pos, key_start + key_size))
        pos = key_start + key_size
        tag = packed[pos]
        if tag in _NUMBERS:
            size = np.dtype(_NUMBERS[tag]).itemsize
            values[key] = _Value(_NUMBERS[tag], pos + 1 - start, size)
            fixed.append(pos)
            pos += 1 + size
        elif tag <= 0x7F or tag >= 0xE0:
            values[key] = _Value(_FIXINT, pos - start, 1)  # checked by range, not by tag
            pos += 1
        elif 0xA0 <= tag <= 0xBF or tag == 0xD9:
            head = 1 if tag != 0xD9 else 2
            size = tag & 0x1F if tag != 0xD9 else packed[pos + 1]
            values[key] = _Value(_TEXT, pos + head - start, size)
            fixed.extend(range(pos, pos + head))
            pos += head + size
        else:
            return None  # null, bool, nested values: not this path
    return values, [f - start for f in fixed], pos


@lru_cache(maxsize=256)
def _word_mask(width: int, fixed: tuple[int, ...]) -> npt.NDArray[np.unsignedinteger[Any]]:
    """0xFF at the `fixed` byte positions, as machine words of the widest size that divides
    `width`."""
    kind = np.dtype(f"u{next(size for size in (8, 4, 2, 1) if width % size == 0)}")
    mask = np.zeros(width, dtype=np.uint8)
    mask[list(fixed)] = 0xFF
    words: npt.NDArray[np.unsignedinteger[Any]] = mask.view(kind)
    return words


def _same_skeleton(records: npt.NDArray[np.uint8], fixed: tuple[int, ...]) -> bool:
    """Whether every record repeats the first one's bytes at the `fixed` positions, compared
    a machine word at a time under a byte mask."""
    mask = _word_mask(records.shape[1], fixed)
    words = records.view(mask.dtype)
    return not ((words ^ words[0]) & mask).any()


def read_packed(
    rows: Sequence[Any], timestamp_field: str, sources: Sequence[str]
) -> PackedRows | None:
    """Times and [n, n_sources] float64 values of rows that share one layout, else None."""
    n = len(rows)
    if not n or not isinstance(rows[0], dict):
        return None
    try:
        packed = _pack(rows)
    except (TypeError, OverflowError):  # objects msgpack has no form for, huge ints
        return None
    header = 1 if n <= 15 else (3 if n <= 0xFFFF else 5)
    if len(packed) <= header:
        return None
    first = _record(packed, header)
    if first is None:
        return None
    fields, fixed, end = first
    width = end - header
    stamp = fields.get(timestamp_field)
    if stamp is None or stamp.kind != _TEXT or len(packed) != header + n * width:
        return None
    text = rows[0].get(timestamp_field)
    if not isinstance(text, str) or len(text) != stamp.size:
        return None
    if text[-6:-5] in ("+", "-") and text[-3:-2] == ":":  # one UTC offset for every row
        fixed.extend(range(stamp.start + stamp.size - 6, stamp.start + stamp.size))
    # an aligned copy (a few µs): word-wise comparison and contiguous columns are faster
    records = np.frombuffer(packed, np.uint8, n * width, header).reshape(n, width).copy()
    if not _same_skeleton(records, tuple(fixed)):
        return None
    stamps = np.ascontiguousarray(records[:, stamp.start : stamp.start + stamp.size])
    times = parse_fixed_width(text, stamps, 0, stamp.size, n, one_offset=True)
    if times is None:
        return None
    values = np.full((n, len(sources)), np.nan)
    present = np.zeros(len(sources), dtype=np.bool_)
    for j, source in enumerate(sources):
        value = fields.get(source)
        if value is None:
            continue  # absent from every row (the layout is shared)
        if value.kind == _TEXT:
            return None
        kind = "i1" if value.kind == _FIXINT else value.kind
        column = np.ndarray((n,), dtype=kind, buffer=records, offset=value.start, strides=(width,))
        if value.kind == _FIXINT and column.min() < -32:  # a null or a bool, not an int
            return None
        values[:, j] = column
        present[j] = True
    if not np.isfinite(values[:, present]).all():
        return None  # NaN or infinity: the field-by-field reader knows what each means
    return PackedRows(times, values, present)
