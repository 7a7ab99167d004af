"""A live stream on the real stack (PostgreSQL, Redis, Mosquitto, S3, Triton): readings
published over MQTT, one forecast per grid point, and the points missed while the stream
process was down are made up when it comes back."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from tests.integration.deployment_support import ModelVersions, model, shifted_forecaster
from tests.integration.feature_store.support import FS, ROOT, unique
from tests.integration.flow_support import until
from tests.integration.test_gateway_support import LOOKBACK, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["model"]  # fixture


async def start_consumer(log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            str(ROOT / ".venv" / "bin" / "python"),
            "-m",
            "control_plane.streams.consumer",
            cwd=ROOT,
            env={**os.environ, "LOADSTAR_SOURCES_REFRESH_SECONDS": "0.3"},
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )


async def publish(topic: str, rows: list[dict[str, Any]]) -> None:
    async with aiomqtt.Client("127.0.0.1", 1883) as client:
        for row in rows:
            await client.publish(topic, json.dumps(row).encode(), qos=1)


async def test_one_forecast_per_grid_point_across_a_restart(
    cp_client, admin_headers, model: ModelVersions, tmp_path: Path
) -> None:
    await model.register(shifted_forecaster(0.0))
    deployment = await model.deploy(version=1)
    group = await cp_client.post(
        f"{FS}/groups",
        json={
            "name": unique("press"),
            "sourceType": "stream",
            "lookback": 200,
            "features": [
                {"name": "value", "dtype": "float64", "unit": "kW"},
                {"name": "temp", "dtype": "float64", "unit": "degC"},
                {"name": "production", "dtype": "float64"},
            ],
        },
        headers=admin_headers,
    )
    assert group.status_code == 201, group.text
    root = f"loadstar-test/{uuid.uuid4().hex[:8]}"
    device = await cp_client.post(
        "/api/inference/devices",
        json={
            "name": unique("meter"),
            "group": group.json()["name"],
            "topic": f"{root}/+",
            "mapping": {
                "entitySegment": 2,
                "timeField": "timestamp",
                "fields": {
                    "value": {"feature": "value"},
                    "temp": {"feature": "temp"},
                    "production": {"feature": "production"},
                },
            },
        },
        headers=admin_headers,
    )
    assert device.status_code == 201, device.text
    rows = [
        {k: r[k] for k in ("timestamp", "value", "temp", "production")}
        for r in hourly_rows(LOOKBACK + 6)
    ]
    log = tmp_path / "consumer.log"
    consumer = await start_consumer(log)
    try:
        online = f"{FS}/online?entity=m1&features={group.json()['name']}.value"

        async def subscribed() -> Any:  # the broker keeps the session from then on
            await publish(f"{root}/m1", rows[:1])
            body = (await cp_client.get(online, headers=admin_headers)).json()
            return body["values"][0]["value"] is not None

        await until(subscribed, seconds=60, every=0.5)
        await publish(f"{root}/m1", rows[1 : LOOKBACK + 2])
        started = await cp_client.post(
            "/api/inference/stream/start",
            json={
                "deploymentId": deployment["id"],
                "deviceId": device.json()["id"],
                "entity": "m1",
            },
            headers=admin_headers,
        )
        assert started.status_code == 201, started.text
        again = await cp_client.post(
            "/api/inference/stream/start",
            json={
                "deploymentId": deployment["id"],
                "deviceId": device.json()["id"],
                "entity": "m1",
            },
            headers=admin_headers,
        )
        assert again.status_code == 409, again.text
        events_url = f"/api/inference/stream/events?deploymentId={deployment['id']}&limit=1000"

        async def points(n: int) -> Any:
            events = (await cp_client.get(events_url, headers=admin_headers)).json()
            return events if len(events) >= n else None

        await until(lambda: points(LOOKBACK + 2), seconds=60, every=0.5)

        consumer.terminate()  # the stream process goes down; readings keep coming
        await consumer.wait()
        await publish(f"{root}/m1", rows[LOOKBACK + 2 :])
        consumer = await start_consumer(log)
        events = await until(lambda: points(LOOKBACK + 6), seconds=60, every=0.5)
    finally:
        if consumer.returncode is None:
            consumer.terminate()
            await consumer.wait()

    expected = [r["timestamp"] for r in rows]
    assert [e["point"] for e in events] == expected  # each grid point once, in order
    last = events[-1]
    assert last["type"] == "forecast", last
    assert last["forecast"]["meta"]["deploymentId"] == deployment["id"]
    assert last["forecast"]["values"][0]["y"] == pytest.approx(rows[-1]["value"], rel=1e-3)
    assert all(e["type"] == "forecast" for e in events[LOOKBACK:]), [e["message"] for e in events]
    stopped = await cp_client.post(
        "/api/inference/stream/stop", json={"deploymentId": deployment["id"]}, headers=admin_headers
    )
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped", stopped.text
    assert stopped.json()["lastPoint"].startswith(expected[-1][:19])
