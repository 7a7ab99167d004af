"""Seed-003 anomaly detection: every observation against the interval forecast from the
L-window before it, all windows sent to Triton together.

Observations are grouped by grid point. For a grid point b with at least `lookback` grid
steps of stream before it, the window is legalized from the rows before b (as a predict
call with those rows would be), and the forecast step landing on b gives [lower, upper].
The shared `check_observations` then flags the observations outside their interval.
Rows more than 2L steps before b are left out of b's window: they could only matter as
the left neighbour of a gap longer than L steps.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
import numpy as np

from edge_gateway.contracts import Served
from edge_gateway.metrics import GatewayMetrics
from edge_gateway.wire import DetectInput
from loadstar_core.postprocess import (
    ForecastIntervals,
    LegalizedWindow,
    ResolvedContract,
    check_observations,
    format_output,
    legalize_window,
)
from loadstar_core.postprocess.timestamps import parse_timestamps
from schemas.contracts import AnomalyReport, InferenceInput, OutputWarning
from schemas.errors import InputMissingExceeds, InvalidInput
from triton_repo.inference_client import Array

# the data plane's call to Triton: the served deployment, the windows, their calendars
# and the known inputs' values after each window
Infer = Callable[[Served, Array, Array | None, Array | None], Awaitable[Array]]


class DetectionBatch(msgspec.Struct, frozen=True):
    """The windows to forecast, with the grid point and forecast step each one checks."""

    windows: list[LegalizedWindow]
    points_us: list[int]
    steps: list[int]  # 1-based forecast step that lands on the grid point
    skipped: int  # grid points left unchecked: window over the missing threshold, or too far
    filled_windows: int


def plan_windows(plan: ResolvedContract, payload: DetectInput) -> DetectionBatch:
    """Legalizes the window before each grid point of the stream that has a full lookback."""
    c = plan.contract
    rows: Sequence[Any] = payload.data_stream
    if not rows:
        raise InvalidInput(
            "'data_stream' must be a non-empty list of rows", {"field": "data_stream"}
        )
    plan.input_conversions(payload.units)  # unit errors once for the request, not per window
    field = c.timestampField
    stamps = [row.get(field) if isinstance(row, dict) else None for row in rows]
    times = parse_timestamps(stamps, field).epoch_us
    order = np.argsort(times, kind="stable")
    ordered = times[order]
    step_us, lookback = plan.frequency_us, c.lookback
    points = np.unique(ordered // step_us * step_us)
    due = points[points - points[0] >= lookback * step_us]
    if not due.size:
        raise InvalidInput(
            f"'data_stream' must cover more than lookback={lookback} grid steps of "
            f"{c.frequency}: the first {lookback} only form the first window",
            {"field": "data_stream", "lookback": lookback, "frequency": c.frequency},
        )
    windows: list[LegalizedWindow] = []
    points_us: list[int] = []
    steps: list[int] = []
    skipped = filled = 0
    first_error: InputMissingExceeds | None = None
    knows_future = bool(plan.known_index.size)
    for point in due.tolist():
        lo, hi = np.searchsorted(ordered, [point - 2 * lookback * step_us, point], side="left")
        window_rows = [rows[i] for i in order[lo:hi].tolist()]
        request = InferenceInput(series=window_rows, units=payload.units)
        if knows_future:  # the known inputs' actual readings from the checked point on
            end = int(np.searchsorted(ordered, point + c.horizon * step_us, side="left"))
            future_rows = [rows[i] for i in order[hi:end].tolist()]
            step = (point - ordered[hi - 1] // step_us * step_us) // step_us
            request = InferenceInput(
                series=window_rows,
                units=payload.units,
                future=future_rows,
                horizon=int(min(step, c.horizon)),  # a point further off is skipped below
            )
        try:
            legal = legalize_window(c, request, plan)
        except InputMissingExceeds as exc:
            skipped += 1
            first_error = first_error or exc
            continue
        step = (point // 1_000_000 - legal.grid_end_s) // legal.frequency_s
        if not 1 <= step <= c.horizon:
            skipped += 1
            continue
        windows.append(legal)
        points_us.append(point)
        steps.append(int(step))
        filled += any(legal.filled.values())
    if not windows:
        if first_error is not None:
            raise first_error
        raise InvalidInput(
            "no observation has a window close enough to forecast it", {"field": "data_stream"}
        )
    return DetectionBatch(windows, points_us, steps, skipped, filled)


def intervals_at(plan: ResolvedContract, batch: DetectionBatch, raw: Array) -> ForecastIntervals:
    """The forecast for each checked grid point, through the shared formatting."""
    now = datetime.now(UTC)
    values: list[dict[str, Any]] = []
    intervals: dict[str, list[float]] = {key: [] for key in plan.interval_keys}
    unit = plan.output_unit
    for i, (legal, step) in enumerate(zip(batch.windows, batch.steps, strict=True)):
        out = format_output(plan.contract, legal, raw[i], step, now, plan)
        point = out.values[step - 1]
        values.append({"t": point.t, "y": point.y})
        for key in intervals:
            intervals[key].append(out.intervals[key][step - 1])
        unit = out.unit
    return msgspec.convert(
        {"values": values, "intervals": intervals, "unit": unit}, ForecastIntervals
    )


async def detect_anomalies(
    infer: Infer, metrics: GatewayMetrics, route: str, served: Served, payload: DetectInput
) -> AnomalyReport:
    assert served.resolved is not None
    plan = served.resolved
    observe = metrics.observe_stage
    started = time.perf_counter()
    batch = plan_windows(plan, payload)
    legalized = time.perf_counter()
    observe(route, "legalize", legalized - started)
    window = np.stack([w.window for w in batch.windows])
    calendar = future = None
    if plan.contract.calendar:
        calendar = np.stack([w.calendar for w in batch.windows if w.calendar is not None])
    if plan.known_index.size:
        future = np.stack([w.future for w in batch.windows if w.future is not None])
    metrics.triton_batch.labels(route).observe(len(batch.windows))
    raw = await infer(served, window, calendar, future)
    inferred = time.perf_counter()
    observe(route, "triton", inferred - legalized)
    observations = InferenceInput(series=list(payload.data_stream), units=payload.units)
    forecast = intervals_at(plan, batch, raw)
    report = check_observations(
        plan.contract, observations, forecast, plan, served.deployment.watch
    )
    if batch.skipped:
        report.warnings.append(
            OutputWarning(
                code="NOT_CHECKED",
                message=f"{batch.skipped} grid points were not checked: their window had too "
                "much missing data or ended too far before them",
                details={"points": batch.skipped},
            )
        )
    if batch.filled_windows:
        report.warnings.append(
            OutputWarning(
                code="FILLED",
                message=f"{batch.filled_windows} windows had missing points filled "
                f"({plan.contract.fill})",
                details={"windows": batch.filled_windows, "policy": plan.contract.fill},
            )
        )
    observe(route, "format", time.perf_counter() - inferred)
    return report
