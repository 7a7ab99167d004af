"""`/api/v2/feature-store`: the registry, ingest, online reads, training frames, runs."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Body, Parameter

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.feature_store import ingest, monitoring, registry, runs, schedules, serving
from control_plane.feature_store.deps import FEATURE_STORE_DEPENDENCIES, FeatureStoreClients
from control_plane.feature_store.queue import MaterializationQueue
from control_plane.feature_store.schemas import (
    FeatureIn,
    FrameOut,
    FrameRequest,
    GroupIn,
    GroupOut,
    GroupPage,
    IngestOut,
    IngestRequest,
    MaterializeRequest,
    Monitoring,
    OnlineOut,
    RunOut,
    ScheduleIn,
    ScheduleOut,
)

GroupQuery = Annotated[str | None, Parameter(query="group", default=None)]


class FeatureStoreController(Controller):
    path = "/api/v2/feature-store"
    tags = ["feature store"]
    dependencies = FEATURE_STORE_DEPENDENCIES

    @post("/groups", guards=[writer_guard], status_code=201, summary="Create a feature group")
    async def create_group(self, user: AuthUser, data: GroupIn = Body()) -> GroupOut:
        return await registry.create_group(data, user.username)

    @get("/groups", summary="List feature groups with their current features")
    async def list_groups(
        self, q: Annotated[str | None, Parameter(query="q", default=None)]
    ) -> GroupPage:
        return await registry.list_groups(q)

    @get("/groups/{id:str}", summary="A feature group (by id or name)")
    async def get_group(self, id: str) -> GroupOut:
        return await registry.get_group(id)

    @post(
        "/groups/{id:str}/features",
        guards=[writer_guard],
        status_code=201,
        summary="Add a feature (a name the group has gets its next version)",
    )
    async def add_feature(self, id: str, data: FeatureIn = Body()) -> GroupOut:
        return await registry.add_feature(id, data)

    @get("/groups/{id:str}/monitoring", summary="Freshness, row rate, null and out-of-range")
    async def monitor(
        self,
        id: str,
        window: Annotated[int, Parameter(query="windowSeconds", ge=60, le=30 * 86400)] = 3600,
    ) -> Monitoring:
        return await monitoring.group_health(id, window)

    @post(
        "/ingest",
        guards=[writer_guard],
        status_code=201,
        summary="Write rows (or a dataset) into a group",
        description=(
            "Every row is checked against the group's features first; a bad row is "
            "INVALID_INPUT with `details.row` and `details.field`, and nothing is written."
        ),
    )
    async def ingest(
        self, store: ObjectStore, fs: FeatureStoreClients, data: IngestRequest = Body()
    ) -> IngestOut:
        return await ingest.ingest(data, store, fs.online, fs.buffer)

    @get("/online", summary="Latest values (and optionally the last window) of an entity")
    async def online(
        self,
        fs: FeatureStoreClients,
        entity: Annotated[str, Parameter(query="entity", min_length=1)],
        features: Annotated[str, Parameter(query="features", min_length=1)],
        window: Annotated[int, Parameter(query="window", ge=0, le=10_000)] = 0,
    ) -> OnlineOut:
        return await serving.online_values(fs.online, entity, features, window)

    @post("/training-frame", status_code=200, summary="A point-in-time-correct training frame")
    async def frame(self, data: FrameRequest = Body()) -> FrameOut:
        return await serving.training_frame(data)

    @post(
        "/materialize",
        guards=[writer_guard],
        status_code=202,
        summary="Queue a materialization run (range or incremental)",
    )
    async def materialize(
        self, user: AuthUser, fs_queue: MaterializationQueue, data: MaterializeRequest = Body()
    ) -> RunOut:
        run = await runs.record_run(data, user.username)
        await fs_queue.enqueue_materialization(run.id)
        return run

    @get("/runs", summary="Materialization runs, newest first")
    async def list_runs(self, group: GroupQuery) -> list[RunOut]:
        return await runs.list_runs(group)

    @get("/runs/{id:str}", summary="A materialization run")
    async def get_run(self, id: str) -> RunOut:
        return await runs.get_run(id)

    @post("/schedules", guards=[writer_guard], status_code=201, summary="Schedule runs by cron")
    async def create_schedule(self, data: ScheduleIn = Body()) -> ScheduleOut:
        return await schedules.create_schedule(data)

    @get("/schedules", summary="Materialization schedules")
    async def list_schedules(self, group: GroupQuery) -> list[ScheduleOut]:
        return await schedules.list_schedules(group)
