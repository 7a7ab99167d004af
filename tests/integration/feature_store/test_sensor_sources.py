"""Sensor sources on the real Mosquitto, Redis and PostgreSQL: readings published to a
topic appear online at once and offline after materialization; a malformed payload is
counted and logged and the consumer goes on."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from control_plane.settings import Settings
from tests.integration.feature_store.support import (
    FS,
    make_group,
    run_feature_worker,
    unique,
)
from tests.integration.flow_support import until
from tests.integration.stream_support import start_consumer

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
DEVICES = "/api/inference/devices"


@pytest.fixture
async def consumer(settings: Settings, tmp_path: Path) -> AsyncIterator[Consumer]:
    """The real consumer process (`python -m control_plane.streams.consumer`), until the
    test ends; its log goes to a file the test reads."""
    log = tmp_path / "consumer.log"
    proc = await start_consumer(log)
    yield Consumer(proc, log)
    if proc.returncode is None:
        proc.terminate()
        await proc.wait()


class Consumer:
    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc = proc
        self.log = log


async def publish(topic: str, payload: bytes) -> None:
    async with aiomqtt.Client("127.0.0.1", 1883) as client:
        await client.publish(topic, payload, qos=1)


async def test_readings_go_online_then_offline_and_bad_ones_are_counted(
    cp_client, admin_headers, consumer
) -> None:
    group = await make_group(cp_client, admin_headers, source_type="stream")
    root = f"loadstar-test/{uuid.uuid4().hex[:8]}"
    device = await cp_client.post(
        DEVICES,
        json={
            "name": unique("meter"),
            "group": group["name"],
            "topic": f"{root}/+/telemetry",
            "mapping": {
                "entitySegment": 2,
                "timeField": "ts",
                "fields": {"p": {"feature": "power", "unit": "W"}, "t": {"feature": "temp"}},
            },
        },
        headers=admin_headers,
    )
    assert device.status_code == 201, device.text
    source = device.json()

    name = group["name"]
    online = f"{FS}/online?entity=m7&features={name}.power,{name}.temp&window=5"

    def reading(minute: int, watts: Any) -> bytes:
        return json.dumps({"ts": f"2026-03-01T08:{minute:02d}:00Z", "p": watts, "t": 20.5}).encode()

    async def first_is_online() -> Any:  # the consumer subscribes within its refresh period
        await publish(f"{root}/m7/telemetry", reading(0, 2500))
        body = (await cp_client.get(online, headers=admin_headers)).json()
        return body["values"][0]["value"] is not None

    await until(first_is_online, seconds=30, every=0.5)
    await publish(f"{root}/m7/telemetry", b"{not json")
    await publish(f"{root}/m7/telemetry", reading(1, "lots"))
    await publish(f"{root}/m7/telemetry", reading(2, 3000))

    async def second_is_online() -> Any:
        body = (await cp_client.get(online, headers=admin_headers)).json()
        return body if body["values"][0]["value"] == 3.0 else None

    body = await until(second_is_online, seconds=20)
    power, temp = body["values"]
    assert power["eventTime"].startswith("2026-03-01T08:02:00")
    assert [v for _, v in power["window"]] == [2.5, 3.0]  # W converted to the feature's kW
    assert temp["value"] == 20.5
    assert consumer.proc.returncode is None  # the malformed payloads did not stop it
    logged = consumer.log.read_text()
    assert logged.count("malformed message") == 2 and "not JSON" in logged

    async def counted() -> Any:
        got = (await cp_client.get(f"{DEVICES}/{source['id']}", headers=admin_headers)).json()
        return got if got["malformed"] == 2 else None

    seen = await until(counted, seconds=10)
    assert seen["messages"] >= 2 and seen["messagesPerMinute"] >= 4
    assert json.loads(seen["lastPayload"])["p"] == 3000
    listed = (await cp_client.get(DEVICES, headers=admin_headers)).json()
    assert source["id"] in [d["id"] for d in listed]

    # Offline only after materialization.
    spine = {"features": [f"{name}.power"], "spine": [["m7", "2026-03-01T09:00:00Z"]]}
    frame = (await cp_client.post(f"{FS}/training-frame", json=spine, headers=admin_headers)).json()
    assert frame["rows"][0][f"{name}.power"] is None
    run = await cp_client.post(f"{FS}/materialize", json={"group": name}, headers=admin_headers)
    assert run.status_code == 202, run.text
    await run_feature_worker()
    done = (await cp_client.get(f"{FS}/runs/{run.json()['id']}", headers=admin_headers)).json()
    assert done["status"] == "succeeded", done
    frame = (await cp_client.post(f"{FS}/training-frame", json=spine, headers=admin_headers)).json()
    assert frame["rows"][0][f"{name}.power"] == 3.0


async def test_a_source_must_feed_a_stream_group_with_known_fields(
    cp_client, admin_headers
) -> None:
    batch = await make_group(cp_client, admin_headers)
    stream = await make_group(cp_client, admin_headers, source_type="stream")
    base = {"name": unique("meter"), "topic": "plant/+/x", "mapping": {"entitySegment": 1}}
    cases = [
        (
            {
                "group": batch["name"],
                "mapping": {**base["mapping"], "fields": {"p": {"feature": "power"}}},
            },
            "group",
        ),
        (
            {
                "group": stream["name"],
                "mapping": {**base["mapping"], "fields": {"p": {"feature": "nope"}}},
            },
            "mapping.fields.p.feature",
        ),
        (
            {
                "group": stream["name"],
                "mapping": {
                    **base["mapping"],
                    "fields": {"p": {"feature": "power", "unit": "degC"}},
                },
            },
            "units.power",
        ),
    ]
    for body, field in cases:
        resp = await cp_client.post(DEVICES, json={**base, **body}, headers=admin_headers)
        assert resp.status_code in (400, 422), resp.text
        assert resp.json()["details"]["field"] == field
