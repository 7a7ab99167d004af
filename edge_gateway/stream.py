"""`WS /ws/predict`: a sensor sends readings as they come and gets a fresh forecast each time.

Each connection keeps a rolling buffer of raw readings (the last 2L grid steps of them,
which is all a window can use). A message is a list of rows, one row, or
`{"series": [...], "units": {...}, "horizon": n, "future": [...]}`; `units`, `horizon`
and `future` (the known inputs' rows for the forecast period, for a deployment with
inputs known in advance) hold for the rest of the connection. Every message is answered
with the standard output or the standard error. Rows that fail validation (INVALID_INPUT,
UNIT_INCONSISTENT) are not kept; rows answered with INPUT_MISSING_EXCEEDS are (the window
is still filling up).
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
import numpy as np

from edge_gateway.contracts import Served
from edge_gateway.dataplane import Answer, DataPlane, invalid_body
from edge_gateway.wire import Row, StreamMessage, encode
from loadstar_core.postprocess import requested_asset
from loadstar_core.postprocess.timestamps import parse_timestamps
from schemas.contracts import InferenceInput
from schemas.errors import InvalidInput, LoadstarError, UnitInconsistent

ROUTE = "/ws/predict"
_KEYS = frozenset({"series", "units", "horizon", "future"})
_decode_any = msgspec.json.Decoder().decode
_REJECTS_ROWS = (InvalidInput, UnitInconsistent)


def read_message(data: str | bytes) -> StreamMessage:
    """The three accepted shapes of a message, as one `StreamMessage`."""
    try:
        value = _decode_any(data)
    except msgspec.DecodeError as exc:
        raise invalid_body(exc) from exc
    if isinstance(value, list):
        return StreamMessage(series=value)
    if isinstance(value, dict) and value.keys() <= _KEYS:
        try:
            return msgspec.convert(value, StreamMessage)
        except msgspec.ValidationError as exc:
            raise invalid_body(exc) from exc
    if isinstance(value, dict):
        return StreamMessage(series=[value])
    raise InvalidInput("a message is a row, a list of rows or {series, units, horizon}", {})


class StreamSession:
    def __init__(self, plane: DataPlane, authorization: str, max_rows: int = 0) -> None:
        self.plane = plane
        self.authorization = authorization
        self.max_rows = max_rows
        self.rows: list[Row] = []
        self.times: list[int] = []  # epoch microseconds, one per buffered row
        self.units: dict[str, str] | None = None
        self.horizon: int | None = None
        self.future: list[Row] | None = None

    async def on_message(self, data: str | bytes) -> Answer:
        started = time.perf_counter()
        label = "-"
        try:
            # re-checked per message: a token revoked mid-stream stops working at once
            served = self.plane.authenticate(self.authorization)
            label = served.id
            self.plane.check_scope(served, None, None)
            message = read_message(data)
            decoded = time.perf_counter()
            units = message.units if message.units is not None else self.units
            horizon = message.horizon if message.horizon is not None else self.horizon
            new_rows: list[Any] = message.series or []
            if message.future is not None:
                self.future = message.future
            payload = InferenceInput(
                series=self.rows + new_rows, units=units, horizon=horizon, future=self.future
            )
            try:
                asset = requested_asset(payload)
                out, _ = await self.plane.forecast(ROUTE, served, payload, decoded, asset)
            except _REJECTS_ROWS:
                raise
            except LoadstarError:
                self._keep(served, new_rows, units, horizon)
                raise
            self._keep(served, new_rows, units, horizon)
            body = encode(out)
        except Exception as exc:
            return self.plane.failed(ROUTE, label, started, exc)
        self.plane.metrics.observe_request(label, ROUTE, "OK", time.perf_counter() - started)
        return Answer(200, body, "OK")

    def _keep(
        self, served: Served, rows: list[Any], units: dict[str, str] | None, horizon: int | None
    ) -> None:
        """Adds rows that legalized, then drops what no window can reach any more."""
        self.units, self.horizon = units, horizon
        if not rows:
            return
        assert served.resolved is not None
        plan = served.resolved
        field = plan.contract.timestampField
        stamps = parse_timestamps([r[field] for r in rows], field).epoch_us.tolist()
        self.rows.extend(rows)
        self.times.extend(stamps)
        cutoff = max(self.times) - 2 * plan.contract.lookback * plan.frequency_us
        if min(self.times) < cutoff:
            keep = np.flatnonzero(np.asarray(self.times) >= cutoff).tolist()
            self.rows = [self.rows[i] for i in keep]
            self.times = [self.times[i] for i in keep]
        if self.max_rows and len(self.rows) > self.max_rows:
            del self.rows[: len(self.rows) - self.max_rows]
            del self.times[: len(self.times) - self.max_rows]
