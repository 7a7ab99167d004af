"""A deployment's online window: its gateway reads the model's window from the feature
store's online store, so a predict request may name only the entity (or send only its
newest readings). Each contract input's source field must be a feature of the stream
group; the features' units travel in the gateway snapshot, resolved here once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from control_plane.deployments.service import bump_revision, get_row, record
from control_plane.deployments.tables import Deployment
from control_plane.feature_store.registry import get_group
from schemas.base import Wire
from schemas.contracts import DeploymentContract
from schemas.errors import Conflict, InvalidInput
from schemas.gateway import OnlineWindow


class OnlineWindowIn(Wire):
    group: str  # a stream feature group, by id or name
    maxAgeSeconds: Annotated[float, Meta(gt=0.0)] | None = None


async def _save(deployment_id: str, value: dict[str, Any] | None, actor: str) -> None:
    revision = await bump_revision()
    await Deployment.update(
        {
            Deployment.online_window: value,
            Deployment.revision: revision,
            Deployment.updated_at: datetime.now(UTC),
        }
    ).where(Deployment.id == deployment_id)
    await record(deployment_id, revision, "onlineWindow", {"onlineWindow": value}, actor)


async def set_online_window(deployment_id: str, data: OnlineWindowIn, actor: str) -> OnlineWindow:
    row = await get_row(deployment_id)
    if row["status"] != "active":
        raise Conflict("the deployment is revoked", {"status": row["status"]})
    group = await get_group(data.group)
    if group.sourceType != "stream":
        raise InvalidInput(
            f"group {group.name!r} is a batch group: an online window reads a stream group",
            {"field": "group"},
        )
    contract = msgspec.convert(row["contract"], DeploymentContract)
    units = {f.name: f.unit for f in group.features}
    sources = [i.source for i in contract.inputs if i.source in units]
    missing = [i.source for i in contract.inputs if i.required and i.source not in units]
    if missing:
        raise InvalidInput(
            f"the deployment reads {missing[0]!r}, which is not a feature of {group.name!r}",
            {"field": "group", "missing": missing, "features": sorted(units)},
        )
    window = OnlineWindow(
        group=group.name,
        features={s: units[s] for s in sources},
        points=max(group.lookback, contract.lookback),
        maxAgeSeconds=data.maxAgeSeconds,
    )
    await _save(deployment_id, msgspec.to_builtins(window), actor)
    return window


async def clear_online_window(deployment_id: str, actor: str) -> None:
    await get_row(deployment_id)
    await _save(deployment_id, None, actor)
