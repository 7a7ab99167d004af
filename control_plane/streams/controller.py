"""`/api/inference/devices` (sensor sources), `/api/inference/stream/start|stop` and
`/ws/inference/stream?deploymentId=` (live streams)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, WebSocket, get, post, websocket
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.auth.security import writer_guard
from control_plane.feature_store.deps import clients
from control_plane.streams import push, service, sources
from control_plane.streams.counters import SourceCounters
from control_plane.streams.live import relay_stream
from control_plane.streams.schemas import (
    PushIn,
    PushOut,
    SourceIn,
    SourceOut,
    StreamEvent,
    StreamOut,
    StreamStart,
    StreamStop,
)


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
        summary="Add an MQTT or HTTP-push source feeding a stream feature group",
    )
    async def create_device(self, data: SourceIn = Body()) -> SourceOut:
        return await sources.create_source(data)

    @get("/{id:str}", summary="One sensor source")
    async def get_device(self, id: str, counters: SourceCounters) -> SourceOut:
        return await sources.get_source(id, counters)

    @post(
        "/{id:str}/readings",
        guards=[writer_guard],
        status_code=201,
        summary="Push a batch of readings to an HTTP device",
        description=(
            "Each reading is mapped as an MQTT message of the device would be; one bad "
            "reading is INVALID_INPUT naming `details.field` (`readings.<i>`), and nothing "
            "of the batch is stored."
        ),
    )
    async def push_readings(
        self, state: State, id: str, counters: SourceCounters, data: PushIn = Body()
    ) -> PushOut:
        fs = clients(state)
        return await push.push_readings(id, data, fs.online, fs.buffer, counters)


class StreamController(Controller):
    path = "/api/inference"
    tags = ["live streams"]

    @post(
        "/stream/start",
        guards=[writer_guard],
        status_code=201,
        summary="Bind a deployment to a device's entity: a forecast at every grid point",
    )
    async def start(self, data: StreamStart = Body()) -> StreamOut:
        return await service.start_stream(data)

    @post(
        "/stream/stop",
        guards=[writer_guard],
        status_code=200,
        summary="Stop the deployment's running stream",
    )
    async def stop(self, data: StreamStop = Body()) -> StreamOut:
        return await service.stop_stream(data.deploymentId)

    @get("/streams", summary="Live streams, newest first")
    async def list_streams(self) -> list[StreamOut]:
        return await service.list_streams()

    @get("/stream/events", summary="A deployment's stored stream results, oldest first")
    async def events(
        self,
        deployment_id: Annotated[str, Parameter(query="deploymentId", min_length=1)],
        limit: Annotated[int, Parameter(query="limit", ge=1, le=1000)] = 200,
    ) -> list[StreamEvent]:
        return await service.recent_events(deployment_id, limit)


@websocket("/ws/inference/stream")
async def stream_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """`?deploymentId=&token=`: the stored results, then each new one as it is made."""
    await relay_stream(socket)


stream_routes: list[ControllerRouterHandler] = [DevicesController, StreamController, stream_socket]
