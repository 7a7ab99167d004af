"""Live accuracy and the monitor's series, computed in PostgreSQL from what gateways shipped.

Accuracy pairs each stored forecast step with the reading that later arrived for its time,
over a rolling window ending at the newest such pair; the seasonal naive of a point is the
reading a day (or a week) before it, and the better of the two is the benchmark.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from control_plane.deployments import service as deployments
from control_plane.deployments.basis import version_basis
from control_plane.watching.schemas import (
    AccuracyBucket,
    AccuracyOut,
    SeriesOut,
    SeriesPoint,
    StepAccuracy,
)
from control_plane.watching.tables import WatchForecast
from schemas.errors import NotFound

_ACCURACY = """
WITH pairs AS (
    SELECT f.step, f.t, r.value AS actual, f.p05, f.p50, f.p95,
        d.value AS naive_day, w.value AS naive_week
    FROM watch_forecast f
    JOIN watch_reading r ON r.deployment_id = f.deployment_id AND r.t = f.t
    LEFT JOIN watch_reading d ON d.deployment_id = f.deployment_id AND d.t = f.t - interval '1 day'
    LEFT JOIN watch_reading w ON w.deployment_id = f.deployment_id AND w.t = f.t - interval '7 days'
    WHERE f.deployment_id = {}
), windowed AS (
    SELECT * FROM pairs WHERE t > (SELECT max(t) FROM pairs) - make_interval(secs => {})
)
SELECT step, count(*) AS n, avg(abs(actual - p50)) AS mae,
    avg(abs(actual - p50) / nullif(abs(actual), 0)) AS mape,
    avg(CASE WHEN actual BETWEEN p05 AND p95 THEN 1.0 ELSE 0.0 END) AS coverage,
    avg(abs(actual - naive_day)) FILTER (WHERE naive_day IS NOT NULL) AS naive_day_mae,
    avg(abs(actual - naive_week)) FILTER (WHERE naive_week IS NOT NULL) AS naive_week_mae,
    (SELECT max(t) FROM windowed) AS window_end
FROM windowed GROUP BY step ORDER BY step
"""


_BUCKETS = """
WITH span AS (
    SELECT coalesce({}::timestamptz, max(t) - make_interval(secs => {})) AS a,
        coalesce({}::timestamptz, 'infinity') AS b
    FROM watch_reading WHERE deployment_id = {}
), pairs AS (
    SELECT f.t, r.value AS actual, f.p05, f.p50, f.p95, d.value AS naive_day, w.value AS naive_week
    FROM span, watch_forecast f
    JOIN watch_reading r ON r.deployment_id = f.deployment_id AND r.t = f.t
    LEFT JOIN watch_reading d ON d.deployment_id = f.deployment_id AND d.t = f.t - interval '1 day'
    LEFT JOIN watch_reading w ON w.deployment_id = f.deployment_id AND w.t = f.t - interval '7 days'
    WHERE f.deployment_id = {} AND f.t >= span.a AND f.t < span.b
)
SELECT date_trunc({}, t, 'UTC') AS t, count(*) AS n, avg(abs(actual - p50)) AS mae,
    avg(CASE WHEN actual BETWEEN p05 AND p95 THEN 1.0 ELSE 0.0 END) AS coverage,
    least(avg(abs(actual - naive_day)) FILTER (WHERE naive_day IS NOT NULL),
        avg(abs(actual - naive_week)) FILTER (WHERE naive_week IS NOT NULL)) AS naive_mae
FROM pairs GROUP BY 1 ORDER BY 1 LIMIT 5000
"""


def _metric(metrics: dict[str, Any], name: str) -> float | None:
    for path in ((name,), ("model", name), ("test", name)):
        node: Any = metrics
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, int | float):
            return float(node)
    return None


async def _offline_mae(row: dict[str, Any]) -> float | None:
    try:
        basis = await version_basis(row["model_name"], row["model_version"])
    except NotFound:
        return None
    return _metric(basis.metrics, "mae")


async def buckets(
    deployment_id: str,
    bucket: str,
    start: datetime | None,
    end: datetime | None,
    days: float,
) -> list[AccuracyBucket]:
    """MAE and coverage per hour or day of actuals; from `start` (default: `days` before the
    newest reading) to `end` (default: all)."""
    rows = await WatchForecast.raw(
        _BUCKETS, start, days * 86400.0, end, deployment_id, deployment_id, bucket
    )
    return [
        AccuracyBucket(
            t=r["t"],
            n=r["n"],
            mae=float(r["mae"]),
            coverage=float(r["coverage"]),
            naiveMae=None if r["naive_mae"] is None else float(r["naive_mae"]),
        )
        for r in rows
    ]


async def accuracy(
    deployment_id: str,
    days: float,
    bucket: Literal["hour", "day"] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> AccuracyOut:
    row = await deployments.get_row(deployment_id)
    offline = float(row["contract"].get("confidence", 0.9))
    rows = await WatchForecast.raw(_ACCURACY, deployment_id, days * 86400.0)
    steps: list[StepAccuracy] = []
    inside = total = 0.0
    for r in rows:
        naives = [x for x in (r["naive_day_mae"], r["naive_week_mae"]) if x is not None]
        naive = min(naives) if naives else None
        mae = float(r["mae"])
        steps.append(
            StepAccuracy(
                step=r["step"],
                n=r["n"],
                mae=mae,
                mape=None if r["mape"] is None else float(r["mape"]),
                coverage=float(r["coverage"]),
                naiveMae=naive,
                skill=None if not naive else 1.0 - mae / naive,
            )
        )
        inside += float(r["coverage"]) * r["n"]
        total += r["n"]
    return AccuracyOut(
        deploymentId=deployment_id,
        windowDays=days,
        windowEnd=rows[0]["window_end"] if rows else None,
        steps=steps,
        coverage=inside / total if total else None,
        offlineCoverage=offline,
        offlineMae=await _offline_mae(row),
        bucket=bucket,
        buckets=[] if bucket is None else await buckets(deployment_id, bucket, start, end, days),
    )


_SERIES = """
WITH span AS (
    SELECT coalesce({}::timestamptz, max(t) - interval '7 days') AS a,
        coalesce({}::timestamptz, max(t)) AS b
    FROM watch_reading WHERE deployment_id = {}
), joined AS (
    SELECT coalesce(r.t, f.t) AS t, r.value AS actual, f.p05, f.p50, f.p95
    FROM (SELECT * FROM watch_reading WHERE deployment_id = {}) r
    FULL JOIN (SELECT * FROM watch_forecast WHERE deployment_id = {} AND step = {}) f
        ON f.t = r.t
), bounded AS (
    SELECT joined.* FROM joined, span WHERE joined.t BETWEEN span.a AND span.b
), bucketed AS (
    SELECT *, ntile({}) OVER (ORDER BY t) AS bucket FROM bounded
)
SELECT min(t) AS t, avg(actual) AS actual, min(p05) AS p05, avg(p50) AS p50, max(p95) AS p95
FROM bucketed GROUP BY bucket ORDER BY 1
"""

_PEAK = """
SELECT t, value FROM watch_reading WHERE deployment_id = {} AND t BETWEEN {} AND {}
ORDER BY value DESC LIMIT 1
"""

_DURATION = """
WITH sorted AS (
    SELECT value, ntile({}) OVER (ORDER BY value DESC) AS bucket
    FROM watch_reading WHERE deployment_id = {} AND t BETWEEN {} AND {}
)
SELECT max(value) AS value FROM sorted GROUP BY bucket ORDER BY bucket
"""


async def series(
    deployment_id: str, step: int, start: datetime | None, end: datetime | None, points: int
) -> SeriesOut:
    await deployments.get_row(deployment_id)
    rows = await WatchForecast.raw(
        _SERIES, start, end, deployment_id, deployment_id, deployment_id, step, points
    )
    out = [
        SeriesPoint(t=r["t"], actual=r["actual"], p05=r["p05"], p50=r["p50"], p95=r["p95"])
        for r in rows
    ]
    peak = None
    curve: list[float] = []
    if out:
        a, b = out[0].t, out[-1].t
        top = await WatchForecast.raw(_PEAK, deployment_id, a, b)
        if top:
            peak = SeriesPoint(t=top[0]["t"], actual=top[0]["value"], p05=None, p50=None, p95=None)
        curve = [
            float(r["value"]) for r in await WatchForecast.raw(_DURATION, 100, deployment_id, a, b)
        ]
    return SeriesOut(
        deploymentId=deployment_id, step=step, points=out, peak=peak, loadDuration=curve
    )
