"""Saved feature plans: create, read, list, replace; each checked against its dataset."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from control_plane.datasets.schemas import DatasetOut
from control_plane.datasets.service import get_dataset
from control_plane.features.schemas import FeaturePlanOut, FeaturePlanPage
from control_plane.features.tables import FeaturePlanRow
from control_plane.features.validation import check_against_dataset, check_plan_shape
from control_plane.lineage.records import Ref, referencing
from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.feature_plan import FeaturePlan

_ID_ATTEMPTS = 5


def new_plan_id() -> str:
    return f"fp-{secrets.token_hex(4)}"


async def plan_dataset(dataset_id: str | None) -> DatasetOut:
    """The dataset a plan names; a missing one is the plan's error, not a 404."""
    if not dataset_id:
        raise InvalidInput("a plan needs a datasetId", {"field": "datasetId"})
    try:
        return await get_dataset(dataset_id)
    except NotFound as exc:
        raise InvalidInput(
            f"dataset {dataset_id!r} does not exist",
            {"field": "datasetId", "datasetId": dataset_id},
        ) from exc


async def checked_plan(plan: FeaturePlan) -> FeaturePlan:
    """`plan` validated (shape first, then against its dataset), units filled, named."""
    check_plan_shape(plan)
    plan = check_against_dataset(plan, await plan_dataset(plan.datasetId))
    if not plan.name.strip():
        name = f"{plan.target} {plan.frequency} L{plan.lookback} H{plan.horizon}"
        plan = msgspec.structs.replace(plan, name=name)
    return plan


def _out(row: dict[str, Any]) -> FeaturePlanOut:
    return FeaturePlanOut(
        id=row["id"],
        name=row["name"],
        datasetId=row["dataset_id"],
        plan=msgspec.convert(row["plan"], FeaturePlan),
        createdBy=row["created_by"],
        createdAt=row["created_at"],
        updatedAt=row["updated_at"],
    )


async def create_plan(plan: FeaturePlan, actor: str) -> FeaturePlanOut:
    plan = await checked_plan(plan)
    body = msgspec.to_builtins(plan)
    for _ in range(_ID_ATTEMPTS):
        row = FeaturePlanRow(
            id=new_plan_id(),
            name=plan.name,
            dataset_id=plan.datasetId,
            plan=body,
            created_by=actor,
        )
        inserted = (
            await FeaturePlanRow.insert(row)
            .on_conflict(target=FeaturePlanRow.id, action="DO NOTHING")
            .returning(FeaturePlanRow.id)
        )
        if inserted:
            return await get_plan(row.id)
    raise Conflict("could not allocate a plan id; try again", {})


async def _row(plan_id: str) -> dict[str, Any]:
    rows = await FeaturePlanRow.select().where(FeaturePlanRow.id == plan_id).output(load_json=True)
    if not rows:
        raise NotFound(f"feature plan {plan_id!r} not found", {"id": plan_id})
    return rows[0]


async def get_plan(plan_id: str) -> FeaturePlanOut:
    return _out(await _row(plan_id))


async def get_feature_plan(plan_id: str) -> FeaturePlan:
    """The plan body training executes."""
    return (await get_plan(plan_id)).plan


async def list_plans(
    dataset_id: str | None, q: str | None, page: int, page_size: int
) -> FeaturePlanPage:
    where: Combinable = FeaturePlanRow.id.is_not_null()
    if dataset_id:
        where &= FeaturePlanRow.dataset_id == dataset_id
    if q:
        where &= FeaturePlanRow.name.ilike(f"%{q}%")
    total = await FeaturePlanRow.count().where(where)
    rows = (
        await FeaturePlanRow.select()
        .where(where)
        .order_by(FeaturePlanRow.created_at, ascending=False)
        .order_by(FeaturePlanRow.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .output(load_json=True)
    )
    return FeaturePlanPage(
        items=[_out(r) for r in rows], total=total, page=page, pageSize=page_size
    )


async def update_plan(plan_id: str, plan: FeaturePlan, actor: str) -> FeaturePlanOut:
    """Replace a plan no job or model version has used yet (those keep what they used)."""
    current = await _row(plan_id)
    users = await referencing(Ref("featurePlan", plan_id))
    if users:
        named = ", ".join(f"{u.ref.type} {u.ref.id}" for u in users[:5])
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        raise Conflict(
            f"the plan is used by {named}{more}; save it as a new plan instead",
            {"id": plan_id, "usedBy": [{"type": u.ref.type, "id": u.ref.id} for u in users]},
        )
    plan = msgspec.structs.replace(plan, datasetId=plan.datasetId or current["dataset_id"])
    plan = await checked_plan(plan)
    await FeaturePlanRow.update(
        name=plan.name,
        dataset_id=plan.datasetId,
        plan=msgspec.to_builtins(plan),
        updated_at=datetime.now(UTC),
    ).where(FeaturePlanRow.id == plan_id)
    return await get_plan(plan_id)


async def plans_using_dataset(dataset_id: str, limit: int) -> list[str]:
    """Ids of the plans made for the dataset (the datasets slice asks before deleting it)."""
    rows = await FeaturePlanRow.raw(
        "SELECT id::text AS id FROM feature_plan WHERE dataset_id = {} ORDER BY id LIMIT {}",
        dataset_id,
        limit,
    )
    return [str(r["id"]) for r in rows]
