"""A materialization run's work: stream rows to the offline store, offline rows online.

Stream groups first move what waits in their Redis stream into the offline store (see
`buffer`). Then the run writes online the group's offline values of its range (by event
time) or, incrementally, every value ingested since the last incremental run (late rows
included: it is ingestion time that counts). Online writes are idempotent.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from piccolo.custom_types import Combinable

from control_plane.feature_store import offline, runs
from control_plane.feature_store.buffer import StreamBuffer
from control_plane.feature_store.online import OnlineStore
from control_plane.feature_store.registry import get_group
from control_plane.feature_store.schemas import FeatureOut, GroupOut, RunOut
from control_plane.feature_store.tables import FeatureValueRow
from loadstar_core.feature_store.rows import CheckedRow

log = logging.getLogger("loadstar.feature_store")
BATCH = 5000


async def drain_stream(group: GroupOut, buffer: StreamBuffer) -> int:
    """Moves the group's waiting stream rows offline; returns how many rows."""
    moved = 0
    while True:
        rows, last = await buffer.take(group.id, BATCH)
        if last is None:
            return moved
        await offline.append(group.id, rows, datetime.now(UTC))
        await buffer.release(group.id, last)
        moved += len(rows)


def _value(row: dict[str, Any], feature: FeatureOut | None) -> float | str | bool | None:
    if row["value_text"] is not None:
        return str(row["value_text"])
    number = row["value_num"]
    if number is None or feature is None:
        return number  # type: ignore[no-any-return]
    if feature.dtype == "bool":
        return bool(number)
    if feature.dtype.startswith("int"):
        return int(number)
    return number  # type: ignore[no-any-return]


def _as_rows(values: list[dict[str, Any]], features: dict[str, FeatureOut]) -> list[CheckedRow]:
    grouped: dict[tuple[str, datetime], dict[str, float | str | bool | None]] = {}
    for v in values:
        key = (v["entity"], v["event_time"])
        grouped.setdefault(key, {})[v["feature"]] = _value(v, features.get(v["feature"]))
    return [CheckedRow(entity=e, event_time=t, values=vals) for (e, t), vals in grouped.items()]


async def execute(run_id: str, online: OnlineStore, buffer: StreamBuffer) -> RunOut:
    run = await runs.start(run_id)
    written = 0
    try:
        group = await get_group(run.groupId)
        if group.sourceType == "stream":
            drained = await drain_stream(group, buffer)
            log.info("run %s moved %d stream rows offline", run_id, drained)
        snapshot = datetime.now(UTC)
        where: Combinable = FeatureValueRow.group_id == group.id
        watermark = None
        if run.mode == "range":
            assert run.start is not None and run.end is not None
            where &= (FeatureValueRow.event_time >= run.start) & (
                FeatureValueRow.event_time < run.end
            )
        else:
            since = await runs.last_watermark(group.id)
            if since is not None:
                where &= FeatureValueRow.ingested_at > since - runs.overlap()
            where &= FeatureValueRow.ingested_at <= snapshot
            watermark = snapshot
        total = await FeatureValueRow.count().where(where)
        features = {f.name: f for f in group.features}
        last_id = 0
        while True:
            batch = (
                await FeatureValueRow.select()
                .where(where & (FeatureValueRow.id > last_id))
                .order_by(FeatureValueRow.id)
                .limit(BATCH)
            )
            if not batch:
                break
            last_id = batch[-1]["id"]
            written += await online.write(group.name, _as_rows(batch, features), group.lookback)
            await runs.report(run_id, min(1.0, written / max(total, 1)), written)
        await runs.finish(run_id, written, watermark)
    except Exception as exc:
        log.exception("materialization run %s failed", run_id)
        await runs.finish(run_id, written, error=f"{type(exc).__name__}: {exc}")
    return await runs.get_run(run_id)
