"""What the live-stream tests share: a stream feature group with an MQTT device reading
`<root>/<entity>`, the sensor-consumer process, publishing, and waiting until the consumer
has subscribed."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path
from typing import Any

import aiomqtt
import msgspec

from tests.integration.feature_store.support import FS, ROOT, unique
from tests.integration.flow_support import until

FIELDS = ("value", "temp", "production")


class StreamSource(msgspec.Struct, frozen=True):
    group: str  # the feature group's name
    device_id: str
    root: str  # the device reads `<root>/<entity>`


async def stream_source(client: Any, headers: dict[str, str], prefix: str) -> StreamSource:
    """A stream feature group of value (kW), temp (degC) and production, and a device on a
    topic of its own that maps them."""
    group = await client.post(
        f"{FS}/groups",
        json={
            "name": unique(prefix),
            "sourceType": "stream",
            "lookback": 200,
            "features": [
                {"name": "value", "dtype": "float64", "unit": "kW"},
                {"name": "temp", "dtype": "float64", "unit": "degC"},
                {"name": "production", "dtype": "float64"},
            ],
        },
        headers=headers,
    )
    assert group.status_code == 201, group.text
    root = f"loadstar-test/{uuid.uuid4().hex[:8]}"
    device = await client.post(
        "/api/inference/devices",
        json={
            "name": unique("meter"),
            "group": group.json()["name"],
            "topic": f"{root}/+",
            "mapping": {
                "entitySegment": 2,
                "timeField": "timestamp",
                "fields": {k: {"feature": k} for k in FIELDS},
            },
        },
        headers=headers,
    )
    assert device.status_code == 201, device.text
    return StreamSource(group=group.json()["name"], device_id=device.json()["id"], root=root)


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


async def until_subscribed(
    client: Any,
    headers: dict[str, str],
    source: StreamSource,
    first: dict[str, Any],
    window: int | None = None,
) -> None:
    """Publish the first reading until it is online for entity m1: from then on the broker
    keeps the consumer's session."""
    online = f"{FS}/online?entity=m1&features={source.group}.value"
    online += "" if window is None else f"&window={window}"

    async def subscribed() -> bool:
        await publish(f"{source.root}/m1", [first])
        body = (await client.get(online, headers=headers)).json()
        return body["values"][0]["value"] is not None

    await until(subscribed, seconds=60, every=0.5)
