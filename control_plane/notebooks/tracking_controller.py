"""Runs tracked from a notebook: `/api/v2/notebooks/{id}/runs`, `/api/v2/notebook-runs/{runId}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.notebooks import tracking
from control_plane.notebooks.experiments import experiment_check
from control_plane.notebooks.schemas import ArtifactOut, MetricIn, RunCreate, RunEnd, RunOut


@dataclass
class ArtifactForm:
    file: UploadFile


@dataclass
class ModelForm:
    file: UploadFile
    modelName: str


class NotebookRunsController(Controller):
    path = "/api/v2"
    tags = ["notebooks"]

    @post(
        "/notebooks/{notebook_id:str}/runs",
        guards=[writer_guard],
        status_code=201,
        summary="Start a tracked run",
    )
    async def start(
        self,
        request: Request[Any, Any, Any],
        user: AuthUser,
        store: ObjectStore,
        notebook_id: str,
        data: RunCreate = Body(),
    ) -> RunOut:
        return await tracking.start_run(store, user, notebook_id, data, experiment_check(request))

    @get("/notebooks/{notebook_id:str}/runs", summary="The notebook's runs, newest first")
    async def list_runs(self, user: AuthUser, store: ObjectStore, notebook_id: str) -> list[RunOut]:
        return await tracking.list_runs(store, user, notebook_id)

    @get("/notebook-runs/{run_id:str}", summary="A run with its metrics and artifacts")
    async def get_run(self, user: AuthUser, store: ObjectStore, run_id: str) -> RunOut:
        return await tracking.get_run(store, user, run_id)

    @post(
        "/notebook-runs/{run_id:str}/metrics",
        guards=[writer_guard],
        status_code=201,
        summary="Log metrics",
    )
    async def metrics(
        self, user: AuthUser, run_id: str, data: list[MetricIn] = Body()
    ) -> dict[str, int]:
        return {"logged": await tracking.log_metrics(user, run_id, data)}

    @post(
        "/notebook-runs/{run_id:str}/artifacts",
        guards=[writer_guard],
        status_code=201,
        summary="Upload an artifact (multipart `file`)",
    )
    async def artifact(
        self,
        user: AuthUser,
        store: ObjectStore,
        run_id: str,
        data: Annotated[ArtifactForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ArtifactOut:
        raw = await data.file.read()
        content_type = data.file.content_type or "application/octet-stream"
        return await tracking.log_artifact(
            store, user, run_id, data.file.filename, raw, content_type
        )

    @post(
        "/notebook-runs/{run_id:str}/model",
        guards=[writer_guard],
        status_code=201,
        summary="Log the run's model: registered as the next version of `modelName`",
        description="Multipart `file` and `modelName`. The version carries the run's last "
        "metrics and its notebook as source; lineage records notebook -> run -> version.",
    )
    async def model(
        self,
        user: AuthUser,
        store: ObjectStore,
        run_id: str,
        data: Annotated[ModelForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> RunOut:
        return await tracking.log_model(store, user, run_id, data.modelName, data.file)

    @post(
        "/notebook-runs/{run_id:str}/end",
        guards=[writer_guard],
        status_code=200,
        summary="End a run",
    )
    async def end(
        self, user: AuthUser, store: ObjectStore, run_id: str, data: RunEnd = Body()
    ) -> RunOut:
        return await tracking.end_run(store, user, run_id, data)
