"""A request decoded straight into typed rows for one deployment: no dict per row.

A deployment reads one timestamp field and a few numeric source fields. Per deployment
(cached on those names) msgspec gets a row type with exactly those fields, the timestamp a
string and each source a float that is NaN when the key is absent, so decoding the body
builds small fixed objects instead of a dict per row. When every timestamp has the first
one's fixed layout, msgspec packs the rows into records of one width and numpy reads the
values and the timestamps straight from them (`packed_columns`); otherwise the columns
come out with one C-level pass each (`typed_columns`). Anything that does not fit the
typed shape (a null, a bool, a row that is not an object, a timestamp that is not a
string, an infinite number) gives None, and the caller decodes the body the general way,
which answers exactly as before, errors included.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import msgspec
import numpy as np
import numpy.typing as npt

from loadstar_core.postprocess.contract import ResolvedContract
from loadstar_core.postprocess.packed import PackedRows
from loadstar_core.postprocess.timestamps import parse_fixed_width
from schemas.contracts import InferenceInput

Row = dict[str, Any]
_pack = msgspec.msgpack.Encoder().encode


class TypedRows(NamedTuple):
    """The rows' columns, as `read_columns` gives them (timestamps parsed later, in the
    same order of checks as there)."""

    timestamps: list[str]
    values: npt.NDArray[np.float64]  # [n_rows, n_sources], NaN where a key is absent
    present: npt.NDArray[np.bool_]  # per source: some row has it


class _Reader(NamedTuple):
    body: type
    row: type
    decode: Callable[[bytes], Any]
    stamp: Callable[[Any], Any]
    columns: tuple[Callable[[Any], Any], ...]


@lru_cache(maxsize=256)
def _reader(timestamp_field: str, sources: tuple[str, ...]) -> _Reader:
    names = [f"s{j}" for j in range(len(sources))]
    row = msgspec.defstruct(
        "TypedRow",
        [("t", str), *((name, float, math.nan) for name in names)],
        rename={"t": timestamp_field, **dict(zip(names, sources, strict=True))},
        gc=False,
    )
    body = msgspec.defstruct(
        "TypedInput",
        [
            ("series", list[row] | None, None),  # type: ignore[valid-type]
            ("units", dict[str, str] | None, None),
            ("horizon", int | None, None),
            ("timestamp", str | None, None),
            ("deploymentId", str | None, None),
            ("historical_data", list[row] | None, None),  # type: ignore[valid-type]
            ("forecast_horizon", int | None, None),
            ("future", list[Row] | None, None),
            ("assetId", str | None, None),
            ("asset_id", str | None, None),
            ("entity", str | None, None),
        ],
        forbid_unknown_fields=True,  # as InferenceInput: an unknown field goes the general way
    )
    return _Reader(
        body,
        row,
        msgspec.json.Decoder(body).decode,
        operator.attrgetter("t"),
        tuple(operator.attrgetter(name) for name in names),
    )


def decode_typed(body: bytes, plan: ResolvedContract) -> InferenceInput | None:
    """The request with its rows as typed objects, or None when they do not fit."""
    reader = _reader(plan.contract.timestampField, plan.sources)
    try:
        decoded = reader.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    # the same fields as InferenceInput; only the rows' type differs
    return decoded  # type: ignore[no-any-return]


def typed_columns(payload: object, rows: Sequence[Any], plan: ResolvedContract) -> TypedRows | None:
    """Times and values of the rows of a request that `decode_typed` made for this plan;
    None for any other request, or for values the general reader must judge (infinities)."""
    reader = _reader(plan.contract.timestampField, plan.sources)
    if type(payload) is not reader.body or not rows:
        return None
    n = len(rows)
    # column by column in memory (the transpose is [n_rows, n_sources] in Fortran order):
    # each column is written and checked in one contiguous pass
    by_source = np.empty((len(plan.sources), n), dtype=np.float64)
    for j, column in enumerate(reader.columns):
        by_source[j] = np.fromiter(map(column, rows), dtype=np.float64, count=n)
    if np.isinf(by_source).any():
        return None
    present = ~np.isnan(by_source).all(axis=1)
    values = by_source.T
    return TypedRows(list(map(reader.stamp, rows)), values, np.asarray(present, dtype=np.bool_))


class _Record(NamedTuple):
    """Where the values of one typed row lie in its msgpack form, for one timestamp length."""

    width: int  # bytes per row
    stamp: int  # where the timestamp's characters start
    head: bytes  # the timestamp's msgpack header, just before them
    floats: tuple[int, ...]  # where each source's 8 big-endian bytes start


@lru_cache(maxsize=256)
def _record(timestamp_field: str, sources: tuple[str, ...], stamp_size: int) -> _Record:
    """msgspec packs a typed row as a map of its fields in order: the timestamp as text, each
    source as a float64 (tag 0xCB and 8 bytes, NaN included), so every row whose timestamp
    has `stamp_size` bytes packs to the same width with its values at the same places."""
    reader = _reader(timestamp_field, sources)
    sample = _pack(reader.row("0" * stamp_size, *([0.0] * len(sources))))
    pos = 1 if len(sources) < 15 else 3  # the map's header: fixmap, or map16
    pos += len(_pack(timestamp_field))
    text = _pack("0" * stamp_size)
    head = text[: len(text) - stamp_size]
    stamp = pos + len(head)
    pos = stamp + stamp_size
    floats = []
    for source in sources:
        pos += len(_pack(source)) + 1  # the key, then the float64 tag
        floats.append(pos)
        pos += 8
    if pos != len(sample) or sample[stamp : stamp + stamp_size] != b"0" * stamp_size:
        raise AssertionError("msgspec packs a typed row otherwise than expected")
    return _Record(pos, stamp, head, tuple(floats))


def packed_columns(
    payload: object, rows: Sequence[Any], plan: ResolvedContract
) -> PackedRows | None:
    """Times and values of the typed rows of a request, read in one pass through their
    msgpack form when every timestamp has the first one's fixed layout; None otherwise
    (the caller then reads them with `typed_columns`, which answers the same, or words the
    error). One C-level packing replaces a getter call per value and the joined text."""
    reader = _reader(plan.contract.timestampField, plan.sources)
    if type(payload) is not reader.body or not rows:
        return None
    first = reader.stamp(rows[0])
    if not first.isascii():
        return None
    n = len(rows)
    record = _record(plan.contract.timestampField, plan.sources, len(first))
    packed = _pack(rows)
    start = len(packed) - n * record.width  # the list's header
    if start != (1 if n <= 15 else 3 if n <= 0xFFFF else 5):
        return None
    # every row's timestamp header (checked with its characters) names the first one's
    # length, so every row has the first one's width: the views see each row's own bytes
    stamp = start + record.stamp
    times = parse_fixed_width(first, packed, stamp, record.width, n, prefix=record.head)
    if times is None:
        return None
    by_source = np.empty((len(plan.sources), n), dtype=np.float64)
    for j, at in enumerate(record.floats):
        by_source[j] = np.ndarray((n,), ">f8", packed, start + at, (record.width,))
    if np.isinf(by_source).any():
        return None
    present = ~np.isnan(by_source).all(axis=1)
    return PackedRows(times, by_source.T, np.asarray(present, dtype=np.bool_))
