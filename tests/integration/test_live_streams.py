"""A live stream on the real stack (PostgreSQL, Redis, Mosquitto, S3, Triton): readings
published over MQTT, one forecast per grid point, and the points missed while the stream
process was down are made up when it comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.deployment_support import ModelVersions, model, shifted_forecaster
from tests.integration.flow_support import until
from tests.integration.stream_support import (
    publish,
    start_consumer,
    stream_source,
    until_subscribed,
)
from tests.integration.test_gateway_support import LOOKBACK, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["model"]  # fixture


async def test_one_forecast_per_grid_point_across_a_restart(
    cp_client, admin_headers, model: ModelVersions, tmp_path: Path
) -> None:
    await model.register(shifted_forecaster(0.0))
    deployment = await model.deploy(version=1)
    source = await stream_source(cp_client, admin_headers, "press")
    rows = [
        {k: r[k] for k in ("timestamp", "value", "temp", "production")}
        for r in hourly_rows(LOOKBACK + 6)
    ]
    log = tmp_path / "consumer.log"
    consumer = await start_consumer(log)
    try:
        await until_subscribed(cp_client, admin_headers, source, rows[0])
        await publish(f"{source.root}/m1", rows[1 : LOOKBACK + 2])
        started = await cp_client.post(
            "/api/inference/stream/start",
            json={
                "deploymentId": deployment["id"],
                "deviceId": source.device_id,
                "entity": "m1",
            },
            headers=admin_headers,
        )
        assert started.status_code == 201, started.text
        again = await cp_client.post(
            "/api/inference/stream/start",
            json={
                "deploymentId": deployment["id"],
                "deviceId": source.device_id,
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
        await publish(f"{source.root}/m1", rows[LOOKBACK + 2 :])
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
