"""Per-group health over a recent window of ingestion: freshness, row rate, null and
out-of-range shares (against each feature's minValue/maxValue)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from control_plane.feature_store.registry import get_group
from control_plane.feature_store.schemas import FeatureHealth, Monitoring
from control_plane.feature_store.tables import FeatureValueRow

_FRESHNESS = "SELECT max(event_time) AS last FROM fs_value WHERE group_id = {}"
_RATE = (
    "SELECT count(DISTINCT (entity, event_time)) AS n FROM fs_value "
    "WHERE group_id = {} AND ingested_at > {}"
)
_SHARES = (
    "SELECT feature, count(*) AS n, "
    "count(*) FILTER (WHERE value_num IS NULL AND value_text IS NULL) AS nulls "
    "FROM fs_value WHERE group_id = {} AND ingested_at > {} GROUP BY feature"
)
_OUT = (
    "SELECT count(*) AS n FROM fs_value WHERE group_id = {} AND ingested_at > {} "
    "AND feature = {} AND (value_num < {} OR value_num > {})"
)


async def group_health(ref: str, window_seconds: int = 3600) -> Monitoring:
    group = await get_group(ref)
    now = datetime.now(UTC)
    since = now - timedelta(seconds=window_seconds)
    last = (await FeatureValueRow.raw(_FRESHNESS, group.id))[0]["last"]
    rows = (await FeatureValueRow.raw(_RATE, group.id, since))[0]["n"]
    counts = {
        r["feature"]: (r["n"], r["nulls"])
        for r in await FeatureValueRow.raw(_SHARES, group.id, since)
    }
    health = []
    for feature in group.features:
        n, nulls = counts.get(feature.name, (0, 0))
        out = 0
        if n and (feature.minValue is not None or feature.maxValue is not None):
            low = feature.minValue if feature.minValue is not None else float("-inf")
            high = feature.maxValue if feature.maxValue is not None else float("inf")
            out = (await FeatureValueRow.raw(_OUT, group.id, since, feature.name, low, high))[0][
                "n"
            ]
        health.append(
            FeatureHealth(
                feature=feature.name,
                nullShare=nulls / n if n else 0.0,
                outOfRangeShare=out / n if n else 0.0,
            )
        )
    return Monitoring(
        groupId=group.id,
        lastEventTime=last,
        freshnessSeconds=None if last is None else (now - last).total_seconds(),
        rowsPerMinute=rows / (window_seconds / 60),
        windowSeconds=window_seconds,
        features=health,
    )
