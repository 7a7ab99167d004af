"""Stage transitions None/Staging/Production/Archived, each one kept in the history."""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable

from control_plane.registry.schemas import Stage, StageRequest, StageResult, StageTransitionOut
from control_plane.registry.service import get_version, model_id, now, transaction
from control_plane.registry.tables import ModelVersion, RegisteredModel, StageTransition
from schemas.errors import Conflict, NotFound

# Stages that hold at most one version of a model at a time.
_EXCLUSIVE: tuple[Stage, ...] = ("Staging", "Production")


async def _lock_model(name: str) -> int:
    """Take the model row's lock: transitions of one model run one after another."""
    rows = (
        await RegisteredModel.update(updated_at=now())
        .where(RegisteredModel.name == name)
        .returning(RegisteredModel.id)
    )
    if not rows:
        raise NotFound(f"model {name!r} not found", {"name": name})
    return int(rows[0]["id"])


async def _move(row: dict[str, Any], to: Stage, comment: str, actor: str) -> dict[str, Any]:
    at = now()
    await ModelVersion.update(stage=to, updated_at=at).where(ModelVersion.id == row["id"])
    record = {
        "from_stage": row["stage"],
        "to_stage": to,
        "comment": comment,
        "actor": actor,
        "created_at": at,
    }
    await StageTransition.insert(StageTransition(model_version=row["id"], **record))
    return {**record, "version": row["version"]}


async def transition_stage(
    name: str, version: int, request: StageRequest, actor: str
) -> StageResult:
    """Move one version. Staging and Production hold one version each: the version there
    before is archived (`archiveExisting`, the default) or demoted to None, and the history
    records that move too."""
    moved: list[dict[str, Any]] = []
    async with transaction():
        model = await _lock_model(name)
        rows = await ModelVersion.select(
            ModelVersion.id, ModelVersion.version, ModelVersion.stage
        ).where((ModelVersion.model == model) & (ModelVersion.version == version))
        if not rows:
            raise NotFound(
                f"model {name!r} has no version {version}", {"name": name, "version": version}
            )
        row = rows[0]
        if row["stage"] == request.stage:
            raise Conflict(
                f"version {version} is already in stage {request.stage}",
                {"name": name, "version": version, "stage": request.stage},
            )
        if request.stage in _EXCLUSIVE:
            others = await ModelVersion.select(
                ModelVersion.id, ModelVersion.version, ModelVersion.stage
            ).where(
                (ModelVersion.model == model)
                & (ModelVersion.stage == request.stage)
                & (ModelVersion.id != row["id"])
            )
            away: Stage = "Archived" if request.archiveExisting else "None"
            verb = "archived" if request.archiveExisting else "demoted"
            note = f"{verb}: version {version} moved to {request.stage}"
            for other in others:
                moved.append(await _move(other, away, note, actor))
        moved.append(await _move(row, request.stage, request.comment, actor))
    transitions = [_transition_out(name, m["version"], m) for m in moved]
    return StageResult(version=await get_version(name, version), transitions=transitions)


async def stage_history(name: str, version: int | None = None) -> list[StageTransitionOut]:
    """Transitions of one version (or of every version of the model), oldest first."""
    if version is not None:
        await get_version(name, version)
    where: Combinable = ModelVersion.model == await model_id(name)
    if version is not None:
        where &= ModelVersion.version == version
    numbers = {
        r["id"]: r["version"]
        for r in await ModelVersion.select(ModelVersion.id, ModelVersion.version).where(where)
    }
    if not numbers:
        return []
    rows = (
        await StageTransition.select()
        .where(StageTransition.model_version.is_in(list(numbers)))
        .order_by(StageTransition.id)
    )
    return [_transition_out(name, numbers[r["model_version"]], r) for r in rows]


def _transition_out(name: str, version: int, row: dict[str, Any]) -> StageTransitionOut:
    return StageTransitionOut(
        name=name,
        version=version,
        fromStage=row["from_stage"],
        toStage=row["to_stage"],
        comment=row["comment"],
        actor=row["actor"],
        at=row["created_at"],
    )
