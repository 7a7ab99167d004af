"""`/api/explore` (seed 000) and `/api/datasets/{id}/quality` (seed 001)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import Body, Parameter

from control_plane.adapters.object_store import ObjectStore
from control_plane.explore import service
from control_plane.explore.schemas import (
    ExplorePreview,
    ExploreSuggestion,
    QualityReport,
    SuggestRequest,
)
from control_plane.settings import Settings


class ExploreController(Controller):
    path = "/api/explore"
    tags = ["explore"]

    @get("/preview", summary="Sample rows, per-column statistics, frequency and gaps")
    async def preview(
        self,
        settings: Settings,
        store: ObjectStore,
        dataset_id: str = Parameter(query="datasetId", min_length=1),
        sample_size: int = Parameter(query="sampleSize", ge=1, le=500, default=20),
    ) -> ExplorePreview:
        return await service.preview(settings, store, dataset_id, sample_size)

    @post(
        "/suggest",
        status_code=200,
        summary="Charts and feature suggestions (with reasons) for a target",
    )
    async def suggest(
        self, settings: Settings, store: ObjectStore, data: SuggestRequest = Body()
    ) -> ExploreSuggestion:
        return await service.suggest(settings, store, data)


class QualityController(Controller):
    path = "/api/datasets"
    tags = ["datasets"]

    @get(
        "/{dataset_id:str}/quality",
        summary="Data-quality report: not-null, range, monotonic, interval",
    )
    async def quality(
        self, settings: Settings, store: ObjectStore, dataset_id: str = Parameter()
    ) -> QualityReport:
        return await service.quality(settings, store, dataset_id)
