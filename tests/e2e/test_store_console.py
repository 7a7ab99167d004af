"""The feature store, Sources and Live pages in headless Chromium (`web/e2e/store.e2e.mjs`).

This wrapper prepares a live stream on the running stack (a deployment of a small real
forecaster, a stream feature group, an MQTT device, a started stream), starts the script,
and publishes hourly readings to the broker once the Live page is open; the script must
see them, and a forecast, arrive.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiomqtt
import httpx
import pytest

from tests.conftest import login
from tests.integration.deployment_support import ModelVersions, shifted_forecaster
from tests.integration.test_gateway_support import LOOKBACK, hourly_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.anyio]

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
BASE_URL = os.environ.get("LOADSTAR_BASE_URL", "http://127.0.0.1:8080")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STACK = [
    "postgres",
    "redis",
    "mqtt",
    "s3",
    "triton",
    "control_plane",
    "feature_worker",
    "sensor_consumer",
]


@pytest.fixture(scope="module")
def stack(test_state: None) -> Iterator[str]:
    from infra.local import stack as local

    started = local.ensure(STACK)
    yield BASE_URL
    if started:
        local.down(started)


@pytest.fixture
async def live_stream(stack: str) -> AsyncIterator[tuple[str, str, str]]:
    """(deployment id, group name, topic) of a started stream."""
    from control_plane.settings import Settings

    async with httpx.AsyncClient(base_url=stack, timeout=60) as client:
        headers = await login(client)
        model = await ModelVersions(client, headers, Settings.from_env()).create()
        try:
            await model.register(shifted_forecaster(0.0))
            deployment = await model.deploy(version=1)
            group = f"e2e_{uuid.uuid4().hex[:8]}"
            features = [
                {"name": "value", "dtype": "float64", "unit": "kW"},
                {"name": "temp", "dtype": "float64", "unit": "degC"},
                {"name": "production", "dtype": "float64"},
            ]
            resp = await client.post(
                "/api/v2/feature-store/groups",
                json={"name": group, "sourceType": "stream", "features": features},
                headers=headers,
            )
            assert resp.status_code == 201, resp.text
            root = f"loadstar-e2e/{uuid.uuid4().hex[:8]}"
            fields = {n: {"feature": n} for n in ("value", "temp", "production")}
            device = await client.post(
                "/api/inference/devices",
                json={
                    "name": f"meter-{group}",
                    "group": group,
                    "topic": f"{root}/+",
                    "mapping": {"entitySegment": 2, "timeField": "timestamp", "fields": fields},
                },
                headers=headers,
            )
            assert device.status_code == 201, device.text
            started = await client.post(
                "/api/inference/stream/start",
                json={
                    "deploymentId": deployment["id"],
                    "deviceId": device.json()["id"],
                    "entity": "m1",
                },
                headers=headers,
            )
            assert started.status_code == 201, started.text
            yield deployment["id"], group, f"{root}/m1"
            await client.post(
                "/api/inference/stream/stop",
                json={"deploymentId": deployment["id"]},
                headers=headers,
            )
        finally:
            await model.cleanup()


@pytest.fixture(scope="module")
def console_built() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    index = WEB / "dist" / "index.html"
    built = index.stat().st_mtime if index.exists() else 0.0
    if any(p.stat().st_mtime > built for p in (WEB / "src").rglob("*.ts*")):  # stale build
        subprocess.run([npm, "--prefix", str(WEB), "run", "build"], check=True)


async def test_live_page_shows_readings_and_a_forecast(
    console_built: None, live_stream: tuple[str, str, str]
) -> None:
    deployment_id, group, topic = live_stream
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(WEB / "e2e" / "store.e2e.mjs"),
        env={**os.environ, "E2E_DEPLOYMENT_ID": deployment_id, "E2E_GROUP": group},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    rows = [
        {k: r[k] for k in ("timestamp", "value", "temp", "production")}
        for r in hourly_rows(LOOKBACK + 4)
    ]
    while line := (await proc.stdout.readline()).decode():
        lines.append(line)
        if "READY" in line:  # the Live page is open: the readings arrive from now on
            async with aiomqtt.Client("127.0.0.1", 1883) as client:
                for row in rows:
                    await client.publish(topic, json.dumps(row).encode(), qos=1)
    await proc.wait()
    print("".join(lines)[-6000:])
    assert proc.returncode == 0, (
        "store console e2e failed: see the steps and tests/e2e/screenshots/"
    )
    # what the console's forms made is there, as they said
    async with httpx.AsyncClient(base_url=BASE_URL, timeout=30) as client:
        headers = await login(client)
        made = (
            await client.get(f"/api/v2/feature-store/groups/{group}_ui", headers=headers)
        ).json()
        assert {(f["name"], f["unit"]) for f in made["features"]} == {
            ("power", "kW"),
            ("temp", "degC"),
        }
        devices = (await client.get("/api/inference/devices", headers=headers)).json()
        pushed = next(d for d in devices if d["name"] == f"push-{group}")
        assert pushed["kind"] == "http" and pushed["mapping"]["fields"]["p"]["feature"] == "power"
        streams = (await client.get("/api/inference/streams", headers=headers)).json()
        mine = [s["status"] for s in streams if s["deploymentId"] == deployment_id]
        assert sorted(mine) == ["running", "stopped"], mine
