"""Batch and stream ingest: rows checked against the group, then stored all or nothing.

Batch groups: rows go to the offline store; materialization brings them online.
Stream groups: rows go online at once and into the group's Redis stream, which the next
materialization moves offline (one transaction; entries leave the stream only after it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
import polars as pl

from control_plane.adapters.object_store import ObjectStore
from control_plane.datasets.service import load_canonical
from control_plane.feature_store import offline
from control_plane.feature_store.buffer import StreamBuffer
from control_plane.feature_store.online import OnlineStore
from control_plane.feature_store.registry import get_group, specs
from control_plane.feature_store.schemas import GroupOut, IngestOut, IngestRequest
from loadstar_core.feature_store.rows import CheckedRow, check_rows
from schemas.errors import InvalidInput


def _dataset_rows(
    frame: pl.DataFrame, entity: str, columns: Mapping[str, str]
) -> list[dict[str, Any]]:
    mapping = dict(columns) or {c: c for c in frame.columns if c != "timestamp"}
    missing = [c for c in mapping if c not in frame.columns]
    if missing:
        raise InvalidInput(
            f"the dataset has no column {missing[0]!r}",
            {"field": f"columns.{missing[0]}", "columns": frame.columns},
        )
    times = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ").to_list()
    data = {feature: frame[column].to_list() for column, feature in mapping.items()}
    return [
        {"entity": entity, "eventTime": t, "values": {f: v[i] for f, v in data.items()}}
        for i, t in enumerate(times)
    ]


async def store_rows(
    group: GroupOut,
    rows: Sequence[CheckedRow],
    online: OnlineStore,
    buffer: StreamBuffer,
) -> IngestOut:
    """Checked rows into the group's stores (see the module's note)."""
    now = datetime.now(UTC)
    values = sum(len(r.values) for r in rows)
    if group.sourceType == "stream":
        await online.write(group.name, rows, group.lookback)
        await buffer.push(group.id, rows)
    else:
        await offline.append(group.id, rows, now)
    return IngestOut(
        group=group.id,
        rows=len(rows),
        values=values,
        ingestedAt=now,
        online=group.sourceType == "stream",
    )


async def ingest(
    request: IngestRequest, store: ObjectStore, online: OnlineStore, buffer: StreamBuffer
) -> IngestOut:
    group = await get_group(request.group)
    if request.datasetId is not None:
        if request.rows:
            raise InvalidInput("give rows or a datasetId, not both", {"field": "rows"})
        if not request.entity:
            raise InvalidInput("a dataset ingest needs the entity", {"field": "entity"})
        frame = await load_canonical(store, request.datasetId)
        raw = _dataset_rows(frame, request.entity, request.columns)
    else:
        if not request.rows:
            raise InvalidInput("no rows to ingest", {"field": "rows"})
        raw = [msgspec.to_builtins(r) for r in request.rows]
    rows = check_rows(specs(group.features), raw, request.units)
    return await store_rows(group, rows, online, buffer)
