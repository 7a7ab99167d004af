"""A request decoded straight into typed rows for one deployment: no dict per row, no repack.

A deployment reads one timestamp field and a few numeric source fields. Per deployment
(cached on those names) msgspec gets a row type with exactly those fields, the timestamp a
string and each source a float that is NaN when the key is absent, so decoding the body
builds small fixed objects instead of a dict per row, and the columns come out with one
C-level pass each. Anything that does not fit this shape (a null, a bool, a row that is
not an object, a timestamp that is not a string, an infinite number) gives None, and the
caller decodes the body the general way, which answers exactly as before, errors included.
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
from schemas.contracts import InferenceInput

Row = dict[str, Any]


class TypedRows(NamedTuple):
    """The rows' columns, as `read_columns` gives them (timestamps parsed later, in the
    same order of checks as there)."""

    timestamps: list[str]
    values: npt.NDArray[np.float64]  # [n_rows, n_sources], NaN where a key is absent
    present: npt.NDArray[np.bool_]  # per source: some row has it


class _Reader(NamedTuple):
    body: type
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
