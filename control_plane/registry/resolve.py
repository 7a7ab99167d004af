"""Which version a deployment or a prediction names: a fixed number, an alias (`champion`),
a stage (`Production`: the newest version in it), or, with neither, the latest."""

from __future__ import annotations

from control_plane.registry.aliases import normalize_alias
from control_plane.registry.tables import ModelAlias, ModelVersion, RegisteredModel
from schemas.errors import NotFound


async def resolve_version(model_name: str, version: int | None, alias: str | None) -> int:
    """The version number; NOT_FOUND (with `modelId`) for an unknown model, alias or stage."""
    model = (
        await RegisteredModel.select(RegisteredModel.id)
        .where(RegisteredModel.name == model_name)
        .first()
    )
    if model is None:
        raise NotFound(f"model {model_name!r} not found", {"modelId": model_name})
    if version is not None:
        return version
    if alias:
        row = None
        if alias.lstrip("@").islower():
            row = (
                await ModelAlias.select(ModelAlias.version)
                .where(
                    (ModelAlias.model == model["id"]) & (ModelAlias.alias == normalize_alias(alias))
                )
                .first()
            )
        if row is None:
            # a stage name works too: the newest version in that stage ("Production")
            stage = alias.lstrip("@").capitalize()
            staged = (
                await ModelVersion.select(ModelVersion.version)
                .where((ModelVersion.model == model["id"]) & (ModelVersion.stage == stage))
                .order_by(ModelVersion.version, ascending=False)
                .first()
            )
            if staged is None:
                raise NotFound(
                    f"model {model_name!r} has no alias or stage {alias!r}", {"alias": alias}
                )
            return int(staged["version"])
        return int(row["version"])
    latest = (
        await ModelVersion.select(ModelVersion.version)
        .where(ModelVersion.model == model["id"])
        .order_by(ModelVersion.version, ascending=False)
        .first()
    )
    if latest is None:
        raise NotFound(f"model {model_name!r} has no versions", {"modelId": model_name})
    return int(latest["version"])
