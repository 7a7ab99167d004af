"""Training from a feature-store query instead of a dataset.

At job creation the query is checked against the registry (every `group.feature` exists
and is a number, the plan reads only the query's columns in their units, the target is
among them) and the features' offline histories for the entity, up to the end of the
range, are snapshotted as one Parquet file in S3. The worker builds the point-in-time
frame from that snapshot (`loadstar_core.feature_store.training_frame`), so every attempt
trains on the same rows. Lineage gets a `featureGroup` node per group and an edge into
the job naming the feature versions read.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import polars as pl

from control_plane.adapters.object_store import ObjectStore
from control_plane.feature_store import offline
from control_plane.feature_store.registry import get_group
from control_plane.feature_store.schemas import GroupOut
from control_plane.feature_store.serving import split_features
from control_plane.lineage import external
from control_plane.lineage.schemas import ExternalEdgeIn, ExternalNodeIn, NodeRefIn
from control_plane.training.schemas import FeatureQuery
from loadstar_core.feature_store.rows import NUMERIC
from loadstar_core.feature_store.training_frame import HISTORY_SCHEMA
from schemas.errors import Conflict, InvalidInput
from schemas.feature_plan import FREQUENCY_SECONDS, FeaturePlan
from schemas.training_job.protocol import FeatureFrame

MAX_POINTS = 500_000


def _check_plan(plan: FeaturePlan, units: dict[str, str | None], target: str) -> None:
    if plan.target != target:
        raise InvalidInput(
            f"the plan's target is {plan.target!r}; the query's target column is {target!r}",
            {"field": "plan.target", "target": target},
        )
    for i, item in enumerate(plan.inputs):
        if item.name not in units:
            raise InvalidInput(
                f"the plan reads {item.name!r}, which the query does not select",
                {"field": f"plan.inputs.{i}.name", "columns": sorted(units)},
            )
        stored = units[item.name] or "1"
        if item.unit != stored:
            raise InvalidInput(
                f"{item.name} is stored in {stored}; the plan must read it in {stored}",
                {"field": f"plan.inputs.{i}.unit", "stored": stored},
            )


async def prepare(
    job_id: str, query: FeatureQuery, plan: FeaturePlan, store: ObjectStore
) -> tuple[FeatureFrame, dict[str, Any]]:
    """The worker's part of the spec and the record kept with the job (groups and the
    feature versions read)."""
    if query.end <= query.start:
        raise InvalidInput(
            "the query's end must come after its start", {"field": "featureQuery.end"}
        )
    step = FREQUENCY_SECONDS[plan.frequency]
    if (query.end - query.start).total_seconds() / step > MAX_POINTS:
        raise InvalidInput(
            f"the range holds more than {MAX_POINTS} grid points", {"field": "featureQuery.end"}
        )
    pairs = split_features(",".join(query.features))
    groups: dict[str, GroupOut] = {}
    columns: dict[str, str] = {}
    units: dict[str, str | None] = {}
    used: dict[str, list[dict[str, Any]]] = {}
    for index, (ref, name) in enumerate(pairs):
        group = groups.get(ref) or await get_group(ref)
        groups[ref] = group
        feature = next((f for f in group.features if f.name == name), None)
        field = f"featureQuery.features.{index}"
        if feature is None:
            raise InvalidInput(f"{ref}.{name} is not a feature", {"field": field})
        if feature.dtype not in NUMERIC:
            raise InvalidInput(
                f"{ref}.{name} is {feature.dtype}: only numbers train", {"field": field}
            )
        if name in units:
            raise InvalidInput(
                f"two selected features are named {name!r}: a frame column each needs its own",
                {"field": field},
            )
        columns[f"{group.name}.{name}"] = name
        units[name] = feature.unit
        used.setdefault(group.id, []).append(
            {"name": name, "version": feature.version, "unit": feature.unit}
        )
    if query.target not in query.features:
        raise InvalidInput(
            "the target must be one of the query's features", {"field": "featureQuery.target"}
        )
    _check_plan(plan, units, split_features(query.target)[0][1])

    parts = []
    for ref, name in pairs:
        group = groups[ref]
        history = await offline.history(group.id, name, [query.entity], query.end)
        parts.append(
            history.with_columns(pl.lit(f"{group.name}.{name}").alias("key")).select(
                list(HISTORY_SCHEMA)
            )
        )
    histories = pl.concat(parts).cast(HISTORY_SCHEMA)  # type: ignore[arg-type]
    if histories.is_empty():
        raise InvalidInput(
            f"the offline store holds no value of these features for {query.entity!r}; "
            "materialize the groups first",
            {"field": "featureQuery.entity"},
        )
    buffer = io.BytesIO()
    histories.write_parquet(buffer)
    key = f"feature-frames/{job_id}/histories.parquet"
    await store.put_bytes(key, buffer.getvalue())
    frame = FeatureFrame(
        historiesUri=store.uri(key),
        entity=query.entity,
        start=query.start,
        end=query.end,
        stepSeconds=step,
        columns=columns,
        ttlSeconds=query.ttlSeconds,
    )
    by_id = {g.id: g for g in groups.values()}
    record = {
        "entity": query.entity,
        "start": query.start.isoformat(),
        "end": query.end.isoformat(),
        "target": query.target,
        "groups": [
            {"id": gid, "name": by_id[gid].name, "features": feats} for gid, feats in used.items()
        ],
        "rows": histories.height,
    }
    return frame, record


async def record_lineage(job_id: str, record: dict[str, Any], actor: str) -> None:
    """A `featureGroup` node per group (made once) and an edge from it into the job."""
    for group in record["groups"]:
        node = ExternalNodeIn(type="featureGroup", id=group["id"], name=group["name"])
        with contextlib.suppress(Conflict):  # recorded by an earlier job
            await external.create_node(node, actor)
        await external.create_edge(
            ExternalEdgeIn(
                from_=NodeRefIn(type="featureGroup", id=group["id"]),
                to=NodeRefIn(type="trainingJob", id=job_id),
                metadata={
                    "features": group["features"],
                    "entity": record["entity"],
                    "start": record["start"],
                    "end": record["end"],
                },
            ),
            actor,
        )
