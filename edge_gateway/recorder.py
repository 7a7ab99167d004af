"""What the gateway saw, shipped to the control plane off the request path; nothing lost.

The hot path only appends a reference (the legalized window and the answer's bands, or a detection's
events) to a list: well under a microsecond. Every `record_flush_s` a background task turns
what gathered into one `RecordBatch`, writes it to the spool folder (fsync, atomic rename),
and then sends the spool's files in order to `POST /api/gateway/records`, deleting each once
the control plane stored it. While the control plane is away the files wait, and the next
try comes after a backoff doubling up to `record_retry_max_s`; a restart sends what the
spool holds. A batch the control plane refuses (a 4xx other than 401) is moved to
`spool/rejected/` and logged, never dropped silently. The control plane stores a batch sent
twice once (unique keys), so a reply lost after storing is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np

from edge_gateway.contracts import Served
from edge_gateway.durable import write_durably
from edge_gateway.settings import GatewaySettings
from loadstar_core.postprocess import LegalizedWindow
from loadstar_core.postprocess.units import Conversion
from schemas.contracts import InferenceOutput
from schemas.watching import AnomalyEvent, EventRecord, ForecastRecord, ReadingRecord, RecordBatch

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("loadstar.edge_gateway.recorder")
_encode = msgspec.json.Encoder().encode
READINGS_PER_WINDOW = 192  # the newest readings of each window that are recorded
UNWRITTEN_MAX = 360  # batches held in memory while the spool cannot be written (6 min)


def _iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def forecast_record(
    served: Served, legal: LegalizedWindow, intervals: dict[str, list[float]]
) -> ForecastRecord:
    """The answer's bands (its `intervals`) in the contract's output unit (a caller may have
    asked for another)."""
    return forecast_records([(served, legal, intervals)])[0]


def forecast_records(
    items: Sequence[tuple[Served, LegalizedWindow, dict[str, list[float]]]],
) -> list[ForecastRecord]:
    """`forecast_record` of many answers: those whose bands go back through the same two
    conversions are converted as one array (the same arithmetic, element by element)."""
    bands_of: list[list[list[float]]] = []
    converting: dict[tuple[Conversion, Conversion, int], list[int]] = {}
    for i, (served, legal, intervals) in enumerate(items):
        plan = served.resolved
        assert plan is not None
        keys = plan.interval_keys
        middle = "p50" if "p50" in intervals else keys[plan.median_column]
        bands = [intervals[keys[0]], intervals[middle], intervals[keys[-1]]]
        bands_of.append(bands)
        back, to = legal.output_conversion, plan.output_conversion
        if back != to:  # back to the model's unit and on to the contract's
            converting.setdefault((back, to, len(bands[0])), []).append(i)
    for (back, to, _), members in converting.items():
        model = np.asarray([bands_of[i] for i in members], dtype=np.float64) - back.offset
        converted = to.apply(model / back.factor).tolist()
        for i, bands in zip(members, converted, strict=True):
            bands_of[i] = bands
    records = []
    for (served, legal, _), bands in zip(items, bands_of, strict=True):
        assert served.resolved is not None
        records.append(
            ForecastRecord(
                deploymentId=served.id,
                origin=_iso(legal.grid_end_s),
                frequencyS=legal.frequency_s,
                p05=bands[0],
                p50=bands[1],
                p95=bands[2],
                unit=served.resolved.output_unit,
            )
        )
    return records


def reading_record(served: Served, legal: LegalizedWindow, after_s: int) -> ReadingRecord | None:
    """The window's target readings after `after_s` (at most the newest
    READINGS_PER_WINDOW), in the contract's output unit; None when there are none."""
    plan = served.resolved
    if plan is None or plan.target_input < 0:
        return None
    newer = (legal.grid_end_s - after_s) // legal.frequency_s
    n = int(min(READINGS_PER_WINDOW, legal.window.shape[0], newer))
    if n <= 0:
        return None
    values = legal.window[-n:, plan.target_input].astype(np.float64)
    return ReadingRecord(
        deploymentId=served.id,
        start=_iso(legal.grid_end_s - (n - 1) * legal.frequency_s),
        frequencyS=legal.frequency_s,
        value=plan.output_conversion.apply(values).tolist(),
    )


class Recorder:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.spool = settings.spool
        self._pending: list[tuple[Any, ...]] = []
        self._client: httpx.AsyncClient | None = None
        self.control_plane = "not contacted"
        self.backoff_s = 0.0
        self._next_try = 0.0
        # per deployment, the newest grid point whose reading is already in a batch
        self._recorded: dict[str, int] = {}
        self.unwritten: list[RecordBatch] = []  # batches the spool could not take yet
        self.spool_state = "ok"  # or why the last write failed

    # -- the hot path: references only -------------------------------------------------
    def forecast(self, served: Served, legal: LegalizedWindow, out: InferenceOutput) -> None:
        # the answer's bands only: the rest of it (a point object per step) is freed with
        # the request instead of being held until the batch, where the collector would
        # walk it again and again
        self._pending.append(("forecast", served, legal, out.intervals))

    def events(self, served: Served, asset_id: str | None, events: list[AnomalyEvent]) -> None:
        if events:
            self._pending.append(("events", served, asset_id, events))

    # -- off the path ----------------------------------------------------------------------
    def batch(self) -> RecordBatch | None:
        """What gathered since the last call, as one batch (None when nothing did)."""
        pending, self._pending = self._pending, []
        if not pending:
            return None
        batch = RecordBatch(batchId=f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}")
        answers = [item[1:] for item in pending if item[0] == "forecast"]
        try:
            batch.forecasts.extend(forecast_records(answers))
            recorded = True
        except Exception:  # one at a time below, to keep all but the one that fails
            recorded = False
        for item in pending:
            try:
                if item[0] == "forecast":
                    _, served, legal, intervals = item
                    if not recorded:
                        batch.forecasts.append(forecast_record(served, legal, intervals))
                    after = self._recorded.get(served.id, -(2**62))
                    reading = reading_record(served, legal, after)
                    if reading is not None:
                        batch.readings.append(reading)
                        self._recorded[served.id] = legal.grid_end_s
                else:
                    _, served, asset, events = item
                    batch.events.extend(
                        EventRecord(deploymentId=served.id, assetId=asset, event=e) for e in events
                    )
            except Exception:
                log.exception("could not record a %s of %s", item[0], item[1].id)
        return batch

    def write(self, batch: RecordBatch) -> Path:
        path = self.spool / f"{batch.batchId}.json"
        write_durably(path, _encode(batch), ".batch-")
        return path

    def spooled(self) -> list[Path]:
        return sorted(self.spool.glob("*.json")) if self.spool.is_dir() else []

    async def send_spool(self) -> int:
        """Sends the spooled batches oldest first; stops at the first failure. Returns sent."""
        import httpx

        if self._client is None:
            self._client = httpx.AsyncClient()
        url = f"{self.settings.control_plane_url.rstrip('/')}/api/gateway/records"
        sent = 0
        for path in self.spooled():
            resp = await self._client.post(
                url,
                content=path.read_bytes(),
                headers={
                    "X-Gateway-Token": self.settings.sync_token,
                    "Content-Type": "application/json",
                },
                timeout=httpx.Timeout(30.0, connect=2.0),
            )
            if resp.status_code == 200:
                path.unlink(missing_ok=True)
                sent += 1
            elif 400 <= resp.status_code < 500 and resp.status_code != 401:
                rejected = self.spool / "rejected"
                rejected.mkdir(exist_ok=True)
                path.replace(rejected / path.name)
                log.error("control plane refused batch %s: %s", path.name, resp.text[:300])
            else:
                raise RuntimeError(f"HTTP {resp.status_code} {resp.text[:200]}")
        self.control_plane = "ok"
        return sent

    async def flush(self) -> None:
        """Spool what gathered, then send what the spool holds unless backing off.

        A batch that cannot be written (a full disk: the partial file is removed) stays in
        memory and is written first at the next flush, up to `UNWRITTEN_MAX` batches."""
        batch = self.batch()
        if batch is not None:
            self.unwritten.append(batch)
        while self.unwritten:
            try:
                await asyncio.to_thread(self.write, self.unwritten[0])
            except OSError as exc:
                state = f"error: {type(exc).__name__}: {exc}"[:300]
                if state != self.spool_state:  # say it once, not every flush
                    log.error(
                        "cannot write the spool %s, batches kept in memory: %s", self.spool, exc
                    )
                self.spool_state = state
                if len(self.unwritten) > UNWRITTEN_MAX:
                    dropped = self.unwritten.pop(0)
                    log.error(
                        "spool unwritable (%s); dropped the oldest batch %s (%d forecasts)",
                        exc,
                        dropped.batchId,
                        len(dropped.forecasts),
                    )
                break  # what the spool already holds is older: it is still sent
            self.unwritten.pop(0)
            self.spool_state = "ok"
        if time.monotonic() < self._next_try:
            return
        try:
            await self.send_spool()
            self.backoff_s = 0.0
        except Exception as exc:
            status = f"unreachable: {type(exc).__name__}: {exc}"[:300]
            if status != self.control_plane:
                log.warning("shipping records failed, kept on disk: %s", status)
            self.control_plane = status
            self.backoff_s = min(
                self.settings.record_retry_max_s,
                max(self.settings.record_flush_s, 2 * self.backoff_s),
            )
            self._next_try = time.monotonic() + self.backoff_s

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.record_flush_s)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("recording failed; retrying")

    async def close(self) -> None:
        """On shutdown: what is still in memory goes to disk (sent at the next start)."""
        batch = self.batch()
        if batch is not None:
            self.unwritten.append(batch)
        for batch in self.unwritten:
            try:
                self.write(batch)
            except OSError:
                log.exception("could not spool %d records at shutdown", len(batch.forecasts))
        self.unwritten = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None
