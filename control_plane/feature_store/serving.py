"""Serving: the online lookup, and point-in-time training frames from the offline store."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import anyio.to_thread
import polars as pl

from control_plane.feature_store import offline
from control_plane.feature_store.online import OnlineStore
from control_plane.feature_store.registry import get_group
from control_plane.feature_store.schemas import FrameOut, FrameRequest, OnlineOut, OnlineValue
from loadstar_core.feature_store.point_in_time import as_of_join
from loadstar_core.feature_store.rows import parse_event_time
from schemas.errors import InvalidInput

MAX_FEATURES = 500


def split_features(text: str) -> list[tuple[str, str]]:
    """`group.feature,group.feature` as (group, feature) pairs."""
    pairs = []
    for i, item in enumerate(p.strip() for p in text.split(",") if p.strip()):
        group, dot, feature = item.partition(".")
        if not dot or not group or not feature:
            raise InvalidInput(
                f"feature {item!r} must be written group.feature",
                {"field": "features", "index": i},
            )
        pairs.append((group, feature))
    if not pairs or len(pairs) > MAX_FEATURES:
        raise InvalidInput(
            f"give 1 to {MAX_FEATURES} features as group.feature,...", {"field": "features"}
        )
    return pairs


async def online_values(
    store: OnlineStore, entity: str, features: str, window: int = 0
) -> OnlineOut:
    """The latest value of each feature (one MGET); with `window`, its last points too.

    A feature nothing was written for answers null rather than an error, so the hot path
    never reads the registry."""
    pairs = split_features(features)
    latest = await store.latest(entity, pairs)
    values = []
    for (group, feature), found in zip(pairs, latest, strict=True):
        points = await store.window(entity, group, feature, window) if window else None
        values.append(
            OnlineValue(
                feature=f"{group}.{feature}",
                value=None if found is None else found[1],
                eventTime=None if found is None else found[0],
                window=points,
            )
        )
    return OnlineOut(entity=entity, values=values)


async def training_frame(request: FrameRequest) -> FrameOut:
    """Each spine row joined `as of` its own time with every feature asked for."""
    pairs = split_features(",".join(request.features))
    entities = sorted({e for e, _ in request.spine})
    times = [parse_event_time(t, i) for i, (_, t) in enumerate(request.spine)]
    until = max(times)
    spine = pl.DataFrame(
        {"entity": [e for e, _ in request.spine], "eventTime": times},
        schema={"entity": pl.String, "eventTime": pl.Datetime("us", "UTC")},
    )
    histories = {}
    for group_ref, feature in pairs:
        group = await get_group(group_ref)
        if feature not in {f.name for f in group.features}:
            raise InvalidInput(f"{group_ref}.{feature} is not a feature", {"field": "features"})
        histories[f"{group.name}.{feature}"] = await offline.history(
            group.id, feature, entities, until
        )
    ttl = None if request.ttlSeconds is None else timedelta(seconds=request.ttlSeconds)
    frame = await anyio.to_thread.run_sync(partial(as_of_join, spine, histories, ttl))
    frame = frame.with_columns(
        pl.col("eventTime").dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ")
    )
    return FrameOut(columns=frame.columns, rows=frame.to_dicts())
