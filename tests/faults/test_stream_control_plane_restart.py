"""The control plane itself killed and started again while a live stream runs: the stream
lives in the sensor-consumer process, so it keeps forecasting through the outage, and
afterwards every grid point has exactly one result and every reading is online once."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from control_plane.settings import Settings
from tests.conftest import login
from tests.integration.deployment_support import ModelVersions, shifted_forecaster
from tests.integration.feature_store.support import FS
from tests.integration.flow_support import until
from tests.integration.isolated_stack import end, spawn
from tests.integration.stream_support import (
    publish,
    start_consumer,
    stream_source,
    until_subscribed,
)
from tests.integration.test_gateway_support import LOOKBACK, free_port, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]
EXTRA = 8  # grid points published after the stream has caught up


class ControlPlane:
    """`uvicorn control_plane.app:app` as a process of its own, on one fixed port."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: Any = None

    async def start(self) -> None:
        argv = ["uvicorn", "control_plane.app:app", "--port", str(self.port)]
        self.proc = spawn(argv, dict(os.environ), self.log)
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:

            async def up() -> bool:
                assert self.proc.poll() is None, self.log.read_text()[-3000:]
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(up, seconds=90, every=0.3)

    def kill(self) -> None:
        end(self.proc, graceful=False)


@pytest.fixture
async def control_plane(services: None, tmp_path: Path) -> AsyncIterator[ControlPlane]:
    server = ControlPlane(tmp_path / "cp.log")
    await server.start()
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            end(server.proc, graceful=True)


async def _events(client: httpx.AsyncClient, headers: dict[str, str], dep: str) -> list[Any]:
    url = f"/api/inference/stream/events?deploymentId={dep}&limit=1000"
    return (await client.get(url, headers=headers)).json()  # type: ignore[no-any-return]


async def _stream_results(deployment_id: str) -> int:
    """Results stored while no control plane answers: read from PostgreSQL itself."""
    from control_plane.streams.tables import StreamResultRow

    return await StreamResultRow.count().where(StreamResultRow.deployment_id == deployment_id)


async def test_a_stream_keeps_every_point_once_across_a_control_plane_restart(
    control_plane: ControlPlane, settings: Settings, tmp_path: Path
) -> None:
    client = httpx.AsyncClient(base_url=control_plane.url, timeout=60)
    headers = await login(client)
    model = await ModelVersions(client, headers, settings).create()
    consumer = None
    try:
        await model.register(shifted_forecaster(0.0))
        deployment = await model.deploy(version=1)
        source = await stream_source(client, headers, "restart")
        rows = [
            {k: r[k] for k in ("timestamp", "value", "temp", "production")}
            for r in hourly_rows(LOOKBACK + 2 + 2 * EXTRA)
        ]
        consumer = await start_consumer(tmp_path / "consumer.log")
        online = f"{FS}/online?entity=m1&features={source.group}.value&window=1000"
        await until_subscribed(client, headers, source, rows[0], window=1000)
        await publish(f"{source.root}/m1", rows[1 : LOOKBACK + 2])
        started = await client.post(
            "/api/inference/stream/start",
            json={
                "deploymentId": deployment["id"],
                "deviceId": source.device_id,
                "entity": "m1",
            },
            headers=headers,
        )
        assert started.status_code == 201, started.text
        await until(
            lambda: _count_at_least(client, headers, deployment["id"], LOOKBACK + 2), seconds=60
        )

        control_plane.kill()  # SIGKILL: no shutdown of its own
        middle = LOOKBACK + 2 + EXTRA
        await publish(f"{source.root}/m1", rows[LOOKBACK + 2 : middle])

        async def made_while_down() -> bool:
            return await _stream_results(deployment["id"]) >= middle

        await until(made_while_down, seconds=60, every=0.5)
        assert control_plane.proc.poll() is not None  # nothing answered meanwhile
        await control_plane.start()
        await asyncio.sleep(1.0)  # the new process is serving (and its startup is done)
        await publish(f"{source.root}/m1", rows[middle:])
        events = await until(
            lambda: _count_at_least(client, headers, deployment["id"], len(rows)), seconds=60
        )
        await asyncio.sleep(3.0)  # a duplicate, if any were made, would come by now
        events = await _events(client, headers, deployment["id"])

        expected = [r["timestamp"] for r in rows]
        assert [e["point"] for e in events] == expected  # each grid point once, in order
        assert all(e["type"] == "forecast" for e in events[LOOKBACK:]), events[-1]
        body = (await client.get(online, headers=headers)).json()
        window = body["values"][0]["window"]
        assert [v for _, v in window] == [pytest.approx(r["value"]) for r in rows]  # all, once
        streams = (await client.get("/api/inference/streams", headers=headers)).json()
        mine = next(s for s in streams if s["deploymentId"] == deployment["id"])
        assert mine["status"] == "running" and mine["lastPoint"].startswith(expected[-1][:19])
        stopped = await client.post(
            "/api/inference/stream/stop", json={"deploymentId": deployment["id"]}, headers=headers
        )
        assert stopped.status_code == 200, stopped.text
    finally:
        if consumer is not None and consumer.returncode is None:
            consumer.terminate()
            await consumer.wait()
        await model.cleanup()
        await client.aclose()


async def _count_at_least(
    client: httpx.AsyncClient, headers: dict[str, str], deployment_id: str, n: int
) -> list[Any] | None:
    events = await _events(client, headers, deployment_id)
    return events if len(events) >= n else None
