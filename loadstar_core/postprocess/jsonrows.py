"""A predict body's rows read in one compiled pass, straight from the JSON bytes to columns.

The usual request (rows of one timestamp and a few numbers each) is the gateway's hot path.
`_hotpath.read_rows` (C, `_hotpath.c`) reads the rows array into epoch microseconds and
float64 columns without a Python object per row or per value; the rest of the body (units,
horizon, future rows...) is decoded by msgspec with the array replaced by `[]`, which
checks it as the typed decode would. Whatever the compiled reader does not take (a null,
an escape, a nested value in a row, a timestamp of another form, an infinite number,
malformed JSON), and any body where it is not built, gives None: the caller decodes the
body the general way, which answers exactly as before and words every error.
"""

from __future__ import annotations

import msgspec
import numpy as np

from loadstar_core.postprocess.contract import ResolvedContract
from loadstar_core.postprocess.packed import PackedRows
from loadstar_core.postprocess.timestamps import ParsedTimes
from loadstar_core.postprocess.typed import _reader
from schemas.contracts import InferenceInput

try:
    from loadstar_core.postprocess._hotpath import read_rows
except ImportError:  # no C compiler where it was installed: the Python readers serve
    read_rows = None

COMPILED = read_rows is not None


def read_body(body: bytes, plan: ResolvedContract) -> tuple[InferenceInput, PackedRows] | None:
    """The request without its rows (`series` or `historical_data` is `[]`) and the rows'
    columns, as `packed_columns` gives them; None when the general reader must judge it."""
    if read_rows is None:
        return None
    got = read_rows(body, plan.contract.timestampField, plan.sources)
    if got is None:
        return None
    start, end, times, values, present, n, naive = got
    reader = _reader(plan.contract.timestampField, plan.sources)
    try:
        payload = reader.decode(b"".join((body[:start], b"[]", body[end:])))
    except (msgspec.ValidationError, msgspec.DecodeError):  # the general way words them
        return None
    if payload.entity is not None:
        return None  # rows merged into an online window are read as plain rows
    by_source = np.frombuffer(values, dtype=np.float64).reshape(len(plan.sources), n)
    epoch_us = np.frombuffer(times, dtype=np.int64)
    parsed = ParsedTimes(epoch_us=epoch_us, naive=naive)
    return payload, PackedRows(parsed, by_source.T, np.frombuffer(present, dtype=np.bool_))
