"""Which deployments serve a model, or one version of it (by number or through an alias that
points at it): what the registry asks before it deletes or renames (`registry.serving`)."""

from __future__ import annotations

from typing import Any

from control_plane.deployments.tables import Deployment


async def deployments_serving(
    model_name: str, version: int | None, aliases: list[str]
) -> list[str]:
    """Ids of the deployments serving `model_name` (any version when `version` is None)."""
    where: Any = Deployment.model_name == model_name
    if version is not None:
        on_version: Any = Deployment.model_version == version
        if aliases:
            on_version = on_version | Deployment.follow_alias.is_in(aliases)
        where = where & on_version
    rows = await Deployment.select(Deployment.id).where(where).order_by(Deployment.id)
    return [r["id"] for r in rows]
