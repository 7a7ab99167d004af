"""`/api/features`: feature plans (saved, listed, replaced, previewed) and auto-suggestion."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import Body, Parameter

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.features import analysis, service
from control_plane.features.schemas import (
    AutoPlanOut,
    AutoPlanRequest,
    FeaturePlanOut,
    FeaturePlanPage,
    PlanPreview,
)
from schemas.feature_plan import FeaturePlan

PageNo = Annotated[int, Parameter(ge=1, le=1_000_000, default=1)]
PageSize = Annotated[int, Parameter(ge=1, le=500, default=50, query="pageSize")]
_PLAN_BODY = (
    "The body is the FeaturePlan itself (flat): `datasetId` is required; `name` defaults to "
    "one made from target, frequency, lookback and horizon; input units default to the "
    "dataset columns' units. Refusals are INVALID_INPUT with `details.field` naming the "
    "field, e.g. `ops[1].lags`."
)


class FeaturesController(Controller):
    path = "/api/features"
    tags = ["features"]

    @post(
        "/plans",
        guards=[writer_guard],
        status_code=201,
        summary="Save a feature plan",
        description=_PLAN_BODY,
    )
    async def create(self, user: AuthUser, data: FeaturePlan = Body()) -> FeaturePlanOut:
        return await service.create_plan(data, user.username)

    @get("/plans", summary="List feature plans, newest first")
    async def list_plans(
        self,
        page: PageNo,
        page_size: PageSize,
        dataset_id: Annotated[str | None, Parameter(query="datasetId", default=None)],
        q: Annotated[str | None, Parameter(query="q", default=None)],
    ) -> FeaturePlanPage:
        return await service.list_plans(dataset_id, q, page, page_size)

    @get("/plans/{id:str}", summary="A feature plan")
    async def get_plan(self, id: str) -> FeaturePlanOut:
        return await service.get_plan(id)

    @put(
        "/plans/{id:str}",
        guards=[writer_guard],
        summary="Replace a feature plan (CONFLICT once a job or model version used it)",
        description=_PLAN_BODY + " Without `datasetId` the plan keeps its dataset.",
    )
    async def replace(self, id: str, user: AuthUser, data: FeaturePlan = Body()) -> FeaturePlanOut:
        return await service.update_plan(id, data, user.username)

    @get(
        "/plans/{id:str}/preview",
        summary="First rows of the feature matrix and the plan's cost",
    )
    async def preview(
        self,
        id: str,
        store: ObjectStore,
        rows: Annotated[int, Parameter(query="rows", ge=1, le=500, default=20)],
    ) -> PlanPreview:
        return await analysis.preview_plan(store, id, rows)

    @post(
        "/auto",
        status_code=200,
        summary="Suggest a plan from the dataset's statistics",
        description="Writes nothing (open to viewers): POST the plan to `/plans` to keep it.",
    )
    async def auto(self, store: ObjectStore, data: AutoPlanRequest = Body()) -> AutoPlanOut:
        return await analysis.auto_plan(store, data)
