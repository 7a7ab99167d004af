"""`/api/system/stats`, `/api/system/logs` and the 1 Hz `/ws/system` stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import msgspec
from litestar import Controller, WebSocket, get, websocket
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import WebSocketDisconnect
from litestar.params import Parameter
from litestar.types import ControllerRouterHandler

from control_plane.auth.security import authenticate_socket
from control_plane.settings import REPO_ROOT
from control_plane.system import journal, logs
from control_plane.system.probe import SystemProbe
from control_plane.system.schemas import LogEntry, LogTail, SystemStats, SystemStatsMessage
from schemas.contracts import ErrorBody
from schemas.errors import LoadstarError

STREAM_PERIOD = 1.0


def provide_probe(state: State) -> SystemProbe:
    """One probe per app (NVML initialised once, CPU averaged between snapshots)."""
    probe = state.get("system_probe")
    if probe is None:
        probe = state["system_probe"] = SystemProbe(REPO_ROOT)
    return probe  # type: ignore[no-any-return]


class SystemController(Controller):
    path = "/api/system"
    tags = ["system"]
    dependencies = {
        "probe": Provide(provide_probe, sync_to_thread=False),
        "logs_dir": Provide(logs.logs_dir, sync_to_thread=False),
    }

    @get("/stats", summary="GPU utilisation/temperature/memory, CPU, memory, disk")
    async def stats(self, probe: SystemProbe) -> SystemStats:
        return await anyio.to_thread.run_sync(probe.snapshot)

    @get(
        "/logs",
        summary="Log lines of every service, or the tail of one",
        description=(
            "`?type=&limit=&q=&level=` answers `[{time, level, msg, service}]`, newest last, "
            "merged from every service's log: type is all (default), backend, gateway, "
            "worker, inference, storage or a service's own name; q searches (case-blind); "
            "level is the lowest shown. `?service=&lines=` answers one service's tail with "
            "the list of services that have a log."
        ),
    )
    async def logs(
        self,
        logs_dir: Path,
        service: str | None = Parameter(default=None, max_length=64),
        lines: int = Parameter(default=200, ge=1, le=5000),
        type_: str | None = Parameter(query="type", default=None, max_length=64),
        limit: int = Parameter(default=200, ge=1, le=5000),
        q: str | None = Parameter(default=None, max_length=200),
        level: str | None = Parameter(default=None, max_length=16),
    ) -> LogTail | list[LogEntry]:
        if service is not None:
            return await anyio.to_thread.run_sync(logs.tail, logs_dir, service, lines)
        return await anyio.to_thread.run_sync(journal.entries, logs_dir, type_, limit, q, level)


@websocket("/ws/system")
async def system_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """`{type: "system_stats", data: SystemStats}` once a second; the JWT in the first message."""
    await socket.accept()
    try:
        await authenticate_socket(socket)
    except LoadstarError as exc:
        await socket.send_bytes(
            msgspec.json.encode(ErrorBody(code=exc.code, message=exc.message, details=exc.details))
        )
        await socket.close(code=4401)
        return
    probe = provide_probe(socket.app.state)

    async def until_closed(scope: anyio.CancelScope) -> None:
        try:
            while True:
                await socket.receive_data("text")
        except WebSocketDisconnect:
            scope.cancel()

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(until_closed, group.cancel_scope)
            while True:
                started = anyio.current_time()
                stats = await anyio.to_thread.run_sync(probe.snapshot)
                message = SystemStatsMessage(type="system_stats", data=stats)
                await socket.send_text(msgspec.json.encode(message).decode())
                await anyio.sleep(max(0.0, STREAM_PERIOD - (anyio.current_time() - started)))
    except* WebSocketDisconnect:
        pass


system_routes: list[ControllerRouterHandler] = [SystemController, system_socket]
