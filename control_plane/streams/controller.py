"""`/api/inference/devices` (sensor sources) and `/api/inference/stream/start|stop`."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Body

from control_plane.auth.security import writer_guard
from control_plane.feature_store.deps import clients
from control_plane.streams import sources
from control_plane.streams.counters import SourceCounters
from control_plane.streams.schemas import SourceIn, SourceOut


def _counters(state: State) -> SourceCounters:
    fs = clients(state)
    return SourceCounters(fs.online.client, fs.online.namespace)


class DevicesController(Controller):
    path = "/api/inference/devices"
    tags = ["sensor sources"]
    dependencies = {"counters": Provide(_counters, sync_to_thread=False)}

    @get("/", summary="Configured sensor sources, with message counts and the last payload")
    async def list_devices(self, counters: SourceCounters) -> list[SourceOut]:
        return await sources.list_sources(counters)

    @post(
        "/",
        guards=[writer_guard],
        status_code=201,
        summary="Add an MQTT source feeding a stream feature group",
    )
    async def create_device(self, data: SourceIn = Body()) -> SourceOut:
        return await sources.create_source(data)

    @get("/{id:str}", summary="One sensor source")
    async def get_device(self, id: str, counters: SourceCounters) -> SourceOut:
        return await sources.get_source(id, counters)
