"""`/api/training`: jobs, control, metrics, logs, register; `/ws/training/{jobId}` live events."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, WebSocket, get, post, websocket
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.training import service
from control_plane.training.live import relay_job_events
from control_plane.training.register import register_job
from control_plane.training.schemas import (
    AlgorithmInfo,
    ControlRequest,
    CreateJob,
    JobOut,
    JobPage,
    LogPage,
    MetricPoint,
    RegisterRequest,
)
from loadstar_core.algorithms import ALGORITHMS, DEFAULT_ALGORITHM
from schemas.training_job.protocol import JobProtocol, job_protocol

PageNo = Annotated[int, Parameter(ge=1, le=1_000_000, default=1)]
PageSize = Annotated[int, Parameter(ge=1, le=500, default=50, query="pageSize")]


class TrainingController(Controller):
    path = "/api/training"
    tags = ["training"]

    @get("/algorithms", summary="Algorithms a job may use")
    async def algorithms(self) -> list[AlgorithmInfo]:
        return [
            AlgorithmInfo(name=n, description=d, default=n == DEFAULT_ALGORITHM)
            for n, d in ALGORITHMS.items()
        ]

    @get("/protocol", summary="A job's states, the moves between them and its final events")
    async def protocol(self) -> JobProtocol:
        return job_protocol()

    @post(
        "/jobs",
        guards=[writer_guard],
        status_code=202,
        summary="Queue a training job; returns at once",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        user: AuthUser,
        store: ObjectStore,
        data: CreateJob = Body(),
    ) -> JobOut:
        state = request.app.state
        return await service.create_job(
            data, user.username, store, state.training_queue, designs=state.training_designs(user)
        )

    @get("/jobs", summary="List jobs")
    async def list_jobs(
        self,
        page: PageNo,
        page_size: PageSize,
        status: Annotated[str | None, Parameter(query="status", default=None)],
        dataset_id: Annotated[str | None, Parameter(query="datasetId", default=None)],
    ) -> JobPage:
        return await service.list_jobs(status, dataset_id, page, page_size)

    @get("/jobs/{job_id:str}", summary="Status, progress, evaluation and artifacts")
    async def get_job(self, job_id: str) -> JobOut:
        return await service.get_job(job_id)

    @post(
        "/jobs/{job_id:str}/control",
        guards=[writer_guard],
        status_code=200,
        summary="stop | pause | resume",
    )
    async def control(
        self,
        request: Request[Any, Any, Any],
        job_id: str,
        store: ObjectStore,
        data: ControlRequest = Body(),
    ) -> JobOut:
        state = request.app.state
        return await service.control_job(
            job_id, data.action, state.redis, store, state.training_queue
        )

    @get("/jobs/{job_id:str}/metrics", summary="Every metric point, in order")
    async def metrics(self, job_id: str) -> list[MetricPoint]:
        return await service.job_metrics(job_id)

    @get("/jobs/{job_id:str}/logs", summary="Logs with level filter, search and paging")
    async def logs(
        self,
        job_id: str,
        page: PageNo,
        page_size: Annotated[int, Parameter(ge=1, le=1000, default=200, query="pageSize")],
        level: Annotated[str | None, Parameter(query="level", default=None)],
        q: Annotated[str | None, Parameter(query="q", default=None)],
    ) -> LogPage:
        return await service.job_logs(job_id, level, q, page, page_size)

    @post(
        "/jobs/{job_id:str}/register",
        guards=[writer_guard],
        status_code=201,
        summary="Register the job's model as a registry version",
    )
    async def register(
        self, job_id: str, user: AuthUser, data: RegisterRequest = Body()
    ) -> dict[str, Any]:
        return msgspec.to_builtins(await register_job(job_id, data, user.username))  # type: ignore[no-any-return]


@websocket("/ws/training/{job_id:str}")
async def training_socket(socket: WebSocket[Any, Any, Any], job_id: str) -> None:
    """History first, then live events, each once, in seq order."""
    await relay_job_events(socket, job_id)


@websocket("/ws")
async def training_socket_query(socket: WebSocket[Any, Any, Any]) -> None:
    """Seed-000 form: `/ws?jobId=...`."""
    await relay_job_events(socket, socket.query_params.get("jobId", ""))


training_routes: list[ControllerRouterHandler] = [
    TrainingController,
    training_socket,
    training_socket_query,
]
