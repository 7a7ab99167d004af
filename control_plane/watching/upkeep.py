"""The watching slice's periodic work besides alert rules: each deployment's live coverage
(which makes the standard output's `confidence` live), and retention.

Live confidence: once the last week of actuals holds `live_confidence_min_pairs`
forecast-actual pairs, the deployment's `confidence` is their realised coverage of
[p05, p95] (rounded to 0.01) with `confidenceSource` "live"; before, the model card's
hold-out coverage. A change bumps the config revision, so gateways serve it within a
round trip.

Retention: readings, forecasts, anomaly events and alert deliveries older than
`watch_retention_days` are deleted in batches of `BATCH` rows per statement (short
transactions beside live ingestion), per deployment through the (deployment_id, t) indexes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from control_plane.deployments import service as deployments
from control_plane.watching.tables import WatchState

BATCH = 10_000
LIVE_WINDOW_DAYS = 7

_LIVE = """
WITH newest AS (SELECT max(t) AS t FROM watch_reading WHERE deployment_id = {})
SELECT count(*) AS n, avg(CASE WHEN r.value BETWEEN f.p05 AND f.p95 THEN 1.0 ELSE 0.0 END)
    AS coverage
FROM newest, watch_forecast f
JOIN watch_reading r ON r.deployment_id = f.deployment_id AND r.t = f.t
WHERE f.deployment_id = {} AND f.t > newest.t - make_interval(days => {}) AND f.t <= newest.t
"""

_DELETE = {
    "readings": "DELETE FROM watch_reading WHERE id IN (SELECT id FROM watch_reading "
    "WHERE deployment_id = {} AND t < {} LIMIT {})",
    "forecasts": "DELETE FROM watch_forecast WHERE id IN (SELECT id FROM watch_forecast "
    "WHERE deployment_id = {} AND t < {} LIMIT {})",
}
_DELETE_ALL = {
    "events": "DELETE FROM anomaly_event WHERE id IN (SELECT id FROM anomaly_event "
    "WHERE end_at < {} LIMIT {})",
    "deliveries": "DELETE FROM alert_delivery WHERE id IN (SELECT id FROM alert_delivery "
    "WHERE created_at < {} LIMIT {})",
}


async def _watched() -> list[dict[str, object]]:
    return list(await WatchState.select().order_by(WatchState.deployment_id))


async def update_live_confidence(min_pairs: int) -> int:
    """Recomputes every deployment's live coverage; returns how many are live."""
    changed = False
    live = 0
    for state in await _watched():
        deployment_id = state["deployment_id"]
        rows = await WatchState.raw(_LIVE, deployment_id, deployment_id, LIVE_WINDOW_DAYS)
        n = int(rows[0]["n"])
        coverage = round(float(rows[0]["coverage"]), 2) if n >= min_pairs and n > 0 else None
        live += coverage is not None
        if coverage != state["live_coverage"]:
            changed = True
        await WatchState.update(
            {
                WatchState.live_coverage: coverage,
                WatchState.live_pairs: n,
                WatchState.live_at: datetime.now(UTC),
            }
        ).where(WatchState.deployment_id == deployment_id)
    if changed:
        await deployments.bump_revision()
    return live


async def live_confidence() -> dict[str, tuple[float, int]]:
    """Deployments whose `confidence` is live: their coverage and the pairs behind it."""
    rows = await WatchState.select(
        WatchState.deployment_id, WatchState.live_coverage, WatchState.live_pairs
    ).where(WatchState.live_coverage.is_not_null())
    return {r["deployment_id"]: (float(r["live_coverage"]), int(r["live_pairs"])) for r in rows}


async def _drain(sql: str, *args: object) -> int:
    total = 0
    while True:
        rows = await WatchState.raw(sql + " RETURNING 1", *args, BATCH)
        total += len(rows)
        if len(rows) < BATCH:
            return total


async def apply_retention(days: float) -> dict[str, int]:
    """Deletes what was recorded more than `days` ago; returns the rows deleted per kind."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    deleted = {kind: 0 for kind in (*_DELETE, *_DELETE_ALL)}
    for state in await _watched():
        for kind, sql in _DELETE.items():
            deleted[kind] += await _drain(sql, state["deployment_id"], cutoff)
    for kind, sql in _DELETE_ALL.items():
        deleted[kind] += await _drain(sql, cutoff)
    return deleted
